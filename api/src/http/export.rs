//! `GET /api/v1/export/findings` and `/api/v1/export/alerts`: the tenant's findings or
//! alerts as CSV, JSON Lines, or OCSF 1.1 (Compliance Finding, class 2003; Detection
//! Finding, class 2004) as JSON Lines, authenticated like GraphQL. Streamed a page at a
//! time, each page read in its own short tenant transaction, so memory stays bounded
//! whatever the size of the export.

use std::{collections::HashMap, net::IpAddr};

use axum::{
    body::{Body, Bytes},
    extract::{Query, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::{Value, json};
use vigil_core::{
    db,
    ids::{AwsAccountId, TenantId},
    render::{alert_json, finding_json},
    roles::Permission,
    store::{alerts, aws_accounts, findings},
};
use vigil_domain::{AlertStatus, FindingStatus, Severity};

use crate::{
    auth::{self, AuthError},
    client_ip::ClientIp,
    error::error_body,
    state::AppState,
};

/// Rows read per page (and per transaction).
const PAGE: i64 = 500;

/// The export's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Csv,
    Json,
    Ocsf,
}

/// Query parameters of both exports.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Params {
    format: Option<String>,
    /// Comma-separated, e.g. `OPEN,SUPPRESSED`.
    status: Option<String>,
    /// Comma-separated, e.g. `CRITICAL,HIGH`.
    severity: Option<String>,
    aws_account_id: Option<String>,
    /// RFC 3339: alerts active since, findings seen since.
    since: Option<String>,
}

struct Parsed {
    format: Format,
    statuses: Option<Vec<String>>,
    severities: Option<Vec<String>>,
    account: Option<AwsAccountId>,
    since: Option<DateTime<Utc>>,
}

fn bad(code: &str, message: &str) -> Response {
    error_body(StatusCode::BAD_REQUEST, code, message)
}

