//! Pins the AWS emulator harness through the real AWS SDK for Rust: recorded calls in
//! LookupEvents (paging, filters, newest first), injected records, trail files in S3 in
//! the real layout, faults as configured, trust enforcement, account isolation.

use std::{io::Read, time::Duration};

use aws_config::{SdkConfig, retry::RetryConfig};
use aws_sdk_cloudtrail::types::{LookupAttribute, LookupAttributeKey};
use serde_json::{Value, json};
use vigil_core::aws::template::trust_policy;
use vigil_tests::emulator::{Emulator, MANAGEMENT_ACCOUNT, random_account_id};

fn s3(config: &SdkConfig) -> aws_sdk_s3::Client {
    aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(config)
            .force_path_style(true)
            .build(),
    )
}

fn no_retries(config: &SdkConfig) -> SdkConfig {
    config
        .to_builder()
        .retry_config(RetryConfig::disabled())
        .build()
}

/// Every page of LookupEvents for `attribute`, in the order served.
async fn lookup_all(
    ct: &aws_sdk_cloudtrail::Client,
    attribute: Option<LookupAttribute>,
) -> Vec<aws_sdk_cloudtrail::types::Event> {
    let mut events = Vec::new();
    let mut token = None;
    loop {
        let page = ct
            .lookup_events()
            .set_lookup_attributes(attribute.clone().map(|a| vec![a]))
            .max_results(50)
            .set_next_token(token)
            .send()
            .await
            .expect("LookupEvents");
        events.extend(page.events().iter().cloned());
        token = page.next_token().map(str::to_owned);
        if token.is_none() {
            return events;
        }
    }
}

fn attr(key: LookupAttributeKey, value: &str) -> LookupAttribute {
    LookupAttribute::builder()
        .attribute_key(key)
        .attribute_value(value)
        .build()
        .unwrap()
}

#[tokio::test]
async fn recorded_calls_appear_in_lookup_events_newest_first_with_paging_and_filters() {
    let emu = Emulator::shared();
    let account = random_account_id();
    let config = emu.account_config(&account, "eu-west-1").await;
    let ec2 = aws_sdk_ec2::Client::new(&config);
    for _ in 0..55 {
        ec2.describe_vpcs().send().await.unwrap();
    }
    let vpc = ec2.describe_vpcs().send().await.unwrap().vpcs()[0]
        .vpc_id()
        .unwrap()
        .to_owned();
    for i in 0..3 {
        ec2.create_security_group()
            .group_name(format!("sg-{i}"))
            .description("test")
            .vpc_id(&vpc)
            .send()
            .await
            .unwrap();
    }
    let ct = aws_sdk_cloudtrail::Client::new(&config);

    let all = lookup_all(&ct, None).await;
    let ec2_events: Vec<_> = all
        .iter()
        .filter(|e| e.event_source() == Some("ec2.amazonaws.com"))
        .collect();
    assert_eq!(
        ec2_events.len(),
        59,
        "55 + 1 DescribeVpcs and 3 CreateSecurityGroup"
    );
    let times: Vec<_> = all.iter().map(|e| e.event_time().unwrap().secs()).collect();
    assert!(times.windows(2).all(|w| w[0] >= w[1]), "not newest first");
    assert_eq!(all[0].event_name(), Some("CreateSecurityGroup"));

    let created = lookup_all(
        &ct,
        Some(attr(LookupAttributeKey::EventName, "CreateSecurityGroup")),
    )
    .await;
    assert_eq!(created.len(), 3);
    let record: Value = serde_json::from_str(created[0].cloud_trail_event().unwrap()).unwrap();
    for field in [
        "eventVersion",
        "eventTime",
        "eventID",
        "eventType",
        "userAgent",
        "sourceIPAddress",
        "requestParameters",
    ] {
        assert!(record.get(field).is_some(), "{field} missing: {record}");
    }
    assert_eq!(record["awsRegion"], "eu-west-1");
    assert_eq!(record["recipientAccountId"], account.as_str());
    assert_eq!(record["readOnly"], false);
    assert_eq!(record["userIdentity"]["type"], "AssumedRole");
    assert_eq!(record["userIdentity"]["accountId"], account.as_str());
    assert!(
        record["userIdentity"]["sessionContext"]["sessionIssuer"]["arn"]
            .as_str()
            .unwrap()
            .ends_with(":role/OrganizationAccountAccessRole")
    );

    let writes = lookup_all(&ct, Some(attr(LookupAttributeKey::ReadOnly, "false"))).await;
    assert!(
        writes
            .iter()
            .all(|e| e.event_name() != Some("DescribeVpcs"))
    );
    assert!(
        writes
            .iter()
            .filter(|e| e.event_name() == Some("CreateSecurityGroup"))
            .count()
            == 3
    );

    // Another region of the same account holds none of these events.
    let west = aws_sdk_cloudtrail::Client::new(&emu.account_config(&account, "us-west-2").await);
    let elsewhere = lookup_all(
        &west,
        Some(attr(LookupAttributeKey::EventSource, "ec2.amazonaws.com")),
    )
    .await;
    assert!(
        elsewhere.is_empty(),
        "eu-west-1 events leaked into us-west-2"
    );

    let too_many = ct.lookup_events().max_results(51).send().await.unwrap_err();
    assert_eq!(
        too_many
            .as_service_error()
            .and_then(|e| aws_sdk_cloudtrail::error::ProvideErrorMetadata::code(e)),
        Some("InvalidMaxResultsException")
    );
}

