//! The docket page: the proposed order, its deadline in the agency's time zone, and the comment form.

use crate::api::load_docket;
use crate::components::comment_form::CommentForm;
use crate::components::countdown::Countdown;
use crate::pages::{page_data, RejectedCopy};
use crate::views::DocketView;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use opendocket_core::window::WindowState;

#[component]
pub fn DocketPage() -> impl IntoView {
    let params = use_params_map();
    let docket = Resource::new(
        move || params.read().get("id").unwrap_or_default(),
        load_docket,
    );
    page_data(
        docket,
        "Loading the docket…",
        |docket| view! { <Docket docket/> },
    )
}

#[component]
fn Docket(docket: DocketView) -> impl IntoView {
    let status = match docket.state {
        WindowState::Scheduled => view! {
            <p class="status status-scheduled">"Opens for comment on " {docket.opens_at.clone()}</p>
        }
        .into_any(),
        WindowState::Open => view! {
            <p class="status status-open">"Open for comment. Comments due " <strong>{docket.closes_at.clone()}</strong></p>
            <Countdown closes_at_ms=docket.closes_at_ms rendered_at_ms=docket.rendered_at_ms/>
        }
        .into_any(),
        WindowState::Closed => view! {
            <p class="status status-closed">"The comment period closed on " {docket.closes_at.clone()} "."</p>
        }
        .into_any(),
    };
    let citation = docket.federal_register_citation.clone();
    view! {
        <Title text=docket.title.clone()/>
        <p class="meta">{docket.agency_name.clone()} " · Docket " <span class="docket-id">{docket.id.clone()}</span></p>
        <h1>{docket.title.clone()}</h1>
        {status}
        <article class="document" aria-labelledby="document-title">
            <h2 id="document-title">{docket.document_title.clone()}</h2>
            <p class="meta">
                "Document " {docket.document_id.clone()}
                {citation.map(|c| view! { " · " <span class="citation">{c}</span> })}
            </p>
            <p class="summary">{docket.document_summary.clone()}</p>
            <div class="document-body" inner_html=docket.document_html.clone()></div>
        </article>
        <section class="comment-section" aria-labelledby="comment-heading">
            <h2 id="comment-heading">"Comment on this docket"</h2>
            {(!docket.accepting).then(|| view! { <RejectedCopy/> })}
            {if docket.accepting {
                view! { <CommentForm docket/> }.into_any()
            } else if docket.state == WindowState::Scheduled {
                view! { <p class="notice">"The comment form appears here when the comment period opens."</p> }.into_any()
            } else {
                view! { <p class="notice" id="closed-notice">"This comment period is closed; comments are no longer accepted."</p> }.into_any()
            }}
        </section>
    }
}
