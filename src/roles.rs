//! Staff accounts: roles and what each may do, e-mail addresses, and password hashing.

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// What a staff member may do. Checked on the server for every staff request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Permission {
    /// Create and change staff accounts.
    ManageUsers,
    /// Create, schedule, extend, reopen and withdraw dockets.
    ManageDockets,
    /// Post, withhold and redact comments, which needs their contact details.
    Moderate,
    /// Read every comment in every state, search and see summaries.
    ReadComments,
    /// Tag comments.
    Tag,
    /// Browse and export the audit log.
    ReadAuditLog,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Role {
    Admin,
    Moderator,
    Analyst,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Admin, Role::Moderator, Role::Analyst];

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|r| r.as_str() == raw.trim().to_ascii_lowercase())
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Moderator => "moderator",
            Role::Analyst => "analyst",
        }
    }

    /// Admins may do everything; moderators moderate (seeing contact details) and read; analysts
    /// read (names and text, not contact details) and tag.
    pub fn can(self, permission: Permission) -> bool {
        use Permission::*;
        match self {
            Role::Admin => true,
            Role::Moderator => matches!(permission, Moderate | ReadComments),
            Role::Analyst => matches!(permission, ReadComments | Tag),
        }
    }
}

/// A staff e-mail address, compared case-insensitively.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct StaffEmail(String);

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum StaffError {
    #[error("an e-mail address looks like name@agency.gov")]
    BadEmail,
    #[error("a password needs at least {min} characters")]
    PasswordTooShort { min: usize },
    #[error("a password may have at most {max} characters")]
    PasswordTooLong { max: usize },
    #[error("unknown role {0:?}; use admin, moderator or analyst")]
    UnknownRole(String),
}

impl StaffEmail {
    pub fn parse(raw: &str) -> Result<Self, StaffError> {
        let address = raw.trim().to_lowercase();
        let (local, domain) = address.rsplit_once('@').ok_or(StaffError::BadEmail)?;
        let ok = !local.is_empty()
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && address.len() <= 254
            && !address.chars().any(|c| c.is_whitespace() || c.is_control());
        if ok {
            Ok(Self(address))
        } else {
            Err(StaffError::BadEmail)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

pub const PASSWORD_MIN_CHARS: usize = 12;
pub const PASSWORD_MAX_CHARS: usize = 1024;

/// Checks a new password's length (long passphrases beat composition rules).
pub fn check_new_password(password: &str) -> Result<(), StaffError> {
    let len = password.chars().count();
    if len < PASSWORD_MIN_CHARS {
        Err(StaffError::PasswordTooShort {
            min: PASSWORD_MIN_CHARS,
        })
    } else if len > PASSWORD_MAX_CHARS {
        Err(StaffError::PasswordTooLong {
            max: PASSWORD_MAX_CHARS,
        })
    } else {
        Ok(())
    }
}

#[cfg(feature = "ssr")]
mod hashing {
    use argon2::password_hash::rand_core::OsRng;
    use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
    use argon2::Argon2;

    /// An argon2id hash in PHC string form, with a random salt.
    pub fn hash_password(password: &str) -> String {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .expect("argon2 with default parameters hashes any password")
            .to_string()
    }

    pub fn verify_password(stored_hash: &str, password: &str) -> bool {
        PasswordHash::new(stored_hash)
            .map(|parsed| {
                Argon2::default()
                    .verify_password(password.as_bytes(), &parsed)
                    .is_ok()
            })
            .unwrap_or(false)
    }

    /// Spends the time of one verification, so an unknown e-mail address answers as slowly as a known one.
    pub fn verify_against_nothing(password: &str) {
        static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
        let hash = DUMMY.get_or_init(|| hash_password("not a real password, only for timing"));
        let _ = verify_password(hash, password);
    }

    /// SHA-256 of a session token, hex: the database stores this, never the token itself.
    pub fn token_digest(token: &str) -> String {
        use sha2::Digest;
        sha2::Sha256::digest(token.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    /// A random token (256 bits) in URL-safe hex.
    pub fn random_token() -> String {
        use rand::Rng;
        let bytes: [u8; 32] = rand::rng().random();
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }
}

#[cfg(feature = "ssr")]
pub use hashing::{
    hash_password, random_token, token_digest, verify_against_nothing, verify_password,
};

/// Password hashing off the request threads: Argon2id takes tens of milliseconds of CPU and
/// memory, so at most `PASSWORD_WORKERS` run at once, on blocking threads; further requests wait
/// their turn instead of stalling every other request on two cores.
#[cfg(feature = "ssr")]
pub mod password_work {
    use tokio::sync::Semaphore;

    pub const PASSWORD_WORKERS: usize = 2;
    static SLOTS: Semaphore = Semaphore::const_new(PASSWORD_WORKERS);

    async fn run<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> T {
        let _slot = SLOTS
            .acquire()
            .await
            .expect("the semaphore is never closed");
        tokio::task::spawn_blocking(work)
            .await
            .expect("password hashing does not panic")
    }

    pub async fn hash(password: &str) -> String {
        let password = password.to_owned();
        run(move || super::hash_password(&password)).await
    }

    pub async fn verify(stored_hash: &str, password: &str) -> bool {
        let (hash, password) = (stored_hash.to_owned(), password.to_owned());
        run(move || super::verify_password(&hash, &password)).await
    }

    /// Spends one verification's time, so an unknown address answers as slowly as a known one.
    pub async fn verify_against_nothing(password: &str) {
        let password = password.to_owned();
        run(move || super::verify_against_nothing(&password)).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_grant_what_the_issue_describes() {
        use Permission::*;
        for p in [
            ManageUsers,
            ManageDockets,
            Moderate,
            ReadComments,
            Tag,
            ReadAuditLog,
        ] {
            assert!(Role::Admin.can(p));
        }
        assert!(Role::Moderator.can(Moderate));
        assert!(Role::Moderator.can(ReadComments));
        assert!(!Role::Moderator.can(ManageUsers));
        assert!(!Role::Moderator.can(ManageDockets));
        assert!(!Role::Moderator.can(ReadAuditLog));
        assert!(Role::Analyst.can(ReadComments));
        assert!(Role::Analyst.can(Tag));
        assert!(!Role::Analyst.can(Moderate));
        assert!(!Role::Analyst.can(ManageDockets));
    }

    #[test]
    fn roles_parse_case_insensitively() {
        assert_eq!(Role::parse(" Moderator "), Some(Role::Moderator));
        assert_eq!(Role::parse("root"), None);
    }

    #[test]
    fn emails_are_normalised_and_checked() {
        assert_eq!(
            StaffEmail::parse(" Ada@FTC.gov ").unwrap().as_str(),
            "ada@ftc.gov"
        );
        for bad in ["", "ada", "ada@", "@ftc.gov", "ada@ftc", "a da@ftc.gov"] {
            assert!(StaffEmail::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn passwords_need_a_reasonable_length() {
        assert!(check_new_password("short").is_err());
        assert!(check_new_password("correct horse battery").is_ok());
        assert!(check_new_password(&"x".repeat(1025)).is_err());
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn hashes_verify_only_the_right_password() {
        let hash = hash_password("correct horse battery");
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password(&hash, "correct horse battery"));
        assert!(!verify_password(&hash, "correct horse battery "));
        assert!(!verify_password("not a hash", "anything"));
        assert_ne!(hash, hash_password("correct horse battery"), "salted");
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn token_digests_are_stable_and_tokens_random() {
        assert_eq!(
            token_digest("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_ne!(random_token(), random_token());
        assert_eq!(random_token().len(), 64);
    }
}
