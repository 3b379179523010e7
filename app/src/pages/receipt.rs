//! The receipt: shown only once the comment is committed, with its tracking number and a copy of what was received.

use crate::pages::page_data;
use crate::server_fns::public::load_receipt;
use crate::views::{ConfirmationRefused, ReceiptView};
use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::hooks::use_params_map;

#[component]
pub fn ReceiptPage() -> impl IntoView {
    let params = use_params_map();
    let receipt = Resource::new(
        move || params.read().get("tracking").unwrap_or_default(),
        load_receipt,
    );
    view! {
        <Meta name="robots" content="noindex"/>
        {page_data(receipt, "Loading your receipt…", |receipt| view! { <Receipt receipt/> })}
    }
}

#[component]
fn Receipt(receipt: ReceiptView) -> impl IntoView {
    let docket_href = format!("/dockets/{}", receipt.docket_id);
    view! {
        <Title text="Comment received"/>
        <h1>"Comment received"</h1>
        {receipt.awaiting_confirmation.then(|| view! {
            <div class="notice" role="status" id="confirm-notice">
                <h2>"One more step: confirm by e-mail"</h2>
                <p>"This docket counts a comment that gives an e-mail address once its sender confirms it. We sent a link to the address you gave: open it and press the button. Until then your comment is not sent to the agency's staff, and if it is still unconfirmed when the comment period closes it is withheld."</p>
            </div>
        })}
        <p class="lead">
            "Thank you. Your comment on " <a href=docket_href>{receipt.docket_title}</a>
            " was received on " {receipt.received_at} "."
        </p>
        {receipt.late.then(|| view! {
            <p class="notice">"It arrived after the deadline and was accepted as a late comment; the agency decides whether to consider it."</p>
        })}
        <dl class="tracking">
            <dt>"Tracking number"</dt>
            <dd id="tracking-number">{receipt.tracking_number}</dd>
        </dl>
        <p>"Keep this number. It identifies your comment when you contact the agency, and this page's address lets you see this receipt again."</p>
        <h2>"What happens next"</h2>
        <ul>
            <li>"Agency staff review every comment before it is posted. This can take several weeks."</li>
            <li>"Once posted, your comment appears on the docket page under the name or organization you gave, or as Anonymous."</li>
            <li>"Your email address is never published. Anything you wrote in the comment itself can be."</li>
        </ul>
        <h2>"What we received"</h2>
        <dl class="received">
            <dt>"Submitted as"</dt>
            <dd>{receipt.submitter_type}</dd>
            {(!receipt.name.is_empty()).then(|| view! { <dt>"Name"</dt><dd>{receipt.name}</dd> })}
            {receipt.organization.map(|o| view! { <dt>"Organization"</dt><dd>{o}</dd> })}
            {receipt.location.map(|l| view! { <dt>"Location"</dt><dd>{l}</dd> })}
            <dt>"Email"</dt>
            <dd>{if receipt.email_given { "Provided (never published)" } else { "Not provided" }}</dd>
        </dl>
        <h3>"Comment"</h3>
        <div class="comment-copy" id="received-comment">{receipt.body}</div>
        {(!receipt.attachments.is_empty()).then(|| view! {
            <h3>"Attachments"</h3>
            <ul id="received-attachments">
                {receipt.attachments.into_iter().map(|a| view! { <li>{a}</li> }).collect_view()}
            </ul>
        })}
    }
}

/// Where a confirmation link leads: one button that confirms (a link alone never does, so that
/// mail scanners opening links confirm nothing).
#[component]
pub fn ConfirmPage() -> impl IntoView {
    let params = use_params_map();
    let token = params.read_untracked().get("token").unwrap_or_default();
    let refused = use_context::<ConfirmationRefused>();
    view! {
        <Meta name="robots" content="noindex"/>
        <Title text="Confirm your comment"/>
        <h1>"Confirm your comment"</h1>
        {match refused {
            Some(ConfirmationRefused(message)) => view! {
                <p class="form-message" role="alert">{message}</p>
            }.into_any(),
            None => view! {
                <p class="lead">"Press the button to confirm the comment you sent. It then goes to the agency's staff like every other comment."</p>
                <form method="post" action=format!("/confirm/{token}")>
                    <button type="submit" class="primary">"Confirm my comment"</button>
                </form>
            }.into_any(),
        }}
    }
}
