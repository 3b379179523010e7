//! Search pages: staff search with facets and tagging, a docket's tag vocabulary, and the public
//! search of a docket's posted comments. Every search lives in the URL.

use crate::components::staff_form::StaffForm;
use crate::pages::staff::{staff_page, StaffBar};
use crate::pages::{page_data, set_status};
use crate::server_fns::search::{
    public_search, staff_search, staff_tags, PublicSearchView, StaffSearchView, TagsView,
};
use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::hooks::{use_location, use_params_map};
use opendocket_core::search::request::{FacetGroup, SearchHitView, SearchOutcome};
use opendocket_core::tags::{BulkTagState, Tag};
use opendocket_core::text::thousands;

fn with_query(base: &str, query: &str) -> String {
    if query.is_empty() {
        base.to_owned()
    } else {
        format!("{base}?{query}")
    }
}

#[component]
fn QueryHelp() -> impl IntoView {
    view! {
        <details class="query-help">
            <summary>"How to search"</summary>
            <p>
                "Words must all appear: " <code>"consent advertising"</code> ". Quote a phrase: "
                <code>"\"health data\""</code> ". Combine with " <code>"OR"</code> ", " <code>"AND"</code>
                ", " <code>"NOT"</code> " or " <code>"-word"</code> " and parentheses. End a word with "
                <code>"*"</code> " for every ending: " <code>"consen*"</code> "."
            </p>
        </details>
    }
}

