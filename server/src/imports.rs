//! The admin page's import: one uploaded file of comments into a docket, answered with what was
//! imported and every rejected row with its reason.

use crate::staff::notice;
use crate::uploads::staff_multipart;
use crate::AppState;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use opendocket_core::docket::DocketId;
use opendocket_core::import::{import_file, ImportReport};
use opendocket_core::staff::Permission;

/// Rejected rows listed on the page; the rest are counted.
const LISTED: usize = 50;

pub async fn import_upload(
    State(state): State<AppState>,
    headers: HeaderMap,
    request: Request,
) -> Response {
    let (_, form, files) =
        match staff_multipart(&state, &headers, request, "file", Permission::ManageDockets).await {
            Ok(sent) => sent,
            Err(refusal) => return refusal,
        };
    let answer = |status, message: String| {
        notice(
            &state,
            "/staff/import",
            &headers,
            status,
            message,
            String::new(),
        )
    };
    let Some(crate::uploads::UploadedFile { name, file }) = files.into_iter().next() else {
        return answer(
            StatusCode::BAD_REQUEST,
            "Choose a file to import.".to_owned(),
        )
        .await;
    };
    // One file of at most the upload limit, sent by an admin.
    let bytes = match file.bytes() {
        Ok(bytes) => bytes,
        Err(error) => {
            tracing::error!(%error, "could not read an uploaded import file");
            return answer(
                StatusCode::SERVICE_UNAVAILABLE,
                "The file could not be read just now; nothing was imported.".to_owned(),
            )
            .await;
        }
    };
    let docket = form.get("docket").cloned().unwrap_or_default();
    let zone = match DocketId::parse(&docket) {
        Ok(id) => state.services.store.docket_title_and_zone(&id).await,
        Err(_) => Ok(None),
    };
    let zone = match zone {
        Ok(Some((_, zone))) => zone,
        Ok(None) => {
            return answer(
                StatusCode::NOT_FOUND,
                format!("There is no docket {docket}."),
            )
            .await
        }
        Err(error) => {
            tracing::error!(%error, "looking up a docket to import into failed");
            return answer(
                StatusCode::SERVICE_UNAVAILABLE,
                "The import could not start; try again in a minute.".to_owned(),
            )
            .await;
        }
    };
    let mut report = ImportReport::default();
    let now = state.services.clock.now();
    let store = &state.services.store;
    if let Err(error) = import_file(store, &docket, zone, &name, &bytes, now, &mut report).await {
        tracing::error!(%error, "an import stopped");
        let message = format!(
            "The import stopped after {} comments because the database could not be written; importing the file again adds only what is missing.",
            report.imported
        );
        return answer(StatusCode::SERVICE_UNAVAILABLE, message).await;
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
    answer(status, message).await
}
