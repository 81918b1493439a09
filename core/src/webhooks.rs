//! What the API (which accepts webhook endpoints) and the worker (which calls them) agree
//! on: the events, the attempt budget, the signing secret's form, and which targets are
//! refused so a webhook cannot be aimed at Vigil's own network (SSRF).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use base64::Engine;
use ipnet::Ipv6Net;
use url::Url;

/// The events a webhook can subscribe to (also checked by the table's constraint).
pub const EVENTS: [&str; 4] = [
    "ALERT_RAISED",
    "FINDING_OPENED",
    "FINDING_RESOLVED",
    "SCAN_FINISHED",
];

/// The event of a delivery made by `testWebhook`.
pub const TEST_EVENT: &str = "TEST";

/// Attempts of an event's delivery (the `webhook_fanout` trigger writes the same number):
/// with the queue's backoff (10 s doubling, capped at an hour) the last is about four
/// hours after the first.
pub const MAX_ATTEMPTS: i32 = 12;

/// Attempts of a test delivery: whoever pressed the button wants the answer soon.
pub const TEST_ATTEMPTS: i32 = 3;

/// Longest accepted URL.
const MAX_URL_LEN: usize = 2048;

/// A new signing secret: `whsec_` and 32 random bytes in base64, the Standard Webhooks
/// form, so receivers can verify with that project's libraries.
pub fn new_secret() -> String {
    let bytes: [u8; 32] = rand::random();
    format!(
        "whsec_{}",
        base64::engine::general_purpose::STANDARD.encode(bytes)
    )
}

/// Why a webhook target is refused. The messages name the problem and never echo the
/// URL, which may carry a token (Slack's do).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TargetError {
    #[error("url is not a valid absolute URL")]
    Invalid,
    #[error("url must be at most {MAX_URL_LEN} characters")]
    TooLong,
    #[error("url must use https")]
    NotHttps,
    #[error("url must use http or https")]
    Scheme,
    #[error("url must not contain a user name or password")]
    Credentials,
    #[error("url has no host")]
    NoHost,
    #[error(
        "url resolves to {0}, a loopback, private, link-local or otherwise internal address; \
         webhooks may only call public addresses"
    )]
    Internal(IpAddr),
    /// A name resolving to an internal address: the address is not echoed, so the check
    /// cannot be used to map Vigil's own network.
    #[error(
        "url's host resolves to a loopback, private, link-local or otherwise internal \
         address; webhooks may only call public addresses"
    )]
    InternalName,
    #[error("url's host could not be resolved")]
    Unresolved,
}

/// Checks a webhook URL's form: absolute http(s) with a host and no credentials; https
/// only, and no internal IP literal, unless `allow_internal` (an operator setting).
pub fn parse_target(raw: &str, allow_internal: bool) -> Result<Url, TargetError> {
    let raw = raw.trim();
    if raw.len() > MAX_URL_LEN {
        return Err(TargetError::TooLong);
    }
    let url = Url::parse(raw).map_err(|_| TargetError::Invalid)?;
    match url.scheme() {
        "https" => {}
        "http" if allow_internal => {}
        "http" => return Err(TargetError::NotHttps),
        _ => return Err(TargetError::Scheme),
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(TargetError::Credentials);
    }
    match url.host() {
        None => return Err(TargetError::NoHost),
        Some(url::Host::Ipv4(ip)) => check_ip(IpAddr::V4(ip), allow_internal)?,
        Some(url::Host::Ipv6(ip)) => check_ip(IpAddr::V6(ip), allow_internal)?,
        Some(url::Host::Domain(_)) => {}
    }
    Ok(url)
}

/// Resolves a host and refuses it when **any** of its addresses is internal (a name
/// with one public and one private record would otherwise be a coin toss).
pub async fn resolve(
    host: &str,
    port: u16,
    allow_internal: bool,
) -> Result<Vec<SocketAddr>, TargetError> {
    let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host, port))
        .await
        .map_err(|_| TargetError::Unresolved)?
        .collect();
    if addrs.is_empty() {
        return Err(TargetError::Unresolved);
    }
    let literal = host.parse::<IpAddr>().is_ok();
    for addr in &addrs {
        check_ip(addr.ip(), allow_internal).map_err(|e| {
            if literal {
                e
            } else {
                TargetError::InternalName
            }
        })?;
    }
    Ok(addrs)
}

/// Checks a parsed target's host resolves to public addresses only.
pub async fn check_resolves(url: &Url, allow_internal: bool) -> Result<(), TargetError> {
    let host = url.host_str().ok_or(TargetError::NoHost)?;
    let port = url.port_or_known_default().unwrap_or(443);
    // IP literals were checked by parse_target; lookup_host wants them without brackets.
    let host = host.trim_start_matches('[').trim_end_matches(']');
    resolve(host, port, allow_internal).await.map(|_| ())
}

