//! HTTP routing and the tower layers around it.

mod auth;
mod compliance;
mod export;
mod health;
mod template;

use std::time::{Duration, Instant};

use axum::{
    Router,
    extract::{DefaultBodyLimit, MatchedPath, Request, State},
    http::{HeaderName, HeaderValue, Method, StatusCode, header},
    middleware::{self, Next},
    response::Response,
    routing::{any, get, post},
};
use std::path::Path;
use tower::ServiceBuilder;
use tower::ServiceExt;
use tower_http::{
    compression::CompressionLayer,
    limit::RequestBodyLimitLayer,
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer},
    sensitive_headers::SetSensitiveRequestHeadersLayer,
    services::{ServeDir, ServeFile},
    timeout::TimeoutLayer,
    trace::TraceLayer,
};

use crate::{error::error_body, state::AppState};

/// Largest request body accepted (JSON and GraphQL requests are small).
pub const BODY_LIMIT: usize = 1024 * 1024;
/// Largest body the auth endpoints accept (a few short strings).
pub const AUTH_BODY_LIMIT: usize = 16 * 1024;
/// Requests running longer than this are answered 408.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

static REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The whole HTTP surface.
pub fn router(state: AppState) -> Router {
    let schema = crate::graphql::schema(Some(state.clone()));
    let graphql = if state.config.is_dev() {
        get(crate::graphql::graphiql).post(crate::graphql::execute)
    } else {
        post(crate::graphql::execute)
    };
    let auth = Router::new()
        .route("/signup", post(auth::signup))
        .route("/login", post(auth::login))
        .route("/refresh", post(auth::refresh))
        .route("/logout", post(auth::logout))
        .route("/invites/accept", post(auth::accept_invite))
        .layer(DefaultBodyLimit::max(AUTH_BODY_LIMIT));
    Router::new()
        .nest("/api/v1/auth", auth)
        // The GraphQL extractor reads the body itself, past `DefaultBodyLimit`.
        .route("/graphql", graphql.layer(RequestBodyLimitLayer::new(BODY_LIMIT)))
        .route("/graphql/ws", get(crate::graphql::subscriptions))
        .layer(axum::Extension(schema))
        .route(
            &format!("/api/v1/aws/{}", vigil_core::aws::template::TEMPLATE_FILE),
            get(template::generic),
        )
        .route("/api/v1/export/findings", get(export::findings))
        .route("/api/v1/export/alerts", get(export::alerts))
        .route("/api/v1/export/compliance", get(compliance::export))
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(health::metrics))
        .fallback_service(web_app(state.config.web_dir.as_deref()))
        .layer(middleware::from_fn(record_metrics))
        .layer(middleware::from_fn_with_state(
            content_security_policy(&state.config.public_url),
            security_headers,
        ))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(
            ServiceBuilder::new()
                .layer(SetSensitiveRequestHeadersLayer::new([
                    header::AUTHORIZATION,
                    header::COOKIE,
                ]))
                .layer(SetRequestIdLayer::new(REQUEST_ID.clone(), MakeRequestUuid))
                .layer(
                    TraceLayer::new_for_http().make_span_with(|req: &Request| {
                        let id = req
                            .headers()
                            .get(&REQUEST_ID)
                            .and_then(|v| v.to_str().ok())
                            .unwrap_or("-");
                        tracing::info_span!("http", method = %req.method(), path = %req.uri().path(), request_id = %id)
                    }),
                )
                .layer(PropagateRequestIdLayer::new(REQUEST_ID.clone()))
                .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, REQUEST_TIMEOUT))
                .layer(CompressionLayer::new()),
        )
        .with_state(state)
}

async fn not_found() -> Response {
    error_body(StatusCode::NOT_FOUND, "not_found", "no such endpoint")
}

/// What answers paths no route matched: the built web app when `VIGIL_WEB_DIR` holds one
/// (its files, and `index.html` for client-side routes), a JSON 404 otherwise. API paths
/// never fall through to the app, so a mistyped endpoint is a 404, not a page.
fn web_app(dir: Option<&str>) -> axum::routing::MethodRouter {
    let index = dir
        .map(|d| Path::new(d).join("index.html"))
        .filter(|i| i.is_file());
    let Some(index) = index else {
        if let Some(d) = dir {
            tracing::warn!(
                web_dir = d,
                "VIGIL_WEB_DIR has no index.html; the web app is not served"
            );
        }
        return any(not_found);
    };
    let files =
        ServeDir::new(index.parent().unwrap_or(Path::new("."))).fallback(ServeFile::new(&index));
    any(move |req: Request| {
        let files = files.clone();
        async move {
            let path = req.uri().path();
            let api = ["/api/", "/graphql", "/healthz", "/readyz", "/metrics"]
                .iter()
                .any(|p| path.starts_with(p));
            if api || !matches!(*req.method(), Method::GET | Method::HEAD) {
                return not_found().await;
            }
            match files.oneshot(req).await {
                Ok(resp) => resp.map(axum::body::Body::new),
                Err(never) => match never {},
            }
        }
    })
}

/// Headers that keep browsers from sniffing, framing or leaking referrers; the app
/// loads only its own scripts.
async fn security_headers(State(csp): State<HeaderValue>, req: Request, next: Next) -> Response {
    let mut response = next.run(req).await;
    let h = response.headers_mut();
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    if response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"text/html"))
        && !response
            .headers()
            .contains_key(header::CONTENT_SECURITY_POLICY)
    {
        response
            .headers_mut()
            .insert(header::CONTENT_SECURITY_POLICY, csp);
    }
    response
}

/// Content Security Policy for HTML answers (GraphiQL in development sets its own, as it
/// loads its assets from a CDN). The app connects only to its own origin: `'self'`, which
/// current browsers also apply to WebSockets on that origin, and the public URL's
/// WebSocket origin spelled out for those that do not.
fn content_security_policy(public_url: &str) -> HeaderValue {
    let websocket = url::Url::parse(public_url)
        .ok()
        .map(|u| u.origin().ascii_serialization())
        .and_then(|origin| {
            origin
                .strip_prefix("https://")
                .map(|host| format!(" wss://{host}"))
                .or_else(|| {
                    origin
                        .strip_prefix("http://")
                        .map(|host| format!(" ws://{host}"))
                })
        })
        .unwrap_or_default();
    let policy = format!(
        "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; \
         connect-src 'self'{websocket}; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
    );
    HeaderValue::from_str(&policy).expect("a policy built from a parsed URL is a valid header")
}

/// Counts requests and records their latency, labelled by route (not raw path, which
/// would explode the label set).
async fn record_metrics(req: Request, next: Next) -> Response {
    let started = Instant::now();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let method = req.method().to_string();
    let response = next.run(req).await;
    let status = response.status().as_u16().to_string();
    metrics::counter!("vigil_http_requests_total", "method" => method.clone(), "route" => route.clone(), "status" => status)
        .increment(1);
    metrics::histogram!("vigil_http_request_duration_seconds", "method" => method, "route" => route)
        .record(started.elapsed().as_secs_f64());
    response
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_policy_connects_only_to_the_apps_own_origin() {
        let csp = super::content_security_policy("https://vigil.example.com/");
        let csp = csp.to_str().unwrap();
        assert!(
            csp.contains("connect-src 'self' wss://vigil.example.com;"),
            "{csp}"
        );
        let csp = super::content_security_policy("http://127.0.0.1:8080");
        assert!(
            csp.to_str()
                .unwrap()
                .contains("connect-src 'self' ws://127.0.0.1:8080;"),
            "{csp:?}"
        );
    }
}
