//! Campaign pages (a docket's campaigns, one campaign with what each person added) and the docket
//! summary, for staff and, once an admin publishes it, for the public.

use crate::components::staff_form::StaffForm;
use crate::pages::staff::StaffBar;
use crate::pages::{page_data, page_number};
use crate::server_fns::campaigns::{
    published_summary, staff_campaign, staff_campaigns, staff_summary, CampaignRow, CampaignView,
    CampaignsView, MemberRow, SummaryView,
};
use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::hooks::{use_location, use_params_map, use_query_map};
use opendocket_core::text::thousands;

fn count(n: i64) -> String {
    thousands(n.max(0) as u64)
}

/// The first words of a letter, for lists.
fn opening(letter: &str) -> String {
    opendocket_core::text::one_line_excerpt(letter, 200)
}

#[component]
pub fn StaffCampaignsPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let data = Resource::new(
        move || {
            let page = page_number(&query.read());
            (params.read().get("id").unwrap_or_default(), page)
        },
        |(id, page)| staff_campaigns(id, page),
    );
    view! {
        <Title text="Campaigns"/>
        <Meta name="robots" content="noindex"/>
        {page_data(data, "Loading…", |view| view! { <Campaigns view/> })}
    }
}

#[component]
fn Campaigns(view: CampaignsView) -> impl IntoView {
    let CampaignsView {
        header,
        docket_id,
        docket_title,
        campaigns,
        count: campaign_count,
        page,
        pages,
        received,
        unique,
        unplaced,
    } = view;
    let base = format!("/staff/dockets/{docket_id}");
    let list = format!("{base}/campaigns");
    view! {
        <StaffBar header/>
        <h1>{format!("Campaigns on {docket_id}")}</h1>
        <p>{docket_title} " · " <a href=format!("{base}/summary")>"Docket summary"</a></p>
        <p class="campaign-totals">
            {format!(
                "{} comments received: {} in {} campaigns, {} not in any campaign.",
                count(received),
                count(received - unique),
                count(campaign_count),
                count(unique)
            )}
        </p>
        {(unplaced > 0).then(|| view! {
            <p class="placement-waiting" role="status">
                {match unplaced {
                    1 => "1 comment is still waiting to be placed in a campaign; the counts above may change when it is.".to_owned(),
                    n => format!(
                        "{} comments are still waiting to be placed in campaigns; the counts above will change as they are.",
                        count(n)
                    ),
                }}
            </p>
        })}
        {campaigns.is_empty().then(|| view! { <p>"No form-letter campaigns found yet."</p> })}
        <div class="table-scroll" tabindex="0" role="region" aria-label="Campaigns">
        <table class="campaigns">
            <thead>
                <tr>
                    <th scope="col">"Campaign"</th>
                    <th scope="col">"Received"</th>
                    <th scope="col">"Posted"</th>
                    <th scope="col">"Waiting"</th>
                    <th scope="col">"Personalised"</th>
                    <th scope="col">"First and last"</th>
                    <th scope="col">"Letter"</th>
                </tr>
            </thead>
            <tbody>
                {campaigns.into_iter().map(|c| {
                    let href = format!("{base}/campaigns/{}", c.id);
                    view! {
                        <tr class="campaign-row" data-campaign=c.id.to_string()>
                            <td><a href=href>{format!("Campaign {}", c.id)}</a></td>
                            <td class="received">{count(c.received)}</td>
                            <td>{count(c.posted)}</td>
                            <td>{count(c.pending)}</td>
                            <td>{count(c.substantial)}</td>
                            <td>{c.first_received.clone()} <br/> {c.last_received.clone()}</td>
                            <td class="letter">{opening(&c.letter)}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
        </div>
        <nav class="pager" aria-label="Pages of campaigns">
            {(page > 1).then(|| view! { <a href=format!("{list}?page={}", page - 1)>"Previous"</a> })}
            {(pages > 1).then(|| view! { <span>{format!(" Page {page} of {pages} ")}</span> })}
            {(page < pages).then(|| view! { <a href=format!("{list}?page={}", page + 1)>"Next"</a> })}
        </nav>
    }
}

#[component]
pub fn StaffCampaignPage() -> impl IntoView {
    let params = use_params_map();
    let location = use_location();
    let data = Resource::new(
        move || {
            (
                params.read().get("id").unwrap_or_default(),
                params.read().get("campaign").unwrap_or_default(),
                location.search.get(),
            )
        },
        |(id, campaign, query)| staff_campaign(id, campaign, query),
    );
    view! {
        <Title text="Campaign"/>
        <Meta name="robots" content="noindex"/>
        {page_data(data, "Loading…", |view| view! { <CampaignPage view/> })}
    }
}

#[component]
fn CampaignFacts(campaign: CampaignRow) -> impl IntoView {
    view! {
        <p class="campaign-facts">
            {format!(
                "{} received, {} posted, {} waiting. {} something substantial. First {}, last {}.",
                count(campaign.received),
                count(campaign.posted),
                count(campaign.pending),
                opendocket_core::campaign::personalised_copies(campaign.substantial),
                campaign.first_received,
                campaign.last_received
            )}
        </p>
        <h2>"The letter"</h2>
        <blockquote class="campaign-letter">{campaign.letter}</blockquote>
    }
}

#[component]
fn CampaignPage(view: CampaignView) -> impl IntoView {
    let CampaignView {
        header,
        docket_id,
        campaign,
        members,
        substantial_only,
        page,
        has_more,
        others,
        can_change,
        can_moderate,
    } = view;
    let csrf = header.csrf_token.clone();
    let id = campaign.id;
    let base = format!("/staff/dockets/{docket_id}/campaigns/{id}");
    let action = |what: &str| format!("/staff/campaigns/{id}/{what}");
    let filter = if substantial_only {
        "&substantial=yes"
    } else {
        ""
    };
    let pending = campaign.pending;
    view! {
        <StaffBar header/>
        <h1>{format!("Campaign {id}")}</h1>
        <p>
            <a href=format!("/staff/dockets/{docket_id}/campaigns")>"All campaigns"</a> " · "
            <a href=format!("/staff/search?docket={docket_id}&campaign={id}")>"Search within it"</a>
        </p>
        <CampaignFacts campaign/>
        {(can_moderate && pending > 0).then(|| view! {
            <StaffForm csrf=csrf.clone() action=action("moderate") class="campaign-moderate">
                <p>{format!("Decide the {} waiting copies at once:", count(pending))}</p>
                <button type="submit" name="choice" value="every">"Post every copy"</button>
                " "
                <button type="submit" name="choice" value="representative">"Post the letter once, with the count"</button>
            </StaffForm>
        })}
        {(can_change && !others.is_empty()).then(|| view! {
            <StaffForm csrf=csrf.clone() action=action("merge") class="campaign-merge">
                <label>"Merge this campaign into "
                    <select name="into">
                        {others.into_iter().map(|(other, n)| view! {
                            <option value=other.to_string()>{format!("Campaign {other} ({} comments)", count(n))}</option>
                        }).collect_view()}
                    </select>
                </label>
                <label><input type="checkbox" name="confirm" value="yes" required/> " Yes, move every copy into that campaign"</label>
                <button type="submit">"Merge"</button>
            </StaffForm>
        })}
        <h2>"Copies"</h2>
        <p>
            {if substantial_only {
                view! { <a href=base.clone()>"Show every copy"</a> }.into_any()
            } else {
                view! { <a href=format!("{base}?substantial=yes")>"Show only copies with substantial additions"</a> }.into_any()
            }}
        </p>
        <StaffForm csrf=csrf.clone() action=action("split") id="split-form">
            {can_change.then(|| view! {
                <label><input type="checkbox" name="confirm" value="yes" required/> " Yes, move the ticked copies"</label>
                <button type="submit">"Move the ticked copies to a new campaign"</button>
            })}
        </StaffForm>
        <ol class="campaign-members">
            {members.into_iter().map(|m| view! {
                <Member member=m can_change csrf=csrf.clone() leave=action("leave")/>
            }).collect_view()}
        </ol>
        <nav class="pager" aria-label="Pages of copies">
            {(page > 1).then(|| view! { <a href=format!("{base}?page={}{filter}", page - 1)>"Previous"</a> })}
            {has_more.then(|| view! { <a href=format!("{base}?page={}{filter}", page + 1)>"Next"</a> })}
        </nav>
    }
}

#[component]
fn Member(member: MemberRow, can_change: bool, csrf: String, leave: String) -> impl IntoView {
    let MemberRow {
        id,
        received_at,
        status,
        name,
        is_letter,
        edits,
    } = member;
    let changed =
        !edits.added.is_empty() || !edits.reworded.is_empty() || !edits.left_out.is_empty();
    view! {
        <li class="campaign-member" data-comment=id.to_string()>
            <p class="member-meta">
                {can_change.then(|| view! {
                    <input type="checkbox" name="comment" value=id.to_string() form="split-form"
                        aria-label=format!("Choose comment {id}")/>
                    " "
                })}
                <strong>{name}</strong> " · " {received_at} " · " {status}
                {is_letter.then_some(" · the campaign's letter")}
                {edits.is_substantial().then_some(" · substantial additions")}
            </p>
            {(!changed).then(|| view! { <p class="muted">"Same as the letter."</p> })}
            {(!edits.added.is_empty()).then(|| view! {
                <div class="edits-added">
                    <p>{format!("Added ({} words):", edits.added_words)}</p>
                    <ul>{edits.added.iter().map(|s| view! { <li><ins>{s.clone()}</ins></li> }).collect_view()}</ul>
                </div>
            })}
            {(!edits.reworded.is_empty()).then(|| view! {
                <div class="edits-reworded">
                    <p>"Reworded:"</p>
                    <ul>{edits.reworded.iter().map(|(from, to)| view! {
                        <li><del>{from.clone()}</del> " → " <ins>{to.clone()}</ins></li>
                    }).collect_view()}</ul>
                </div>
            })}
            {(!edits.left_out.is_empty()).then(|| view! {
                <div class="edits-left-out">
                    <p>"Left out:"</p>
                    <ul>{edits.left_out.iter().map(|s| view! { <li><del>{s.clone()}</del></li> }).collect_view()}</ul>
                </div>
            })}
            {(can_change && !is_letter).then(|| view! {
                <StaffForm csrf=csrf action=leave>
                    <input type="hidden" name="comment" value=id.to_string()/>
                    <button type="submit">"Not part of this campaign"</button>
                </StaffForm>
            })}
        </li>
    }
}

#[component]
pub fn StaffSummaryPage() -> impl IntoView {
    let params = use_params_map();
    let data = Resource::new(
        move || params.read().get("id").unwrap_or_default(),
        staff_summary,
    );
    view! {
        <Title text="Docket summary"/>
        <Meta name="robots" content="noindex"/>
        {page_data(data, "Making the summary…", |view| view! { <Summary view/> })}
    }
}

#[component]
pub fn PublicSummaryPage() -> impl IntoView {
    let params = use_params_map();
    let data = Resource::new(
        move || params.read().get("id").unwrap_or_default(),
        published_summary,
    );
    view! {
        <Title text="Docket summary"/>
        {page_data(data, "Loading the summary…", |view| view! { <Summary view/> })}
    }
}

#[component]
fn Summary(view: SummaryView) -> impl IntoView {
    let SummaryView {
        header,
        docket_id,
        docket_title,
        html,
        chart,
        saved,
        can_publish,
    } = view;
    let staff = header.is_some();
    let csrf = header
        .as_ref()
        .map(|h| h.csrf_token.clone())
        .unwrap_or_default();
    let base = format!("/staff/dockets/{docket_id}/summary");
    view! {
        {header.map(|header| view! { <StaffBar header/> })}
        <article class="docket-summary">
            <p class="summary-of">
                <a href=format!("/dockets/{docket_id}")>{docket_title}</a>
            </p>
            <div class="summary-body" inner_html=html></div>
            <figure class="summary-chart">
                <div inner_html=chart></div>
                <figcaption>"Comments received per day"</figcaption>
            </figure>
        </article>
        {staff.then(|| view! {
            <aside class="summary-actions">
                <h2>"Download"</h2>
                <ul class="summary-downloads">
                    <li><a href=format!("{base}/download?format=markdown") download>"Markdown"</a></li>
                    <li><a href=format!("{base}/download?format=json") download>"JSON"</a></li>
                    <li><a href=format!("{base}/download?format=csv") download>"CSV, one row per comment"</a></li>
                    <li><a href=format!("{}/comments.jsonl", base.trim_end_matches("/summary")) download>"JSON Lines, one comment per line"</a></li>
                </ul>
                <p>"To make a PDF, print this page."</p>
                {(!saved.is_empty()).then(|| view! {
                    <h2>"Kept summaries"</h2>
                    <ul class="saved-summaries">
                        {saved.into_iter().map(|(id, label)| view! {
                            <li>{label} " · " <a href=format!("{base}/download?format=markdown&saved={id}") download>"Markdown"</a>
                                " · " <a href=format!("{base}/download?format=json&saved={id}") download>"JSON"</a></li>
                        }).collect_view()}
                    </ul>
                })}
                {can_publish.then(|| view! {
                    <StaffForm csrf=csrf.clone() action=base.clone()>
                        <p>"Publishing keeps the public version of this summary as it is now and links it from the docket page. The public version quotes only posted comments, as posted."</p>
                        <button type="submit">"Publish the summary"</button>
                    </StaffForm>
                })}
            </aside>
        })}
    }
}
