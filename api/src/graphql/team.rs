//! The caller, their tenant and team: `me`, `users`, invitations, role changes, removal.

use async_graphql::{Context, ID, Object, SimpleObject};
use chrono::{DateTime, Utc};
use serde_json::json;
use vigil_core::{
    ids::UserId,
    roles::{Permission, Role},
    store::{audit, credentials, tenants, users},
};

use super::{
    context::{
        GqlResult, OrInternal, bad_input, gql_error, not_found, parse_id, principal, require,
        state, tenant_tx,
    },
    types::{RoleGql, TenantGql, stored_role},
};
use crate::auth::{normalise_email, tokens};

/// How long an invitation stays valid.
const INVITE_TTL_DAYS: i64 = 7;

/// A person who logs in to a tenant.
#[derive(Debug, Clone)]
pub struct UserGql {
    user: users::User,
}

/// A person who logs in to a tenant.
#[Object(name = "User")]
impl UserGql {
    /// The user's ID.
    async fn id(&self) -> ID {
        self.user.user_id.to_string().into()
    }
    /// Login email, lowercase.
    async fn email(&self) -> &str {
        &self.user.email
    }
    /// Role in the tenant.
    async fn role(&self) -> RoleGql {
        stored_role(&self.user.role)
    }
    /// When they joined: signed up, or accepted an invitation.
    async fn created_at(&self) -> DateTime<Utc> {
        self.user.created_at
    }
    /// The user's organisation, with its plan and trial.
    async fn tenant(&self, ctx: &Context<'_>) -> GqlResult<TenantGql> {
        let p = principal(ctx)?;
        let mut tx = tenant_tx(ctx, p).await?;
        let tenant = tenants::get(&mut tx, self.user.tenant_id)
            .await
            .or_internal()?
            .ok_or_else(|| not_found("tenant"))?;
        Ok(TenantGql::new(&tenant, state(ctx)?.clock.now()))
    }
}

/// An invitation, with the one-time token to hand to the invitee.
#[derive(Debug, Clone, SimpleObject)]
pub struct CreatedInvite {
    /// The invitation's ID.
    pub id: ID,
    /// The invitee's email; they log in with it once they accept.
    pub email: String,
    /// The role they will have.
    pub role: RoleGql,
    /// When the token stops working (7 days after the invitation).
    pub expires_at: DateTime<Utc>,
    /// One-time token (shown only now); `POST /api/v1/auth/invites/accept` takes it.
    pub token: String,
    /// Link for the invitee, embedding the token.
    pub url: String,
}

#[derive(Default)]
pub struct TeamQuery;

#[Object]
impl TeamQuery {
    /// The authenticated user. API keys have no user: use `tenant` instead.
    async fn me(&self, ctx: &Context<'_>) -> GqlResult<UserGql> {
        let p = principal(ctx)?;
        let Some(user_id) = p.user_id else {
            return Err(gql_error(
                "FORBIDDEN",
                "API keys have no user; query `tenant` instead",
            ));
        };
        let mut tx = tenant_tx(ctx, p).await?;
        let user = users::get(&mut tx, p.tenant_id, user_id)
            .await
            .or_internal()?
            .ok_or_else(|| not_found("user"))?;
        Ok(UserGql { user })
    }

    /// The caller's tenant, its plan and trial.
    async fn tenant(&self, ctx: &Context<'_>) -> GqlResult<TenantGql> {
        let p = principal(ctx)?;
        let mut tx = tenant_tx(ctx, p).await?;
        let tenant = tenants::get(&mut tx, p.tenant_id)
            .await
            .or_internal()?
            .ok_or_else(|| not_found("tenant"))?;
        Ok(TenantGql::new(&tenant, state(ctx)?.clock.now()))
    }

    /// The tenant's members, oldest first.
    async fn users(&self, ctx: &Context<'_>) -> GqlResult<Vec<UserGql>> {
        let p = require(ctx, Permission::Read)?;
        let mut tx = tenant_tx(ctx, p).await?;
        let list = users::list(&mut tx, p.tenant_id).await.or_internal()?;
        Ok(list.into_iter().map(|user| UserGql { user }).collect())
    }
}

#[derive(Default)]
pub struct TeamMutation;

