//! Push delivery: the SQS queue in the customer's account that an EventBridge rule fills
//! with the account's CloudTrail management events, and the connections the worker reads
//! queues of.

use sqlx::PgConnection;

use crate::{
    db::TenantTx,
    ids::{AwsAccountId, TenantId},
};

/// A push queue URL taken apart: `https://sqs.<region>.amazonaws.com/<account>/<name>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueUrl {
    pub region: String,
    pub account_id: String,
    pub name: String,
}

/// Parses a queue URL in the form AWS gives it (`GetQueueUrl`, the console), the only one
/// stored: its region says where to read it, its account whose queue it is. `None` for
/// anything else.
pub fn parse_queue_url(url: &str) -> Option<QueueUrl> {
    let rest = url.strip_prefix("https://sqs.")?;
    let (host, path) = rest.split_once('/')?;
    let region = host
        .strip_suffix(".amazonaws.com")
        .or_else(|| host.strip_suffix(".amazonaws.com.cn"))?;
    let (account_id, name) = path.split_once('/')?;
    let region_ok = !region.is_empty()
        && region
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    let account_ok = account_id.len() == 12 && account_id.bytes().all(|b| b.is_ascii_digit());
    let base = name.strip_suffix(".fifo").unwrap_or(name);
    let name_ok = (1..=80).contains(&base.len())
        && base
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    (region_ok && account_ok && name_ok).then(|| QueueUrl {
        region: region.to_owned(),
        account_id: account_id.to_owned(),
        name: name.to_owned(),
    })
}

/// The connection's push queue URL (`None`: push delivery is off, or no such connection).
pub async fn queue_url(tx: &mut TenantTx, id: AwsAccountId) -> Result<Option<String>, sqlx::Error> {
    let tenant = tx.tenant();
    let url: Option<Option<String>> = sqlx::query_scalar(
        "select push_queue_url from aws_accounts where tenant_id = $1 and aws_account_id = $2",
    )
    .bind(tenant)
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(url.flatten())
}

/// Sets (or with `None` clears) the connection's push queue. Returns whether the
/// connection exists.
pub async fn set_queue_url(
    tx: &mut TenantTx,
    id: AwsAccountId,
    url: Option<&str>,
) -> Result<bool, sqlx::Error> {
    let tenant = tx.tenant();
    let done = sqlx::query(
        "update aws_accounts set push_queue_url = $3 where tenant_id = $1 and aws_account_id = $2",
    )
    .bind(tenant)
    .bind(id)
    .bind(url)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The connections (all tenants) with a push queue, a working role and a plan that allows
/// work.
pub async fn accounts(
    conn: &mut PgConnection,
) -> Result<Vec<(TenantId, AwsAccountId)>, sqlx::Error> {
    sqlx::query_as("select tenant_id, aws_account_id from push_queue_accounts()")
        .fetch_all(conn)
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_aws_queue_urls_parse() {
        assert_eq!(
            parse_queue_url("https://sqs.eu-west-1.amazonaws.com/123456789012/vigil-push"),
            Some(QueueUrl {
                region: "eu-west-1".into(),
                account_id: "123456789012".into(),
                name: "vigil-push".into()
            })
        );
        assert!(
            parse_queue_url("https://sqs.us-east-1.amazonaws.com/123456789012/q.fifo").is_some()
        );
        for bad in [
            "http://sqs.eu-west-1.amazonaws.com/123456789012/q",
            "https://sqs.eu-west-1.amazonaws.com/12345678901/q",
            "https://sqs.eu-west-1.evil.com/123456789012/q",
            "https://sqs.eu-west-1.amazonaws.com/123456789012/",
            "https://sqs.eu-west-1.amazonaws.com/123456789012/a/b",
            "https://sqs..amazonaws.com/123456789012/q",
            "sqs.eu-west-1.amazonaws.com/123456789012/q",
        ] {
            assert_eq!(parse_queue_url(bad), None, "{bad}");
        }
    }
}
