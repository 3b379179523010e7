//! Staff pages: signing in, the moderation queue, dockets, accounts and the audit log.

use crate::components::comment_form::textarea_text as escape_for_textarea;
use crate::components::staff_form::StaffForm;
use crate::error::AppError;
use crate::pages::search::CommentTags;
use crate::pages::LoadError;
use crate::server_fns::staff::{
    staff_audit, staff_comment, staff_decided, staff_docket_for_edit, staff_dockets, staff_queue,
    staff_signed_in, staff_users, AuditView, DecidedView, DocketEditView, DocketsView, QueueEntry,
    QueueView, StaffCommentView, StaffHeader, StaffNotice, UsersView,
};
use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use opendocket_core::moderation::WithholdReason;
use serde::{de::DeserializeOwned, Serialize};

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

/// A staff page: waits for its data, then shows it under the staff bar, or why it cannot.
pub(crate) fn staff_page<T, V>(
    title: &'static str,
    data: Resource<Result<T, AppError>>,
    render: impl Fn(T) -> V + Clone + Send + Sync + 'static,
) -> impl IntoView
where
    T: Clone + Send + Sync + Serialize + DeserializeOwned + 'static,
    V: IntoView + 'static,
{
    // Read only when the page is refused, so a signed-in person keeps the staff menu.
    let signed_in = Resource::new(|| (), |_| staff_signed_in());
    view! {
        <Title text=title/>
        <Meta name="robots" content="noindex"/>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || {
                let render = render.clone();
                Suspend::new(async move {
                    match data.await {
                        Ok(value) => render(value).into_any(),
                        Err(AppError::Forbidden) => {
                            let bar = signed_in.await.ok().map(|header| view! { <StaffBar header/> });
                            view! { {bar} <LoadError error=AppError::Forbidden/> }.into_any()
                        }
                        Err(error) => view! { <LoadError error/> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

/// The docket a staff page is about: the one in its path (`/staff/dockets/{id}/…`) or its
/// `docket` parameter, when it is one of `dockets`.
fn docket_in_view(
    path: &str,
    parameter: Option<String>,
    dockets: &[(String, String)],
) -> Option<String> {
    let from_path = path
        .strip_prefix("/staff/dockets/")
        .and_then(|rest| rest.split('/').next())
        .filter(|id| !id.is_empty())
        .map(str::to_owned);
    let wanted = from_path.or(parameter)?.trim().to_uppercase();
    dockets
        .iter()
        .find(|(id, _)| *id == wanted)
        .map(|(id, _)| id.clone())
}

/// The staff menu, on every staff page (refusals included): a docket switcher, the chosen
/// docket's pages, the administration pages the role may use, and the account.
#[component]
pub(crate) fn StaffBar(header: StaffHeader) -> impl IntoView {
    let notice = use_context::<StaffNotice>();
    let location = leptos_router::hooks::use_location();
    let path = location.pathname.get_untracked();
    let parameter = location.query.with_untracked(|q| q.get("docket"));
    let docket = docket_in_view(&path, parameter, &header.dockets);
    // Moderators switch to the docket's queue; others to its search.
    let switch_to = if header.can_moderate {
        "/staff"
    } else {
        "/staff/search"
    };
    let link = {
        let path = path.clone();
        move |href: String, text: &'static str| {
            let here = href.split('?').next() == Some(path.as_str());
            view! { <li><a href=href aria-current=here.then_some("page")>{text}</a></li> }
        }
    };
    let in_docket = |base: &str| match &docket {
        Some(id) => format!("{base}?docket={id}"),
        None => base.to_owned(),
    };
    let docket_pages = docket.clone().map(|id| {
        [
            link(format!("/staff/dockets/{id}/tags"), "Tags"),
            link(format!("/staff/dockets/{id}/campaigns"), "Campaigns"),
            link(format!("/staff/dockets/{id}/summary"), "Summary"),
        ]
    });
    let admin = (header.can_manage_dockets || header.can_manage_users || header.can_read_audit)
        .then(|| {
            view! {
                <ul class="staff-links" aria-label="Administration">
                    {header.can_manage_dockets.then(|| [link("/staff/dockets".into(), "Dockets"), link("/staff/import".into(), "Import")])}
                    {header.can_manage_users.then(|| [link("/staff/users".into(), "Users"), link("/staff/api-keys".into(), "API keys")])}
                    {header.can_read_audit.then(|| link("/staff/audit".into(), "Audit log"))}
                </ul>
            }
        });
    view! {
        <nav class="staff-bar" aria-label="Staff">
            <form class="docket-switcher" method="get" action=switch_to>
                <label for="staff-docket">"Working on"</label>
                <select id="staff-docket" name="docket">
                    <option value="" selected=docket.is_none().then_some("")>"All dockets"</option>
                    {header.dockets.iter().map(|(id, title)| view! {
                        <option value=id.clone() selected=(docket.as_deref() == Some(id.as_str())).then_some("")>
                            {format!("{id}: {title}")}
                        </option>
                    }).collect_view()}
                </select>
                <button type="submit">"Open"</button>
            </form>
            <ul class="staff-links" aria-label=docket.as_deref().map_or_else(|| "Comment pages".to_owned(), |id| format!("Pages for {id}"))>
                {header.can_moderate.then(|| link(in_docket("/staff"), "Queue"))}
                {link(in_docket("/staff/decided"), "Decided")}
                {link(in_docket("/staff/search"), "Search")}
                {docket_pages}
            </ul>
            {admin}
            <div class="staff-account">
                <a href="/staff/password" aria-current=(path == "/staff/password").then_some("page")>"Password"</a>
                <span class="meta">{format!("Signed in as {} ({})", header.email, header.role)}</span>
                <StaffForm csrf=header.csrf_token.clone() action="/staff/logout">
                    <button type="submit">"Sign out"</button>
                </StaffForm>
            </div>
        </nav>
        {notice.map(|n| view! { <p class="form-message" role="alert" id="form-message">{n.message}</p> })}
    }
}

#[component]
pub fn StaffQueuePage() -> impl IntoView {
    let query = leptos_router::hooks::use_query_map();
    let queue = Resource::new(
        move || {
            let query = query.read();
            (
                opendocket_core::moderation::QueueFilter::parse(|name| query.get(name)),
                crate::pages::page_number(&query),
                query.get("decided").and_then(|id| id.parse::<i64>().ok()),
            )
        },
        |(filter, page, decided)| staff_queue(Some(filter), Some(page), decided),
    );
    staff_page("Moderation queue", queue, |queue| view! { <Queue queue/> })
}

#[component]
pub fn StaffAuditPage() -> impl IntoView {
    let audit = Resource::new(|| (), |_| staff_audit());
    staff_page("Audit log", audit, |audit| view! { <Audit audit/> })
}

#[component]
pub fn StaffUsersPage() -> impl IntoView {
    let users = Resource::new(|| (), |_| staff_users());
    staff_page("Staff accounts", users, |users| view! { <Users users/> })
}

#[component]
pub fn StaffApiKeysPage() -> impl IntoView {
    let keys = Resource::new(|| (), |_| crate::server_fns::staff::staff_api_keys());
    staff_page("API keys", keys, |keys| view! { <ApiKeys keys/> })
}

#[component]
fn ApiKeys(keys: crate::server_fns::staff::ApiKeysView) -> impl IntoView {
    let csrf = keys.header.csrf_token.clone();
    let rows = keys
        .keys
        .into_iter()
        .map(|key| {
            let csrf = csrf.clone();
            view! {
                <tr>
                    <td>{key.id}</td>
                    <td>{key.name}</td>
                    <td>{key.limit}</td>
                    <td>{key.made}</td>
                    <td>{match key.revoked {
                        Some(when) => format!("revoked {when}").into_any(),
                        None => view! {
                            <StaffForm csrf=csrf action=format!("/staff/api-keys/{}/revoke", key.id) class="inline">
                                <button type="submit">"Revoke"</button>
                            </StaffForm>
                        }.into_any(),
                    }}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <StaffBar header=keys.header/>
        <h1>"API keys"</h1>
        <p>"Keys for the regulations.gov-compatible API at /v4. Reading works without a key at a lower limit; a key raises it. Each key is shown once, when it is made."</p>
        <table class="api-keys">
            <thead><tr><th>"No."</th><th>"Name"</th><th>"Limit"</th><th>"Made"</th><th>"Controls"</th></tr></thead>
            <tbody>{rows}</tbody>
        </table>
        <h2>"Make a key"</h2>
        <StaffForm csrf=csrf class="add-key" action="/staff/api-keys">
            <div class="field">
                <label for="key-name">"Who uses it"</label>
                <input type="text" id="key-name" name="name" maxlength="100" required/>
            </div>
            <div class="field">
                <label for="key-limit">"Requests an hour (empty for the default)"</label>
                <input type="number" id="key-limit" name="limit" min="1" max="1000000"/>
            </div>
            <button type="submit" class="primary">"Make key"</button>
        </StaffForm>
    }
}

#[component]
pub fn StaffImportPage() -> impl IntoView {
    let dockets = Resource::new(|| (), |_| staff_dockets());
    staff_page(
        "Import comments",
        dockets,
        |dockets| view! { <Import dockets/> },
    )
}

#[component]
fn Import(dockets: DocketsView) -> impl IntoView {
    let csrf = dockets.header.csrf_token.clone();
    view! {
        <StaffBar header=dockets.header/>
        <h1>"Import comments"</h1>
        <p>"A regulations.gov v4 comment (.json), a file of them one per line (.jsonl, as this site's JSON Lines download), or paper comments typed into a spreadsheet (.csv with the columns Submitter Type, First Name, Last Name, Organization Name, City, State/Province, Country, Received Date, Comment). Comments from regulations.gov arrive posted, as published; paper comments wait in the moderation queue. Importing the same file again adds nothing. For whole directories or files over 10 MB use "<code>"opendocket import"</code>"."</p>
        <StaffForm csrf=csrf class="import" action="/staff/import" multipart=true>
            <div class="field">
                <label for="import-docket">"Docket"</label>
                <select id="import-docket" name="docket">
                    {dockets.dockets.into_iter().map(|d| view! {
                        <option value=d.id.clone()>{format!("{} — {}", d.id, d.title)}</option>
                    }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="import-file">"File"</label>
                <input type="file" id="import-file" name="file" accept=".json,.jsonl,.csv" required/>
            </div>
            <button type="submit" class="primary">"Import"</button>
        </StaffForm>
    }
}

#[component]
pub fn StaffDocketsPage() -> impl IntoView {
    let dockets = Resource::new(|| (), |_| staff_dockets());
    staff_page("Dockets", dockets, |dockets| view! { <Dockets dockets/> })
}

#[component]
fn Dockets(dockets: DocketsView) -> impl IntoView {
    let csrf = dockets.header.csrf_token.clone();
    let rows = dockets
        .dockets
        .into_iter()
        .map(|d| {
            let csrf = csrf.clone();
            let (csrf_late, csrf_withdraw, csrf_schedule, csrf_work, csrf_mail) =
                (csrf.clone(), csrf.clone(), csrf.clone(), csrf.clone(), csrf.clone());
            let schedule_id = d.id.clone();
            let (verb, path) = if d.extendable {
                ("Extend", "extend")
            } else {
                ("Reopen until", "reopen")
            };
            let action = format!("/staff/dockets/{}/{path}", d.id);
            let date_id = format!("due-{}", d.id);
            let date_label_for = date_id.clone();
            view! {
                <li class="docket-row">
                    <a href=format!("/dockets/{}", d.id)>{d.id.clone()}</a> " " {d.title.clone()}
                " " <a href=format!("/staff/dockets/{}/edit", d.id)>"Edit"</a>
                " " <a href=format!("/staff/dockets/{}/campaigns", d.id)>"Campaigns"</a>
                " " <a href=format!("/staff/dockets/{}/summary", d.id)>"Summary"</a>
                    <p class="meta">{format!(
                    "{}{} · closes {} · late comments {} · proof of work asked of {} · {}",
                    d.state,
                    if d.withdrawn { " (withdrawn)" } else { "" },
                    d.closes_at,
                    if d.allow_late { "accepted" } else { "refused" },
                    if d.ask_proof_of_work { "every browser" } else { "crowded networks" },
                    if d.confirm_by_email { "comments with an e-mail address confirmed by e-mail" } else { "no e-mail confirmation" },
                )}</p>
                    <StaffForm csrf=csrf action=action class="extend">
                        <label for=date_label_for>"New due date"</label>
                        <input type="date" id=date_id name="due_date"/>
                        <button type="submit">{verb}</button>
                    </StaffForm>
                    {d.schedulable.then(|| view! {
                        <StaffForm csrf=csrf_schedule action=format!("/staff/dockets/{schedule_id}/schedule") class="extend">
                            <label for=format!("opens-{schedule_id}")>"New opening time"</label>
                            <input type="datetime-local" id=format!("opens-{schedule_id}") name="opens_at"/>
                            <button type="submit">"Reschedule"</button>
                        </StaffForm>
                    })}
                    <StaffForm csrf=csrf_late action=format!("/staff/dockets/{}/late-policy", d.id) class="late-policy">
                        <input type="hidden" name="allow_late" value=if d.allow_late { "off" } else { "on" }/>
                        <button type="submit">{if d.allow_late { "Refuse late comments" } else { "Accept late comments" }}</button>
                    </StaffForm>
                    <StaffForm csrf=csrf_work action=format!("/staff/dockets/{}/proof-of-work", d.id) class="late-policy">
                        <input type="hidden" name="ask_proof_of_work" value=if d.ask_proof_of_work { "off" } else { "on" }/>
                        <button type="submit">{if d.ask_proof_of_work { "Ask only crowded networks for a proof of work" } else { "Ask every browser for a proof of work" }}</button>
                    </StaffForm>
                    <StaffForm csrf=csrf_mail action=format!("/staff/dockets/{}/email-confirmation", d.id) class="late-policy">
                        <input type="hidden" name="confirm_by_email" value=if d.confirm_by_email { "off" } else { "on" }/>
                        <button type="submit">{if d.confirm_by_email { "Stop confirming comments by e-mail" } else { "Confirm comments by e-mail" }}</button>
                    </StaffForm>
                    {(!d.withdrawn).then(|| view! {
                        <StaffForm csrf=csrf_withdraw action=format!("/staff/dockets/{}/withdraw", d.id) class="withdraw">
                            <label><input type="checkbox" name="confirm" value="yes"/> " I mean it"</label>
                            <button type="submit">"Withdraw docket"</button>
                        </StaffForm>
                    })}
                </li>
            }
        })
        .collect_view();
    view! {
        <StaffBar header=dockets.header/>
        <h1>"Dockets"</h1>
        <ul class="docket-rows">{rows}</ul>
        <h2>"Create a docket"</h2>
        <StaffForm csrf=csrf class="create-docket" action="/staff/dockets">
            <DraftField name="id" label="Docket id (such as FTC-2024-0001)"/>
            <DraftField name="title" label="Title"/>
            <DraftField name="agency_name" label="Agency"/>
            <div class="field">
                <label for="time_zone">"Agency's time zone"</label>
                <select id="time_zone" name="time_zone">
                    {dockets.time_zones.into_iter().map(|zone| {
                        let (selected, label) = (zone == DEFAULT_TIME_ZONE, zone.clone());
                        view! { <option value=zone selected=selected>{label}</option> }
                    }).collect_view()}
                </select>
            </div>
            <DraftField name="opens_at" label="Opens at (agency's clock)" input_type="datetime-local"/>
            <DraftField name="due_date" label="Due date (empty: 30 days)" input_type="date"/>
            <div class="field"><label><input type="checkbox" name="allow_late" value="on"/> " Accept late comments, marked late"</label></div>
            <DraftField name="document_title" label="Document title"/>
            <DraftField name="federal_register" label="Federal Register citation (optional)"/>
            <div class="field">
                <label for="summary">"Summary"</label>
                <textarea id="summary" name="summary" rows="3"></textarea>
            </div>
            <div class="field">
                <label for="body_markdown">"Document text (Markdown)"</label>
                <textarea id="body_markdown" name="body_markdown" rows="10"></textarea>
            </div>
            <button type="submit" class="primary">"Create docket"</button>
        </StaffForm>
    }
}

/// Where the first agencies are; any IANA zone may be chosen.
const DEFAULT_TIME_ZONE: &str = "America/New_York";

#[component]
fn DraftField(
    name: &'static str,
    label: &'static str,
    #[prop(default = "text")] input_type: &'static str,
) -> impl IntoView {
    view! {
        <div class="field">
            <label for=name>{label}</label>
            <input type=input_type id=name name=name/>
        </div>
    }
}

#[component]
pub fn StaffDecidedPage() -> impl IntoView {
    let query = leptos_router::hooks::use_query_map();
    let decided = Resource::new(
        move || {
            let query = query.read();
            (
                opendocket_core::moderation::DecidedFilter::parse(|name| query.get(name)),
                crate::pages::page_number(&query),
                query.get("returned").and_then(|id| id.parse::<i64>().ok()),
            )
        },
        |(filter, page, returned)| staff_decided(Some(filter), Some(page), returned),
    );
    staff_page(
        "Decided comments",
        decided,
        |decided| view! { <Decided decided/> },
    )
}

#[component]
fn Decided(decided: DecidedView) -> impl IntoView {
    use opendocket_core::moderation::DECIDED_COUNT_CAP;
    let csrf = decided.header.csrf_token.clone();
    let dockets = decided.header.dockets.clone();
    let can_moderate = decided.can_moderate;
    let shown = decided.entries.len() as i64;
    let last = decided.first + shown - 1;
    let of = if decided.matching > DECIDED_COUNT_CAP {
        format!(
            "more than {}",
            opendocket_core::text::thousands(DECIDED_COUNT_CAP as u64)
        )
    } else {
        decided.matching.to_string()
    };
    let filtered = if decided.filter.is_empty() {
        ""
    } else {
        " matching the filter"
    };
    let counts = match shown {
        0 => format!("No decided comments{filtered}."),
        _ => format!(
            "Showing {}–{last} of {of} decided comments{filtered}, latest decision first.",
            decided.first
        ),
    };
    let filter = decided.filter.clone();
    let (prev, next) = (
        filter.href(decided.page - 1, None),
        filter.href(decided.page + 1, None),
    );
    view! {
        <StaffBar header=decided.header/>
        <h1>"Decided comments"</h1>
        {decided.returned.map(|r| view! {
            <p class="decision-done" id="decision-done" role="status">
                <a href=r.href>{r.label}</a> " is back in the queue, waiting for a decision."
            </p>
        })}
        <QueueFilterForm filter=decided.filter.comments.clone() dockets zone=decided.zone
            action="/staff/decided" outcome=Some(decided.filter.outcome)/>
        <p id="decided-counts" role="status">{counts}</p>
        <ol class="queue decided-list" start=decided.first.to_string()>
            {decided.entries.into_iter().map(|e| {
                let csrf = csrf.clone();
                let back = decided.href.clone();
                view! {
                    <li class="queue-item decided" id=format!("decided-{}", e.id)>
                        <h2><a href=e.href>{e.label}</a> <span class="meta">{format!(" · {} · {} ({})", e.docket_id, e.submitter, e.submitter_type)}</span></h2>
                        <p class="meta">{format!("{} by {}, {}", e.outcome, e.decided_by, e.decided_at)}</p>
                        <p class="excerpt">{e.excerpt}</p>
                        <AttachmentsForModerator attachments=e.attachments can_moderate csrf=csrf.clone()/>
                        {can_moderate.then(|| view! { <RestoreForm id=e.id version=e.version csrf back label="Undo: back to the queue"/> })}
                    </li>
                }
            }).collect_view()}
        </ol>
        <Pager label="Decided pages" page=decided.page pages=decided.pages prev next/>
    }
}

#[component]
pub fn StaffDocketEditPage() -> impl IntoView {
    use crate::pages::page_data;
    use leptos_router::hooks::use_params_map;
    let params = use_params_map();
    let docket = Resource::new(
        move || params.read().get("id").unwrap_or_default(),
        staff_docket_for_edit,
    );
    view! {
        <Title text="Edit docket"/>
        <Meta name="robots" content="noindex"/>
        {page_data(docket, "Loading…", |docket| view! { <DocketEdit docket/> })}
    }
}

#[component]
fn DocketEdit(docket: DocketEditView) -> impl IntoView {
    let action = format!("/staff/dockets/{}", docket.id);
    let csrf = docket.header.csrf_token.clone();
    view! {
        <StaffBar header=docket.header/>
        <h1>{format!("Edit {}", docket.id)}</h1>
        <StaffForm csrf=csrf class="edit-docket" action=action>
            <div class="field"><label for="title">"Title"</label><input type="text" id="title" name="title" value=docket.title/></div>
            <div class="field"><label for="document_title">"Document title"</label><input type="text" id="document_title" name="document_title" value=docket.document_title/></div>
            <div class="field"><label for="federal_register">"Federal Register citation (optional)"</label><input type="text" id="federal_register" name="federal_register" value=docket.federal_register/></div>
            <div class="field"><label for="summary">"Summary"</label><textarea id="summary" name="summary" rows="3">{escape_for_textarea(&docket.summary)}</textarea></div>
            <div class="field"><label for="body_markdown">"Document text (Markdown)"</label><textarea id="body_markdown" name="body_markdown" rows="16">{escape_for_textarea(&docket.body_markdown)}</textarea></div>
            <button type="submit" class="primary">"Save changes"</button>
        </StaffForm>
    }
}

#[component]
pub fn StaffPasswordPage() -> impl IntoView {
    let header = Resource::new(|| (), |_| staff_signed_in());
    staff_page(
        "Change password",
        header,
        |header| view! { <PasswordForm header/> },
    )
}

#[component]
fn PasswordForm(header: StaffHeader) -> impl IntoView {
    let csrf = header.csrf_token.clone();
    view! {
        <StaffBar header/>
        <h1>"Change your password"</h1>
        <StaffForm csrf=csrf class="password" action="/staff/password">
            <div class="field">
                <label for="current_password">"Current password"</label>
                <input type="password" id="current_password" name="current_password" autocomplete="current-password"/>
            </div>
            <div class="field">
                <label for="new_password">"New password (at least 12 characters)"</label>
                <input type="password" id="new_password" name="new_password" autocomplete="new-password"/>
            </div>
            <button type="submit" class="primary">"Change password"</button>
        </StaffForm>
    }
}

#[component]
fn Audit(audit: AuditView) -> impl IntoView {
    view! {
        <StaffBar header=audit.header/>
        <h1>"Audit log"</h1>
        <p><a href="/staff/audit.csv" download="audit-log.csv">"Download the whole log as CSV"</a></p>
        // Wider than a phone: the table scrolls within a region the keyboard can reach.
        <div class="table-scroll" tabindex="0" role="region" aria-label="Audit log entries">
            <table class="audit">
                <thead><tr><th>"When"</th><th>"Who"</th><th>"What"</th><th>"On"</th><th>"Before"</th><th>"After"</th></tr></thead>
                <tbody>
                    {audit.rows.into_iter().map(|r| view! {
                        <tr><td>{r.at}</td><td>{r.actor}</td><td>{r.action}</td><td>{r.object}</td><td>{r.before}</td><td>{r.after}</td></tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

#[component]
fn Users(users: UsersView) -> impl IntoView {
    let csrf = users.header.csrf_token.clone();
    view! {
        <StaffBar header=users.header/>
        <h1>"Staff accounts"</h1>
        <table class="users">
            <thead><tr><th>"Account"</th><th>"Role"</th><th>"State"</th><th>"Controls"</th></tr></thead>
            <tbody>{users.users.into_iter().map(|user| view! { <UserControls user csrf=csrf.clone()/> }).collect_view()}</tbody>
        </table>
        <h2>"Add an account"</h2>
        <StaffForm csrf=csrf class="add-user" action="/staff/users">
            <div class="field">
                <label for="new-email">"Email"</label>
                <input type="email" id="new-email" name="email" autocomplete="off"/>
            </div>
            <div class="field">
                <label for="new-role">"Role"</label>
                <select id="new-role" name="role">
                    <option value="moderator">"Moderator"</option>
                    <option value="analyst">"Analyst"</option>
                    <option value="admin">"Admin"</option>
                </select>
            </div>
            <div class="field">
                <label for="new-password">"Initial password"</label>
                <input type="password" id="new-password" name="password" autocomplete="new-password"/>
            </div>
            <button type="submit" class="primary">"Add account"</button>
        </StaffForm>
    }
}

/// One account's row: its role, its state and the admin's controls over it, each a form that
/// works without JavaScript.
#[component]
fn UserControls(user: crate::server_fns::staff::UserRow, csrf: String) -> impl IntoView {
    let action = format!("/staff/users/{}", user.id);
    let state = match (user.disabled, user.failed_sign_ins) {
        (true, _) => "disabled".to_owned(),
        (false, 0) => "active".to_owned(),
        (false, n) => format!("active; {n} wrong passwords since the last sign-in"),
    };
    let button = |value: &'static str, label: &'static str| {
        view! {
            <StaffForm csrf=csrf.clone() action=action.clone() class="inline">
                <button type="submit" name="action" value=value>{label}</button>
            </StaffForm>
        }
    };
    let role_id = format!("role-{}", user.id);
    let password_id = format!("password-{}", user.id);
    let roles = ["admin", "moderator", "analyst"].map(|role| {
        view! { <option value=role selected=user.role == role>{role}</option> }
    });
    view! {
        <tr>
            <td>{user.email.clone()}</td>
            <td>{user.role.clone()}</td>
            <td>{state}</td>
            <td class="user-controls">
                {(!user.is_self).then(|| view! {
                    <StaffForm csrf=csrf.clone() action=action.clone() class="inline">
                        <label for=role_id.clone()>"Role"</label>
                        <select id=role_id name="role">{roles}</select>
                        <button type="submit" name="action" value="role">"Change role"</button>
                    </StaffForm>
                    {if user.disabled { button("enable", "Enable") } else { button("disable", "Disable") }}
                })}
                {button("unlock", "Unlock")}
                {button("sessions", "End sessions")}
                <StaffForm csrf=csrf.clone() action=action.clone() class="inline">
                    <label for=password_id.clone()>"New password"</label>
                    <input type="password" id=password_id name="password" autocomplete="new-password"/>
                    <button type="submit" name="action" value="reset">"Reset password"</button>
                </StaffForm>
            </td>
        </tr>
    }
}

#[component]
fn Queue(queue: QueueView) -> impl IntoView {
    let csrf = queue.header.csrf_token.clone();
    let dockets = queue.header.dockets.clone();
    let can_moderate = queue.can_moderate;
    view! {
        <StaffBar header=queue.header/>
        <h1>"Moderation queue"</h1>
        <QueueKeyboard/>
        {can_moderate.then(|| view! {
            <StaffForm csrf=csrf.clone() id="bulk" class="bulk" action="/staff/comments/bulk">
                <span>"With the ticked comments: "</span>
                <button type="submit" name="decision" value="post" formnovalidate>"Post selected"</button>
                <label>"Reason "
                    <WithholdReasons/>
                </label>
                <label><input type="checkbox" name="confirm" value="yes" required/> " Yes, withhold every ticked comment"</label>
                <button type="submit" name="decision" value="withhold">"Withhold selected"</button>
            </StaffForm>
        })}
        <p id="pending-total">{queue.pending_total} " comments awaiting a decision in all, oldest first; held comments last."</p>
        {queue.done.clone().map(|done| view! {
            <div class="decision-done" id="decision-done" role="status">
                <span>{format!("Comment {}: {}.", done.id, done.outcome)}</span>
                {done.undo_version.filter(|_| can_moderate).map(|version| view! {
                    <RestoreForm id=done.id version csrf=csrf.clone() back=queue.href.clone() label="Undo"/>
                })}
            </div>
        })}
        <QueueFilterForm filter=queue.filter.clone() dockets=dockets zone=queue.zone.clone() action="/staff"/>
        <QueueCounts counts=queue.counts.clone() first=queue.first shown=queue.entries.len() as i64 filtered=!queue.filter.is_empty()/>
        {can_moderate.then(|| view! { <ClaimForms filter=queue.filter.clone() mine=queue.counts.mine csrf=csrf.clone()/> })}
        {(!queue.bursts.is_empty()).then(|| view! {
            <section class="bursts" aria-labelledby="bursts-heading">
                <h2 id="bursts-heading">"Bursts from one network"</h2>
                <ul>
                    {queue.bursts.into_iter().map(|burst| view! {
                        <li>
                            {format!("{} comments on {} from one network {} ({} held)",
                                burst.comments, burst.docket_id, burst.between, burst.held)}
                            {(can_moderate && burst.held < burst.comments).then(|| view! {
                                <StaffForm csrf=csrf.clone() class="inline" action="/staff/bursts/hold">
                                    <input type="hidden" name="docket" value=burst.docket_id.clone()/>
                                    <input type="hidden" name="network" value=burst.network.clone()/>
                                    <input type="hidden" name="window" value=burst.window.to_string()/>
                                    <button type="submit">"Hold all from this burst"</button>
                                </StaffForm>
                            })}
                        </li>
                    }).collect_view()}
                </ul>
            </section>
        })}
        <ol class="queue" start=queue.first.to_string()>
            {
                let next_ids: Vec<Option<i64>> = queue.entries.iter().skip(1).map(|e| Some(e.id)).chain([None]).collect();
                let back = queue.href.clone();
                let filter = queue.filter.clone();
                queue.entries.into_iter().zip(next_ids).map(|(entry, next)| {
                    let open = filter.comment_href(entry.id);
                    view! { <QueueItem entry csrf=csrf.clone() can_moderate back=back.clone() next open/> }
                }).collect_view()
            }
        </ol>
        <Pager label="Queue pages" page=queue.page pages=queue.pages
            prev=queue.filter.queue_href(queue.page - 1) next=queue.filter.queue_href(queue.page + 1)/>
    }
}

/// Narrows the queue (a plain GET form: the filter lives in the address).
#[component]
fn QueueFilterForm(
    filter: opendocket_core::moderation::QueueFilter,
    dockets: Vec<(String, String)>,
    /// The zone arrival days are read in.
    zone: String,
    /// The page the filter narrows.
    action: &'static str,
    /// On the decided list, how the comments were decided (`Some(None)`: either way).
    #[prop(default = None)]
    outcome: Option<Option<opendocket_core::moderation::Outcome>>,
) -> impl IntoView {
    use opendocket_core::flags::FlagKind;
    use opendocket_core::moderation::Outcome;
    let option = |value: &str, text: &str, on: bool| (value.to_owned(), text.to_owned(), on);
    let dockets: Vec<_> = dockets
        .into_iter()
        .map(|(id, title)| {
            let on = filter.docket.as_deref() == Some(id.as_str());
            option(&id, &format!("{id}: {title}"), on)
        })
        .collect();
    let flags: Vec<_> = FlagKind::ALL
        .into_iter()
        .map(|kind| option(kind.as_str(), kind.label(), filter.flag == Some(kind)))
        .collect();
    let types: Vec<_> = opendocket_core::comment::SUBMITTER_TYPES
        .into_iter()
        .map(|kind| option(kind, kind, filter.submitter_type.as_deref() == Some(kind)))
        .collect();
    let yes_no = |value: Option<bool>| {
        vec![
            option("yes", "Yes", value == Some(true)),
            option("no", "No", value == Some(false)),
        ]
    };
    let outcomes = outcome.map(|chosen| {
        Outcome::ALL
            .into_iter()
            .map(|o| option(o.as_str(), o.label(), chosen == Some(o)))
            .collect::<Vec<_>>()
    });
    let day = |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
    let filtered = !filter.is_empty() || outcome.flatten().is_some();
    view! {
        <form class="queue-filter" method="get" action=action aria-label="Filter the list">
            {outcomes.map(|options| view! { <FilterSelect name="outcome" label="Decision" any="Either" options/> })}
            <FilterSelect name="docket" label="Docket" any="All dockets" options=dockets/>
            <FilterSelect name="flag" label="Check for" any="Anything" options=flags/>
            <FilterSelect name="type" label="Submitter" any="Anyone" options=types/>
            <FilterSelect name="late" label="Late" any="Either" options=yes_no(filter.late)/>
            <FilterSelect name="files" label="Files attached" any="Either" options=yes_no(filter.files)/>
            <div class="field">
                <label for="filter-campaign">"Campaign number"</label>
                <input type="number" id="filter-campaign" name="campaign" min="1"
                    value=filter.campaign.map(|c| c.to_string()).unwrap_or_default()/>
            </div>
            <div class="field">
                <label for="filter-from">{format!("Arrived from ({zone})")}</label>
                <input type="date" id="filter-from" name="from" value=day(filter.arrived_from)/>
            </div>
            <div class="field">
                <label for="filter-to">{format!("Arrived until ({zone})")}</label>
                <input type="date" id="filter-to" name="to" value=day(filter.arrived_to)/>
            </div>
            <button type="submit">"Show"</button>
            {filtered.then(|| view! { <a href=action>"Clear the filter"</a> })}
        </form>
    }
}

/// One select of the queue's filter: "any" first, then (value, text, chosen) options.
#[component]
fn FilterSelect(
    name: &'static str,
    label: &'static str,
    any: &'static str,
    options: Vec<(String, String, bool)>,
) -> impl IntoView {
    let id = format!("filter-{name}");
    let nothing_chosen = !options.iter().any(|(_, _, on)| *on);
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            <select id=id name=name>
                <option value="" selected=nothing_chosen.then_some("")>{any}</option>
                {options.into_iter().map(|(value, text, on)| view! {
                    <option value=value selected=on.then_some("")>{text}</option>
                }).collect_view()}
            </select>
        </div>
    }
}

#[component]
fn QueueCounts(
    counts: opendocket_core::moderation::WorkCounts,
    first: i64,
    shown: i64,
    filtered: bool,
) -> impl IntoView {
    let last = first + shown - 1;
    let range = match shown {
        0 => "Nothing to show".to_owned(),
        _ => format!("Showing {first}–{last} of {}", counts.open),
    };
    let mine = match counts.mine {
        0 => String::new(),
        n => format!("; {n} taken by you, listed first"),
    };
    let others = match counts.taken_by_others {
        0 => String::new(),
        n => format!("; {n} more taken by other moderators for now"),
    };
    let filtered = if filtered { " matching the filter" } else { "" };
    view! { <p id="queue-counts" role="status">{format!("{range} waiting{filtered}{mine}{others}.")}</p> }
}

/// Take the next comments (under the filter in force) so no other moderator works them, or give
/// one's own back.
#[component]
fn ClaimForms(
    filter: opendocket_core::moderation::QueueFilter,
    mine: i64,
    csrf: String,
) -> impl IntoView {
    use opendocket_core::moderation::{CLAIM_MINUTES, MAX_CLAIM};
    let hidden = filter
        .pairs()
        .into_iter()
        .map(|(name, value)| view! { <input type="hidden" name=name value=value/> })
        .collect_view();
    view! {
        <div class="claims">
            <StaffForm csrf=csrf.clone() class="inline claim" action="/staff/queue/claim">
                {hidden}
                <label for="claim-count">"Take the next "</label>
                <input type="number" id="claim-count" name="count" value="20" min="1" max=MAX_CLAIM.to_string()/>
                <button type="submit">{format!("Take them for {CLAIM_MINUTES} minutes")}</button>
            </StaffForm>
            {(mine > 0).then(|| view! {
                <StaffForm csrf=csrf class="inline" action="/staff/queue/release">
                    <button type="submit">{format!("Give back my {mine}")}</button>
                </StaffForm>
            })}
        </div>
    }
}

/// Previous and next page links (`prev` and `next` are their addresses) and where one is.
#[component]
fn Pager(label: &'static str, page: i64, pages: i64, prev: String, next: String) -> impl IntoView {
    (pages > 1).then(|| {
        view! {
            <nav class="pager" aria-label=label>
                {(page > 1).then(|| view! { <a href=prev rel="prev">"Previous page"</a> })}
                <span>{format!("Page {page} of {pages}")}</span>
                {(page < pages).then(|| view! { <a href=next rel="next">"Next page"</a> })}
            </nav>
        }
    })
}

#[component]
fn QueueItem(
    entry: QueueEntry,
    csrf: String,
    can_moderate: bool,
    /// The queue page's address, where a decision returns.
    back: String,
    /// The comment listed after this one, where a decision returns to.
    next: Option<i64>,
    /// The comment's staff page, in this queue.
    open: String,
) -> impl IntoView {
    let heading_id = format!("comment-{}", entry.id);
    let labelled_by = heading_id.clone();
    view! {
        <li class="queue-item" id=format!("item-{}", entry.id) tabindex="-1" aria-labelledby=labelled_by>
            {can_moderate.then(|| view! {
                <label class="select">
                    <input type="checkbox" name="selected" form="bulk" value=format!("{}:{}", entry.id, entry.version)/>
                    " Select"
                </label>
            })}
            <h2 id=heading_id><a href=open.clone()>{entry.name.clone()}</a> <span class="meta">" · " {entry.submitter_type.clone()}</span>
                {entry.held.then(|| view! { " " <span class="held-badge">"Held: decide on it alone"</span> })}
            </h2>
            <p class="meta">
                {entry.docket_id.clone()} " · received " {entry.received_at.clone()}
                {entry.late.then_some(" · late")}
                {entry.email.clone().map(|e| view! { " · " <span class="staff-only">{e}</span> })}
            </p>
            {(!entry.flags.is_empty()).then(|| view! {
                <p class="flags">{format!("Check for: {}", entry.flags.join(", "))}</p>
            })}
            {entry.campaign.map(|(campaign, copies)| view! {
                <p class="campaign-note">
                    <a href=format!("/staff/dockets/{}/campaigns/{campaign}", entry.docket_id)>
                        {format!("Form letter: campaign {campaign}, {copies} copies")}
                    </a>
                    " (decide them all at once there)"
                </p>
            })}
            {match entry.excerpt.clone() {
                Some(short) => view! {
                    <p class="comment-copy excerpt">{short}</p>
                    <details class="whole-comment">
                        <summary>"Show the whole comment"</summary>
                        <div class="comment-copy">{entry.body.clone()}</div>
                    </details>
                }
                .into_any(),
                None => view! { <div class="comment-copy">{entry.body.clone()}</div> }.into_any(),
            }}
            <AttachmentsForModerator attachments=entry.attachments.clone() can_moderate csrf=csrf.clone()/>
            {can_moderate.then(|| view! { <DecisionForm id=entry.id version=entry.version csrf back next=next redact_at=Some(format!("{open}#redact"))/> })}
        </li>
    }
}

/// Post (with redactions) or withhold a waiting comment. `back` is `comment` to return to the
/// comment's own page afterwards, otherwise the queue page's address (at `next`).
#[component]
fn DecisionForm(
    id: i64,
    version: i64,
    csrf: String,
    #[prop(into)] back: String,
    #[prop(default = None)] next: Option<i64>,
    /// A redaction the moderator previewed, posted with the comment.
    #[prop(default = None)]
    redact: Option<String>,
    /// Where to redact (the comment's page), offered beside "Post" in the queue.
    #[prop(default = None)]
    redact_at: Option<String>,
) -> impl IntoView {
    let post = if redact.is_some() {
        "Post with these redactions"
    } else {
        "Post"
    };
    view! {
        <StaffForm csrf=csrf class="decision" action=format!("/staff/comments/{id}/decision")>
            <input type="hidden" name="version" value=version.to_string()/>
            <input type="hidden" name="back" value=back/>
            {next.map(|next| view! { <input type="hidden" name="next" value=next.to_string()/> })}
            {redact.map(|redact| view! { <input type="hidden" name="redact" value=redact/> })}
            <button type="submit" name="decision" value="post" class="primary" formnovalidate>{post}</button>
            {redact_at.map(|href| view! { <a href=href>"Redact and post…"</a> })}
            <label>"Reason "
                <WithholdReasons/>
            </label>
            <label>"Note " <input type="text" name="note"/></label>
            <button type="submit" name="decision" value="withhold">"Withhold"</button>
        </StaffForm>
    }
}

/// Send a decided comment back to the queue.
#[component]
fn RestoreForm(
    id: i64,
    version: i64,
    csrf: String,
    #[prop(into)] back: String,
    #[prop(default = "Return to queue")] label: &'static str,
) -> impl IntoView {
    view! {
        <StaffForm csrf=csrf class="inline" action=format!("/staff/comments/{id}/decision")>
            <input type="hidden" name="version" value=version.to_string()/>
            <input type="hidden" name="back" value=back/>
            <button type="submit" name="decision" value="restore">{label}</button>
        </StaffForm>
    }
}

#[component]
pub fn StaffCommentPage() -> impl IntoView {
    use leptos_router::hooks::use_params_map;
    let params = use_params_map();
    let query = leptos_router::hooks::use_query_map();
    let comment = Resource::new(
        move || {
            let query = query.read();
            let from_queue = (query.get("in").as_deref() == Some("queue"))
                .then(|| opendocket_core::moderation::QueueFilter::parse(|name| query.get(name)));
            (
                params.read().get("id").unwrap_or_default(),
                from_queue,
                query.get("redact"),
            )
        },
        |(id, from_queue, redact)| staff_comment(id, from_queue, redact),
    );
    staff_page("Comment", comment, |comment| {
        match comment {
        Some(comment) => view! { <StaffCommentDetail comment/> }.into_any(),
        None => view! {
            <h1>"No such comment"</h1>
            <p>"There is no comment with that number or id. " <a href="/staff/search">"Search comments"</a></p>
        }
        .into_any(),
    }
    })
}

#[component]
fn StaffCommentDetail(comment: StaffCommentView) -> impl IntoView {
    let csrf = comment.header.csrf_token.clone();
    let entry = comment.entry;
    let title = comment
        .public_id
        .clone()
        .unwrap_or_else(|| format!("Comment {}", entry.id));
    let pending = comment.status == "pending";
    let can_moderate = comment.can_moderate;
    // A decision returns here, in the queue when the page was opened from it.
    let back = comment
        .in_queue
        .as_ref()
        .map_or_else(|| "comment".to_owned(), |place| place.here.clone());
    // A preview keeps the page's place in the queue; posting sends the previewed redaction.
    let keep = comment
        .in_queue
        .as_ref()
        .map(|place| place.pairs.clone())
        .unwrap_or_default();
    let redact = comment
        .preview
        .as_ref()
        .filter(|preview| preview.posted.is_ok())
        .map(|preview| preview.request.clone());
    let place = comment.in_queue.clone().map(|place| view! {
        <nav class="pager" aria-label="In the queue">
            {place.previous.map(|href| view! { <a href=href rel="prev">"Previous in the queue"</a> })}
            <a href=place.queue>"Back to the queue"</a>
            {place.next.map(|href| view! { <a href=href rel="next">"Next in the queue"</a> })}
        </nav>
    });
    view! {
        <StaffBar header=comment.header/>
        <Title text=title.clone()/>
        <h1>{title}</h1>
        {place}
        <p class="meta">
            <a href=format!("/staff/search?docket={}", entry.docket_id)>{entry.docket_id.clone()}</a>
            " · " {entry.docket_title.clone()}
        </p>
        <p class="outcome" id="comment-outcome">{comment.outcome.clone()}</p>
        <dl class="comment-facts">
            <dt>"From"</dt><dd>{entry.name.clone()} " (" {entry.submitter_type.clone()} ")"</dd>
            {entry.email.clone().map(|e| view! { <dt>"E-mail"</dt><dd class="staff-only">{e}</dd> })}
            <dt>"Received"</dt><dd>{entry.received_at.clone()} {entry.late.then_some(" (late)")}</dd>
            {(!entry.flags.is_empty()).then(|| view! { <dt>"Check for"</dt><dd>{entry.flags.join(", ")}</dd> })}
            {entry.campaign.map(|(campaign, copies)| view! {
                <dt>"Form letter"</dt>
                <dd><a href=format!("/staff/dockets/{}/campaigns/{campaign}", entry.docket_id)>
                    {format!("Campaign {campaign}, {copies} copies")}
                </a></dd>
            })}
        </dl>
        <h2>"Text"</h2>
        <div class="comment-copy" id="comment-text">{entry.body.clone()}</div>
        {comment.posted_text.clone().map(|text| view! {
            <h2>"As posted, with redactions"</h2>
            <div class="comment-copy">{text}</div>
        })}
        <AttachmentsForModerator attachments=entry.attachments.clone() can_moderate csrf=csrf.clone()/>
        <h2>"Tags"</h2>
        {comment.tags.is_empty().then(|| view! { <p id="no-tags">"No tags."</p> })}
        <CommentTags comment_id=entry.id tags=comment.tags choices=comment.tag_choices csrf=csrf.clone() back="comment".to_owned()/>
        {can_moderate.then(|| match pending {
            true => view! {
                <h2>"Decision"</h2>
                <RedactionForm path=format!("/staff/comments/{}", entry.id) keep=keep.clone() preview=comment.preview.clone()/>
                <DecisionForm id=entry.id version=entry.version csrf=csrf.clone() back=back.clone() redact=redact.clone()/>
            }
            .into_any(),
            false => view! { <RestoreForm id=entry.id version=entry.version csrf=csrf.clone() back=back.clone()/> }.into_any(),
        })}
        <h2>"History"</h2>
        {comment.history.is_empty().then(|| view! { <p>"Nothing has been done to it yet."</p> })}
        <ol class="history">
            {comment.history.into_iter().map(|h| view! {
                <li>{format!("{} — {} by {}", h.at, h.action, h.actor)} {(!h.after.is_empty()).then(|| format!(": {}", h.after))}</li>
            }).collect_view()}
        </ol>
    }
}

/// Redacting before posting: the exact text to hide (`|` between phrases; with JavaScript,
/// text selected in the comment can be added), previewed as it would be posted. A plain GET
/// form to the comment's page, keeping its place in the queue (`keep`).
#[component]
fn RedactionForm(
    path: String,
    keep: Vec<(String, String)>,
    preview: Option<crate::server_fns::staff::RedactionPreview>,
) -> impl IntoView {
    let request = preview
        .as_ref()
        .map(|p| p.request.clone())
        .unwrap_or_default();
    let ready = RwSignal::new(false);
    Effect::new(move |_| ready.set(true));
    let add_selection = move |_| {
        #[cfg(feature = "hydrate")]
        add_selected_text();
    };
    view! {
        <form class="redaction" id="redact" method="get" action=path>
            {keep.into_iter().map(|(name, value)| view! { <input type="hidden" name=name value=value/> }).collect_view()}
            <label for="redact-text">"Redact before posting: the exact text to hide, | between several"</label>
            <input type="text" id="redact-text" name="redact" value=request/>
            {move || ready.get().then(|| view! {
                <button type="button" id="add-selection" on:click=add_selection>"Add the selected text"</button>
            })}
            <button type="submit">"Preview"</button>
        </form>
        {preview.map(|preview| match preview.posted {
            Ok(text) => view! {
                <section class="redaction-preview" aria-labelledby="preview-heading">
                    <h3 id="preview-heading">"As it would be posted"</h3>
                    <div class="comment-copy" id="redaction-preview">{text}</div>
                </section>
            }
            .into_any(),
            Err(why) => view! { <p class="form-message" role="alert" id="redaction-error">{why}</p> }.into_any(),
        })}
    }
}

/// Adds the text selected inside the comment to the redaction field (`|` before it when the
/// field already holds something).
#[cfg(feature = "hydrate")]
fn add_selected_text() {
    use wasm_bindgen::JsCast;
    let Some(selection) = window().get_selection().ok().flatten() else {
        return;
    };
    let inside_comment = selection
        .anchor_node()
        .and_then(|node| node.parent_element())
        .and_then(|element| element.closest("#comment-text").ok().flatten())
        .is_some();
    let chosen = String::from(selection.to_string()).trim().to_owned();
    if !inside_comment || chosen.is_empty() {
        return;
    }
    let Some(field) = document()
        .get_element_by_id("redact-text")
        .and_then(|e| e.dyn_into::<web_sys::HtmlInputElement>().ok())
    else {
        return;
    };
    let current = field.value();
    let joined = if current.trim().is_empty() {
        chosen
    } else {
        format!("{}|{chosen}", current.trim_end())
    };
    field.set_value(&joined);
    let _ = field.focus();
}

/// The reasons a moderator may withhold for. None is chosen beforehand: withholding asks for
/// one (the browser before sending, the server again).
#[component]
fn WithholdReasons() -> impl IntoView {
    view! {
        <select name="reason" required>
            <option value="" selected>"Choose a reason"</option>
            {WithholdReason::MODERATOR_CHOICES.into_iter().map(|r| view! {
                <option value=r.as_str()>{r.label()}</option>
            }).collect_view()}
        </select>
    }
}

/// Keyboard shortcuts for working through the queue once JavaScript runs: j/k move between
/// comments, p posts, w withholds, x ticks the comment for a bulk decision.
#[component]
fn QueueKeyboard() -> impl IntoView {
    let ready = RwSignal::new(false);
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            let handle = window_event_listener(leptos::ev::keydown, queue_shortcut);
            on_cleanup(move || handle.remove());
            // Back from a decision at the comment that followed it: work goes on from there.
            let target = document()
                .query_selector("li.queue-item:target")
                .ok()
                .flatten()
                .and_then(|item| item.dyn_into::<web_sys::HtmlElement>().ok());
            if let Some(item) = target {
                let _ = item.focus();
            }
        }
        ready.set(true);
    });
    view! {
        <p class="hint" id="keyboard-hint" data-ready=move || ready.get().then_some("true")>
            "Keyboard: j / k next and previous comment, p post, w withhold (asks for a reason first when none is chosen), x tick for a bulk decision."
        </p>
    }
}

#[cfg(feature = "hydrate")]
fn queue_shortcut(event: leptos::ev::KeyboardEvent) {
    use wasm_bindgen::JsCast;
    use web_sys::HtmlElement;
    if event.ctrl_key() || event.meta_key() || event.alt_key() {
        return;
    }
    let document = document();
    let typing = document
        .active_element()
        .is_some_and(|e| matches!(e.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT"));
    if typing {
        return;
    }
    let Ok(items) = document.query_selector_all("li.queue-item") else {
        return;
    };
    let items: Vec<HtmlElement> = (0..items.length())
        .filter_map(|i| items.item(i))
        .filter_map(|node| node.dyn_into::<HtmlElement>().ok())
        .collect();
    let current = document
        .active_element()
        .and_then(|active| items.iter().position(|item| item.contains(Some(&active))));
    let click = |selector: &str| {
        let button = current
            .and_then(|i| items[i].query_selector(selector).ok().flatten())
            .and_then(|e| e.dyn_into::<HtmlElement>().ok());
        if let Some(button) = button {
            button.click();
        }
    };
    match event.key().as_str() {
        "j" | "k" if !items.is_empty() => {
            let next = match (current, event.key().as_str()) {
                (None, _) => 0,
                (Some(i), "j") => (i + 1).min(items.len() - 1),
                (Some(i), _) => i.saturating_sub(1),
            };
            let _ = items[next].focus();
            event.prevent_default();
        }
        "p" => click("button[value=post]"),
        "w" => {
            let reason = current
                .and_then(|i| {
                    items[i]
                        .query_selector("select[name=reason]")
                        .ok()
                        .flatten()
                })
                .and_then(|e| e.dyn_into::<web_sys::HtmlSelectElement>().ok());
            match reason {
                Some(reason) if reason.value().is_empty() => {
                    let _ = reason.focus();
                    event.prevent_default();
                }
                _ => click("button[value=withhold]"),
            }
        }
        "x" => click("input[name=selected]"),
        _ => {}
    }
}

/// A comment's attached files for staff (nothing when it has none).
#[component]
fn AttachmentsForModerator(
    attachments: Vec<opendocket_core::attachment::AttachmentInfo>,
    can_moderate: bool,
    csrf: String,
) -> impl IntoView {
    (!attachments.is_empty()).then(|| {
        view! {
            <ul class="attachments">
                {attachments.into_iter().map(|a| view! {
                    <AttachmentForModerator attachment=a can_moderate csrf=csrf.clone()/>
                }).collect_view()}
            </ul>
        }
    })
}

/// One attached file in the moderation queue: download, its text (or why it could not be read),
/// and for moderators withholding it or giving the public a redacted version instead.
#[component]
fn AttachmentForModerator(
    attachment: opendocket_core::attachment::AttachmentInfo,
    can_moderate: bool,
    csrf: String,
) -> impl IntoView {
    let a = attachment;
    let (id, withheld) = (a.id, a.withheld);
    let (value, button) = if withheld {
        ("no", "Publish this file with the comment")
    } else {
        ("yes", "Withhold this file")
    };
    let redacted = a.redacted.clone().map(|r| {
        let label =
            opendocket_core::attachment::describe_file("redacted version", r.kind, r.size_bytes);
        view! {
            <p class="redacted-version">
                "The public gets the "
                <a href=format!("/staff/attachments/{id}?version=redacted") download>{label}</a>
                {r.text_problem.map(|why| format!(" (its text could not be read: {why})"))}
            </p>
        }
    });
    let has_redacted = a.redacted.is_some();
    view! {
        <li>
            <a href=format!("/staff/attachments/{id}") download>{a.describe()}</a>
            {withheld.then_some(" · withheld from the public")}
            {redacted}
            {a.text_problem.clone().map(|why| view! {
                <p class="flags">{format!("Its text could not be read ({why}); open the file to check it.")}</p>
            })}
            {a.text.clone().map(|text| view! {
                <details class="attachment-text">
                    <summary>"Text of the file"</summary>
                    <div class="comment-copy">{text}</div>
                    {a.text_cut.then(|| view! {
                        <p class="meta">"… The text goes on: "
                            <a href=format!("/staff/attachments/{id}") download>"open the file"</a>
                            " to read the rest."
                        </p>
                    })}
                </details>
            })}
            {can_moderate.then(|| view! {
                <StaffForm csrf=csrf.clone() action=format!("/staff/attachments/{id}/withhold") class="inline">
                    <button type="submit" name="withhold" value=value>{button}</button>
                </StaffForm>
                <StaffForm csrf=csrf.clone() action=format!("/staff/attachments/{id}/redacted") multipart=true class="inline redact-file">
                    <label>"Redacted version "
                        <input type="file" name="redacted" accept=".pdf,.docx,.rtf,.txt,.jpg,.jpeg,.png"/>
                    </label>
                    <button type="submit">"Give the public this version"</button>
                    {has_redacted.then(|| view! {
                        <button type="submit" name="remove" value="yes">"Remove the redacted version"</button>
                    })}
                </StaffForm>
            })}
        </li>
    }
}
