//! `GET /api/v1/export/compliance?framework=cis-aws-5.0[&awsAccountId=][&format=csv|html]`:
//! a compliance report as CSV (one row per control) or as a printable HTML page (the
//! browser's "Save as PDF" makes the PDF; docs/decisions.md says why no PDF library).
//! Authenticated like the other exports; the report is the one GraphQL's
//! `complianceReport` returns, with up to 100 failing resources per control.

use std::{fmt::Write as _, net::IpAddr};

use axum::{
    extract::{Query, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use serde::Deserialize;
use vigil_core::{
    compliance::{self, Report, Status},
    db,
    ids::AwsAccountId,
};

use super::export::{caller, csv_bytes};
use crate::{client_ip::ClientIp, error::error_body, state::AppState};

/// Query parameters of the compliance export.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Params {
    framework: Option<String>,
    aws_account_id: Option<String>,
    /// `csv` (the default) or `html`.
    format: Option<String>,
}

fn bad(code: &str, message: &str) -> Response {
    error_body(StatusCode::BAD_REQUEST, code, message)
}

/// The CSV columns, one row per control.
const COLUMNS: &[&str] = &[
    "framework",
    "control_id",
    "section",
    "title",
    "level",
    "automated",
    "status",
    "reason",
    "checks",
    "failing_count",
    "suppressed_count",
    "failing_resources",
    "detection_rules",
    "events_ingested_at",
    "last_match_at",
    "attested_by",
    "attestation_owner",
    "attestation_note",
    "attestation_evidence_url",
    "attestation_expires_at",
];

/// `account/region/resource` of the listed failing resources, `+N more` past them.
fn failing_list(r: &Report, c: &compliance::ControlReport) -> String {
    let account = |id: AwsAccountId| {
        r.accounts
            .iter()
            .find(|a| a.account.aws_account_id == id)
            .and_then(|a| a.account.account_id.clone())
            .unwrap_or_default()
    };
    let mut items: Vec<String> = c
        .failing
        .iter()
        .map(|f| {
            format!(
                "{}/{}/{}",
                account(f.aws_account_id),
                f.region,
                f.resource_id
            )
        })
        .collect();
    let more = c.failing_count - c.failing.len() as i64;
    if more > 0 {
        items.push(format!("+{more} more"));
    }
    items.join("; ")
}

fn time(t: Option<chrono::DateTime<chrono::Utc>>) -> String {
    t.map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .unwrap_or_default()
}

fn csv(r: &Report) -> Vec<u8> {
    let rows: Vec<Vec<String>> = r
        .controls
        .iter()
        .map(|c| {
            let d = c.detection.as_ref();
            let a = c.attestation.as_ref();
            vec![
                r.framework.id.clone(),
                c.control.id.clone(),
                c.control.section.clone(),
                c.control.title.clone(),
                c.control.level.clone().unwrap_or_default(),
                c.control.automated.to_string(),
                c.status.as_str().to_owned(),
                c.reason.clone(),
                c.checks.join("; "),
                c.failing_count.to_string(),
                c.suppressed_count.to_string(),
                failing_list(r, c),
                d.map(|d| {
                    d.rules
                        .iter()
                        .map(|r| r.rule_id)
                        .collect::<Vec<_>>()
                        .join("; ")
                })
                .unwrap_or_default(),
                time(d.and_then(|d| d.events_ingested_at)),
                time(d.and_then(|d| d.last_match.as_ref().map(|l| l.last_seen_at))),
                a.map(|a| a.attested_by.clone()).unwrap_or_default(),
                a.map(|a| a.owner.clone()).unwrap_or_default(),
                a.map(|a| a.note.clone()).unwrap_or_default(),
                a.and_then(|a| a.evidence_url.clone()).unwrap_or_default(),
                time(a.map(|a| a.expires_at)),
            ]
        })
        .collect();
    csv_bytes(Some(COLUMNS), &rows).to_vec()
}

/// Escapes text for HTML element content and quoted attributes.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A self-contained printable page: no script, inline styles only.
fn html(r: &Report) -> String {
    let mut h = String::new();
    let score = r
        .score()
        .map_or_else(|| "not assessed".to_owned(), |s| format!("{s:.1}%"));
    let _ = write!(
        h,
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{name} — Vigil compliance report</title>\
         <style>body{{font:12px/1.4 system-ui,sans-serif;margin:2em;color:#111}}h1{{font-size:20px}}h2{{font-size:15px;margin-top:1.5em;break-after:avoid}}\
         table{{border-collapse:collapse;width:100%}}th,td{{border:1px solid #bbb;padding:4px 6px;text-align:left;vertical-align:top}}\
         tr{{break-inside:avoid}}.PASS{{color:#05642a}}.FAIL{{color:#a00}}.NOT_ASSESSED{{color:#8a5a00}}.MANUAL,.ATTESTED{{color:#334}}\
         .s{{font-weight:700}}@media print{{body{{margin:0}}a{{color:inherit}}}}</style></head><body>\
         <h1>{name}</h1><p>Generated {at} by Vigil. Score: <strong>{score}</strong> (passed over assessed controls). \
         PASS {p} · FAIL {f} · NOT ASSESSED {n} · MANUAL {m} · ATTESTED {t}. Catalogue: {src}.</p>",
        name = esc(&r.framework.name),
        at = time(Some(r.generated_at)),
        p = r.count(Status::Pass),
        f = r.count(Status::Fail),
        n = r.count(Status::NotAssessed),
        m = r.count(Status::Manual),
        t = r.count(Status::Attested),
        src = esc(&r.framework.source),
    );
    h.push_str("<h2>Accounts</h2><table><tr><th>Connection</th><th>AWS account</th><th>Last completed scan</th><th>Events ingested</th></tr>");
    for a in &r.accounts {
        let _ = write!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{} {}</td><td>{}</td></tr>",
            esc(&a.account.name),
            esc(a.account.account_id.as_deref().unwrap_or("")),
            a.last_scan.as_ref().map_or("never", |s| s.status.as_str()),
            time(a.last_scan.as_ref().and_then(|s| s.finished_at)),
            time(a.account.activity_read_at),
        );
    }
    h.push_str("</table>");
    let mut section = "";
    for c in &r.controls {
        if c.control.section != section {
            if !section.is_empty() {
                h.push_str("</table>");
            }
            section = &c.control.section;
            let _ = write!(
                h,
                "<h2>{}</h2><table><tr><th>Control</th><th>Title</th><th>Status</th><th>Evidence</th></tr>",
                esc(section)
            );
        }
        let mut evidence = esc(&c.reason);
        if !c.failing.is_empty() {
            evidence.push_str("<br>Failing: ");
            evidence.push_str(&esc(&failing_list(r, c)));
        }
        if let Some(d) = &c.detection {
            let _ = write!(
                evidence,
                "<br>Detections: {}",
                esc(&d
                    .rules
                    .iter()
                    .map(|r| r.rule_id)
                    .collect::<Vec<_>>()
                    .join(", "))
            );
        }
        if let Some(a) = &c.attestation {
            let _ = write!(
                evidence,
                "<br>Attested by {} (owner {}), until {}: {}",
                esc(&a.attested_by),
                esc(&a.owner),
                time(Some(a.expires_at)),
                esc(&a.note)
            );
            if let Some(url) = &a.evidence_url {
                let _ = write!(evidence, " — <a href=\"{0}\">{0}</a>", esc(url));
            }
        }
        let _ = write!(
            h,
            "<tr><td>{}</td><td>{}</td><td class=\"s {}\">{}</td><td>{}</td></tr>",
            esc(&c.control.id),
            esc(&c.control.title),
            c.status.as_str(),
            c.status.as_str().replace('_', " "),
            evidence
        );
    }
    if !section.is_empty() {
        h.push_str("</table>");
    }
    h.push_str("</body></html>");
    h
}

/// The compliance export.
pub async fn export(
    State(state): State<AppState>,
    ClientIp(client): ClientIp,
    headers: HeaderMap,
    Query(params): Query<Params>,
) -> Response {
    match run(&state, &headers, client, &params).await {
        Ok(r) | Err(r) => r,
    }
}

async fn run(
    state: &AppState,
    headers: &HeaderMap,
    client: IpAddr,
    p: &Params,
) -> Result<Response, Response> {
    let tenant = caller(state, headers, client).await?;
    let id = p.framework.as_deref().unwrap_or("");
    let framework =
        crate::graphql::compliance::find_framework(id).map_err(|m| bad("unknown_framework", &m))?;
    let html_format = match p.format.as_deref().unwrap_or("csv") {
        "csv" => false,
        "html" => true,
        other => {
            return Err(bad(
                "bad_format",
                &format!(
                    "format `{}` is not one of csv, html",
                    other.chars().take(20).collect::<String>()
                ),
            ));
        }
    };
    let account = match p.aws_account_id.as_deref() {
        None | Some("") => None,
        Some(raw) => Some(raw.parse::<AwsAccountId>().map_err(|_| {
            bad(
                "bad_aws_account_id",
                &format!(
                    "awsAccountId `{}` is not an ID",
                    raw.chars().take(40).collect::<String>()
                ),
            )
        })?),
    };
    let internal = |e: sqlx::Error| crate::error::ApiError::from(e).into_response();
    let mut tx = db::begin_tenant(&state.pool, tenant)
        .await
        .map_err(internal)?;
    let accounts = compliance::scope(&mut tx, account)
        .await
        .map_err(internal)?
        .ok_or_else(|| {
            error_body(
                StatusCode::NOT_FOUND,
                "not_found",
                "awsAccountId names no AWS account connection of yours",
            )
        })?;
    let report = compliance::report(
        &mut tx,
        framework,
        accounts,
        state.clock.now(),
        compliance::MAX_FAILING,
    )
    .await
    .map_err(internal)?;
    tx.commit().await.map_err(internal)?;
    let stamp = report.generated_at.format("%Y%m%d");
    let (body, kind, ext) = if html_format {
        (
            html(&report).into_bytes(),
            "text/html; charset=utf-8",
            "html",
        )
    } else {
        (csv(&report), "text/csv; charset=utf-8", "csv")
    };
    let disposition = if html_format { "inline" } else { "attachment" };
    let mut response = (StatusCode::OK, body).into_response();
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
    if let Ok(v) = HeaderValue::from_str(&format!(
        "{disposition}; filename=\"vigil-{}-{stamp}.{ext}\"",
        framework.id
    )) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::esc;

    #[test]
    fn html_escapes_markup_and_quotes() {
        assert_eq!(
            esc("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }
}
