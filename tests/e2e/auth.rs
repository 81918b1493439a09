//! Pins sign-up, login, token rotation and reuse detection, logout, bad input answered
//! with the documented 4xx JSON errors, and forged or expired tokens refused.

use base64::Engine;
use serde_json::{Value, json};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use vigil_tests::{
    PASSWORD, TEST_JWT_SECRET, app_pool, error_code, spawn_app, spawn_app_with, test_config,
};

const ME: &str = "{ me { email role tenant { name plan trialEndsAt trialDaysLeft } } }";

#[sqlx::test(migrations = "../migrations")]
async fn signup_creates_a_trial_tenant_whose_owner_is_the_new_user(
    _: PgPoolOptions,
    opts: PgConnectOptions,
) {
    let app = spawn_app(opts).await;
    let tokens = app.signup("  Alice@Acme.Example ", "Acme Corp").await;
    assert_eq!(tokens.token_type, "Bearer");
    assert_eq!(tokens.expires_in, 900);
    let me = app.graphql_ok(&tokens.access_token, ME, json!({})).await;
    assert_eq!(me["me"]["email"], "alice@acme.example");
    assert_eq!(me["me"]["role"], "OWNER");
    assert_eq!(me["me"]["tenant"]["name"], "Acme Corp");
    assert_eq!(me["me"]["tenant"]["plan"], "TRIAL");
    assert_eq!(me["me"]["tenant"]["trialDaysLeft"], 15);
    let ends =
        chrono::DateTime::parse_from_rfc3339(me["me"]["tenant"]["trialEndsAt"].as_str().unwrap())
            .unwrap();
    let days = (ends.with_timezone(&chrono::Utc) - chrono::Utc::now()).num_hours();
    assert!((359..=360).contains(&days), "trial ends in {days} h");
}

#[sqlx::test(migrations = "../migrations")]
async fn a_duplicate_email_is_409_email_taken_whatever_its_case(
    pool_opts: PgPoolOptions,
    opts: PgConnectOptions,
) {
    let admin = pool_opts.connect_with(opts.clone()).await.unwrap();
    let app = spawn_app(opts).await;
    app.signup("bob@example.com", "One").await;
    let (status, body) = app
        .post_json(
            "/api/v1/auth/signup",
            &json!({ "email": "BOB@example.com", "password": PASSWORD, "organization": "Two" }),
        )
        .await;
    assert_eq!(status, 409);
    assert_eq!(body["error"]["code"], "email_taken");
    // Nothing half-created: the second tenant was rolled back with its owner.
    let tenants: Vec<String> = sqlx::query_scalar("select name from tenants")
        .fetch_all(&admin)
        .await
        .unwrap();
    assert_eq!(tenants, vec!["One".to_owned()]);
}

#[sqlx::test(migrations = "../migrations")]
async fn bad_input_gets_the_documented_4xx_and_never_a_5xx(
    _: PgPoolOptions,
    opts: PgConnectOptions,
) {
    let app = spawn_app(opts).await;
    let signup = app.url("/api/v1/auth/signup");
    let send = |body: String, content_type: &'static str| {
        let req = app
            .http
            .post(signup.clone())
            .header("content-type", content_type)
            .body(body);
        async move {
            let resp = req.send().await.unwrap();
            let status = resp.status().as_u16();
            let body: Value = resp.json().await.unwrap_or(Value::Null);
            (
                status,
                body["error"]["code"].as_str().unwrap_or("").to_owned(),
                body["error"]["message"].as_str().unwrap_or("").to_owned(),
            )
        }
    };
    let (s, code, _) = send("{not json".into(), "application/json").await;
    assert_eq!((s, code.as_str()), (400, "malformed_json"));
    let (s, code, msg) = send(
        json!({ "email": "a@b.example", "organization": "X" }).to_string(),
        "application/json",
    )
    .await;
    assert_eq!((s, code.as_str()), (422, "invalid_request"));
    assert!(
        msg.contains("password"),
        "the message must name the missing field: {msg}"
    );
    let (s, code, _) = send(
        json!({ "email": "a@b.example", "password": PASSWORD, "organization": "X" }).to_string(),
        "text/plain",
    )
    .await;
    assert_eq!((s, code.as_str()), (415, "unsupported_media_type"));
    let (s, code, _) = send(
        json!({ "email": "a@b.example", "password": "short", "organization": "X" }).to_string(),
        "application/json",
    )
    .await;
    assert_eq!((s, code.as_str()), (422, "weak_password"));
    let (s, code, _) = send(
        json!({ "email": "a@b.example", "password": "x".repeat(257), "organization": "X" })
            .to_string(),
        "application/json",
    )
    .await;
    assert_eq!((s, code.as_str()), (422, "weak_password"));
    let (s, code, _) = send(
        json!({ "email": "not-an-email", "password": PASSWORD, "organization": "X" }).to_string(),
        "application/json",
    )
    .await;
    assert_eq!((s, code.as_str()), (422, "invalid_email"));
    let (s, code, _) = send(
        json!({ "email": "a@b.example", "password": PASSWORD, "organization": "   " }).to_string(),
        "application/json",
    )
    .await;
    assert_eq!((s, code.as_str()), (422, "invalid_organization"));
    let huge = json!({ "email": "a@b.example", "password": PASSWORD, "organization": "x".repeat(64 * 1024) }).to_string();
    let (s, code, _) = send(huge, "application/json").await;
    assert_eq!((s, code.as_str()), (413, "payload_too_large"));
    let (s, _, _) = send("[]".into(), "application/json").await;
    assert_eq!(s, 422);
}

