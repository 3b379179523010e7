//! Server functions behind the public pages: each loads through the core and maps the error.

use crate::error::AppError;
use crate::views::{DocketView, HomeView, ReceiptView};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
fn services() -> Result<opendocket_core::services::Services, AppError> {
    use_context::<opendocket_core::services::Services>().ok_or_else(|| {
        tracing::error!("services missing from the request context");
        AppError::Internal
    })
}

#[server]
pub async fn load_home() -> Result<HomeView, AppError> {
    let services = services()?;
    let records = services.store.list_dockets().await?;
    Ok(HomeView::from_records(&records, services.clock.now()))
}

#[server]
pub async fn load_docket(id: String) -> Result<Option<DocketView>, AppError> {
    use opendocket_core::docket::DocketId;
    let Ok(id) = DocketId::parse(&id) else {
        return Ok(None);
    };
    let services = services()?;
    let record = services.store.docket(&id).await?;
    Ok(record.map(|r| DocketView::from_record(&r, services.clock.now())))
}

#[server]
pub async fn load_receipt(tracking_number: String) -> Result<Option<ReceiptView>, AppError> {
    use opendocket_core::tracking::TrackingNumber;
    let Ok(tracking_number) = TrackingNumber::parse(&tracking_number) else {
        return Ok(None);
    };
    let receipt = services()?.store.receipt(&tracking_number).await?;
    Ok(receipt.as_ref().map(ReceiptView::from_receipt))
}
