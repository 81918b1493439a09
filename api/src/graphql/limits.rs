//! Limits per request that the schema's own depth and complexity limits do not cover
//! (OWASP's GraphQL guidance): operations per batch, the query's length and nesting,
//! aliases and expanded fields per operation (each bounded in time linear in the
//! document), time per request and rate units per tenant; and a machine-readable
//! `extensions.code` (with a `reason`) on the errors of queries that are invalid or over
//! a limit.

use std::{collections::HashMap, num::NonZeroU32, sync::Arc, time::Duration};

use async_graphql::{
    BatchResponse, Response, ServerError,
    parser::types::{ExecutableDocument, OperationType, Selection, SelectionSet},
};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter, clock::Clock};
use vigil_core::ids::TenantId;

/// Operations accepted in one batched request.
pub const MAX_BATCH: usize = 10;
/// Aliased fields accepted in one operation (fragments counted where they are spread).
pub const MAX_ALIASES: usize = 50;
/// Role verifications a tenant may make at once before its per-minute budget applies.
pub const STS_BURST: u32 = 3;

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

    /// Counts `units` (see [`rate_units`]) for the tenant; when over, how many seconds
    /// to wait.
    pub fn check(&self, tenant: TenantId, units: usize) -> Result<(), u64> {
        let n = NonZeroU32::new(u32::try_from(units).unwrap_or(u32::MAX).max(1)).expect("non-zero");
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

    /// The per-tenant budget of role verifications: each one makes AWS calls while the
    /// request waits, so a tenant looping `verifyAwsAccount` would spend Vigil's STS
    /// quota for all.
    pub fn sts(per_minute: u32) -> Self {
        Self::with_burst(per_minute, STS_BURST.min(per_minute))
    }

    /// Forgets tenants back to a full quota (bounds memory).
    pub fn forget_idle(&self) {
        self.0.retain_recent();
    }
}

/// Longest query text accepted, in bytes (the web app's largest is about 1 KiB).
pub const MAX_QUERY_BYTES: usize = 32 * 1024;
/// Deepest nesting of braces, parentheses and brackets accepted in the query text, and of
/// selections and fragment spreads once parsed; checked before parsing so that no parser
/// recurses without bound.
pub const MAX_NESTING: usize = 64;
/// Fields in an operation (or a fragment) once every fragment is expanded where it is
/// spread: what validation and execution walk (the web app's largest is about 60).
pub const MAX_NODES: usize = 10_000;

/// What the limits read from a document, each fragment walked once however often it is
/// spread, so the work is bounded by the document's length.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Shape {
    /// Aliased fields in the operations, fragments counted where they are spread.
    pub aliases: usize,
    /// Fields of the largest operation or fragment once fragments are expanded.
    pub nodes: usize,
    /// Root fields of the mutations (fragments at the root expanded): each is one unit
    /// of the tenant's rate.
    pub mutation_fields: usize,
    /// Whether an operation is a subscription (it runs until it ends, not within
    /// `VIGIL_GRAPHQL_TIMEOUT`).
    pub subscription: bool,
    /// Whether the document selects `__schema` or `__type` (`__typename` is not
    /// introspection: clients use it to tell types apart).
    pub introspection: bool,
}

/// Why a document is refused before it is validated or executed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Introspection where it is turned off.
    Introspection,
    /// Longer than [`MAX_QUERY_BYTES`].
    Bytes(usize),
    /// Nested deeper than [`MAX_NESTING`].
    Nesting,
    /// More than [`MAX_NODES`] expanded fields (the count saturates).
    Nodes(usize),
    /// More than [`MAX_ALIASES`] aliases.
    Aliases(usize),
}

impl Refusal {
    /// The refusal the client gets: `BAD_USER_INPUT` with a reason naming the limit.
    pub fn response(&self) -> Response {
        let (reason, message) = match self {
            Self::Introspection => (
                "INTROSPECTION_DISABLED",
                "introspection is turned off on this server; the schema is published as api/schema.graphql".to_owned(),
            ),
            Self::Bytes(n) => (
                "SIZE_LIMIT",
                format!("a query may be at most {MAX_QUERY_BYTES} bytes long; this one is {n}"),
            ),
            Self::Nesting => (
                "DEPTH_LIMIT",
                format!("a query may nest at most {MAX_NESTING} levels (fragments included)"),
            ),
            Self::Nodes(n) => (
                "SIZE_LIMIT",
                format!(
                    "an operation may select at most {MAX_NODES} fields once its fragments are expanded; this one selects {n}"
                ),
            ),
            Self::Aliases(n) => (
                "ALIAS_LIMIT",
                format!("an operation may use at most {MAX_ALIASES} aliases; this one uses {n}"),
            ),
        };
        refused("BAD_USER_INPUT", reason, message)
    }
}

