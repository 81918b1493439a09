//! Pins CloudTrail log file validation (issue 20): when the trail Vigil reads has it on,
//! only log files a CloudTrail-signed digest lists with their SHA-256 are stored; a file
//! an attacker writes into or changes in the trail's bucket, and a digest whose signature
//! does not verify, are kept out and reported on the connection.

use std::io::Write;

use serde_json::json;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use vigil_tests::emulator::{Emulator, random_account_id};

use crate::{
    activity::{connected, logging_trail_with},
    security_detect::{problem, put_trail_file, record},
};

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(bytes).unwrap();
    gz.finish().unwrap()
}

/// The key of the log file in `bucket` that holds the event `event_id` (found by content:
/// other tests' flushes may deliver it).
async fn file_holding(
    s3: &aws_sdk_s3::Client,
    bucket: &str,
    account: &str,
    event_id: &str,
) -> String {
    let listed = s3
        .list_objects_v2()
        .bucket(bucket)
        .prefix(format!("AWSLogs/{account}/CloudTrail/"))
        .send()
        .await
        .unwrap();
    for key in listed.contents().iter().filter_map(|o| o.key()) {
        let body = s3
            .get_object()
            .bucket(bucket)
            .key(key)
            .send()
            .await
            .unwrap();
        let mut json = String::new();
        let gz = body.body.collect().await.unwrap().into_bytes();
        std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&gz[..]), &mut json)
            .unwrap();
        if json.contains(&format!("\"{event_id}\"")) {
            return key.to_owned();
        }
    }
    panic!("no delivered file holds {event_id}");
}

#[sqlx::test(migrations = "../migrations")]
async fn with_log_file_validation_only_files_a_signed_digest_lists_are_stored(
    _: PgPoolOptions,
    opts: PgConnectOptions,
) {
    let emu = Emulator::shared();
    let account = random_account_id();
    let (bucket, s3, ct) = logging_trail_with(&account, true).await;
    let c = connected(opts, &account).await;
    let now = c.app.clock.now();

    // Genuine files, with their digests, are read.
    emu.inject(
        &account,
        vec![record(&account, "genuine-1", "CreateVpc", now)],
    )
    .await;
    emu.flush(&account).await;
    c.ingest().await;
    assert_eq!(c.events(json!({ "eventName": "CreateVpc" })).await.len(), 1);

    // A delivered file changed before Vigil reads it, and a file CloudTrail never
    // delivered; the next delivery's digest covers the time both were written.
    emu.inject(
        &account,
        vec![record(&account, "genuine-2", "CreateSubnet", now)],
    )
    .await;
    emu.flush(&account).await;
    let delivered = file_holding(&s3, &bucket, &account, "genuine-2").await;
    let changed = record(&account, "genuine-2", "ModifiedCall", now);
    s3.put_object()
        .bucket(&bucket)
        .key(&delivered)
        .body(gzip(json!({ "Records": [changed] }).to_string().as_bytes()).into())
        .send()
        .await
        .unwrap();
    let forged = put_trail_file(
        &s3,
        &bucket,
        &account,
        "forged",
        vec![record(&account, "forged-1", "ForgedCall", now)],
    )
    .await;
    emu.inject(
        &account,
        vec![record(&account, "genuine-3", "CreateRouteTable", now)],
    )
    .await;
    emu.flush(&account).await;
    c.ingest().await;
    assert_eq!(
        c.events(json!({ "eventName": "CreateRouteTable" }))
            .await
            .len(),
        1
    );
    for kept_out in ["ModifiedCall", "CreateSubnet", "ForgedCall"] {
        assert!(
            c.events(json!({ "eventName": kept_out })).await.is_empty(),
            "{kept_out} was stored"
        );
    }
    let (_, unverified) = problem(&c, "TRAIL_FILE_UNVERIFIED").await;
    assert_eq!(unverified["count"], 2, "{unverified}");
    let message = unverified["message"].as_str().unwrap();
    assert!(
        message.contains(&forged) || message.contains(&delivered),
        "{message}"
    );

    // A digest the attacker signs themselves, vouching for their file: reported once, and
    // the file stays out.
    let fingerprint = ct
        .list_public_keys()
        .send()
        .await
        .unwrap()
        .public_key_list()[0]
        .fingerprint()
        .unwrap()
        .to_owned();
    let listed = put_trail_file(
        &s3,
        &bucket,
        &account,
        "vouched",
        vec![record(&account, "forged-2", "VouchedCall", now)],
    )
    .await;
    let listed_body = s3
        .get_object()
        .bucket(&bucket)
        .key(&listed)
        .send()
        .await
        .unwrap()
        .body
        .collect()
        .await
        .unwrap()
        .into_bytes();
    let day = chrono::Utc::now().format("%Y/%m/%d");
    let digest_key = format!(
        "AWSLogs/{account}/CloudTrail-Digest/us-east-1/{day}/{account}_CloudTrail-Digest_us-east-1_org_us-east-1_{}.json.gz",
        chrono::Utc::now().format("%Y%m%dT%H%M%SZ")
    );
    let digest = json!({
        "digestStartTime": (now - chrono::Duration::minutes(5)).format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        "digestEndTime": (now + chrono::Duration::minutes(5)).format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        "digestS3Bucket": bucket, "digestS3Object": digest_key,
        "digestPublicKeyFingerprint": fingerprint, "digestSignatureAlgorithm": "SHA256withRSA",
        "previousDigestSignature": null,
        "logFiles": [{ "s3Bucket": bucket, "s3Object": listed, "hashAlgorithm": "SHA-256",
                       "hashValue": vigil_worker::activity::digest::sha256_hex(&listed_body) }]
    });
    s3.put_object()
        .bucket(&bucket)
        .key(&digest_key)
        .metadata("signature", "00".repeat(256))
        .metadata("signature-algorithm", "SHA256withRSA")
        .body(gzip(digest.to_string().as_bytes()).into())
        .send()
        .await
        .unwrap();
    c.ingest().await;
    c.ingest().await;
    assert!(
        c.events(json!({ "eventName": "VouchedCall" }))
            .await
            .is_empty()
    );
    let (_, invalid) = problem(&c, "TRAIL_DIGEST_INVALID").await;
    assert_eq!(invalid["count"], 1, "{invalid}");
    let message = invalid["message"].as_str().unwrap();
    assert!(
        message.contains(&digest_key) && message.contains("signature"),
        "{message}"
    );
}
