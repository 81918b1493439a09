//! Liveness, readiness and Prometheus metrics.

use axum::{
    extract::State,
    http::{HeaderMap, StatusCode, header},
    response::IntoResponse,
};
use secrecy::ExposeSecret;

use crate::{auth, error::error_body, state::AppState};

/// 200 while the process runs.
pub async fn healthz() -> impl IntoResponse {
    (StatusCode::OK, "ok")
}

/// 200 when the database answers, 503 otherwise.
pub async fn readyz(State(state): State<AppState>) -> axum::response::Response {
    if vigil_core::db::is_ready(&state.pool).await {
        (StatusCode::OK, "ready").into_response()
    } else {
        error_body(
            StatusCode::SERVICE_UNAVAILABLE,
            "database_unavailable",
            "the database does not answer",
        )
    }
}

/// Prometheus text format: request counts and latencies, and jobs by state. With
/// `VIGIL_METRICS_TOKEN` set it wants `Authorization: Bearer <token>`; without one it is
/// open in development only (route names and job counts describe the deployment).
pub async fn metrics(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> axum::response::Response {
    match &state.config.metrics_token {
        None if state.config.is_dev() => {}
        None => {
            return error_body(
                StatusCode::FORBIDDEN,
                "metrics_disabled",
                "metrics are served only with VIGIL_METRICS_TOKEN set",
            );
        }
        Some(token) => {
            let presented = auth::bearer(&headers).unwrap_or_default();
            if !same_secret(presented, token.expose_secret()) {
                let mut refused = error_body(
                    StatusCode::UNAUTHORIZED,
                    "unauthenticated",
                    "send Authorization: Bearer <VIGIL_METRICS_TOKEN>",
                );
                refused
                    .headers_mut()
                    .insert(header::WWW_AUTHENTICATE, "Bearer".parse().expect("static"));
                return refused;
            }
        }
    }
    match vigil_core::jobs::count_by_state(&state.pool).await {
        Ok(counts) => {
            for state_name in ["queued", "running", "succeeded", "dead", "cancelled"] {
                let n = counts
                    .iter()
                    .find(|(s, _)| s == state_name)
                    .map_or(0, |(_, n)| *n);
                metrics::gauge!("vigil_jobs", "state" => state_name).set(n as f64);
            }
        }
        Err(e) => tracing::warn!(error = %e, "job counts unavailable for metrics"),
    }
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        state.metrics.render(),
    )
        .into_response()
}

/// Compares two secrets in time independent of where they differ: both are hashed to
/// the same length first, then every byte is compared.
fn same_secret(presented: &str, expected: &str) -> bool {
    let (a, b) = (
        auth::tokens::digest(presented),
        auth::tokens::digest(expected),
    );
    a.iter()
        .zip(&b)
        .fold(0u8, |differ, (x, y)| differ | (x ^ y))
        == 0
}

#[cfg(test)]
mod tests {
    #[test]
    fn secrets_match_only_when_equal() {
        assert!(super::same_secret("a-metrics-token-1", "a-metrics-token-1"));
        assert!(!super::same_secret(
            "a-metrics-token-1",
            "a-metrics-token-2"
        ));
        assert!(!super::same_secret("", "a-metrics-token-1"));
    }
}