fn list(raw: Option<&str>, allowed: &[&str], name: &str) -> Result<Option<Vec<String>>, String> {
    let Some(raw) = raw.filter(|r| !r.trim().is_empty()) else {
        return Ok(None);
    };
    raw.split(',')
        .map(|v| {
            let v = v.trim().to_ascii_lowercase();
            if allowed.contains(&v.as_str()) {
                Ok(v)
            } else {
                Err(format!(
                    "{name} `{v}` is not one of {}",
                    allowed.join(", ").to_uppercase()
                ))
            }
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}

/// Reads the parameters; the error names the one at fault.
fn parse(p: &Params, statuses: &[&str]) -> Result<Parsed, String> {
    let format = match p.format.as_deref().unwrap_or("csv") {
        "csv" => Format::Csv,
        "json" => Format::Json,
        "ocsf" => Format::Ocsf,
        other => {
            return Err(format!("format `{other}` is not one of csv, json, ocsf"));
        }
    };
    let account = match p.aws_account_id.as_deref() {
        None | Some("") => None,
        Some(raw) => Some(
            raw.parse::<AwsAccountId>()
                .map_err(|_| format!("awsAccountId `{raw}` is not an ID"))?,
        ),
    };
    let since = match p.since.as_deref() {
        None | Some("") => None,
        Some(raw) => {
            let t = raw.parse::<DateTime<Utc>>().map_err(|_| {
                format!("since `{raw}` is not an RFC 3339 time such as 2026-11-28T00:00:00Z")
            })?;
            // chrono reads years PostgreSQL cannot compare with (before 4713 BC).
            Some(crate::input::time_in_range("since", t)?)
        }
    };
    Ok(Parsed {
        format,
        statuses: list(p.status.as_deref(), statuses, "status")?,
        severities: list(
            p.severity.as_deref(),
            &["critical", "high", "medium", "low", "info"],
            "severity",
        )?,
        account,
        since,
    })
}

/// The caller's tenant, when the credential is valid and may read.
pub(super) async fn caller(
    state: &AppState,
    headers: &HeaderMap,
    client: IpAddr,
) -> Result<TenantId, Response> {
    let Some(credential) = auth::bearer(headers) else {
        return Err(error_body(
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            "send `Authorization: Bearer <access token or API key>`",
        ));
    };
    match auth::authenticate(state, credential, Some(client)).await {
        Ok(p) if p.can(Permission::Read) => Ok(p.tenant_id),
        Ok(_) => Err(error_body(
            StatusCode::FORBIDDEN,
            "forbidden",
            "your role cannot read exports",
        )),
        Err(AuthError::Unauthenticated(reason)) => Err(error_body(
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            &reason,
        )),
        Err(AuthError::Internal(e)) => Err(crate::error::ApiError::Internal(e).into_response()),
    }
}

/// The 12-digit AWS account ID of each connection.
async fn account_ids(
    state: &AppState,
    tenant: TenantId,
) -> Result<HashMap<AwsAccountId, String>, sqlx::Error> {
    let mut tx = db::begin_tenant(&state.pool, tenant).await?;
    let accounts = aws_accounts::list(&mut tx).await?;
    tx.commit().await?;
    Ok(accounts
        .into_iter()
        .map(|a| (a.aws_account_id, a.account_id.unwrap_or_default()))
        .collect())
}

/// Spreadsheets run cells starting with these as formulas (CSV injection): such values
/// are written with a leading apostrophe.
fn cell(v: &str) -> String {
    if v.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{v}")
    } else {
        v.to_owned()
    }
}

pub(super) fn csv_bytes(header: Option<&[&str]>, rows: &[Vec<String>]) -> Bytes {
    let mut w = csv::Writer::from_writer(Vec::new());
    if let Some(h) = header {
        let _ = w.write_record(h);
    }
    for r in rows {
        let _ = w.write_record(r.iter().map(|v| cell(v)));
    }
    Bytes::from(w.into_inner().unwrap_or_default())
}

fn json_lines(values: impl Iterator<Item = Value>) -> Bytes {
    let mut out = Vec::new();
    for v in values {
        let _ = serde_json::to_writer(&mut out, &v);
        out.push(b'\n');
    }
    Bytes::from(out)
}

fn ms(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

/// OCSF `severity_id`.
fn severity_id(s: Severity) -> u8 {
    match s {
        Severity::Critical => 5,
        Severity::High => 4,
        Severity::Medium => 3,
        Severity::Low => 2,
        Severity::Info => 1,
    }
}

/// A list parameter already checked against the names `T` accepts, as `T`s.
fn typed<T: std::str::FromStr>(names: &Option<Vec<String>>) -> Option<Vec<T>> {
    names
        .as_ref()
        .map(|v| v.iter().filter_map(|s| s.parse().ok()).collect())
}

fn metadata() -> Value {
    json!({ "version": "1.1.0", "product": { "name": "Vigil", "vendor_name": "Vigil", "feature": { "name": "AWS monitoring" } } })
}

/// A streamed answer: `first` is already read (so a failure before any byte shows as an
/// error status); then `next` is called with each cursor it hands back until it hands
/// back none.
fn streamed<S, F, Fut>(
    format: Format,
    kind: &str,
    first: Bytes,
    cursor: Option<S>,
    next: F,
) -> Response
where
    S: Send + 'static,
    F: Fn(S) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = Result<(Bytes, Option<S>), sqlx::Error>> + Send,
{
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<Bytes, std::io::Error>>(2);
    tokio::spawn(async move {
        if tx.send(Ok(first)).await.is_err() {
            return;
        }
        let mut cursor = cursor;
        while let Some(at) = cursor.take() {
            match next(at).await {
                Ok((chunk, then)) => {
                    // The client went away: stop reading.
                    if tx.send(Ok(chunk)).await.is_err() {
                        return;
                    }
                    cursor = then;
                }
                Err(e) => {
                    tracing::error!(error = %e, "export failed midway; the response is cut short");
                    let _ = tx.send(Err(std::io::Error::other("export failed"))).await;
                    return;
                }
            }
        }
    });
    // poll_fn keeps answering `None` once the channel is done, as compression layers
    // that poll again expect (an unfold would panic there).
    let mut rx = rx;
    let body = Body::from_stream(futures::stream::poll_fn(move |cx| rx.poll_recv(cx)));
    let (content_type, ext) = match format {
        Format::Csv => ("text/csv; charset=utf-8", "csv"),
        Format::Json | Format::Ocsf => ("application/x-ndjson", "jsonl"),
    };
    let suffix = if format == Format::Ocsf { "-ocsf" } else { "" };
    let name = format!(
        "attachment; filename=\"vigil-{kind}{suffix}-{}.{ext}\"",
        Utc::now().format("%Y%m%d-%H%M%S")
    );
    let mut response = (StatusCode::OK, body).into_response();
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(v) = HeaderValue::from_str(&name) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// Everything a page needs to be written out.
struct Writer {
    format: Format,
    accounts: HashMap<AwsAccountId, String>,
}

impl Writer {
    fn account(&self, id: AwsAccountId) -> &str {
        self.accounts.get(&id).map_or("", String::as_str)
    }

    fn findings(&self, rows: &[findings::Finding], header: bool) -> Bytes {
        match self.format {
            Format::Csv => csv_bytes(
                header.then_some(FINDING_COLUMNS),
                &rows
                    .iter()
                    .map(|f| finding_row(f, self.account(f.aws_account_id)))
                    .collect::<Vec<_>>(),
            ),
            Format::Json => json_lines(
                rows.iter()
                    .map(|f| finding_json(f, self.account(f.aws_account_id))),
            ),
            Format::Ocsf => json_lines(
                rows.iter()
                    .map(|f| finding_ocsf(f, self.account(f.aws_account_id))),
            ),
        }
    }

    fn alerts(&self, rows: &[alerts::Alert], header: bool) -> Bytes {
        match self.format {
            Format::Csv => csv_bytes(
                header.then_some(ALERT_COLUMNS),
                &rows
                    .iter()
                    .map(|a| alert_row(a, self.account(a.aws_account_id)))
                    .collect::<Vec<_>>(),
            ),
            Format::Json => json_lines(
                rows.iter()
                    .map(|a| alert_json(a, self.account(a.aws_account_id))),
            ),
            Format::Ocsf => json_lines(
                rows.iter()
                    .map(|a| alert_ocsf(a, self.account(a.aws_account_id))),
            ),
        }
    }
}

const FINDING_COLUMNS: &[&str] = &[
    "id",
    "rule_id",
    "title",
    "severity",
    "status",
    "aws_account",
    "account_id",
    "region",
    "resource_type",
    "resource_id",
    "resource_arn",
    "first_seen_at",
    "last_seen_at",
    "resolved_at",
    "suppressed_reason",
    "compliance",
    "remediation",
];

fn finding_row(f: &findings::Finding, account: &str) -> Vec<String> {
    let rule = vigil_checks::rule(&f.rule_id);
    vec![
        f.finding_id.to_string(),
        f.rule_id.clone(),
        rule.map_or(f.rule_id.clone(), |r| r.title.to_owned()),
        f.severity.as_str().to_uppercase(),
        f.status.as_str().to_uppercase(),
        f.aws_account_id.to_string(),
        account.to_owned(),
        f.region.clone(),
        f.resource_type.clone(),
        f.resource_id.clone(),
        f.resource_arn.clone().unwrap_or_default(),
        f.first_seen_at.to_rfc3339(),
        f.last_seen_at.to_rfc3339(),
        f.resolved_at.map(|t| t.to_rfc3339()).unwrap_or_default(),
        f.suppressed_reason.clone().unwrap_or_default(),
        rule.map(|r| r.compliance.join("; ")).unwrap_or_default(),
        rule.map(|r| r.remediation.to_owned()).unwrap_or_default(),
    ]
}

/// OCSF 1.1 Compliance Finding (class 2003).
fn finding_ocsf(f: &findings::Finding, account: &str) -> Value {
    let rule = vigil_checks::rule(&f.rule_id);
    let (status_id, status) = match f.status {
        FindingStatus::Open => (1, "New"),
        FindingStatus::Suppressed => (3, "Suppressed"),
        FindingStatus::Resolved => (4, "Resolved"),
    };
    json!({
        "class_uid": 2003, "class_name": "Compliance Finding", "category_uid": 2, "category_name": "Findings",
        "activity_id": 1, "activity_name": "Create", "type_uid": 200_301,
        "time": ms(f.last_seen_at), "severity_id": severity_id(f.severity), "severity": f.severity.as_str().to_uppercase(),
        "status_id": status_id, "status": status, "metadata": metadata(),
        "finding_info": {
            "uid": f.finding_id.to_string(), "title": rule.map_or(f.rule_id.as_str(), |r| r.title),
            "desc": rule.map_or("", |r| r.description), "types": [f.rule_id],
            "first_seen_time": ms(f.first_seen_at), "last_seen_time": ms(f.last_seen_at),
        },
        "compliance": {
            "control": f.rule_id, "requirements": rule.map(|r| r.compliance.to_vec()).unwrap_or_default(),
            "status_id": 3, "status": "Fail",
        },
        "remediation": { "desc": rule.map_or("", |r| r.remediation) },
        "resources": [{ "uid": f.resource_arn.clone().unwrap_or_else(|| f.resource_id.clone()),
                        "name": f.resource_id, "type": f.resource_type, "region": f.region, "data": f.evidence }],
        "cloud": { "provider": "AWS", "region": f.region, "account": { "uid": account, "type": "AWS Account", "type_id": 10 } },
    })
}

/// What is exported, and the statuses its filter accepts.
#[derive(Clone, Copy)]
struct Kind {
    name: &'static str,
    statuses: &'static [&'static str],
}

/// What differs between the exports: how a page is read (the filter is built from the
/// parameters) and how rows are written.
async fn export<R, C, F, Fut>(
    state: AppState,
    headers: &HeaderMap,
    client: IpAddr,
    params: &Params,
    kind: Kind,
    reader: impl FnOnce(&Parsed, sqlx::PgPool, TenantId) -> F,
    write: fn(&Writer, &[R], bool) -> Bytes,
) -> Response
where
    F: Fn(Option<C>) -> Fut + Clone + Send + Sync + 'static,
    Fut: std::future::Future<Output = Result<(Vec<R>, Option<C>), sqlx::Error>> + Send,
    R: Send + 'static,
    C: Send + 'static,
{
    let p = match parse(params, kind.statuses) {
        Ok(p) => p,
        Err(message) => return bad("invalid_parameter", &message),
    };
    let tenant = match caller(&state, headers, client).await {
        Ok(t) => t,
        Err(r) => return r,
    };
    let writer = match account_ids(&state, tenant).await {
        Ok(accounts) => std::sync::Arc::new(Writer {
            format: p.format,
            accounts,
        }),
        Err(e) => return crate::error::ApiError::Internal(e.into()).into_response(),
    };
    let read = reader(&p, state.pool.clone(), tenant);
    let (rows, cursor) = match read(None).await {
        Ok(r) => r,
        Err(e) => return crate::error::ApiError::Internal(e.into()).into_response(),
    };
    let first = write(&writer, &rows, true);
    streamed(p.format, kind.name, first, cursor, move |after| {
        let (read, writer) = (read.clone(), writer.clone());
        async move {
            let (rows, next) = read(Some(after)).await?;
            Ok((write(&writer, &rows, false), next))
        }
    })
}

/// `GET /api/v1/export/findings`.
pub async fn findings(
    State(state): State<AppState>,
    ClientIp(client): ClientIp,
    headers: HeaderMap,
    Query(params): Query<Params>,
) -> Response {
    let kind = Kind {
        name: "findings",
        statuses: &["open", "resolved", "suppressed"],
    };
    export(
        state,
        &headers,
        client,
        &params,
        kind,
        |p, pool, tenant| {
            let filter = findings::Filter {
                aws_account_id: p.account,
                severities: typed(&p.severities),
                statuses: typed(&p.statuses),
                ..Default::default()
            };
            let since = p.since;
            // One page in its own transaction; the next one's cursor when this one was full.
            move |after: Option<findings::Cursor>| {
                let (pool, filter) = (pool.clone(), filter.clone());
                async move {
                    let mut tx = db::begin_tenant(&pool, tenant).await?;
                    let rows =
                        findings::page(&mut tx, &filter, findings::Order::Severity, after, PAGE)
                            .await?;
                    tx.commit().await?;
                    let next = rows
                        .last()
                        .map(|(rank, f)| findings::Order::Severity.cursor(*rank, f))
                        .filter(|_| rows.len() as i64 == PAGE);
                    let rows: Vec<_> = rows
                        .into_iter()
                        .map(|(_, f)| f)
                        .filter(|f| since.is_none_or(|s| f.last_seen_at >= s))
                        .collect();
                    Ok((rows, next))
                }
            }
        },
        Writer::findings,
    )
    .await
}

const ALERT_COLUMNS: &[&str] = &[
    "id",
    "rule_id",
    "title",
    "severity",
    "status",
    "aws_account",
    "account_id",
    "region",
    "event_name",
    "principal_arn",
    "source_ip",
    "event_count",
    "first_seen_at",
    "last_seen_at",
    "acknowledged_by",
    "techniques",
];

fn alert_row(a: &alerts::Alert, account: &str) -> Vec<String> {
    let meta = vigil_detect::builtin::meta_by_id(&a.rule_id);
    vec![
        a.alert_id.to_string(),
        a.rule_id.clone(),
        a.title.clone(),
        a.severity.as_str().to_uppercase(),
        a.status.as_str().to_uppercase(),
        a.aws_account_id.to_string(),
        account.to_owned(),
        a.region.clone().unwrap_or_default(),
        a.event_name.clone().unwrap_or_default(),
        a.principal_arn.clone().unwrap_or_default(),
        a.source_ip.clone().unwrap_or_default(),
        a.event_count.to_string(),
        a.first_seen_at.to_rfc3339(),
        a.last_seen_at.to_rfc3339(),
        a.acknowledged_by.clone().unwrap_or_default(),
        meta.map(|m| m.techniques().join("; ")).unwrap_or_default(),
    ]
}

/// OCSF 1.1 Detection Finding (class 2004).
fn alert_ocsf(a: &alerts::Alert, account: &str) -> Value {
    let meta = vigil_detect::builtin::meta_by_id(&a.rule_id);
    let (status_id, status) = match a.status {
        AlertStatus::Open => (1, "New"),
        AlertStatus::Acknowledged => (2, "In Progress"),
        AlertStatus::Closed => (4, "Resolved"),
    };
    let attacks: Vec<Value> = meta
        .map(|m| m.techniques())
        .unwrap_or_default()
        .into_iter()
        .map(|t| json!({ "technique": { "uid": t }, "version": "v15" }))
        .collect();
    json!({
        "class_uid": 2004, "class_name": "Detection Finding", "category_uid": 2, "category_name": "Findings",
        "activity_id": 1, "activity_name": "Create", "type_uid": 200_401,
        "time": ms(a.last_seen_at), "severity_id": severity_id(a.severity), "severity": a.severity.as_str().to_uppercase(),
        "status_id": status_id, "status": status, "count": a.event_count, "metadata": metadata(),
        "finding_info": {
            "uid": a.alert_id.to_string(), "title": a.title, "desc": meta.map_or("", |m| m.description.as_str()),
            "analytic": { "uid": a.rule_id, "name": a.title, "type_id": 1, "type": "Rule" },
            "attacks": attacks, "related_events_count": a.event_count,
            "first_seen_time": ms(a.first_seen_at), "last_seen_time": ms(a.last_seen_at),
        },
        "evidences": [{
            "actor": { "user": { "uid": a.principal_arn } },
            "src_endpoint": { "ip": a.source_ip },
            "api": { "operation": a.event_name, "service": { "name": a.event_source } },
        }],
        "remediation": { "desc": meta.and_then(|m| m.runbook.clone()).unwrap_or_default() },
        "cloud": { "provider": "AWS", "region": a.region, "account": { "uid": account, "type": "AWS Account", "type_id": 10 } },
    })
}

/// `GET /api/v1/export/alerts`.
pub async fn alerts(
    State(state): State<AppState>,
    ClientIp(client): ClientIp,
    headers: HeaderMap,
    Query(params): Query<Params>,
) -> Response {
    let kind = Kind {
        name: "alerts",
        statuses: &["open", "acknowledged", "closed"],
    };
    export(
        state,
        &headers,
        client,
        &params,
        kind,
        |p, pool, tenant| {
            let filter = alerts::Filter {
                aws_account_id: p.account,
                severities: typed(&p.severities),
                statuses: typed(&p.statuses),
                since: p.since,
                ..Default::default()
            };
            move |after: Option<(DateTime<Utc>, uuid::Uuid)>| {
                let (pool, filter) = (pool.clone(), filter.clone());
                async move {
                    let mut tx = db::begin_tenant(&pool, tenant).await?;
                    let rows =
                        alerts::page(&mut tx, &filter, alerts::Order::LastSeenDesc, after, PAGE)
                            .await?;
                    tx.commit().await?;
                    let next = rows
                        .last()
                        .map(|a| (a.last_seen_at, a.alert_id))
                        .filter(|_| rows.len() as i64 == PAGE);
                    Ok((rows, next))
                }
            }
        },
        Writer::alerts,
    )
    .await
}
