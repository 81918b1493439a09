//! CloudTrail log file validation: when the trail Vigil reads has it on, a log file is
//! stored only if a digest signed by CloudTrail lists it with its SHA-256, so files an
//! attacker writes into (or changes in) the trail's bucket are kept out and reported.

use std::{collections::HashMap, io::Read, sync::Arc};

use aws_lc_rs::signature::{RSA_PKCS1_2048_8192_SHA256, UnparsedPublicKey};
use aws_smithy_types::error::display::DisplayErrorContext;
use chrono::{DateTime, Utc};
use sha2::{Digest as _, Sha256};
use vigil_core::{aws::session::RoleSession, db, store::aws_accounts, store::events};

use super::{Ctx, TrailTarget, trail_file::read_capped};

/// The problem kind of a log file no valid digest vouches for.
pub(super) const FILE_UNVERIFIED: &str = "trail_file_unverified";
/// The problem kind of a digest file whose signature does not verify.
pub(super) const DIGEST_INVALID: &str = "trail_digest_invalid";
/// How long a log file may wait for the digest that lists it: CloudTrail delivers one per
/// hour, and late by some minutes at times.
pub const DIGEST_GRACE: chrono::Duration = chrono::Duration::hours(2);
/// The only signature algorithm CloudTrail uses for digests.
const ALGORITHM: &str = "SHA256withRSA";
/// A digest lists an hour of files: far below this, compressed or not; anything larger is
/// not a digest.
const MAX_DIGEST_BYTES: u64 = 16 << 20;

/// AWS's data signing string of a digest: its end time, where it is (`bucket/key`), the
/// SHA-256 of its uncompressed JSON and the previous digest's signature (`null` for the
/// first).
pub fn signing_string(
    end_time: &str,
    bucket: &str,
    key: &str,
    digest_json: &[u8],
    previous_signature: Option<&str>,
) -> String {
    format!(
        "{end_time}\n{bucket}/{key}\n{}\n{}",
        sha256_hex(digest_json),
        previous_signature.unwrap_or("null")
    )
}

/// The lowercase hex SHA-256 of `bytes`, as digests write hashes.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Whether `signature_hex` is an RSA PKCS#1 v1.5 SHA-256 signature of `message` by the
/// DER public key (PKCS#1 `RSAPublicKey`, as ListPublicKeys gives it, or SPKI).
pub fn signature_valid(public_key_der: &[u8], message: &str, signature_hex: &str) -> bool {
    let Ok(signature) = hex::decode(signature_hex.trim()) else {
        return false;
    };
    UnparsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, public_key_der)
        .verify(message.as_bytes(), &signature)
        .is_ok()
}

/// What the valid digests of one region say: the files they list (key to SHA-256) and
/// the periods they cover.
#[derive(Debug, Default)]
pub(super) struct Digests {
    listed: HashMap<String, String>,
    periods: Vec<(DateTime<Utc>, DateTime<Utc>)>,
}

/// Whether a log file may be read.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Verdict {
    Verified,
    /// Not to be stored; the reason completes "the trail file <key> ...".
    Unverified(String),
    /// Its digest may still come: judged on a later run.
    Pending,
}

