//! Disk safety: files are received only while the data directory's file system keeps a floor of
//! free space, and (optionally) while a docket is under its attachment quota, so a flood of
//! uploads cannot fill the disk and stop everyone from commenting.

use std::path::PathBuf;

const MB: u64 = 1024 * 1024;
const GB: u64 = 1024 * MB;

/// The free space uploads must leave (`OPENDOCKET_MIN_FREE_SPACE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FreeSpaceFloor {
    /// The larger of 2 GB and 5 % of the file system.
    Default,
    Bytes(u64),
    /// Per mille of the file system's size.
    PerMille(u64),
}

impl FreeSpaceFloor {
    /// `2GB`, `500MB`, `5%`, or `default`.
    pub fn parse(raw: &str) -> Option<Self> {
        let raw = raw.trim().to_ascii_uppercase();
        if raw == "DEFAULT" {
            return Some(Self::Default);
        }
        if let Some(percent) = raw.strip_suffix('%') {
            let percent: f64 = percent.trim().parse().ok()?;
            return (0.0..=100.0)
                .contains(&percent)
                .then(|| Self::PerMille((percent * 10.0).round() as u64));
        }
        let (number, unit) = if let Some(n) = raw.strip_suffix("GB") {
            (n, GB)
        } else if let Some(n) = raw.strip_suffix("MB") {
            (n, MB)
        } else {
            return None;
        };
        number
            .trim()
            .parse::<u64>()
            .ok()?
            .checked_mul(unit)
            .map(Self::Bytes)
    }

    fn bytes(self, total: u64) -> u64 {
        match self {
            Self::Default => (2 * GB).max(total / 20),
            Self::Bytes(bytes) => bytes,
            Self::PerMille(per_mille) => total / 1000 * per_mille,
        }
    }
}

/// Where files go and what must stay free there.
#[derive(Debug, Clone)]
pub struct DiskGuard {
    pub dir: PathBuf,
    pub floor: FreeSpaceFloor,
    /// Bytes of attachments one docket may hold (`OPENDOCKET_DOCKET_ATTACHMENT_QUOTA_MB`).
    pub docket_quota: Option<u64>,
}

pub const SHORT_OF_SPACE: &str = "The server is short of disk space, so files cannot be received just now and nothing was stored.";

impl DiskGuard {
    /// Whether `more` bytes can still be written and leave the floor free. A file system that
    /// cannot be asked is treated as full: refusing a file is better than filling a disk.
    pub fn has_room_for(&self, more: u64) -> bool {
        // The directory is made with the first file: until then, ask about its nearest parent.
        let dir = self
            .dir
            .ancestors()
            .find(|dir| dir.exists() && !dir.as_os_str().is_empty())
            .unwrap_or(std::path::Path::new("."));
        match (fs4::available_space(dir), fs4::total_space(dir)) {
            (Ok(available), Ok(total)) => available.saturating_sub(more) >= self.floor.bytes(total),
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floors_parse_in_megabytes_gigabytes_and_percent() {
        assert_eq!(
            FreeSpaceFloor::parse("2GB"),
            Some(FreeSpaceFloor::Bytes(2 * GB))
        );
        assert_eq!(
            FreeSpaceFloor::parse(" 500 mb "),
            Some(FreeSpaceFloor::Bytes(500 * MB))
        );
        assert_eq!(
            FreeSpaceFloor::parse("5%"),
            Some(FreeSpaceFloor::PerMille(50))
        );
        assert_eq!(FreeSpaceFloor::parse("0MB"), Some(FreeSpaceFloor::Bytes(0)));
        for bad in ["", "5", "lots", "101%", "-1GB", "99999999999999999999GB"] {
            assert_eq!(FreeSpaceFloor::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_default_floor_is_the_larger_of_two_gigabytes_and_five_percent() {
        assert_eq!(FreeSpaceFloor::Default.bytes(10 * GB), 2 * GB);
        assert_eq!(FreeSpaceFloor::Default.bytes(1000 * GB), 50 * GB);
        assert_eq!(FreeSpaceFloor::PerMille(50).bytes(1000 * GB), 50 * GB);
    }

    #[test]
    fn a_floor_above_the_free_space_has_no_room() {
        let dir = tempfile::tempdir().unwrap();
        let guard = |floor| DiskGuard {
            dir: dir.path().to_owned(),
            floor,
            docket_quota: None,
        };
        assert!(guard(FreeSpaceFloor::Bytes(0)).has_room_for(0));
        assert!(!guard(FreeSpaceFloor::PerMille(1000)).has_room_for(1));
        assert!(!guard(FreeSpaceFloor::Bytes(u64::MAX)).has_room_for(0));
    }
}
