//! One CloudTrail log file, read within bounds ([`TrailFileLimits`]): the gzip object is
//! downloaded up to a cap, its JSON is decompressed as a stream up to another and never held
//! whole, and its records are parsed one at a time and stored in chunks. A first pass checks
//! the whole file before anything is stored, so a file that is not what CloudTrail writes
//! (not gzip, cut short, not `{"Records": [...]}`, too large) is kept out whole and reported
//! once, with its "read" mark; records that lack what an event is keyed and matched by are
//! kept out one by one and counted in one report per file. Neither stops the next file.

use std::{
    cell::Cell,
    fmt,
    io::{self, BufReader, Read},
    sync::Arc,
};

use aws_sdk_s3::primitives::ByteStream;
use aws_smithy_types::error::display::DisplayErrorContext;
use chrono::{DateTime, Utc};
use serde::de::{
    self, DeserializeSeed, Deserializer as _, IgnoredAny, MapAccess, SeqAccess, Visitor,
};
use serde_json::{Value, error::Category};
use vigil_core::store::events::NewEvent;

use super::{Closing, Ctx, Ingested, record};
use crate::settings::TrailFileLimits;

/// The problem kind of a file that is not gzip JSON with a `Records` list (kept out whole).
pub(super) const FILE_MALFORMED: &str = "trail_file_malformed";
/// The problem kind of a file past a size limit (kept out whole).
pub(super) const FILE_TOO_LARGE: &str = "trail_file_too_large";
/// The problem kind of records kept out of a file that was read (counted per record).
pub(super) const RECORDS_MALFORMED: &str = "trail_records_malformed";

/// Events stored per transaction: a file of up to this many records is stored in one, with
/// its "read" mark; a larger one in several, the last with the mark (a crash in between
/// re-reads the file, and event IDs keep every event once).
pub const CHUNK_RECORDS: usize = 1_000;
/// A chunk is also closed at this much record JSON, so that large records keep it small.
pub const CHUNK_BYTES: u64 = 4 << 20;
/// Decompressed bytes buffered ahead of the parser.
const READ_AHEAD: usize = 64 << 10;
/// The error that ends the parse when a chunk's receiver is gone.
const STOPPED: &str = "the reading was stopped";

/// Why a whole file was kept out. The reason completes "the trail file <key> ...".
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unreadable {
    /// Past a size limit.
    TooLarge(String),
    /// Not gzip, not JSON, or not `{"Records": [...]}`.
    Malformed(String),
}

impl Unreadable {
    /// The problem kind recorded on the connection.
    pub(super) fn kind(&self) -> &'static str {
        match self {
            Self::TooLarge(_) => FILE_TOO_LARGE,
            Self::Malformed(_) => FILE_MALFORMED,
        }
    }

    /// The reason, completing "the trail file <key> ...".
    pub fn reason(&self) -> &str {
        match self {
            Self::TooLarge(r) | Self::Malformed(r) => r,
        }
    }

    /// The problem's message, naming the file.
    pub(super) fn message(&self, key: &str) -> String {
        match self {
            Self::TooLarge(reason) => format!(
                "the trail file {key} {reason}, so it was not stored or evaluated. CloudTrail's \
                 log files are a few MiB at most: check who can write to the trail's bucket."
            ),
            Self::Malformed(reason) => format!(
                "the trail file {key} {reason}, so none of its records were stored or \
                 evaluated. CloudTrail writes gzip JSON with a Records list: check who can \
                 write to the trail's bucket."
            ),
        }
    }
}

/// `bytes` for people: `256 MiB`, `1 KiB` or `1000 bytes`.
fn size(bytes: u64) -> String {
    if bytes >= 1 << 20 && bytes.is_multiple_of(1 << 20) {
        format!("{} MiB", bytes >> 20)
    } else if bytes >= 1 << 10 && bytes.is_multiple_of(1 << 10) {
        format!("{} KiB", bytes >> 10)
    } else {
        format!("{bytes} bytes")
    }
}

/// Reads an S3 object's body up to `cap` bytes. `Ok(Err(..))` when it is larger: judged
/// by the length S3 announces before any byte is read, and by the bytes themselves.
pub(super) async fn read_capped(
    length: Option<i64>,
    mut body: ByteStream,
    cap: u64,
) -> Result<Result<Vec<u8>, Unreadable>, anyhow::Error> {
    let too_large = |what: String| {
        Unreadable::TooLarge(format!(
            "is {what}, more than the {} of gzip Vigil downloads",
            size(cap)
        ))
    };
    let announced = length.and_then(|l| u64::try_from(l).ok());
    if let Some(length) = announced.filter(|l| *l > cap) {
        return Ok(Err(too_large(format!("{length} bytes"))));
    }
    let mut out = Vec::with_capacity(usize::try_from(announced.unwrap_or(0)).unwrap_or(0));
    while let Some(bytes) = body
        .try_next()
        .await
        .map_err(|e| anyhow::anyhow!("{}", DisplayErrorContext(&e)))?
    {
        if (out.len() + bytes.len()) as u64 > cap {
            return Ok(Err(too_large(format!("over {} bytes", cap))));
        }
        out.extend_from_slice(&bytes);
    }
    Ok(Ok(out))
}

