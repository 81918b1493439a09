//! Pins the exports: 10,000 findings as CSV, JSON Lines and OCSF, streamed in pages
//! (chunked, no Content-Length), with filters; alerts as OCSF Detection Findings; another
//! tenant's rows never included; bad parameters and missing credentials answered 4xx.

use serde_json::{Value, json};
use sqlx::{
    PgPool,
    postgres::{PgConnectOptions, PgPoolOptions},
};
use vigil_tests::{TestApp, spawn_app};

/// Signs up an organization with one (pending) connection; returns its token, tenant
/// and connection IDs.
async fn tenant(app: &TestApp, email: &str) -> (String, String, String) {
    let token = app.signup(email, "Export").await.access_token;
    let tenant = app.graphql_ok(&token, "{ tenant { id } }", json!({})).await["tenant"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let account = app
        .graphql_ok(
            &token,
            "mutation { createAwsAccount(input: { name: \"prod\" }) { id } }",
            json!({}),
        )
        .await["createAwsAccount"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    (token, tenant, account)
}

/// `n` findings (every tenth suppressed; the first one's resource ID looks like a
/// spreadsheet formula), written as the table's owner.
async fn findings(admin: &PgPool, tenant: &str, account: &str, n: i32, prefix: &str) {
    sqlx::query(
        "insert into findings (tenant_id, finding_id, aws_account_id, rule_id, region, resource_type, resource_id,
                               severity, status, evidence, first_seen_at, last_seen_at)
         select $1::uuid, gen_random_uuid(), $2::uuid, 'ec2-sg-ssh-open', 'eu-west-1', 'AWS::EC2::SecurityGroup',
                case when g = 1 then '=HYPERLINK(\"http://evil\")' else $4 || g end,
                (array['critical','high','medium','low'])[1 + g % 4],
                case when g % 10 = 0 then 'suppressed' else 'open' end,
                jsonb_build_object('port', 22), now() - interval '1 day', now() - (g || ' seconds')::interval
         from generate_series(1, $3) g",
    )
    .bind(tenant)
    .bind(account)
    .bind(n)
    .bind(prefix)
    .execute(admin)
    .await
    .unwrap();
}

async fn export(app: &TestApp, token: Option<&str>, path: &str) -> reqwest::Response {
    let mut req = app.http.get(app.url(path));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    req.send().await.unwrap()
}

#[sqlx::test(migrations = "../migrations")]
async fn findings_export_streams_ten_thousand_rows_in_three_formats(
    pool_opts: PgPoolOptions,
    opts: PgConnectOptions,
) {
    let admin = pool_opts.connect_with(opts.clone()).await.unwrap();
    let app = spawn_app(opts).await;
    let (token, tenant_id, account) = tenant(&app, "a@export.example").await;
    let (_, other_tenant, other_account) = tenant(&app, "b@export.example").await;
    findings(&admin, &tenant_id, &account, 10_000, "sg-a").await;
    findings(&admin, &other_tenant, &other_account, 5, "sg-other").await;

    let csv = export(&app, Some(&token), "/api/v1/export/findings?format=csv").await;
    assert_eq!(csv.status(), 200);
    assert!(
        csv.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    assert!(
        csv.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("attachment")
    );
    // Streamed: the length is not known up front.
    assert!(csv.headers().get("content-length").is_none());
    let text = csv.text().await.unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header = reader.headers().unwrap().clone();
    assert_eq!(&header[0], "id");
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 10_000);
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    assert!(
        rows.iter()
            .all(|r| r[col("resource_id")].contains("sg-a")
                || r[col("resource_id")].starts_with("'="))
    );
    assert!(
        !text.contains("sg-other"),
        "another tenant's finding leaked"
    );
    // Formula-looking values are neutralized for spreadsheets.
    assert!(
        rows.iter()
            .any(|r| r[col("resource_id")].starts_with("'=HYPERLINK"))
    );
    assert_eq!(
        rows[0][col("title")],
        *"Security group allows SSH (22) from the internet"
    );

    let json = export(
        &app,
        Some(&token),
        "/api/v1/export/findings?format=json&status=SUPPRESSED&severity=critical,high",
    )
    .await;
    assert_eq!(json.status(), 200);
    let lines: Vec<Value> = json
        .text()
        .await
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    // Every tenth is suppressed (1,000); of those, g % 4 in {0, 1} is critical or high.
    assert_eq!(lines.len(), 500);
    assert!(
        lines.iter().all(|f| f["status"] == "SUPPRESSED"
            && (f["severity"] == "CRITICAL" || f["severity"] == "HIGH"))
    );
    assert!(lines[0]["remediation"].as_str().unwrap().len() > 10);

    let ocsf = export(&app, Some(&token), "/api/v1/export/findings?format=ocsf").await;
    let text = ocsf.text().await.unwrap();
    let events: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(events.len(), 10_000);
    let e = &events[0];
    assert_eq!(
        (e["class_uid"].as_i64(), e["type_uid"].as_i64()),
        (Some(2003), Some(200_301))
    );
    assert_eq!(e["compliance"]["status"], "Fail");
    assert!(e["finding_info"]["uid"].is_string() && e["severity_id"].as_i64().unwrap() >= 2);
    assert_eq!(e["metadata"]["version"], "1.1.0");
}

#[sqlx::test(migrations = "../migrations")]
async fn alerts_export_as_ocsf_detection_findings_and_bad_requests_are_4xx(
    pool_opts: PgPoolOptions,
    opts: PgConnectOptions,
) {
    let admin = pool_opts.connect_with(opts.clone()).await.unwrap();
    let app = spawn_app(opts).await;
    let (token, tenant_id, account) = tenant(&app, "c@export.example").await;
    let (_, other_tenant, other_account) = tenant(&app, "d@export.example").await;
    for (t, a, ip) in [
        (&tenant_id, &account, "203.0.113.5"),
        (&other_tenant, &other_account, "198.51.100.99"),
    ] {
        sqlx::query(
            "insert into alerts (tenant_id, alert_id, aws_account_id, rule_id, title, severity, group_key,
                                 event_name, source_ip, first_event_id, last_event_id, event_ids, event_count,
                                 first_seen_at, last_seen_at)
             values ($1::uuid, gen_random_uuid(), $2::uuid, 'vigil-cloudtrail-logging-stopped',
                     'CloudTrail logging stopped or trail deleted', 'critical', 'g', 'StopLogging', $3,
                     'e1', 'e2', array['e1','e2'], 2, now() - interval '1 hour', now())",
        )
        .bind(t)
        .bind(a)
        .bind(ip)
        .execute(&admin)
        .await
        .unwrap();
    }
    let resp = export(&app, Some(&token), "/api/v1/export/alerts?format=ocsf").await;
    assert_eq!(resp.status(), 200);
    let text = resp.text().await.unwrap();
    let events: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(events.len(), 1, "{text}");
    let e = &events[0];
    assert_eq!(
        (e["class_uid"].as_i64(), e["severity_id"].as_i64()),
        (Some(2004), Some(5))
    );
    assert_eq!(
        e["finding_info"]["analytic"]["uid"],
        "vigil-cloudtrail-logging-stopped"
    );
    assert_eq!(e["count"], 2);
    assert_eq!(e["evidences"][0]["src_endpoint"]["ip"], "203.0.113.5");
    assert!(
        e["finding_info"]["attacks"][0]["technique"]["uid"]
            .as_str()
            .unwrap()
            .starts_with('T')
    );

    // Compressed, as most HTTP clients ask for it: the stream still ends cleanly.
    let gzipped = app
        .http
        .get(app.url("/api/v1/export/alerts?format=json"))
        .bearer_auth(&token)
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(gzipped.headers()["content-encoding"], "gzip");
    let body = gzipped.bytes().await.expect("the whole compressed body");
    let mut text = String::new();
    std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&body[..]), &mut text).unwrap();
    assert_eq!(text.lines().count(), 1, "{text}");

    let csv = export(&app, Some(&token), "/api/v1/export/alerts").await;
    assert_eq!(
        csv.text().await.unwrap().lines().count(),
        2,
        "header and one alert"
    );

    for (path, status, code) in [
        ("/api/v1/export/alerts?format=xml", 400, "invalid_parameter"),
        (
            "/api/v1/export/findings?status=ONGOING",
            400,
            "invalid_parameter",
        ),
        (
            "/api/v1/export/findings?since=yesterday",
            400,
            "invalid_parameter",
        ),
        (
            "/api/v1/export/findings?awsAccountId=nope",
            400,
            "invalid_parameter",
        ),
    ] {
        let resp = export(&app, Some(&token), path).await;
        assert_eq!(resp.status(), status, "{path}");
        let body: Value = resp.json().await.unwrap();
        assert_eq!(body["error"]["code"], code, "{path}");
    }
    let anonymous = export(&app, None, "/api/v1/export/findings").await;
    assert_eq!(anonymous.status(), 401);
    let forged = export(&app, Some("vgl_not-a-key"), "/api/v1/export/findings").await;
    assert_eq!(forged.status(), 401);
}
