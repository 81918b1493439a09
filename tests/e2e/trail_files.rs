//! Pins trail file robustness (issue 15): files that are not what CloudTrail writes (not
//! gzip, JSON cut short, not `{"Records": [...]}`), a gzip bomb past the JSON limit and
//! records missing their fields are kept out and reported on the connection once, the good
//! records around them are stored once, and the files after them are still read; a file
//! S3 fails to serve is read by a later run, not skipped; a file stored over several
//! transactions is stored once and reported once.

use std::io::Write;

use serde_json::{Value, json};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use vigil_tests::emulator::{Emulator, random_account_id};
use vigil_worker::{handler::Settings, settings::TrailFileLimits};

use crate::{
    activity::{Connected, connected, logging_trail},
    security_detect::record,
};

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(bytes).unwrap();
    gz.finish().unwrap()
}

fn trail_json(records: Vec<Value>) -> String {
    json!({ "Records": records }).to_string()
}

/// Writes `body` as the trail log file `name` of `account` (us-east-1, dated today), in
/// place of any file of that name; returns its key. Names sort in the order files are read.
async fn put_file(
    s3: &aws_sdk_s3::Client,
    bucket: &str,
    account: &str,
    name: &str,
    body: Vec<u8>,
) -> String {
    let day = chrono::Utc::now().format("%Y/%m/%d");
    let key = format!(
        "AWSLogs/{account}/CloudTrail/us-east-1/{day}/{account}_CloudTrail_us-east-1_{name}.json.gz"
    );
    s3.put_object()
        .bucket(bucket)
        .key(&key)
        .body(body.into())
        .send()
        .await
        .unwrap();
    key
}

