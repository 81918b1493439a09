//! Pins the state of sequence rules: step hits are kept once per step and event, a
//! sequence alert's links read back in time order, and neither hits nor links cross
//! tenants (row-level security, and foreign keys that carry the tenant).

use chrono::{DateTime, Duration, SubsecRound, Utc};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use vigil_core::{
    db::{self, TenantTx},
    ids::{AwsAccountId, TenantId},
    store::{
        alerts::{self, Hit, StepLink},
        aws_accounts,
        correlations::{self, SequenceHit, SequenceKey},
    },
};
use vigil_domain::Severity;

use crate::common::{app_pool, tenant_with_owner};

fn hit(rule: &str, event: &str, at: DateTime<Utc>, severity: Severity) -> Hit {
    Hit {
        rule_id: rule.to_owned(),
        title: format!("{rule} title"),
        severity,
        event_id: event.to_owned(),
        occurred_at: at,
        region: "us-east-1".into(),
        event_name: "CreateAccessKey".into(),
        event_source: "iam.amazonaws.com".into(),
        principal_arn: Some("arn:aws:iam::111122223333:user/intruder".into()),
        source_ip: Some("203.0.113.9".into()),
        source_resource: None,
        group: None,
        window: Vec::new(),
        window_events: 1,
    }
}

/// A connection of `tenant` and three step alerts, then a sequence alert linked to them
/// (in reverse order, to show the links read back by time); answers the connection, the
/// sequence alert and the step alerts.
async fn sequence_of(
    tx: &mut TenantTx,
    t0: DateTime<Utc>,
) -> (AwsAccountId, uuid::Uuid, Vec<uuid::Uuid>) {
    let account = aws_accounts::insert(tx, "prod", &uuid::Uuid::new_v4().to_string(), None)
        .await
        .unwrap()
        .aws_account_id;
    let mut steps = Vec::new();
    for (i, rule) in ["first-seen", "burst", "key"].iter().enumerate() {
        let at = t0 + Duration::minutes(i64::try_from(i).unwrap() * 10);
        let (id, new) = alerts::record_returning(
            tx,
            account,
            &hit(rule, &format!("e{i}"), at, Severity::High),
        )
        .await
        .unwrap();
        assert!(new);
        steps.push(id);
    }
    let seq = Hit {
        group: Some("arn:aws:iam::111122223333:user/intruder".into()),
        window: vec!["e0".into(), "e1".into(), "e2".into()],
        window_events: 3,
        ..hit("seq", "e2", t0 + Duration::minutes(20), Severity::Critical)
    };
    let (seq_id, _) = alerts::record_returning(tx, account, &seq).await.unwrap();
    let links: Vec<StepLink> = (0..3)
        .rev()
        .map(|i| StepLink {
            step: i,
            step_name: format!("step {i}"),
            step_alert_id: steps[usize::try_from(i).unwrap()],
            event_id: format!("e{i}"),
            occurred_at: t0 + Duration::minutes(i64::from(i) * 10),
        })
        .collect();
    alerts::link_steps(tx, seq_id, &links).await.unwrap();
    // Linking again (a repeated completion) adds nothing.
    alerts::link_steps(tx, seq_id, &links).await.unwrap();
    (account, seq_id, steps)
}