fn check_ip(ip: IpAddr, allow_internal: bool) -> Result<(), TargetError> {
    if !allow_internal && is_internal(ip) {
        return Err(TargetError::Internal(ip));
    }
    Ok(())
}

/// Whether an address is not a public unicast one: loopback, private, shared (CGNAT),
/// link-local (which holds the instance metadata service, 169.254.169.254 and
/// fd00:ec2::254), unique-local, documentation, benchmarking, reserved, multicast,
/// broadcast, unspecified, IPv6 forms that embed such an IPv4 address, and IPv6
/// transition ranges that tunnel to an IPv4 address (6to4, Teredo, local-use NAT64).
pub fn is_internal(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_internal_v4(v4),
        IpAddr::V6(v6) => is_internal_v6(v6),
    }
}

fn is_internal_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_broadcast()
        || ip.is_documentation()
        || ip.is_multicast()
        || a == 0 // "this network"
        || (a == 100 && (64..128).contains(&b)) // shared address space (RFC 6598)
        || (a == 192 && b == 0 && c == 0) // IETF protocol assignments
        || (a == 198 && (b == 18 || b == 19)) // benchmarking (RFC 2544)
        || a >= 240 // reserved
}

/// IPv6 ranges that are never a public receiver, beside what `std` recognises (loopback,
/// unspecified, multicast, unique-local, link-local). Transition mechanisms that tunnel to
/// an IPv4 address chosen by whoever writes the address (6to4, Teredo, local-use NAT64)
/// are refused whole: a relay would carry the request to wherever it points.
const INTERNAL_V6: [Ipv6Net; 9] = [
    // IPv4-compatible (deprecated): the low 32 bits are an IPv4 address.
    Ipv6Net::new_assert(Ipv6Addr::UNSPECIFIED, 96),
    // IPv4-translated (RFC 2765), `::ffff:0:a.b.c.d`.
    Ipv6Net::new_assert(Ipv6Addr::new(0, 0, 0, 0, 0xffff, 0, 0, 0), 96),
    // Local-use NAT64 (RFC 8215): translated by the operator's own gateway.
    Ipv6Net::new_assert(Ipv6Addr::new(0x64, 0xff9b, 1, 0, 0, 0, 0, 0), 48),
    // Discard-only (RFC 6666).
    Ipv6Net::new_assert(Ipv6Addr::new(0x100, 0, 0, 0, 0, 0, 0, 0), 64),
    // IETF protocol assignments, which hold Teredo (2001::/32), benchmarking and ORCHID.
    Ipv6Net::new_assert(Ipv6Addr::new(0x2001, 0, 0, 0, 0, 0, 0, 0), 23),
    // Documentation (RFC 3849 and RFC 9637).
    Ipv6Net::new_assert(Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 0), 32),
    Ipv6Net::new_assert(Ipv6Addr::new(0x3fff, 0, 0, 0, 0, 0, 0, 0), 20),
    // 6to4 (RFC 3056): the next 32 bits are an IPv4 address.
    Ipv6Net::new_assert(Ipv6Addr::new(0x2002, 0, 0, 0, 0, 0, 0, 0), 16),
    // Site-local (deprecated).
    Ipv6Net::new_assert(Ipv6Addr::new(0xfec0, 0, 0, 0, 0, 0, 0, 0), 10),
];

/// Well-known-prefix NAT64 (RFC 6052) reaches the IPv4 address in the low 32 bits.
const NAT64: Ipv6Net = Ipv6Net::new_assert(Ipv6Addr::new(0x64, 0xff9b, 0, 0, 0, 0, 0, 0), 96);

