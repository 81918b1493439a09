//! The trail-file reader's limits and refusals, on files built in memory.

use std::io::Write;

use serde_json::json;

use super::*;

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(bytes).unwrap();
    gz.finish().unwrap()
}

fn record(id: &str) -> Value {
    json!({ "eventID": id, "eventTime": "2026-11-28T10:00:00Z", "eventName": "CreateVpc",
            "eventSource": "ec2.amazonaws.com", "awsRegion": "us-east-1" })
}

fn file(records: &[Value]) -> Vec<u8> {
    gzip(json!({ "Records": records }).to_string().as_bytes())
}

const LIMITS: TrailFileLimits = TrailFileLimits::DEFAULT;

/// Both passes; the events' IDs and the chunk sizes.
fn read(
    gz: &[u8],
    limits: &TrailFileLimits,
) -> Result<(Vec<String>, Vec<usize>, Streamed), Unreadable> {
    let shape = check(gz, limits)?;
    let mut ids = Vec::new();
    let mut chunks = Vec::new();
    let streamed = stream_events(gz, &shape, limits, None, |chunk| {
        chunks.push(chunk.len());
        ids.extend(chunk.into_iter().map(|e| e.event_id));
        true
    })?;
    Ok((ids, chunks, streamed))
}

fn malformed(gz: &[u8]) -> String {
    match check(gz, &LIMITS) {
        Err(Unreadable::Malformed(reason)) => reason,
        other => panic!("not malformed: {other:?}"),
    }
}

