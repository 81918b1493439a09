//! Limits per request that the schema's own depth and complexity limits do not cover
//! (OWASP's GraphQL guidance): operations per batch, aliases per operation, time per
//! request and requests per tenant; and a machine-readable `extensions.code` (with a
//! `reason`) on the errors of queries that are invalid or over a limit.

use std::{num::NonZeroU32, sync::Arc, time::Duration};

use async_graphql::{
    BatchResponse, Response, ServerError,
    parser::types::{ExecutableDocument, Selection, SelectionSet},
};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter, clock::Clock};
use vigil_core::ids::TenantId;

/// Operations accepted in one batched request.
pub const MAX_BATCH: usize = 10;
/// Aliased fields accepted in one operation (fragments counted where they are spread).
pub const MAX_ALIASES: usize = 50;
/// Time one request may take before it is answered `TIMEOUT`.
pub const TIMEOUT: Duration = Duration::from_secs(15);

/// GraphQL requests per minute per tenant, shared by its users and API keys.
#[derive(Clone)]
pub struct TenantLimits(Arc<DefaultKeyedRateLimiter<TenantId>>);

impl TenantLimits {
    /// `per_minute` requests per tenant, a sixth of it at once in a burst.
    pub fn new(per_minute: u32) -> Self {
        Self::with_burst(per_minute, per_minute / 6)
    }

    /// `per_minute` requests per tenant, `burst` of them at once.
    pub fn with_burst(per_minute: u32, burst: u32) -> Self {
        let rate = NonZeroU32::new(per_minute.max(1)).expect("non-zero");
        let burst = NonZeroU32::new(burst.max(1)).expect("non-zero");
        Self(Arc::new(RateLimiter::keyed(
            Quota::per_minute(rate).allow_burst(burst),
        )))
    }

    /// Counts `operations` for the tenant; when over, how many seconds to wait.
    pub fn check(&self, tenant: TenantId, operations: usize) -> Result<(), u64> {
        let n = NonZeroU32::new(u32::try_from(operations).unwrap_or(u32::MAX).max(1))
            .expect("non-zero");
        let clock = governor::clock::DefaultClock::default();
        match self.0.check_key_n(&tenant, n) {
            Ok(Ok(())) => Ok(()),
            Ok(Err(not_until)) => {
                Err((not_until.wait_time_from(clock.now()).as_secs_f64().ceil() as u64).max(1))
            }
            // More operations than a whole burst: never allowed at once.
            Err(_) => Err(60),
        }
    }

    /// Forgets tenants back to a full quota (bounds memory).
    pub fn forget_idle(&self) {
        self.0.retain_recent();
    }
}

/// Aliased fields in the document's operations, counting a fragment each time it is
/// spread. A document that does not parse counts 0 (execution reports the syntax error).
pub fn aliases(query: &str) -> usize {
    let Ok(doc) = async_graphql::parser::parse_query(query) else {
        return 0;
    };
    doc.operations
        .iter()
        .map(|(_, op)| count(&doc, &op.node.selection_set.node, 0))
        .sum()
}

fn count(doc: &ExecutableDocument, set: &SelectionSet, depth: usize) -> usize {
    // Fragment cycles are invalid GraphQL (validation refuses them); stop anyway.
    if depth > 64 {
        return 0;
    }
    set.items
        .iter()
        .map(|item| match &item.node {
            Selection::Field(f) => {
                usize::from(f.node.alias.is_some())
                    + count(doc, &f.node.selection_set.node, depth + 1)
            }
            Selection::InlineFragment(f) => count(doc, &f.node.selection_set.node, depth + 1),
            Selection::FragmentSpread(s) => doc
                .fragments
                .get(&s.node.fragment_name.node)
                .map_or(0, |f| count(doc, &f.node.selection_set.node, depth + 1)),
        })
        .sum()
}

/// An error response with a code and a reason.
pub fn refused(code: &'static str, reason: &'static str, message: String) -> Response {
    let mut error = ServerError::new(message, None);
    let ext = error.extensions.get_or_insert_with(Default::default);
    ext.set("code", code);
    ext.set("reason", reason);
    Response::from_errors(vec![error])
}

/// Gives every error without a code one: the resolvers set theirs, so what is left comes
/// from parsing and validation (the caller's query is wrong or over a limit).
pub fn coded(mut batch: BatchResponse) -> BatchResponse {
    let responses: Vec<&mut Response> = match &mut batch {
        BatchResponse::Single(r) => vec![r],
        BatchResponse::Batch(rs) => rs.iter_mut().collect(),
    };
    for r in responses {
        for e in &mut r.errors {
            let ext = e.extensions.get_or_insert_with(Default::default);
            if ext.get("code").is_some() {
                continue;
            }
            let reason = if e.message.contains("nested too deep") {
                "DEPTH_LIMIT"
            } else if e.message.contains("too complex") {
                "COMPLEXITY_LIMIT"
            } else {
                "INVALID_QUERY"
            };
            ext.set("code", "BAD_USER_INPUT");
            ext.set("reason", reason);
        }
    }
    batch
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_count_through_fragments_where_they_are_spread() {
        assert_eq!(aliases("{ a: me { id } b: me { x: id } }"), 3);
        assert_eq!(
            aliases("query { ...F ...F } fragment F on Query { a: me { id } }"),
            2
        );
        assert_eq!(aliases("{ me { id } }"), 0);
        assert_eq!(aliases("{ not graphql"), 0);
    }

    #[test]
    fn a_tenant_gets_its_burst_then_waits() {
        let limits = TenantLimits::new(60);
        let (a, b) = (TenantId::new(), TenantId::new());
        assert!(limits.check(a, 10).is_ok());
        let wait = limits.check(a, 1).unwrap_err();
        assert!((1..=60).contains(&wait), "{wait}");
        // Another tenant is not affected.
        assert!(limits.check(b, 1).is_ok());
        assert_eq!(limits.check(b, 100), Err(60));
    }
}
