//! A posted comment's own page: what the public may see of it, never contact details.

use crate::pages::page_data;
use crate::server_fns::public::load_public_comment;
use crate::views::PublicCommentView;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

#[component]
pub fn CommentPage() -> impl IntoView {
    let params = use_params_map();
    let comment = Resource::new(
        move || params.read().get("id").unwrap_or_default(),
        load_public_comment,
    );
    page_data(
        comment,
        "Loading the comment…",
        |comment| view! { <PublicComment comment/> },
    )
}

#[component]
fn PublicComment(comment: PublicCommentView) -> impl IntoView {
    view! {
        <Title text=format!("Comment {}", comment.public_id)/>
        <p class="meta"><a href=format!("/dockets/{}", comment.docket_id)>"Docket " {comment.docket_id.clone()}</a></p>
        <h1>"Comment " {comment.public_id.clone()}</h1>
        <dl class="received">
            <dt>"From"</dt><dd>{comment.submitter.clone()}</dd>
            <dt>"Received"</dt><dd>{comment.received_at.clone()}</dd>
            <dt>"Posted"</dt><dd>{comment.posted_at.clone()}</dd>
        </dl>
        {(comment.campaign_copies > 1).then(|| view! {
            <p class="campaign-note" id="campaign-copies">
                {format!(
                    "This is a form letter: {} comments with this letter were received. It is posted once for all of them.",
                    opendocket_core::text::thousands(comment.campaign_copies as u64)
                )}
            </p>
        })}
        <div class="comment-copy" id="comment-body">{comment.body.clone()}</div>
        {(!comment.attachments.is_empty()).then(|| view! {
            <h2>"Attachments"</h2>
            <ul class="attachments" id="comment-attachments">
                {comment.attachments.iter().map(|(id, label)| view! {
                    <li><a href=format!("/attachments/{id}") download>{label.clone()}</a></li>
                }).collect_view()}
            </ul>
        })}
    }
}