#[test]
fn a_good_file_is_read_in_order_in_one_chunk() {
    let gz = file(&[record("a"), record("b"), record("c")]);
    let (ids, chunks, streamed) = read(&gz, &LIMITS).unwrap();
    assert_eq!(ids, ["a", "b", "c"]);
    assert_eq!(chunks, [3]);
    assert_eq!(streamed.events, 3);
    assert_eq!(streamed.message("k"), None);
    // Other top-level keys, before or after, are skipped; an empty list is a file.
    let gz = gzip(br#"{"x": {"Records": [1]}, "Records": [], "y": "z"}"#);
    assert_eq!(read(&gz, &LIMITS).unwrap().0, Vec::<String>::new());
}

#[test]
fn files_that_are_not_gzip_json_with_a_records_list_are_refused_whole() {
    let good = file(&[record("a"), record("b")]);
    let not_gzip = "is not a readable gzip file";
    for (what, bytes) in [
        ("text", b"this is not gzip".to_vec()),
        ("nothing", Vec::new()),
        ("a gzip stream cut in half", good[..good.len() / 2].to_vec()),
        (
            "a gzip stream without its trailer",
            good[..good.len() - 8].to_vec(),
        ),
        ("a gzip stream whose checksum is wrong", {
            let mut changed = good.clone();
            let at = changed.len() - 8;
            changed[at] ^= 1;
            changed
        }),
    ] {
        let reason = malformed(&bytes);
        assert!(reason.starts_with(not_gzip), "{what}: {reason}");
    }
    // A whole gzip stream of JSON cut short.
    let text = json!({ "Records": [record("a"), record("b")] }).to_string();
    let reason = malformed(&gzip(&text.as_bytes()[..text.len() - 20]));
    assert_eq!(reason, "ends before its JSON does: it was cut short");
    let reason = malformed(&gzip(b"{\"Records\": [}"));
    assert!(reason.contains("not valid JSON"), "{reason}");
    for not_cloudtrail in [
        r#"[{"eventID": "a"}]"#,
        r#"{"Records": {"eventID": "a"}}"#,
        r#"{"records": []}"#,
        r#"{"Records": [], "Records": []}"#,
        r#""Records""#,
    ] {
        let reason = malformed(&gzip(not_cloudtrail.as_bytes()));
        assert!(
            reason.contains("not a CloudTrail log file"),
            "{not_cloudtrail}: {reason}"
        );
    }
    let reason = malformed(&gzip(br#"{"Records": []} {"Records": []}"#));
    assert!(reason.contains("not valid JSON"), "{reason}");
    let reason = malformed(&gzip(&vec![0u8; 1 << 20]));
    assert!(reason.contains("not valid JSON"), "{reason}");
}

#[test]
fn json_past_the_limit_is_refused_as_too_large_without_reading_further() {
    let limits = TrailFileLimits {
        max_json_bytes: 1 << 20,
        ..LIMITS
    };
    // A bomb: one string of zeros, four times the limit.
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(br#"{"Records": [{"eventID": ""#).unwrap();
    for _ in 0..4 {
        gz.write_all(&[b'0'; 1 << 20]).unwrap();
    }
    gz.write_all(br#""}]}"#).unwrap();
    let bomb = gz.finish().unwrap();
    assert!(bomb.len() < 16 << 10, "{}", bomb.len());
    let Err(Unreadable::TooLarge(reason)) = check(&bomb, &limits) else {
        panic!("the bomb was not refused as too large");
    };
    assert!(reason.contains("more than the 1 MiB of JSON"), "{reason}");
    // At the limit exactly, a file is read.
    let mut text = json!({ "Records": [record("a")] }).to_string();
    let pad = usize::try_from(limits.max_json_bytes).unwrap() - text.len();
    text.push_str(&" ".repeat(pad));
    assert_eq!(read(&gzip(text.as_bytes()), &limits).unwrap().0, ["a"]);
    text.push(' ');
    assert!(matches!(
        check(&gzip(text.as_bytes()), &limits),
        Err(Unreadable::TooLarge(_))
    ));
}

#[test]
fn a_top_level_key_longer_than_a_record_is_refused() {
    let limits = TrailFileLimits {
        max_record_bytes: 1 << 10,
        ..LIMITS
    };
    let long = format!(r#"{{"{}": 1, "Records": []}}"#, "k".repeat(2 << 10));
    let Err(Unreadable::Malformed(reason)) = check(&gzip(long.as_bytes()), &limits) else {
        panic!("a 2 KiB key was accepted");
    };
    assert!(reason.contains("key longer than 1 KiB"), "{reason}");
}

#[test]
fn bad_records_are_kept_out_one_by_one_and_the_first_is_named() {
    let mut no_source = record("no-source");
    no_source.as_object_mut().unwrap().remove("eventSource");
    let mut huge = record("huge");
    huge["requestParameters"] = json!("x".repeat(2 << 10));
    let limits = TrailFileLimits {
        max_record_bytes: 1 << 10,
        ..LIMITS
    };
    let gz = file(&[
        record("a"),
        no_source,
        json!(42),
        huge,
        json!({ "eventTime": "2026-11-28T10:00:00Z" }),
        record("b"),
    ]);
    let shape = check(&gz, &limits).unwrap();
    assert_eq!(
        shape,
        Shape {
            records: 6,
            oversized: vec![3]
        }
    );
    let (ids, _, streamed) = read(&gz, &limits).unwrap();
    assert_eq!(ids, ["a", "b"]);
    assert_eq!(streamed.events, 2);
    assert_eq!(streamed.malformed, 4);
    assert_eq!(
        streamed.first_malformed,
        Some((2, "has no eventSource".to_owned()))
    );
    let message = streamed.message("AWSLogs/f.json.gz").unwrap();
    assert!(
        message.starts_with("4 record(s) of the trail file AWSLogs/f.json.gz")
            && message.contains("record 2, has no eventSource")
            && message.contains("other 2 record(s) were read"),
        "{message}"
    );
}

#[test]
fn events_are_handed_over_in_bounded_chunks_and_a_gone_receiver_stops_the_reading() {
    let records: Vec<Value> = (0..2_500).map(|i| record(&format!("e{i}"))).collect();
    let gz = file(&records);
    let (ids, chunks, _) = read(&gz, &LIMITS).unwrap();
    assert_eq!(chunks, [1_000, 1_000, 500]);
    assert_eq!(ids.len(), 2_500);
    assert_eq!((ids[0].as_str(), ids[2_499].as_str()), ("e0", "e2499"));
    // Large records close a chunk by bytes first.
    let mut big = record("big");
    big["requestParameters"] = json!("x".repeat(100 << 10));
    let gz = file(&vec![big; 100]);
    let (_, chunks, _) = read(&gz, &LIMITS).unwrap();
    assert!(chunks.iter().all(|c| *c <= 41), "{chunks:?}");
    assert_eq!(chunks.iter().sum::<usize>(), 100);
    // The receiver goes away after the first chunk: nothing more is read or sent.
    let gz = file(&records);
    let shape = check(&gz, &LIMITS).unwrap();
    let mut sent = 0;
    let streamed = stream_events(&gz, &shape, &LIMITS, None, |_| {
        sent += 1;
        false
    })
    .unwrap();
    assert_eq!(sent, 1);
    assert_eq!(streamed.events, 1_000);
}

#[tokio::test]
async fn the_gzip_limit_holds_whether_or_not_s3_announces_the_length() {
    let body = || ByteStream::from(vec![7u8; 100]);
    let read = read_capped(Some(100), body(), 100).await.unwrap();
    assert_eq!(read.unwrap().len(), 100);
    let Err(Unreadable::TooLarge(announced)) = read_capped(Some(101), body(), 100).await.unwrap()
    else {
        panic!("an announced 101 bytes passed a 100-byte limit");
    };
    assert!(announced.starts_with("is 101 bytes"), "{announced}");
    // No length, or a wrong one: the bytes themselves are counted.
    for length in [None, Some(10)] {
        let read = read_capped(length, body(), 99).await.unwrap();
        assert!(matches!(read, Err(Unreadable::TooLarge(_))), "{length:?}");
    }
}

#[test]
fn sizes_read_as_people_write_them() {
    assert_eq!(size(256 << 20), "256 MiB");
    assert_eq!(size(64 << 10), "64 KiB");
    assert_eq!(size(1_000), "1000 bytes");
}
