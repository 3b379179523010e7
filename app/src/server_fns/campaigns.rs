//! Server functions of the campaign pages and the docket summary (staff and published).

use crate::error::AppError;
use crate::server_fns::staff::StaffHeader;
use leptos::prelude::*;
use opendocket_core::campaign::PersonalEdits;
#[cfg(feature = "ssr")]
use opendocket_core::staff_routes::Verb::Post;
use serde::{Deserialize, Serialize};

/// A campaign as its list and page show it; times already in the agency's zone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CampaignRow {
    pub id: i64,
    pub representative_id: i64,
    pub letter: String,
    pub received: i64,
    pub posted: i64,
    pub pending: i64,
    pub substantial: i64,
    pub first_received: String,
    pub last_received: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CampaignsView {
    pub header: StaffHeader,
    pub docket_id: String,
    pub docket_title: String,
    /// One page of the campaigns, largest first.
    pub campaigns: Vec<CampaignRow>,
    /// Campaigns in all, the page shown and the number of pages.
    pub count: i64,
    pub page: i64,
    pub pages: i64,
    /// Comments received on the docket, and how many of them are in no campaign.
    pub received: i64,
    pub unique: i64,
    /// Comments stored but not yet looked at for a campaign (placement follows the commit).
    pub unplaced: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberRow {
    pub id: i64,
    pub received_at: String,
    pub status: String,
    pub name: String,
    pub is_letter: bool,
    pub edits: PersonalEdits,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CampaignView {
    pub header: StaffHeader,
    pub docket_id: String,
    pub campaign: CampaignRow,
    pub members: Vec<MemberRow>,
    pub substantial_only: bool,
    pub page: i64,
    pub has_more: bool,
    /// The largest other campaigns of the docket it can be merged into: (id, received).
    pub others: Vec<(i64, i64)>,
    pub can_change: bool,
    pub can_moderate: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SummaryView {
    pub header: Option<StaffHeader>,
    pub docket_id: String,
    pub docket_title: String,
    /// The summary as sanitised HTML, and its timeline chart as SVG (both made on the server).
    pub html: String,
    pub chart: String,
    /// Kept summaries: (id, "made … at the close" label).
    pub saved: Vec<(i64, String)>,
    pub can_publish: bool,
}

/// Campaigns listed per page, and merge targets offered on a campaign's page.
pub const CAMPAIGNS_PER_PAGE: i64 = 50;
/// Copies listed per page of a campaign.
pub const MEMBERS_PER_PAGE: i64 = 50;

#[cfg(feature = "ssr")]
fn row(c: opendocket_core::campaign::Campaign, zone: chrono_tz::Tz) -> CampaignRow {
    use opendocket_core::window::format_in_zone;
    CampaignRow {
        id: c.id,
        representative_id: c.representative_id,
        letter: c.letter,
        received: c.received,
        posted: c.posted,
        pending: c.pending,
        substantial: c.substantial,
        first_received: format_in_zone(c.first_received, zone),
        last_received: format_in_zone(c.last_received, zone),
    }
}

#[server(endpoint = "staff/campaigns")]
pub async fn staff_campaigns(id: String, page: i64) -> Result<Option<CampaignsView>, AppError> {
    use crate::server_fns::staff::guard;
    use opendocket_core::docket::DocketId;
    let (services, identity) = guard::require().await?;
    let Ok(id) = DocketId::parse(&id) else {
        return Ok(None);
    };
    let Some((title, zone)) = services.store.docket_title_and_zone(&id).await? else {
        return Ok(None);
    };
    let store = &services.store;
    let (count, in_campaigns) = store.campaign_totals(id.as_str()).await?;
    let pages = ((count + CAMPAIGNS_PER_PAGE - 1) / CAMPAIGNS_PER_PAGE).max(1);
    let page = page.clamp(1, pages);
    let campaigns = store
        .campaigns(
            id.as_str(),
            CAMPAIGNS_PER_PAGE,
            (page - 1) * CAMPAIGNS_PER_PAGE,
        )
        .await?;
    let received = store.docket_counts(id.as_str()).await?.received;
    Ok(Some(CampaignsView {
        header: StaffHeader::of(&services, &identity).await?,
        docket_id: id.as_str().to_owned(),
        docket_title: title,
        campaigns: campaigns.into_iter().map(|c| row(c, zone)).collect(),
        count,
        page,
        pages,
        received,
        unique: received - in_campaigns,
        unplaced: store.unplaced_in(id.as_str()).await?,
    }))
}

#[server(endpoint = "staff/campaign")]
pub async fn staff_campaign(
    id: String,
    campaign: String,
    query: String,
) -> Result<Option<CampaignView>, AppError> {
    use crate::server_fns::staff::guard;
    use opendocket_core::campaign::edits::personal_edits;
    use opendocket_core::docket::DocketId;
    use opendocket_core::search::request::decode_query;
    use opendocket_core::window::format_in_zone;
    let (services, identity) = guard::require().await?;
    let (Ok(id), Ok(campaign_id)) = (DocketId::parse(&id), campaign.parse::<i64>()) else {
        return Ok(None);
    };
    let Some((_, zone)) = services.store.docket_title_and_zone(&id).await? else {
        return Ok(None);
    };
    let store = &services.store;
    let Some(campaign) = store.campaign(id.as_str(), campaign_id).await? else {
        return Ok(None);
    };
    let params = decode_query(&query);
    let param = |name: &str| {
        params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    let substantial_only = param("substantial").is_some_and(|v| v == "yes");
    let page = param("page")
        .and_then(|p| p.parse().ok())
        .unwrap_or(1i64)
        .max(1);
    let mut members = store
        .campaign_members(
            campaign_id,
            substantial_only,
            MEMBERS_PER_PAGE + 1,
            (page - 1) * MEMBERS_PER_PAGE,
        )
        .await?;
    let has_more = members.len() as i64 > MEMBERS_PER_PAGE;
    members.truncate(MEMBERS_PER_PAGE as usize);
    let others = store
        .campaigns(id.as_str(), CAMPAIGNS_PER_PAGE + 1, 0)
        .await?
        .into_iter()
        .filter(|c| c.id != campaign_id)
        .map(|c| (c.id, c.received))
        .take(CAMPAIGNS_PER_PAGE as usize)
        .collect();
    let members = members
        .into_iter()
        .map(|m| MemberRow {
            is_letter: m.id == campaign.representative_id,
            edits: personal_edits(&campaign.letter, &m.body),
            id: m.id,
            received_at: format_in_zone(m.received_at, zone),
            status: m.status,
            name: m.name,
        })
        .collect();
    Ok(Some(CampaignView {
        header: StaffHeader::of(&services, &identity).await?,
        docket_id: id.as_str().to_owned(),
        campaign: row(campaign, zone),
        members,
        substantial_only,
        page,
        has_more,
        others,
        can_change: identity.may(Post, "/staff/campaigns/{id}/merge"),
        can_moderate: identity.may(Post, "/staff/campaigns/{id}/moderate"),
    }))
}

#[cfg(feature = "ssr")]
fn summary_view(
    summary: &opendocket_core::summary::DocketSummary,
    header: Option<StaffHeader>,
) -> SummaryView {
    use opendocket_core::markdown::render_markdown;
    use opendocket_core::summary::timeline_svg;
    SummaryView {
        header,
        docket_id: summary.docket_id.clone(),
        docket_title: summary.title.clone(),
        html: render_markdown(&summary.to_markdown()),
        chart: timeline_svg(&summary.per_day),
        saved: Vec::new(),
        can_publish: false,
    }
}

#[server(endpoint = "staff/summary")]
pub async fn staff_summary(id: String) -> Result<Option<SummaryView>, AppError> {
    use crate::server_fns::staff::guard;
    use opendocket_core::docket::DocketId;
    use opendocket_core::summary::{Audience, SummaryReason};
    let (services, identity) = guard::require().await?;
    let Ok(id) = DocketId::parse(&id) else {
        return Ok(None);
    };
    let store = &services.store;
    let Some(summary) = store
        .docket_summary(&id, Audience::Staff, services.clock.now())
        .await?
    else {
        return Ok(None);
    };
    let zone = summary.zone();
    let mut view = summary_view(&summary, Some(StaffHeader::of(&services, &identity).await?));
    view.can_publish = identity.may(Post, "/staff/dockets/{id}/summary");
    view.saved = store
        .saved_summaries(id.as_str())
        .await?
        .into_iter()
        .map(|s| {
            let when = opendocket_core::window::format_in_zone(s.made_at, zone);
            let label = match s.reason {
                SummaryReason::Closed => format!("Made when the comment period closed, {when}"),
                SummaryReason::Published => format!("Published {when}"),
            };
            (s.id, label)
        })
        .collect();
    Ok(Some(view))
}

/// The summary an admin last published for the docket, if any.
#[server]
pub async fn published_summary(id: String) -> Result<Option<SummaryView>, AppError> {
    let services = crate::server_fns::public::services()?;
    let Some(summary) = services.store.saved_summary(&id, None).await? else {
        return Ok(None);
    };
    Ok(Some(summary_view(&summary, None)))
}
