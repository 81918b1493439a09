//! The inventory of one AWS account, as the scanner collected it: plain data, so the
//! checks are pure functions that unit tests feed with small fixtures.
//!
//! `Option` on a collection or attribute means "could not be read" (a permission error,
//! a region that is off): checks skip what they cannot see, and the scan reports it.
//! An empty `Vec` means "read, and there is none".

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Resource tags.
pub type Tags = BTreeMap<String, String>;

/// Everything collected from one account in one scan.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Inventory {
    /// The 12-digit account.
    pub account_id: String,
    /// When collection started; ages (of keys, of last use) are measured from it.
    pub collected_at: DateTime<Utc>,
    /// Every enabled region that was scanned.
    pub regions: Vec<RegionInventory>,
    /// IAM (global). `None`: could not be read.
    pub iam: Option<IamInventory>,
    /// S3 (global listing). `None`: could not be read.
    pub s3: Option<S3Inventory>,
    /// CloudFront distributions (global). `None`: could not be read.
    #[serde(default)]
    pub cloudfront_distributions: Option<Vec<Distribution>>,
    /// Route 53 hosted zones (global). `None`: could not be read.
    #[serde(default)]
    pub route53_zones: Option<Vec<HostedZone>>,
    /// Domains registered with Route 53 Domains (global). `None`: could not be read.
    #[serde(default)]
    pub route53_domains: Option<Vec<RegisteredDomain>>,
    /// The organisation the account belongs to (global). `None`: could not be read.
    #[serde(default)]
    pub organizations: Option<OrganizationsInventory>,
}

/// What one region holds.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct RegionInventory {
    pub region: String,
    pub ec2: Option<Ec2Inventory>,
    pub rds: Option<RdsInventory>,
    /// Trails visible from this region (shadow copies of multi-region trails included,
    /// as `DescribeTrails` returns them).
    pub trails: Option<Vec<Trail>>,
    /// The region's KMS keys (AWS-managed ones included).
    pub kms_keys: Option<Vec<KmsKey>>,
    /// The region's AWS Config configuration recorders.
    pub config_recorders: Option<Vec<ConfigRecorder>>,
    /// The region's GuardDuty detectors.
    pub guardduty_detectors: Option<Vec<Detector>>,
    /// The region's IAM Access Analyzer analyzers.
    #[serde(default)]
    pub access_analyzers: Option<Vec<Analyzer>>,
    /// The region's Security Hub subscription.
    #[serde(default)]
    pub security_hub: Option<SecurityHub>,
    /// The region's Lambda functions.
    pub lambda_functions: Option<Vec<LambdaFunction>>,
    /// The region's SNS topics.
    pub sns_topics: Option<Vec<SnsTopic>>,
    /// The region's SQS queues.
    pub sqs_queues: Option<Vec<SqsQueue>>,
    /// The region's Secrets Manager secrets (metadata only).
    pub secrets: Option<Vec<Secret>>,
    /// The region's private ECR repositories.
    pub ecr_repositories: Option<Vec<EcrRepository>>,
    /// The region's ECR registry scanning configuration.
    #[serde(default)]
    pub ecr_registry_scanning: Option<EcrRegistryScanning>,
    /// The region's DynamoDB tables.
    pub dynamodb_tables: Option<Vec<DynamoTable>>,
    /// The region's EFS file systems and access points.
    pub efs: Option<EfsInventory>,
    /// The region's Application, Network and Gateway Load Balancers.
    pub load_balancers: Option<Vec<LoadBalancer>>,
    /// The region's ECS clusters and task definitions.
    #[serde(default)]
    pub ecs: Option<EcsInventory>,
    /// The region's EKS clusters.
    #[serde(default)]
    pub eks_clusters: Option<Vec<EksCluster>>,
    /// The region's API Gateway REST APIs.
    #[serde(default)]
    pub rest_apis: Option<Vec<RestApi>>,
    /// The region's ElastiCache cache clusters and replication groups.
    #[serde(default)]
    pub elasticache: Option<ElastiCacheInventory>,
    /// The region's Redshift provisioned clusters.
    #[serde(default)]
    pub redshift_clusters: Option<Vec<RedshiftCluster>>,
    /// The region's OpenSearch Service domains.
    #[serde(default)]
    pub opensearch_domains: Option<Vec<OpenSearchDomain>>,
    /// The region's ACM certificates.
    #[serde(default)]
    pub acm_certificates: Option<Vec<AcmCertificate>>,
    /// The region's CloudWatch Logs metric filters and CloudWatch alarms.
    #[serde(default)]
    pub cloudwatch: Option<CloudWatchInventory>,
}

pub use crate::services::{
    accessanalyzer::model::*, acm::model::*, apigateway::model::*, cloudfront::model::*,
    cloudtrail::model::*, cloudwatch::model::*, config::model::*, dynamodb::model::*,
    ec2::model::*, ecr::model::*, ecs::model::*, efs::model::*, eks::model::*,
    elasticache::model::*, elbv2::model::*, guardduty::model::*, iam::model::*, kms::model::*,
    lambda::model::*, opensearch::model::*, organizations::model::*, rds::model::*,
    redshift::model::*, route53::model::*, s3::model::*, secretsmanager::model::*,
    securityhub::model::*, sns::model::*, sqs::model::*,
};
