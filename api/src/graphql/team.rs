//! The caller, their tenant and team: `me`, `users`, invitations (sent, listed, revoked),
//! role changes, removal.

use async_graphql::{Context, ID, Object, SimpleObject};
use chrono::{DateTime, Utc};
use serde_json::json;
use vigil_core::{
    db::TenantTx,
    ids::{InviteId, UserId},
    roles::{Permission, Role},
    store::{audit, credentials, tenants, users},
};

use super::{
    context::{parse_id, principal, require, state, tenant_tx},
    error::{GqlError, GqlResult},
    types::{AccessGql, RoleGql, TenantGql},
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
        self.user.role.into()
    }
    /// When they joined: signed up, or accepted an invitation.
    async fn created_at(&self) -> DateTime<Utc> {
        self.user.created_at
    }
    /// The user's organisation, with its plan and trial.
    async fn tenant(&self, ctx: &Context<'_>) -> GqlResult<TenantGql> {
        let p = principal(ctx)?;
        let mut tx = tenant_tx(ctx, p).await?;
        let tenant = tenants::get(&mut tx)
            .await?
            .ok_or(GqlError::NotFound("tenant"))?;
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

/// An invitation not yet accepted.
#[derive(Debug, Clone, SimpleObject)]
#[graphql(name = "Invitation")]
pub struct InvitationGql {
    /// The invitation's ID.
    pub id: ID,
    /// The invitee's email.
    pub email: String,
    /// The role they will have.
    pub role: RoleGql,
    /// The member who sent it (null once they have left, or for invitations from API keys).
    pub invited_by_user_id: Option<ID>,
    /// When it was sent.
    pub created_at: DateTime<Utc>,
    /// When its token stops working.
    pub expires_at: DateTime<Utc>,
}

impl From<credentials::PendingInvite> for InvitationGql {
    fn from(i: credentials::PendingInvite) -> Self {
        Self {
            id: i.invite_id.to_string().into(),
            role: i.role.into(),
            email: i.email,
            invited_by_user_id: i.invited_by.map(|u| u.to_string().into()),
            created_at: i.created_at,
            expires_at: i.expires_at,
        }
    }
}

/// Records the revocation of `invite` in the audit log (`reason`: why it was revoked).
async fn audit_revoked(
    tx: &mut TenantTx,
    p: &crate::auth::Principal,
    invite: &credentials::PendingInvite,
    reason: &str,
) -> GqlResult<()> {
    audit::record(
        tx,
        &p.actor(),
        "invite.revoked",
        Some(&invite.email),
        json!({ "invite": invite.invite_id, "role": invite.role, "reason": reason }),
    )
    .await?;
    Ok(())
}

/// A member and their role; absent (or another tenant's) reads as `NOT_FOUND`.
async fn member(tx: &mut TenantTx, id: UserId) -> GqlResult<(users::User, Role)> {
    let user = users::get(tx, id)
        .await?
        .ok_or(GqlError::NotFound("user"))?;
    let role = user.role;
    Ok((user, role))
}

#[derive(Default)]
pub struct TeamQuery;

#[Object]
impl TeamQuery {
    /// The authenticated user. API keys have no user: use `tenant` instead.
    async fn me(&self, ctx: &Context<'_>) -> GqlResult<UserGql> {
        let p = principal(ctx)?;
        let Some(user_id) = p.user_id else {
            return Err(GqlError::Forbidden(
                "API keys have no user; query `tenant` instead".to_owned(),
            ));
        };
        let mut tx = tenant_tx(ctx, p).await?;
        let user = users::get(&mut tx, user_id)
            .await?
            .ok_or(GqlError::NotFound("user"))?;
        Ok(UserGql { user })
    }

    /// The caller's tenant, its plan and trial.
    async fn tenant(&self, ctx: &Context<'_>) -> GqlResult<TenantGql> {
        let p = principal(ctx)?;
        let mut tx = tenant_tx(ctx, p).await?;
        let tenant = tenants::get(&mut tx)
            .await?
            .ok_or(GqlError::NotFound("tenant"))?;
        Ok(TenantGql::new(&tenant, state(ctx)?.clock.now()))
    }

    /// The caller's role and what it may do: the same table the server enforces, for users
    /// and API keys alike.
    async fn access(&self, ctx: &Context<'_>) -> GqlResult<AccessGql> {
        let role = principal(ctx)?.role;
        Ok(AccessGql {
            role: role.into(),
            permissions: role.permissions().map(Into::into).collect(),
            grantable_roles: role.grantable().map(Into::into).collect(),
        })
    }

    /// The tenant's members, oldest first.
    async fn users(&self, ctx: &Context<'_>) -> GqlResult<Vec<UserGql>> {
        let p = require(ctx, Permission::Read)?;
        let mut tx = tenant_tx(ctx, p).await?;
        let list = users::list(&mut tx).await?;
        Ok(list.into_iter().map(|user| UserGql { user }).collect())
    }

    /// The tenant's invitations that can still be accepted, newest first (owners and
    /// admins, who may invite).
    async fn invitations(&self, ctx: &Context<'_>) -> GqlResult<Vec<InvitationGql>> {
        let p = require(ctx, Permission::ManageUsers)?;
        let now = state(ctx)?.clock.now();
        let mut tx = tenant_tx(ctx, p).await?;
        let list = credentials::list_pending_invites(&mut tx, now).await?;
        Ok(list.into_iter().map(Into::into).collect())
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
            return Err(GqlError::bad_input(
                "invite as ADMIN, then promote to OWNER once they have joined",
            ));
        }
        if !p.role.may_grant(role) {
            return Err(GqlError::Forbidden("you cannot grant that role".to_owned()));
        }
        let email = normalise_email(&email).map_err(GqlError::bad_input)?;
        let state = state(ctx)?;
        let token = tokens::opaque_token();
        let mut tx = tenant_tx(ctx, p).await?;
        let invite = credentials::insert_invite(
            &mut tx,
            credentials::NewInvite {
                email: &email,
                role,
                hash: &tokens::digest(&token),
                invited_by: p.user_id,
                expires_at: state.clock.now() + chrono::Duration::days(INVITE_TTL_DAYS),
            },
        )
        .await?;
        audit::record(
            &mut tx,
            &p.actor(),
            "user.invited",
            Some(&email),
            json!({ "role": role.as_str() }),
        )
        .await?;
        tx.commit().await?;
        Ok(CreatedInvite {
            id: invite.invite_id.to_string().into(),
            url: format!("{}/invite#token={token}", state.config.public_url),
            email,
            role: role.into(),
            expires_at: invite.expires_at,
            token,
        })
    }

    /// Revokes an invitation not yet accepted: its token stops working (owners and admins,
    /// for the roles they may grant).
    async fn revoke_invitation(&self, ctx: &Context<'_>, id: ID) -> GqlResult<InvitationGql> {
        let p = require(ctx, Permission::ManageUsers)?;
        let invite_id: InviteId = parse_id(&id, "invitation")?;
        let mut tx = tenant_tx(ctx, p).await?;
        let invite = credentials::revoke_invite(&mut tx, invite_id)
            .await?
            .ok_or(GqlError::NotFound("invitation"))?;
        let role = invite.role;
        if !p.role.may_grant(role) {
            return Err(GqlError::Forbidden("you cannot grant that role".to_owned()));
        }
        audit_revoked(&mut tx, p, &invite, "revoked").await?;
        tx.commit().await?;
        Ok(invite.into())
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
        tenants::lock_team(&mut tx).await?;
        let (_, current_role) = member(&mut tx, target).await?;
        if !p.role.may_grant(role) || !p.role.may_grant(current_role) {
            return Err(GqlError::Forbidden(
                "only owners can change an owner's role or make owners".to_owned(),
            ));
        }
        if current_role == Role::Owner
            && role != Role::Owner
            && users::count_owners(&mut tx).await? <= 1
        {
            return Err(GqlError::bad_input(
                "the tenant's last owner cannot be demoted; make someone else owner first",
            ));
        }
        let user = users::set_role(&mut tx, target, role)
            .await?
            .ok_or(GqlError::NotFound("user"))?;
        audit::record(
            &mut tx,
            &p.actor(),
            "user.role_changed",
            Some(&user.email),
            json!({ "from": current_role.as_str(), "to": role.as_str() }),
        )
        .await?;
        tx.commit().await?;
        Ok(UserGql { user })
    }

    /// Removes a member from the tenant; their sessions end at once and the invitations
    /// they sent are revoked (the last owner stays).
    async fn remove_user(&self, ctx: &Context<'_>, user_id: ID) -> GqlResult<ID> {
        let p = require(ctx, Permission::ManageUsers)?;
        let target: UserId = parse_id(&user_id, "user")?;
        if p.user_id == Some(target) {
            return Err(GqlError::bad_input("you cannot remove yourself"));
        }
        let mut tx = tenant_tx(ctx, p).await?;
        tenants::lock_team(&mut tx).await?;
        let (current, current_role) = member(&mut tx, target).await?;
        if !p.role.may_grant(current_role) {
            return Err(GqlError::Forbidden(
                "only owners can remove an owner".to_owned(),
            ));
        }
        if current_role == Role::Owner && users::count_owners(&mut tx).await? <= 1 {
            return Err(GqlError::bad_input(
                "the tenant's last owner cannot be removed; make someone else owner first",
            ));
        }
        users::delete(&mut tx, target).await?;
        let sent = credentials::revoke_invites_sent_by(&mut tx, target).await?;
        for invite in &sent {
            audit_revoked(&mut tx, p, invite, "inviter removed").await?;
        }
        audit::record(
            &mut tx,
            &p.actor(),
            "user.removed",
            Some(&current.email),
            json!({}),
        )
        .await?;
        tx.commit().await?;
        Ok(user_id)
    }
}