#[tokio::test]
async fn accounts_are_isolated_in_resources_and_activity() {
    let emu = Emulator::shared();
    let (a, b) = (random_account_id(), random_account_id());
    let a_cfg = emu.account_config(&a, "us-east-1").await;
    let b_cfg = emu.account_config(&b, "us-east-1").await;
    let vpc = aws_sdk_ec2::Client::new(&a_cfg)
        .create_vpc()
        .cidr_block("10.9.0.0/16")
        .send()
        .await
        .unwrap();
    let a_vpc = vpc.vpc().unwrap().vpc_id().unwrap().to_owned();
    let b_vpcs = aws_sdk_ec2::Client::new(&b_cfg)
        .describe_vpcs()
        .send()
        .await
        .unwrap();
    assert!(
        b_vpcs
            .vpcs()
            .iter()
            .all(|v| v.vpc_id() != Some(a_vpc.as_str()))
    );
    let b_events = lookup_all(
        &aws_sdk_cloudtrail::Client::new(&b_cfg),
        Some(attr(LookupAttributeKey::EventName, "CreateVpc")),
    )
    .await;
    assert!(b_events.is_empty(), "B sees A's CreateVpc");
}

#[tokio::test]
async fn injected_records_are_served_like_recorded_ones() {
    let emu = Emulator::shared();
    let account = random_account_id();
    let stored = emu
        .inject(
            &account,
            vec![json!({
                "eventSource": "signin.amazonaws.com", "eventName": "ConsoleLogin", "eventType": "AwsConsoleSignIn",
                "userIdentity": { "type": "Root", "arn": format!("arn:aws:iam::{account}:root"), "accountId": account },
                "sourceIPAddress": "198.51.100.23", "responseElements": { "ConsoleLogin": "Success" },
                "additionalEventData": { "MFAUsed": "No" }, "readOnly": false
            })],
        )
        .await;
    assert_eq!(stored["stored"], 1);
    let ct = aws_sdk_cloudtrail::Client::new(&emu.account_config(&account, "us-east-1").await);
    let logins = lookup_all(
        &ct,
        Some(attr(LookupAttributeKey::EventName, "ConsoleLogin")),
    )
    .await;
    assert_eq!(logins.len(), 1);
    let record: Value = serde_json::from_str(logins[0].cloud_trail_event().unwrap()).unwrap();
    assert_eq!(record["sourceIPAddress"], "198.51.100.23");
    assert_eq!(record["userIdentity"]["type"], "Root");
    assert!(record["eventID"].as_str().is_some_and(|id| id.len() == 36));
}

