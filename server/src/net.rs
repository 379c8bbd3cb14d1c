//! The client's IP address: the peer, or `X-Forwarded-For` when (and only when) the
//! peer is a configured trusted proxy.

use std::net::{IpAddr, SocketAddr};

use axum::http::HeaderMap;

/// An address block, `10.0.0.0/8` or a single address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IpNet {
    addr: IpAddr,
    prefix: u8,
}

impl IpNet {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let raw = raw.trim();
        let (addr, prefix) = match raw.split_once('/') {
            Some((addr, prefix)) => (addr, Some(prefix)),
            None => (raw, None),
        };
        let addr: IpAddr = addr
            .parse()
            .map_err(|_| format!("{raw:?} is not an IP address or CIDR block"))?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => max,
            Some(p) => p
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= max)
                .ok_or_else(|| format!("{raw:?} has a bad prefix length"))?,
        };
        Ok(Self { addr, prefix })
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        fn masked(bits: u128, prefix: u8, width: u8) -> u128 {
            if prefix == 0 {
                0
            } else {
                bits >> (width - prefix)
            }
        }
        match (self.addr, ip.to_canonical()) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                masked(u32::from(net).into(), self.prefix, 32)
                    == masked(u32::from(ip).into(), self.prefix, 32)
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                masked(u128::from(net), self.prefix, 128)
                    == masked(u128::from(ip), self.prefix, 128)
            }
            _ => false,
        }
    }
}

impl std::fmt::Display for IpNet {
    /// `addr/prefix`, the block's first address (`10.1.2.3/8` is `10.0.0.0/8`).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let first = match self.addr {
            IpAddr::V4(a) => {
                let bits = u32::from(a);
                let mask = if self.prefix == 0 {
                    0
                } else {
                    u32::MAX << (32 - self.prefix)
                };
                IpAddr::V4((bits & mask).into())
            }
            IpAddr::V6(a) => {
                let bits = u128::from(a);
                let mask = if self.prefix == 0 {
                    0
                } else {
                    u128::MAX << (128 - self.prefix)
                };
                IpAddr::V6((bits & mask).into())
            }
        };
        write!(f, "{first}/{}", self.prefix)
    }
}

/// Parses a comma-separated list of addresses and blocks.
pub fn parse_list(raw: &str) -> Result<Vec<IpNet>, String> {
    raw.split(',')
        .filter(|s| !s.trim().is_empty())
        .map(IpNet::parse)
        .collect()
}

/// The client address. `X-Forwarded-For` is read only when the peer is trusted; it
/// is walked from the right (nearest hop) past trusted proxies, and the first
/// untrusted hop is the client. A malformed header is ignored.
pub fn client_ip(peer: SocketAddr, headers: &HeaderMap, trusted: &[IpNet]) -> IpAddr {
    let peer = peer.ip().to_canonical();
    let is_trusted = |ip: IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(peer) {
        return peer;
    }
    let hops: Option<Vec<IpAddr>> = headers
        .get_all("x-forwarded-for")
        .iter()
        .map(|v| v.to_str().ok())
        .collect::<Option<Vec<_>>>()
        .and_then(|values| {
            values
                .iter()
                .flat_map(|v| v.split(','))
                .map(|hop| {
                    hop.trim()
                        .parse::<IpAddr>()
                        .ok()
                        .map(|ip| ip.to_canonical())
                })
                .collect()
        });
    let Some(hops) = hops.filter(|h| !h.is_empty()) else {
        return peer;
    };
    hops.iter()
        .rev()
        .find(|ip| !is_trusted(**ip))
        .or(hops.first())
        .copied()
        .unwrap_or(peer)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(xff: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert("x-forwarded-for", xff.parse().expect("header"));
        h
    }

    #[test]
    fn blocks_contain_their_addresses() {
        let net = IpNet::parse("10.0.0.0/8").expect("net");
        assert!(net.contains("10.20.30.40".parse().expect("ip")));
        assert!(!net.contains("11.0.0.1".parse().expect("ip")));
        assert!(IpNet::parse("::1")
            .expect("net")
            .contains("::1".parse().expect("ip")));
        assert!(IpNet::parse("0.0.0.0/0")
            .expect("net")
            .contains("8.8.8.8".parse().expect("ip")));
        for bad in ["", "10.0.0.0/33", "nope", "10.0.0.0/x"] {
            assert!(IpNet::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn forwarded_for_is_believed_only_from_trusted_proxies() {
        let trusted = parse_list("127.0.0.1, 10.0.0.0/8").expect("list");
        let proxy: SocketAddr = "127.0.0.1:5000".parse().expect("addr");
        let stranger: SocketAddr = "203.0.113.9:5000".parse().expect("addr");
        let h = headers("198.51.100.7, 10.1.1.1");
        assert_eq!(client_ip(proxy, &h, &trusted).to_string(), "198.51.100.7");
        assert_eq!(client_ip(stranger, &h, &trusted).to_string(), "203.0.113.9");
        assert_eq!(client_ip(proxy, &h, &[]).to_string(), "127.0.0.1");
        // A client cannot push its own "address" past the nearest untrusted hop.
        let spoofed = headers("1.2.3.4, 198.51.100.7");
        assert_eq!(
            client_ip(proxy, &spoofed, &trusted).to_string(),
            "198.51.100.7"
        );
        assert_eq!(
            client_ip(proxy, &headers("garbage"), &trusted).to_string(),
            "127.0.0.1"
        );
        assert_eq!(
            client_ip(proxy, &HeaderMap::new(), &trusted).to_string(),
            "127.0.0.1"
        );
    }
}
