//! The Secrets Manager part of the inventory: the secrets of a region (metadata only,
//! never a value).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A Secrets Manager secret of one region, as `ListSecrets` describes it.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Secret {
    pub name: String,
    pub arn: Option<String>,
    /// `RotationEnabled` (absent: off).
    pub rotation_enabled: bool,
    /// `LastAccessedDate`: the day the secret was last read (Secrets Manager keeps the
    /// date, not the time). `None`: never read.
    pub last_accessed: Option<DateTime<Utc>>,
    pub created: Option<DateTime<Utc>>,
    /// `OwningService`: secrets another service manages (RDS master passwords...) are
    /// rotated by that service.
    pub owning_service: Option<String>,
    /// `LastRotatedDate`: when the secret was last rotated. `None`: never.
    #[serde(default)]
    pub last_rotated: Option<DateTime<Utc>>,
    /// The statements of the secret's resource policy (empty: no policy). `None`: not
    /// readable.
    #[serde(default)]
    pub policy_statements: Option<Vec<serde_json::Value>>,
}
