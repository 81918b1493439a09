//! API keys for integrations: created (shown once), listed, revoked.

use async_graphql::{Context, ID, Object, SimpleObject};
use chrono::{DateTime, Utc};
use serde_json::json;
use vigil_core::{
    ids::ApiKeyId,
    roles::{Permission, Role},
    store::{audit, credentials},
};

use super::{
    context::{parse_id, require, state, tenant_tx},
    error::{GqlError, GqlResult},
    types::RoleGql,
};
use crate::auth::tokens;

/// A key an integration authenticates with (`Authorization: Bearer vgl_...`).
#[derive(Debug, Clone, SimpleObject)]
#[graphql(name = "ApiKey")]
pub struct ApiKeyGql {
    /// The key's ID (not the secret key).
    pub id: ID,
    /// What the key is for.
    pub name: String,
    /// The key's first characters, to tell keys apart (the key itself is never shown again).
    pub prefix: String,
    /// What the key may do.
    pub role: RoleGql,
    /// When the key was created.
    pub created_at: DateTime<Utc>,
    /// Last time the key authenticated a request (to the minute).
    pub last_used_at: Option<DateTime<Utc>>,
    /// When the key was revoked; it no longer works after that.
    pub revoked_at: Option<DateTime<Utc>>,
}

impl From<credentials::ApiKey> for ApiKeyGql {
    fn from(k: credentials::ApiKey) -> Self {
        Self {
            id: k.api_key_id.to_string().into(),
            role: k.role.into(),
            name: k.name,
            prefix: k.prefix,
            created_at: k.created_at,
            last_used_at: k.last_used_at,
            revoked_at: k.revoked_at,
        }
    }
}

/// A new API key: the only time the key is shown.
#[derive(Debug, Clone, SimpleObject)]
pub struct CreatedApiKey {
    /// The secret key. Store it now: Vigil keeps only a hash.
    pub key: String,
    /// The key as `apiKeys` lists it.
    pub api_key: ApiKeyGql,
}

#[derive(Default)]
pub struct ApiKeysQuery;

#[Object]
impl ApiKeysQuery {
    /// The tenant's API keys, newest first (owners and admins).
    async fn api_keys(&self, ctx: &Context<'_>) -> GqlResult<Vec<ApiKeyGql>> {
        let p = require(ctx, Permission::ManageApiKeys)?;
        let mut tx = tenant_tx(ctx, p).await?;
        let keys = credentials::list_api_keys(&mut tx).await?;
        Ok(keys.into_iter().map(Into::into).collect())
    }
}

#[derive(Default)]
pub struct ApiKeysMutation;

#[Object]
impl ApiKeysMutation {
    /// Creates an API key (owners and admins). `role` defaults to VIEWER, enough for
    /// integrations that pull data; a key cannot be OWNER.
    async fn create_api_key(
        &self,
        ctx: &Context<'_>,
        name: String,
        role: Option<RoleGql>,
    ) -> GqlResult<CreatedApiKey> {
        let p = require(ctx, Permission::ManageApiKeys)?;
        let name = name.trim().to_owned();
        if name.is_empty() || name.chars().count() > 100 {
            return Err(GqlError::bad_input("name must be 1 to 100 characters"));
        }
        let role: Role = role.unwrap_or(RoleGql::Viewer).into();
        if role == Role::Owner {
            return Err(GqlError::bad_input("API keys cannot have the OWNER role"));
        }
        if !p.role.may_grant(role) {
            return Err(GqlError::Forbidden("you cannot grant that role".to_owned()));
        }
        let key = tokens::api_key();
        let mut tx = tenant_tx(ctx, p).await?;
        let stored = credentials::insert_api_key(
            &mut tx,
            credentials::NewApiKey {
                name: &name,
                prefix: &tokens::api_key_display_prefix(&key),
                hash: &tokens::digest(&key),
                role,
                created_by: p.user_id,
            },
        )
        .await?;
        audit::record(
            &mut tx,
            &p.actor(),
            "api_key.created",
            Some(&name),
            json!({ "api_key_id": stored.api_key_id, "role": role.as_str(), "prefix": stored.prefix }),
        )
        .await?;
        tx.commit().await?;
        Ok(CreatedApiKey {
            key,
            api_key: stored.into(),
        })
    }

    /// Revokes an API key at once (owners and admins).
    async fn revoke_api_key(&self, ctx: &Context<'_>, id: ID) -> GqlResult<ApiKeyGql> {
        let p = require(ctx, Permission::ManageApiKeys)?;
        let key_id: ApiKeyId = parse_id(&id, "API key")?;
        let mut tx = tenant_tx(ctx, p).await?;
        let revoked = credentials::revoke_api_key(&mut tx, key_id, state(ctx)?.clock.now())
            .await?
            .ok_or(GqlError::NotFound("API key"))?;
        audit::record(
            &mut tx,
            &p.actor(),
            "api_key.revoked",
            Some(&revoked.name),
            json!({ "api_key_id": revoked.api_key_id }),
        )
        .await?;
        tx.commit().await?;
        Ok(revoked.into())
    }
}
