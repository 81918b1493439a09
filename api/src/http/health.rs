//! Liveness, readiness and Prometheus metrics.

use axum::{extract::State, http::StatusCode, response::IntoResponse};

use crate::{error::error_body, state::AppState};

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

/// Prometheus text format: request counts and latencies, and jobs by state.
pub async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
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
}
