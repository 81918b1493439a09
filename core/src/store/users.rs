//! Users: the people who log in to a tenant.

use crate::db::TenantTx;
use chrono::{DateTime, Utc};
use sqlx::FromRow;

use crate::roles::Role;

use crate::ids::{TenantId, UserId};

/// A user as stored (without the password hash).
#[derive(Debug, Clone, FromRow)]
pub struct User {
    pub tenant_id: TenantId,
    pub user_id: UserId,
    pub email: String,
    pub role: Role,
    pub created_at: DateTime<Utc>,
}

/// A new user of a tenant.
#[derive(Debug, Clone)]
pub struct NewUser<'a> {
    pub email: &'a str,
    pub password_hash: Option<&'a str>,
    pub role: Role,
}

/// What a login needs to know about an email, found before the tenant is known.
#[derive(Debug, Clone, FromRow)]
pub struct LoginRecord {
    pub tenant_id: TenantId,
    pub user_id: UserId,
    pub password_hash: Option<String>,
    pub role: Role,
}

const COLUMNS: &str = "tenant_id, user_id, email, role, created_at";

/// Creates a user; a duplicate email fails on `users_email_key`.
pub async fn insert(tx: &mut TenantTx, user: NewUser<'_>) -> Result<User, sqlx::Error> {
    let tenant = tx.tenant();
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "insert into users (tenant_id, user_id, email, password_hash, role) values ($1, $2, $3, $4, $5)
         returning {COLUMNS}"
    )))
    .bind(tenant)
    .bind(UserId::new())
    .bind(user.email)
    .bind(user.password_hash)
    .bind(user.role)
    .fetch_one(&mut **tx)
    .await
}

/// Reads one user of the tenant.
pub async fn get(tx: &mut TenantTx, user: UserId) -> Result<Option<User>, sqlx::Error> {
    let tenant = tx.tenant();
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "select {COLUMNS} from users where tenant_id = $1 and user_id = $2"
    )))
    .bind(tenant)
    .bind(user)
    .fetch_optional(&mut **tx)
    .await
}

/// Lists the tenant's users, oldest first.
pub async fn list(tx: &mut TenantTx) -> Result<Vec<User>, sqlx::Error> {
    let tenant = tx.tenant();
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "select {COLUMNS} from users where tenant_id = $1 order by created_at, user_id"
    )))
    .bind(tenant)
    .fetch_all(&mut **tx)
    .await
}

/// Changes a user's role.
pub async fn set_role(
    tx: &mut TenantTx,
    user: UserId,
    role: Role,
) -> Result<Option<User>, sqlx::Error> {
    let tenant = tx.tenant();
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "update users set role = $3 where tenant_id = $1 and user_id = $2 returning {COLUMNS}"
    )))
    .bind(tenant)
    .bind(user)
    .bind(role)
    .fetch_optional(&mut **tx)
    .await
}

/// Removes a user (their refresh tokens go with them).
pub async fn delete(tx: &mut TenantTx, user: UserId) -> Result<bool, sqlx::Error> {
    let tenant = tx.tenant();
    let done = sqlx::query("delete from users where tenant_id = $1 and user_id = $2")
        .bind(tenant)
        .bind(user)
        .execute(&mut **tx)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// How many owners the tenant has (the last one cannot be demoted or removed).
pub async fn count_owners(tx: &mut TenantTx) -> Result<i64, sqlx::Error> {
    let tenant = tx.tenant();
    sqlx::query_scalar("select count(*) from users where tenant_id = $1 and role = 'owner'")
        .bind(tenant)
        .fetch_one(&mut **tx)
        .await
}
