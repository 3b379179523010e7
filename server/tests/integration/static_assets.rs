//! The browser bundle through the real router: pages name it by its version, it is served
//! brotli- or gzip-compressed as the browser asks, with immutable caching and an ETag, and a
//! version or file that is not this bundle's is a 404.

use crate::common::Harness;
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use http_body_util::BodyExt;
use opendocket_server::assets::StaticAssets;
use std::io::Read;
use std::sync::Arc;
use tower::ServiceExt;

const DOCKET: &str = "FTC-2023-0018";

async fn fetch(
    h: &Harness,
    path: &str,
    headers: &[(header::HeaderName, &str)],
) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
    let mut request = Request::get(path);
    for (name, value) in headers {
        request = request.header(name, *value);
    }
    let response = h
        .router
        .clone()
        .oneshot(request.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let (parts, body) = response.into_parts();
    let bytes = body.collect().await.unwrap().to_bytes().to_vec();
    (parts.status, parts.headers, bytes)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bundle_is_versioned_compressed_and_cached_for_good() {
    let mut h = Harness::with_open_docket(DOCKET).await;
    let site = tempfile::tempdir().unwrap();
    let wasm: Vec<u8> = (0..200_000u32)
        .flat_map(|i| (i % 251).to_le_bytes())
        .collect();
    std::fs::write(site.path().join("opendocket.wasm"), &wasm).unwrap();
    std::fs::write(
        site.path().join("opendocket.js"),
        "export default function () {}\n".repeat(50),
    )
    .unwrap();
    std::fs::write(site.path().join("opendocket.css"), "body { margin: 0 }\n").unwrap();
    let assets = Arc::new(StaticAssets::load(site.path()).unwrap());
    let version = assets.version().to_owned();
    h.reconfigure(|state| {
        state.leptos_options.site_pkg_dir = format!("pkg/{version}").into();
        state.assets = Some(assets.clone());
    });
    let page = h.get(&format!("/dockets/{DOCKET}")).await;
    assert!(
        page.body
            .contains(&format!("/pkg/{version}/opendocket.css")),
        "the stylesheet by version"
    );
    assert!(
        page.body.contains(&format!("pkg/{version}")),
        "the scripts by version"
    );

    let path = format!("/pkg/{version}/opendocket.wasm");
    let (status, headers, body) =
        fetch(&h, &path, &[(header::ACCEPT_ENCODING, "gzip, deflate, br")]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_ENCODING], "br");
    assert_eq!(headers[header::CONTENT_TYPE], "application/wasm");
    assert_eq!(
        headers[header::CACHE_CONTROL],
        "public, max-age=31536000, immutable"
    );
    assert!(
        body.len() < wasm.len() / 4,
        "compressed: {} of {}",
        body.len(),
        wasm.len()
    );
    let mut unpacked = Vec::new();
    brotli::Decompressor::new(body.as_slice(), 4096)
        .read_to_end(&mut unpacked)
        .unwrap();
    assert_eq!(unpacked, wasm);
    let etag = headers[header::ETAG].to_str().unwrap().to_owned();

    let (status, headers, body) = fetch(&h, &path, &[(header::ACCEPT_ENCODING, "gzip")]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_ENCODING], "gzip");
    let mut unpacked = Vec::new();
    flate2::read::GzDecoder::new(body.as_slice())
        .read_to_end(&mut unpacked)
        .unwrap();
    assert_eq!(unpacked, wasm);

    let (status, headers, body) = fetch(&h, &path, &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers.get(header::CONTENT_ENCODING).is_none());
    assert_eq!(body, wasm);

    let (status, _, body) = fetch(&h, &path, &[(header::IF_NONE_MATCH, &etag)]).await;
    assert_eq!(status, StatusCode::NOT_MODIFIED);
    assert!(body.is_empty());

    for missing in [
        "/pkg/0000000000000000/opendocket.wasm".to_owned(),
        format!("/pkg/{version}/secret.db"),
        format!("/pkg/{version}/..%2F..%2FCargo.toml"),
    ] {
        let (status, headers, _) = fetch(&h, &missing, &[]).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{missing}");
        assert!(headers.get(header::ETAG).is_none());
    }
}
