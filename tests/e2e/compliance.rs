//! Pins the compliance report against the seeded insecure account after a real scan and
//! ingestion: the CIS v5.0 report lists every control of the benchmark; the security
//! groups open to the world fail 5.3 with their resources; controls whose checks find
//! nothing pass (and the findings list agrees); manual controls are MANUAL; monitoring
//! controls are evidenced by detections once events are ingested; an attestation shows
//! until it is revoked, an expired one never shows; bad input is refused naming it;
//! another tenant can neither read nor attest on this account; the CSV export has one row
//! per control and the HTML one prints the same statuses.

use serde_json::{Value, json};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use vigil_tests::error_code;

use crate::assessment::seeded;

const REPORT: &str = "query($f: String!, $a: ID) { complianceReport(framework: $f, awsAccountId: $a) {
    framework { id controlsTotal controlsAutomated controlsCovered }
    score counts { pass fail notAssessed manual attested }
    accounts { awsAccountId scanId scanStatus eventsIngestedAt }
    controls { id section title automated status reason checks failingCount suppressedCount
      failingResources { findingId ruleId region resourceId resourceType }
      detection { rules { ruleId enabled raisesAlerts } watchedCalls benchmarkCalls eventsIngestedAt lastMatch { alertId at } }
      attestation { id owner note evidenceUrl expiresAt attestedBy } } } }";
const ATTEST: &str = "mutation($i: AttestComplianceControlInput!) { attestComplianceControl(input: $i) { id controlId owner expiresAt attestedBy awsAccountId } }";
const REVOKE: &str =
    "mutation($id: ID!) { revokeComplianceAttestation(id: $id) { id revokedAt revokedBy } }";

fn control<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["controls"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("control {id} missing"))
}

fn in_days(days: i64) -> String {
    (chrono::Utc::now() + chrono::Duration::days(days)).to_rfc3339()
}

