//! The typed states every crate shares: one [`Severity`] for checks, detections, stores,
//! GraphQL and exports, and the statuses the database stores as text.
//!
//! Each is a closed enum with its stored (lowercase) name. Reading a name the enum does not
//! know is an error ([`UnknownValue`]), never a silent default: a row the code cannot
//! understand shows up in the logs instead of as the wrong state on a screen.

#[doc(hidden)]
pub mod text_enum;

pub use text_enum::UnknownValue;

text_enum! {
    /// How bad a finding or an alert is, most severe first (the derived order ranks it:
    /// `Critical < High < ... < Info`). The same scale for findings and alerts; CRITICAL
    /// means likely active compromise or loss of visibility, INFO is context.
    Severity ("severity") {
        Critical = "critical",
        High = "high",
        Medium = "medium",
        Low = "low",
        Info = "info",
    }
}

impl Severity {
    /// 0 for CRITICAL up to 4 for INFO: the order lists sort by.
    pub fn rank(self) -> u8 {
        self as u8
    }
}

text_enum! {
    /// Where a scan stands.
    ScanStatus ("scan status") {
        Queued = "queued",
        Running = "running",
        Succeeded = "succeeded",
        Partial = "partial",
        Failed = "failed",
    }
}

impl ScanStatus {
    /// Whether the scan has ended (for better or worse).
    pub fn is_finished(self) -> bool {
        matches!(self, Self::Succeeded | Self::Partial | Self::Failed)
    }
}

text_enum! {
    /// Where a finding stands.
    FindingStatus ("finding status") {
        Open = "open",
        Resolved = "resolved",
        Suppressed = "suppressed",
    }
}

text_enum! {
    /// Where an alert stands.
    AlertStatus ("alert status") {
        Open = "open",
        Acknowledged = "acknowledged",
        Closed = "closed",
    }
}

text_enum! {
    /// Where a connection to an AWS account stands.
    AwsAccountStatus ("account status") {
        Pending = "pending",
        Connected = "connected",
        Error = "error",
    }
}

text_enum! {
    /// Where one webhook delivery stands.
    DeliveryStatus ("delivery status") {
        Pending = "pending",
        Succeeded = "succeeded",
        Failed = "failed",
    }
}

text_enum! {
    /// A tenant's plan as stored; a trial past its end reads as expired
    /// (see `vigil_core::store::tenants::Tenant::plan_at`).
    Plan ("plan") {
        Trial = "trial",
        Active = "active",
        Expired = "expired",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_names_round_trip() {
        for &s in Severity::VALUES {
            assert_eq!(s.as_str().parse::<Severity>().unwrap(), s);
        }
        for &s in ScanStatus::VALUES {
            assert_eq!(s.to_string().parse::<ScanStatus>().unwrap(), s);
        }
    }

    #[test]
    fn an_unknown_name_is_an_error_that_names_it() {
        let err = "severe".parse::<Severity>().unwrap_err();
        assert_eq!(err.to_string(), "unknown severity `severe`");
        assert!("Open".parse::<FindingStatus>().is_err(), "names are exact");
    }

    #[test]
    fn severities_rank_most_severe_first() {
        assert!(Severity::Critical < Severity::High);
        assert_eq!(Severity::Critical.rank(), 0);
        assert_eq!(Severity::Info.rank(), 4);
        let mut shuffled = [Severity::Low, Severity::Critical, Severity::Info];
        shuffled.sort();
        assert_eq!(
            shuffled,
            [Severity::Critical, Severity::Low, Severity::Info]
        );
    }

    #[test]
    fn serde_uses_the_stored_name() {
        assert_eq!(serde_json::to_string(&Severity::High).unwrap(), "\"high\"");
        assert_eq!(
            serde_json::from_str::<AlertStatus>("\"closed\"").unwrap(),
            AlertStatus::Closed
        );
        assert!(serde_json::from_str::<AlertStatus>("\"gone\"").is_err());
    }
}
