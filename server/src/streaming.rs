//! Streamed downloads: a response body a task writes a page at a time, and the headers of a file
//! download.

use axum::body::Body;
use axum::http::{header, HeaderValue};
use axum::response::Response;
use opendocket_core::store::StoreError;
use std::future::Future;

pub(crate) type Sender = tokio::sync::mpsc::Sender<Vec<u8>>;

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
pub(crate) fn sending(
    sender: Sender,
) -> impl FnMut(Vec<u8>) -> std::pin::Pin<Box<dyn Future<Output = bool> + Send>> {
    move |chunk| {
        let sender = sender.clone();
        Box::pin(async move { sender.send(chunk).await.is_ok() })
    }
}

/// A download of `body` named `file`.
pub(crate) fn download(body: Body, content_type: &'static str, file: &str) -> Response {
    let mut response = Response::new(body);
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{file}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    response
}