#[sqlx::test(migrations = "../migrations")]
async fn login_refuses_a_wrong_password_and_an_unknown_email_alike(
    _: PgPoolOptions,
    opts: PgConnectOptions,
) {
    let app = spawn_app(opts).await;
    app.signup("carol@example.com", "Carol Co").await;
    let good = app.login("CAROL@example.com", PASSWORD).await;
    assert!(!good.access_token.is_empty());
    let (s1, wrong) = app
        .post_json(
            "/api/v1/auth/login",
            &json!({ "email": "carol@example.com", "password": "not the password" }),
        )
        .await;
    let (s2, unknown) = app
        .post_json(
            "/api/v1/auth/login",
            &json!({ "email": "nobody@example.com", "password": "not the password" }),
        )
        .await;
    assert_eq!((s1, s2), (401, 401));
    assert_eq!(
        wrong, unknown,
        "the answers must not reveal whether the email exists"
    );
    assert_eq!(wrong["error"]["code"], "invalid_credentials");
}

#[sqlx::test(migrations = "../migrations")]
async fn refresh_rotates_and_a_reused_token_revokes_its_whole_family(
    _: PgPoolOptions,
    opts: PgConnectOptions,
) {
    let app = spawn_app(opts).await;
    let first = app.signup("dave@example.com", "Dave Co").await;
    let (status, body) = app
        .post_json(
            "/api/v1/auth/refresh",
            &json!({ "refresh_token": first.refresh_token }),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let second: vigil_tests::Tokens = serde_json::from_value(body).unwrap();
    assert_ne!(second.refresh_token, first.refresh_token);
    app.graphql_ok(&second.access_token, ME, json!({})).await;

    // The first token was used: presenting it again is reuse, which revokes the family...
    let (status, body) = app
        .post_json(
            "/api/v1/auth/refresh",
            &json!({ "refresh_token": first.refresh_token }),
        )
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (401, Some("invalid_token"))
    );
    // ...so the legitimate-looking second token stops working too.
    let (status, _) = app
        .post_json(
            "/api/v1/auth/refresh",
            &json!({ "refresh_token": second.refresh_token }),
        )
        .await;
    assert_eq!(status, 401);
    // A separate login is a separate family and still works.
    let other = app.login("dave@example.com", PASSWORD).await;
    let (status, _) = app
        .post_json(
            "/api/v1/auth/refresh",
            &json!({ "refresh_token": other.refresh_token }),
        )
        .await;
    assert_eq!(status, 200);
}

#[sqlx::test(migrations = "../migrations")]
async fn logout_makes_the_refresh_token_stop_working(_: PgPoolOptions, opts: PgConnectOptions) {
    let app = spawn_app(opts).await;
    let tokens = app.signup("erin@example.com", "Erin Co").await;
    let resp = app
        .http
        .post(app.url("/api/v1/auth/logout"))
        .json(&json!({ "refresh_token": tokens.refresh_token }))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 204);
    let (status, _) = app
        .post_json(
            "/api/v1/auth/refresh",
            &json!({ "refresh_token": tokens.refresh_token }),
        )
        .await;
    assert_eq!(status, 401);
    let (status, _) = app
        .post_json(
            "/api/v1/auth/refresh",
            &json!({ "refresh_token": "garbage" }),
        )
        .await;
    assert_eq!(status, 401);
}

