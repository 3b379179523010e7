//! Staff sign-in under attack and the admin's controls over accounts: lock-outs that apply to the
//! network that failed, throttling before any hashing, and disabling, re-enabling, changing the
//! role, unlocking, ending sessions and resetting a password, on the web and the command line.

use crate::common::{encode_form, instant, Harness, StaffSession};
use axum::http::{header, StatusCode};
use opendocket_core::accounts::{AccountControl, Actor};
use opendocket_core::roles::Role;

const PASSWORD: &str = "a long enough passphrase";

async fn harness_with_moderator() -> Harness {
    let h = Harness::new(instant("2023-03-20T15:00:00Z")).await;
    h.store()
        .add_staff_user(
            "mod@ftc.gov",
            Role::Moderator,
            PASSWORD,
            &Actor::CommandLine,
            h.services.clock.now(),
        )
        .await
        .unwrap();
    h
}

fn attempt(password: &str) -> String {
    encode_form(&[("email", "mod@ftc.gov"), ("password", password)])
}

async fn audit_actions(h: &Harness) -> Vec<String> {
    sqlx::query_scalar("SELECT action FROM audit_log ORDER BY id")
        .fetch_all(h.store().pool())
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_wrong_passwords_from_one_network_do_not_keep_the_owner_out() {
    let h = harness_with_moderator().await;
    let mut statuses = Vec::new();
    for i in 0..50 {
        // The attacker spreads over its /24, past the per-address throttle.
        let address = format!("203.0.113.{}", i / 10 + 1);
        let page = h
            .post_form_from(&address, "/staff/login", attempt("wrong password!"))
            .await;
        assert!(page.headers.get(header::SET_COOKIE).is_none());
        statuses.push(page.status);
    }
    let count = |status| statuses.iter().filter(|s| **s == status).count();
    assert_eq!(count(StatusCode::UNAUTHORIZED), 5, "{statuses:?}");
    // Then locked for that network, and throttled once its /24 passes 30 attempts a minute.
    assert_eq!(count(StatusCode::TOO_MANY_REQUESTS), 45, "{statuses:?}");
    let locked = h
        .post_form_from("203.0.113.99", "/staff/login", attempt(PASSWORD))
        .await;
    assert_eq!(
        locked.status,
        StatusCode::TOO_MANY_REQUESTS,
        "the right password too, from there"
    );

    // The owner, elsewhere, signs in.
    let owner = h
        .post_form_from("198.51.100.20", "/staff/login", attempt(PASSWORD))
        .await;
    assert_eq!(owner.status, StatusCode::SEE_OTHER, "{}", owner.body);
    assert!(owner.headers.get(header::SET_COOKIE).is_some());

    let actions = audit_actions(&h).await;
    let count = |action: &str| actions.iter().filter(|a| *a == action).count();
    assert_eq!(
        count("user.sign_in_failed"),
        5,
        "only attempts that reached a password check"
    );
    assert_eq!(count("user.locked_out"), 1);
    assert_eq!(count("user.sign_in"), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unlock_ends_a_networks_lock_and_a_disabled_account_cannot_sign_in() {
    let h = harness_with_moderator().await;
    for _ in 0..5 {
        h.post_form_from("203.0.113.1", "/staff/login", attempt("wrong password!"))
            .await;
    }
    let from = "203.0.113.2";
    let locked = h
        .post_form_from(from, "/staff/login", attempt(PASSWORD))
        .await;
    assert_eq!(locked.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(locked.body.contains("an admin can unlock it"));
    h.store()
        .control_staff_user(
            "mod@ftc.gov",
            &AccountControl::Unlock,
            &Actor::CommandLine,
            h.services.clock.now(),
        )
        .await
        .unwrap();
    let unlocked = h
        .post_form_from(from, "/staff/login", attempt(PASSWORD))
        .await;
    assert_eq!(unlocked.status, StatusCode::SEE_OTHER);

    h.store()
        .control_staff_user(
            "mod@ftc.gov",
            &AccountControl::Disable,
            &Actor::CommandLine,
            h.services.clock.now(),
        )
        .await
        .unwrap();
    let disabled = h
        .post_form_from(from, "/staff/login", attempt(PASSWORD))
        .await;
    assert_eq!(
        disabled.status,
        StatusCode::UNAUTHORIZED,
        "told nothing more than a wrong password"
    );
    assert!(audit_actions(&h).await.contains(&"user.disable".to_owned()));
}

async fn sign_in_with_new_password(h: &Harness) -> StatusCode {
    let form = encode_form(&[
        ("email", "mod@ftc.gov"),
        ("password", "a brand new passphrase"),
    ]);
    h.post_form("/staff/login", form).await.status
}

async fn control(
    h: &Harness,
    admin: &StaffSession,
    id: i64,
    fields: &[(&str, &str)],
) -> crate::common::Page {
    h.staff_form(admin, &format!("/staff/users/{id}"), fields)
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admins_control_accounts_from_the_accounts_page() {
    let h = Harness::new(instant("2023-03-20T15:00:00Z")).await;
    let admin = h.staff_session("admin@ftc.gov", Role::Admin).await;
    let moderator = h.staff_session("mod@ftc.gov", Role::Moderator).await;
    let accounts = h.store().staff_users().await.unwrap();
    let id_of = |email: &str| accounts.iter().find(|a| a.email == email).unwrap().id;
    let (admin_id, mod_id) = (id_of("admin@ftc.gov"), id_of("mod@ftc.gov"));

    let page = h.staff_get(&admin, "/staff/users").await;
    for control in [
        "Disable",
        "Change role",
        "Unlock",
        "End sessions",
        "Reset password",
    ] {
        assert!(page.body.contains(control), "{control}");
    }

    // Disabled: its open session stops working at once.
    assert_eq!(
        control(&h, &admin, mod_id, &[("action", "disable")])
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        h.staff_get(&moderator, "/staff").await.status,
        StatusCode::UNAUTHORIZED
    );
    assert!(h
        .staff_get(&admin, "/staff/users")
        .await
        .body
        .contains("disabled"));
    assert_eq!(
        control(&h, &admin, mod_id, &[("action", "enable")])
            .await
            .status,
        StatusCode::SEE_OTHER
    );

    // A new role applies to the next request of an open session.
    let moderator = h.staff_session_again("mod@ftc.gov").await;
    assert_eq!(
        h.staff_get(&moderator, "/staff/users").await.status,
        StatusCode::FORBIDDEN
    );
    let made_admin = control(&h, &admin, mod_id, &[("action", "role"), ("role", "admin")]).await;
    assert_eq!(made_admin.status, StatusCode::SEE_OTHER);
    assert_eq!(
        h.staff_get(&moderator, "/staff/users").await.status,
        StatusCode::OK
    );

    // Ending sessions and resetting the password sign it out.
    assert_eq!(
        control(&h, &admin, mod_id, &[("action", "sessions")])
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        h.staff_get(&moderator, "/staff").await.status,
        StatusCode::UNAUTHORIZED
    );
    let short = control(
        &h,
        &admin,
        mod_id,
        &[("action", "reset"), ("password", "short")],
    )
    .await;
    assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(short.body.contains("at least 12 characters"));
    let reset = control(
        &h,
        &admin,
        mod_id,
        &[("action", "reset"), ("password", "a brand new passphrase")],
    )
    .await;
    assert_eq!(reset.status, StatusCode::SEE_OTHER);
    assert_eq!(sign_in_with_new_password(&h).await, StatusCode::SEE_OTHER);
    // The password the admin chose must be replaced before anything else.
    let moderator = h
        .staff_session_with("mod@ftc.gov", "a brand new passphrase")
        .await;
    let queue = h.staff_get(&moderator, "/staff").await;
    assert_eq!(queue.status, StatusCode::SEE_OTHER);
    assert_eq!(queue.location(), "/staff/password");
    let form = h
        .staff_form(&moderator, "/staff/comments/bulk", &[("decision", "post")])
        .await;
    assert_eq!(form.status, StatusCode::FORBIDDEN);
    assert!(form.body.contains("choose your own"));
    assert_eq!(
        h.staff_get(&moderator, "/staff/password").await.status,
        StatusCode::OK
    );
    let changed = h
        .staff_form(
            &moderator,
            "/staff/password",
            &[
                ("current_password", "a brand new passphrase"),
                ("new_password", "my very own passphrase"),
                ("confirm_password", "my very own passphrase"),
            ],
        )
        .await;
    assert_eq!(changed.status, StatusCode::OK);
    assert!(changed.body.contains("Your password was changed"));
    assert_eq!(
        h.staff_get(&moderator, "/staff").await.status,
        StatusCode::OK
    );

    // An admin cannot lock themselves out, and nonsense is refused with a sentence.
    let own = control(&h, &admin, admin_id, &[("action", "disable")]).await;
    assert_eq!(own.status, StatusCode::CONFLICT);
    assert!(own.body.contains("cannot disable your own account"));
    let demote = control(
        &h,
        &admin,
        admin_id,
        &[("action", "role"), ("role", "analyst")],
    )
    .await;
    assert_eq!(demote.status, StatusCode::CONFLICT);
    assert_eq!(
        control(&h, &admin, mod_id, &[("action", "explode")])
            .await
            .status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        control(&h, &admin, 9999, &[("action", "unlock")])
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    let actions = audit_actions(&h).await;
    for action in [
        "user.disable",
        "user.enable",
        "user.role",
        "user.sessions",
        "user.password_reset",
    ] {
        assert!(
            actions.contains(&action.to_owned()),
            "{action}: {actions:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_account_disabled_from_the_command_line_is_signed_out_at_once() {
    let h = Harness::new(instant("2023-03-20T15:00:00Z")).await;
    let moderator = h.staff_session("mod@ftc.gov", Role::Moderator).await;
    assert_eq!(
        h.staff_get(&moderator, "/staff").await.status,
        StatusCode::OK
    );
    let run = |args: &[&str], stdin: &str| h.run_cli(args, stdin);
    let disabled = run(&["user", "disable", "--email", "Mod@FTC.gov"], "");
    assert!(
        disabled.status.success(),
        "{}",
        String::from_utf8_lossy(&disabled.stderr)
    );
    assert!(
        String::from_utf8_lossy(&disabled.stdout).contains("Disabled (and signed out) mod@ftc.gov")
    );
    assert_eq!(
        h.staff_get(&moderator, "/staff").await.status,
        StatusCode::UNAUTHORIZED
    );

    for args in [
        &["user", "enable", "--email", "mod@ftc.gov"][..],
        &[
            "user",
            "role",
            "--email",
            "mod@ftc.gov",
            "--role",
            "analyst",
        ],
        &["user", "unlock", "--email", "mod@ftc.gov"],
        &["user", "sessions", "--email", "mod@ftc.gov"],
    ] {
        let output = run(args, "");
        assert!(
            output.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let reset = run(
        &["user", "reset", "--email", "mod@ftc.gov"],
        "a brand new passphrase\n",
    );
    assert!(reset.status.success());
    assert_eq!(sign_in_with_new_password(&h).await, StatusCode::SEE_OTHER);
    let accounts = h.store().staff_users().await.unwrap();
    assert_eq!(accounts[0].role, Role::Analyst);

    let unknown = run(&["user", "disable", "--email", "nobody@ftc.gov"], "");
    assert_eq!(unknown.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&unknown.stderr)
        .contains("there is no staff account for nobody@ftc.gov"));
}
