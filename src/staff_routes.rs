//! Every staff route (page, server function, form, download) and who may use it: the one place a
//! permission is stated. The server puts each row's check in front of the route; the app asks the
//! same table whether to offer a form.

use crate::roles::{Permission, Role};

/// The HTTP method of a staff route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verb {
    Get,
    Post,
}

impl Verb {
    pub fn as_str(self) -> &'static str {
        match self {
            Verb::Get => "GET",
            Verb::Post => "POST",
        }
    }
}

/// Who may use a staff route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone: signing in.
    Anyone,
    /// Any signed-in staff member.
    SignedIn,
    /// Staff whose role grants the permission.
    Needs(Permission),
}

/// What the route table decided for one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StaffAccess {
    Granted,
    SignInRequired,
    Forbidden,
}

impl Access {
    /// Whether someone with `role` (or nobody signed in) may use a route that needs this.
    pub fn decide(self, role: Option<Role>) -> StaffAccess {
        match (self, role) {
            (Access::Anyone, _) => StaffAccess::Granted,
            (_, None) => StaffAccess::SignInRequired,
            (Access::Needs(permission), Some(role)) if !role.can(permission) => {
                StaffAccess::Forbidden
            }
            (Access::SignedIn | Access::Needs(_), Some(_)) => StaffAccess::Granted,
        }
    }
}

/// Which crate answers a route: the app (a page or a server function) or the server (a form or a
/// download with its own handler).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnsweredBy {
    App,
    Server,
}

/// A staff route: its method and path (an axum path template), who may use it, and who answers it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StaffRoute {
    pub verb: Verb,
    pub path: &'static str,
    pub access: Access,
    pub answered_by: AnsweredBy,
}

const fn page(path: &'static str, access: Access) -> StaffRoute {
    StaffRoute {
        verb: Verb::Get,
        path,
        access,
        answered_by: AnsweredBy::App,
    }
}

const fn server_fn(path: &'static str, access: Access) -> StaffRoute {
    StaffRoute {
        verb: Verb::Post,
        path,
        access,
        answered_by: AnsweredBy::App,
    }
}

const fn form(path: &'static str, access: Access) -> StaffRoute {
    StaffRoute {
        verb: Verb::Post,
        path,
        access,
        answered_by: AnsweredBy::Server,
    }
}

const fn download(path: &'static str, access: Access) -> StaffRoute {
    StaffRoute {
        verb: Verb::Get,
        path,
        access,
        answered_by: AnsweredBy::Server,
    }
}

use Access::{Anyone, Needs, SignedIn};
use Permission::{ManageDockets, ManageUsers, Moderate, ReadAuditLog, ReadComments, Tag};

/// Every staff route. Contact details go with deciding on comments: the queue shows them to those
/// who may post `/staff/comments/{id}/decision`.
pub const STAFF_ROUTES: &[StaffRoute] = &[
    page("/staff/login", Anyone),
    page("/staff", Needs(ReadComments)),
    page("/staff/audit", Needs(ReadAuditLog)),
    page("/staff/users", Needs(ManageUsers)),
    page("/staff/api-keys", Needs(ManageUsers)),
    page("/staff/import", Needs(ManageDockets)),
    page("/staff/dockets", Needs(ManageDockets)),
    page("/staff/password", SignedIn),
    page("/staff/decided", Needs(ReadComments)),
    page("/staff/comments/{id}", Needs(ReadComments)),
    page("/staff/dockets/{id}/edit", Needs(ManageDockets)),
    page("/staff/dockets/{id}/tags", Needs(ReadComments)),
    page("/staff/search", Needs(ReadComments)),
    page("/staff/dockets/{id}/campaigns", Needs(ReadComments)),
    page(
        "/staff/dockets/{id}/campaigns/{campaign}",
        Needs(ReadComments),
    ),
    page("/staff/dockets/{id}/summary", Needs(ReadComments)),
    server_fn("/api/staff/signed-in", SignedIn),
    server_fn("/api/staff/queue", Needs(ReadComments)),
    server_fn("/api/staff/audit", Needs(ReadAuditLog)),
    server_fn("/api/staff/users", Needs(ManageUsers)),
    server_fn("/api/staff/api-keys", Needs(ManageUsers)),
    server_fn("/api/staff/dockets", Needs(ManageDockets)),
    server_fn("/api/staff/decided", Needs(ReadComments)),
    server_fn("/api/staff/comment", Needs(ReadComments)),
    server_fn("/api/staff/docket-for-edit", Needs(ManageDockets)),
    server_fn("/api/staff/search", Needs(ReadComments)),
    server_fn("/api/staff/tags", Needs(ReadComments)),
    server_fn("/api/staff/campaigns", Needs(ReadComments)),
    server_fn("/api/staff/campaign", Needs(ReadComments)),
    server_fn("/api/staff/summary", Needs(ReadComments)),
    form("/staff/login", Anyone),
    form("/staff/logout", SignedIn),
    form("/staff/password", SignedIn),
    form("/staff/comments/{id}/decision", Needs(Moderate)),
    form("/staff/comments/bulk", Needs(Moderate)),
    form("/staff/bursts/hold", Needs(Moderate)),
    form("/staff/queue/claim", Needs(Moderate)),
    form("/staff/queue/release", Needs(Moderate)),
    form("/staff/users", Needs(ManageUsers)),
    form("/staff/users/{id}", Needs(ManageUsers)),
    form("/staff/api-keys", Needs(ManageUsers)),
    form("/staff/api-keys/{id}/revoke", Needs(ManageUsers)),
    download("/staff/audit.csv", Needs(ReadAuditLog)),
    form("/staff/import", Needs(ManageDockets)),
    form("/staff/dockets", Needs(ManageDockets)),
    form("/staff/dockets/{id}", Needs(ManageDockets)),
    form("/staff/dockets/{id}/extend", Needs(ManageDockets)),
    form("/staff/dockets/{id}/reopen", Needs(ManageDockets)),
    form("/staff/dockets/{id}/schedule", Needs(ManageDockets)),
    form("/staff/dockets/{id}/late-policy", Needs(ManageDockets)),
    form("/staff/dockets/{id}/proof-of-work", Needs(ManageDockets)),
    form(
        "/staff/dockets/{id}/email-confirmation",
        Needs(ManageDockets),
    ),
    form("/staff/dockets/{id}/withdraw", Needs(ManageDockets)),
    form("/staff/dockets/{id}/tags", Needs(Tag)),
    form("/staff/tags/{id}", Needs(Tag)),
    form("/staff/tags/{id}/publish", Needs(ManageDockets)),
    form("/staff/comments/{id}/tags", Needs(Tag)),
    form("/staff/search/tag", Needs(Tag)),
    form("/staff/campaigns/{id}/merge", Needs(Tag)),
    form("/staff/campaigns/{id}/split", Needs(Tag)),
    form("/staff/campaigns/{id}/leave", Needs(Tag)),
    form("/staff/campaigns/{id}/moderate", Needs(Moderate)),
    download("/staff/attachments/{id}", Needs(ReadComments)),
    form("/staff/attachments/{id}/withhold", Needs(Moderate)),
    form("/staff/attachments/{id}/redacted", Needs(Moderate)),
    form("/staff/dockets/{id}/summary", Needs(ManageDockets)),
    download("/staff/dockets/{id}/summary/download", Needs(ReadComments)),
    download("/staff/dockets/{id}/comments.csv", Needs(ReadComments)),
    download("/staff/dockets/{id}/comments.jsonl", Needs(ReadComments)),
];

