//! Push delivery of a connection: the SQS queue in the customer's account that Vigil reads
//! CloudTrail events from within seconds (see the template's `PushDelivery`).

use async_graphql::{Context, ID, Object};
use serde_json::json;
use vigil_core::{
    ids::AwsAccountId,
    roles::Permission,
    store::{audit, aws_accounts, push},
};

use super::{
    context::{parse_id, require, tenant_tx},
    error::{GqlError, GqlResult},
    types::AwsAccountGql,
};

#[derive(Default)]
pub struct PushMutation;

#[Object]
impl PushMutation {
    /// Turns push delivery on with the queue the template created (its `PushQueueUrl`
    /// output, `https://sqs.<region>.amazonaws.com/<account>/<name>`, in the connected
    /// account), or off with null (owners and admins). Needs a verified connection: the
    /// queue must belong to its AWS account.
    async fn set_aws_account_push_queue(
        &self,
        ctx: &Context<'_>,
        id: ID,
        queue_url: Option<String>,
    ) -> GqlResult<AwsAccountGql> {
        let p = require(ctx, Permission::ManageAccounts)?;
        let id: AwsAccountId = parse_id(&id, "AWS account")?;
        let url = queue_url
            .as_deref()
            .map(str::trim)
            .filter(|u| !u.is_empty());
        let parsed = match url {
            Some(u) => Some(push::parse_queue_url(u).ok_or_else(|| {
                GqlError::bad_input(
                    "queueUrl must be an SQS queue URL: https://sqs.<region>.amazonaws.com/<account>/<name>",
                )
            })?),
            None => None,
        };
        let mut tx = tenant_tx(ctx, p).await?;
        let account = aws_accounts::get(&mut tx, id)
            .await?
            .ok_or(GqlError::NotFound("AWS account"))?;
        if let Some(q) = &parsed {
            match account.account_id.as_deref() {
                None => {
                    return Err(GqlError::bad_input(
                        "verify the connection before turning push delivery on",
                    ));
                }
                Some(own) if own != q.account_id => {
                    return Err(GqlError::bad_input(format!(
                        "the queue belongs to AWS account {}, not to this connection's {own}",
                        q.account_id
                    )));
                }
                Some(_) => {}
            }
        }
        push::set_queue_url(&mut tx, id, url).await?;
        audit::record(
            &mut tx,
            &p.actor(),
            "aws_account.push_queue_set",
            Some(&account.name),
            json!({ "aws_account_id": id, "queue_url": url }),
        )
        .await?;
        tx.commit().await?;
        Ok(AwsAccountGql(account))
    }
}
