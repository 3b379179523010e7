//! `Refusal`, the one error type of staff handlers: a status and a sentence, shown on its own or
//! on the page the form came from, with a storage failure's cause logged once when it is answered.

use crate::render::render_page_with;
use crate::AppState;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use opendocket_app::server_fns::staff::StaffNotice;
use opendocket_core::accounts::StaffIdentity;
use opendocket_core::campaign::{CampaignError, CampaignStoreError};
use opendocket_core::store::StoreError;
use opendocket_core::tags::{TagError, TagStoreError};

#[derive(Debug)]
pub struct Refusal {
    status: StatusCode,
    message: String,
    /// The page re-rendered with the sentence; `None`: the sentence alone.
    page: Option<String>,
    /// For the sign-in page: the address typed, shown again.
    email: String,
    /// What went wrong underneath, logged when the refusal is answered.
    cause: Option<String>,
}

impl Refusal {
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
            page: None,
            email: String::new(),
            cause: None,
        }
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, message)
    }

    pub fn unprocessable(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, message)
    }

    pub fn no_such_docket() -> Self {
        Self::not_found("There is no such docket.")
    }

    /// The database (or another store) failed: 503 with `message`; `cause` goes to the log.
    pub fn unavailable(message: impl Into<String>, cause: impl std::fmt::Display) -> Self {
        Self {
            cause: Some(cause.to_string()),
            ..Self::new(StatusCode::SERVICE_UNAVAILABLE, message)
        }
    }

    pub fn sign_in_first() -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "Please sign in first.").on("/staff/login")
    }

    /// Shown on `page` (the page the form came from) rather than on its own.
    pub fn on(mut self, page: impl Into<String>) -> Self {
        self.page = Some(page.into());
        self
    }

    pub fn with_email(mut self, email: impl Into<String>) -> Self {
        self.email = email.into();
        self
    }
}

/// A sentence shown on `page` with `status`: the outcome of a form that stays on its page.
pub fn page_notice(status: StatusCode, message: impl Into<String>, page: &str) -> Response {
    Refusal::new(status, message).on(page).into_response()
}

/// A refusal to be shown on a page; `render_refused_pages` renders it.
#[derive(Debug, Clone)]
struct PageNotice {
    path: String,
    message: String,
    email: String,
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        if let Some(cause) = &self.cause {
            tracing::error!(cause, status = %self.status, "{}", self.message);
        }
        match self.page {
            None => (self.status, self.message).into_response(),
            Some(path) => {
                let mut response = self.status.into_response();
                response.extensions_mut().insert(PageNotice {
                    path,
                    message: self.message,
                    email: self.email,
                });
                response
            }
        }
    }
}

/// Renders the page a refusal names, for the staff member who sent the form (the sign-in page
/// for nobody), keeping the refusal's status.
pub async fn render_refused_pages(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let identity = request.extensions().get::<StaffIdentity>().cloned();
    let mut response = next.run(request).await;
    let Some(notice) = response.extensions_mut().remove::<PageNotice>() else {
        return response;
    };
    let identity = identity.filter(|_| notice.path != "/staff/login");
    let access = super::session::app_access(
        &axum::http::Method::GET,
        notice.path.split('?').next().unwrap_or_default(),
        identity.as_ref(),
    );
    let status = response.status();
    let notice_context = StaffNotice {
        message: notice.message,
        email: notice.email,
    };
    render_page_with(
        &state,
        &notice.path,
        (identity, access),
        status,
        notice_context,
    )
    .await
}

const NOT_SAVED: &str = "The change could not be saved; try again in a minute.";

impl From<StoreError> for Refusal {
    fn from(error: StoreError) -> Self {
        Self::unavailable(NOT_SAVED, error)
    }
}

impl From<opendocket_core::accounts::AccountError> for Refusal {
    fn from(error: opendocket_core::accounts::AccountError) -> Self {
        use opendocket_core::accounts::AccountError;
        match error {
            AccountError::Invalid(e) => Self::unprocessable(format!("Nothing was changed: {e}.")),
            AccountError::Exists(email) => Self::new(
                StatusCode::CONFLICT,
                format!("A staff account for {email} already exists."),
            ),
            AccountError::Unknown(email) => Self::new(
                StatusCode::NOT_FOUND,
                format!("There is no staff account for {email}."),
            ),
            AccountError::Store(error) => Self::from(error),
        }
    }
}

impl From<crate::form::FormError> for Refusal {
    fn from(error: crate::form::FormError) -> Self {
        match error {
            crate::form::FormError::InvalidUtf8 => Self::bad_request(
                "The form contains text that is not valid UTF-8; nothing was changed.",
            ),
            too_many => Self::bad_request(too_many.to_string()),
        }
    }
}

impl From<TagStoreError> for Refusal {
    fn from(error: TagStoreError) -> Self {
        match error {
            TagStoreError::Tag(e) => {
                let status = match e {
                    TagError::NotFound | TagError::NoComment => StatusCode::NOT_FOUND,
                    TagError::Duplicate(_) | TagError::Retired(_) => StatusCode::CONFLICT,
                    _ => StatusCode::UNPROCESSABLE_ENTITY,
                };
                Self::new(status, format!("{e} Nothing was changed."))
            }
            TagStoreError::Store(error) => error.into(),
        }
    }
}

impl From<CampaignStoreError> for Refusal {
    fn from(error: CampaignStoreError) -> Self {
        match error {
            CampaignStoreError::Campaign(e) => {
                let status = match e {
                    CampaignError::NotFound | CampaignError::NotAMember => StatusCode::NOT_FOUND,
                    _ => StatusCode::UNPROCESSABLE_ENTITY,
                };
                Self::new(status, format!("{e} Nothing was changed."))
            }
            CampaignStoreError::Moderation(error) => Self::unavailable(
                "Some copies could not be decided; reload the page to see which, and try again.",
                error,
            ),
            CampaignStoreError::Store(error) => error.into(),
        }
    }
}
