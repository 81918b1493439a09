//! The GraphQL API: one module per domain, merged into the root; resolvers stay thin and
//! the stores do the work.

pub mod accounts;
pub mod activity;
pub mod alerts;
pub mod api_keys;
pub mod assets;
pub mod audit;
pub mod compliance;
pub mod context;
pub mod error;
pub mod findings;
pub mod limits;
pub mod live;
pub mod loaders;
pub mod organizations;
pub mod pagination;
pub mod push;
pub mod rules;
pub mod scans;
pub mod team;
pub mod types;
pub mod webhooks;
pub mod ws;

use async_graphql::{
    Data, MergedObject, Schema,
    http::{ALL_WEBSOCKET_PROTOCOLS, GraphiQLSource},
};
use async_graphql_axum::{GraphQLBatchRequest, GraphQLProtocol, GraphQLResponse, GraphQLWebSocket};
use axum::{
    extract::{State, ws::Message},
    http::{HeaderMap, StatusCode, header},
    response::{Html, IntoResponse},
};

use futures::{SinkExt, StreamExt};

use self::error::GqlError;
use crate::{
    auth::{self, AuthError},
    client_ip::ClientIp,
    state::AppState,
};

/// Deepest query accepted (the schema itself nests less; the standard introspection
/// query of GraphQL clients needs 14).
pub const MAX_DEPTH: usize = 16;
/// Most expensive query accepted (each field costs 1 unless it says otherwise).
pub const MAX_COMPLEXITY: usize = 5_000;

/// What a caller (a user's session or an API key) can read, always within its own
/// tenant.
#[derive(MergedObject, Default)]
pub struct Query(
    team::TeamQuery,
    accounts::AccountsQuery,
    organizations::OrganizationsQuery,
    scans::ScansQuery,
    findings::FindingsQuery,
    assets::AssetsQuery,
    activity::ActivityQuery,
    alerts::AlertsQuery,
    rules::RulesQuery,
    api_keys::ApiKeysQuery,
    webhooks::WebhooksQuery,
    audit::AuditQuery,
    compliance::ComplianceQuery,
);

/// What a caller can change, within its own tenant and as far as its role allows.
#[derive(MergedObject, Default)]
pub struct Mutation(
    team::TeamMutation,
    accounts::AccountsMutation,
    organizations::OrganizationsMutation,
    push::PushMutation,
    scans::ScansMutation,
    findings::FindingsMutation,
    alerts::AlertsMutation,
    rules::RulesMutation,
    api_keys::ApiKeysMutation,
    webhooks::WebhooksMutation,
    compliance::ComplianceMutation,
);

/// The executable schema.
pub type VigilSchema = Schema<Query, Mutation, live::Subscription>;

/// Builds the schema; `state` is `None` when only the SDL is wanted.
pub fn schema(state: Option<AppState>) -> VigilSchema {
    let dev = state.as_ref().is_some_and(|s| s.config.is_dev());
    let mut builder = Schema::build(Query::default(), Mutation::default(), live::Subscription)
        .limit_depth(MAX_DEPTH)
        .limit_complexity(MAX_COMPLEXITY)
        .extension(crate::input::RejectNul);
    if !dev {
        builder = builder.disable_suggestions();
    }
    // The SDL is public (`api/schema.graphql`); introspection off outside development
    // keeps a probe from mapping a particular deployment's schema.
    if state
        .as_ref()
        .is_some_and(|s| !s.config.graphql_introspection)
    {
        builder = builder.disable_introspection();
    }
    if let Some(state) = state {
        builder = builder.data(state);
    }
    builder.finish()
}

/// The schema in SDL, as committed in `api/schema.graphql`.
pub fn sdl() -> String {
    schema(None).sdl()
}