fn b64(v: &Value) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string())
}

fn forge(kid: &str, claims: &Value, secret: &str) -> String {
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256);
    header.kid = Some(kid.to_owned());
    jsonwebtoken::encode(
        &header,
        claims,
        &jsonwebtoken::EncodingKey::from_secret(secret.as_bytes()),
    )
    .unwrap()
}

#[sqlx::test(migrations = "../migrations")]
async fn forged_expired_or_misaddressed_tokens_are_unauthenticated(
    _: PgPoolOptions,
    opts: PgConnectOptions,
) {
    let app = spawn_app(opts).await;
    let tokens = app.signup("frank@example.com", "Frank Co").await;
    // Take the real claims and kid, then tamper with them.
    let parts: Vec<&str> = tokens.access_token.split('.').collect();
    let decode = |s: &str| -> Value {
        serde_json::from_slice(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(s)
                .unwrap(),
        )
        .unwrap()
    };
    let header = decode(parts[0]);
    let claims = decode(parts[1]);
    let kid = header["kid"].as_str().unwrap();
    let now = chrono::Utc::now().timestamp();

    let alg_none = format!(
        "{}.{}.",
        b64(&json!({ "alg": "none", "typ": "JWT", "kid": kid })),
        parts[1]
    );
    let wrong_signature = forge(kid, &claims, "some-other-secret-some-other-secret!");
    let mut wrong_aud = claims.clone();
    wrong_aud["aud"] = json!("another-service");
    let mut expired = claims.clone();
    expired["exp"] = json!(now - 3600);
    expired["iat"] = json!(now - 7200);
    let mut wrong_iss = claims.clone();
    wrong_iss["iss"] = json!("someone-else");
    let attacks = [
        ("alg none", alg_none),
        ("wrong signature", wrong_signature),
        ("wrong aud", forge(kid, &wrong_aud, TEST_JWT_SECRET)),
        ("wrong iss", forge(kid, &wrong_iss, TEST_JWT_SECRET)),
        ("expired", forge(kid, &expired, TEST_JWT_SECRET)),
        ("garbage", "not.a.jwt".to_owned()),
    ];
    for (name, token) in attacks {
        let body = app.graphql(Some(&token), ME, json!({})).await;
        assert_eq!(
            error_code(&body).as_deref(),
            Some("UNAUTHENTICATED"),
            "{name}: {body}"
        );
        assert!(body["data"].is_null(), "{name} leaked data: {body}");
    }
    // The control: the untampered token works, and no token at all is refused.
    app.graphql_ok(&tokens.access_token, ME, json!({})).await;
    let body = app.graphql(None, ME, json!({})).await;
    assert_eq!(error_code(&body).as_deref(), Some("UNAUTHENTICATED"));
}

#[sqlx::test(migrations = "../migrations")]
async fn signup_and_login_are_rate_limited_per_ip_with_retry_after(
    _: PgPoolOptions,
    opts: PgConnectOptions,
) {
    let app = spawn_app_with(
        test_config(&[("VIGIL_AUTH_RATE_LIMIT", "3")]),
        app_pool(opts).await,
    )
    .await;
    let mut statuses = Vec::new();
    for i in 0..4 {
        let resp = app
            .http
            .post(app.url("/api/v1/auth/login"))
            .json(&json!({ "email": format!("user{i}@example.com"), "password": "whatever-it-is" }))
            .send()
            .await
            .unwrap();
        statuses.push(resp.status().as_u16());
        if resp.status() == 429 {
            let retry: u64 = resp.headers()["retry-after"]
                .to_str()
                .unwrap()
                .parse()
                .unwrap();
            assert!(retry >= 1);
            let body: Value = resp.json().await.unwrap();
            assert_eq!(body["error"]["code"], "rate_limited");
        }
    }
    assert_eq!(statuses, vec![401, 401, 401, 429]);
}