fn is_internal_v6(ip: Ipv6Addr) -> bool {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return is_internal_v4(v4);
    }
    if NAT64.contains(&ip) {
        return is_internal_v4(Ipv4Addr::from(ip.to_bits() as u32));
    }
    ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_multicast()
        || ip.is_unique_local()
        || ip.is_unicast_link_local()
        || INTERNAL_V6.iter().any(|net| net.contains(&ip))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_addresses_are_recognised() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "0.1.2.3",
            "255.255.255.255",
            "224.0.0.1",
            "198.18.0.1",
            "192.0.0.8",
            "240.0.0.1",
            "::1",
            "::",
            "fd00:ec2::254",
            "fe80::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "64:ff9b::a9fe:a9fe",
            "::127.0.0.1",
            "2001:db8::1",
            "ff02::1",
        ] {
            assert!(is_internal(ip.parse().unwrap()), "{ip} should be internal");
        }
        for ip in [
            "8.8.8.8",
            "1.1.1.1",
            "52.94.236.248",
            "100.128.0.1",
            "172.32.0.1",
            "2606:4700:4700::1111",
            "::ffff:8.8.8.8",
        ] {
            assert!(!is_internal(ip.parse().unwrap()), "{ip} should be public");
        }
    }

    #[test]
    fn ipv6_transition_ranges_that_tunnel_to_ipv4_are_internal() {
        for (range, ip) in [
            // 6to4 of 8.8.8.8 and of 127.0.0.1: the relay decides, so neither is allowed.
            ("2002::/16", "2002:808:808::1"),
            ("2002::/16", "2002:7f00:1::1"),
            ("2001::/32 (Teredo)", "2001:0:4136:e378:8000:63bf:3fff:fdd2"),
            ("2001::/23", "2001:2::1"),
            ("64:ff9b:1::/48", "64:ff9b:1::a00:1"),
            ("64:ff9b:1::/48", "64:ff9b:1:ffff::808:808"),
            ("::ffff:0:0:0/96 (translated)", "::ffff:0:a9fe:a9fe"),
            ("100::/64", "100::1"),
            ("3fff::/20", "3fff::1"),
        ] {
            assert!(
                is_internal(ip.parse().unwrap()),
                "{ip} in {range} should be internal"
            );
        }
    }

    #[test]
    fn ipv6_forms_embedding_ipv4_follow_the_embedded_address() {
        for ip in [
            "64:ff9b::10.0.0.1",
            "64:ff9b::192.168.1.1",
            "64:ff9b::100.64.0.1",
            "64:ff9b::127.0.0.1",
            "::ffff:10.0.0.1",
            "::ffff:100.64.0.1",
            "::10.0.0.1",
            "::8.8.8.8",
        ] {
            assert!(is_internal(ip.parse().unwrap()), "{ip} should be internal");
        }
        for ip in ["64:ff9b::8.8.8.8", "::ffff:1.1.1.1"] {
            assert!(!is_internal(ip.parse().unwrap()), "{ip} should be public");
        }
    }

    #[test]
    fn local_and_multicast_ipv6_ranges_are_internal() {
        for ip in [
            "fc00::1",
            "fdff:ffff::1",
            "fe80::1",
            "febf::1",
            "fec0::1",
            "ff0e::1",
            "ff05::2",
            "100.64.0.0",
            "100.127.255.255",
        ] {
            assert!(is_internal(ip.parse().unwrap()), "{ip} should be internal");
        }
        for ip in [
            "2001:200::1",
            "2001:4860:4860::8888",
            "2a00:1450::1",
            "2003::1",
        ] {
            assert!(!is_internal(ip.parse().unwrap()), "{ip} should be public");
        }
    }

    #[test]
    fn targets_are_checked_before_any_lookup() {
        assert_eq!(
            parse_target("https://169.254.169.254/latest/meta-data/", false),
            Err(TargetError::Internal("169.254.169.254".parse().unwrap()))
        );
        assert_eq!(
            parse_target("https://[::1]:8443/hook", false),
            Err(TargetError::Internal("::1".parse().unwrap()))
        );
        assert_eq!(
            parse_target("http://hooks.example.com/x", false),
            Err(TargetError::NotHttps)
        );
        assert_eq!(
            parse_target("ftp://hooks.example.com/x", true),
            Err(TargetError::Scheme)
        );
        assert_eq!(
            parse_target("https://user:pw@hooks.example.com/x", false),
            Err(TargetError::Credentials)
        );
        assert_eq!(parse_target("not a url", false), Err(TargetError::Invalid));
        let long = format!("https://hooks.example.com/{}", "a".repeat(MAX_URL_LEN));
        assert_eq!(parse_target(&long, false), Err(TargetError::TooLong));
        assert!(parse_target("https://hooks.example.com/services/T0/B0/x", false).is_ok());
        // The operator setting lets tests and on-premises receivers use loopback and http.
        assert!(parse_target("http://127.0.0.1:9000/hook", true).is_ok());
    }

    #[test]
    fn errors_never_echo_the_url() {
        let secret_url = "https://user:s3cr3t-token@hooks.example.com/T0/B0/s3cr3t-token";
        let message = parse_target(secret_url, false).unwrap_err().to_string();
        assert!(!message.contains("s3cr3t"), "{message}");
    }

    #[tokio::test]
    async fn names_resolving_to_loopback_are_refused() {
        let url = parse_target("https://localhost:8443/hook", false).unwrap();
        let err = check_resolves(&url, false).await.unwrap_err();
        assert_eq!(err, TargetError::InternalName);
        assert!(!err.to_string().contains("127.0.0.1"), "{err}");
        assert!(check_resolves(&url, true).await.is_ok());
    }

    #[test]
    fn secrets_are_standard_webhooks_keys() {
        let a = new_secret();
        let b = new_secret();
        assert_ne!(a, b);
        let key = a.strip_prefix("whsec_").unwrap();
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(key)
            .unwrap();
        assert_eq!(bytes.len(), 32);
    }
}