/// Measures `query` against the document limits in time linear in its length. A document
/// that does not parse passes with an empty shape (execution reports the syntax error).
pub fn inspect(query: &str) -> Result<Shape, Refusal> {
    if query.len() > MAX_QUERY_BYTES {
        return Err(Refusal::Bytes(query.len()));
    }
    if nesting(query) > MAX_NESTING {
        return Err(Refusal::Nesting);
    }
    let Ok(doc) = async_graphql::parser::parse_query(query) else {
        return Ok(Shape::default());
    };
    let mut walk = Walk {
        doc: &doc,
        memo: HashMap::new(),
        too_deep: false,
    };
    let mut shape = Shape::default();
    for (_, op) in doc.operations.iter() {
        let counts = walk.set(&op.node.selection_set.node, 0);
        shape.aliases = shape.aliases.saturating_add(counts.aliases);
        shape.nodes = shape.nodes.max(counts.nodes);
        shape.introspection |= counts.introspection;
        match op.node.ty {
            OperationType::Mutation => {
                shape.mutation_fields = shape.mutation_fields.saturating_add(counts.fields);
            }
            OperationType::Subscription => shape.subscription = true,
            OperationType::Query => {}
        }
    }
    // Validation walks unused fragments too.
    for name in doc.fragments.keys() {
        shape.nodes = shape.nodes.max(walk.fragment(name, 0).nodes);
    }
    if walk.too_deep {
        return Err(Refusal::Nesting);
    }
    if shape.nodes > MAX_NODES {
        return Err(Refusal::Nodes(shape.nodes));
    }
    if shape.aliases > MAX_ALIASES {
        return Err(Refusal::Aliases(shape.aliases));
    }
    Ok(shape)
}

/// [`inspect`], and refuses introspection unless `introspection` allows it (the schema
/// disables it too; this says so instead of answering `null`). What both transports run
/// before anything else.
pub fn admit(query: &str, introspection: bool) -> Result<Shape, Refusal> {
    let shape = inspect(query)?;
    if shape.introspection && !introspection {
        return Err(Refusal::Introspection);
    }
    Ok(shape)
}

/// The attack [`inspect`] must survive: `depth` fragments each spreading the next twice,
/// 2^(depth+1) fields once expanded in a document of a few bytes per fragment (the tests
/// send it).
pub fn fragment_bomb(depth: usize) -> String {
    let mut q = String::from("query { ...F0 }");
    for i in 0..depth {
        q.push_str(&format!(
            " fragment F{i} on Query {{ ...F{n} ...F{n} }}",
            n = i + 1
        ));
    }
    q.push_str(&format!(
        " fragment F{depth} on Query {{ a: me {{ email }} }}"
    ));
    q
}

/// What one operation costs of the tenant's rate: a mutation one unit per root field
/// (each may write, enqueue a job or call out, and aliases multiply them), a query or a
/// subscription one unit (their cost is bounded by the complexity limit and the timeout).
pub fn rate_units(shape: &Shape) -> usize {
    shape.mutation_fields.max(1)
}