/// The table's row for a method and path template.
pub fn route(verb: Verb, path: &str) -> Option<&'static StaffRoute> {
    STAFF_ROUTES
        .iter()
        .find(|route| route.verb == verb && route.path == path)
}

/// Whether `role` may use a route, so a page offers only the forms its reader may send. A path
/// missing from the table is offered to nobody (and is a mistake the tests catch).
pub fn allows(role: Role, verb: Verb, path: &str) -> bool {
    let found = route(verb, path);
    debug_assert!(
        found.is_some(),
        "{} {path} is not a staff route",
        verb.as_str()
    );
    found.is_some_and(|route| route.access.decide(Some(role)) == StaffAccess::Granted)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_method_and_path_has_one_row() {
        for (i, a) in STAFF_ROUTES.iter().enumerate() {
            for b in &STAFF_ROUTES[i + 1..] {
                assert!(
                    !(a.verb == b.verb && a.path == b.path),
                    "{} {} is listed twice",
                    a.verb.as_str(),
                    a.path
                );
            }
            assert!(a.path.starts_with("/staff") || a.path.starts_with("/api/staff/"));
        }
    }

    #[test]
    fn only_signing_in_is_open_to_anyone() {
        for route in STAFF_ROUTES {
            assert_eq!(
                route.access == Anyone,
                route.path == "/staff/login",
                "{}",
                route.path
            );
        }
    }

    #[test]
    fn roles_are_offered_the_forms_their_permissions_allow() {
        let tag_comment = (Verb::Post, "/staff/comments/{id}/tags");
        let decide = (Verb::Post, "/staff/comments/{id}/decision");
        let publish_tag = (Verb::Post, "/staff/tags/{id}/publish");
        let may = |role, (verb, path)| allows(role, verb, path);
        assert!(may(Role::Analyst, tag_comment));
        assert!(!may(Role::Analyst, decide));
        assert!(!may(Role::Analyst, publish_tag));
        assert!(may(Role::Moderator, decide));
        assert!(!may(Role::Moderator, tag_comment));
        assert!(Role::ALL
            .into_iter()
            .all(|role| may(role, decide) == (role != Role::Analyst)));
        assert!(may(Role::Admin, publish_tag));
        assert!(Role::ALL
            .into_iter()
            .all(|role| allows(role, Verb::Get, "/staff/password")));
    }

    #[test]
    fn nobody_signed_in_is_sent_to_sign_in() {
        assert_eq!(Needs(Tag).decide(None), StaffAccess::SignInRequired);
        assert_eq!(SignedIn.decide(None), StaffAccess::SignInRequired);
        assert_eq!(Anyone.decide(None), StaffAccess::Granted);
        assert_eq!(
            Needs(ManageUsers).decide(Some(Role::Moderator)),
            StaffAccess::Forbidden
        );
    }
}
