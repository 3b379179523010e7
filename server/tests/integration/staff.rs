//! The staff workspace through the real router: sign-in and lock-out, authorisation of every
//! staff endpoint, moderation decisions and their audit rows, and what the public then sees.

use crate::common::{encode_form, instant, Harness, StaffSession};
use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use chrono::Duration;
use opendocket_core::accounts::Actor;
use opendocket_core::moderation::{CommentStatus, Decision, ModerationError, WithholdReason};
use opendocket_core::roles::Role;
use opendocket_core::staff_routes::{Access, AnsweredBy, Verb, STAFF_ROUTES};

const DOCKET: &str = "FTC-2023-0018";

async fn docket_with_comments(texts: &[&str]) -> Harness {
    let h = Harness::new(instant("2023-03-20T15:00:00Z")).await;
    h.create_docket(
        DOCKET,
        instant("2023-03-14T13:00:00Z"),
        instant("2023-04-14T04:00:00Z"),
        false,
    )
    .await;
    for text in texts {
        let form = encode_form(&[
            ("form_token", &h.form_token(DOCKET)),
            ("submitter_type", "individual"),
            ("first_name", "Ada"),
            ("last_name", "Lovelace"),
            ("email", "ada@example.org"),
            ("comment", text),
        ]);
        assert_eq!(
            h.post_form(&format!("/dockets/{DOCKET}"), form)
                .await
                .status,
            StatusCode::SEE_OTHER
        );
    }
    h
}

async fn queue_ids(h: &Harness) -> Vec<(i64, i64)> {
    h.store()
        .moderation_queue(100, 0)
        .await
        .unwrap()
        .iter()
        .map(|c| (c.id, c.version))
        .collect()
}