#[Object]
impl TeamMutation {
    /// Invites someone to the tenant with a role (owners and admins; only owners invite
    /// owners). Returns a one-time token and link, valid for 7 days.
    async fn invite_user(
        &self,
        ctx: &Context<'_>,
        email: String,
        role: RoleGql,
    ) -> GqlResult<CreatedInvite> {
        let p = require(ctx, Permission::ManageUsers)?;
        let role: Role = role.into();
        if role == Role::Owner {
            return Err(bad_input(
                "invite as ADMIN, then promote to OWNER once they have joined",
            ));
        }
        if !p.role.may_grant(role) {
            return Err(gql_error("FORBIDDEN", "you cannot grant that role"));
        }
        let email = normalise_email(&email).map_err(bad_input)?;
        let state = state(ctx)?;
        let token = tokens::opaque_token();
        let mut tx = tenant_tx(ctx, p).await?;
        let invite = credentials::insert_invite(
            &mut tx,
            p.tenant_id,
            credentials::NewInvite {
                email: &email,
                role: role.as_str(),
                hash: &tokens::digest(&token),
                invited_by: p.user_id,
                expires_at: state.clock.now() + chrono::Duration::days(INVITE_TTL_DAYS),
            },
        )
        .await
        .or_internal()?;
        audit::record(
            &mut tx,
            p.tenant_id,
            &p.actor(),
            "user.invited",
            Some(&email),
            json!({ "role": role.as_str() }),
        )
        .await
        .or_internal()?;
        tx.commit().await.or_internal()?;
        Ok(CreatedInvite {
            id: invite.invite_id.to_string().into(),
            url: format!("{}/invite#token={token}", state.config.public_url),
            email,
            role: role.into(),
            expires_at: invite.expires_at,
            token,
        })
    }

    /// Changes a member's role (owners and admins; only owners touch owners; the last
    /// owner stays an owner).
    async fn change_user_role(
        &self,
        ctx: &Context<'_>,
        user_id: ID,
        role: RoleGql,
    ) -> GqlResult<UserGql> {
        let p = require(ctx, Permission::ManageUsers)?;
        let target: UserId = parse_id(&user_id, "user")?;
        let role: Role = role.into();
        let mut tx = tenant_tx(ctx, p).await?;
        let current = users::get(&mut tx, p.tenant_id, target)
            .await
            .or_internal()?
            .ok_or_else(|| not_found("user"))?;
        let current_role: Role = current.role.parse().map_err(|_| not_found("user"))?;
        if !p.role.may_grant(role) || !p.role.may_grant(current_role) {
            return Err(gql_error(
                "FORBIDDEN",
                "only owners can change an owner's role or make owners",
            ));
        }
        if current_role == Role::Owner
            && role != Role::Owner
            && users::count_owners(&mut tx, p.tenant_id)
                .await
                .or_internal()?
                <= 1
        {
            return Err(bad_input(
                "the tenant's last owner cannot be demoted; make someone else owner first",
            ));
        }
        let user = users::set_role(&mut tx, p.tenant_id, target, role.as_str())
            .await
            .or_internal()?
            .ok_or_else(|| not_found("user"))?;
        audit::record(
            &mut tx,
            p.tenant_id,
            &p.actor(),
            "user.role_changed",
            Some(&user.email),
            json!({ "from": current_role.as_str(), "to": role.as_str() }),
        )
        .await
        .or_internal()?;
        tx.commit().await.or_internal()?;
        Ok(UserGql { user })
    }

    /// Removes a member from the tenant; their sessions end at once.
    async fn remove_user(&self, ctx: &Context<'_>, user_id: ID) -> GqlResult<ID> {
        let p = require(ctx, Permission::ManageUsers)?;
        let target: UserId = parse_id(&user_id, "user")?;
        if p.user_id == Some(target) {
            return Err(bad_input("you cannot remove yourself"));
        }
        let mut tx = tenant_tx(ctx, p).await?;
        let current = users::get(&mut tx, p.tenant_id, target)
            .await
            .or_internal()?
            .ok_or_else(|| not_found("user"))?;
        let current_role: Role = current.role.parse().map_err(|_| not_found("user"))?;
        if !p.role.may_grant(current_role) {
            return Err(gql_error("FORBIDDEN", "only owners can remove an owner"));
        }
        users::delete(&mut tx, p.tenant_id, target)
            .await
            .or_internal()?;
        audit::record(
            &mut tx,
            p.tenant_id,
            &p.actor(),
            "user.removed",
            Some(&current.email),
            json!({}),
        )
        .await
        .or_internal()?;
        tx.commit().await.or_internal()?;
        Ok(user_id)
    }
}