impl Digests {
    /// Judges the log file `key` of content `body`, written at `written`.
    pub(super) fn judge(
        &self,
        key: &str,
        body: &[u8],
        written: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Verdict {
        if let Some(hash) = self.listed.get(key) {
            return if hash.eq_ignore_ascii_case(&sha256_hex(body)) {
                Verdict::Verified
            } else {
                Verdict::Unverified(
                    "does not match the SHA-256 its digest lists: it was changed after CloudTrail delivered it".into(),
                )
            };
        }
        let Some(written) = written else {
            return Verdict::Unverified("has no delivery time and no digest lists it".into());
        };
        if self
            .periods
            .iter()
            .any(|(start, end)| *start <= written && written <= *end)
        {
            Verdict::Unverified(
                "is listed in no digest, though a valid digest covers the time it was written: CloudTrail did not deliver it".into(),
            )
        } else if written < now - DIGEST_GRACE {
            Verdict::Unverified(format!(
                "is listed in no valid digest {} hours after it was written",
                DIGEST_GRACE.num_hours()
            ))
        } else {
            Verdict::Pending
        }
    }

    /// Checks one digest file (`json`, read from `bucket`/`key`, with the object's
    /// `signature` metadata) and adds what it lists; the error says why it is invalid.
    pub(super) fn add(
        &mut self,
        bucket: &str,
        key: &str,
        json: &[u8],
        signature: Option<&str>,
        algorithm: Option<&str>,
        public_keys: &HashMap<String, Vec<u8>>,
    ) -> Result<(), String> {
        let signature = signature.ok_or("has no signature")?;
        if algorithm.is_some_and(|a| a != ALGORITHM) {
            return Err(format!(
                "is signed with an algorithm other than {ALGORITHM}"
            ));
        }
        let doc: serde_json::Value =
            serde_json::from_slice(json).map_err(|_| "is not valid JSON".to_owned())?;
        let text = |field: &str| doc[field].as_str();
        // Signed with its place: a genuine digest copied elsewhere does not verify either.
        if text("digestS3Bucket") != Some(bucket) || text("digestS3Object") != Some(key) {
            return Err("names another place than the one it was read from".into());
        }
        let public_key = text("digestPublicKeyFingerprint")
            .and_then(|f| public_keys.get(f))
            .ok_or("is signed with a key CloudTrail does not list (ListPublicKeys)")?;
        let (Some(end_time), Some(start), Some(end)) = (
            text("digestEndTime"),
            text("digestStartTime").and_then(|t| t.parse::<DateTime<Utc>>().ok()),
            text("digestEndTime").and_then(|t| t.parse::<DateTime<Utc>>().ok()),
        ) else {
            return Err("has no valid digestStartTime and digestEndTime".into());
        };
        let message = signing_string(end_time, bucket, key, json, text("previousDigestSignature"));
        if !signature_valid(public_key, &message, signature) {
            return Err("has a signature that does not verify".into());
        }
        self.periods.push((start, end));
        for file in doc["logFiles"].as_array().into_iter().flatten() {
            if let (Some(b), Some(object), Some(hash)) = (
                file["s3Bucket"].as_str(),
                file["s3Object"].as_str(),
                file["hashValue"].as_str(),
            ) && b == bucket
            {
                self.listed.insert(object.to_owned(), hash.to_owned());
            }
        }
        Ok(())
    }
}

impl Ctx<'_> {
    /// CloudTrail's public keys for digests, by fingerprint.
    pub(super) async fn digest_public_keys(
        &self,
        session: &Arc<RoleSession>,
        since: DateTime<Utc>,
    ) -> Result<HashMap<String, Vec<u8>>, anyhow::Error> {
        let client = aws_sdk_cloudtrail::Client::new(&session.sdk_config("us-east-1"));
        let listed = client
            .list_public_keys()
            .start_time(aws_smithy_types::DateTime::from_secs(since.timestamp()))
            .end_time(aws_smithy_types::DateTime::from_secs(self.now.timestamp()))
            .send()
            .await
            .map_err(|e| anyhow::anyhow!("ListPublicKeys: {}", DisplayErrorContext(&e)))?;
        Ok(listed
            .public_key_list()
            .iter()
            .filter_map(|k| Some((k.fingerprint()?.to_owned(), k.value()?.as_ref().to_vec())))
            .collect())
    }

