//! `<StaffForm>`: a staff form that posts without JavaScript and carries the session's CSRF token,
//! which the server checks before anything changes.

use leptos::prelude::*;

#[component]
pub fn StaffForm(
    #[prop(into)] action: String,
    /// The session's CSRF token (`StaffHeader::csrf_token`).
    #[prop(into)]
    csrf: String,
    #[prop(optional, into)] class: Option<String>,
    #[prop(optional, into)] id: Option<String>,
    /// The form carries a file.
    #[prop(optional)]
    multipart: bool,
    children: Children,
) -> impl IntoView {
    view! {
        <form
            method="post"
            action=action
            class=class
            id=id
            enctype=multipart.then_some("multipart/form-data")
        >
            <input type="hidden" name="csrf_token" value=csrf/>
            {children()}
        </form>
    }
}
