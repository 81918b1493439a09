//! `POST /api/v1/auth/*`: sign-up, login, refresh, logout, invite acceptance.

use std::net::SocketAddr;

use axum::{
    Json,
    extract::{ConnectInfo, FromRequest, State},
    http::StatusCode,
    response::IntoResponse,
};
use serde::Deserialize;

use crate::{auth::service, error::ApiError, state::AppState};

/// `Json` whose rejections answer in our error shape.
#[derive(FromRequest)]
#[from_request(via(axum::Json), rejection(ApiError))]
pub struct ApiJson<T>(pub T);

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
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    ApiJson(req): ApiJson<SignupRequest>,
) -> Result<impl IntoResponse, ApiError> {
    let tokens = service::signup(
        &state,
        peer.ip(),
        &req.email,
        &req.password,
        &req.organization,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(tokens)))
}

pub async fn login(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    ApiJson(req): ApiJson<LoginRequest>,
) -> Result<impl IntoResponse, ApiError> {
    Ok(Json(
        service::login(&state, peer.ip(), &req.email, &req.password).await?,
    ))
}

pub async fn refresh(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    ApiJson(req): ApiJson<RefreshRequest>,
) -> Result<impl IntoResponse, ApiError> {
    Ok(Json(
        service::refresh(&state, peer.ip(), &req.refresh_token).await?,
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
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    ApiJson(req): ApiJson<AcceptInviteRequest>,
) -> Result<impl IntoResponse, ApiError> {
    let tokens = service::accept_invite(&state, peer.ip(), &req.token, &req.password).await?;
    Ok((StatusCode::CREATED, Json(tokens)))
}
