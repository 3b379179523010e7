//! OpenDocket's web interface: the page shell, routes, pages, components and server functions.
// The search pages' nested views make deep types; the browser build needs more room for them.
#![recursion_limit = "256"]

pub mod components;
pub mod error;
pub mod pages;
pub mod server_fns;
pub mod views;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, Link, MetaTags, Title};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{path, SsrMode};

/// The whole HTML document. A page re-rendered for a refused no-JavaScript submission carries
/// the typed values only on the server, so it is sent without hydration scripts.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    let hydrate = use_context::<views::RejectedSubmission>().is_none()
        && use_context::<server_fns::staff::StaffNotice>().is_none();
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <link
                    rel="stylesheet"
                    id="leptos"
                    href=format!("/{}/{}.css", options.site_pkg_dir, options.output_name)
                />
                {hydrate.then(|| view! { <HydrationScripts options/> })}
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Link rel="icon" href="/favicon.svg" type_="image/svg+xml"/>
        <Title formatter=|page: String| format!("{page} · OpenDocket")/>
        <Router>
            <header class="site-header">
                <a class="brand" href="/">"OpenDocket"</a>
                <span class="tagline">"Public comment on proposed rules and orders"</span>
            </header>
            <main id="main">
                <Routes fallback=pages::NotFound>
                    <Route path=path!("/") view=pages::home::HomePage ssr=SsrMode::Async/>
                    <Route path=path!("/dockets/:id") view=pages::docket::DocketPage ssr=SsrMode::Async/>
                    <Route path=path!("/receipts/:tracking") view=pages::receipt::ReceiptPage ssr=SsrMode::Async/>
                    <Route path=path!("/confirm/:token") view=pages::receipt::ConfirmPage ssr=SsrMode::Async/>
                    <Route path=path!("/comments/:id") view=pages::comment::CommentPage ssr=SsrMode::Async/>
                    <Route path=path!("/staff/login") view=pages::staff::StaffLoginPage ssr=SsrMode::Async/>
                    <Route path=path!("/staff") view=pages::staff::StaffQueuePage ssr=SsrMode::Async/>
                    <Route path=path!("/staff/audit") view=pages::staff::StaffAuditPage ssr=SsrMode::Async/>
                    <Route path=path!("/staff/comments/:id") view=pages::staff::StaffCommentPage ssr=SsrMode::Async/>
                    <Route path=path!("/staff/users") view=pages::staff::StaffUsersPage ssr=SsrMode::Async/>
                    <Route path=path!("/staff/api-keys") view=pages::staff::StaffApiKeysPage ssr=SsrMode::Async/>
                    <Route path=path!("/staff/import") view=pages::staff::StaffImportPage ssr=SsrMode::Async/>
                    <Route path=path!("/staff/dockets") view=pages::staff::StaffDocketsPage ssr=SsrMode::Async/>
                    <Route path=path!("/staff/password") view=pages::staff::StaffPasswordPage ssr=SsrMode::Async/>
                    <Route path=path!("/staff/decided") view=pages::staff::StaffDecidedPage ssr=SsrMode::Async/>
                    <Route path=path!("/staff/dockets/:id/edit") view=pages::staff::StaffDocketEditPage ssr=SsrMode::Async/>
                    <Route path=path!("/staff/dockets/:id/tags") view=pages::search::StaffTagsPage ssr=SsrMode::Async/>
                    <Route path=path!("/staff/search") view=pages::search::StaffSearchPage ssr=SsrMode::Async/>
                    <Route path=path!("/dockets/:id/search") view=pages::search::DocketSearchPage ssr=SsrMode::Async/>
                    <Route path=path!("/dockets/:id/summary") view=pages::campaigns::PublicSummaryPage ssr=SsrMode::Async/>
                    <Route path=path!("/staff/dockets/:id/campaigns") view=pages::campaigns::StaffCampaignsPage ssr=SsrMode::Async/>
                    <Route path=path!("/staff/dockets/:id/campaigns/:campaign") view=pages::campaigns::StaffCampaignPage ssr=SsrMode::Async/>
                    <Route path=path!("/staff/dockets/:id/summary") view=pages::campaigns::StaffSummaryPage ssr=SsrMode::Async/>
                </Routes>
            </main>
            <footer class="site-footer">
                <p>"OpenDocket never loads anything from another website and never publishes your email address."</p>
            </footer>
        </Router>
    }
}

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(App);
}
