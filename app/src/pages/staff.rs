//! Staff pages: signing in, and the moderation queue.

use crate::pages::LoadError;
use crate::staff::{staff_queue, QueueEntry, QueueView, StaffNotice};
use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use opendocket_core::moderation::WithholdReason;

#[component]
pub fn StaffLoginPage() -> impl IntoView {
    let notice = use_context::<StaffNotice>();
    let email = notice.as_ref().map(|n| n.email.clone()).unwrap_or_default();
    view! {
        <Title text="Staff sign-in"/>
        <Meta name="robots" content="noindex"/>
        <h1>"Staff sign-in"</h1>
        {notice.map(|n| view! { <p class="form-message" role="alert" id="form-message">{n.message}</p> })}
        <form class="staff-login" method="post" action="/staff/login">
            <div class="field">
                <label for="email">"Email"</label>
                <input type="email" id="email" name="email" autocomplete="username" value=email/>
            </div>
            <div class="field">
                <label for="password">"Password"</label>
                <input type="password" id="password" name="password" autocomplete="current-password"/>
            </div>
            <button type="submit" class="primary">"Sign in"</button>
        </form>
    }
}

#[component]
pub fn StaffQueuePage() -> impl IntoView {
    let queue = Resource::new(|| (), |_| staff_queue());
    view! {
        <Title text="Moderation queue"/>
        <Meta name="robots" content="noindex"/>
        <Suspense fallback=|| view! { <p>"Loading the queue…"</p> }>
            {move || Suspend::new(async move {
                match queue.await {
                    Ok(queue) => view! { <Queue queue/> }.into_any(),
                    Err(error) => view! { <LoadError error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Queue(queue: QueueView) -> impl IntoView {
    let notice = use_context::<StaffNotice>();
    let csrf = queue.csrf_token.clone();
    let can_moderate = queue.can_moderate;
    view! {
        <div class="staff-bar">
            <p class="meta">"Signed in as " {queue.email.clone()} " (" {queue.role.clone()} ")"</p>
            <form method="post" action="/staff/logout">
                <input type="hidden" name="csrf_token" value=queue.csrf_token.clone()/>
                <button type="submit">"Sign out"</button>
            </form>
        </div>
        <h1>"Moderation queue"</h1>
        {notice.map(|n| view! { <p class="form-message" role="alert" id="form-message">{n.message}</p> })}
        <p id="pending-total">{queue.pending_total} " comments awaiting a decision, oldest first."</p>
        <ol class="queue">
            {queue.entries.into_iter().map(|entry| {
                view! { <QueueItem entry csrf=csrf.clone() can_moderate/> }
            }).collect_view()}
        </ol>
    }
}

#[component]
fn QueueItem(entry: QueueEntry, csrf: String, can_moderate: bool) -> impl IntoView {
    let action = format!("/staff/comments/{}/decision", entry.id);
    let heading_id = format!("comment-{}", entry.id);
    let labelled_by = heading_id.clone();
    view! {
        <li class="queue-item" aria-labelledby=labelled_by>
            <h2 id=heading_id>{entry.name.clone()} <span class="meta">" · " {entry.submitter_type.clone()}</span></h2>
            <p class="meta">
                {entry.docket_id.clone()} " · received " {entry.received_at.clone()}
                {entry.late.then_some(" · late")}
                {entry.email.clone().map(|e| view! { " · " <span class="staff-only">{e}</span> })}
            </p>
            {(!entry.flags.is_empty()).then(|| view! {
                <p class="flags">{format!("Check for: {}", entry.flags.join(", "))}</p>
            })}
            <div class="comment-copy">{entry.body.clone()}</div>
            {can_moderate.then(|| view! {
                <form class="decision" method="post" action=action>
                    <input type="hidden" name="csrf_token" value=csrf/>
                    <input type="hidden" name="version" value=entry.version.to_string()/>
                    <button type="submit" name="decision" value="post" class="primary">"Post"</button>
                    <label>"Reason "
                        <select name="reason">
                            {WithholdReason::ALL.into_iter().map(|r| view! {
                                <option value=r.as_str()>{r.label()}</option>
                            }).collect_view()}
                        </select>
                    </label>
                    <label>"Note " <input type="text" name="note"/></label>
                    <button type="submit" name="decision" value="withhold">"Withhold"</button>
                </form>
            })}
        </li>
    }
}