/// `POST /graphql`: enforces the request limits, authenticates the bearer credential,
/// then executes one operation or a batch.
pub async fn execute(
    State(state): State<AppState>,
    axum::Extension(schema): axum::Extension<VigilSchema>,
    ClientIp(client): ClientIp,
    headers: HeaderMap,
    request: GraphQLBatchRequest,
) -> axum::response::Response {
    let mut batch = request.into_inner();
    let operations = batch.iter().count();
    if operations > limits::MAX_BATCH {
        return answer(limits::refused(
            "BAD_USER_INPUT",
            "BATCH_LIMIT",
            format!(
                "a batch may hold at most {} operations; this one holds {operations}",
                limits::MAX_BATCH
            ),
        ));
    }
    // Before authentication and before async-graphql parses or validates anything: the
    // work here is linear in the document, validation's is not.
    let mut units = 0usize;
    for r in batch.iter() {
        match limits::admit(&r.query, state.config.graphql_introspection) {
            Ok(shape) => units = units.saturating_add(limits::rate_units(&shape)),
            Err(refusal) => return answer(refusal.response()),
        }
    }
    if let Some(credential) = auth::bearer(&headers) {
        match auth::authenticate(&state, credential, Some(client)).await {
            Ok(principal) => {
                if let Err(retry_after) = state.graphql_limits.check(principal.tenant_id, units) {
                    let mut response = answer(limits::rate_limited(retry_after));
                    *response.status_mut() = StatusCode::TOO_MANY_REQUESTS;
                    response
                        .headers_mut()
                        .insert(header::RETRY_AFTER, retry_after.into());
                    return response;
                }
                let loaders = loaders::new(state.pool.clone(), principal.tenant_id);
                batch = batch.data(principal).data(loaders);
            }
            Err(AuthError::Unauthenticated(reason)) => {
                batch = batch.data(context::AuthFailure(reason));
            }
            Err(AuthError::Internal(e)) => {
                return answer(async_graphql::Response::from_errors(vec![
                    GqlError::from(e).into_server_error(async_graphql::Pos::default()),
                ]));
            }
        }
    }
    let limit = state.config.graphql_timeout;
    match tokio::time::timeout(limit, schema.execute_batch(batch)).await {
        Ok(done) => GraphQLResponse::from(limits::coded(done)).into_response(),
        Err(_) => answer(limits::timed_out(limit)),
    }
}

/// `GET /graphql/ws`: subscriptions over graphql-transport-ws (and the older
/// graphql-ws). The credential goes in the `connection_init` payload as
/// `{"Authorization": "Bearer <token or API key>"}`; without a valid one the connection is
/// refused. Each operation gets the limits of `POST /graphql` ([`ws::Limited`]) and the
/// session closes when its credential lapses ([`ws::watch`]).
pub async fn subscriptions(
    State(state): State<AppState>,
    axum::Extension(schema): axum::Extension<VigilSchema>,
    ClientIp(client): ClientIp,
    protocol: GraphQLProtocol,
    upgrade: axum::extract::WebSocketUpgrade,
) -> axum::response::Response {
    upgrade
        .protocols(ALL_WEBSOCKET_PROTOCOLS)
        .on_upgrade(move |socket| async move {
            let (session_tx, session_rx) = tokio::sync::oneshot::channel();
            let (mut sink, stream) = socket.split();
            let executor = ws::Limited::new(schema, state.clone());
            let init_state = state.clone();
            let served = GraphQLWebSocket::new_with_pair(&mut sink, stream, executor, protocol)
                .on_connection_init(move |payload| async move {
                    let state = init_state;
                    let header = ["Authorization", "authorization"]
                        .iter()
                        .find_map(|k| payload.get(*k).and_then(|v| v.as_str()))
                        .unwrap_or_default()
                        .to_owned();
                    let mut headers = HeaderMap::new();
                    if let Ok(v) = header.parse() {
                        headers.insert(header::AUTHORIZATION, v);
                    }
                    let credential = auth::bearer(&headers).ok_or_else(|| {
                        async_graphql::Error::new(
                            "send {\"Authorization\": \"Bearer <token or API key>\"} in connection_init",
                        )
                    })?;
                    match auth::authenticate(&state, credential, Some(client)).await {
                        Ok(principal) => {
                            let _ = session_tx.send(ws::Session {
                                credential: credential.to_owned(),
                                principal: principal.clone(),
                            });
                            let mut data = Data::default();
                            data.insert(principal);
                            data.insert(state.clone());
                            Ok(data)
                        }
                        Err(AuthError::Unauthenticated(reason)) => {
                            Err(async_graphql::Error::new(reason))
                        }
                        Err(AuthError::Internal(e)) => {
                            Err(GqlError::from(e).into())
                        }
                    }
                })
                .serve();
            let lapsed = tokio::select! {
                () = served => None,
                frame = ws::watch(&state, session_rx) => Some(frame),
            };
            if let Some(frame) = lapsed {
                let _ = sink.send(Message::Close(Some(frame))).await;
                let _ = sink.close().await;
            }
        })
}

