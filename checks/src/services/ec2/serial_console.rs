//! The region's EC2 serial console setting.

use serde_json::json;

use crate::{Rule, Scope, Severity, Sink, model::Inventory};

/// The serial console setting could be read (the rest of EC2 may be readable without it).
pub const SERIAL_CONSOLE: crate::Source = crate::Source::Regional("ec2", |r| {
    r.ec2
        .as_ref()
        .is_some_and(|e| e.serial_console_access.is_some())
});

pub static SERIAL_CONSOLE_ACCESS_ENABLED: Rule = Rule {
    id: "ec2-serial-console-access-enabled",
    title: "EC2 serial console access is enabled in the region",
    severity: Severity::Medium,
    description: "The EC2 serial console is allowed for the region's instances: anyone with \
                  `ec2-instance-connect:SendSerialConsoleSSHPublicKey` reaches an instance's \
                  console out of band, bypassing its security groups and network ACLs, and \
                  on an instance with a local password can log in without SSH keys.",
    remediation: "Disable it where nobody needs it for troubleshooting (`aws ec2 \
                  disable-serial-console-access --region <region>`), and enable it only for \
                  the time of an investigation, with the IAM permission granted to few.",
    compliance: &[],
    resource_type: "AWS::EC2::Region",
    scope: Scope::Regional,
    sources: &[super::SOURCE, SERIAL_CONSOLE],
    check: serial_console_access_enabled,
};

fn serial_console_access_enabled(inv: &Inventory, sink: &mut Sink) {
    for region in &inv.regions {
        let enabled = region.ec2.as_ref().and_then(|e| e.serial_console_access);
        if enabled == Some(true) {
            sink.fail(
                &region.region,
                &region.region,
                None,
                json!({ "serialConsoleAccessEnabled": true }),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        fixtures::{REGION, failing, run, with_ec2},
        model::Ec2Inventory,
    };

    fn with_serial_console(access: Option<bool>) -> Inventory {
        with_ec2(Ec2Inventory {
            serial_console_access: access,
            ..Default::default()
        })
    }

    #[test]
    fn an_enabled_serial_console_fails_the_region_and_a_disabled_one_passes() {
        let rule = &SERIAL_CONSOLE_ACCESS_ENABLED;
        assert_eq!(failing(rule, &with_serial_console(Some(true))), [REGION]);
        let out = run(rule, &with_serial_console(Some(false)));
        assert!(out.findings.is_empty());
        assert_eq!(out.complete.len(), 1);
    }

    #[test]
    fn an_unread_setting_is_not_assessed_never_failing() {
        let out = run(&SERIAL_CONSOLE_ACCESS_ENABLED, &with_serial_console(None));
        assert!(out.findings.is_empty() && out.complete.is_empty());
    }
}