fn decision(
    session: &StaffSession,
    version: i64,
    decision: &str,
    reason: &str,
    note: &str,
) -> String {
    encode_form(&[
        ("csrf_token", &session.csrf),
        ("version", &version.to_string()),
        ("decision", decision),
        ("reason", reason),
        ("note", note),
    ])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_sets_a_strict_http_only_cookie_and_opens_the_queue() {
    let h = docket_with_comments(&["First."]).await;
    h.store()
        .add_staff_user(
            "Mod@FTC.gov",
            Role::Moderator,
            "a long enough passphrase",
            &Actor::CommandLine,
            instant("2023-03-20T15:00:00Z"),
        )
        .await
        .unwrap();
    let request = Request::post("/staff/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header("x-forwarded-proto", "https")
        .body(Body::from(encode_form(&[
            ("email", "mod@ftc.gov"),
            ("password", "a long enough passphrase"),
        ])))
        .unwrap();
    let response = h.send(request).await;
    assert_eq!(response.status, StatusCode::SEE_OTHER);
    assert_eq!(response.location(), "/staff");
    let cookie = response
        .headers
        .get(header::SET_COOKIE)
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    for attribute in ["HttpOnly", "SameSite=Strict", "Secure", "Path=/"] {
        assert!(cookie.contains(attribute), "{cookie}");
    }
    let session = StaffSession {
        cookie: cookie.split(';').next().unwrap().to_owned(),
        csrf: String::new(),
    };
    let queue = h.staff_get(&session, "/staff").await;
    assert_eq!(queue.status, StatusCode::OK);
    assert!(queue.body.contains("Moderation queue"));
    assert!(
        queue.body.contains("ada@example.org"),
        "moderators see contact details"
    );
    assert!(queue.body.contains("First."));
    // The menu offers the queue and the docket switcher.
    let menu = &queue.body[queue.body.find("class=\"staff-bar\"").unwrap()..];
    let menu = menu[..menu.find("</nav>").unwrap()].replace("<!>", "");
    assert!(
        menu.contains(r#"<a href="/staff" aria-current="page">Queue</a>"#),
        "{menu}"
    );
    assert!(
        menu.contains(&format!(r#"<option value="{DOCKET}""#)),
        "{menu}"
    );

    // An analyst, who decides on nothing, starts at search, with no queue in the menu; with a
    // docket chosen, its pages are one step away.
    h.store()
        .add_staff_user(
            "analyst@ftc.gov",
            Role::Analyst,
            "another long passphrase",
            &Actor::CommandLine,
            instant("2023-03-20T15:00:00Z"),
        )
        .await
        .unwrap();
    let response = h
        .send(
            Request::post("/staff/login")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(encode_form(&[
                    ("email", "analyst@ftc.gov"),
                    ("password", "another long passphrase"),
                ])))
                .unwrap(),
        )
        .await;
    assert_eq!(response.location(), "/staff/search");
    let analyst = h.staff_session("analyst2@ftc.gov", Role::Analyst).await;
    let page = h
        .staff_get(&analyst, &format!("/staff/search?docket={DOCKET}"))
        .await;
    let menu = &page.body[page.body.find("class=\"staff-bar\"").unwrap()..];
    let menu = menu[..menu.find("</nav>").unwrap()].replace("<!>", "");
    assert!(!menu.contains(">Queue<"), "{menu}");
    for link in [
        format!(r#"<a href="/staff/search?docket={DOCKET}" aria-current="page">Search</a>"#),
        format!(r#"<a href="/staff/dockets/{DOCKET}/tags">Tags</a>"#),
        format!(r#"<a href="/staff/dockets/{DOCKET}/campaigns">Campaigns</a>"#),
        format!(r#"<a href="/staff/dockets/{DOCKET}/summary">Summary</a>"#),
    ] {
        assert!(menu.contains(&link), "{link} in {menu}");
    }
    assert!(
        menu.contains(&format!(r#"<option value="{DOCKET}" selected"#)),
        "{menu}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_passwords_are_refused_and_repeated_ones_lock_the_account() {
    let h = docket_with_comments(&[]).await;
    let now = instant("2023-03-20T15:00:00Z");
    h.store()
        .add_staff_user(
            "mod@ftc.gov",
            Role::Moderator,
            "a long enough passphrase",
            &Actor::CommandLine,
            now,
        )
        .await
        .unwrap();
    let attempt =
        |password: &'static str| encode_form(&[("email", "mod@ftc.gov"), ("password", password)]);
    for _ in 0..5 {
        let response = h
            .post_form("/staff/login", attempt("wrong password!"))
            .await;
        assert_eq!(response.status, StatusCode::UNAUTHORIZED);
        assert!(response
            .body
            .contains("The email address or password is not right."));
        assert!(response.headers.get(header::SET_COOKIE).is_none());
    }
    let locked = h
        .post_form("/staff/login", attempt("a long enough passphrase"))
        .await;
    assert_eq!(locked.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(
        locked
            .body
            .contains("locked for it until 2023-03-20 15:15 UTC"),
        "{}",
        locked.body
    );
    let unknown = h
        .post_form(
            "/staff/login",
            encode_form(&[("email", "nobody@ftc.gov"), ("password", "x")]),
        )
        .await;
    assert_eq!(unknown.status, StatusCode::UNAUTHORIZED);

    h.clock.advance(Duration::minutes(16));
    let after = h
        .post_form("/staff/login", attempt("a long enough passphrase"))
        .await;
    assert_eq!(after.status, StatusCode::SEE_OTHER);
}

async fn send_as(
    h: &Harness,
    method: &Method,
    path: &str,
    session: Option<&StaffSession>,
    body: String,
) -> StatusCode {
    match (method, session) {
        (&Method::GET, Some(session)) => h.staff_get(session, path).await.status,
        (&Method::GET, None) => h.get(path).await.status,
        // Arguments every staff server function can read (extra ones are ignored).
        (_, session) if path.starts_with("/api/") => {
            let arguments = format!("id={DOCKET}&query=&campaign=1&page=1");
            h.staff_post(session, path, arguments).await.status
        }
        (_, session) => h.staff_post(session, path, body).await.status,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_staff_endpoint_refuses_anonymous_requests_and_too_weak_roles() {
    let h = docket_with_comments(&["A comment."]).await;
    let analyst = h.staff_session("analyst@ftc.gov", Role::Analyst).await;
    let moderator = h.staff_session("moderator@ftc.gov", Role::Moderator).await;

    let pages: Vec<String> = opendocket_server::page_paths()
        .into_iter()
        .filter(|p| p.starts_with("/staff"))
        .collect();
    assert!(pages.iter().any(|p| p == "/staff"), "{pages:?}");
    for path in pages.iter().filter(|p| *p != "/staff/login") {
        let page = h.get(path).await;
        assert_eq!(
            page.status,
            StatusCode::UNAUTHORIZED,
            "GET {path} without a session"
        );
        assert!(
            !page.body.contains("A comment."),
            "GET {path} leaks comments"
        );
    }

    let server_fns: Vec<String> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| path.to_owned())
        .filter(|path| path.contains("/staff"))
        .collect();
    assert!(!server_fns.is_empty());
    for path in &server_fns {
        // Arguments every staff server function can read (extra ones are ignored).
        let response = h
            .staff_post(None, path, format!("id={DOCKET}&query=&campaign=1&page=1"))
            .await;
        assert_eq!(
            response.status,
            StatusCode::UNAUTHORIZED,
            "server function {path} without a session"
        );
    }

    let (comment_id, version) = queue_ids(&h).await[0];
    let routes = STAFF_ROUTES;
    assert!(routes
        .iter()
        .any(|r| r.verb == Verb::Get && r.answered_by == AnsweredBy::Server));
    // Every staff page and server function the app answers has its row, so none escapes the table.
    for path in pages.iter().chain(&server_fns) {
        assert!(
            routes
                .iter()
                .any(|r| r.answered_by == AnsweredBy::App && r.path == path),
            "{path} is not in the staff route table"
        );
    }
    for route in routes {
        // Access is checked before the route's ids are looked at.
        let path = route.path.replace("{id}", &comment_id.to_string());
        let method = &match route.verb {
            Verb::Get => Method::GET,
            Verb::Post => Method::POST,
        };
        let body = |session: &StaffSession| decision(session, version, "post", "spam", "");
        let needed = match route.access {
            Access::Anyone => {
                assert_eq!(
                    route.path, "/staff/login",
                    "only signing in is open to anyone"
                );
                continue;
            }
            Access::SignedIn => None,
            Access::Needs(permission) => Some(permission),
        };
        assert_eq!(
            send_as(&h, method, &path, None, body(&analyst)).await,
            StatusCode::UNAUTHORIZED,
            "{method} {path} without a session"
        );
        if let Some(permission) = needed {
            // The weakest role without the permission: analysts tag, moderators do not.
            let (role, session) = if Role::Analyst.can(permission) {
                (Role::Moderator, &moderator)
            } else {
                (Role::Analyst, &analyst)
            };
            if role.can(permission) {
                // Every role may read comments: there is no weaker role to try.
                continue;
            }
            assert_eq!(
                send_as(&h, method, &path, Some(session), body(session)).await,
                StatusCode::FORBIDDEN,
                "{method} {path} as {}",
                role.as_str()
            );
        }
    }
    for path in ["/staff/users", "/staff/audit"] {
        let refused = h.staff_get(&analyst, path).await;
        assert_eq!(
            refused.status,
            StatusCode::FORBIDDEN,
            "GET {path} as an analyst"
        );
        assert!(
            refused
                .body
                .contains(r#"<nav aria-label="Staff" class="staff-bar">"#),
            "the refusal keeps the staff menu: {path}"
        );
    }
    assert_eq!(
        h.store().moderation_queue(10, 0).await.unwrap().len(),
        1,
        "nothing was moderated"
    );
    assert_eq!(
        h.store().staff_users().await.unwrap().len(),
        2,
        "no account was added"
    );
    assert!(
        h.store().tags(DOCKET).await.unwrap().is_empty(),
        "no tag was made"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_adds_a_moderator_and_the_audit_log_tells_the_story() {
    let h = docket_with_comments(&["Worth posting."]).await;
    let admin = h.staff_session("admin@ftc.gov", Role::Admin).await;
    let form = |email: &str, password: &str| {
        encode_form(&[
            ("csrf_token", &admin.csrf),
            ("email", email),
            ("role", "moderator"),
            ("password", password),
        ])
    };
    let added = h
        .staff_post(
            Some(&admin),
            "/staff/users",
            form("new.mod@ftc.gov", "a long enough passphrase"),
        )
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER);
    let users = h.staff_get(&admin, "/staff/users").await;
    let row = users
        .body
        .split("new.mod@ftc.gov")
        .nth(1)
        .expect("the new account is listed");
    assert!(row[..60].contains("<td>moderator"), "{row:.60}");
    let again = h
        .staff_post(
            Some(&admin),
            "/staff/users",
            form("new.mod@ftc.gov", "a long enough passphrase"),
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert!(again
        .body
        .contains("A staff account for new.mod@ftc.gov already exists."));
    let weak = h
        .staff_post(Some(&admin), "/staff/users", form("other@ftc.gov", "short"))
        .await;
    assert_eq!(weak.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(weak
        .body
        .contains("a password needs at least 12 characters"));

    let signed_in = h
        .post_form(
            "/staff/login",
            encode_form(&[
                ("email", "new.mod@ftc.gov"),
                ("password", "a long enough passphrase"),
            ]),
        )
        .await;
    assert_eq!(signed_in.status, StatusCode::SEE_OTHER);

    let moderator = h.staff_session("second.mod@ftc.gov", Role::Moderator).await;
    let (id, version) = queue_ids(&h).await[0];
    let path = format!("/staff/comments/{id}/decision");
    let posted = h
        .staff_post(
            Some(&moderator),
            &path,
            decision(&moderator, version, "post", "spam", ""),
        )
        .await;
    assert_eq!(posted.status, StatusCode::SEE_OTHER);
    assert_eq!(
        h.staff_get(&moderator, "/staff/audit").await.status,
        StatusCode::FORBIDDEN
    );

    let audit = h.staff_get(&admin, "/staff/audit").await;
    assert_eq!(audit.status, StatusCode::OK);
    assert!(audit.body.contains("user.create"));
    assert!(audit.body.contains("new.mod@ftc.gov (moderator)"));
    assert!(audit.body.contains("comment.moderate"));

    let csv = h.staff_get(&admin, "/staff/audit.csv").await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv
        .headers
        .get(header::CONTENT_DISPOSITION)
        .unwrap()
        .to_str()
        .unwrap()
        .contains("attachment"));
    let lines: Vec<&str> = csv.body.lines().collect();
    assert_eq!(
        lines[0],
        "id,at,actor,action,object_type,object_id,before,after"
    );
    assert!(lines
        .iter()
        .any(|l| l.contains(",admin@ftc.gov,user.create,staff_user,")
            && l.ends_with("new.mod@ftc.gov (moderator)")));
    assert!(lines.iter().any(
        |l| l.contains(",second.mod@ftc.gov,comment.moderate,comment,")
            && l.ends_with(",pending,posted")
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn state_changes_need_the_sessions_csrf_token() {
    let h = docket_with_comments(&["A comment."]).await;
    let moderator = h.staff_session("mod@ftc.gov", Role::Moderator).await;
    let (id, version) = queue_ids(&h).await[0];
    let forged = StaffSession {
        cookie: moderator.cookie.clone(),
        csrf: "0".repeat(64),
    };
    let response = h
        .staff_post(
            Some(&moderator),
            &format!("/staff/comments/{id}/decision"),
            decision(&forged, version, "post", "spam", ""),
        )
        .await;
    assert_eq!(response.status, StatusCode::FORBIDDEN);
    assert_eq!(h.store().pending_count().await.unwrap(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn moderators_post_and_withhold_and_the_public_sees_only_what_was_posted() {
    let h = docket_with_comments(&["Please post me.", "Call me at 202-555-0100."]).await;
    let moderator = h.staff_session("mod@ftc.gov", Role::Moderator).await;
    let queue = h.staff_get(&moderator, "/staff").await;
    assert_eq!(
        queue.body.matches("Check for: phone number").count(),
        1,
        "the phone number is flagged for the moderator"
    );
    let ids = queue_ids(&h).await;
    let (first, second) = (ids[0], ids[1]);
    let posted = h
        .staff_post(
            Some(&moderator),
            &format!("/staff/comments/{}/decision", first.0),
            decision(&moderator, first.1, "post", "spam", ""),
        )
        .await;
    assert_eq!(posted.status, StatusCode::SEE_OTHER);
    let withheld = h
        .staff_post(
            Some(&moderator),
            &format!("/staff/comments/{}/decision", second.0),
            decision(&moderator, second.1, "withhold", "personal_information", ""),
        )
        .await;
    assert_eq!(withheld.status, StatusCode::SEE_OTHER);
    assert_eq!(h.store().pending_count().await.unwrap(), 0);

    let page = h.get(&format!("/dockets/{DOCKET}")).await;
    assert!(page.body.contains("Please post me."));
    assert!(
        !page.body.contains("555-0100"),
        "withheld comments are not public"
    );
    assert!(
        !page.body.contains("ada@example.org"),
        "no contact details in public"
    );
    assert!(page.body.contains("2 received, 1 posted"));
    assert!(page.body.contains("Withheld — Personal information: 1"));

    let public = h.get(&format!("/comments/{DOCKET}-0002")).await;
    assert_eq!(public.status, StatusCode::OK);
    assert!(public.body.contains("Please post me."));
    assert!(public.body.contains("Ada Lovelace"));
    assert!(!public.body.contains("ada@example.org"));
    assert_eq!(
        h.get(&format!("/comments/{DOCKET}-0003")).await.status,
        StatusCode::NOT_FOUND
    );

    let audit = h.store().audit_log(10).await.unwrap();
    let moderation: Vec<_> = audit
        .iter()
        .filter(|e| e.action == "comment.moderate")
        .collect();
    assert_eq!(moderation.len(), 2);
    assert!(moderation
        .iter()
        .all(|e| e.actor == "mod@ftc.gov" && e.before.as_deref() == Some("pending")));
    assert!(moderation
        .iter()
        .any(|e| e.after.as_deref() == Some("withheld (personal_information)")));
    assert!(moderation
        .iter()
        .any(|e| e.after.as_deref() == Some("posted")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_decision_on_a_stale_view_is_refused_and_shows_the_current_state() {
    let h = docket_with_comments(&["Contested."]).await;
    let first = h.staff_session("first@ftc.gov", Role::Moderator).await;
    let second = h.staff_session("second@ftc.gov", Role::Moderator).await;
    let (id, version) = queue_ids(&h).await[0];
    let path = format!("/staff/comments/{id}/decision");
    assert_eq!(
        h.staff_post(
            Some(&first),
            &path,
            decision(&first, version, "post", "spam", "")
        )
        .await
        .status,
        StatusCode::SEE_OTHER
    );
    let late = h
        .staff_post(
            Some(&second),
            &path,
            decision(&second, version, "withhold", "spam", ""),
        )
        .await;
    assert_eq!(late.status, StatusCode::CONFLICT);
    assert!(late.body.contains(&format!(
        "Comment {id} was already changed by first@ftc.gov: it is now posted. Nothing was changed."
    )));
    assert_eq!(
        h.count("SELECT COUNT(*) FROM comments WHERE status = 'posted'")
            .await,
        1
    );

    let other = h
        .staff_post(
            Some(&second),
            &path,
            decision(&second, version + 1, "withhold", "other", ""),
        )
        .await;
    assert_eq!(
        other.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "another reason needs a note"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn withholding_without_a_chosen_reason_is_refused_and_changes_nothing() {
    let h = docket_with_comments(&["Undecided.", "Also undecided."]).await;
    let moderator = h.staff_session("mod@ftc.gov", Role::Moderator).await;
    let ids = queue_ids(&h).await;
    let (id, version) = ids[0];
    for reason in ["", "personal_informationX"] {
        let refused = h
            .staff_post(
                Some(&moderator),
                &format!("/staff/comments/{id}/decision"),
                decision(&moderator, version, "withhold", reason, ""),
            )
            .await;
        assert_eq!(
            refused.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{reason:?}"
        );
        assert!(
            refused
                .body
                .contains("Choose a reason for withholding; nothing was changed."),
            "{}",
            refused.body
        );
    }
    let selected: Vec<String> = ids.iter().map(|(id, v)| format!("{id}:{v}")).collect();
    let mut bulk = vec![
        ("csrf_token", moderator.csrf.as_str()),
        ("decision", "withhold"),
        ("reason", ""),
    ];
    bulk.extend(selected.iter().map(|s| ("selected", s.as_str())));
    let refused = h
        .staff_post(Some(&moderator), "/staff/comments/bulk", encode_form(&bulk))
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    // With a reason but without the confirmation, bulk withholding is refused too.
    bulk[2] = ("reason", "spam");
    let unconfirmed = h
        .staff_post(Some(&moderator), "/staff/comments/bulk", encode_form(&bulk))
        .await;
    assert_eq!(unconfirmed.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(unconfirmed
        .body
        .contains("Tick “Yes, withhold every ticked comment” to confirm; nothing was changed."));
    assert_eq!(
        h.count("SELECT COUNT(*) FROM comments WHERE status = 'pending'")
            .await,
        2
    );
    // The queue offers no reason beforehand.
    let queue = h.staff_get(&moderator, "/staff").await;
    assert!(queue
        .body
        .contains(r#"<option value="" selected>Choose a reason</option>"#));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_decisions_on_one_comment_let_exactly_one_win() {
    let h = docket_with_comments(&["Raced."]).await;
    let (id, version) = queue_ids(&h).await[0];
    let now = instant("2023-03-20T16:00:00Z");
    let a = Actor::Staff {
        user_id: h
            .store()
            .add_staff_user(
                "a@ftc.gov",
                Role::Moderator,
                "a long enough passphrase",
                &Actor::CommandLine,
                now,
            )
            .await
            .unwrap(),
        email: "a@ftc.gov".into(),
    };
    let b = Actor::Staff {
        user_id: h
            .store()
            .add_staff_user(
                "b@ftc.gov",
                Role::Moderator,
                "a long enough passphrase",
                &Actor::CommandLine,
                now,
            )
            .await
            .unwrap(),
        email: "b@ftc.gov".into(),
    };
    let withhold = Decision::Withhold {
        reason: WithholdReason::Spam,
        note: None,
    };
    let post = Decision::Post { redact: vec![] };
    let (ra, rb) = tokio::join!(
        h.store().moderate(id, version, &post, &a, now),
        h.store().moderate(id, version, &withhold, &b, now)
    );
    let results = [ra, rb];
    assert_eq!(
        results.iter().filter(|r| r.is_ok()).count(),
        1,
        "{results:?}"
    );
    assert!(results
        .iter()
        .any(|r| matches!(r, Err(ModerationError::Stale { .. }))));
    assert_eq!(
        h.count("SELECT COUNT(*) FROM audit_log WHERE action = 'comment.moderate'")
            .await,
        1
    );
    let status = results
        .iter()
        .find_map(|r| r.as_ref().ok())
        .copied()
        .unwrap();
    assert_ne!(status, CommentStatus::Pending);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_audit_log_cannot_be_changed() {
    let h = docket_with_comments(&[]).await;
    h.staff_session("admin@ftc.gov", Role::Admin).await;
    assert!(h.count("SELECT COUNT(*) FROM audit_log").await >= 1);
    let update = sqlx::query("UPDATE audit_log SET actor = 'someone else'")
        .execute(h.store().pool())
        .await;
    assert!(update.is_err(), "updates are refused");
    let delete = sqlx::query("DELETE FROM audit_log")
        .execute(h.store().pool())
        .await;
    assert!(delete.is_err(), "deletes are refused");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signing_out_ends_the_session() {
    let h = docket_with_comments(&[]).await;
    let moderator = h.staff_session("mod@ftc.gov", Role::Moderator).await;
    assert_eq!(
        h.staff_get(&moderator, "/staff").await.status,
        StatusCode::OK
    );
    let out = h
        .staff_post(
            Some(&moderator),
            "/staff/logout",
            encode_form(&[("csrf_token", &moderator.csrf)]),
        )
        .await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert!(out
        .headers
        .get(header::SET_COOKIE)
        .unwrap()
        .to_str()
        .unwrap()
        .contains("Max-Age=0"));
    assert_eq!(
        h.staff_get(&moderator, "/staff").await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_expire() {
    let h = docket_with_comments(&[]).await;
    let moderator = h.staff_session("mod@ftc.gov", Role::Moderator).await;
    h.clock.advance(Duration::hours(13));
    assert_eq!(
        h.staff_get(&moderator, "/staff").await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_creates_a_docket_and_extends_its_deadline_in_public() {
    let h = docket_with_comments(&[]).await;
    let admin = h.staff_session("admin@ftc.gov", Role::Admin).await;
    let create = |id: &str, opens_at: &str, due_date: &str| {
        encode_form(&[
            ("csrf_token", &admin.csrf),
            ("id", id),
            ("title", "Proposed order on data brokers"),
            ("agency_name", "Federal Trade Commission"),
            ("time_zone", "America/New_York"),
            ("opens_at", opens_at),
            ("due_date", due_date),
            ("document_title", "Analysis of Proposed Consent Order"),
            ("federal_register", "89 FR 1234"),
            ("summary", "A short summary."),
            (
                "body_markdown",
                "## The order\r\n\r\nIt **requires** things.",
            ),
        ])
    };
    // The agency's zone is picked from the IANA names, New York first chosen.
    let form = h.staff_get(&admin, "/staff/dockets").await;
    assert!(form
        .body
        .contains(r#"<option value="America/New_York" selected>America/New_York"#));
    assert!(form
        .body
        .contains(r#"<option value="Europe/Paris">Europe/Paris"#));
    let created = h
        .staff_post(
            Some(&admin),
            "/staff/dockets",
            create("FTC-2024-0001", "2023-03-20T09:00", "2023-04-19"),
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let page = h.get("/dockets/FTC-2024-0001").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("April 19, 2023, 11:59:59 PM EDT"));
    assert!(page.body.contains("<strong>requires</strong>"));
    assert!(page.body.contains("89 FR 1234"));

    let bad = h
        .staff_post(
            Some(&admin),
            "/staff/dockets",
            create("FTC-2024-0002", "soon", "2023-04-19"),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad
        .body
        .contains("The docket was not created: the opening time must be an instant"));
    let duplicate = h
        .staff_post(
            Some(&admin),
            "/staff/dockets",
            create("FTC-2024-0001", "2023-03-20T09:00", ""),
        )
        .await;
    assert_eq!(duplicate.status, StatusCode::CONFLICT);

    let extend = |date: &str| encode_form(&[("csrf_token", &admin.csrf), ("due_date", date)]);
    let earlier = h
        .staff_post(
            Some(&admin),
            "/staff/dockets/FTC-2024-0001/extend",
            extend("2023-04-01"),
        )
        .await;
    assert_eq!(earlier.status, StatusCode::CONFLICT);
    assert!(earlier
        .body
        .contains("the new deadline must be later than the current one"));
    let extended = h
        .staff_post(
            Some(&admin),
            "/staff/dockets/FTC-2024-0001/extend",
            extend("2023-05-19"),
        )
        .await;
    assert_eq!(extended.status, StatusCode::SEE_OTHER);
    let page = h.get("/dockets/FTC-2024-0001").await;
    assert!(page.body.contains(
        "Extended from April 19, 2023, 11:59:59 PM EDT to May 19, 2023, 11:59:59 PM EDT"
    ));

    // A comment after the old deadline is on time now.
    h.clock.set(instant("2023-04-25T12:00:00Z"));
    let form = encode_form(&[
        ("form_token", &h.form_token("FTC-2024-0001")),
        ("submitter_type", "anonymous"),
        ("comment", "Glad for the extra time."),
    ]);
    assert_eq!(
        h.post_form("/dockets/FTC-2024-0001", form).await.status,
        StatusCode::SEE_OTHER
    );

    h.clock.set(instant("2023-06-01T12:00:00Z"));
    let later = h.staff_session("admin2@ftc.gov", Role::Admin).await;
    let reextend = encode_form(&[("csrf_token", &later.csrf), ("due_date", "2023-07-01")]);
    let closed = h
        .staff_post(
            Some(&later),
            "/staff/dockets/FTC-2024-0001/extend",
            reextend,
        )
        .await;
    assert_eq!(closed.status, StatusCode::CONFLICT);
    assert!(closed.body.contains("has already closed"));

    // A closed docket is reopened with a new window; the earlier window is kept and comments
    // record the window they came in.
    let reopen = encode_form(&[("csrf_token", &later.csrf), ("due_date", "2023-06-30")]);
    let reopened = h
        .staff_post(
            Some(&later),
            "/staff/dockets/FTC-2024-0001/reopen",
            reopen.clone(),
        )
        .await;
    assert_eq!(reopened.status, StatusCode::SEE_OTHER, "{}", reopened.body);
    let again = h
        .staff_post(Some(&later), "/staff/dockets/FTC-2024-0001/reopen", reopen)
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert!(again
        .body
        .contains("the comment period is still open; extend it instead"));
    let id = opendocket_core::docket::DocketId::parse("FTC-2024-0001").unwrap();
    assert_eq!(h.store().window_count(&id).await.unwrap(), 2);
    let form = encode_form(&[
        ("form_token", &h.form_token("FTC-2024-0001")),
        ("submitter_type", "anonymous"),
        ("comment", "Thank you for reopening."),
    ]);
    assert_eq!(
        h.post_form("/dockets/FTC-2024-0001", form).await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        h.count("SELECT COUNT(DISTINCT window_id) FROM comments WHERE docket_id = 'FTC-2024-0001'")
            .await,
        2
    );

    let actions: Vec<String> = h
        .store()
        .audit_log(50)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert!(actions.contains(&"docket.create".to_owned()));
    assert_eq!(actions.iter().filter(|a| *a == "docket.extend").count(), 1);
    assert_eq!(actions.iter().filter(|a| *a == "docket.reopen").count(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redacted_spans_show_as_redacted_in_public_and_stay_whole_for_staff() {
    let h = docket_with_comments(&["I am a patient; reach me at 202-555-0143. Keep data private."])
        .await;
    let moderator = h.staff_session("mod@ftc.gov", Role::Moderator).await;
    let (id, version) = queue_ids(&h).await[0];
    let path = format!("/staff/comments/{id}/decision");
    let post = |version: i64, redact: &str| {
        encode_form(&[
            ("csrf_token", &moderator.csrf),
            ("version", &version.to_string()),
            ("decision", "post"),
            ("reason", "spam"),
            ("redact", redact),
        ])
    };
    let missing = h
        .staff_post(Some(&moderator), &path, post(version, "555-9999"))
        .await;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(missing
        .body
        .contains("“555-9999” does not appear in the comment"));
    assert_eq!(
        h.store().pending_count().await.unwrap(),
        1,
        "nothing changed"
    );

    let posted = h
        .staff_post(
            Some(&moderator),
            &path,
            post(version, "202-555-0143|patient"),
        )
        .await;
    assert_eq!(posted.status, StatusCode::SEE_OTHER);
    let public = h.get(&format!("/comments/{DOCKET}-0002")).await;
    assert!(
        public
            .body
            .contains("I am a [redacted]; reach me at [redacted]. Keep data private."),
        "{}",
        public.body
    );
    assert!(!public.body.contains("202-555-0143"));
    let docket = h.get(&format!("/dockets/{DOCKET}")).await;
    assert!(!docket.body.contains("202-555-0143"));
    use sqlx::Row;
    let row = sqlx::query("SELECT body, redactions FROM comments")
        .fetch_one(h.store().pool())
        .await
        .unwrap();
    assert!(
        row.get::<String, _>("body").contains("202-555-0143"),
        "the original is kept for staff"
    );
    assert_eq!(row.get::<String, _>("redactions"), "7-14,28-40");
    let audit = h.store().audit_log(5).await.unwrap();
    assert!(audit
        .iter()
        .any(|e| e.after.as_deref() == Some("posted with redactions 7-14,28-40")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admins_set_the_late_policy_and_withdraw_dockets() {
    let h = docket_with_comments(&[]).await;
    let admin = h.staff_session("admin@ftc.gov", Role::Admin).await;
    let path = |action: &str| format!("/staff/dockets/{DOCKET}/{action}");
    let comment = || {
        encode_form(&[
            ("form_token", &h.form_token(DOCKET)),
            ("submitter_type", "anonymous"),
            ("comment", "A view."),
        ])
    };

    let policy = encode_form(&[("csrf_token", &admin.csrf), ("allow_late", "on")]);
    assert_eq!(
        h.staff_post(Some(&admin), &path("late-policy"), policy)
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    h.clock.set(instant("2023-04-14T05:00:00Z"));
    let late = h.staff_session("admin2@ftc.gov", Role::Admin).await;
    assert_eq!(
        h.post_form(&format!("/dockets/{DOCKET}"), comment())
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        h.count("SELECT COUNT(*) FROM comments WHERE late = 1")
            .await,
        1
    );

    let unconfirmed = encode_form(&[("csrf_token", &late.csrf)]);
    let refused = h
        .staff_post(Some(&late), &path("withdraw"), unconfirmed)
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused
        .body
        .contains("was not withdrawn: tick “I mean it” to confirm."));

    let confirmed = encode_form(&[("csrf_token", &late.csrf), ("confirm", "yes")]);
    assert_eq!(
        h.staff_post(Some(&late), &path("withdraw"), confirmed)
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    let page = h.get(&format!("/dockets/{DOCKET}")).await;
    assert!(page
        .body
        .contains("The agency withdrew this docket on April 14, 2023"));
    assert!(!page.has_comment_form());
    let after = h.post_form(&format!("/dockets/{DOCKET}"), comment()).await;
    assert_eq!(after.status, StatusCode::CONFLICT);
    assert!(after
        .body
        .contains("The agency withdrew this docket; it no longer takes comments."));
    assert_eq!(h.comment_count().await, 1);
    let home = h.get("/").await;
    assert!(home.body.contains("Withdrawn by the agency"));

    let actions: Vec<String> = h
        .store()
        .audit_log(20)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert!(actions.contains(&"docket.late_policy".to_owned()));
    assert!(actions.contains(&"docket.withdraw".to_owned()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_change_their_password_and_other_sessions_end() {
    let h = docket_with_comments(&[]).await;
    let here = h.staff_session("mod@ftc.gov", Role::Moderator).await;
    let login = |password: &str| encode_form(&[("email", "mod@ftc.gov"), ("password", password)]);
    let elsewhere = h
        .post_form("/staff/login", login("a long enough passphrase"))
        .await;
    let elsewhere_cookie = elsewhere
        .headers
        .get(header::SET_COOKIE)
        .unwrap()
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let elsewhere = StaffSession {
        cookie: elsewhere_cookie,
        csrf: String::new(),
    };
    assert_eq!(
        h.staff_get(&elsewhere, "/staff").await.status,
        StatusCode::OK
    );

    let change = |current: &str, new: &str| {
        encode_form(&[
            ("csrf_token", &here.csrf),
            ("current_password", current),
            ("new_password", new),
        ])
    };
    let wrong = h
        .staff_post(
            Some(&here),
            "/staff/password",
            change("not it at all", "a brand new passphrase"),
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong
        .body
        .contains("The current password is not right; nothing was changed."));
    let short = h
        .staff_post(
            Some(&here),
            "/staff/password",
            change("a long enough passphrase", "short"),
        )
        .await;
    assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);

    let changed = h
        .staff_post(
            Some(&here),
            "/staff/password",
            change("a long enough passphrase", "a brand new passphrase"),
        )
        .await;
    assert_eq!(changed.status, StatusCode::OK);
    assert!(changed.body.contains("Your password was changed"));
    assert_eq!(
        h.staff_get(&here, "/staff").await.status,
        StatusCode::OK,
        "this session goes on"
    );
    assert_eq!(
        h.staff_get(&elsewhere, "/staff").await.status,
        StatusCode::UNAUTHORIZED,
        "other sessions end"
    );
    assert_eq!(
        h.post_form("/staff/login", login("a long enough passphrase"))
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        h.post_form("/staff/login", login("a brand new passphrase"))
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    let audit = h.store().audit_log(5).await.unwrap();
    assert!(audit
        .iter()
        .any(|e| e.action == "user.password" && e.actor == "mod@ftc.gov"));
    assert!(
        audit
            .iter()
            .all(|e| !e.after.as_deref().unwrap_or("").contains("argon2")),
        "no hashes in the log"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bulk_decisions_apply_to_the_ticked_comments_and_skip_stale_ones() {
    let h = docket_with_comments(&["One.", "Two.", "Three.", "Four."]).await;
    let moderator = h.staff_session("mod@ftc.gov", Role::Moderator).await;
    let queue = h.staff_get(&moderator, "/staff").await;
    assert!(queue.body.contains("Withhold selected"));
    let ids = queue_ids(&h).await;
    // Someone else decides the third one first.
    let other = Actor::Staff {
        user_id: h.store().staff_users().await.unwrap()[0].id,
        email: "mod@ftc.gov".into(),
    };
    h.store()
        .moderate(
            ids[2].0,
            ids[2].1,
            &Decision::Post { redact: vec![] },
            &other,
            instant("2023-03-20T15:00:00Z"),
        )
        .await
        .unwrap();
    let mut fields = vec![
        ("csrf_token".to_owned(), moderator.csrf.clone()),
        ("decision".into(), "withhold".into()),
        ("reason".into(), "spam".into()),
        ("confirm".into(), "yes".into()),
    ];
    for (id, version) in &ids[..3] {
        fields.push(("selected".into(), format!("{id}:{version}")));
    }
    let body = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect::<Vec<_>>();
    let response = h
        .staff_post(Some(&moderator), "/staff/comments/bulk", encode_form(&body))
        .await;
    assert_eq!(response.status, StatusCode::OK);
    assert!(
        response.body.contains(
            "Withheld 2 of 3 selected comments. 1 had already been decided by someone else"
        ),
        "{}",
        response.body
    );
    assert_eq!(
        h.count("SELECT COUNT(*) FROM comments WHERE status = 'withheld'")
            .await,
        2
    );
    assert_eq!(
        h.count("SELECT COUNT(*) FROM comments WHERE status = 'pending'")
            .await,
        1
    );
    let none = h
        .staff_post(
            Some(&moderator),
            "/staff/comments/bulk",
            encode_form(&[("csrf_token", &moderator.csrf), ("decision", "post")]),
        )
        .await;
    assert_eq!(none.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_decision_can_be_undone_and_the_comment_returns_to_the_queue() {
    let h = docket_with_comments(&["Posted too soon."]).await;
    let moderator = h.staff_session("mod@ftc.gov", Role::Moderator).await;
    let (id, version) = queue_ids(&h).await[0];
    let path = format!("/staff/comments/{id}/decision");
    assert_eq!(
        h.staff_post(
            Some(&moderator),
            &path,
            decision(&moderator, version, "post", "spam", "")
        )
        .await
        .status,
        StatusCode::SEE_OTHER
    );
    assert!(h
        .get(&format!("/dockets/{DOCKET}"))
        .await
        .body
        .contains("Posted too soon."));

    let decided = h.staff_get(&moderator, "/staff/decided").await;
    let decided_body = decided.body.replace("<!>", "");
    assert!(decided_body.contains(&format!(
        r#"<a href="/staff/comments/{DOCKET}-0002">{DOCKET}-0002</a>"#
    )));
    assert!(decided_body.contains(&format!("Posted as {DOCKET}-0002 by mod@ftc.gov, ")));
    let stale = h
        .staff_post(
            Some(&moderator),
            &path,
            decision(&moderator, version, "restore", "spam", ""),
        )
        .await;
    assert_eq!(
        stale.status,
        StatusCode::CONFLICT,
        "the view of version {version} is stale"
    );
    let restored = h
        .staff_post(
            Some(&moderator),
            &path,
            decision(&moderator, version + 1, "restore", "spam", ""),
        )
        .await;
    assert_eq!(restored.status, StatusCode::SEE_OTHER);
    assert_eq!(h.store().pending_count().await.unwrap(), 1);
    assert!(
        !h.get(&format!("/dockets/{DOCKET}"))
            .await
            .body
            .contains("Posted too soon."),
        "no longer public"
    );
    assert_eq!(
        h.get(&format!("/comments/{DOCKET}-0002")).await.status,
        StatusCode::NOT_FOUND
    );
    let audit = h.store().audit_log(5).await.unwrap();
    assert!(audit.iter().any(|e| e.action == "comment.restore"
        && e.before.as_deref() == Some("posted")
        && e.after.as_deref() == Some("pending")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admins_edit_a_dockets_title_and_document() {
    let h = docket_with_comments(&[]).await;
    let admin = h.staff_session("admin@ftc.gov", Role::Admin).await;
    let form = h
        .staff_get(&admin, &format!("/staff/dockets/{DOCKET}/edit"))
        .await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(
        form.body.contains("The **order** says things."),
        "the current Markdown is in the form"
    );
    let edit = |title: &str| {
        encode_form(&[
            ("csrf_token", &admin.csrf),
            ("title", title),
            ("document_title", "Corrected analysis"),
            ("federal_register", "88 FR 15717"),
            ("summary", "Now with a better summary."),
            ("body_markdown", "## Corrected\r\n\r\nThe *final* text."),
        ])
    };
    assert_eq!(
        h.staff_post(Some(&admin), &format!("/staff/dockets/{DOCKET}"), edit(""))
            .await
            .status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let saved = h
        .staff_post(
            Some(&admin),
            &format!("/staff/dockets/{DOCKET}"),
            edit("BetterHelp, corrected"),
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    let page = h.get(&format!("/dockets/{DOCKET}")).await;
    assert!(page.body.contains("BetterHelp, corrected"));
    assert!(page.body.contains("Corrected analysis"));
    assert!(page.body.contains("<em>final</em>"));
    let audit = h.store().audit_log(5).await.unwrap();
    assert!(audit.iter().any(|e| e.action == "docket.edit"
        && e.after.as_deref() == Some("BetterHelp, corrected (document: Corrected analysis)")));
    let moderator = h.staff_session("mod@ftc.gov", Role::Moderator).await;
    assert_eq!(
        h.staff_get(&moderator, &format!("/staff/dockets/{DOCKET}/edit"))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admins_move_the_opening_of_a_scheduled_window() {
    let h = Harness::new(instant("2023-03-10T12:00:00Z")).await;
    h.create_docket(
        DOCKET,
        instant("2023-03-14T13:00:00Z"),
        instant("2023-04-14T04:00:00Z"),
        false,
    )
    .await;
    let admin = h.staff_session("admin@ftc.gov", Role::Admin).await;
    let schedule =
        |opens_at: &str| encode_form(&[("csrf_token", &admin.csrf), ("opens_at", opens_at)]);
    let path = format!("/staff/dockets/{DOCKET}/schedule");
    let after_deadline = h
        .staff_post(Some(&admin), &path, schedule("2023-05-01T09:00"))
        .await;
    assert_eq!(after_deadline.status, StatusCode::CONFLICT);
    assert!(after_deadline
        .body
        .contains("the new opening must be in the future and before the deadline"));
    let moved = h
        .staff_post(Some(&admin), &path, schedule("2023-03-11T09:00"))
        .await;
    assert_eq!(moved.status, StatusCode::SEE_OTHER);
    assert!(h
        .get(&format!("/dockets/{DOCKET}"))
        .await
        .body
        .contains("March 11, 2023, 9:00:00 AM EST"));

    h.clock.set(instant("2023-03-11T15:00:00Z"));
    let form = encode_form(&[
        ("form_token", &h.form_token(DOCKET)),
        ("submitter_type", "anonymous"),
        ("comment", "Early bird."),
    ]);
    assert_eq!(
        h.post_form(&format!("/dockets/{DOCKET}"), form)
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    let later = h.staff_session("admin2@ftc.gov", Role::Admin).await;
    let body = encode_form(&[
        ("csrf_token", &later.csrf),
        ("opens_at", "2023-03-12T09:00"),
    ]);
    let again = h.staff_post(Some(&later), &path, body).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert!(again.body.contains("the comment period has already opened"));
    let actions: Vec<String> = h
        .store()
        .audit_log(10)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(
        actions.iter().filter(|a| *a == "docket.schedule").count(),
        1
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_staff_form_that_is_not_utf8_is_refused_as_such_and_changes_nothing() {
    let h = docket_with_comments(&["A comment."]).await;
    let moderator = h.staff_session("moderator@ftc.gov", Role::Moderator).await;
    let (id, version) = queue_ids(&h).await[0];
    let body = format!(
        "{}&note=%FF%FE",
        decision(&moderator, version, "withhold", "other", "")
    );
    let refused = h
        .staff_post(
            Some(&moderator),
            &format!("/staff/comments/{id}/decision"),
            body,
        )
        .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.body);
    assert!(refused.body.contains("not valid UTF-8"), "{}", refused.body);
    assert_eq!(
        queue_ids(&h).await,
        vec![(id, version)],
        "nothing was decided"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_comment_has_a_staff_page_with_its_whole_text_tags_history_and_controls() {
    let long = format!(
        "The whole comment. {}The end.",
        "Refunds matter. ".repeat(200)
    );
    let h = docket_with_comments(&[&long]).await;
    let (id, version) = queue_ids(&h).await[0];
    let page = format!("/staff/comments/{id}");
    let analyst = h.staff_session("analyst@ftc.gov", Role::Analyst).await;
    let read = h.staff_get(&analyst, &page).await;
    assert_eq!(read.status, StatusCode::OK);
    assert!(read.body.contains(&long), "the whole text, never cut");
    assert!(read.body.contains("Waiting for a decision"));
    assert!(read.body.contains("Nothing has been done to it yet."));
    assert!(
        !read.body.contains("ada@example.org"),
        "analysts see no contact details"
    );
    assert!(
        !read.body.contains(r#"value="withhold""#),
        "analysts cannot decide"
    );
    assert_eq!(
        h.get(&page).await.status,
        StatusCode::UNAUTHORIZED,
        "never public"
    );

    let moderator = h.staff_session("mod@ftc.gov", Role::Moderator).await;
    let seen = h.staff_get(&moderator, &page).await;
    assert!(seen.body.contains("ada@example.org"));
    assert!(seen.body.contains(r#"name="back" value="comment""#));
    let posted = h
        .staff_post(
            Some(&moderator),
            &format!("/staff/comments/{id}/decision"),
            encode_form(&[
                ("csrf_token", &moderator.csrf),
                ("version", &version.to_string()),
                ("decision", "post"),
                ("back", "comment"),
            ]),
        )
        .await;
    assert_eq!(posted.status, StatusCode::SEE_OTHER);
    assert_eq!(posted.location(), page, "back to the same comment");

    // Found by its public id too, now that it has one.
    let public_id: String = sqlx::query_scalar("SELECT public_id FROM comments WHERE id = $1")
        .bind(id)
        .fetch_one(h.store().pool())
        .await
        .unwrap();
    let after = h
        .staff_get(&analyst, &format!("/staff/comments/{public_id}"))
        .await;
    assert_eq!(after.status, StatusCode::OK);
    assert!(after
        .body
        .contains(&format!("Posted as {public_id} by mod@ftc.gov")));
    assert!(after.body.contains("comment.moderate by mod@ftc.gov"));

    // Tagged from the page, the analyst comes back to it.
    let tag = h
        .store()
        .create_tag(
            DOCKET,
            &opendocket_core::tags::TagName::parse("Refunds").unwrap(),
            &Actor::CommandLine,
            h.services.clock.now(),
        )
        .await
        .unwrap();
    let tagged = h
        .staff_form(
            &analyst,
            &format!("/staff/comments/{id}/tags"),
            &[
                ("action", "add"),
                ("tag_id", &tag.to_string()),
                ("back", "comment"),
            ],
        )
        .await;
    assert_eq!(tagged.status, StatusCode::SEE_OTHER, "{}", tagged.body);
    assert_eq!(tagged.location(), page);
    let with_tag = h.staff_get(&analyst, &page).await;
    assert!(with_tag.body.contains(r#"aria-label="Remove tag Refunds""#));
    assert!(!with_tag.body.contains("No tags."));
    assert!(
        read.body.contains("No tags."),
        "an untagged comment says so"
    );

    let missing = h.staff_get(&analyst, "/staff/comments/999999").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(missing.body.contains("No such comment"));
    // A hostile id: 60,000 characters, or a number past i64, is an unknown comment.
    for hostile in [
        "9".repeat(60_000),
        "99999999999999999999999".to_owned(),
        "%00%27".to_owned(),
    ] {
        let page = h
            .staff_get(&analyst, &format!("/staff/comments/{hostile}"))
            .await;
        assert_eq!(
            page.status,
            StatusCode::NOT_FOUND,
            "{}",
            &hostile[..10.min(hostile.len())]
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_comment_page_shows_the_newest_hundred_lines_of_a_long_history() {
    let h = docket_with_comments(&["Tagged and untagged many times."]).await;
    let (id, _) = queue_ids(&h).await[0];
    let tag = h
        .store()
        .create_tag(
            DOCKET,
            &opendocket_core::tags::TagName::parse("Churn").unwrap(),
            &Actor::CommandLine,
            h.services.clock.now(),
        )
        .await
        .unwrap();
    for i in 0..130 {
        let actor = Actor::CommandLine;
        let now = h.services.clock.now();
        h.store()
            .set_comment_tag(&[id], tag, i % 2 == 0, &actor, now)
            .await
            .unwrap();
    }
    let analyst = h.staff_session("analyst@ftc.gov", Role::Analyst).await;
    let page = h
        .staff_get(&analyst, &format!("/staff/comments/{id}"))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    let history = &page.body[page.body.find("<ol class=\"history\">").unwrap()..];
    let history = &history[..history.find("</ol>").unwrap()];
    let lines = history.matches("<li>").count();
    assert_eq!(lines, 100, "the newest hundred, not all 130");
}
