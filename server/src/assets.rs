//! The browser bundle (script, WebAssembly, stylesheet) under a versioned path,
//! `/pkg/{version}/{file}`, where the version is a hash of every file in the bundle: served with
//! immutable caching for a year and an ETag, brotli- or gzip-compressed when the browser takes
//! it (each compressed form is made once, on first request, off the async threads). A page names
//! the version it was rendered with; a request for any other version is a 404, never a file
//! that does not match its page.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::io::Write;
use std::sync::Arc;
use tokio::sync::OnceCell;

/// How long a versioned file may be kept: its content never changes under its name.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";

struct Asset {
    content_type: &'static str,
    etag: String,
    plain: Bytes,
    brotli: OnceCell<Bytes>,
    gzip: OnceCell<Bytes>,
}

/// The bundle as this process serves it.
pub struct StaticAssets {
    version: String,
    files: BTreeMap<String, Asset>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Brotli,
    Gzip,
    Identity,
}

impl Encoding {
    /// The best encoding `accept` (an `Accept-Encoding` value) allows: brotli, then gzip.
    pub fn chosen(accept: &str) -> Self {
        let allows = |wanted: &str| {
            accept.split(',').any(|part| {
                let mut pieces = part.split(';');
                let name = pieces.next().unwrap_or_default().trim();
                let refused = pieces.any(|p| {
                    p.trim()
                        .strip_prefix("q=")
                        .and_then(|q| q.trim().parse::<f32>().ok())
                        .is_some_and(|q| q <= 0.0)
                });
                name.eq_ignore_ascii_case(wanted) && !refused
            })
        };
        if allows("br") {
            Encoding::Brotli
        } else if allows("gzip") {
            Encoding::Gzip
        } else {
            Encoding::Identity
        }
    }
}

fn content_type(name: &str) -> &'static str {
    match name.rsplit_once('.').map(|(_, ext)| ext) {
        Some("js") => "text/javascript; charset=utf-8",
        Some("wasm") => "application/wasm",
        Some("css") => "text/css; charset=utf-8",
        Some("ts") => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

fn brotli(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut writer = brotli::CompressorWriter::new(&mut out, 64 * 1024, 9, 22);
        writer.write_all(bytes).expect("writing to memory");
    }
    out
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut writer = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    writer.write_all(bytes).expect("writing to memory");
    writer.finish().expect("writing to memory")
}

impl StaticAssets {
    /// Reads the bundle in `dir` (the site's `pkg` directory). `None` when there is none (the
    /// server then renders pages without a versioned bundle, as tests without a build do).
    pub fn load(dir: &std::path::Path) -> Option<Self> {
        let mut files = BTreeMap::new();
        let mut whole = Sha256::new();
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .ok()?
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
            .collect();
        entries.sort_by_key(|e| e.file_name());
        for entry in entries {
            let Ok(name) = entry.file_name().into_string() else {
                continue;
            };
            let Ok(bytes) = std::fs::read(entry.path()) else {
                continue;
            };
            let digest = Sha256::digest(&bytes);
            whole.update(name.as_bytes());
            whole.update(digest);
            let etag = format!(
                "\"{}\"",
                digest[..12]
                    .iter()
                    .map(|b| format!("{b:02x}"))
                    .collect::<String>()
            );
            files.insert(
                name.clone(),
                Asset {
                    content_type: content_type(&name),
                    etag,
                    plain: Bytes::from(bytes),
                    brotli: OnceCell::new(),
                    gzip: OnceCell::new(),
                },
            );
        }
        if files.is_empty() {
            return None;
        }
        let version = whole.finalize()[..8]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        Some(Self { version, files })
    }

    pub fn version(&self) -> &str {
        &self.version
    }

    /// The bytes of `name` in `encoding`, compressing it the first time it is asked for (once:
    /// requests arriving meanwhile wait for that one compression).
    async fn body(&self, name: &str, encoding: Encoding) -> Option<Bytes> {
        let asset = self.files.get(name)?;
        let cell = match encoding {
            Encoding::Identity => return Some(asset.plain.clone()),
            Encoding::Brotli => &asset.brotli,
            Encoding::Gzip => &asset.gzip,
        };
        let plain = asset.plain.clone();
        cell.get_or_try_init(|| async move {
            tokio::task::spawn_blocking(move || {
                Bytes::from(match encoding {
                    Encoding::Brotli => brotli(&plain),
                    _ => gzip(&plain),
                })
            })
            .await
        })
        .await
        .ok()
        .cloned()
    }

    /// Compresses every file both ways now, so the first visitors do not wait for it.
    pub async fn compress_all(&self) {
        for name in self.files.keys() {
            for encoding in [Encoding::Brotli, Encoding::Gzip] {
                self.body(name, encoding).await;
            }
        }
    }
}

/// `GET /pkg/{version}/{file}`.
pub async fn serve_asset(
    State(assets): State<Option<Arc<StaticAssets>>>,
    Path((version, name)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let not_found = || {
        (
            StatusCode::NOT_FOUND,
            "There is no such file in this version of the site; reload the page.",
        )
            .into_response()
    };
    let Some(assets) = assets.filter(|a| a.version == version) else {
        return not_found();
    };
    let Some(asset) = assets.files.get(&name) else {
        return not_found();
    };
    let etag = HeaderValue::from_str(&asset.etag).expect("an ETag is ASCII");
    let cached = [
        (header::CACHE_CONTROL, HeaderValue::from_static(IMMUTABLE)),
        (header::ETAG, etag.clone()),
        (header::VARY, HeaderValue::from_static("accept-encoding")),
    ];
    let matches = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',')
                .any(|t| t.trim() == asset.etag || t.trim() == "*")
        });
    if matches {
        return (StatusCode::NOT_MODIFIED, cached).into_response();
    }
    let encoding = Encoding::chosen(
        headers
            .get(header::ACCEPT_ENCODING)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default(),
    );
    let Some(body) = assets.body(&name, encoding).await else {
        return not_found();
    };
    let mut response = (cached, [(header::CONTENT_TYPE, asset.content_type)], body).into_response();
    let coding = match encoding {
        Encoding::Brotli => Some("br"),
        Encoding::Gzip => Some("gzip"),
        Encoding::Identity => None,
    };
    if let Some(coding) = coding {
        response
            .headers_mut()
            .insert(header::CONTENT_ENCODING, HeaderValue::from_static(coding));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_best_encoding_the_browser_takes_is_chosen() {
        assert_eq!(
            Encoding::chosen("gzip, deflate, br, zstd"),
            Encoding::Brotli
        );
        assert_eq!(Encoding::chosen("gzip"), Encoding::Gzip);
        assert_eq!(Encoding::chosen("br;q=0, gzip;q=0.5"), Encoding::Gzip);
        assert_eq!(Encoding::chosen("BR"), Encoding::Brotli);
        assert_eq!(Encoding::chosen(""), Encoding::Identity);
        assert_eq!(Encoding::chosen("identity"), Encoding::Identity);
        assert_eq!(Encoding::chosen(&"x,".repeat(100_000)), Encoding::Identity);
    }

    #[test]
    fn the_version_follows_the_content() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("opendocket.js"), "one").unwrap();
        let first = StaticAssets::load(dir.path()).unwrap().version;
        std::fs::write(dir.path().join("opendocket.js"), "two").unwrap();
        let second = StaticAssets::load(dir.path()).unwrap().version;
        assert_ne!(first, second);
        assert_eq!(first.len(), 16);
        let empty = tempfile::tempdir().unwrap();
        assert!(StaticAssets::load(empty.path()).is_none());
    }
}
