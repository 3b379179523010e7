//! The docket page: the proposed order, its deadline in the agency's time zone, and the comment form.

use crate::components::comment_form::CommentForm;
use crate::components::countdown::Countdown;
use crate::pages::{page_data, page_number, RejectedCopy};
use crate::server_fns::public::load_docket;
use crate::views::DocketView;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};
use opendocket_core::window::WindowState;

#[component]
pub fn DocketPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let docket = Resource::new(
        move || {
            let query = query.read();
            let key = |name: &str| query.get(name);
            (
                params.read().get("id").unwrap_or_default(),
                page_number(&query),
                key("before"),
                key("after"),
            )
        },
        |(id, page, before, after)| load_docket(id, page, before, after),
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
        _ if docket.withdrawn.is_some() => view! {
            <p class="status status-closed" id="withdrawn">{docket.withdrawn.clone()}</p>
        }
        .into_any(),
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
    let counts = &docket.counts;
    let tally = format!("{} received, {} posted", counts.received, counts.posted);
    let withheld = (!counts.withheld.is_empty()).then(|| {
        let parts: Vec<String> = counts
            .withheld
            .iter()
            .map(|(reason, n)| format!("{reason}: {n}"))
            .collect();
        format!("Withheld — {}", parts.join(", "))
    });
    view! {
        <Title text=docket.title.clone()/>
        <p class="meta">{docket.agency_name.clone()} " · Docket " <span class="docket-id">{docket.id.clone()}</span></p>
        <h1>{docket.title.clone()}</h1>
        {status}
        {docket.extensions.iter().map(|e| view! { <p class="extension">{e.clone()}</p> }).collect_view()}
        <p class="tally" id="comment-tally">{tally}</p>
        {withheld.map(|w| view! { <p class="meta" id="withheld-tally">{w}</p> })}
        {docket.has_summary.then(|| view! {
            <p class="meta"><a href=format!("/dockets/{}/summary", docket.id) id="summary-link">"Summary of the comments received"</a></p>
        })}
        <article class="document" aria-labelledby="document-title">
            <h2 id="document-title">{docket.document_title.clone()}</h2>
            <p class="meta">
                "Document " {docket.document_id.clone()}
                {citation.map(|c| view! { " · " <span class="citation">{c}</span> })}
            </p>
            <p class="summary">{docket.document_summary.clone()}</p>
            <div class="document-body" inner_html=docket.document_html.clone()></div>
        </article>
        <PostedComments docket=docket.clone()/>
        <section class="comment-section" aria-labelledby="comment-heading">
            <h2 id="comment-heading">"Comment on this docket"</h2>
            {(!docket.accepting).then(|| view! { <RejectedCopy/> })}
            {if docket.accepting {
                view! { <CommentForm docket/> }.into_any()
            } else if docket.withdrawn.is_some() {
                view! { <p class="notice">"This docket was withdrawn; comments are no longer accepted."</p> }.into_any()
            } else if docket.state == WindowState::Scheduled {
                view! { <p class="notice">"The comment form appears here when the comment period opens."</p> }.into_any()
            } else {
                view! { <p class="notice" id="closed-notice">"This comment period is closed; comments are no longer accepted."</p> }.into_any()
            }}
        </section>
    }
}

#[component]
fn PostedComments(docket: DocketView) -> impl IntoView {
    let base = format!("/dockets/{}", docket.id);
    let (page, pages) = (docket.page, docket.pages);
    let is_empty = docket.posted.is_empty();
    // The pager names the first and last comment shown: the next page is read by key.
    let first = docket
        .posted
        .first()
        .map(|c| c.public_id.clone())
        .unwrap_or_default();
    let last = docket
        .posted
        .last()
        .map(|c| c.public_id.clone())
        .unwrap_or_default();
    let newer = match page - 1 {
        1 => base.clone(),
        n => format!("{base}?page={n}&after={first}"),
    };
    let older = format!("{base}?page={}&before={last}", page + 1);
    view! {
        <section class="posted-comments" aria-labelledby="posted-heading">
            <h2 id="posted-heading">"Posted comments"</h2>
            {(!is_empty).then(|| view! {
                <form class="search-form inline" method="get" action=format!("{base}/search") role="search">
                    <label for="posted-search">"Search posted comments"</label>
                    <input type="search" id="posted-search" name="q" maxlength="1000"/>
                    <button type="submit">"Search"</button>
                </form>
            })}
            {is_empty.then(|| view! { <p class="muted">"No comments have been posted yet. Comments appear here after staff review."</p> })}
            {(!is_empty).then(|| view! {
                <p class="meta" id="bulk-download">
                    "Download every posted comment: "
                    <a href=format!("{base}/comments.csv") download>"CSV"</a>
                    " · "
                    <a href=format!("{base}/comments.jsonl") download>"JSON Lines"</a>
                    " · or read them through the "
                    <a href=format!("/v4/comments?filter[docketId]={}", docket.id)>"regulations.gov-compatible API"</a>
                </p>
            })}
            <ol class="posted-list">
                {docket.posted.into_iter().map(|c| view! {
                    <li class="posted-comment">
                        <p class="meta">
                            <a href=format!("/comments/{}", c.public_id)>{c.public_id.clone()}</a>
                            " · " {c.submitter.clone()} " · posted " {c.posted_at.clone()}
                        </p>
                        <div class="comment-copy">{c.body.clone()}</div>
                    </li>
                }).collect_view()}
            </ol>
            {(pages > 1).then(|| view! {
                <nav class="pager" aria-label="Pages of posted comments">
                    {(page > 1).then(|| view! { <a rel="prev" href=newer>"Newer"</a> })}
                    " Page " {page} " of " {pages} " "
                    {(page < pages).then(|| view! { <a rel="next" href=older>"Older"</a> })}
                </nav>
            })}
        </section>
    }
}