    /// Reads the pinned trail's digests of the region whose log files are under
    /// `region_prefix`, from `from_day` on. An invalid digest is reported once (it is
    /// recorded as read) and vouches for nothing.
    pub(super) async fn load_digests(
        &self,
        s3: &aws_sdk_s3::Client,
        trail: &TrailTarget,
        region_prefix: &str,
        from_day: DateTime<Utc>,
        public_keys: &HashMap<String, Vec<u8>>,
    ) -> Result<Digests, anyhow::Error> {
        let region = region_prefix
            .trim_end_matches('/')
            .rsplit('/')
            .next()
            .unwrap_or_default();
        let base = region_prefix
            .strip_suffix(&format!("CloudTrail/{region}/"))
            .unwrap_or(region_prefix);
        let prefix = format!("{base}CloudTrail-Digest/{region}/");
        // Digests of other trails writing to this bucket vouch for nothing Vigil reads.
        let (home, name) = trail_home_and_name(&trail.arn);
        let own = format!("_CloudTrail-Digest_{region}_{name}_{home}_");
        let mut keys = Vec::new();
        let mut pages = s3
            .list_objects_v2()
            .bucket(&trail.bucket)
            .prefix(&prefix)
            .start_after(format!("{prefix}{}", from_day.format("%Y/%m/%d/")))
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            let page =
                page.map_err(|e| anyhow::anyhow!("listing digests: {}", DisplayErrorContext(&e)))?;
            keys.extend(
                page.contents()
                    .iter()
                    .filter_map(|o| o.key())
                    .filter(|k| k.ends_with(".json.gz") && k.contains(&own))
                    .map(str::to_owned),
            );
        }
        let (tenant, id) = (self.account.tenant_id, self.account.aws_account_id);
        let mut tx = db::begin_tenant(self.pool, tenant).await?;
        let known_invalid = events::files_read(&mut tx, id, &keys).await?;
        tx.commit().await?;
        let mut digests = Digests::default();
        for key in keys.iter().filter(|k| !known_invalid.contains(k)) {
            let object = s3
                .get_object()
                .bucket(&trail.bucket)
                .key(key)
                .send()
                .await
                .map_err(|e| anyhow::anyhow!("reading {key}: {}", DisplayErrorContext(&e)))?;
            let metadata = object.metadata().cloned().unwrap_or_default();
            let length = object.content_length();
            let body = read_capped(length, object.body, MAX_DIGEST_BYTES)
                .await
                .map_err(|e| anyhow::anyhow!("reading {key}: {e}"))?;
            let mut json = Vec::new();
            let checked = body
                .map_err(|too_large| too_large.reason().to_owned())
                .and_then(|body| {
                    flate2::read::GzDecoder::new(&body[..])
                        .take(MAX_DIGEST_BYTES)
                        .read_to_end(&mut json)
                        .map_err(|_| "is not a gzip file".to_owned())
                })
                .and_then(|_| {
                    digests.add(
                        &trail.bucket,
                        key,
                        &json,
                        metadata.get("signature").map(String::as_str),
                        metadata.get("signature-algorithm").map(String::as_str),
                        public_keys,
                    )
                });
            if let Err(reason) = checked {
                let message = format!(
                    "the CloudTrail digest {key} {reason}, so the log files it lists were not \
                     trusted. CloudTrail signs every digest: check who can write to the trail's \
                     bucket."
                );
                self.reject_file(DIGEST_INVALID, &message, key).await?;
            }
        }
        Ok(digests)
    }

    /// Records the problem `kind` and the file as read (so it is judged once), together.
    pub(super) async fn reject_file(
        &self,
        kind: &str,
        message: &str,
        key: &str,
    ) -> Result<(), anyhow::Error> {
        let (tenant, id) = (self.account.tenant_id, self.account.aws_account_id);
        let mut tx = db::begin_tenant(self.pool, tenant).await?;
        aws_accounts::record_ingest_problem(&mut tx, id, kind, message, 1, self.now).await?;
        events::mark_file_read(&mut tx, id, key).await?;
        tx.commit().await?;
        tracing::warn!(aws_account_id = %id, kind, key, "trail file kept out");
        Ok(())
    }
}