/// The connection's ingestion problems, by kind.
async fn problems(c: &Connected) -> serde_json::Map<String, Value> {
    let view = c
        .app
        .graphql_ok(
            &c.token,
            "{ awsAccounts { ingestionProblems { kind count message lastSeenAt } } }",
            json!({}),
        )
        .await;
    view["awsAccounts"][0]["ingestionProblems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["kind"].as_str().unwrap().to_owned(), p.clone()))
        .collect()
}

async fn stored(c: &Connected, event_name: &str) -> usize {
    c.events(json!({ "eventName": event_name })).await.len()
}

/// A worker reading at most 1 MiB of JSON per file, so a bomb past it stays small.
fn one_mib_of_json() -> Settings {
    Settings {
        trail_files: TrailFileLimits {
            max_json_bytes: 1 << 20,
            ..TrailFileLimits::DEFAULT
        },
        ..Settings::default()
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn malformed_trail_files_are_reported_once_and_never_stop_the_files_after_them(
    _: PgPoolOptions,
    opts: PgConnectOptions,
) {
    let account = random_account_id();
    let (bucket, s3, _) = logging_trail(&account).await;
    let c = connected(opts, &account).await;
    let at = c.app.clock.now() - chrono::Duration::hours(1);
    let good = |id: &str, name: &str| record(&account, id, name, at);

    put_file(&s3, &bucket, &account, "1-bad-gzip", b"not gzip".to_vec()).await;
    let whole = trail_json(vec![
        good("cut-1", "CutShortCall"),
        good("cut-2", "CutShortCall"),
    ]);
    let cut_short = gzip(&whole.as_bytes()[..whole.len() - 40]);
    put_file(&s3, &bucket, &account, "2-json-cut-short", cut_short).await;
    // 3 MiB of zeros in a record's ID: three times the limit, a few KiB of gzip.
    let mut bomb = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    bomb.write_all(br#"{"Records": [{"eventID": ""#).unwrap();
    for _ in 0..3 {
        bomb.write_all(&[b'0'; 1 << 20]).unwrap();
    }
    bomb.write_all(br#""}]}"#).unwrap();
    let bomb = bomb.finish().unwrap();
    assert!(bomb.len() < 16 << 10, "{} bytes", bomb.len());
    let bomb = put_file(&s3, &bucket, &account, "3-gzip-bomb", bomb).await;
    let listed = json!([good("list-1", "ListedCall")]).to_string();
    let not_records = put_file(
        &s3,
        &bucket,
        &account,
        "4-not-records",
        gzip(listed.as_bytes()),
    )
    .await;
    let mut partial = vec![good("partial-1", "PartialCall")];
    for field in ["eventID", "eventTime", "eventName", "eventSource"] {
        let mut r = good(&format!("missing-{field}"), "MissingFieldCall");
        r.as_object_mut().unwrap().remove(field);
        partial.push(r);
    }
    partial.push(json!("not a record"));
    partial.push(good("partial-2", "PartialCall"));
    let partial = trail_json(partial);
    let partial = put_file(
        &s3,
        &bucket,
        &account,
        "5-missing-fields",
        gzip(partial.as_bytes()),
    )
    .await;
    let last_good = trail_json(vec![good("good-1", "GoodCall")]);
    put_file(&s3, &bucket, &account, "6-good", gzip(last_good.as_bytes())).await;

    c.ingest_with(one_mib_of_json()).await;

    // The good records of every file, once; nothing of a file kept out whole.
    assert_eq!(stored(&c, "PartialCall").await, 2);
    assert_eq!(stored(&c, "GoodCall").await, 1);
    for kept_out in ["CutShortCall", "ListedCall", "MissingFieldCall"] {
        assert_eq!(stored(&c, kept_out).await, 0, "{kept_out} was stored");
    }
    let first = problems(&c).await;
    // Not gzip, cut short, not a Records list; files are read in key order, so the last
    // one's message is kept.
    let malformed = &first["TRAIL_FILE_MALFORMED"];
    assert_eq!(malformed["count"], 3, "{first:?}");
    let message = malformed["message"].as_str().unwrap();
    assert!(
        message.contains(&not_records) && message.contains("not a CloudTrail log file"),
        "{message}"
    );
    let too_large = &first["TRAIL_FILE_TOO_LARGE"];
    assert_eq!(too_large["count"], 1, "{first:?}");
    let message = too_large["message"].as_str().unwrap();
    assert!(
        message.contains(&bomb) && message.contains("more than the 1 MiB of JSON"),
        "{message}"
    );
    let records = &first["TRAIL_RECORDS_MALFORMED"];
    assert_eq!(records["count"], 5, "{first:?}");
    let message = records["message"].as_str().unwrap();
    assert!(
        message.contains(&partial)
            && message.contains("record 2, has no eventID")
            && message.contains("its other 2 record(s) were read"),
        "{message}"
    );
    let mut kinds: Vec<&str> = first.keys().map(String::as_str).collect();
    kinds.sort_unstable();
    assert_eq!(
        kinds,
        [
            "TRAIL_FILE_MALFORMED",
            "TRAIL_FILE_TOO_LARGE",
            "TRAIL_RECORDS_MALFORMED"
        ]
    );

    // A second run reads none of them again: files changed in place since would show it
    // (a repaired bad file, more bad records, another good record).
    let repaired = trail_json(vec![good("repaired-1", "RepairedCall")]);
    put_file(
        &s3,
        &bucket,
        &account,
        "1-bad-gzip",
        gzip(repaired.as_bytes()),
    )
    .await;
    let worse = trail_json(vec![json!(1), json!(2)]);
    put_file(
        &s3,
        &bucket,
        &account,
        "5-missing-fields",
        gzip(worse.as_bytes()),
    )
    .await;
    let rewritten = trail_json(vec![good("rewritten-1", "RewrittenCall")]);
    put_file(&s3, &bucket, &account, "6-good", gzip(rewritten.as_bytes())).await;
    c.ingest_with(one_mib_of_json()).await;
    assert_eq!(problems(&c).await, first, "problems were reported again");
    for not_read in ["RepairedCall", "RewrittenCall"] {
        assert_eq!(
            stored(&c, not_read).await,
            0,
            "{not_read}: a file was read twice"
        );
    }
    assert_eq!(stored(&c, "PartialCall").await, 2);
    assert_eq!(stored(&c, "GoodCall").await, 1);

    // A file delivered after the bad ones is read.
    let next = trail_json(vec![good("next-1", "NextCall")]);
    put_file(&s3, &bucket, &account, "7-next", gzip(next.as_bytes())).await;
    c.ingest_with(one_mib_of_json()).await;
    assert_eq!(stored(&c, "NextCall").await, 1);
    assert_eq!(problems(&c).await, first);
}

#[sqlx::test(migrations = "../migrations")]
async fn a_trail_file_s3_fails_to_serve_is_read_by_a_later_run_not_skipped(
    _: PgPoolOptions,
    opts: PgConnectOptions,
) {
    let emu = Emulator::shared();
    let account = random_account_id();
    let (bucket, s3, _) = logging_trail(&account).await;
    let c = connected(opts, &account).await;
    let at = c.app.clock.now() - chrono::Duration::hours(1);
    let body = trail_json(vec![record(&account, "later-1", "ServedLaterCall", at)]);
    put_file(
        &s3,
        &bucket,
        &account,
        "1-served-later",
        gzip(body.as_bytes()),
    )
    .await;
    // S3 answers 500 to every GetObject of this account, past the SDK's retries.
    let fault = emu
        .add_fault(json!({ "accountId": account, "service": "s3", "operation": "GetObject", "kind": "server_error" }))
        .await;

    c.ingest().await;
    let faults = emu
        .control(reqwest::Method::GET, "/_vigil/faults", None)
        .await;
    let hits = faults["faults"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == fault.as_str())
        .map(|f| f["hits"].as_u64().unwrap_or_default());
    assert!(
        hits.unwrap_or_default() > 0,
        "GetObject never failed: {faults}"
    );
    assert_eq!(stored(&c, "ServedLaterCall").await, 0);
    let reported = problems(&c).await;
    assert!(
        reported.keys().all(|k| !k.starts_with("TRAIL_")),
        "a transient failure was reported as the file's: {reported:?}"
    );

    emu.control(
        reqwest::Method::DELETE,
        &format!("/_vigil/faults/{fault}"),
        None,
    )
    .await;
    c.ingest().await;
    assert_eq!(stored(&c, "ServedLaterCall").await, 1);
    c.ingest().await;
    assert_eq!(stored(&c, "ServedLaterCall").await, 1);
}

#[sqlx::test(migrations = "../migrations")]
async fn a_file_of_several_chunks_is_stored_whole_once_with_one_report(
    _: PgPoolOptions,
    opts: PgConnectOptions,
) {
    let account = random_account_id();
    let (bucket, s3, _) = logging_trail(&account).await;
    let c = connected(opts, &account).await;
    let at = c.app.clock.now() - chrono::Duration::hours(1);
    // 2,500 records, stored 1,000 per transaction; one bad record in the second chunk.
    let mut records: Vec<Value> = (0..2_500)
        .map(|i| record(&account, &format!("bulk-{i}"), "BulkCall", at))
        .collect();
    records[1_500].as_object_mut().unwrap().remove("eventTime");
    let body = trail_json(records);
    let key = put_file(&s3, &bucket, &account, "1-bulk", gzip(body.as_bytes())).await;
    let total = || async {
        c.app
            .graphql_ok(
                &c.token,
                "{ events(first: 1, filter: { eventName: \"BulkCall\" }) { totalCount } }",
                json!({}),
            )
            .await["events"]["totalCount"]
            .as_u64()
            .unwrap()
    };

    c.ingest().await;
    assert_eq!(total().await, 2_499);
    let first = problems(&c).await;
    let bad = &first["TRAIL_RECORDS_MALFORMED"];
    assert_eq!(bad["count"], 1, "{first:?}");
    let message = bad["message"].as_str().unwrap();
    assert!(
        message.contains(&key) && message.contains("record 1501, has no valid eventTime"),
        "{message}"
    );
    c.ingest().await;
    assert_eq!(total().await, 2_499);
    assert_eq!(problems(&c).await, first);
}