#[tokio::test]
async fn a_logging_trail_gets_gzipped_log_files_in_the_real_layout() {
    let emu = Emulator::shared();
    let account = random_account_id();
    let config = emu.account_config(&account, "us-east-1").await;
    let bucket = format!("trail-{account}");
    let s3 = s3(&config);
    s3.create_bucket().bucket(&bucket).send().await.unwrap();
    let ct = aws_sdk_cloudtrail::Client::new(&config);
    ct.create_trail()
        .name("main")
        .s3_bucket_name(&bucket)
        .is_multi_region_trail(true)
        .send()
        .await
        .unwrap();
    ct.start_logging().name("main").send().await.unwrap();
    let eu = aws_sdk_ec2::Client::new(&emu.account_config(&account, "eu-west-1").await);
    eu.create_vpc()
        .cidr_block("10.1.0.0/16")
        .send()
        .await
        .unwrap();
    let keys = emu.flush(&account).await;
    let ours: Vec<&String> = keys
        .iter()
        .filter(|k| k.contains(&format!("AWSLogs/{account}/")))
        .collect();
    assert!(!ours.is_empty(), "no file delivered: {keys:?}");

    let listed = s3
        .list_objects_v2()
        .bucket(&bucket)
        .prefix(format!("AWSLogs/{account}/CloudTrail/eu-west-1/"))
        .send()
        .await
        .unwrap();
    let key = listed.contents()[0].key().unwrap().to_owned();
    let name = key.rsplit('/').next().unwrap();
    let layout = format!("{account}_CloudTrail_eu-west-1_");
    assert!(
        name.starts_with(&layout) && name.ends_with(".json.gz"),
        "{key}"
    );
    let date_dirs: Vec<&str> = key.split('/').collect();
    assert_eq!(
        date_dirs.len(),
        8,
        "AWSLogs/<acct>/CloudTrail/<region>/yyyy/mm/dd/file: {key}"
    );
    let body = s3
        .get_object()
        .bucket(&bucket)
        .key(&key)
        .send()
        .await
        .unwrap()
        .body
        .collect()
        .await
        .unwrap();
    let mut json = String::new();
    flate2::read::GzDecoder::new(&body.into_bytes()[..])
        .read_to_string(&mut json)
        .unwrap();
    let doc: Value = serde_json::from_str(&json).unwrap();
    let names: Vec<&str> = doc["Records"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["eventName"].as_str())
        .collect();
    assert!(names.contains(&"CreateVpc"), "{names:?}");

    // Once logging stops, later calls are not delivered.
    ct.stop_logging().name("main").send().await.unwrap();
    emu.flush(&account).await;
    eu.create_vpc()
        .cidr_block("10.2.0.0/16")
        .send()
        .await
        .unwrap();
    let after = emu.flush(&account).await;
    assert!(
        after
            .iter()
            .all(|k| !k.contains(&format!("AWSLogs/{account}/"))),
        "{after:?}"
    );
}

