//! Users: the people who log in to a tenant.

use chrono::{DateTime, Utc};
use sqlx::{FromRow, PgConnection};

use crate::ids::{TenantId, UserId};

/// A user as stored (without the password hash).
#[derive(Debug, Clone, FromRow)]
pub struct User {
    pub tenant_id: TenantId,
    pub user_id: UserId,
    pub email: String,
    pub role: String,
    pub created_at: DateTime<Utc>,
}

/// A new user of `tenant`.
#[derive(Debug, Clone)]
pub struct NewUser<'a> {
    pub email: &'a str,
    pub password_hash: Option<&'a str>,
    pub role: &'a str,
}

/// Creates a user; a duplicate email fails on `users_email_key`.
pub async fn insert(
    conn: &mut PgConnection,
    tenant: TenantId,
    user: NewUser<'_>,
) -> Result<User, sqlx::Error> {
    sqlx::query_as(
        "insert into users (tenant_id, user_id, email, password_hash, role) values ($1, $2, $3, $4, $5)
         returning tenant_id, user_id, email, role, created_at",
    )
    .bind(tenant)
    .bind(UserId::new())
    .bind(user.email)
    .bind(user.password_hash)
    .bind(user.role)
    .fetch_one(conn)
    .await
}

/// Lists the tenant's users, oldest first.
pub async fn list(conn: &mut PgConnection, tenant: TenantId) -> Result<Vec<User>, sqlx::Error> {
    sqlx::query_as(
        "select tenant_id, user_id, email, role, created_at from users
         where tenant_id = $1 order by created_at, user_id",
    )
    .bind(tenant)
    .fetch_all(conn)
    .await
}
