//! The generic CloudFormation template, served for the console's quick-create link
//! (the link passes the external ID as a parameter).

use axum::{extract::State, http::StatusCode, response::IntoResponse};
use vigil_core::aws::template;

use crate::{error::error_body, state::AppState};

/// `GET /api/v1/aws/vigil-readonly-role.yaml`.
pub async fn generic(State(state): State<AppState>) -> axum::response::Response {
    match state.aws.principal_arn().await {
        Ok(principal) => (
            [(
                axum::http::header::CONTENT_TYPE,
                "application/x-yaml; charset=utf-8",
            )],
            template::render(&principal, None),
        )
            .into_response(),
        Err(e) => {
            tracing::error!(error = %e, "Vigil's own AWS identity could not be determined");
            error_body(
                StatusCode::SERVICE_UNAVAILABLE,
                "identity_unavailable",
                "Vigil's AWS identity is not configured",
            )
        }
    }
}
