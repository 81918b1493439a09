//! What keeps a `/graphql/ws` session within the rules of `POST /graphql`: every
//! operation passes the same document limits, tenant rate and (for queries and
//! mutations) time limit; the socket must authenticate within a deadline; and the
//! credential is authenticated again periodically, closing the socket once it no longer
//! holds or its role changed.

use std::{any::TypeId, sync::Arc};

use async_graphql::{Data, Executor, Request, Response};
use axum::extract::ws::CloseFrame;
use futures::{StreamExt, stream::BoxStream};
use tokio::sync::oneshot;

use super::{VigilSchema, limits, loaders};
use crate::{
    auth::{self, AuthError, Principal},
    state::AppState,
};

/// graphql-transport-ws' code for a client that did not initialise in time.
pub const INIT_TIMEOUT_CODE: u16 = 4408;
/// graphql-transport-ws' code for a refused (here: lapsed) credential.
pub const FORBIDDEN_CODE: u16 = 4403;

/// The schema behind one WebSocket session, enforcing the HTTP path's limits per
/// operation before async-graphql parses or validates it.
#[derive(Clone)]
pub struct Limited {
    schema: VigilSchema,
    state: AppState,
}

impl Limited {
    pub fn new(schema: VigilSchema, state: AppState) -> Self {
        Self { schema, state }
    }
}

impl Executor for Limited {
    async fn execute(&self, request: Request) -> Response {
        // The WebSocket transport only streams; a single answer is the first item.
        self.execute_stream(request, None)
            .next()
            .await
            .unwrap_or_default()
    }

    fn execute_stream(
        &self,
        request: Request,
        session_data: Option<Arc<Data>>,
    ) -> BoxStream<'static, Response> {
        let once = |r: Response| futures::stream::once(async move { r }).boxed();
        let shape = match limits::admit(&request.query, self.state.config.graphql_introspection) {
            Ok(shape) => shape,
            Err(refusal) => return once(refusal.response()),
        };
        let principal = session_data
            .as_ref()
            .and_then(|d| d.get(&TypeId::of::<Principal>()))
            .and_then(|p| p.downcast_ref::<Principal>());
        let mut request = request;
        if let Some(principal) = principal {
            if let Err(retry_after) = self
                .state
                .graphql_limits
                .check(principal.tenant_id, limits::rate_units(&shape))
            {
                return once(limits::rate_limited(retry_after));
            }
            request = request.data(loaders::new(self.state.pool.clone(), principal.tenant_id));
        }
        let responses = self
            .schema
            .execute_stream_with_session_data(request, session_data.unwrap_or_default())
            .map(limits::code);
        if shape.subscription {
            return responses.boxed();
        }
        // A query or mutation answers once, within the same time as over HTTP.
        let mut responses = responses;
        let limit = self.state.config.graphql_timeout;
        futures::stream::once(async move {
            match tokio::time::timeout(limit, responses.next()).await {
                Ok(answer) => answer.unwrap_or_default(),
                Err(_) => limits::timed_out(limit),
            }
        })
        .boxed()
    }
}

/// The credential a session authenticated with, and who it was then.
pub struct Session {
    pub credential: String,
    pub principal: Principal,
}

/// Runs beside a session until it must be closed, then says why: no `connection_init`
/// within `VIGIL_WS_INIT_TIMEOUT`, or, checked every `VIGIL_WS_RECHECK_INTERVAL`, a
/// credential that no longer authenticates (user removed, key revoked, token expired) or
/// a changed role or tenant. Never returns while the session is in good standing, nor
/// when `connection_init` was refused (the protocol closes that socket itself).
pub async fn watch(state: &AppState, session: oneshot::Receiver<Session>) -> CloseFrame {
    let session = match tokio::time::timeout(state.config.ws_init_timeout, session).await {
        Err(_) => return close(INIT_TIMEOUT_CODE, "Connection initialisation timeout"),
        Ok(Err(_refused)) => std::future::pending().await,
        Ok(Ok(session)) => session,
    };
    let was = &session.principal;
    let mut ticks = tokio::time::interval(state.config.ws_recheck_interval);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    ticks.tick().await;
    loop {
        ticks.tick().await;
        match auth::authenticate(state, &session.credential, was.source_ip).await {
            Ok(now) if now.tenant_id == was.tenant_id && now.role == was.role => {}
            Ok(_) => return close(FORBIDDEN_CODE, "your role changed; connect again"),
            Err(AuthError::Unauthenticated(reason)) => return close(FORBIDDEN_CODE, &reason),
            // A database hiccup is not the caller's fault: keep the session until the
            // next check settles it.
            Err(AuthError::Internal(e)) => tracing::warn!(
                error = format!("{e:#}"),
                "could not re-check a WebSocket session's credential"
            ),
        }
    }
}

/// A close frame; the reason is cut to what a close frame holds (123 bytes).
fn close(code: u16, reason: &str) -> CloseFrame {
    let mut end = reason.len().min(123);
    while !reason.is_char_boundary(end) {
        end -= 1;
    }
    CloseFrame {
        code,
        reason: reason[..end].into(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn close_reasons_fit_a_close_frame() {
        let long = "é".repeat(100);
        let frame = super::close(4403, &long);
        assert!(frame.reason.len() <= 123);
        assert!(long.starts_with(frame.reason.as_str()));
    }
}