#[sqlx::test(migrations = "../migrations")]
async fn links_read_back_in_time_order_and_stay_in_their_tenant(
    _: PgPoolOptions,
    opts: PgConnectOptions,
) {
    let app = app_pool(opts).await;
    let (a, _) = tenant_with_owner(&app, "Acme").await;
    let (b, _) = tenant_with_owner(&app, "Globex").await;
    let t0 = (Utc::now() - Duration::hours(2)).trunc_subsecs(0);
    let mut tx = db::begin_tenant(&app, a).await.unwrap();
    let (_, seq_a, steps_a) = sequence_of(&mut tx, t0).await;
    tx.commit().await.unwrap();
    let mut tx = db::begin_tenant(&app, b).await.unwrap();
    let (account_b, seq_b, steps_b) = sequence_of(&mut tx, t0).await;
    tx.commit().await.unwrap();

    let mut tx = db::begin_tenant(&app, a).await.unwrap();
    let read = alerts::sequence_steps(&mut tx, seq_a).await.unwrap();
    let order: Vec<(i32, uuid::Uuid)> = read.iter().map(|(l, a)| (l.step, a.alert_id)).collect();
    assert_eq!(
        order,
        vec![(0, steps_a[0]), (1, steps_a[1]), (2, steps_a[2])]
    );
    assert_eq!(read[1].1.rule_id, "burst");
    // The sequence alert spans its steps.
    let seq = alerts::get(&mut tx, seq_a).await.unwrap().unwrap();
    assert_eq!(
        (seq.first_seen_at, seq.last_seen_at),
        (t0, t0 + Duration::minutes(20))
    );
    assert_eq!(seq.severity, Severity::Critical);
    for step in &steps_a {
        let of = alerts::sequences_of(&mut tx, *step).await.unwrap();
        assert_eq!(
            of.iter().map(|s| s.alert_id).collect::<Vec<_>>(),
            vec![seq_a]
        );
    }
    // B's sequence and steps read as absent from A's transaction.
    assert!(
        alerts::sequence_steps(&mut tx, seq_b)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        alerts::sequences_of(&mut tx, steps_b[0])
            .await
            .unwrap()
            .is_empty()
    );
    // Linking A's sequence to B's alert fails: the link's foreign key carries the tenant.
    let cross = StepLink {
        step: 0,
        step_name: "stolen".into(),
        step_alert_id: steps_b[0],
        event_id: "e0".into(),
        occurred_at: t0,
    };
    let err = alerts::link_steps(&mut tx, seq_a, &[cross])
        .await
        .unwrap_err();
    assert_eq!(
        err.as_database_error().and_then(|e| e.code()).as_deref(),
        Some("23503"),
        "{err}"
    );
    tx.rollback().await.unwrap();

    // A raw insert naming B's tenant is refused by row-level security.
    let mut tx = db::begin_tenant(&app, a).await.unwrap();
    let err = sqlx::query(
        "insert into sequence_hits (tenant_id, aws_account_id, sequence_id, group_key, step, event_id, occurred_at, rule_id, alert_id)
         values ($1, $2, 'seq', 'g', 0, 'e', now(), 'r', $3)",
    )
    .bind(b)
    .bind(account_b)
    .bind(steps_b[0])
    .execute(&mut *tx)
    .await
    .unwrap_err();
    assert_eq!(
        err.as_database_error().and_then(|e| e.code()).as_deref(),
        Some("42501"),
        "{err}"
    );
    tx.rollback().await.unwrap();
    let untenanted: i64 = sqlx::query_scalar(
        "select (select count(*) from alert_links) + (select count(*) from sequence_hits)",
    )
    .fetch_one(&app)
    .await
    .unwrap();
    assert_eq!(untenanted, 0, "no tenant setting, no rows");
}

#[sqlx::test(migrations = "../migrations")]
async fn a_step_hit_is_kept_once_and_read_around_its_time(
    _: PgPoolOptions,
    opts: PgConnectOptions,
) {
    let app = app_pool(opts).await;
    let (a, _): (TenantId, _) = tenant_with_owner(&app, "Acme").await;
    let t0 = (Utc::now() - Duration::hours(3)).trunc_subsecs(0);
    let mut tx = db::begin_tenant(&app, a).await.unwrap();
    let (account, _, steps) = sequence_of(&mut tx, t0).await;
    let key = SequenceKey {
        account,
        sequence_id: "seq",
        group: "arn:aws:iam::111122223333:user/intruder",
    };
    let step = |step: i32, event: &str, minutes: i64, alert: uuid::Uuid| SequenceHit {
        step,
        event_id: event.to_owned(),
        occurred_at: t0 + Duration::minutes(minutes),
        rule_id: "r".into(),
        alert_id: alert,
    };
    assert!(
        correlations::record_step(&mut tx, key, &step(0, "e0", 0, steps[0]))
            .await
            .unwrap()
    );
    assert!(
        !correlations::record_step(&mut tx, key, &step(0, "e0", 0, steps[1]))
            .await
            .unwrap(),
        "the same step on the same event is kept once"
    );
    assert!(
        correlations::record_step(&mut tx, key, &step(1, "e1", 30, steps[1]))
            .await
            .unwrap()
    );
    assert!(
        correlations::record_step(&mut tx, key, &step(2, "e2", 150, steps[2]))
            .await
            .unwrap()
    );
    let near =
        correlations::step_hits(&mut tx, key, t0 + Duration::minutes(30), Duration::hours(1))
            .await
            .unwrap();
    assert_eq!(
        near.iter().map(|h| h.event_id.as_str()).collect::<Vec<_>>(),
        ["e0", "e1"],
        "oldest first, and only within the span"
    );
    let other = SequenceKey {
        group: "someone else",
        ..key
    };
    assert!(
        correlations::step_hits(&mut tx, other, t0, Duration::hours(1))
            .await
            .unwrap()
            .is_empty()
    );
}
