//! Strict parsing of the IAM role ARNs customers paste.

use std::fmt;

/// A parsed IAM role ARN: `arn:<partition>:iam::<12 digits>:role/<path/><name>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleArn {
    pub partition: String,
    pub account_id: String,
    /// `/` or `/a/b/`.
    pub path: String,
    pub name: String,
}

const PARTITIONS: [&str; 3] = ["aws", "aws-us-gov", "aws-cn"];

fn valid_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "+=,.@_-".contains(c)
}

impl RoleArn {
    /// Parses a role ARN, explaining in the error which part is wrong.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let raw = raw.trim();
        if raw.len() > 2048 {
            return Err("a role ARN is at most 2048 characters".into());
        }
        let parts: Vec<&str> = raw.splitn(6, ':').collect();
        let [arn, partition, service, region, account, resource] = parts[..] else {
            return Err("expected arn:aws:iam::<12-digit account>:role/<name>".into());
        };
        if arn != "arn" {
            return Err("a role ARN starts with `arn:`".into());
        }
        if !PARTITIONS.contains(&partition) {
            return Err(format!(
                "unknown partition `{partition}` (expected aws, aws-us-gov or aws-cn)"
            ));
        }
        if service != "iam" {
            return Err(format!("the service must be `iam`, not `{service}`"));
        }
        if !region.is_empty() {
            return Err("IAM ARNs have no region: expected `iam::` followed by the account".into());
        }
        if account.len() != 12 || !account.bytes().all(|b| b.is_ascii_digit()) {
            return Err("the account must be 12 digits".into());
        }
        let Some(rest) = resource.strip_prefix("role/") else {
            return Err("the resource must be `role/<name>` (a role, not a user or policy)".into());
        };
        let (path, name) = match rest.rfind('/') {
            Some(i) => (format!("/{}", &rest[..=i]), &rest[i + 1..]),
            None => ("/".to_owned(), rest),
        };
        if name.is_empty() || name.len() > 64 || !name.chars().all(valid_name_char) {
            return Err("the role name must be 1 to 64 letters, digits or +=,.@_-".into());
        }
        if path.len() > 512
            || path.contains("//")
            || !path.chars().all(|c| c == '/' || valid_name_char(c))
        {
            return Err(
                "the role path may hold only letters, digits, +=,.@_- and single slashes".into(),
            );
        }
        Ok(Self {
            partition: partition.to_owned(),
            account_id: account.to_owned(),
            path,
            name: name.to_owned(),
        })
    }
}

impl fmt::Display for RoleArn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "arn:{}:iam::{}:role{}{}",
            self.partition, self.account_id, self.path, self.name
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_roles_with_and_without_paths() {
        let a = RoleArn::parse("arn:aws:iam::123456789012:role/VigilReadOnly").unwrap();
        assert_eq!(
            (a.account_id.as_str(), a.path.as_str(), a.name.as_str()),
            ("123456789012", "/", "VigilReadOnly")
        );
        let b =
            RoleArn::parse(" arn:aws-us-gov:iam::123456789012:role/security/audit/Vigil ").unwrap();
        assert_eq!(
            (b.path.as_str(), b.name.as_str()),
            ("/security/audit/", "Vigil")
        );
        assert_eq!(
            b.to_string(),
            "arn:aws-us-gov:iam::123456789012:role/security/audit/Vigil"
        );
    }

    #[test]
    fn rejects_malformed_arns_with_a_reason() {
        for (bad, why) in [
            ("", "expected arn"),
            ("arn:aws:iam::123456789012:user/alice", "role/"),
            ("arn:aws:iam::12345:role/x", "12 digits"),
            ("arn:aws:iam:us-east-1:123456789012:role/x", "no region"),
            ("arn:aws:s3::123456789012:role/x", "iam"),
            ("arn:aws-xx:iam::123456789012:role/x", "partition"),
            ("arn:aws:iam::123456789012:role/", "role name"),
            ("arn:aws:iam::123456789012:role/bad name", "role name"),
            ("arn:aws:iam::123456789012:role/a//b", "path"),
            ("aws:iam::123456789012:role/x", "expected arn"),
        ] {
            let err = RoleArn::parse(bad).unwrap_err();
            assert!(err.contains(why), "{bad}: {err}");
        }
    }
}
