//! The client's address: the socket's peer, or, when that peer is one of the proxies of
//! `VIGIL_TRUSTED_PROXIES`, the address the proxies saw (from `X-Forwarded-For`). Rate
//! limits and audit entries use it, so behind a TLS proxy they see clients, not the proxy.

use std::net::{IpAddr, SocketAddr};

use axum::{
    extract::{ConnectInfo, FromRequestParts},
    http::{HeaderMap, request::Parts},
};
use ipnet::IpNet;

use crate::{error::ApiError, state::AppState};

/// The request's client address, as [`resolve`] finds it.
#[derive(Debug, Clone, Copy)]
pub struct ClientIp(pub IpAddr);

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let ConnectInfo(peer) = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .copied()
            .ok_or_else(|| anyhow::anyhow!("the server was started without peer addresses"))?;
        Ok(Self(resolve(
            peer.ip(),
            &parts.headers,
            &state.config.trusted_proxies,
        )))
    }
}

/// The client of a request from `peer`. A peer outside `trusted` is the client, whatever
/// the headers say (anyone can send `X-Forwarded-For`). From a trusted peer, the
/// addresses of `X-Forwarded-For` are walked from the right (each proxy appends the
/// address it saw) past trusted proxies; the first other address is the client. A
/// malformed entry stops the walk: what lies left of it was not written by our proxies.
pub fn resolve(peer: IpAddr, headers: &HeaderMap, trusted: &[IpNet]) -> IpAddr {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    let mut client = peer.to_canonical();
    if !is_trusted(&client) {
        return client;
    }
    let forwarded: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .collect();
    for entry in forwarded.into_iter().rev() {
        let Some(hop) = parse_hop(entry.trim()) else {
            break;
        };
        client = hop;
        if !is_trusted(&hop) {
            break;
        }
    }
    client
}

/// An address of `X-Forwarded-For`, bare or with a port (`203.0.113.7:5123`, `[::1]:80`).
fn parse_hop(entry: &str) -> Option<IpAddr> {
    entry
        .parse::<IpAddr>()
        .or_else(|_| entry.parse::<SocketAddr>().map(|s| s.ip()))
        .ok()
        .map(|ip| ip.to_canonical())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn forwarded(values: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in values {
            h.append("x-forwarded-for", v.parse().unwrap());
        }
        h
    }

    fn proxies() -> Vec<IpNet> {
        vec!["10.0.0.0/8".parse().unwrap(), "::1/128".parse().unwrap()]
    }

    #[test]
    fn an_untrusted_peer_is_the_client_whatever_it_forwards() {
        let h = forwarded(&["198.51.100.9"]);
        assert_eq!(
            resolve(ip("203.0.113.7"), &h, &proxies()),
            ip("203.0.113.7")
        );
        assert_eq!(resolve(ip("10.0.0.2"), &h, &[]), ip("10.0.0.2"));
    }

    #[test]
    fn behind_trusted_proxies_the_rightmost_untrusted_address_is_the_client() {
        // The client forged the first entry; our two proxies appended the rest.
        let h = forwarded(&["192.0.2.1, 203.0.113.7", "10.1.2.3"]);
        assert_eq!(resolve(ip("10.0.0.2"), &h, &proxies()), ip("203.0.113.7"));
    }

    #[test]
    fn a_trusted_peer_without_the_header_is_the_client() {
        assert_eq!(
            resolve(ip("10.0.0.2"), &HeaderMap::new(), &proxies()),
            ip("10.0.0.2")
        );
    }

    #[test]
    fn a_malformed_entry_stops_the_walk_at_the_last_trusted_hop() {
        let h = forwarded(&["203.0.113.7, not-an-ip, 10.1.2.3"]);
        assert_eq!(resolve(ip("10.0.0.2"), &h, &proxies()), ip("10.1.2.3"));
        let h = forwarded(&["unknown"]);
        assert_eq!(resolve(ip("10.0.0.2"), &h, &proxies()), ip("10.0.0.2"));
    }

    #[test]
    fn ports_and_mapped_addresses_are_read_as_plain_addresses() {
        let h = forwarded(&["[2001:db8::1]:443, 203.0.113.7:5123"]);
        assert_eq!(resolve(ip("::1"), &h, &proxies()), ip("203.0.113.7"));
        let h = forwarded(&["203.0.113.8"]);
        assert_eq!(
            resolve(ip("::ffff:10.0.0.2"), &h, &proxies()),
            ip("203.0.113.8")
        );
    }
}
