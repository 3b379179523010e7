//! The admin page's import: one uploaded file of comments into a docket, answered with what was
//! imported and every rejected row with its reason.

use super::extract::{staff_multipart, StaffSession};
use super::refusal::{page_notice, Refusal};
use crate::uploads::UploadedFile;
use crate::AppState;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use opendocket_core::docket::DocketId;
use opendocket_core::import::{import_file, ImportReport};

/// Rejected rows listed on the page; the rest are counted.
const LISTED: usize = 50;

pub async fn import_upload(
    State(state): State<AppState>,
    StaffSession(identity): StaffSession,
    request: Request,
) -> Result<Response, Refusal> {
    let (form, files) = staff_multipart(&state, &identity, request, "file").await?;
    let page = "/staff/import";
    let Some(UploadedFile { name, file }) = files.into_iter().next() else {
        return Err(Refusal::bad_request("Choose a file to import.").on(page));
    };
    // One file of at most the upload limit, sent by an admin.
    let bytes = file.bytes().map_err(|error| {
        Refusal::unavailable(
            "The file could not be read just now; nothing was imported.",
            error,
        )
        .on(page)
    })?;
    let docket = form.text("docket");
    let zone = match DocketId::parse(&docket) {
        Ok(id) => state.services.store.docket_title_and_zone(&id).await,
        Err(_) => Ok(None),
    };
    let (_, zone) = zone
        .map_err(|error| {
            Refusal::unavailable("The import could not start; try again in a minute.", error)
                .on(page)
        })?
        .ok_or_else(|| Refusal::not_found(format!("There is no docket {docket}.")).on(page))?;
    let mut report = ImportReport::default();
    let now = state.services.clock.now();
    let store = &state.services.store;
    if let Err(error) = import_file(store, &docket, zone, &name, &bytes, now, &mut report).await {
        let message = format!(
            "The import stopped after {} comments because the database could not be written; importing the file again adds only what is missing.",
            report.imported
        );
        return Err(Refusal::unavailable(message, error).on(page));
    }
    let mut message = format!(
        "Imported {} comments into {docket} from {name}; {} were already there; {} rejected.",
        report.imported,
        report.already_there,
        report.rejected.len()
    );
    for rejected in report.rejected.iter().take(LISTED) {
        message.push_str(&format!(" {}: {}.", rejected.source, rejected.reason));
    }
    if report.rejected.len() > LISTED {
        message.push_str(&format!(" … and {} more.", report.rejected.len() - LISTED));
    }
    let status = if report.rejected.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(page_notice(status, message, page))
}
