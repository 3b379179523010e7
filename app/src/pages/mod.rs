//! The public pages, one module each.

pub mod campaigns;
pub mod comment;
pub mod docket;
pub mod home;
pub mod receipt;
pub mod search;
pub mod staff;

use crate::error::AppError;
use leptos::prelude::*;
use leptos_meta::Title;
use serde::{de::DeserializeOwned, Serialize};

/// Waits for a page's data (rendering on the server before anything is sent, so the page works
/// without JavaScript), then shows it, the not-found page, or the reason it could not be loaded.
pub fn page_data<T, V>(
    data: Resource<Result<Option<T>, AppError>>,
    loading: &'static str,
    render: impl Fn(T) -> V + Clone + Send + Sync + 'static,
) -> impl IntoView
where
    T: Clone + Send + Sync + Serialize + DeserializeOwned + 'static,
    V: IntoView + 'static,
{
    view! {
        <Suspense fallback=move || view! { <p>{loading}</p> }>
            {move || {
                let render = render.clone();
                Suspend::new(async move {
                    match data.await {
                        Ok(Some(value)) => render(value).into_any(),
                        Ok(None) => view! { <NotFound/> }.into_any(),
                        Err(error) => view! { <LoadError error/> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

/// The `page` query parameter of a paged list (1 when absent or not a number).
pub fn page_number(query: &leptos_router::params::ParamsMap) -> i64 {
    query.get("page").and_then(|p| p.parse().ok()).unwrap_or(1)
}

/// Sets the HTTP status of the page being rendered on the server.
pub fn set_status(code: u16) {
    #[cfg(feature = "ssr")]
    if let (Some(options), Ok(status)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        http::StatusCode::from_u16(code),
    ) {
        options.set_status(status);
    }
    #[cfg(not(feature = "ssr"))]
    let _ = code;
}

#[component]
pub fn NotFound() -> impl IntoView {
    set_status(404);
    view! {
        <Title text="Not found"/>
        <h1>"Page not found"</h1>
        <p>"There is nothing at this address. " <a href="/">"See all dockets"</a> "."</p>
    }
}

/// Shown when a page's data could not be loaded.
#[component]
pub fn LoadError(error: AppError) -> impl IntoView {
    set_status(match error {
        AppError::Unavailable => 503,
        AppError::SignInRequired => 401,
        AppError::Forbidden => 403,
        _ => 500,
    });
    if error == AppError::SignInRequired {
        return view! {
            <Title text="Sign in"/>
            <h1>"Sign in required"</h1>
            <p>{error.to_string()} " " <a href="/staff/login">"Sign in"</a></p>
        }
        .into_any();
    }
    view! {
        <Title text="Try again"/>
        <h1>"This page could not be loaded"</h1>
        <p class="error-message" role="alert">{error.to_string()}</p>
        <RejectedCopy/>
    }
    .into_any()
}

/// After a refused no-JavaScript submission that cannot show the form again: the reason, and
/// what the person wrote so that it is not lost.
#[component]
pub fn RejectedCopy() -> impl IntoView {
    use_context::<crate::views::RejectedSubmission>().map(|r| {
        view! {
            <p class="form-message" role="alert" id="form-message">{r.message.unwrap_or_default()}</p>
            {(!r.form.comment.trim().is_empty()).then(|| view! {
                <p>"This is what you wrote, so that you can keep a copy:"</p>
                <div class="comment-copy">{r.form.comment}</div>
            })}
        }
    })
}
