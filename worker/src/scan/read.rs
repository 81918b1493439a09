//! What a service's collector reaches, and where its reads' problems go: a read that
//! fails leaves its part of the inventory `None` and adds a [`Problem`]; it never fails
//! the whole scan.

use std::sync::Arc;

use aws_config::SdkConfig;
use aws_smithy_runtime_api::client::{orchestrator::HttpResponse, result::SdkError};
use aws_smithy_types::error::{display::DisplayErrorContext, metadata::ProvideErrorMetadata};
use chrono::{DateTime, Utc};
use serde::Serialize;

/// Something the scan could not read.
#[derive(Debug, Clone, Serialize)]
pub struct Problem {
    pub region: String,
    pub service: String,
    pub operation: String,
    pub message: String,
}

/// Collects problems from concurrent tasks.
#[derive(Debug, Clone, Default)]
pub struct Problems(Arc<std::sync::Mutex<Vec<Problem>>>);

impl Problems {
    fn push(&self, p: Problem) {
        tracing::warn!(region = %p.region, service = %p.service, operation = %p.operation, message = %p.message, "could not read");
        self.0.lock().expect("problems lock").push(p);
    }

    /// A region the connection lists that the account has not enabled: not scanned.
    pub fn not_enabled(&self, region: String) {
        self.push(Problem {
            region,
            service: "ec2".into(),
            operation: "DescribeRegions".into(),
            message: "listed in the connection's regions but not enabled in the account \
                      (an opt-in region): not scanned"
                .into(),
        });
    }

    /// Everything recorded so far.
    pub fn take(&self) -> Vec<Problem> {
        std::mem::take(&mut *self.0.lock().expect("problems lock"))
    }
}

/// One service's reach in one region (or, for a global service, the account): the SDK
/// configuration to call it with, and the problem log its failed reads go to.
#[derive(Debug, Clone, Copy)]
pub struct Reader<'a> {
    /// The SDK configuration for the region (for a global service: `us-east-1`).
    pub config: &'a SdkConfig,
    /// The region problems and findings are recorded under (`global` for a global service).
    pub region: &'a str,
    /// The 12-digit account being scanned.
    pub account_id: &'a str,
    service: &'static str,
    problems: &'a Problems,
}

impl<'a> Reader<'a> {
    /// A reader recording problems under `service`.
    pub fn new(
        config: &'a SdkConfig,
        region: &'a str,
        account_id: &'a str,
        service: &'static str,
        problems: &'a Problems,
    ) -> Self {
        Self {
            config,
            region,
            account_id,
            service,
            problems,
        }
    }

    /// The same reach, recording problems under another service name (a service read
    /// through a second SDK, such as S3 Control for S3).
    pub fn as_service(self, service: &'static str) -> Self {
        Self { service, ..self }
    }

    /// The value of a read, or `None` with the failure recorded.
    pub fn ok<T, E>(
        &self,
        operation: &str,
        result: Result<T, SdkError<E, HttpResponse>>,
    ) -> Option<T>
    where
        E: std::error::Error + ProvideErrorMetadata + Send + Sync + 'static,
    {
        match result {
            Ok(v) => Some(v),
            Err(e) => {
                self.record(operation, &e);
                None
            }
        }
    }

    /// Records a failed read: the AWS error code and message, no request details (which
    /// could carry signatures).
    pub fn record<E>(&self, operation: &str, err: &SdkError<E, HttpResponse>)
    where
        E: std::error::Error + ProvideErrorMetadata + Send + Sync + 'static,
    {
        let message = match err.as_service_error() {
            Some(e) => format!(
                "{}: {}",
                e.code().unwrap_or("Error"),
                e.message().unwrap_or("")
            ),
            None => DisplayErrorContext(err).to_string(),
        };
        self.problems.push(Problem {
            region: self.region.to_owned(),
            service: self.service.to_owned(),
            operation: operation.to_owned(),
            message,
        });
    }
}

/// The AWS error code of a failed call, to tell "there is none" answers from failures.
pub fn error_code<E: ProvideErrorMetadata>(err: &SdkError<E, HttpResponse>) -> Option<&str> {
    err.as_service_error().and_then(|e| e.code())
}

/// An SDK timestamp as UTC.
pub fn utc(t: &aws_smithy_types::DateTime) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp(t.secs(), t.subsec_nanos())
}