#[sqlx::test(migrations = "../migrations")]
async fn the_cis_report_of_a_scanned_account_is_complete_and_true(
    _: PgPoolOptions,
    opts: PgConnectOptions,
) {
    // The database's owner, for a row the API would refuse.
    let admin = PgPoolOptions::new()
        .max_connections(1)
        .connect_with(opts.clone())
        .await
        .unwrap();
    let s = seeded(opts).await;
    // The connection queued its first scan and ingestion.
    s.worker().drain().await.unwrap();
    // Every region's events read (trail files delivered): the account's ingestion is fresh.
    s.ingest().await;
    let conn = s.connection["id"].clone();
    let vars = json!({ "f": "cis-aws-5.0", "a": conn });
    let report = s.app.graphql_ok(&s.token, REPORT, vars.clone()).await["complianceReport"].clone();

    // Every control of the benchmark, in order, once.
    let ids: Vec<&str> = report["controls"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 63, "{ids:?}");
    assert_eq!(report["framework"]["controlsTotal"], 63);
    assert_eq!(report["framework"]["controlsAutomated"], 35);
    assert_eq!(ids.first(), Some(&"1.1"));
    assert_eq!(ids.last(), Some(&"5.7"));
    assert!(ids.contains(&"1.10") && ids.contains(&"4.15"));
    let account = &report["accounts"][0];
    assert_eq!(account["scanStatus"], "SUCCEEDED", "{account}");

    // The seeded security groups open to the world fail 5.3, with their resources.
    let c53 = control(&report, "5.3");
    assert_eq!(c53["status"], "FAIL", "{c53}");
    let failing: Vec<&str> = c53["failingResources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["resourceId"].as_str().unwrap())
        .collect();
    let ssh = s.id("us-east-1", "securityGroups", "open-ssh");
    assert!(failing.contains(&ssh.as_str()), "{failing:?} lacks {ssh}");
    assert!(c53["failingCount"].as_i64().unwrap() >= failing.len() as i64);
    // The weak password policy (6 characters) fails 1.7.
    assert_eq!(control(&report, "1.7")["status"], "FAIL");

    // The trail is multi-region, logging and validated: 3.1 and 3.2 pass, and the findings
    // list agrees that their checks found nothing open.
    for id in ["3.1", "3.2"] {
        let c = control(&report, id);
        assert_eq!(c["status"], "PASS", "{c}");
        for check in c["checks"].as_array().unwrap() {
            let open = s
                .app
                .graphql_ok(
                    &s.token,
                    "query($f: FindingFilter) { findings(filter: $f) { totalCount } }",
                    json!({ "f": { "ruleId": check, "status": ["OPEN"], "awsAccountId": conn } }),
                )
                .await;
            assert_eq!(open["findings"]["totalCount"], 0, "{id} {check}");
        }
    }
    // Manual controls are MANUAL. Every automated one has checks now: IAM Access Analyzer
    // (1.19) is seeded in the first region only, so it fails.
    let c11 = control(&report, "1.1");
    assert_eq!(c11["status"], "MANUAL");
    assert_eq!(c11["automated"], false);
    assert_eq!(control(&report, "1.19")["status"], "FAIL");

    // Monitoring: root usage (4.3) is watched by detections and the events were ingested.
    let c43 = control(&report, "4.3");
    assert_eq!(c43["status"], "PASS", "{c43}");
    let rules = c43["detection"]["rules"].as_array().unwrap();
    assert!(
        rules
            .iter()
            .any(|r| r["ruleId"] == "vigil-root-account-usage" && r["enabled"] == true)
    );
    assert!(c43["detection"]["eventsIngestedAt"].is_string());
    let c45 = control(&report, "4.5");
    assert!(
        c45["detection"]["watchedCalls"]
            .as_array()
            .unwrap()
            .contains(&json!("StopLogging")),
        "{c45}"
    );
    // The CloudWatch checks show beside the detections. Root usage has its metric filter,
    // alarm and subscribed topic (seed_cloudwatch.py): both evidence 4.3.
    assert_eq!(c43["checks"], json!(["cloudwatch-no-alarm-root-usage"]));
    assert_eq!(c43["failingCount"], 0, "{c43}");
    assert!(
        c43["reason"]
            .as_str()
            .unwrap()
            .contains("CloudWatch metric filter and alarm: no open finding"),
        "{c43}"
    );
    // Unauthorized API calls have a filter but no alarm: the check fails, the detections
    // still evidence the control, and the report says both.
    let c41 = control(&report, "4.1");
    assert_eq!(c41["status"], "PASS", "{c41}");
    assert_eq!(c41["failingCount"], 1, "{c41}");
    assert_eq!(
        c41["failingResources"][0]["ruleId"],
        "cloudwatch-no-alarm-unauthorized-api-calls"
    );
    assert!(
        c41["detection"]["rules"]
            .as_array()
            .is_some_and(|r| !r.is_empty())
    );
    // No built-in detection watches route tables yet, and no metric filter does: the
    // CloudWatch check alone judges it.
    let c413 = control(&report, "4.13");
    assert_eq!(c413["status"], "FAIL", "{c413}");
    assert!(c413["detection"].is_null());
    assert_eq!(
        c413["checks"],
        json!(["cloudwatch-no-alarm-route-table-changes"])
    );
    // The score is passed over assessed.
    let counts = &report["counts"];
    let (pass, fail) = (
        counts["pass"].as_f64().unwrap(),
        counts["fail"].as_f64().unwrap(),
    );
    let score = report["score"].as_f64().unwrap();
    assert!((score - (pass * 1000.0 / (pass + fail)).floor() / 10.0).abs() < 1e-9);

    // The report across all connections is the same single account here.
    let all = s
        .app
        .graphql_ok(&s.token, REPORT, json!({ "f": "cis-aws-5.0" }))
        .await["complianceReport"]
        .clone();
    assert_eq!(control(&all, "5.3")["status"], "FAIL");
    assert_eq!(all["accounts"].as_array().unwrap().len(), 1);

    // Attesting a manual control: ATTESTED with its details, audited; revoked: MANUAL.
    let attested = s
        .app
        .graphql_ok(
            &s.token,
            ATTEST,
            json!({ "i": { "framework": "cis-aws-5.0", "controlId": "1.1", "awsAccountId": conn,
                "owner": "Security team", "note": "Contacts reviewed with finance",
                "evidenceUrl": "https://wiki.example/contacts", "expiresAt": in_days(90) } }),
        )
        .await["attestComplianceControl"]
        .clone();
    let report = s.app.graphql_ok(&s.token, REPORT, vars.clone()).await["complianceReport"].clone();
    let c11 = control(&report, "1.1");
    assert_eq!(c11["status"], "ATTESTED", "{c11}");
    assert_eq!(c11["attestation"]["owner"], "Security team");
    assert_eq!(
        c11["attestation"]["evidenceUrl"],
        "https://wiki.example/contacts"
    );
    assert_eq!(report["counts"]["attested"], 1);
    let audit = s
        .app
        .graphql_ok(
            &s.token,
            "{ auditLog(first: 20) { edges { node { action target } } } }",
            json!({}),
        )
        .await;
    assert!(
        audit["auditLog"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["node"]["action"] == "compliance.attested"
                && e["node"]["target"] == "cis-aws-5.0 1.1"),
        "{audit}"
    );
    s.app
        .graphql_ok(&s.token, REVOKE, json!({ "id": attested["id"] }))
        .await;
    let report = s.app.graphql_ok(&s.token, REPORT, vars.clone()).await["complianceReport"].clone();
    assert_eq!(control(&report, "1.1")["status"], "MANUAL");

    // An attestation past its expiry (written as the table's owner: the API refuses one)
    // does not show.
    let tenant = crate::fixtures::tenant_of(&s.app, &s.token).await;
    sqlx::query(
        "insert into compliance_attestations (tenant_id, attestation_id, framework, control_id, owner, note,
             expires_at, attested_by, attested_at)
         values ($1, gen_random_uuid(), 'cis-aws-5.0', '1.2', 'Security team', 'old', now() - interval '1 day',
                 'owner@example', now() - interval '100 days')",
    )
    .bind(tenant)
    .execute(&admin)
    .await
    .unwrap();
    let report = s.app.graphql_ok(&s.token, REPORT, vars.clone()).await["complianceReport"].clone();
    let c12 = control(&report, "1.2");
    assert_eq!(c12["status"], "MANUAL", "{c12}");
    assert!(c12["attestation"].is_null());

    // Bad input is refused, naming what is wrong.
    let refused = |body: Value| (error_code(&body), body["errors"][0]["message"].to_string());
    let bad_framework = s
        .app
        .graphql(Some(&s.token), REPORT, json!({ "f": "cis-9000" }))
        .await;
    let (code, message) = refused(bad_framework);
    assert_eq!(code.as_deref(), Some("BAD_USER_INPUT"));
    assert!(
        message.contains("cis-9000") && message.contains("cis-aws-5.0"),
        "{message}"
    );
    for (input, needle) in [
        (json!({ "evidenceUrl": "http://wiki.example/x" }), "https"),
        (json!({ "expiresAt": in_days(400) }), "year"),
        (json!({ "expiresAt": in_days(-1) }), "future"),
        (json!({ "controlId": "5.3" }), "automated"),
        (json!({ "controlId": "9.9" }), "9.9"),
        (json!({ "owner": " " }), "owner"),
    ] {
        let mut i = json!({ "framework": "cis-aws-5.0", "controlId": "1.1", "owner": "o", "note": "n",
            "expiresAt": in_days(30) });
        for (k, v) in input.as_object().unwrap() {
            i[k] = v.clone();
        }
        let (code, message) = refused(
            s.app
                .graphql(Some(&s.token), ATTEST, json!({ "i": i }))
                .await,
        );
        assert_eq!(
            code.as_deref(),
            Some("BAD_USER_INPUT"),
            "{input}: {message}"
        );
        assert!(message.contains(needle), "{input}: {message}");
    }

    // Another tenant: this account reads as one that does not exist.
    let other = s
        .app
        .signup("other@compliance.example", "Other")
        .await
        .access_token;
    let (code, _) = refused(s.app.graphql(Some(&other), REPORT, vars.clone()).await);
    assert_eq!(code.as_deref(), Some("NOT_FOUND"));
    let (code, _) = refused(
        s.app
            .graphql(
                Some(&other),
                ATTEST,
                json!({ "i": { "framework": "cis-aws-5.0", "controlId": "1.1", "awsAccountId": conn,
                    "owner": "o", "note": "n", "expiresAt": in_days(30) } }),
            )
            .await,
    );
    assert_eq!(code.as_deref(), Some("NOT_FOUND"));
    let theirs = s
        .app
        .graphql_ok(&other, REPORT, json!({ "f": "cis-aws-5.0" }))
        .await["complianceReport"]
        .clone();
    assert!(theirs["accounts"].as_array().unwrap().is_empty());
    assert_eq!(control(&theirs, "5.3")["status"], "NOT_ASSESSED");
    // Nor can it revoke this tenant's attestations.
    let live = s
        .app
        .graphql_ok(
            &s.token,
            ATTEST,
            json!({ "i": { "framework": "cis-aws-5.0", "controlId": "1.1", "owner": "o", "note": "n",
                "expiresAt": in_days(30) } }),
        )
        .await["attestComplianceControl"]
        .clone();
    let (code, _) = refused(
        s.app
            .graphql(Some(&other), REVOKE, json!({ "id": live["id"] }))
            .await,
    );
    assert_eq!(code.as_deref(), Some("NOT_FOUND"));

    // CSV: a header and one row per control, with the same statuses.
    let path = format!(
        "/api/v1/export/compliance?framework=cis-aws-5.0&awsAccountId={}",
        conn.as_str().unwrap()
    );
    let res = s
        .app
        .http
        .get(s.app.url(&path))
        .bearer_auth(&s.token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let text = res.text().await.unwrap();
    let mut csv = csv::Reader::from_reader(text.as_bytes());
    let headers = csv.headers().unwrap().clone();
    let (id_col, status_col) = (
        headers.iter().position(|h| h == "control_id").unwrap(),
        headers.iter().position(|h| h == "status").unwrap(),
    );
    let rows: Vec<csv::StringRecord> = csv.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 63);
    let row = |id: &str| rows.iter().find(|r| &r[id_col] == id).unwrap().clone();
    assert_eq!(&row("5.3")[status_col], "FAIL");
    assert_eq!(&row("1.1")[status_col], "ATTESTED");
    assert!(
        row("5.3")[headers
            .iter()
            .position(|h| h == "failing_resources")
            .unwrap()]
        .contains(&ssh)
    );
    // HTML for printing.
    let res = s
        .app
        .http
        .get(s.app.url(&format!("{path}&format=html")))
        .bearer_auth(&s.token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let page = res.text().await.unwrap();
    assert!(page.contains("CIS Amazon Web Services Foundations Benchmark v5.0.0"));
    assert!(page.contains(&ssh));
    // Bad parameters and another tenant's account are 4xx naming the problem.
    for (p, status, code) in [
        ("framework=nope", 400, "unknown_framework"),
        ("framework=cis-aws-5.0&format=pdf", 400, "bad_format"),
        (
            "framework=cis-aws-5.0&awsAccountId=x",
            400,
            "bad_aws_account_id",
        ),
    ] {
        let res = s
            .app
            .http
            .get(s.app.url(&format!("/api/v1/export/compliance?{p}")))
            .bearer_auth(&s.token)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), status, "{p}");
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["error"]["code"], code, "{p}");
    }
    let res = s
        .app
        .http
        .get(s.app.url(&path))
        .bearer_auth(&other)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    let res = s.app.http.get(s.app.url(&path)).send().await.unwrap();
    assert_eq!(res.status(), 401);
}

