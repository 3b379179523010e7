//! The background task that extracts the text of new attachments: each file in a separate process
//! (`opendocket extract-text`), limited in time and memory, so a file that crashes, loops or
//! balloons a parser costs that process only. The outcome is recorded and the comment re-indexed.

use super::files::AttachmentFiles;
use super::AttachmentKind;
use crate::clock::SharedClock;
use crate::store::Store;
use std::path::PathBuf;
use std::time::Duration;

/// How long one file may take.
pub const EXTRACTION_TIMEOUT: Duration = Duration::from_secs(60);
/// Address space one extraction may use.
pub const EXTRACTION_MEMORY: u64 = 1024 * 1024 * 1024;
const IDLE: Duration = Duration::from_secs(2);

/// The program that extracts one file's text: it is run as `program extract-text --kind K PATH`.
#[derive(Debug, Clone)]
pub struct Extractor {
    pub program: PathBuf,
}

impl Extractor {
    /// The text of the file at `path`, `Ok(None)` for a file without text, or why it failed.
    pub async fn run(
        &self,
        kind: AttachmentKind,
        path: &std::path::Path,
    ) -> Result<Option<String>, String> {
        if matches!(kind, AttachmentKind::Jpeg | AttachmentKind::Png) {
            return Ok(None);
        }
        let mut command = tokio::process::Command::new(&self.program);
        command
            .arg("extract-text")
            .arg("--kind")
            .arg(kind.as_str())
            .arg(path)
            .env("RUST_LOG", "off")
            .stdin(std::process::Stdio::null())
            .kill_on_drop(true);
        #[cfg(unix)]
        // SAFETY: only async-signal-safe work between fork and exec: one setrlimit call.
        unsafe {
            command.pre_exec(|| {
                let limit = libc::rlimit {
                    rlim_cur: EXTRACTION_MEMORY as libc::rlim_t,
                    rlim_max: EXTRACTION_MEMORY as libc::rlim_t,
                };
                if libc::setrlimit(libc::RLIMIT_AS, &limit) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let output = match tokio::time::timeout(EXTRACTION_TIMEOUT, command.output()).await {
            Ok(Ok(output)) => output,
            Ok(Err(error)) => return Err(format!("the text extractor could not start: {error}")),
            Err(_) => {
                return Err(format!(
                    "reading the text took longer than {} seconds",
                    EXTRACTION_TIMEOUT.as_secs()
                ))
            }
        };
        if output.status.success() {
            return Ok(Some(String::from_utf8_lossy(&output.stdout).into_owned()));
        }
        let reason = String::from_utf8_lossy(&output.stderr).trim().to_owned();
        Err(if reason.is_empty() {
            "the text extractor stopped without saying why".to_owned()
        } else {
            reason
        })
    }
}

/// Extracts the text of waiting attachments, one at a time, for ever.
pub async fn extract_waiting_texts(
    store: Store,
    files: AttachmentFiles,
    extractor: Extractor,
    clock: SharedClock,
) {
    loop {
        let waiting = match store.attachments_waiting_for_text(8).await {
            Ok(waiting) => waiting,
            Err(error) => {
                tracing::warn!(%error, "could not look for attachments to read; retrying");
                tokio::time::sleep(IDLE).await;
                continue;
            }
        };
        if waiting.is_empty() {
            tokio::time::sleep(IDLE).await;
            continue;
        }
        for (id, version, kind, sha256) in waiting {
            let outcome = match files.path_of(&sha256) {
                Some(path) => extractor.run(kind, &path).await,
                None => Err("the file is missing".to_owned()),
            };
            if let Err(reason) = &outcome {
                tracing::warn!(attachment = id, %reason, "could not extract an attachment's text");
            }
            if let Err(error) = store
                .record_extraction(id, version, outcome, clock.now())
                .await
            {
                tracing::warn!(%error, attachment = id, "could not record an attachment's text");
            }
        }
    }
}