/// Deepest bracket nesting outside strings and comments; a cheap lexer, so it can run
/// before the (recursive) parser.
fn nesting(query: &str) -> usize {
    let b = query.as_bytes();
    let (mut i, mut depth, mut deepest) = (0, 0usize, 0usize);
    while i < b.len() {
        match b[i] {
            b'{' | b'(' | b'[' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            b'}' | b')' | b']' => depth = depth.saturating_sub(1),
            b'#' => {
                while i < b.len() && b[i] != b'\n' && b[i] != b'\r' {
                    i += 1;
                }
            }
            b'"' if b[i..].starts_with(br#"""""#) => {
                i += 3;
                while i < b.len() && !b[i..].starts_with(br#"""""#) {
                    i += if b[i..].starts_with(br#"\""""#) { 4 } else { 1 };
                }
                i += 2;
            }
            b'"' => {
                i += 1;
                while i < b.len() && b[i] != b'"' && b[i] != b'\n' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
            }
            _ => {}
        }
        i += 1;
    }
    deepest
}

/// What one selection set holds, fragments expanded.
#[derive(Debug, Default, Clone, Copy)]
struct Counts {
    aliases: usize,
    nodes: usize,
    /// Fields at this level (the root fields, for an operation).
    fields: usize,
    introspection: bool,
}

impl Counts {
    fn plus(self, other: Self) -> Self {
        Self {
            aliases: self.aliases.saturating_add(other.aliases),
            nodes: self.nodes.saturating_add(other.nodes),
            fields: self.fields.saturating_add(other.fields),
            introspection: self.introspection || other.introspection,
        }
    }
}

struct Walk<'a> {
    doc: &'a ExecutableDocument,
    /// Each fragment's counts; `None` while it is being walked (a cycle, which validation
    /// refuses, counts nothing).
    memo: HashMap<&'a str, Option<Counts>>,
    too_deep: bool,
}

impl<'a> Walk<'a> {
    fn set(&mut self, set: &'a SelectionSet, depth: usize) -> Counts {
        if depth > MAX_NESTING {
            self.too_deep = true;
            return Counts::default();
        }
        set.items.iter().fold(Counts::default(), |sum, item| {
            let counts = match &item.node {
                Selection::Field(f) => {
                    let inner = self.set(&f.node.selection_set.node, depth + 1);
                    Counts {
                        aliases: usize::from(f.node.alias.is_some()).saturating_add(inner.aliases),
                        nodes: inner.nodes.saturating_add(1),
                        fields: 1,
                        introspection: inner.introspection
                            || matches!(f.node.name.node.as_str(), "__schema" | "__type"),
                    }
                }
                Selection::InlineFragment(f) => self.set(&f.node.selection_set.node, depth + 1),
                Selection::FragmentSpread(s) => {
                    self.fragment(s.node.fragment_name.node.as_str(), depth + 1)
                }
            };
            sum.plus(counts)
        })
    }

    fn fragment(&mut self, name: &'a str, depth: usize) -> Counts {
        if let Some(known) = self.memo.get(name) {
            return known.unwrap_or_default();
        }
        let Some(fragment) = self.doc.fragments.get(name) else {
            return Counts::default();
        };
        self.memo.insert(name, None);
        let counts = self.set(&fragment.node.selection_set.node, depth);
        self.memo.insert(name, Some(counts));
        counts
    }
}

/// An error response with a code and a reason.
pub fn refused(code: &'static str, reason: &'static str, message: String) -> Response {
    let mut error = ServerError::new(message, None);
    let ext = error.extensions.get_or_insert_with(Default::default);
    ext.set("code", code);
    ext.set("reason", reason);
    Response::from_errors(vec![error])
}

/// The answer to a tenant over its rate (HTTP adds status 429 and `Retry-After`).
pub fn rate_limited(retry_after: u64) -> Response {
    refused(
        "RATE_LIMITED",
        "TENANT_RATE_LIMIT",
        format!("too many requests for this organization; retry in {retry_after} s"),
    )
}

/// The answer to a request stopped after `after` (`VIGIL_GRAPHQL_TIMEOUT`).
pub fn timed_out(after: Duration) -> Response {
    refused(
        "TIMEOUT",
        "REQUEST_TIMEOUT",
        format!(
            "the request took longer than {} s and was stopped; ask for less (a smaller `first`, fewer fields)",
            after.as_secs()
        ),
    )
}

/// [`code`] for each response of a batch.
pub fn coded(mut batch: BatchResponse) -> BatchResponse {
    match &mut batch {
        BatchResponse::Single(r) => code_errors(r),
        BatchResponse::Batch(rs) => rs.iter_mut().for_each(code_errors),
    }
    batch
}

/// Gives every error without a code one: the resolvers set theirs, so what is left comes
/// from parsing and validation (the caller's query is wrong or over a limit).
pub fn code(mut response: Response) -> Response {
    code_errors(&mut response);
    response
}

