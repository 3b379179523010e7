//! Bulk downloads of a docket's comments: the public files linked from the docket page (posted
//! comments only) and the staff files (every comment), streamed while a task writes them a page
//! at a time.

use crate::staff::authorise_read;
use crate::AppState;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, MethodRouter};
use axum::Router;
use opendocket_core::api::export::{write_public_comments, write_staff_comments, ExportFormat};
use opendocket_core::docket::DocketId;
use opendocket_core::staff::Permission;
use opendocket_core::store::StoreError;
use std::future::Future;

type Sender = tokio::sync::mpsc::Sender<Vec<u8>>;

/// A response body fed by `write`, which a task runs while the response streams; each chunk it
/// sends is passed on as it comes.
pub(crate) fn streamed<W, Fut>(what: &'static str, write: W) -> Body
where
    W: FnOnce(Sender) -> Fut + Send + 'static,
    Fut: Future<Output = Result<(), StoreError>> + Send + 'static,
{
    let (sender, receiver) = tokio::sync::mpsc::channel::<Vec<u8>>(4);
    tokio::spawn(async move {
        if let Err(error) = write(sender).await {
            // The response has started: the download ends short and the cause is logged.
            tracing::error!(%error, what, "a download stopped");
        }
    });
    Body::from_stream(futures_util::stream::unfold(
        receiver,
        |mut receiver| async move {
            receiver
                .recv()
                .await
                .map(|chunk| (Ok::<_, std::io::Error>(chunk), receiver))
        },
    ))
}

/// What hands a chunk to the response, answering whether the reader is still there.
fn sending(
    sender: Sender,
) -> impl FnMut(Vec<u8>) -> std::pin::Pin<Box<dyn Future<Output = bool> + Send>> {
    move |chunk| {
        let sender = sender.clone();
        Box::pin(async move { sender.send(chunk).await.is_ok() })
    }
}

/// Every comment of the docket for staff, as a body.
pub(crate) fn staff_body(state: &AppState, docket: &str, format: ExportFormat) -> Body {
    let store = state.services.store.clone();
    let docket = docket.to_owned();
    streamed("staff comments", move |sender| async move {
        write_staff_comments(&store, &docket, format, sending(sender)).await
    })
}

/// A download of `body` named `file`.
fn download(body: Body, content_type: &'static str, file: &str) -> Response {
    let mut response = Response::new(body);
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{file}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    response
}

/// The docket, if it exists; otherwise the response saying so.
async fn existing(state: &AppState, docket: &str) -> Result<DocketId, Response> {
    let missing = || (StatusCode::NOT_FOUND, "There is no such docket.").into_response();
    let Ok(id) = DocketId::parse(docket) else {
        return Err(missing());
    };
    match state.services.store.docket_title_and_zone(&id).await {
        Ok(Some(_)) => Ok(id),
        Ok(None) => Err(missing()),
        Err(error) => {
            tracing::error!(%error, "looking up a docket for a download failed");
            Err((
                StatusCode::SERVICE_UNAVAILABLE,
                "The download cannot be made just now; try again in a minute.",
            )
                .into_response())
        }
    }
}

fn public_route(format: ExportFormat) -> MethodRouter<AppState> {
    get(
        move |State(state): State<AppState>, Path(docket): Path<String>| async move {
            let id = match existing(&state, &docket).await {
                Ok(id) => id,
                Err(refusal) => return refusal,
            };
            let store = state.services.store.clone();
            let base = state.public_url.clone();
            let docket = id.to_string();
            let file = format!("{docket}-comments.{}", format.extension());
            let body = streamed("public comments", move |sender| async move {
                write_public_comments(&store, &docket, &base, format, sending(sender)).await
            });
            download(body, format.content_type(), &file)
        },
    )
}

fn staff_route(format: ExportFormat) -> MethodRouter<AppState> {
    get(
        move |State(state): State<AppState>, Path(docket): Path<String>, headers: HeaderMap| async move {
            if let Err(refusal) =
                authorise_read(&state, &headers, Some(Permission::ReadComments)).await
            {
                return refusal;
            }
            let id = match existing(&state, &docket).await {
                Ok(id) => id,
                Err(refusal) => return refusal,
            };
            let file = format!("{id}-all-comments.{}", format.extension());
            download(
                staff_body(&state, id.as_str(), format),
                format.content_type(),
                &file,
            )
        },
    )
}

pub fn routes() -> Router<AppState> {
    let mut router = Router::new();
    for format in [ExportFormat::Csv, ExportFormat::JsonLines] {
        let file = format!("comments.{}", format.extension());
        router = router
            .route(&format!("/dockets/{{id}}/{file}"), public_route(format))
            .route(
                &format!("/staff/dockets/{{id}}/{file}"),
                staff_route(format),
            );
    }
    router
}
