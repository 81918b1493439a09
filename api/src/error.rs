//! The REST API's error type: 4xx carry a code and a message for the user; anything else
//! is logged with its cause and answered with a generic message. Also [`OnConstraint`],
//! shared with the GraphQL error type.

use axum::{
    Json,
    extract::rejection::JsonRejection,
    http::StatusCode,
    response::{IntoResponse, Response},
};
use serde_json::json;

/// An error answered as `{"error": {"code", "message"}}`.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{message}")]
    Client {
        status: StatusCode,
        code: &'static str,
        message: String,
    },
    #[error("too many requests")]
    RateLimited { retry_after_secs: u64 },
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl ApiError {
    /// A 4xx error with a stable code and a human message.
    pub fn client(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self::Client {
            status,
            code,
            message: message.into(),
        }
    }

    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        Self::client(StatusCode::BAD_REQUEST, code, message)
    }

    pub fn not_found() -> Self {
        Self::client(StatusCode::NOT_FOUND, "not_found", "no such resource")
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(e: sqlx::Error) -> Self {
        Self::Internal(e.into())
    }
}

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        let (status, code) = match &rejection {
            JsonRejection::MissingJsonContentType(_) => {
                (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type")
            }
            JsonRejection::JsonSyntaxError(_) => (StatusCode::BAD_REQUEST, "malformed_json"),
            JsonRejection::JsonDataError(_) => {
                (StatusCode::UNPROCESSABLE_ENTITY, "invalid_request")
            }
            JsonRejection::BytesRejection(_) => {
                (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large")
            }
            _ => (StatusCode::BAD_REQUEST, "invalid_request"),
        };
        // serde's message names the field or position, never the request's values.
        Self::client(status, code, rejection.body_text())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match self {
            Self::Client {
                status,
                code,
                message,
            } => error_body(status, code, &message),
            Self::RateLimited { retry_after_secs } => {
                let mut resp = error_body(
                    StatusCode::TOO_MANY_REQUESTS,
                    "rate_limited",
                    &format!("too many requests; retry in {retry_after_secs} s"),
                );
                resp.headers_mut().insert(
                    axum::http::header::RETRY_AFTER,
                    axum::http::HeaderValue::from(retry_after_secs),
                );
                resp
            }
            Self::Internal(e) if vigil_core::db::caused_by_unreachable(&e) => {
                tracing::warn!(error = format!("{e:#}"), "database unreachable");
                let mut resp = error_body(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "database_unavailable",
                    "the database is unavailable for a moment; retry shortly",
                );
                resp.headers_mut().insert(
                    axum::http::header::RETRY_AFTER,
                    axum::http::HeaderValue::from(vigil_core::db::UNREACHABLE_RETRY_AFTER_SECS),
                );
                resp
            }
            Self::Internal(e) => {
                tracing::error!(error = format!("{e:#}"), "internal error");
                error_body(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "internal error; it has been logged",
                )
            }
        }
    }
}

/// Turns the violation of one named constraint (a unique or foreign key) into the
/// caller's error; any other database error stays internal through `E: From<sqlx::Error>`.
/// After realworld-axum-sqlx's `on_constraint`.
pub trait OnConstraint<T> {
    fn on_constraint<E: From<sqlx::Error>>(
        self,
        name: &str,
        error: impl FnOnce() -> E,
    ) -> Result<T, E>;
}

impl<T> OnConstraint<T> for Result<T, sqlx::Error> {
    fn on_constraint<E: From<sqlx::Error>>(
        self,
        name: &str,
        error: impl FnOnce() -> E,
    ) -> Result<T, E> {
        self.map_err(|e| {
            if e.as_database_error().and_then(|d| d.constraint()) == Some(name) {
                error()
            } else {
                e.into()
            }
        })
    }
}

/// The JSON error shape shared by every REST endpoint.
pub fn error_body(status: StatusCode, code: &str, message: &str) -> Response {
    (
        status,
        Json(json!({ "error": { "code": code, "message": message } })),
    )
        .into_response()
}
