//! The comment form: a plain HTML form that posts without JavaScript; once hydrated it checks
//! fields with the same rules as the server, counts characters and hides fields that do not apply.

use crate::views::{DocketView, RejectedSubmission};
use leptos::prelude::*;
use opendocket_core::comment::{
    validate, CommentForm as Form, Field, FieldErrors, SubmitterType, COMMENT_MAX_CHARS,
    HONEYPOT_FIELD, PROOF_FIELD,
};
use opendocket_core::text::counted_chars;

fn grouped(n: usize) -> String {
    opendocket_core::text::thousands(n as u64)
}

#[component]
pub fn CommentForm(docket: DocketView) -> impl IntoView {
    let rejected = use_context::<RejectedSubmission>();
    let initial = rejected
        .as_ref()
        .map(|r| r.form.clone())
        .unwrap_or_else(|| Form {
            submitter_type: SubmitterType::Individual.as_str().to_owned(),
            ..Default::default()
        });
    let key = rejected
        .as_ref()
        .map_or(docket.form_token.clone(), |r| r.form_token.clone());
    let message = rejected.as_ref().and_then(|r| r.message.clone());
    let errors = RwSignal::new(rejected.map(|r| r.errors).unwrap_or_default());

    let values = FormSignals::new(&initial);
    let submitting = RwSignal::new(false);
    // The proof of work the form's token asks for: found in slices before the form is sent.
    let proof_bits = opendocket_core::proof_of_work::asked_bits(&key);
    let working = RwSignal::new(false);
    let form_ref = NodeRef::<leptos::html::Form>::new();
    let proof_ref = NodeRef::<leptos::html::Input>::new();
    #[cfg(not(feature = "hydrate"))]
    let _ = (proof_bits, form_ref, proof_ref);
    #[cfg(feature = "hydrate")]
    let token = key.clone();
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| {
        // Whatever the person typed or chose before the page finished loading is in the DOM,
        // not yet in the signals: take it from there.
        #[cfg(feature = "hydrate")]
        if let Some(form) = rendered_form() {
            values.set_all(&form);
        }
        hydrated.set(true);
    });

    let kind = values.submitter_type;
    let hide_names =
        Signal::derive(move || hydrated.get() && kind.get() == SubmitterType::Anonymous.as_str());
    let hide_organization = Signal::derive(move || {
        hydrated.get() && kind.get() != SubmitterType::Organization.as_str()
    });

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        if submitting.get_untracked() {
            ev.prevent_default();
            return;
        }
        #[cfg(feature = "hydrate")]
        if let Some(form) = rendered_form() {
            values.set_all(&form);
        }
        match validate(&values.snapshot()) {
            Ok(_) => {
                errors.set(FieldErrors::default());
                #[cfg(feature = "hydrate")]
                if proof_bits > 0
                    && proof_ref
                        .get_untracked()
                        .is_some_and(|p| p.value().is_empty())
                {
                    ev.prevent_default();
                    working.set(true);
                    submitting.set(true);
                    solve_then_send(
                        token.clone(),
                        proof_bits,
                        0,
                        form_ref,
                        proof_ref,
                        submitting,
                    );
                    return;
                }
                submitting.set(true);
            }
            Err(found) => {
                ev.prevent_default();
                if let Some((first, _)) = found.0.first() {
                    focus_field(*first);
                }
                errors.set(found);
            }
        }
    };

    let comment = values.comment;
    let count = move || counted_chars(&comment.get());
    let action = format!("/dockets/{}", docket.id);
    let initial_kind = initial.submitter_type.clone();

    view! {
        <form class="comment-form" method="post" action=action enctype="multipart/form-data" novalidate=true on:submit=on_submit node_ref=form_ref
            data-hydrated=move || hydrated.get().then_some("true")>
            {message.map(|m| view! { <p class="form-message" role="alert" id="form-message">{m}</p> })}
            {move || (!errors.with(FieldErrors::is_empty)).then(|| view! {
                <p class="form-message" role="alert">"Please correct the fields marked below."</p>
            })}
            {docket.accepting_late.then(|| view! {
                <p class="notice">"The deadline has passed. This docket still accepts comments, marked as late."</p>
            })}
            <input type="hidden" name="form_token" value=key/>
            <input type="hidden" name=PROOF_FIELD value="" node_ref=proof_ref/>
            <div class="trap" aria-hidden="true">
                <label for="website">"Leave this empty"</label>
                <input type="text" id="website" name=HONEYPOT_FIELD tabindex="-1" autocomplete="off" value=""/>
            </div>
            <fieldset class="submitter-type">
                <legend>"You are commenting as"</legend>
                {SubmitterType::ALL.into_iter().map(|t| {
                    let id = format!("submitter-type-{}", t.as_str());
                    let label_for = id.clone();
                    view! {
                        <label for=label_for class="choice">
                            <input type="radio" id=id name="submitter_type" value=t.as_str()
                                checked=initial_kind == t.as_str()
                                on:change=move |_| kind.set(t.as_str().to_owned())/>
                            {t.label()}
                        </label>
                    }
                }).collect_view()}
                <p class="hint">"Individuals give their first and last name; organizations give their name; anonymous comments need only the comment."</p>
                <ErrorText field=Field::SubmitterType errors/>
            </fieldset>
            <TextField field=Field::FirstName label="First name" value=values.first_name errors autocomplete="given-name" hidden=hide_names/>
            <TextField field=Field::LastName label="Last name" value=values.last_name errors autocomplete="family-name" hidden=hide_names/>
            <TextField field=Field::Organization label="Organization" value=values.organization errors autocomplete="organization" hidden=hide_organization/>
            <TextField field=Field::City label="City (optional)" value=values.city errors autocomplete="address-level2"/>
            <TextField field=Field::StateProvinceRegion label="State, province or region (optional)" value=values.state_province_region errors autocomplete="address-level1"/>
            <TextField field=Field::Country label="Country (optional)" value=values.country errors autocomplete="country-name"/>
            <TextField field=Field::Email label="Email (optional, never published)" value=values.email errors autocomplete="email" input_type="email"/>
            <div class="field">
                <label for="comment">"Comment"</label>
                <textarea id="comment" name="comment" rows="12"
                    aria-describedby="comment-count comment-error"
                    aria-invalid=move || errors.with(|e| e.get(Field::Comment).is_some()).then_some("true")
                    on:input=move |ev| comment.set(event_target_value(&ev))>{textarea_text(&initial.comment)}</textarea>
                <p id="comment-count" class=move || counter_class(count())>
                    {move || format!("{} / {} characters", grouped(count()), grouped(COMMENT_MAX_CHARS))}
                </p>
                <ErrorText field=Field::Comment errors/>
            </div>
            <div class="field">
                <label for="attachments">"Attachments"</label>
                <input type="file" id="attachments" name="attachments" multiple
                    accept=".pdf,.docx,.rtf,.txt,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png,text/plain"
                    aria-describedby="attachments-hint"/>
                <p id="attachments-hint" class="hint">
                    "Optional. Up to 20 files of at most 10 MB each: PDF, Word (.docx), RTF or text files, JPEG or PNG images. Attached files are published with your comment."
                </p>
            </div>
            <p class="privacy-note">"Your comment and the name or organization you give may be published. Your email address is never published."</p>
            <p class="hint" role="status" aria-live="polite">
                {move || working.get().then_some("Checking that this is a person's browser before sending (a few seconds at most)…")}
            </p>
            <button type="submit" class="primary" disabled=move || submitting.get()>"Submit comment"</button>
        </form>
    }
}