#[component]
fn Facets(groups: Vec<FacetGroup>, #[prop(into)] base: String) -> impl IntoView {
    view! {
        <aside class="facets" aria-label="Narrow the results">
            {groups.into_iter().map(|g| {
                let max = g.values.iter().map(|v| v.count).max().unwrap_or(1).max(1);
                let is_days = g.key == "day";
                view! {
                    <section class="facet" data-facet=g.key.clone()>
                        <h2>{g.label}</h2>
                        <ul>
                            {g.values.into_iter().map(|v| {
                                let href = with_query(&base, &v.query);
                                let current = v.selected.then_some("true");
                                view! {
                                    <li class:selected=v.selected>
                                        <a href=href aria-current=current>
                                            {v.selected.then_some("✓ ")}
                                            <span class="facet-label">{v.label}</span>
                                            " " <span class="count">{thousands(v.count)}</span>
                                        </a>
                                        {is_days.then(|| view! {
                                            <meter min="0" max=max.to_string() value=v.count.to_string()></meter>
                                        })}
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    </section>
                }
            }).collect_view()}
        </aside>
    }
}

#[component]
fn Snippet(parts: Vec<(String, bool)>, truncated: bool) -> impl IntoView {
    view! {
        <p class="snippet">
            {parts.into_iter().map(|(text, highlighted)| {
                if highlighted {
                    view! { <mark>{text}</mark> }.into_any()
                } else {
                    text.into_any()
                }
            }).collect_view()}
            {truncated.then_some("…")}
        </p>
    }
}

#[component]
fn Pager(outcome: SearchOutcome, #[prop(into)] base: String) -> impl IntoView {
    let page = outcome.params.page.max(1);
    let prev =
        (page > 1).then(|| with_query(&base, &outcome.params.on_page(page - 1).to_query_string()));
    let next = (page < outcome.pages)
        .then(|| with_query(&base, &outcome.params.on_page(page + 1).to_query_string()));
    (outcome.pages > 1).then(|| {
        view! {
            <nav class="pager" aria-label="Result pages">
                {prev.map(|href| view! { <a href=href rel="prev">"← Previous"</a> })}
                <span>{format!("Page {page} of {}", outcome.pages)}</span>
                {next.map(|href| view! { <a href=href rel="next">"Next →"</a> })}
            </nav>
        }
    })
}

fn result_count(outcome: &SearchOutcome) -> String {
    match outcome.total {
        1 => "1 comment matches".to_owned(),
        n => format!("{} comments match", thousands(n as u64)),
    }
}

#[component]
pub fn StaffSearchPage() -> impl IntoView {
    let location = use_location();
    let search = Resource::new(move || location.search.get(), staff_search);
    staff_page(
        "Search comments",
        search,
        |view| view! { <StaffSearch view/> },
    )
}

#[component]
fn StaffSearch(view: StaffSearchView) -> impl IntoView {
    let StaffSearchView {
        header,
        outcome,
        dockets,
        tags,
        can_tag,
        job,
    } = view;
    if outcome.error.is_some() {
        set_status(400);
    }
    let csrf = header.csrf_token.clone();
    let params = outcome.params.clone();
    let docket = params.docket.clone();
    let tag_choice = (can_tag && !docket.is_empty()).then_some(tags);
    let back = outcome.query.clone();
    view! {
        <StaffBar header/>
        <h1>"Search comments"</h1>
        <form class="search-form" method="get" action="/staff/search" role="search">
            <div class="field">
                <label for="q">"Search for"</label>
                <input type="search" id="q" name="q" value=params.q.clone() maxlength="1000"/>
            </div>
            <div class="field">
                <label for="docket">"Docket"</label>
                <select id="docket" name="docket">
                    <option value="" selected=docket.is_empty()>"All dockets"</option>
                    {dockets.into_iter().map(|(id, title)| {
                        let selected = id == docket;
                        view! { <option value=id.clone() selected=selected>{format!("{id} — {title}")}</option> }
                    }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="sort">"Order"</label>
                <select id="sort" name="sort">
                    <option value="relevance" selected=params.sort.is_empty() || params.sort == "relevance">"Best match"</option>
                    <option value="newest" selected=params.sort == "newest">"Newest first"</option>
                    <option value="oldest" selected=params.sort == "oldest">"Oldest first"</option>
                </select>
            </div>
            {params.facets.iter().map(|(k, v)| view! { <input type="hidden" name=k.clone() value=v.clone()/> }).collect_view()}
            <button type="submit" class="primary">"Search"</button>
            <QueryHelp/>
        </form>
        {(!docket.is_empty()).then(|| view! {
            <p class="docket-links">
                <a href=format!("/staff/dockets/{docket}/tags")>{format!("Tags of {docket}")}</a> " · "
                <a href=format!("/staff/dockets/{docket}/campaigns")>"Campaigns"</a> " · "
                <a href=format!("/staff/dockets/{docket}/summary")>"Summary"</a>
            </p>
        })}
        {job.map(|job| {
            let text = match job.state {
                BulkTagState::Finished => format!("Tagged {} of {} matching comments with “{}”.", thousands(job.done as u64), thousands(job.total as u64), job.tag_name),
                BulkTagState::Running => format!("Tagging: {} of {} done with “{}”.", thousands(job.done as u64), thousands(job.total as u64), job.tag_name),
                BulkTagState::Interrupted => format!("Tagging with “{}” stopped after {} of {} comments; run it again to finish.", job.tag_name, thousands(job.done as u64), thousands(job.total as u64)),
            };
            view! { <p class="notice" role="status" id="bulk-tag-result">{text}</p> }
        })}
        {match outcome.error.clone() {
            Some(error) => view! { <p class="form-message" role="alert" id="search-error">{error}</p> }.into_any(),
            None => view! {
                <StaffResults outcome tag_choice csrf back can_tag docket/>
            }.into_any(),
        }}
    }
}

#[component]
fn StaffResults(
    outcome: SearchOutcome,
    tag_choice: Option<Vec<Tag>>,
    csrf: String,
    back: String,
    can_tag: bool,
    docket: String,
) -> impl IntoView {
    let bulk = tag_choice
        .clone()
        .filter(|_| outcome.total > 0)
        .map(|tags| view! { <BulkTagForm tags csrf=csrf.clone() search=outcome.query.clone() total=outcome.total/> }.into_any());
    let hits = outcome
        .hits
        .clone()
        .into_iter()
        .map(|hit| {
            view! { <StaffHit hit tags=tag_choice.clone() csrf=csrf.clone() back=back.clone()/> }
                .into_any()
        })
        .collect_view();
    view! {
        <p class="result-count" id="result-count">{result_count(&outcome)}</p>
        <div class="search-layout">
            <Facets groups=outcome.facets.clone() base="/staff/search"/>
            <section class="results" aria-label="Results">
                {bulk}
                {(can_tag && docket.is_empty() && outcome.total > 0).then(|| view! {
                    <p class="meta">"Choose a docket to tag its comments."</p>
                })}
                <ol class="hits">{hits}</ol>
                <Pager outcome=outcome.clone() base="/staff/search"/>
            </section>
        </div>
    }
    .into_any()
}

#[component]
fn BulkTagForm(tags: Vec<Tag>, csrf: String, search: String, total: usize) -> impl IntoView {
    view! {
        <StaffForm csrf=csrf class="bulk-tag" action="/staff/search/tag">
            <input type="hidden" name="search" value=search/>
            <label for="bulk-tag-id">"Tag every match with"</label>
            <select id="bulk-tag-id" name="tag_id">
                <option value="">"a new tag named…"</option>
                {tags.into_iter().map(|t| view! { <option value=t.id.to_string()>{t.name}</option> }).collect_view()}
            </select>
            <label for="bulk-tag-name" class="visually-hidden">"New tag name"</label>
            <input type="text" id="bulk-tag-name" name="new_tag" maxlength="60" placeholder="new tag name"/>
            <button type="submit">{format!("Tag all {} matches", thousands(total as u64))}</button>
        </StaffForm>
    }
}

#[component]
fn StaffHit(
    hit: SearchHitView,
    tags: Option<Vec<Tag>>,
    csrf: String,
    back: String,
) -> impl IntoView {
    let meta = [
        Some(hit.docket_id.clone()),
        Some(hit.status.clone()),
        Some(if hit.submitter.is_empty() {
            hit.submitter_type.clone()
        } else {
            format!("{} ({})", hit.submitter, hit.submitter_type)
        }),
        (!hit.place.is_empty()).then(|| hit.place.clone()),
        Some(format!("received {}", hit.received_at)),
        hit.late.then(|| "late".to_owned()),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" · ");
    let label = hit
        .public_id
        .clone()
        .unwrap_or_else(|| format!("Comment {}", hit.id));
    view! {
        <li class="hit" data-comment=hit.id.to_string()>
            <p class="meta"><a href=format!("/staff/comments/{}", hit.id)>{label}</a> " · " {meta}</p>
            <Snippet parts=hit.snippet truncated=hit.snippet_truncated/>
            <CommentTags comment_id=hit.id tags=hit.tags choices=tags csrf back/>
        </li>
    }
}

/// A comment's tags, each removable, and a form adding one, for staff who may tag (`choices`).
/// `back` is the search to return to, or `comment` for the comment's own page.
#[component]
pub(crate) fn CommentTags(
    comment_id: i64,
    tags: Vec<(i64, String)>,
    choices: Option<Vec<Tag>>,
    csrf: String,
    back: String,
) -> impl IntoView {
    let action = format!("/staff/comments/{comment_id}/tags");
    let chip_action = action.clone();
    let (chip_csrf, chip_back) = (csrf.clone(), back.clone());
    let removable = choices.is_some();
    view! {
        <ul class="tag-chips">
            {tags.into_iter().map(|(id, name)| {
                let label = format!("Remove tag {name}");
                let back = chip_back.clone();
                view! {
                    <li class="tag-chip">
                        {name.clone()}
                        {removable.then(|| view! {
                            <StaffForm csrf=chip_csrf.clone() action=chip_action.clone()>
                                <input type="hidden" name="back" value=back/>
                                <input type="hidden" name="tag_id" value=id.to_string()/>
                                <button type="submit" name="action" value="remove" aria-label=label>"×"</button>
                            </StaffForm>
                        })}
                    </li>
                }
            }).collect_view()}
        </ul>
        {choices.filter(|t| !t.is_empty()).map(|choices| view! {
            <StaffForm csrf=csrf class="tag-one" action=action>
                <input type="hidden" name="back" value=back/>
                <select name="tag_id" aria-label="Tag">
                    {choices.into_iter().map(|t| view! { <option value=t.id.to_string()>{t.name}</option> }).collect_view()}
                </select>
                <button type="submit" name="action" value="add">"Tag"</button>
            </StaffForm>
        })}
    }
}

#[component]
pub fn StaffTagsPage() -> impl IntoView {
    let params = use_params_map();
    let tags = Resource::new(
        move || params.read().get("id").unwrap_or_default(),
        staff_tags,
    );
    view! {
        <Title text="Tags"/>
        <Meta name="robots" content="noindex"/>
        {page_data(tags, "Loading…", |view| view! { <Tags view/> })}
    }
}

#[component]
fn Tags(view: TagsView) -> impl IntoView {
    let TagsView {
        header,
        docket_id,
        docket_title,
        tags,
        jobs,
        can_tag,
        can_publish,
    } = view;
    let csrf = header.csrf_token.clone();
    let active: Vec<Tag> = tags.iter().filter(|t| !t.retired).cloned().collect();
    let search_href = format!("/staff/search?docket={docket_id}");
    view! {
        <StaffBar header/>
        <h1>{format!("Tags of {docket_id}")}</h1>
        <p>{docket_title} " · " <a href=search_href.clone()>"Search this docket"</a></p>
        {can_tag.then(|| view! {
            <StaffForm csrf=csrf.clone() class="new-tag" action=format!("/staff/dockets/{docket_id}/tags")>
                <label for="new-tag-name">"New tag"</label>
                <input type="text" id="new-tag-name" name="name" maxlength="60"/>
                <button type="submit">"Add tag"</button>
            </StaffForm>
        })}
        {tags.is_empty().then(|| view! { <p>"No tags yet."</p> })}
        <ul class="tag-list">
            {tags.into_iter().map(|tag| {
                let action = format!("/staff/tags/{}", tag.id);
                let csrf = csrf.clone();
                let targets: Vec<Tag> = active.iter().filter(|t| t.id != tag.id).cloned().collect();
                let count_href = format!("{search_href}&tag={}", tag.id);
                let current_name = tag.name.clone();
                view! {
                    <li class="tag-row" data-tag=tag.name.clone()>
                        <p class="tag-summary">
                            <strong>{tag.name.clone()}</strong> " · "
                            <a href=count_href>{format!("{} comments", thousands(tag.comments as u64))}</a>
                            {tag.retired.then_some(" · retired")}
                            {tag.published.then_some(" · published")}
                        </p>
                        <div class="tag-controls">
                        {can_tag.then(|| view! {
                            <StaffForm csrf=csrf.clone() action=action.clone()>
                                <label>"Rename to " <input type="text" name="name" maxlength="60" value=current_name/></label>
                                <button type="submit" name="action" value="rename">"Rename"</button>
                            </StaffForm>
                            {(!targets.is_empty()).then(|| view! {
                                <StaffForm csrf=csrf.clone() action=action.clone()>
                                    <label>"Merge into "
                                        <select name="into">
                                            {targets.into_iter().map(|t| view! { <option value=t.id.to_string()>{t.name}</option> }).collect_view()}
                                        </select>
                                    </label>
                                    <label><input type="checkbox" name="confirm" value="yes" required/> " Yes, merge"</label>
                                    <button type="submit" name="action" value="merge">"Merge"</button>
                                </StaffForm>
                            })}
                            <StaffForm csrf=csrf.clone() action=action.clone()>
                                {if tag.retired {
                                    view! { <button type="submit" name="action" value="unretire">"Bring back"</button> }.into_any()
                                } else {
                                    view! { <button type="submit" name="action" value="retire">"Retire"</button> }.into_any()
                                }}
                            </StaffForm>
                        })}
                        {can_publish.then(|| view! {
                            <StaffForm csrf=csrf.clone() action=format!("{action}/publish")>
                                {if tag.published {
                                    view! { <button type="submit" name="publish" value="no">"Unpublish"</button> }.into_any()
                                } else {
                                    view! { <button type="submit" name="publish" value="yes">"Publish"</button> }.into_any()
                                }}
                            </StaffForm>
                        })}
                        </div>
                    </li>
                }.into_any()
            }).collect_view()}
        </ul>
        {(!jobs.is_empty()).then(|| view! {
            <h2>"Bulk tagging"</h2>
            <ul class="bulk-jobs">
                {jobs.into_iter().map(|job| {
                    let state = match job.state {
                        BulkTagState::Finished => "finished",
                        BulkTagState::Running => "running",
                        BulkTagState::Interrupted => "interrupted — run the search and tag again to finish",
                    };
                    let href = with_query("/staff/search", &job.search);
                    view! {
                        <li>
                            {format!("“{}”: {} of {} tagged, {state} · ", job.tag_name, thousands(job.done as u64), thousands(job.total as u64))}
                            <a href=href>"the search"</a>
                        </li>
                    }
                }).collect_view()}
            </ul>
        })}
    }
}

#[component]
pub fn DocketSearchPage() -> impl IntoView {
    let params = use_params_map();
    let location = use_location();
    let search = Resource::new(
        move || {
            (
                params.read().get("id").unwrap_or_default(),
                location.search.get(),
            )
        },
        |(docket, query)| public_search(docket, query),
    );
    view! {
        <Title text="Search comments"/>
        {page_data(search, "Searching…", |view| view! { <DocketSearch view/> })}
    }
}

#[component]
fn DocketSearch(view: PublicSearchView) -> impl IntoView {
    let PublicSearchView {
        docket_id,
        docket_title,
        outcome,
    } = view;
    if outcome.error.is_some() {
        set_status(400);
    }
    let base = format!("/dockets/{docket_id}/search");
    view! {
        <p><a href=format!("/dockets/{docket_id}")>{format!("← {docket_id}: {docket_title}")}</a></p>
        <h1>"Search posted comments"</h1>
        <form class="search-form" method="get" action=base.clone() role="search">
            <div class="field">
                <label for="q">"Search for"</label>
                <input type="search" id="q" name="q" value=outcome.params.q.clone() maxlength="1000"/>
            </div>
            <button type="submit" class="primary">"Search"</button>
            <QueryHelp/>
        </form>
        {match outcome.error.clone() {
            Some(error) => view! { <p class="form-message" role="alert" id="search-error">{error}</p> }.into_any(),
            None => view! {
                <p class="result-count" id="result-count">{result_count(&outcome)}</p>
                <div class="search-layout">
                    <Facets groups=outcome.facets.clone() base=base.clone()/>
                    <section class="results" aria-label="Results">
                        <ol class="hits">
                            {outcome.hits.clone().into_iter().map(|hit| {
                                let href = hit.public_id.clone().map(|id| format!("/comments/{id}")).unwrap_or_default();
                                let title = hit.public_id.clone().unwrap_or_default();
                                view! {
                                    <li class="hit">
                                        <p class="meta"><a href=href>{title}</a>{format!(" · {} · received {}", hit.submitter, hit.received_at)}</p>
                                        <Snippet parts=hit.snippet truncated=hit.snippet_truncated/>
                                        {(!hit.tags.is_empty()).then(|| view! {
                                            <p class="meta">{format!("Tags: {}", hit.tags.iter().map(|(_, n)| n.as_str()).collect::<Vec<_>>().join(", "))}</p>
                                        })}
                                    </li>
                                }.into_any()
                            }).collect_view()}
                        </ol>
                        <Pager outcome=outcome.clone() base=base.clone()/>
                    </section>
                </div>
            }.into_any(),
        }}
    }
}
