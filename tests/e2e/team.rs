//! Pins roles (each role's allowed and forbidden operations), invitations, API keys,
//! the audit log, the trial's expiry, and that tenant B cannot reach tenant A's objects.

use serde_json::{Value, json};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use vigil_tests::{PASSWORD, TestApp, error_code, spawn_app};

const INVITE: &str = "mutation($email: String!, $role: Role!) { inviteUser(email: $email, role: $role) { id email role token url } }";
const CREATE_KEY: &str = "mutation($name: String!, $role: Role) { createApiKey(name: $name, role: $role) { key apiKey { id name prefix role lastUsedAt } } }";
const REVOKE_KEY: &str = "mutation($id: ID!) { revokeApiKey(id: $id) { id revokedAt } }";
const USERS: &str = "{ users { id email role } }";
const AUDIT: &str = "query($first: Int, $after: String) { auditLog(first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { action actor target } } } }";
const CHANGE_ROLE: &str =
    "mutation($id: ID!, $role: Role!) { changeUserRole(userId: $id, role: $role) { id role } }";
const REMOVE: &str = "mutation($id: ID!) { removeUser(userId: $id) }";

/// Invites `email` as `role` and accepts; returns the new member's access token.
pub(crate) async fn member(app: &TestApp, owner: &str, email: &str, role: &str) -> String {
    let data = app
        .graphql_ok(owner, INVITE, json!({ "email": email, "role": role }))
        .await;
    let token = data["inviteUser"]["token"].as_str().unwrap();
    assert!(data["inviteUser"]["url"].as_str().unwrap().contains(token));
    let (status, body) = app
        .post_json(
            "/api/v1/auth/invites/accept",
            &json!({ "token": token, "password": PASSWORD }),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    body["access_token"].as_str().unwrap().to_owned()
}

fn allowed(body: &Value) -> bool {
    match error_code(body).as_deref() {
        None => true,
        Some("FORBIDDEN") => false,
        other => panic!("unexpected error {other:?}: {body}"),
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn each_role_may_do_exactly_what_its_permissions_allow(
    _: PgPoolOptions,
    opts: PgConnectOptions,
) {
    let app = spawn_app(opts).await;
    let owner = app.signup("owner@acme.example", "Acme").await.access_token;
    let admin = member(&app, &owner, "admin@acme.example", "ADMIN").await;
    let analyst = member(&app, &owner, "analyst@acme.example", "ANALYST").await;
    let viewer = member(&app, &owner, "viewer@acme.example", "VIEWER").await;

    // (role, token, may manage users/keys/audit)
    for (role, token, manages) in [
        ("OWNER", &owner, true),
        ("ADMIN", &admin, true),
        ("ANALYST", &analyst, false),
        ("VIEWER", &viewer, false),
    ] {
        let me = app.graphql_ok(token, "{ me { role } }", json!({})).await;
        assert_eq!(me["me"]["role"], role);
        assert!(
            allowed(&app.graphql(Some(token), USERS, json!({})).await),
            "{role} must read users"
        );
        let invite = app
            .graphql(Some(token), INVITE, json!({ "email": format!("new-{}@acme.example", role.to_lowercase()), "role": "VIEWER" }))
            .await;
        assert_eq!(allowed(&invite), manages, "{role} inviteUser: {invite}");
        let key = app
            .graphql(
                Some(token),
                CREATE_KEY,
                json!({ "name": format!("{role} key") }),
            )
            .await;
        assert_eq!(allowed(&key), manages, "{role} createApiKey: {key}");
        let keys = app
            .graphql(Some(token), "{ apiKeys { id } }", json!({}))
            .await;
        assert_eq!(allowed(&keys), manages, "{role} apiKeys");
        let audit = app.graphql(Some(token), AUDIT, json!({})).await;
        assert_eq!(allowed(&audit), manages, "{role} auditLog");
    }
    // Only owners make owners.
    let users = app.graphql_ok(&owner, USERS, json!({})).await;
    let analyst_id = users["users"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["role"] == "ANALYST")
        .unwrap()["id"]
        .clone();
    let by_admin = app
        .graphql(
            Some(&admin),
            CHANGE_ROLE,
            json!({ "id": analyst_id, "role": "OWNER" }),
        )
        .await;
    assert_eq!(error_code(&by_admin).as_deref(), Some("FORBIDDEN"));
    let by_owner = app
        .graphql_ok(
            &owner,
            CHANGE_ROLE,
            json!({ "id": analyst_id, "role": "ADMIN" }),
        )
        .await;
    assert_eq!(by_owner["changeUserRole"]["role"], "ADMIN");
    // A role change takes effect at once, without a new token.
    let keys = app
        .graphql(Some(&analyst), "{ apiKeys { id } }", json!({}))
        .await;
    assert!(
        allowed(&keys),
        "the promoted analyst must now manage keys: {keys}"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn the_last_owner_cannot_be_demoted_and_removed_users_lose_access(
    _: PgPoolOptions,
    opts: PgConnectOptions,
) {
    let app = spawn_app(opts).await;
    let owner = app.signup("owner@solo.example", "Solo").await.access_token;
    let viewer = member(&app, &owner, "viewer@solo.example", "VIEWER").await;
    let users = app.graphql_ok(&owner, USERS, json!({})).await;
    let list = users["users"].as_array().unwrap();
    let owner_id = list.iter().find(|u| u["role"] == "OWNER").unwrap()["id"].clone();
    let viewer_id = list.iter().find(|u| u["role"] == "VIEWER").unwrap()["id"].clone();

    let demote = app
        .graphql(
            Some(&owner),
            CHANGE_ROLE,
            json!({ "id": owner_id, "role": "ADMIN" }),
        )
        .await;
    assert_eq!(
        error_code(&demote).as_deref(),
        Some("BAD_USER_INPUT"),
        "{demote}"
    );
    app.graphql_ok(&owner, REMOVE, json!({ "id": viewer_id }))
        .await;
    let after = app
        .graphql(Some(&viewer), "{ me { email } }", json!({}))
        .await;
    assert_eq!(
        error_code(&after).as_deref(),
        Some("UNAUTHENTICATED"),
        "{after}"
    );
    let (status, _) = app
        .post_json(
            "/api/v1/auth/login",
            &json!({ "email": "viewer@solo.example", "password": PASSWORD }),
        )
        .await;
    assert_eq!(status, 401);
}

#[sqlx::test(migrations = "../migrations")]
async fn an_api_key_works_on_graphql_until_it_is_revoked(
    pool_opts: PgPoolOptions,
    opts: PgConnectOptions,
) {
    let admin_db = pool_opts.connect_with(opts.clone()).await.unwrap();
    let app = spawn_app(opts).await;
    let owner = app
        .signup("owner@keys.example", "Keys Inc")
        .await
        .access_token;
    let created = app
        .graphql_ok(
            &owner,
            CREATE_KEY,
            json!({ "name": "SIEM", "role": "ANALYST" }),
        )
        .await;
    let key = created["createApiKey"]["key"].as_str().unwrap().to_owned();
    let id = created["createApiKey"]["apiKey"]["id"].clone();
    assert!(key.starts_with("vgl_"));
    assert!(
        key.starts_with(
            created["createApiKey"]["apiKey"]["prefix"]
                .as_str()
                .unwrap()
        )
    );

    let tenant = app
        .graphql_ok(&key, "{ tenant { name plan } }", json!({}))
        .await;
    assert_eq!(tenant["tenant"]["name"], "Keys Inc");
    // An analyst key cannot manage keys.
    let forbidden = app
        .graphql(Some(&key), CREATE_KEY, json!({ "name": "escalate" }))
        .await;
    assert_eq!(error_code(&forbidden).as_deref(), Some("FORBIDDEN"));
    let listed = app
        .graphql_ok(&owner, "{ apiKeys { name lastUsedAt } }", json!({}))
        .await;
    assert!(
        listed["apiKeys"][0]["lastUsedAt"].is_string(),
        "lastUsedAt not kept: {listed}"
    );
    // Only a hash is stored.
    let stored: Vec<Vec<u8>> = sqlx::query_scalar("select key_hash from api_keys")
        .fetch_all(&admin_db)
        .await
        .unwrap();
    assert!(
        stored
            .iter()
            .all(|h| h.len() == 32 && !String::from_utf8_lossy(h).contains(&key[4..]))
    );

    app.graphql_ok(&owner, REVOKE_KEY, json!({ "id": id }))
        .await;
    let after = app
        .graphql(Some(&key), "{ tenant { name } }", json!({}))
        .await;
    assert_eq!(
        error_code(&after).as_deref(),
        Some("UNAUTHENTICATED"),
        "{after}"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn the_audit_log_records_security_actions_newest_first_with_paging(
    _: PgPoolOptions,
    opts: PgConnectOptions,
) {
    let app = spawn_app(opts).await;
    let owner = app
        .signup("owner@audit.example", "Audit Co")
        .await
        .access_token;
    app.login("owner@audit.example", PASSWORD).await;
    let (status, _) = app
        .post_json(
            "/api/v1/auth/login",
            &json!({ "email": "owner@audit.example", "password": "wrong password!" }),
        )
        .await;
    assert_eq!(status, 401);
    app.graphql_ok(&owner, CREATE_KEY, json!({ "name": "CI" }))
        .await;
    app.graphql_ok(
        &owner,
        INVITE,
        json!({ "email": "new@audit.example", "role": "ANALYST" }),
    )
    .await;

    let page1 = app.graphql_ok(&owner, AUDIT, json!({ "first": 3 })).await;
    let log = &page1["auditLog"];
    assert_eq!(log["totalCount"], 5);
    let actions: Vec<&str> = log["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        ["user.invited", "api_key.created", "user.login_failed"]
    );
    assert_eq!(log["pageInfo"]["hasNextPage"], true);
    let page2 = app
        .graphql_ok(
            &owner,
            AUDIT,
            json!({ "first": 3, "after": log["pageInfo"]["endCursor"] }),
        )
        .await;
    let actions: Vec<&str> = page2["auditLog"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["user.login", "tenant.signup"]);
    assert_eq!(page2["auditLog"]["pageInfo"]["hasNextPage"], false);

    let too_many = app
        .graphql(Some(&owner), AUDIT, json!({ "first": 1000 }))
        .await;
    assert_eq!(error_code(&too_many).as_deref(), Some("BAD_USER_INPUT"));
    let bad_cursor = app
        .graphql(Some(&owner), AUDIT, json!({ "after": "bogus" }))
        .await;
    assert_eq!(error_code(&bad_cursor).as_deref(), Some("BAD_USER_INPUT"));
}

#[sqlx::test(migrations = "../migrations")]
async fn a_trial_past_its_end_reads_as_expired_and_data_stays_readable(
    _: PgPoolOptions,
    opts: PgConnectOptions,
) {
    let app = spawn_app(opts).await;
    let owner = app
        .signup("owner@late.example", "Late Co")
        .await
        .access_token;
    app.clock.advance(chrono::Duration::days(16));
    let me = app
        .graphql_ok(
            &owner,
            "{ me { tenant { plan trialDaysLeft } } users { email } }",
            json!({}),
        )
        .await;
    assert_eq!(me["me"]["tenant"]["plan"], "EXPIRED");
    assert!(me["me"]["tenant"]["trialDaysLeft"].is_null());
    assert_eq!(me["users"][0]["email"], "owner@late.example");
}

#[sqlx::test(migrations = "../migrations")]
async fn tenant_b_cannot_reach_tenant_a_objects_by_id(_: PgPoolOptions, opts: PgConnectOptions) {
    let app = spawn_app(opts).await;
    let a = app.signup("owner@a.example", "Tenant A").await.access_token;
    let b = app.signup("owner@b.example", "Tenant B").await.access_token;
    let a_key = app
        .graphql_ok(&a, CREATE_KEY, json!({ "name": "A key" }))
        .await["createApiKey"]["apiKey"]["id"]
        .clone();
    let a_user = app.graphql_ok(&a, USERS, json!({})).await["users"][0]["id"].clone();
    let missing = json!(uuid::Uuid::now_v7().to_string());

    for (name, query, vars) in [
        ("revokeApiKey", REVOKE_KEY, json!({ "id": a_key })),
        (
            "changeUserRole",
            CHANGE_ROLE,
            json!({ "id": a_user, "role": "VIEWER" }),
        ),
        ("removeUser", REMOVE, json!({ "id": a_user })),
    ] {
        let other = app.graphql(Some(&b), query, vars.clone()).await;
        let mut absent_vars = vars.clone();
        absent_vars["id"] = missing.clone();
        let absent = app.graphql(Some(&b), query, absent_vars).await;
        assert_eq!(
            error_code(&other).as_deref(),
            Some("NOT_FOUND"),
            "{name}: {other}"
        );
        assert_eq!(
            other["errors"][0]["message"], absent["errors"][0]["message"],
            "{name} must look like a missing object"
        );
    }
    // Nothing of A's changed, and B's lists show only B.
    let a_keys = app
        .graphql_ok(&a, "{ apiKeys { revokedAt } }", json!({}))
        .await;
    assert!(a_keys["apiKeys"][0]["revokedAt"].is_null());
    let b_users = app.graphql_ok(&b, USERS, json!({})).await;
    assert_eq!(b_users["users"].as_array().unwrap().len(), 1);
    assert_eq!(b_users["users"][0]["email"], "owner@b.example");
    let b_audit = app.graphql_ok(&b, AUDIT, json!({})).await;
    assert!(
        b_audit["auditLog"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["node"]["actor"] != "owner@a.example")
    );
}
