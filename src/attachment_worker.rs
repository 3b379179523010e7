//! The background task that extracts the text of new attachments: each file in a separate process
//! (`opendocket extract-text`), limited in time and memory, so a file that crashes, loops or
//! balloons a parser costs that process only. The outcome is recorded and the comment re-indexed.

use crate::attachment::files::AttachmentFiles;
use crate::attachment::AttachmentKind;
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

/// Files read at once: one slow or hostile file (up to `EXTRACTION_TIMEOUT`) holds one of these,
/// never the others.
pub const EXTRACTION_WORKERS: usize = 4;

/// Extracts the text of waiting attachments, up to `EXTRACTION_WORKERS` at a time, for ever.
pub async fn extract_waiting_texts(
    store: Store,
    files: AttachmentFiles,
    extractor: Extractor,
    clock: SharedClock,
) {
    let mut running = tokio::task::JoinSet::new();
    let mut in_flight = std::collections::HashSet::new();
    loop {
        while let Some(done) = running.try_join_next() {
            if let Ok(id) = done {
                in_flight.remove(&id);
            }
        }
        let free = EXTRACTION_WORKERS - running.len();
        let waiting = if free == 0 {
            Vec::new()
        } else {
            match store
                .attachments_waiting_for_text((in_flight.len() + free) as i64)
                .await
            {
                Ok(waiting) => waiting,
                Err(error) => {
                    tracing::warn!(%error, "could not look for attachments to read; retrying");
                    Vec::new()
                }
            }
        };
        let mut started = 0;
        for (id, version, kind, sha256) in waiting {
            if started == free || !in_flight.insert(id) {
                continue;
            }
            started += 1;
            let (store, files, extractor, clock) = (
                store.clone(),
                files.clone(),
                extractor.clone(),
                clock.clone(),
            );
            running.spawn(async move {
                extract_one(
                    &store, &files, &extractor, &clock, id, version, kind, &sha256,
                )
                .await;
                id
            });
        }
        if started > 0 {
            continue;
        }
        // Wait for a file to finish, or a moment for new ones to arrive.
        tokio::select! {
            Some(done) = running.join_next(), if !running.is_empty() => {
                match done {
                    Ok(id) => { in_flight.remove(&id); }
                    Err(error) => tracing::error!(%error, "a text extraction task failed"),
                }
            }
            _ = tokio::time::sleep(IDLE) => {}
        }
    }
}

#[allow(clippy::too_many_arguments)]
async fn extract_one(
    store: &Store,
    files: &AttachmentFiles,
    extractor: &Extractor,
    clock: &SharedClock,
    id: i64,
    version: crate::attachment::AttachmentVersion,
    kind: AttachmentKind,
    sha256: &str,
) {
    let outcome = match files.path_of(sha256) {
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

/// Files untouched for this long and referred to by no attachment are removed: longer than any
/// request (a comment's files are stored before it is committed).
pub const UNREFERENCED_GRACE: Duration = Duration::from_secs(60 * 60);

/// Removes stored files that no attachment refers to, once untouched for `grace`. Returns how
/// many were removed.
pub async fn sweep_unreferenced_files(
    store: &Store,
    files: &AttachmentFiles,
    grace: Duration,
) -> std::io::Result<usize> {
    let (store, files) = (store.clone(), files.clone());
    let runtime = tokio::runtime::Handle::current();
    tokio::task::spawn_blocking(move || {
        files.sweep_unreferenced(grace, |digest| {
            runtime
                .block_on(store.attachment_bytes_in_use(digest))
                .map_err(std::io::Error::other)
        })
    })
    .await
    .map_err(std::io::Error::other)?
}

/// Sweeps unreferenced files at start-up and every hour, for ever.
pub async fn sweep_unreferenced_files_hourly(store: Store, files: AttachmentFiles) {
    loop {
        match sweep_unreferenced_files(&store, &files, UNREFERENCED_GRACE).await {
            Ok(0) => {}
            Ok(removed) => tracing::info!(removed, "removed files no comment refers to"),
            Err(error) => tracing::warn!(%error, "could not sweep unreferenced files"),
        }
        tokio::time::sleep(UNREFERENCED_GRACE).await;
    }
}