/// What the first pass learnt of a readable file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Shape {
    /// Entries of its `Records` list.
    pub records: u64,
    /// The positions (from 0) of the entries larger than a record may be, in order: the
    /// second pass skips them without building them.
    pub oversized: Vec<u64>,
}

/// What the second pass handed over, besides the events.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Streamed {
    /// Records handed over as events.
    pub events: u64,
    /// Records kept out for their content.
    pub malformed: u64,
    /// The first of those: its number in the file (from 1) and what is wrong with it.
    pub first_malformed: Option<(u64, String)>,
}

impl Streamed {
    fn keep_out(&mut self, number: u64, why: &str) {
        self.malformed += 1;
        if self.first_malformed.is_none() {
            self.first_malformed = Some((number, why.to_owned()));
        }
    }

    /// The problem's message when records were kept out, naming the file.
    pub(super) fn message(&self, key: &str) -> Option<String> {
        let (number, why) = self.first_malformed.as_ref()?;
        Some(format!(
            "{} record(s) of the trail file {key} were not stored or evaluated (the first, \
             record {number}, {why}); its other {} record(s) were read. CloudTrail writes every \
             record as an object with eventID, eventTime, eventName and eventSource: check who \
             can write to the trail's bucket.",
            self.malformed, self.events
        ))
    }
}

/// The first pass: reads the whole file without building anything, and says whether it is
/// readable and where its oversized records are.
pub fn check(gzip: &[u8], limits: &TrailFileLimits) -> Result<Shape, Unreadable> {
    let mut shape = Shape::default();
    walk(gzip, limits, Mode::Check(&mut shape))?;
    Ok(shape)
}

/// The second pass over a file [`check`] found readable: normalises its records one at a
/// time and hands the events to `send` in chunks of at most [`CHUNK_RECORDS`] records (or
/// about [`CHUNK_BYTES`] of their JSON), in file order. `send` returning false stops the
/// reading (its receiver is gone); what was read so far is returned.
pub fn stream_events(
    gzip: &[u8],
    shape: &Shape,
    limits: &TrailFileLimits,
    own_arn: Option<&str>,
    mut send: impl FnMut(Vec<NewEvent>) -> bool,
) -> Result<Streamed, Unreadable> {
    let mut out = Streamed::default();
    let mut chunk = Vec::new();
    let mut chunk_bytes = 0;
    let mut number = 0;
    let mut stopped = false;
    let oversized_reason = format!(
        "is larger than the {} a record may be",
        size(limits.max_record_bytes)
    );
    let mut each = |item: Item| {
        number += 1;
        match item {
            Item::Oversized => out.keep_out(number, &oversized_reason),
            Item::Record(raw, bytes) => match record::normalize(raw, own_arn) {
                Ok(event) => {
                    out.events += 1;
                    chunk.push(event);
                    chunk_bytes += bytes;
                }
                Err(why) => out.keep_out(number, why),
            },
        }
        if chunk.len() >= CHUNK_RECORDS || chunk_bytes >= CHUNK_BYTES {
            chunk_bytes = 0;
            stopped = !send(std::mem::take(&mut chunk));
        }
        !stopped
    };
    let walked = walk(
        gzip,
        limits,
        Mode::Read {
            oversized: &shape.oversized,
            each: &mut each,
        },
    );
    if stopped {
        return Ok(out);
    }
    walked?;
    if !chunk.is_empty() {
        send(chunk);
    }
    Ok(out)
}

/// One entry of the `Records` list, with the bytes of JSON it took.
enum Item {
    Record(Value, u64),
    Oversized,
}

/// What a pass over the `Records` list does with each entry.
enum Mode<'a> {
    /// Counts them and notes the oversized ones.
    Check(&'a mut Shape),
    /// Builds each one (but the oversized) and hands it over; false stops.
    Read {
        oversized: &'a [u64],
        each: &'a mut dyn FnMut(Item) -> bool,
    },
}

/// Which limit stopped the reader.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fault {
    JsonTooLarge,
    KeyTooLong,
}

