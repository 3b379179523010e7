//! The home page: dockets open for comment, coming up, and closed.

use crate::pages::LoadError;
use crate::server_fns::public::load_home;
use crate::views::DocketCard;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn HomePage() -> impl IntoView {
    let home = Resource::new(|| (), |_| load_home());
    view! {
        <Title text="Dockets open for public comment"/>
        <h1>"Public comment"</h1>
        <p class="lead">
            "Agencies publish proposed orders and rules here and ask the public what it thinks. "
            "Read a proposal and send your comment before the deadline."
        </p>
        <Suspense fallback=|| view! { <p>"Loading dockets…"</p> }>
            {move || Suspend::new(async move {
                match home.await {
                    Ok(home) => view! {
                        <DocketSection heading="Open for comment" id="open" cards=home.open empty="No docket is open for comment right now."/>
                        <DocketSection heading="Opening soon" id="upcoming" cards=home.upcoming empty="No comment period is scheduled."/>
                        <DocketSection heading="Closed" id="closed" cards=home.closed empty="No comment period has closed yet."/>
                    }.into_any(),
                    Err(error) => view! { <LoadError error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn DocketSection(
    heading: &'static str,
    id: &'static str,
    cards: Vec<DocketCard>,
    empty: &'static str,
) -> impl IntoView {
    let is_empty = cards.is_empty();
    view! {
        <section class="docket-section" id=id aria-labelledby=format!("{id}-heading")>
            <h2 id=format!("{id}-heading")>{heading}</h2>
            {is_empty.then(|| view! { <p class="muted">{empty}</p> })}
            <ul class="docket-list">
                {cards.into_iter().map(|card| view! { <DocketCardItem card/> }).collect_view()}
            </ul>
        </section>
    }
}

#[component]
fn DocketCardItem(card: DocketCard) -> impl IntoView {
    use opendocket_core::window::WindowState;
    let when = match card.state {
        _ if card.withdrawn => "Withdrawn by the agency".to_owned(),
        WindowState::Open => format!("Comments due {}", card.closes_at),
        WindowState::Scheduled => format!("Opens {}", card.opens_at),
        WindowState::Closed => format!("Closed {}", card.closes_at),
    };
    view! {
        <li class="docket-card">
            <a href=format!("/dockets/{}", card.id)>{card.title}</a>
            <p class="meta">{card.agency_name} " · " <span class="docket-id">{card.id}</span></p>
            <p class="when">{when}</p>
        </li>
    }
}
