//! Pins the hardening of authentication and team management: client addresses behind a
//! trusted proxy, login limits a third party cannot use to lock a user out, invitations
//! listed and revoked (also with the member who sent them), the last owner kept under
//! concurrent demotions, and text with NUL characters refused as the caller's mistake.

use serde_json::{Value, json};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use vigil_tests::{
    PASSWORD, TestApp, app_pool, error_code, spawn_app, spawn_app_with, test_config,
};

use crate::team::{CHANGE_ROLE, INVITE, REMOVE, USERS, member};

const INVITATIONS: &str = "{ invitations { id email role invitedByUserId expiresAt } }";
const REVOKE: &str = "mutation($id: ID!) { revokeInvitation(id: $id) { id email } }";
const AUDIT: &str = "{ auditLog(first: 50) { edges { node { action target sourceIp details } } } }";

/// POSTs JSON to a REST path as if through a proxy that saw the client at `client`.
async fn post_from(app: &TestApp, client: &str, path: &str, body: &Value) -> u16 {
    app.http
        .post(app.url(path))
        .header("x-forwarded-for", client)
        .json(body)
        .send()
        .await
        .expect("request")
        .status()
        .as_u16()
}

async fn accept(app: &TestApp, token: &str) -> (u16, Value) {
    app.post_json(
        "/api/v1/auth/invites/accept",
        &json!({ "token": token, "password": PASSWORD }),
    )
    .await
}

async fn user_id(app: &TestApp, token: &str, email: &str) -> Value {
    let users = app.graphql_ok(token, USERS, json!({})).await;
    users["users"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["email"] == email)
        .unwrap_or_else(|| panic!("no user {email}: {users}"))["id"]
        .clone()
}

