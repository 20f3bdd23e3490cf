//! What the server knows of the edge in front of it: the client's address (the peer's, or,
//! behind a trusted proxy, the one the proxy forwarded) and whether the public site is
//! served over TLS, which makes cookies `Secure` and adds HSTS. Both come from the
//! configuration: a request header alone decides neither.

use std::net::IpAddr;

/// The configured proxies, as addresses and networks (`10.0.0.0/8`, `::1`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<(IpAddr, u8)>);

impl TrustedProxies {
    /// Parses a comma-separated list of addresses and CIDR networks.
    pub fn parse(list: &str) -> Result<TrustedProxies, String> {
        let mut out = Vec::new();
        for item in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let (addr, bits) = match item.split_once('/') {
                Some((a, b)) => (a, Some(b)),
                None => (item, None),
            };
            let ip: IpAddr = addr.parse().map_err(|_| format!("`{item}` is not an address or a network"))?;
            let max = if ip.is_ipv4() { 32 } else { 128 };
            let bits = match bits {
                Some(b) => b.parse::<u8>().ok().filter(|b| *b <= max).ok_or_else(|| format!("`{item}`: bad prefix"))?,
                None => max,
            };
            out.push((ip, bits));
        }
        Ok(TrustedProxies(out))
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|(net, bits)| in_network(ip, *net, *bits))
    }
}

fn in_network(ip: IpAddr, net: IpAddr, bits: u8) -> bool {
    match (ip, net) {
        (IpAddr::V4(a), IpAddr::V4(n)) => {
            let mask = u32::MAX.checked_shl(32 - u32::from(bits)).unwrap_or(0);
            u32::from(a) & mask == u32::from(n) & mask
        }
        (IpAddr::V6(a), IpAddr::V6(n)) => {
            let mask = u128::MAX.checked_shl(128 - u32::from(bits)).unwrap_or(0);
            u128::from(a) & mask == u128::from(n) & mask
        }
        _ => false,
    }
}

/// The client a request comes from, as the per-address limits and the audit log see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddr(pub IpAddr);

impl ClientAddr {
    /// The peer, unless it is a trusted proxy: then the nearest address of `X-Forwarded-For`
    /// (read from the right, skipping trusted proxies) that is not one. Anything the client
    /// itself put further left is never believed.
    pub fn resolve(peer: IpAddr, forwarded_for: Option<&str>, trusted: &TrustedProxies) -> ClientAddr {
        if !trusted.contains(peer) {
            return ClientAddr(peer);
        }
        let mut client = peer;
        for hop in forwarded_for.unwrap_or_default().split(',').rev() {
            let Ok(ip) = hop.trim().parse::<IpAddr>() else { break };
            client = ip;
            if !trusted.contains(ip) {
                break;
            }
        }
        ClientAddr(client)
    }
}

impl std::fmt::Display for ClientAddr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// The edge settings every request consults.
#[derive(Debug, Clone, Default)]
pub struct Edge {
    pub trusted: TrustedProxies,
    /// `server.public_url` is `https://…`.
    pub https: bool,
}

/// A `Set-Cookie` value with `Secure` added when it lacks it: every cookie of a deployment
/// served over https is sent only over https.
pub fn secure_cookie(value: &str) -> String {
    if value.split(';').any(|a| a.trim().eq_ignore_ascii_case("secure")) {
        value.to_owned()
    } else {
        format!("{value}; Secure")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn only_a_trusted_proxy_is_believed_about_the_client() {
        let trusted = TrustedProxies::parse("10.0.0.0/8, 192.168.1.5, fd00::/8").unwrap();
        let resolve = |peer: &str, xff: Option<&str>| ClientAddr::resolve(ip(peer), xff, &trusted).0;
        assert_eq!(resolve("203.0.113.7", Some("1.2.3.4")), ip("203.0.113.7"), "an untrusted peer is the client");
        assert_eq!(resolve("10.1.2.3", Some("198.51.100.9")), ip("198.51.100.9"));
        assert_eq!(resolve("10.1.2.3", Some("6.6.6.6, 198.51.100.9, 192.168.1.5")), ip("198.51.100.9"));
        assert_eq!(resolve("10.1.2.3", None), ip("10.1.2.3"));
        assert_eq!(resolve("10.1.2.3", Some("garbage")), ip("10.1.2.3"));
        assert_eq!(resolve("fd00::1", Some("2001:db8::5")), ip("2001:db8::5"));
        assert!(TrustedProxies::parse("10.0.0.0/33").is_err());
        assert!(TrustedProxies::parse("proxy.internal").is_err());
        assert_eq!(TrustedProxies::parse("").unwrap(), TrustedProxies::default());
    }
}