/// Counts the JSON bytes the parser consumes, and stops it at a limit.
struct Meter {
    consumed: Cell<u64>,
    /// Reading past this position fails (a top-level key is being read).
    stop_at: Cell<u64>,
    fault: Cell<Option<Fault>>,
}

/// The decompressed JSON as the parser reads it (byte by byte), metered.
struct Metered<'m, R> {
    inner: R,
    meter: &'m Meter,
    max_json: u64,
}

impl<R: Read> Read for Metered<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        let consumed = self.meter.consumed.get() + n as u64;
        self.meter.consumed.set(consumed);
        let fault = if consumed > self.max_json {
            Some(Fault::JsonTooLarge)
        } else if consumed > self.meter.stop_at.get() {
            Some(Fault::KeyTooLong)
        } else {
            None
        };
        if fault.is_some() {
            self.meter.fault.set(fault);
            return Err(io::Error::other("trail file limit"));
        }
        Ok(n)
    }
}

/// One pass over the file: gunzip, JSON, `{"Records": [...]}`, each entry as `mode` says.
fn walk(gzip: &[u8], limits: &TrailFileLimits, mut mode: Mode<'_>) -> Result<(), Unreadable> {
    let meter = Meter {
        consumed: Cell::new(0),
        stop_at: Cell::new(u64::MAX),
        fault: Cell::new(None),
    };
    let reader = Metered {
        inner: BufReader::with_capacity(READ_AHEAD, flate2::read::GzDecoder::new(gzip)),
        meter: &meter,
        max_json: limits.max_json_bytes,
    };
    let mut de = serde_json::Deserializer::from_reader(reader);
    let file = FileVisitor {
        meter: &meter,
        max_record: limits.max_record_bytes,
        mode: &mut mode,
    };
    let walked = (&mut de).deserialize_map(file).and_then(|()| de.end());
    walked.map_err(|e| match meter.fault.get() {
        Some(Fault::JsonTooLarge) => Unreadable::TooLarge(format!(
            "decompresses to more than the {} of JSON Vigil reads from one file",
            size(limits.max_json_bytes)
        )),
        Some(Fault::KeyTooLong) => Unreadable::Malformed(format!(
            "has a key longer than {}",
            size(limits.max_record_bytes)
        )),
        None => Unreadable::Malformed(match e.classify() {
            Category::Io => format!("is not a readable gzip file ({e})"),
            Category::Eof => "ends before its JSON does: it was cut short".to_owned(),
            Category::Syntax => format!("is not valid JSON ({e})"),
            Category::Data => format!("is not a CloudTrail log file ({e})"),
        }),
    })
}

/// The top-level object: its `Records` list is walked, anything else skipped unbuilt.
struct FileVisitor<'a, 'm> {
    meter: &'a Meter,
    max_record: u64,
    mode: &'a mut Mode<'m>,
}

impl<'de> Visitor<'de> for FileVisitor<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object with a Records list")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let Self {
            meter,
            max_record,
            mode,
        } = self;
        let mut found = false;
        loop {
            // A key is built whole: it may not be longer than a record.
            meter.stop_at.set(meter.consumed.get() + max_record);
            let key = map.next_key_seed(RecordsKey);
            meter.stop_at.set(u64::MAX);
            match key? {
                None => break,
                Some(true) if found => return Err(de::Error::duplicate_field("Records")),
                Some(true) => {
                    found = true;
                    map.next_value_seed(RecordsList {
                        meter,
                        max_record,
                        mode: &mut *mode,
                    })?;
                }
                Some(false) => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        if found {
            Ok(())
        } else {
            Err(de::Error::missing_field("Records"))
        }
    }
}

/// Whether a top-level key is `Records`.
struct RecordsKey;

impl<'de> DeserializeSeed<'de> for RecordsKey {
    type Value = bool;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
        d.deserialize_str(self)
    }
}

impl Visitor<'_> for RecordsKey {
    type Value = bool;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a key")
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<bool, E> {
        Ok(key == "Records")
    }
}

/// The `Records` list, entry by entry.
struct RecordsList<'a, 'm> {
    meter: &'a Meter,
    max_record: u64,
    mode: &'a mut Mode<'m>,
}

