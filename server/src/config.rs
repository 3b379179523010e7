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
    /// The address people reach this site at, for absolute links in API answers
    /// (`OPENDOCKET_PUBLIC_URL`, such as `https://comments.agency.gov`).
    pub public_url: String,
    /// How mail is sent (`OPENDOCKET_SMTP_URL`, from `OPENDOCKET_MAIL_FROM`); without it no mail
    /// is sent and dockets cannot confirm comments by e-mail.
    pub mailer: Option<crate::mail::Mailer>,
    /// API requests an hour for each key without a limit of its own (`OPENDOCKET_API_KEY_LIMIT`).
    pub api_key_limit: u32,
    /// API requests an hour for each address reading without a key (`OPENDOCKET_API_ANONYMOUS_LIMIT`).
    pub api_anonymous_limit: u32,
    /// Connection limits and timeouts (`OPENDOCKET_HEADER_TIMEOUT_SECS`, `OPENDOCKET_BODY_TIMEOUT_SECS`,
    /// `OPENDOCKET_MAX_CONNECTIONS`, `OPENDOCKET_SHUTDOWN_GRACE_SECS`).
    pub http: crate::http::HttpLimits,
    /// Comment forms with files received at once (`OPENDOCKET_MAX_UPLOADS`); beyond it the text
    /// is answered back with a request to send the files again shortly.
    pub max_uploads: usize,
    /// A comment form sent sooner than this many seconds after it was shown is marked as
    /// suspected automation (`OPENDOCKET_FORM_MIN_SECONDS`, default 3).
    pub form_min_seconds: u32,
    /// Leading zero bits of the proof of work a form asks for (`OPENDOCKET_PROOF_OF_WORK_BITS`).
    pub proof_of_work_bits: u8,
    /// Free space uploads must leave in the data directory (`OPENDOCKET_MIN_FREE_SPACE`).
    pub min_free_space: crate::disk::FreeSpaceFloor,
    /// Megabytes of attachments one docket may hold (`OPENDOCKET_DOCKET_ATTACHMENT_QUOTA_MB`).
    pub docket_attachment_quota_mb: Option<u32>,
    /// Proxies whose `X-Forwarded-For` is believed (`OPENDOCKET_TRUSTED_PROXIES`).
    pub trusted_proxies: crate::network::TrustedProxies,
    /// Comments a minute from one address and from its network, soft and hard
    /// (`OPENDOCKET_COMMENT_LIMITS`).
    pub comment_limits: crate::limits::LimitPair,
    /// Sign-in attempts a minute (`OPENDOCKET_SIGN_IN_LIMITS`).
    pub sign_in_limits: crate::limits::LimitPair,
    /// Public searches and bulk downloads a minute (`OPENDOCKET_READ_LIMITS`).
    pub read_limits: crate::limits::LimitPair,
    /// The comment write queue (`OPENDOCKET_SUBMIT_QUEUE`, `OPENDOCKET_SUBMIT_BATCH`,
    /// `OPENDOCKET_SUBMIT_WAIT_SECONDS`, `OPENDOCKET_SUBMIT_WRITERS`).
    pub submit_queue: opendocket_core::submission_queue::QueueSettings,
    /// The bearer token `/metrics` asks for (`OPENDOCKET_METRICS_TOKEN`); without one it is off.
    pub metrics_token: Option<String>,
}

/// The comment write queue's sizes from the environment; PostgreSQL gets several writers.
fn submit_queue(
    database_url: &str,
) -> Result<opendocket_core::submission_queue::QueueSettings, ConfigError> {
    let defaults = opendocket_core::submission_queue::QueueSettings::default();
    let postgres = database_url.starts_with("postgres");
    let count = "a whole number, at least 1";
    Ok(opendocket_core::submission_queue::QueueSettings {
        capacity: positive("OPENDOCKET_SUBMIT_QUEUE", defaults.capacity as u32, count)? as usize,
        max_batch: positive("OPENDOCKET_SUBMIT_BATCH", defaults.max_batch as u32, count)? as usize,
        max_wait: std::time::Duration::from_secs(
            positive(
                "OPENDOCKET_SUBMIT_WAIT_SECONDS",
                defaults.max_wait.as_secs() as u32,
                "a whole number of seconds, at least 1",
            )?
            .into(),
        ),
        writers: positive(
            "OPENDOCKET_SUBMIT_WRITERS",
            if postgres { 4 } else { 1 },
            count,
        )? as usize,
    })
}