#[sqlx::test(migrations = "../migrations")]
async fn a_service_the_latest_scan_could_not_read_leaves_its_controls_not_assessed(
    _: PgPoolOptions,
    opts: PgConnectOptions,
) {
    let s = seeded(opts).await;
    s.worker().drain().await.unwrap();
    let conn = s.connection["id"].clone();
    let vars = json!({ "f": "cis-aws-5.0", "a": conn });
    let before = s.app.graphql_ok(&s.token, REPORT, vars.clone()).await["complianceReport"].clone();
    assert_eq!(control(&before, "3.2")["status"], "PASS");

    // CloudTrail denied: the rescan is PARTIAL and cannot vouch for the trail's controls.
    let emu = vigil_tests::emulator::Emulator::shared();
    let rule = emu
        .add_fault(
            json!({ "accountId": s.account, "service": "cloudtrail", "kind": "access_denied" }),
        )
        .await;
    s.app
        .graphql_ok(
            &s.token,
            "mutation($id: ID!) { startScan(awsAccountId: $id) { id } }",
            json!({ "id": conn }),
        )
        .await;
    s.worker().drain().await.unwrap();
    // Only this test's rule: other tests share the emulator.
    emu.control(
        reqwest::Method::DELETE,
        &format!("/_vigil/faults/{rule}"),
        None,
    )
    .await;
    let after = s.app.graphql_ok(&s.token, REPORT, vars).await["complianceReport"].clone();
    assert_eq!(
        after["accounts"][0]["scanStatus"], "PARTIAL",
        "{}",
        after["accounts"]
    );
    let c32 = control(&after, "3.2");
    assert_eq!(c32["status"], "NOT_ASSESSED", "{c32}");
    assert!(
        c32["reason"].as_str().unwrap().contains("could not read"),
        "{c32}"
    );
    // What the scan did read is still judged: the open SSH groups fail 5.3.
    assert_eq!(control(&after, "5.3")["status"], "FAIL");
    assert!(after["score"].is_number());

    // A connection never scanned: nothing automated is assessed, and it says so.
    let pending = crate::fixtures::connection(&s.app, &s.token).await;
    let none = s
        .app
        .graphql_ok(
            &s.token,
            REPORT,
            json!({ "f": "cis-aws-5.0", "a": pending.to_string() }),
        )
        .await["complianceReport"]
        .clone();
    let c53 = control(&none, "5.3");
    assert_eq!(c53["status"], "NOT_ASSESSED");
    assert!(
        c53["reason"].as_str().unwrap().contains("never scanned"),
        "{c53}"
    );
    assert_eq!(none["counts"]["pass"], 0);
    assert_eq!(none["counts"]["fail"], 0);
    assert!(none["score"].is_null());
}
