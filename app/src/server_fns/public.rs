//! Server functions behind the public pages: each loads through the core and maps the error.

use crate::error::AppError;
use crate::views::{DocketView, HomeView, ReceiptView};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
pub(crate) fn services() -> Result<opendocket_core::services::Services, AppError> {
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

/// Posted comments shown per page of a docket.
pub const COMMENTS_PER_PAGE: i64 = 25;

/// Fixed endpoint: the server marks requests for it from crowded networks.
#[server(endpoint = "public/docket")]
pub async fn load_docket(
    id: String,
    page: i64,
    before: Option<String>,
    after: Option<String>,
) -> Result<Option<DocketView>, AppError> {
    use crate::views::{CountsView, PublicCommentView};
    use opendocket_core::docket::DocketId;
    let Ok(id) = DocketId::parse(&id) else {
        return Ok(None);
    };
    let services = services()?;
    let Some(record) = services.store.docket(&id).await? else {
        return Ok(None);
    };
    let now = services.clock.now();
    let mut view = DocketView::from_record(&record, now);
    // A crowded network's form, and every form of a docket that asks it, asks for a proof of work.
    let crowded = use_context::<http::request::Parts>().is_some_and(|parts| {
        parts
            .extensions
            .get::<opendocket_core::proof_of_work::CrowdedNetwork>()
            .is_some()
    });
    let bits = match crowded || record.ask_proof_of_work {
        true => services.proof_of_work_bits,
        false => 0,
    };
    view.form_token = services.form_tokens.issue_asking(&id, now, bits);
    let counts = services.store.docket_counts(id.as_str()).await?;
    view.pages = ((counts.posted + COMMENTS_PER_PAGE - 1) / COMMENTS_PER_PAGE).max(1);
    // Read by key from the comment the pager names; a typed page number alone by position.
    use opendocket_core::moderation::{could_be_public_id, page_by_number, PostedPage};
    view.page = page.clamp(1, view.pages);
    let key = |raw: Option<String>| raw.filter(|k| could_be_public_id(k));
    let posted = match (key(before), key(after)) {
        (Some(key), _) => {
            services
                .store
                .posted_comments_from(id.as_str(), COMMENTS_PER_PAGE, &PostedPage::Before(key))
                .await?
        }
        (None, Some(key)) => {
            services
                .store
                .posted_comments_from(id.as_str(), COMMENTS_PER_PAGE, &PostedPage::After(key))
                .await?
        }
        (None, None) => {
            view.page = page_by_number(view.page, view.pages);
            services
                .store
                .posted_comments_at(
                    id.as_str(),
                    COMMENTS_PER_PAGE,
                    (view.page - 1) * COMMENTS_PER_PAGE,
                    counts.posted,
                )
                .await?
        }
    };
    view.posted = posted
        .iter()
        .map(|c| PublicCommentView::from_comment(c, record.agency.time_zone))
        .collect();
    view.counts = CountsView::from_counts(&counts);
    view.has_summary = services.store.has_published_summary(id.as_str()).await?;
    let zone = record.agency.time_zone;
    view.extensions = services
        .store
        .window_extensions(&id)
        .await?
        .into_iter()
        .map(|(from, to)| {
            use opendocket_core::window::format_deadline;
            format!(
                "Extended from {} to {}",
                format_deadline(from, zone),
                format_deadline(to, zone)
            )
        })
        .collect();
    Ok(Some(view))
}

#[server]
pub async fn load_public_comment(
    public_id: String,
) -> Result<Option<crate::views::PublicCommentView>, AppError> {
    use crate::views::PublicCommentView;
    use opendocket_core::docket::DocketId;
    let public_id = public_id.trim();
    if !opendocket_core::moderation::could_be_public_id(public_id) {
        return Ok(None);
    }
    let services = services()?;
    let Some(comment) = services.store.public_comment(public_id).await? else {
        return Ok(None);
    };
    let zone = match DocketId::parse(&comment.docket_id) {
        Ok(id) => services
            .store
            .docket(&id)
            .await?
            .map(|d| d.agency.time_zone),
        Err(_) => None,
    };
    let mut view = PublicCommentView::from_comment(&comment, zone.unwrap_or(chrono_tz::UTC));
    view.campaign_copies = services.store.letter_copies(&comment.public_id).await?;
    view.attachments = services
        .store
        .public_attachments(&comment.public_id)
        .await?
        .iter()
        .map(|a| (a.id, a.describe()))
        .collect();
    Ok(Some(view))
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