fn code_errors(r: &mut Response) {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn aliases(query: &str) -> usize {
        inspect(query).unwrap().aliases
    }

    #[test]
    fn aliases_count_through_fragments_where_they_are_spread() {
        assert_eq!(aliases("{ a: me { id } b: me { x: id } }"), 3);
        assert_eq!(
            aliases("query { ...F ...F } fragment F on Query { a: me { id } }"),
            2
        );
        assert_eq!(aliases("{ me { id } }"), 0);
        assert_eq!(inspect("{ not graphql"), Ok(Shape::default()));
        let over: String = (0..51).map(|i| format!("a{i}: me {{ id }} ")).collect();
        assert_eq!(inspect(&format!("{{ {over} }}")), Err(Refusal::Aliases(51)));
    }

    #[test]
    fn a_fragment_bomb_is_counted_once_per_fragment_and_refused() {
        // Walking each spread would take 2^40 steps; memoised it is 41 fragments.
        assert_eq!(inspect(&fragment_bomb(40)), Err(Refusal::Nodes(1 << 41)));
        // Far past 64 bits the count saturates rather than wrapping under the cap.
        let mut wide = String::from("query { ...F0 }");
        for i in 0..60 {
            let spreads = format!("...F{} ", i + 1).repeat(20);
            wide.push_str(&format!(" fragment F{i} on Query {{ {spreads} }}"));
        }
        wide.push_str(" fragment F60 on Query { me { id } }");
        assert_eq!(inspect(&wide), Err(Refusal::Nodes(usize::MAX)));
        // An unused fragment is walked by validation too.
        let unused = fragment_bomb(20).replace("query { ...F0 }", "query { me { id } }");
        assert!(matches!(inspect(&unused), Err(Refusal::Nodes(_))));
        // A small one passes, with its expanded size.
        let small = inspect(&fragment_bomb(3)).unwrap();
        assert_eq!((small.nodes, small.aliases), (16, 8));
    }

    #[test]
    fn nesting_is_refused_before_the_parser_recurses() {
        let deep = format!(
            "{{ {}id{} }}",
            "me { ".repeat(100_000),
            " }".repeat(100_000)
        );
        assert_eq!(inspect(&deep[..]), Err(Refusal::Bytes(deep.len())));
        let deep = format!("{{{}}}", "{".repeat(MAX_NESTING));
        assert_eq!(inspect(&deep), Err(Refusal::Nesting));
        // Brackets in strings, block strings and comments are text, not nesting.
        let text = "{".repeat(200);
        let q = format!(
            "mutation {{ testDetectionRule(yaml: \"{text}\\\"{text}\", b: \"\"\"{text}\\\"\"\"{text}\"\"\") # {text}\n {{ id }} }}"
        );
        assert_eq!(nesting(&q), 2, "{q}");
        // A chain of fragments nests as deeply as its spreads.
        let mut chain = String::from("query { ...F0 }");
        for i in 0..100 {
            chain.push_str(&format!(" fragment F{i} on Query {{ ...F{} }}", i + 1));
        }
        chain.push_str(" fragment F100 on Query { me { id } }");
        assert_eq!(inspect(&chain), Err(Refusal::Nesting));
    }

    #[test]
    fn mutation_root_fields_count_through_root_fragments() {
        let q = "mutation { a: acknowledgeAlert(id: 1) { id } ...M ... on Mutation { c: x { id } } } \
                 fragment M on Mutation { b: testWebhook(id: 2) { ok } d: testWebhook(id: 3) { ok } }";
        assert_eq!(inspect(q).unwrap().mutation_fields, 4);
        assert_eq!(
            inspect("{ a: me { id } b: me { id } }")
                .unwrap()
                .mutation_fields,
            0
        );
    }

    #[test]
    fn introspection_is_found_through_fragments_and_refused_where_off() {
        let spread = "{ ...F } fragment F on Query { __schema { types { name } } }";
        for q in [spread, "{ __type(name: \"Query\") { name } }"] {
            assert_eq!(admit(q, false), Err(Refusal::Introspection), "{q}");
            assert!(admit(q, true).is_ok(), "{q}");
        }
        assert!(admit("{ __typename me { id } }", false).is_ok());
    }

    #[test]
    fn the_documented_examples_are_well_within_the_limits() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/graphql/examples");
        let mut seen = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "graphql") {
                let query = std::fs::read_to_string(&path).unwrap();
                let shape = inspect(&query).unwrap();
                assert!(
                    shape.nodes < MAX_NODES / 10,
                    "{}: {shape:?}",
                    path.display()
                );
                seen += 1;
            }
        }
        assert!(seen > 0);
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