fn answer(response: async_graphql::Response) -> axum::response::Response {
    GraphQLResponse::from(response).into_response()
}

/// `GET /graphql` in development: GraphiQL.
pub async fn graphiql() -> impl IntoResponse {
    // GraphiQL's page loads its scripts from a CDN; the app's policy would block them.
    (
        [(
            axum::http::header::CONTENT_SECURITY_POLICY,
            "default-src 'self' https: 'unsafe-inline' 'unsafe-eval' data:",
        )],
        Html(GraphiQLSource::build().endpoint("/graphql").finish()),
    )
}

#[cfg(test)]
mod tests {
    /// Integrators diff `api/schema.graphql` between versions, so it must be the schema
    /// the code serves. Regenerate with `vigil-api schema > api/schema.graphql`.
    #[test]
    fn the_committed_sdl_matches_the_code() {
        let committed = include_str!("../../schema.graphql");
        assert!(
            committed == super::sdl(),
            "api/schema.graphql is stale: run `cargo run -p vigil-api -- schema > api/schema.graphql`"
        );
    }

    /// The schema is the integrators' reference: every type, field, input field and enum
    /// value says what it is.
    #[test]
    fn every_type_and_field_has_a_description() {
        use async_graphql::parser::{
            parse_schema,
            types::{TypeKind, TypeSystemDefinition},
        };
        let document = parse_schema(super::sdl()).expect("the SDL parses");
        let mut missing = Vec::new();
        for definition in &document.definitions {
            let TypeSystemDefinition::Type(t) = definition else {
                continue;
            };
            let t = &t.node;
            let name = t.name.node.as_str();
            if matches!(t.kind, TypeKind::Scalar) {
                continue;
            }
            if t.description.is_none() {
                missing.push(name.to_owned());
            }
            let members: Vec<(&str, bool)> = match &t.kind {
                TypeKind::Object(o) => o
                    .fields
                    .iter()
                    .map(|f| (f.node.name.node.as_str(), f.node.description.is_some()))
                    .collect(),
                TypeKind::Interface(i) => i
                    .fields
                    .iter()
                    .map(|f| (f.node.name.node.as_str(), f.node.description.is_some()))
                    .collect(),
                TypeKind::InputObject(i) => i
                    .fields
                    .iter()
                    .map(|f| (f.node.name.node.as_str(), f.node.description.is_some()))
                    .collect(),
                TypeKind::Enum(e) => e
                    .values
                    .iter()
                    .map(|v| (v.node.value.node.as_str(), v.node.description.is_some()))
                    .collect(),
                _ => Vec::new(),
            };
            missing.extend(
                members
                    .into_iter()
                    .filter(|(_, described)| !described)
                    .map(|(member, _)| format!("{name}.{member}")),
            );
        }
        assert!(missing.is_empty(), "without a description: {missing:?}");
    }
}