/// The newest audit entry of `action`.
async fn audit_entry(app: &TestApp, token: &str, action: &str) -> Value {
    let log = app.graphql_ok(token, AUDIT, json!({})).await;
    log["auditLog"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"].clone())
        .find(|e| e["action"] == action)
        .unwrap_or_else(|| panic!("no {action} in {log}"))
}

#[sqlx::test(migrations = "../migrations")]
async fn behind_a_trusted_proxy_audit_entries_show_the_forwarded_client(
    _: PgPoolOptions,
    opts: PgConnectOptions,
) {
    let app = spawn_app_with(
        test_config(&[("VIGIL_TRUSTED_PROXIES", "127.0.0.1/32")]),
        app_pool(opts).await,
    )
    .await;
    let owner = app
        .signup("owner@proxy.example", "Proxy Co")
        .await
        .access_token;
    let login = json!({ "email": "owner@proxy.example", "password": "not the password" });
    // The client forged the first entry; the proxy appended the address it saw.
    let status = post_from(
        &app,
        "192.0.2.66, 203.0.113.7",
        "/api/v1/auth/login",
        &login,
    )
    .await;
    assert_eq!(status, 401);
    let failed = audit_entry(&app, &owner, "user.login_failed").await;
    assert_eq!(failed["sourceIp"], "203.0.113.7", "{failed}");

    // GraphQL over HTTP records the forwarded client too.
    let resp = app
        .http
        .post(app.url("/graphql"))
        .header("x-forwarded-for", "198.51.100.23")
        .bearer_auth(&owner)
        .json(&json!({ "query": "mutation { createApiKey(name: \"via proxy\") { key } }" }))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let created = audit_entry(&app, &owner, "api_key.created").await;
    assert_eq!(created["sourceIp"], "198.51.100.23", "{created}");
}

#[sqlx::test(migrations = "../migrations")]
async fn without_trusted_proxies_a_forwarded_header_is_ignored(
    _: PgPoolOptions,
    opts: PgConnectOptions,
) {
    let app = spawn_app(opts).await;
    let owner = app
        .signup("owner@direct.example", "Direct Co")
        .await
        .access_token;
    let login = json!({ "email": "owner@direct.example", "password": "not the password" });
    assert_eq!(
        post_from(&app, "203.0.113.7", "/api/v1/auth/login", &login).await,
        401
    );
    let failed = audit_entry(&app, &owner, "user.login_failed").await;
    assert_eq!(failed["sourceIp"], "127.0.0.1", "{failed}");
}

#[sqlx::test(migrations = "../migrations")]
async fn an_attacker_failing_logins_as_a_user_locks_only_their_own_address(
    _: PgPoolOptions,
    opts: PgConnectOptions,
) {
    let app = spawn_app_with(
        test_config(&[
            ("VIGIL_TRUSTED_PROXIES", "127.0.0.1/32"),
            ("VIGIL_AUTH_RATE_LIMIT", "3"),
        ]),
        app_pool(opts).await,
    )
    .await;
    let (attacker, victim) = ("198.51.100.66", "203.0.113.7");
    // Sign up from a third address, so neither client's quota is spent on it.
    assert_eq!(
        post_from(
            &app,
            "192.0.2.1",
            "/api/v1/auth/signup",
            &json!({ "email": "victim@example.com", "password": PASSWORD, "organization": "Victim Co" }),
        )
        .await,
        201
    );
    let wrong = json!({ "email": "victim@example.com", "password": "guess guess guess" });
    let mut statuses = Vec::new();
    for _ in 0..5 {
        statuses.push(post_from(&app, attacker, "/api/v1/auth/login", &wrong).await);
    }
    let right = json!({ "email": "victim@example.com", "password": PASSWORD });
    let attacker_with_password = post_from(&app, attacker, "/api/v1/auth/login", &right).await;
    let victim_login = post_from(&app, victim, "/api/v1/auth/login", &right).await;
    // The victim, from their own address, still logs in...
    assert_eq!(victim_login, 200, "the attacker locked the victim out");
    // ...while the attacker's address is limited, even with the right password.
    assert_eq!(statuses, [401, 401, 401, 429, 429]);
    assert_eq!(attacker_with_password, 429);
}

#[sqlx::test(migrations = "../migrations")]
async fn invitations_are_listed_to_managers_and_a_revoked_one_cannot_be_accepted(
    _: PgPoolOptions,
    opts: PgConnectOptions,
) {
    let app = spawn_app(opts).await;
    let owner = app.signup("owner@inv.example", "Inv Co").await.access_token;
    let viewer = member(&app, &owner, "viewer@inv.example", "VIEWER").await;
    let sent = app
        .graphql_ok(
            &owner,
            INVITE,
            json!({ "email": "new@inv.example", "role": "ANALYST" }),
        )
        .await;
    let (id, token) = (
        sent["inviteUser"]["id"].clone(),
        sent["inviteUser"]["token"].as_str().unwrap().to_owned(),
    );

    // The accepted invitation of the viewer is not pending; the new one is.
    let list = app.graphql_ok(&owner, INVITATIONS, json!({})).await;
    let pending = list["invitations"].as_array().unwrap();
    assert_eq!(pending.len(), 1, "{list}");
    assert_eq!(pending[0]["id"], id);
    assert_eq!(pending[0]["email"], "new@inv.example");
    assert_eq!(pending[0]["role"], "ANALYST");
    assert_eq!(
        pending[0]["invitedByUserId"],
        user_id(&app, &owner, "owner@inv.example").await
    );
    // Those who may not invite may neither list nor revoke.
    let body = app.graphql(Some(&viewer), INVITATIONS, json!({})).await;
    assert_eq!(error_code(&body).as_deref(), Some("FORBIDDEN"), "{body}");
    let body = app
        .graphql(Some(&viewer), REVOKE, json!({ "id": id }))
        .await;
    assert_eq!(error_code(&body).as_deref(), Some("FORBIDDEN"), "{body}");

    // Another tenant's owner sees no such invitation, exactly as for a made-up ID.
    let other = app
        .signup("owner@other.example", "Other Co")
        .await
        .access_token;
    let theirs = app.graphql(Some(&other), REVOKE, json!({ "id": id })).await;
    let made_up = app
        .graphql(
            Some(&other),
            REVOKE,
            json!({ "id": uuid::Uuid::now_v7().to_string() }),
        )
        .await;
    assert_eq!(
        error_code(&theirs).as_deref(),
        Some("NOT_FOUND"),
        "{theirs}"
    );
    assert_eq!(
        theirs["errors"][0]["message"],
        made_up["errors"][0]["message"]
    );
    let list = app.graphql_ok(&other, INVITATIONS, json!({})).await;
    assert_eq!(list["invitations"], json!([]));

    let revoked = app.graphql_ok(&owner, REVOKE, json!({ "id": id })).await;
    assert_eq!(revoked["revokeInvitation"]["email"], "new@inv.example");
    let (status, body) = accept(&app, &token).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (400, Some("invalid_invite"))
    );
    let list = app.graphql_ok(&owner, INVITATIONS, json!({})).await;
    assert_eq!(list["invitations"], json!([]));
    let entry = audit_entry(&app, &owner, "invite.revoked").await;
    assert_eq!(entry["target"], "new@inv.example");
    assert_eq!(entry["details"]["reason"], "revoked");
}