/// Reads a whole number of at least 1, or `default` when unset.
fn positive(name: &'static str, default: u32, why: &str) -> Result<u32, ConfigError> {
    match var(name) {
        None => Ok(default),
        Some(raw) => raw
            .trim()
            .parse()
            .ok()
            .filter(|n: &u32| *n > 0)
            .ok_or(ConfigError::Invalid {
                name,
                value: raw.clone(),
                why: why.into(),
            }),
    }
}

/// The mailer `OPENDOCKET_SMTP_URL` describes, sending from `OPENDOCKET_MAIL_FROM` (by default
/// `OpenDocket <no-reply@HOST>`, HOST from the public address).
fn mailer(public_url: &str) -> Result<Option<crate::mail::Mailer>, ConfigError> {
    let Some(url) = var("OPENDOCKET_SMTP_URL").filter(|u| !u.trim().is_empty()) else {
        return Ok(None);
    };
    let host = public_url
        .split_once("://")
        .map_or(public_url, |(_, rest)| rest)
        .split(['/', ':'])
        .next()
        .unwrap_or("localhost");
    let from =
        var("OPENDOCKET_MAIL_FROM").unwrap_or_else(|| format!("OpenDocket <no-reply@{host}>"));
    crate::mail::Mailer::new(url.trim(), &from)
        .map(Some)
        .map_err(|why| ConfigError::Invalid {
            name: "OPENDOCKET_SMTP_URL and OPENDOCKET_MAIL_FROM",
            value: format!("{url} from {from}"),
            why,
        })
}

