//! The GraphQL API's one error type. Resolvers return [`GqlResult`] and use `?`: database
//! and other internal failures become [`GqlError::Internal`], logged with their cause
//! chain and answered with a generic message, so SQL text never reaches a client. The
//! conversion into `async_graphql::Error` is the one place that writes `extensions.code`
//! (and `reason`, `field`, `line`, `retryAfter`), with the codes of docs/graphql.md.

use std::sync::Arc;

use async_graphql::{ErrorExtensionValues, Pos, ServerError};

/// Result type of resolvers.
pub type GqlResult<T> = Result<T, GqlError>;

/// Why a GraphQL operation failed. Deliberately not `Display`: async-graphql turns any
/// `Display` type into an error without a code, so this type converts only through the
/// `From` below and cannot lose its code on the way.
#[derive(Debug, Clone)]
pub enum GqlError {
    /// `UNAUTHENTICATED`: no credential, or one that does not authenticate; the message
    /// says which.
    Unauthenticated(String),
    /// `FORBIDDEN`: the caller's role (or kind of credential) does not allow this.
    Forbidden(String),
    /// `NOT_FOUND` ("`<what>` not found"): absent, another tenant's, or malformed.
    NotFound(&'static str),
    /// `BAD_USER_INPUT`: input the caller must fix; `field` and `line` locate it (rule
    /// YAML), `reason` classifies a refused query.
    BadInput {
        message: String,
        field: Option<String>,
        line: Option<i64>,
        reason: Option<&'static str>,
    },
    /// The input clashes with what exists (an AWS account connected twice). Answered as
    /// `BAD_USER_INPUT`: the documented codes have no separate one for it.
    Conflict(String),
    /// `TRIAL_EXPIRED`: the tenant's trial has ended.
    TrialExpired,
    /// `RATE_LIMITED`, with `reason` and `retryAfter` (seconds).
    RateLimited {
        message: String,
        reason: &'static str,
        retry_after: u64,
    },
    /// `UNAVAILABLE`: the database cannot be reached for now (restarting, failing over,
    /// every connection busy); worth retrying after `retryAfter` seconds.
    Unavailable,
    /// `INTERNAL` with a message the operator needs (Vigil is misconfigured); nothing
    /// about the request or its data.
    Misconfigured(&'static str),
    /// `INTERNAL`: a fault on our side; the cause is logged, the client gets a generic
    /// message.
    Internal(Arc<anyhow::Error>),
}

/// What a client reads for any [`GqlError::Internal`].
const INTERNAL_MESSAGE: &str = "internal error; it has been logged";

/// What a client reads for [`GqlError::Unavailable`].
const UNAVAILABLE_MESSAGE: &str = "Vigil's database is unavailable for a moment; retry shortly";

/// The message of [`GqlError::TrialExpired`].
const TRIAL_EXPIRED_MESSAGE: &str = "your trial has ended: existing data stays readable, but new scans and connections need an active plan";

impl GqlError {
    /// Input the caller must fix.
    pub fn bad_input(message: impl Into<String>) -> Self {
        Self::BadInput {
            message: message.into(),
            field: None,
            line: None,
            reason: None,
        }
    }

    /// Any internal failure (its message is logged, never answered).
    pub fn internal(e: impl Into<anyhow::Error>) -> Self {
        Self::Internal(Arc::new(e.into()))
    }

    /// The error as a response error at `pos`, for code outside resolvers (transport,
    /// extensions).
    pub fn into_server_error(self, pos: Pos) -> ServerError {
        async_graphql::Error::from(self).into_server_error(pos)
    }

    fn code(&self) -> &'static str {
        match self {
            Self::Unauthenticated(_) => "UNAUTHENTICATED",
            Self::Forbidden(_) => "FORBIDDEN",
            Self::NotFound(_) => "NOT_FOUND",
            Self::BadInput { .. } | Self::Conflict(_) => "BAD_USER_INPUT",
            Self::TrialExpired => "TRIAL_EXPIRED",
            Self::RateLimited { .. } => "RATE_LIMITED",
            Self::Unavailable => "UNAVAILABLE",
            Self::Misconfigured(_) | Self::Internal(_) => "INTERNAL",
        }
    }
}

impl From<GqlError> for async_graphql::Error {
    fn from(e: GqlError) -> Self {
        let mut ext = ErrorExtensionValues::default();
        ext.set("code", e.code());
        let message = match e {
            GqlError::Unauthenticated(m) | GqlError::Forbidden(m) | GqlError::Conflict(m) => m,
            GqlError::NotFound(what) => format!("{what} not found"),
            GqlError::BadInput {
                message,
                field,
                line,
                reason,
            } => {
                if let Some(line) = line {
                    ext.set("line", line);
                }
                if let Some(field) = field {
                    ext.set("field", field);
                }
                if let Some(reason) = reason {
                    ext.set("reason", reason);
                }
                message
            }
            GqlError::TrialExpired => TRIAL_EXPIRED_MESSAGE.to_owned(),
            GqlError::RateLimited {
                message,
                reason,
                retry_after,
            } => {
                ext.set("reason", reason);
                ext.set("retryAfter", retry_after);
                message
            }
            GqlError::Unavailable => {
                ext.set("retryAfter", vigil_core::db::UNREACHABLE_RETRY_AFTER_SECS);
                UNAVAILABLE_MESSAGE.to_owned()
            }
            GqlError::Misconfigured(m) => m.to_owned(),
            GqlError::Internal(cause) => {
                // Logged here, once, where the error leaves for the client; the request's
                // span carries its `x-request-id`.
                tracing::error!(
                    error = format!("{cause:#}"),
                    "internal error in a GraphQL resolver"
                );
                INTERNAL_MESSAGE.to_owned()
            }
        };
        let mut error = async_graphql::Error::new(message);
        error.extensions = Some(ext);
        error
    }
}

impl GqlError {
    /// A failed call's error: [`GqlError::Unavailable`] when the database could not be
    /// reached (worth a retry), [`GqlError::Internal`] otherwise.
    fn unavailable_or_internal(unreachable: bool, cause: anyhow::Error) -> Self {
        if unreachable {
            tracing::warn!(
                error = format!("{cause:#}"),
                "database unreachable in a GraphQL resolver"
            );
            Self::Unavailable
        } else {
            Self::Internal(Arc::new(cause))
        }
    }
}

impl From<sqlx::Error> for GqlError {
    fn from(e: sqlx::Error) -> Self {
        Self::unavailable_or_internal(vigil_core::db::is_unreachable(&e), e.into())
    }
}

/// What a DataLoader answers when its query failed.
impl From<Arc<sqlx::Error>> for GqlError {
    fn from(e: Arc<sqlx::Error>) -> Self {
        Self::unavailable_or_internal(vigil_core::db::is_unreachable(&e), e.into())
    }
}

impl From<anyhow::Error> for GqlError {
    fn from(e: anyhow::Error) -> Self {
        Self::unavailable_or_internal(vigil_core::db::caused_by_unreachable(&e), e)
    }
}

#[cfg(test)]
mod tests {
    use async_graphql::Value;

