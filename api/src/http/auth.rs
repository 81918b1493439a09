//! `POST /api/v1/auth/*`: sign-up, login, refresh, logout, invite acceptance.

use axum::{
    Json,
    extract::{FromRequest, Request, State},
    http::StatusCode,
    response::IntoResponse,
};
use serde::{Deserialize, de::DeserializeOwned};

use crate::{auth::service, client_ip::ClientIp, error::ApiError, input, state::AppState};

/// `Json` whose rejections answer in our error shape; a string holding a NUL character,
/// which PostgreSQL cannot store, is refused (400, naming the field) before any handler.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let Json(value) = Json::<serde_json::Value>::from_request(req, state).await?;
        if let Some(field) = input::json_nul_path(&value) {
            return Err(ApiError::bad_request(
                "invalid_text",
                input::nul_message(&field),
            ));
        }
        T::deserialize(value).map(ApiJson).map_err(|e| {
            // serde's message names the field, never the request's values.
            ApiError::client(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_request",
                format!("Failed to deserialize the JSON body into the target type: {e}"),
            )
        })
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignupRequest {
    email: String,
    password: String,
    organization: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    email: String,
    password: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    refresh_token: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AcceptInviteRequest {
    token: String,
    password: String,
}

pub async fn signup(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    ApiJson(req): ApiJson<SignupRequest>,
) -> Result<impl IntoResponse, ApiError> {
    let tokens = service::signup(&state, ip, &req.email, &req.password, &req.organization).await?;
    Ok((StatusCode::CREATED, Json(tokens)))
}

pub async fn login(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    ApiJson(req): ApiJson<LoginRequest>,
) -> Result<impl IntoResponse, ApiError> {
    Ok(Json(
        service::login(&state, ip, &req.email, &req.password).await?,
    ))
}

pub async fn refresh(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    ApiJson(req): ApiJson<RefreshRequest>,
) -> Result<impl IntoResponse, ApiError> {
    Ok(Json(
        service::refresh(&state, ip, &req.refresh_token).await?,
    ))
}

pub async fn logout(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<RefreshRequest>,
) -> Result<impl IntoResponse, ApiError> {
    service::logout(&state, &req.refresh_token).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn accept_invite(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    ApiJson(req): ApiJson<AcceptInviteRequest>,
) -> Result<impl IntoResponse, ApiError> {
    let tokens = service::accept_invite(&state, ip, &req.token, &req.password).await?;
    Ok((StatusCode::CREATED, Json(tokens)))
}