#[sqlx::test(migrations = "../migrations")]
async fn removing_a_member_revokes_the_invitations_they_sent(
    _: PgPoolOptions,
    opts: PgConnectOptions,
) {
    let app = spawn_app(opts).await;
    let owner = app
        .signup("owner@leave.example", "Leave Co")
        .await
        .access_token;
    let admin = member(&app, &owner, "admin@leave.example", "ADMIN").await;
    let sent = app
        .graphql_ok(
            &admin,
            INVITE,
            json!({ "email": "friend@leave.example", "role": "ADMIN" }),
        )
        .await;
    let token = sent["inviteUser"]["token"].as_str().unwrap().to_owned();
    // The owner's own invitation stays.
    app.graphql_ok(
        &owner,
        INVITE,
        json!({ "email": "kept@leave.example", "role": "VIEWER" }),
    )
    .await;

    let admin_id = user_id(&app, &owner, "admin@leave.example").await;
    app.graphql_ok(&owner, REMOVE, json!({ "id": admin_id }))
        .await;
    let (status, body) = accept(&app, &token).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (400, Some("invalid_invite"))
    );
    let list = app.graphql_ok(&owner, INVITATIONS, json!({})).await;
    let emails: Vec<&str> = list["invitations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["email"].as_str().unwrap())
        .collect();
    assert_eq!(emails, ["kept@leave.example"]);
    let entry = audit_entry(&app, &owner, "invite.revoked").await;
    assert_eq!(entry["target"], "friend@leave.example");
    assert_eq!(entry["details"]["reason"], "inviter removed");
}

#[sqlx::test(migrations = "../migrations")]
async fn two_owners_demoting_each_other_at_once_always_leave_an_owner(
    _: PgPoolOptions,
    opts: PgConnectOptions,
) {
    let app = spawn_app(opts).await;
    for round in 0..20 {
        let a = app
            .signup(&format!("a{round}@race.example"), "Race Co")
            .await
            .access_token;
        let b = member(&app, &a, &format!("b{round}@race.example"), "ADMIN").await;
        let (a_id, b_id) = (
            user_id(&app, &a, &format!("a{round}@race.example")).await,
            user_id(&app, &a, &format!("b{round}@race.example")).await,
        );
        app.graphql_ok(&a, CHANGE_ROLE, json!({ "id": b_id, "role": "OWNER" }))
            .await;
        let (by_a, by_b) = tokio::join!(
            app.graphql(
                Some(&a),
                CHANGE_ROLE,
                json!({ "id": b_id, "role": "ADMIN" })
            ),
            app.graphql(
                Some(&b),
                CHANGE_ROLE,
                json!({ "id": a_id, "role": "ADMIN" })
            ),
        );
        let users = app.graphql_ok(&a, USERS, json!({})).await;
        let owners = users["users"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|u| u["role"] == "OWNER")
            .count();
        assert!(
            owners >= 1,
            "round {round}: no owner left; answers {by_a} and {by_b}"
        );
        // One demotion wins; the other is refused as the caller's mistake, not a 500.
        for answer in [&by_a, &by_b] {
            if let Some(code) = error_code(answer) {
                assert!(
                    code == "BAD_USER_INPUT" || code == "FORBIDDEN",
                    "round {round}: {answer}"
                );
            }
        }
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn text_with_a_nul_character_is_refused_naming_the_field(
    _: PgPoolOptions,
    opts: PgConnectOptions,
) {
    let app = spawn_app(opts).await;
    let owner = app.signup("owner@nul.example", "Nul Co").await.access_token;
    for (query, variables, named) in [
        (
            "mutation($n: String!) { createApiKey(name: $n) { key } }",
            json!({ "n": "ci\u{0}key" }),
            "$n",
        ),
        (
            "mutation($n: String!) { createAwsAccount(input: { name: $n }) { id } }",
            json!({ "n": "prod\u{0}" }),
            "$n",
        ),
        (
            "mutation($i: CreateAwsAccountInput!) { createAwsAccount(input: $i) { id } }",
            json!({ "i": { "name": "prod\u{0}" } }),
            "$i.name",
        ),
        // A literal in the document, written with the \u0000 escape.
        (
            "mutation { createApiKey(name: \"ci\\u0000key\") { key } }",
            json!({}),
            "createApiKey(name)",
        ),
    ] {
        let body = app.graphql(Some(&owner), query, variables).await;
        assert_eq!(
            error_code(&body).as_deref(),
            Some("BAD_USER_INPUT"),
            "{body}"
        );
        let message = body["errors"][0]["message"].as_str().unwrap();
        assert!(
            message.contains(&format!("`{named}`")) && message.contains("NUL"),
            "{message}"
        );
    }

    let (status, body) = app
        .post_json(
            "/api/v1/auth/signup",
            &json!({ "email": "new@nul.example", "password": PASSWORD, "organization": "Acme\u{0}" }),
        )
        .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"]["code"], "invalid_text");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("`organization`"),
        "{body}"
    );
    // Nothing was created, and valid text still works.
    assert_eq!(
        app.graphql_ok(&owner, "{ apiKeys { id } }", json!({}))
            .await["apiKeys"],
        json!([])
    );
    app.signup("new@nul.example", "Acme").await;
}
