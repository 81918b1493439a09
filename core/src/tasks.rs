//! The product's job payloads: every kind of background work the worker does.

use serde::{Deserialize, Serialize};

use crate::jobs::Payload;

/// A unit of background work. Stored as JSON tagged by `type`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Task {
    /// Deletes finished jobs older than the retention, keeping dead ones.
    Housekeeping { keep_finished_days: u32 },
}

impl Payload for Task {
    fn kind(&self) -> &'static str {
        match self {
            Task::Housekeeping { .. } => "housekeeping",
        }
    }
}