/// One reactive value per form field, starting from what the page was rendered with.
#[derive(Clone, Copy)]
struct FormSignals {
    submitter_type: RwSignal<String>,
    first_name: RwSignal<String>,
    last_name: RwSignal<String>,
    organization: RwSignal<String>,
    city: RwSignal<String>,
    state_province_region: RwSignal<String>,
    country: RwSignal<String>,
    email: RwSignal<String>,
    comment: RwSignal<String>,
}

impl FormSignals {
    fn new(form: &Form) -> Self {
        Self {
            submitter_type: RwSignal::new(form.submitter_type.clone()),
            first_name: RwSignal::new(form.first_name.clone()),
            last_name: RwSignal::new(form.last_name.clone()),
            organization: RwSignal::new(form.organization.clone()),
            city: RwSignal::new(form.city.clone()),
            state_province_region: RwSignal::new(form.state_province_region.clone()),
            country: RwSignal::new(form.country.clone()),
            email: RwSignal::new(form.email.clone()),
            comment: RwSignal::new(form.comment.clone()),
        }
    }

    #[cfg(feature = "hydrate")]
    fn set_all(&self, form: &Form) {
        self.submitter_type.set(form.submitter_type.clone());
        self.first_name.set(form.first_name.clone());
        self.last_name.set(form.last_name.clone());
        self.organization.set(form.organization.clone());
        self.city.set(form.city.clone());
        self.state_province_region
            .set(form.state_province_region.clone());
        self.country.set(form.country.clone());
        self.email.set(form.email.clone());
        self.comment.set(form.comment.clone());
    }

    fn snapshot(&self) -> Form {
        Form {
            submitter_type: self.submitter_type.get_untracked(),
            first_name: self.first_name.get_untracked(),
            last_name: self.last_name.get_untracked(),
            organization: self.organization.get_untracked(),
            city: self.city.get_untracked(),
            state_province_region: self.state_province_region.get_untracked(),
            country: self.country.get_untracked(),
            email: self.email.get_untracked(),
            comment: self.comment.get_untracked(),
        }
    }
}