impl<'de> DeserializeSeed<'de> for RecordsList<'_, '_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for RecordsList<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of records")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut index = 0u64;
        let mut skipped = 0;
        loop {
            let start = self.meter.consumed.get();
            match &mut *self.mode {
                Mode::Check(shape) => {
                    if seq.next_element::<IgnoredAny>()?.is_none() {
                        break;
                    }
                    if self.meter.consumed.get() - start > self.max_record {
                        shape.oversized.push(index);
                    }
                    shape.records += 1;
                }
                Mode::Read { oversized, each } => {
                    let item = if oversized.get(skipped) == Some(&index) {
                        skipped += 1;
                        if seq.next_element::<IgnoredAny>()?.is_none() {
                            break;
                        }
                        Item::Oversized
                    } else {
                        let Some(raw) = seq.next_element::<Value>()? else {
                            break;
                        };
                        Item::Record(raw, self.meter.consumed.get() - start)
                    };
                    if !each(item) {
                        return Err(de::Error::custom(STOPPED));
                    }
                }
            }
            index += 1;
        }
        Ok(())
    }
}

impl Ctx<'_> {
    /// Downloads the trail file `key` within the gzip limit. An error is S3's (throttled,
    /// unavailable...): the file stays unread, for the next run.
    pub(super) async fn fetch_file(
        &self,
        s3: &aws_sdk_s3::Client,
        bucket: &str,
        key: &str,
    ) -> Result<Result<Vec<u8>, Unreadable>, anyhow::Error> {
        let object = s3
            .get_object()
            .bucket(bucket)
            .key(key)
            .send()
            .await
            .map_err(|e| anyhow::anyhow!("reading {key}: {}", DisplayErrorContext(&e)))?;
        read_capped(
            object.content_length(),
            object.body,
            self.limits.max_gzip_bytes,
        )
        .await
        .map_err(|e| anyhow::anyhow!("reading {key}: {e}"))
    }

    /// Stores the records of the downloaded trail file `key` (of the cursor `source`,
    /// listed from `from_day`), or keeps it out whole and reports it. Both end with the
    /// file marked read, in the transaction of its last events or of its report. The
    /// decompression and parsing run on blocking threads, a chunk ahead of the commits.
    pub(super) async fn ingest_file(
        &self,
        key: &str,
        gzip: Vec<u8>,
        source: &str,
        from_day: DateTime<Utc>,
    ) -> Result<Ingested, anyhow::Error> {
        let gzip = Arc::new(gzip);
        let limits = self.limits;
        let checked = {
            let gzip = Arc::clone(&gzip);
            tokio::task::spawn_blocking(move || check(&gzip, &limits)).await?
        };
        let shape = match checked {
            Ok(shape) => shape,
            Err(unreadable) => {
                self.reject_file(unreadable.kind(), &unreadable.message(key), key)
                    .await?;
                return Ok(Ingested::default());
            }
        };
        let (chunks, mut received) = tokio::sync::mpsc::channel(1);
        let own_arn = self.own_arn.map(str::to_owned);
        let reading = tokio::task::spawn_blocking(move || {
            stream_events(&gzip, &shape, &limits, own_arn.as_deref(), |chunk| {
                chunks.blocking_send(chunk).is_ok()
            })
        });
        let mut total = Ingested::default();
        let mut outside = 0;
        let mut newest: Option<DateTime<Utc>> = None;
        // The latest chunk waits for the next one, so the last is stored with the mark.
        let mut pending: Option<Vec<NewEvent>> = None;
        while let Some(chunk) = received.recv().await {
            total.read += chunk.len() as u64;
            // Before the cursor moves: a future-dated record must not carry it ahead.
            let (kept, out) = self.window.split(chunk);
            outside += out;
            newest = newest.max(kept.iter().map(|e| e.occurred_at).max());
            if let Some(previous) = pending.replace(kept) {
                total.stored += self
                    .commit(&previous, Closing::default())
                    .await
                    .map_err(anyhow::Error::from)?;
            }
        }
        let streamed = match reading.await? {
            Ok(streamed) => streamed,
            // The first pass read the same bytes: only a bug gets here. What was read is
            // stored, the file reported and not retried.
            Err(unreadable) => {
                let rest = Closing {
                    outside,
                    ..Closing::default()
                };
                total.stored += self
                    .commit(&pending.unwrap_or_default(), rest)
                    .await
                    .map_err(anyhow::Error::from)?;
                self.reject_file(unreadable.kind(), &unreadable.message(key), key)
                    .await?;
                return Ok(total);
            }
        };
        let position = newest.unwrap_or(from_day).to_rfc3339();
        let message = streamed.message(key);
        total.stored += self
            .commit(
                &pending.unwrap_or_default(),
                Closing {
                    outside,
                    malformed: message.as_deref().map(|m| (streamed.malformed, m)),
                    cursor: Some((source, &position)),
                    file: Some(key),
                    malformed_kind: None,
                },
            )
            .await
            .map_err(anyhow::Error::from)?;
        Ok(total)
    }
}

#[cfg(test)]
mod tests;