    use super::*;

    fn ext(e: GqlError) -> (String, Vec<(String, Value)>) {
        let e = async_graphql::Error::from(e);
        let ext = e.extensions.expect("every GqlError carries a code");
        let mut pairs: Vec<(String, Value)> = ["code", "reason", "field", "line", "retryAfter"]
            .iter()
            .filter_map(|k| ext.get(k).map(|v| ((*k).to_owned(), v.clone())))
            .collect();
        pairs.sort_by(|a, b| a.0.cmp(&b.0));
        (e.message, pairs)
    }

    #[test]
    fn a_database_error_answers_internal_without_its_text() {
        let (message, ext) = ext(sqlx::Error::Protocol("select secret from t".into()).into());
        assert_eq!(message, INTERNAL_MESSAGE);
        assert_eq!(ext, vec![("code".to_owned(), Value::from("INTERNAL"))]);
    }

    #[test]
    fn an_unreachable_database_answers_unavailable_with_a_retry_hint() {
        for e in [
            GqlError::from(sqlx::Error::PoolTimedOut),
            GqlError::from(anyhow::Error::new(sqlx::Error::PoolClosed).context("loading")),
        ] {
            let (message, ext) = ext(e);
            assert_eq!(message, UNAVAILABLE_MESSAGE);
            assert_eq!(
                ext,
                vec![
                    ("code".to_owned(), Value::from("UNAVAILABLE")),
                    (
                        "retryAfter".to_owned(),
                        Value::from(vigil_core::db::UNREACHABLE_RETRY_AFTER_SECS)
                    ),
                ]
            );
        }
    }

    #[test]
    fn rule_and_rate_errors_carry_their_extensions() {
        let (_, bad) = ext(GqlError::BadInput {
            message: "the rule cannot be used".into(),
            field: Some("detection".into()),
            line: Some(3),
            reason: None,
        });
        assert_eq!(
            bad,
            vec![
                ("code".to_owned(), Value::from("BAD_USER_INPUT")),
                ("field".to_owned(), Value::from("detection")),
                ("line".to_owned(), Value::from(3)),
            ]
        );
        let (message, limited) = ext(GqlError::RateLimited {
            message: "slow down".into(),
            reason: "STS_RATE_LIMIT",
            retry_after: 7,
        });
        assert_eq!(message, "slow down");
        assert_eq!(
            limited,
            vec![
                ("code".to_owned(), Value::from("RATE_LIMITED")),
                ("reason".to_owned(), Value::from("STS_RATE_LIMIT")),
                ("retryAfter".to_owned(), Value::from(7)),
            ]
        );
        assert_eq!(
            ext(GqlError::NotFound("AWS account")).0,
            "AWS account not found"
        );
        assert_eq!(
            ext(GqlError::Conflict("taken".into())).1,
            vec![("code".to_owned(), Value::from("BAD_USER_INPUT"))]
        );
    }
}