fn proof_of_work_bits() -> Result<u8, ConfigError> {
    use opendocket_core::proof_of_work::{DEFAULT_BITS, MAX_BITS};
    let bits = positive(
        "OPENDOCKET_PROOF_OF_WORK_BITS",
        DEFAULT_BITS.into(),
        "a whole number of bits from 1 to 28",
    )?;
    u8::try_from(bits)
        .ok()
        .filter(|b| *b <= MAX_BITS)
        .ok_or(ConfigError::Invalid {
            name: "OPENDOCKET_PROOF_OF_WORK_BITS",
            value: bits.to_string(),
            why: "a whole number of bits from 1 to 28".into(),
        })
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
        let pool_size = positive(
            "OPENDOCKET_DB_POOL_SIZE",
            opendocket_core::store::DEFAULT_POOL_SIZE,
            "a whole number of connections, at least 1",
        )?;
        let addr = var("LEPTOS_SITE_ADDR").unwrap_or_else(|| "127.0.0.1:3000".into());
        let site_addr =
            addr.parse()
                .map_err(|e: std::net::AddrParseError| ConfigError::Invalid {
                    name: "LEPTOS_SITE_ADDR",
                    value: addr.clone(),
                    why: e.to_string(),
                })?;
        let public_url = var("OPENDOCKET_PUBLIC_URL")
            .unwrap_or_else(|| format!("http://{site_addr}"))
            .trim()
            .trim_end_matches('/')
            .to_owned();
        if !(public_url.starts_with("http://") || public_url.starts_with("https://")) {
            return Err(ConfigError::Invalid {
                name: "OPENDOCKET_PUBLIC_URL",
                value: public_url,
                why: "an address starting with https:// or http://".into(),
            });
        }
        let mailer = mailer(&public_url)?;
        let per_hour = "a whole number of requests an hour, at least 1";
        let defaults = crate::http::HttpLimits::default();
        let seconds = |name: &'static str, default: std::time::Duration| {
            positive(
                name,
                default.as_secs() as u32,
                "a whole number of seconds, at least 1",
            )
            .map(|s| std::time::Duration::from_secs(s.into()))
        };
        let http = crate::http::HttpLimits {
            header_timeout: seconds("OPENDOCKET_HEADER_TIMEOUT_SECS", defaults.header_timeout)?,
            body_timeout: seconds("OPENDOCKET_BODY_TIMEOUT_SECS", defaults.body_timeout)?,
            shutdown_grace: seconds("OPENDOCKET_SHUTDOWN_GRACE_SECS", defaults.shutdown_grace)?,
            max_connections: positive(
                "OPENDOCKET_MAX_CONNECTIONS",
                defaults.max_connections as u32,
                "a whole number of connections, at least 1",
            )? as usize,
        };
        let limit_pair = |name: &'static str, default: &str| {
            let raw = var(name).unwrap_or_else(|| default.to_owned());
            crate::limits::LimitPair::parse(&raw).ok_or_else(|| ConfigError::Invalid {
                name,
                value: raw,
                why: "soft/hard requests a minute for one address, then for its network, such as 6/20,30/120 (soft at most hard, both at least 1)".into(),
            })
        };
        let proxies =
            var("OPENDOCKET_TRUSTED_PROXIES").unwrap_or_else(|| "127.0.0.0/8, ::1".into());
        let trusted_proxies = crate::network::TrustedProxies::parse(&proxies).map_err(|why| {
            ConfigError::Invalid {
                name: "OPENDOCKET_TRUSTED_PROXIES",
                value: proxies.clone(),
                why,
            }
        })?;
        let floor = var("OPENDOCKET_MIN_FREE_SPACE").unwrap_or_else(|| "default".into());
        let min_free_space =
            crate::disk::FreeSpaceFloor::parse(&floor).ok_or_else(|| ConfigError::Invalid {
                name: "OPENDOCKET_MIN_FREE_SPACE",
                value: floor.clone(),
                why: "a size such as 2GB or 500MB, a share such as 5%, or default".into(),
            })?;
        let docket_attachment_quota_mb = match var("OPENDOCKET_DOCKET_ATTACHMENT_QUOTA_MB") {
            Some(_) => Some(positive(
                "OPENDOCKET_DOCKET_ATTACHMENT_QUOTA_MB",
                1,
                "a whole number of megabytes, at least 1",
            )?),
            None => None,
        };
        Ok(Self {
            submit_queue: submit_queue(&database_url)?,
            metrics_token: var("OPENDOCKET_METRICS_TOKEN").map(|t| t.trim().to_owned()),
            min_free_space,
            docket_attachment_quota_mb,
            trusted_proxies,
            comment_limits: limit_pair("OPENDOCKET_COMMENT_LIMITS", "6/20,30/120")?,
            sign_in_limits: limit_pair("OPENDOCKET_SIGN_IN_LIMITS", "10/10,30/30")?,
            read_limits: limit_pair("OPENDOCKET_READ_LIMITS", "60/60,240/240")?,
            form_min_seconds: positive(
                "OPENDOCKET_FORM_MIN_SECONDS",
                3,
                "a whole number of seconds, at least 1",
            )?,
            proof_of_work_bits: proof_of_work_bits()?,
            max_uploads: positive(
                "OPENDOCKET_MAX_UPLOADS",
                8,
                "a whole number of uploads, at least 1",
            )? as usize,
            http,
            public_url,
            mailer,
            api_key_limit: positive("OPENDOCKET_API_KEY_LIMIT", 1000, per_hour)?,
            api_anonymous_limit: positive("OPENDOCKET_API_ANONYMOUS_LIMIT", 100, per_hour)?,
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

    /// Attached files, named by their SHA-256. Several instances must share this directory.
    pub fn attachments_dir(&self) -> PathBuf {
        self.data_dir.join("attachments")
    }

    /// Where this instance keeps its search index.
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