/// The home region and name of a trail ARN (`arn:aws:cloudtrail:<region>:<acct>:trail/<name>`).
fn trail_home_and_name(arn: &str) -> (&str, &str) {
    let home = arn.split(':').nth(3).unwrap_or_default();
    let name = arn.rsplit_once("trail/").map_or("", |(_, n)| n);
    (home, name)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PUBLIC_KEY: &str = concat!(
        "3082010a02820101009ebd87b044cfad99a74d5349b97ab7a391dcacaa2f068d56b08416485d5b3b",
        "4887636a80c626f77dd0f388a07aa986d9203121c97dc2db37c2c9c7dab3cc0900f39f5ea39b0ef2",
        "40d04334e364fda9b50fbd1c44879ffee040024200b5af2ca1367b8f6c917e97aec93cc102f49897",
        "81f96d4e1b63662c61b8d064c226e7b331047c075a1994d474e1243bde46e7fb94816c6e279f382a",
        "a49cd2d9355d3a1815d780a50571a127bf438af4e9d3b995f368ed332338dc3e4a7b83a3bdad1ea5",
        "5a8f469d55353c8c216be75ca63212aa5b139786d24f3d3aecafa6e60cb31bffb54e4e567342d89f",
        "dd48ea2ded822d2a0fb6178246acd9e5e77a9e7563a29e828d0203010001",
    );
    const SIGNATURE: &str = concat!(
        "854d3956a711e17e19d2f2d69aeec0c38e3d4bae3fcf29ca2ff48521e40fc18c4daeb29f0234caf9",
        "818a6dfd468bf770e129bdc8784291771faaa1d22bc3013288737853714b4ec6cffa2ce6ea21f380",
        "579c681b68c2047414352c2c8053140c7d690662dd81f78abd5d6c445f503ef6e5c2cca4bc780e1f",
        "c57c9edebf723a391e63797b54151d0a3cc92056ca2300c64a20fa39e4410049abdbc5a4d77d6596",
        "4993feb017980ac9c17a4d40a8088804585e20a3d7bdea70b0ce60c2174e3ac2761cc12ba183c5c0",
        "9346ad04e563cf3c9ecbbb58ada72c2ea9c1ee9264311d760af6bcc28c2970e0c20801ced4869d8e",
        "5d76276d43684a914ebcaebd7091cb7f",
    );
    const END: &str = "2026-01-01T00:00:00Z";

    #[test]
    fn the_signing_string_is_awss_four_lines() {
        assert_eq!(
            signing_string(END, "b", "k", b"{}", None),
            "2026-01-01T00:00:00Z\nb/k\n\
             44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a\nnull"
        );
        assert!(signing_string(END, "b", "k", b"{}", Some("ab12")).ends_with("\nab12"));
    }

    #[test]
    fn a_signature_verifies_only_for_its_key_and_message() {
        let key = hex::decode(PUBLIC_KEY).unwrap();
        let message = signing_string(END, "b", "k", b"{}", None);
        assert!(signature_valid(&key, &message, SIGNATURE));
        let other = signing_string(END, "b", "k2", b"{}", None);
        assert!(!signature_valid(&key, &other, SIGNATURE));
        let mut flipped = SIGNATURE.to_owned();
        flipped.replace_range(
            0..2,
            if SIGNATURE.starts_with("00") {
                "01"
            } else {
                "00"
            },
        );
        assert!(!signature_valid(&key, &message, &flipped));
        assert!(!signature_valid(&key, &message, "not hex"));
    }

    fn digests() -> Digests {
        let start: DateTime<Utc> = "2026-01-01T10:00:00Z".parse().unwrap();
        Digests {
            listed: HashMap::from([("good".to_owned(), sha256_hex(b"genuine"))]),
            periods: vec![(start, start + chrono::Duration::hours(1))],
        }
    }

    #[test]
    fn a_file_is_read_only_if_a_digest_lists_its_hash() {
        let d = digests();
        let at = |t: &str| Some(t.parse::<DateTime<Utc>>().unwrap());
        let now = at("2026-01-01T11:30:00Z").unwrap();
        assert_eq!(
            d.judge("good", b"genuine", at("2026-01-01T10:10:00Z"), now),
            Verdict::Verified
        );
        assert!(matches!(
            d.judge("good", b"changed", at("2026-01-01T10:10:00Z"), now),
            Verdict::Unverified(_)
        ));
        // Unlisted: written in a covered period, or too long ago, it is judged; else it waits.
        assert!(matches!(
            d.judge("forged", b"x", at("2026-01-01T10:30:00Z"), now),
            Verdict::Unverified(_)
        ));
        assert!(matches!(
            d.judge("forged", b"x", at("2026-01-01T09:00:00Z"), now),
            Verdict::Unverified(_)
        ));
        assert_eq!(
            d.judge("late", b"x", at("2026-01-01T11:10:00Z"), now),
            Verdict::Pending
        );
    }

    #[test]
    fn a_trail_arn_gives_its_home_region_and_name() {
        assert_eq!(
            trail_home_and_name("arn:aws:cloudtrail:eu-west-1:123456789012:trail/org"),
            ("eu-west-1", "org")
        );
    }
}
