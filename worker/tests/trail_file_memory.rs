//! Pins the memory bound of trail file reading (issue 15): a file of a million records,
//! inside the JSON limit, is read whole through both passes while the process's peak
//! resident memory grows by a small fraction of the file's JSON, because nothing holds the
//! decompressed file or more than a chunk of its events. Its own test binary, so that the
//! peak it measures is this test's alone.

use std::io::Write;

use vigil_worker::{
    activity::trail_file::{self, CHUNK_RECORDS},
    settings::TrailFileLimits,
};

/// A field of `/proc/self/status`, in KiB.
fn status_kib(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or_else(|| panic!("no {field} in /proc/self/status"))
}

#[test]
fn a_million_record_file_is_read_whole_in_bounded_memory() {
    const RECORDS: u32 = 1_000_000;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    let mut json_bytes = 0;
    let mut write = |bytes: &[u8]| {
        gz.write_all(bytes).unwrap();
        json_bytes += bytes.len() as u64;
    };
    write(b"{\"Records\": [");
    for i in 0..RECORDS {
        let record = format!(
            r#"{}{{"eventID":"{i:08x}-4f0e","eventTime":"2026-11-28T10:{:02}:{:02}Z","eventName":"DescribeInstances","eventSource":"ec2.amazonaws.com"}}"#,
            if i == 0 { "" } else { "," },
            (i / 60) % 60,
            i % 60,
        );
        write(record.as_bytes());
    }
    write(b"]}");
    let gzip = gz.finish().unwrap();
    let limits = TrailFileLimits::DEFAULT;
    assert!(
        json_bytes > 100 << 20 && json_bytes < limits.max_json_bytes,
        "{json_bytes} bytes of JSON: meant to be large but inside the limit"
    );

    // The peak from here on (the kernel resets it to the current size).
    std::fs::write("/proc/self/clear_refs", "5").unwrap();
    let before = status_kib("VmRSS:");
    let shape = trail_file::check(&gzip, &limits).unwrap();
    assert_eq!(shape.records, u64::from(RECORDS));
    assert!(shape.oversized.is_empty());
    let (mut events, mut chunks, mut largest) = (0, 0, 0);
    let mut last_id = String::new();
    let streamed = trail_file::stream_events(&gzip, &shape, &limits, None, |chunk| {
        events += chunk.len();
        chunks += 1;
        largest = largest.max(chunk.len());
        last_id = chunk.last().unwrap().event_id.clone();
        true
    })
    .unwrap();
    let grown_kib = status_kib("VmHWM:").saturating_sub(before);

    assert_eq!(events, RECORDS as usize);
    assert_eq!(streamed.events, u64::from(RECORDS));
    assert_eq!(streamed.malformed, 0);
    assert_eq!(largest, CHUNK_RECORDS);
    assert_eq!(chunks, RECORDS as usize / CHUNK_RECORDS);
    assert_eq!(last_id, format!("{:08x}-4f0e", RECORDS - 1));
    // Holding the JSON would take 100+ MiB, its events several times that; measured: about
    // 1.3 MiB (a chunk of events and the decompressor's buffers).
    assert!(
        grown_kib < 16 << 10,
        "reading {} MiB of JSON grew the peak resident memory by {} MiB",
        json_bytes >> 20,
        grown_kib >> 10
    );
}
