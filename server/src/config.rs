//! Configuration from the environment, with defaults that work from a fresh checkout.

use leptos::config::LeptosOptions;
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Debug, Clone)]
pub struct Config {
    pub data_dir: PathBuf,
    pub database_url: String,
    /// Database connections this process may open (`OPENDOCKET_DB_POOL_SIZE`).
    pub pool_size: u32,
    pub site_addr: SocketAddr,
    pub site_root: String,
    pub site_pkg_dir: String,
    pub output_name: String,
    /// Create the BetterHelp demo docket on the first start (`OPENDOCKET_DEMO_DOCKET=off` to skip).
    pub demo_docket: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{name} is not valid: {value:?} ({why})")]
    Invalid {
        name: &'static str,
        value: String,
        why: String,
    },
}

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

impl Config {
    pub fn from_env() -> Result<Self, ConfigError> {
        let data_dir = PathBuf::from(var("OPENDOCKET_DATA_DIR").unwrap_or_else(|| "data".into()));
        let database_url = var("DATABASE_URL")
            .unwrap_or_else(|| format!("sqlite://{}", data_dir.join("opendocket.db").display()));
        let pool_size =
            match var("OPENDOCKET_DB_POOL_SIZE") {
                None => opendocket_core::store::DEFAULT_POOL_SIZE,
                Some(raw) => raw.trim().parse().ok().filter(|n: &u32| *n > 0).ok_or(
                    ConfigError::Invalid {
                        name: "OPENDOCKET_DB_POOL_SIZE",
                        value: raw.clone(),
                        why: "a whole number of connections, at least 1".into(),
                    },
                )?,
            };
        let addr = var("LEPTOS_SITE_ADDR").unwrap_or_else(|| "127.0.0.1:3000".into());
        let site_addr =
            addr.parse()
                .map_err(|e: std::net::AddrParseError| ConfigError::Invalid {
                    name: "LEPTOS_SITE_ADDR",
                    value: addr.clone(),
                    why: e.to_string(),
                })?;
        Ok(Self {
            data_dir,
            database_url,
            pool_size,
            site_addr,
            site_root: var("LEPTOS_SITE_ROOT").unwrap_or_else(|| "target/site".into()),
            site_pkg_dir: var("LEPTOS_SITE_PKG_DIR").unwrap_or_else(|| "pkg".into()),
            output_name: var("LEPTOS_OUTPUT_NAME").unwrap_or_else(|| "opendocket".into()),
            demo_docket: match var("OPENDOCKET_DEMO_DOCKET")
                .as_deref()
                .map(str::to_ascii_lowercase)
                .as_deref()
            {
                None | Some("on" | "1" | "true" | "yes") => true,
                Some("off" | "0" | "false" | "no") => false,
                Some(other) => {
                    return Err(ConfigError::Invalid {
                        name: "OPENDOCKET_DEMO_DOCKET",
                        value: other.to_owned(),
                        why: "use on or off".into(),
                    })
                }
            },
        })
    }

    /// Where this instance keeps its search index.
    /// Attached files, named by their SHA-256. Several instances must share this directory.
    pub fn attachments_dir(&self) -> PathBuf {
        self.data_dir.join("attachments")
    }

    pub fn index_dir(&self) -> PathBuf {
        self.data_dir.join(opendocket_core::search::INDEX_DIR_NAME)
    }

    pub fn leptos_options(&self) -> LeptosOptions {
        LeptosOptions::builder()
            .output_name(self.output_name.as_str())
            .site_root(self.site_root.as_str())
            .site_pkg_dir(self.site_pkg_dir.as_str())
            .site_addr(self.site_addr)
            .build()
    }
}