#[tokio::test]
async fn faults_fire_for_the_configured_account_and_operation_then_expire() {
    let emu = Emulator::shared();
    let account = random_account_id();
    let config = no_retries(&emu.account_config(&account, "us-east-1").await);
    let ec2 = aws_sdk_ec2::Client::new(&config);
    let code = |e: &aws_sdk_ec2::error::SdkError<
        aws_sdk_ec2::operation::describe_vpcs::DescribeVpcsError,
    >| {
        e.as_service_error()
            .and_then(|s| aws_sdk_ec2::error::ProvideErrorMetadata::code(s))
            .map(str::to_owned)
    };
    for (kind, expected) in [
        ("access_denied", "UnauthorizedOperation"),
        ("throttle", "RequestLimitExceeded"),
    ] {
        emu.add_fault(json!({ "accountId": account, "service": "ec2", "operation": "DescribeVpcs", "kind": kind, "count": 1 }))
            .await;
        let err = ec2.describe_vpcs().send().await.unwrap_err();
        assert_eq!(code(&err).as_deref(), Some(expected), "{kind}");
        ec2.describe_vpcs()
            .send()
            .await
            .expect("the rule expired after one hit");
    }
    // Another account is untouched by a rule naming this one.
    emu.add_fault(
        json!({ "accountId": account, "service": "ec2", "kind": "server_error", "count": 1 }),
    )
    .await;
    let other = aws_sdk_ec2::Client::new(&no_retries(
        &emu.account_config(&random_account_id(), "us-east-1").await,
    ));
    other
        .describe_vpcs()
        .send()
        .await
        .expect("other account unaffected");
    let err = ec2.describe_vpcs().send().await.unwrap_err();
    assert_eq!(err.raw_response().map(|r| r.status().as_u16()), Some(500));

    emu.add_fault(json!({ "accountId": account, "service": "ec2", "operation": "DescribeVpcs", "kind": "slow", "delayMs": 400, "count": 1 }))
        .await;
    let started = std::time::Instant::now();
    ec2.describe_vpcs().send().await.unwrap();
    assert!(started.elapsed() >= Duration::from_millis(400));

    // Failed calls are recorded with their error code, as in a real account.
    let ct = aws_sdk_cloudtrail::Client::new(&emu.account_config(&account, "us-east-1").await);
    let events = lookup_all(
        &ct,
        Some(attr(LookupAttributeKey::EventName, "DescribeVpcs")),
    )
    .await;
    let codes: Vec<String> = events
        .iter()
        .filter_map(|e| serde_json::from_str::<Value>(e.cloud_trail_event().unwrap()).ok())
        .filter_map(|r| r["errorCode"].as_str().map(str::to_owned))
        .collect();
    assert!(
        codes.iter().any(|c| c.ends_with("UnauthorizedOperation")),
        "{codes:?}"
    );
}

#[tokio::test]
async fn assume_role_enforces_the_trust_policy_and_its_external_id() {
    let emu = Emulator::shared();
    let account = random_account_id();
    let iam = aws_sdk_iam::Client::new(&emu.account_config(&account, "us-east-1").await);
    let external_id = vigil_core::aws::new_external_id();
    let principal = format!("arn:aws:iam::{MANAGEMENT_ACCOUNT}:root");
    iam.create_role()
        .role_name("VigilReadOnly")
        .assume_role_policy_document(trust_policy(&principal, &external_id).to_string())
        .send()
        .await
        .unwrap();
    let role = format!("arn:aws:iam::{account}:role/VigilReadOnly");
    let sts = aws_sdk_sts::Client::new(&emu.management_config("us-east-1").await);
    let assume = |ext: Option<String>| {
        sts.assume_role()
            .role_arn(&role)
            .role_session_name("t")
            .set_external_id(ext)
            .send()
    };
    assume(Some(external_id.clone()))
        .await
        .expect("the right external ID is accepted");
    for wrong in [
        None,
        Some("not-the-external-id-not-the-external-id".to_owned()),
    ] {
        let err = assume(wrong.clone()).await.unwrap_err();
        assert_eq!(
            err.as_service_error()
                .and_then(|e| aws_sdk_sts::error::ProvideErrorMetadata::code(e)),
            Some("AccessDenied"),
            "{wrong:?}"
        );
    }
    let missing = sts
        .assume_role()
        .role_arn(format!("arn:aws:iam::{account}:role/NoSuchRole"))
        .role_session_name("t")
        .external_id(&external_id)
        .send()
        .await;
    assert!(missing.is_err(), "a missing role must not be assumable");

    emu.control(
        reqwest::Method::POST,
        "/_vigil/deny-assume-role",
        Some(json!({ "roleArn": role })),
    )
    .await;
    assert!(
        assume(Some(external_id.clone())).await.is_err(),
        "denied role assumed"
    );
    emu.control(
        reqwest::Method::DELETE,
        &format!("/_vigil/deny-assume-role?roleArn={role}"),
        None,
    )
    .await;
    assume(Some(external_id))
        .await
        .expect("the denial was lifted");
}
