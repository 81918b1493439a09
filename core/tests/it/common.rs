//! Helpers shared by the integration tests.

use std::{future::Future, time::Duration};

use chrono::Utc;
use sqlx::{PgPool, postgres::PgConnectOptions};
use vigil_core::{
    db,
    ids::{TenantId, UserId},
    store::{tenants, users},
};

/// The application's pool (connections `SET ROLE vigil_app`) on the test database.
pub async fn app_pool(opts: PgConnectOptions) -> PgPool {
    db::connect_app_pool(opts, 8).await.expect("app pool")
}

/// Creates a tenant with one owner through the application's tenant transaction.
pub async fn tenant_with_owner(pool: &PgPool, name: &str) -> (TenantId, UserId) {
    let tenant = TenantId::new();
    let mut tx = db::begin_tenant(pool, tenant).await.unwrap();
    tenants::insert_trial(&mut tx, name, Utc::now() + chrono::Duration::days(15))
        .await
        .unwrap();
    let email = format!("owner@{}.example", name.to_lowercase());
    let user = users::insert(
        &mut tx,
        users::NewUser {
            email: &email,
            password_hash: None,
            role: vigil_core::roles::Role::Owner,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    (tenant, user.user_id)
}

/// Polls `check` until it returns true, failing the test after `within`.
pub async fn wait_until<F, Fut>(within: Duration, what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + within;
    while !check().await {
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting until {what}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
