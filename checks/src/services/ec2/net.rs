//! Network helpers shared by the security-group and NACL rules.

use crate::model::{AclEntry, PermissionRule};

/// The whole IPv4 or IPv6 internet.
pub fn is_world(cidr: &str) -> bool {
    matches!(cidr.trim(), "0.0.0.0/0" | "::/0")
}

/// Whether a rule admits `port` (all protocols admit every port).
pub fn admits_port(rule: &PermissionRule, port: i32) -> bool {
    if rule.protocol == "-1" {
        return true;
    }
    if !matches!(rule.protocol.as_str(), "tcp" | "udp" | "6" | "17") {
        return false;
    }
    match (rule.from_port, rule.to_port) {
        (Some(from), Some(to)) => from <= port && port <= to,
        _ => true,
    }
}

/// The world CIDRs a rule admits (empty when it admits none).
pub fn world_sources(rule: &PermissionRule) -> Vec<&str> {
    rule.ipv4_ranges
        .iter()
        .chain(&rule.ipv6_ranges)
        .map(String::as_str)
        .filter(|c| is_world(c))
        .collect()
}

/// Whether a rule opens every port (all protocols, or TCP 0-65535).
pub fn opens_all_ports(rule: &PermissionRule) -> bool {
    rule.protocol == "-1"
        || (matches!(rule.protocol.as_str(), "tcp" | "6")
            && rule.from_port.unwrap_or(0) <= 0
            && rule.to_port.unwrap_or(65535) >= 65535)
}

/// Whether a network ACL entry's protocol (an IANA number, `-1` for all) covers
/// `protocol` (`6` or `17`).
fn acl_protocol_covers(entry: &AclEntry, protocol: &str) -> bool {
    match entry.protocol.trim().to_ascii_lowercase().as_str() {
        "-1" | "all" => true,
        "6" | "tcp" => protocol == "6",
        "17" | "udp" => protocol == "17",
        _ => false,
    }
}

/// Whether a network ACL entry matches traffic to `port` over `protocol` (`6` or `17`).
fn acl_entry_covers(entry: &AclEntry, protocol: &str, port: i32) -> bool {
    if !acl_protocol_covers(entry, protocol) {
        return false;
    }
    if matches!(entry.protocol.trim(), "-1" | "all") {
        return true;
    }
    match (entry.from_port, entry.to_port) {
        (Some(from), Some(to)) => from <= port && port <= to,
        _ => true,
    }
}

/// Whether an entry's source is the whole IPv4 (or, with `ipv6`, IPv6) internet.
fn acl_entry_is_world(entry: &AclEntry, ipv6: bool) -> bool {
    let cidr = if ipv6 {
        &entry.cidr_ipv6
    } else {
        &entry.cidr_ipv4
    };
    cidr.as_deref().is_some_and(is_world)
}

/// The ingress entry that decides traffic from the whole internet (IPv4, or IPv6 with
/// `ipv6`) to `port` over `protocol` (`6` or `17`), if any.
///
/// A network ACL applies the lowest-numbered matching entry, so an allow only counts when
/// no lower-numbered entry for the same traffic comes first. Entries for only part of the
/// internet are passed over: denying one range leaves the rest of the world to the later
/// entries, and allowing one range does not open the port to the world.
pub fn acl_world_ingress<'a>(
    entries: &'a [AclEntry],
    protocol: &str,
    port: i32,
    ipv6: bool,
) -> Option<&'a AclEntry> {
    let mut ingress: Vec<&AclEntry> = entries.iter().filter(|e| !e.egress).collect();
    ingress.sort_by_key(|e| e.rule_number);
    ingress
        .into_iter()
        .find(|e| acl_entry_is_world(e, ipv6) && acl_entry_covers(e, protocol, port))
}

/// Whether a network ACL entry allows the traffic it matches.
pub fn acl_allows(entry: &AclEntry) -> bool {
    entry.rule_action.eq_ignore_ascii_case("allow")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(
        number: i32,
        action: &str,
        protocol: &str,
        cidr: &str,
        ports: Option<(i32, i32)>,
    ) -> AclEntry {
        AclEntry {
            rule_number: number,
            egress: false,
            protocol: protocol.into(),
            rule_action: action.into(),
            cidr_ipv4: (!cidr.contains(':')).then(|| cidr.into()),
            cidr_ipv6: cidr.contains(':').then(|| cidr.into()),
            from_port: ports.map(|p| p.0),
            to_port: ports.map(|p| p.1),
        }
    }

    #[test]
    fn the_lowest_numbered_world_entry_decides_whatever_the_listed_order() {
        let entries = [
            entry(100, "allow", "-1", "0.0.0.0/0", None),
            entry(50, "deny", "6", "0.0.0.0/0", Some((22, 22))),
        ];
        let decided = acl_world_ingress(&entries, "6", 22, false).unwrap();
        assert_eq!(decided.rule_number, 50);
        assert!(!acl_allows(decided));
        // UDP is not denied, so the allow-all decides it.
        assert!(acl_allows(
            acl_world_ingress(&entries, "17", 22, false).unwrap()
        ));
    }

    #[test]
    fn a_deny_of_part_of_the_internet_does_not_hide_a_world_allow() {
        let entries = [
            entry(10, "deny", "6", "203.0.113.0/24", Some((22, 22))),
            entry(20, "allow", "6", "0.0.0.0/0", Some((0, 1024))),
        ];
        assert_eq!(
            acl_world_ingress(&entries, "6", 22, false)
                .unwrap()
                .rule_number,
            20
        );
    }

    #[test]
    fn ipv4_entries_do_not_decide_ipv6_traffic_and_egress_is_ignored() {
        let mut egress = entry(1, "allow", "-1", "::/0", None);
        egress.egress = true;
        let entries = [entry(10, "allow", "-1", "0.0.0.0/0", None), egress];
        assert!(acl_world_ingress(&entries, "6", 3389, true).is_none());
        assert!(acl_world_ingress(&entries, "6", 3389, false).is_some());
    }

    #[test]
    fn a_port_range_that_misses_the_port_does_not_match() {
        let entries = [entry(10, "allow", "6", "0.0.0.0/0", Some((1024, 65535)))];
        assert!(acl_world_ingress(&entries, "6", 22, false).is_none());
        assert!(acl_world_ingress(&entries, "17", 3389, false).is_none());
    }
}