/// The comment form's current values, read from the page itself.
#[cfg(feature = "hydrate")]
fn rendered_form() -> Option<Form> {
    use leptos::wasm_bindgen::JsCast;
    let element = document()
        .query_selector("form.comment-form")
        .ok()
        .flatten()?;
    let form = element
        .dyn_into::<leptos::web_sys::HtmlFormElement>()
        .ok()?;
    let data = leptos::web_sys::FormData::new_with_form(&form).ok()?;
    let field = |name: &str| data.get(name).as_string().unwrap_or_default();
    Some(Form {
        submitter_type: field("submitter_type"),
        first_name: field("first_name"),
        last_name: field("last_name"),
        organization: field("organization"),
        city: field("city"),
        state_province_region: field("state_province_region"),
        country: field("country"),
        email: field("email"),
        comment: field("comment"),
    })
}

/// Looks for the proof of work a slice at a time (the page stays responsive), then sends the form
/// with it. The server takes the comment without the proof too, held for a moderator.
#[cfg(feature = "hydrate")]
fn solve_then_send(
    token: String,
    bits: u8,
    from: u64,
    form: NodeRef<leptos::html::Form>,
    proof: NodeRef<leptos::html::Input>,
    submitting: RwSignal<bool>,
) {
    const SLICE: u64 = 20_000;
    match opendocket_core::proof_of_work::search(&token, bits, from, SLICE) {
        Some(found) => {
            if let Some(input) = proof.get_untracked() {
                input.set_value(&found.to_string());
            }
            submitting.set(false);
            if let Some(form) = form.get_untracked() {
                let _ = form.request_submit();
            }
        }
        None => set_timeout(
            move || solve_then_send(token, bits, from + SLICE, form, proof, submitting),
            std::time::Duration::ZERO,
        ),
    }
}

/// Moves the keyboard focus (and the view) to a field the person has to correct.
fn focus_field(field: Field) {
    #[cfg(feature = "hydrate")]
    {
        use leptos::wasm_bindgen::JsCast;
        let element = document().get_element_by_id(field.name());
        if let Some(element) =
            element.and_then(|e| e.dyn_into::<leptos::web_sys::HtmlElement>().ok())
        {
            let _ = element.focus();
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = field;
}

/// Text to put inside `<textarea>`. Leptos writes a textarea's children to the HTML unescaped
/// (it is raw text to the parser), so typed text containing `</textarea>` would end the element
/// early and the rest would be parsed as markup. Escaping is safe here because the browser
/// decodes character references inside a textarea.
pub fn textarea_text(text: &str) -> String {
    if cfg!(feature = "ssr") {
        text.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    } else {
        text.to_owned()
    }
}

fn counter_class(count: usize) -> &'static str {
    if count > COMMENT_MAX_CHARS {
        "counter over"
    } else {
        "counter"
    }
}

fn field_class(hidden: bool) -> &'static str {
    if hidden {
        "field hidden"
    } else {
        "field"
    }
}

#[component]
fn ErrorText(field: Field, errors: RwSignal<FieldErrors>) -> impl IntoView {
    view! {
        <p class="field-error" id=format!("{}-error", field.name())>
            {move || errors.with(|e| e.get(field).map(str::to_owned))}
        </p>
    }
}

#[component]
fn TextField(
    field: Field,
    label: &'static str,
    value: RwSignal<String>,
    errors: RwSignal<FieldErrors>,
    autocomplete: &'static str,
    #[prop(default = "text")] input_type: &'static str,
    #[prop(optional, into)] hidden: Option<Signal<bool>>,
) -> impl IntoView {
    let name = field.name();
    let initial = value.get_untracked();
    view! {
        <div class=move || field_class(hidden.is_some_and(|h| h.get()))>
            <label for=name>{label}</label>
            <input type=input_type id=name name=name value=initial autocomplete=autocomplete
                aria-describedby=format!("{name}-error")
                aria-invalid=move || errors.with(|e| e.get(field).is_some()).then_some("true")
                on:input=move |ev| value.set(event_target_value(&ev))/>
            <ErrorText field errors/>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::{grouped, textarea_text};

    #[cfg(feature = "ssr")]
    #[test]
    fn textarea_text_cannot_close_the_element() {
        assert_eq!(
            textarea_text("a</textarea><script>x()</script>&"),
            "a&lt;/textarea&gt;&lt;script&gt;x()&lt;/script&gt;&amp;"
        );
    }

    #[test]
    fn groups_thousands() {
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(5000), "5,000");
        assert_eq!(grouped(1234567), "1,234,567");
    }
}
