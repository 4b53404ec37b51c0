//! The SSRF guard: an outbound fetch may not reach a loopback, private, link-local, multicast
//! or unspecified address unless the operator allowed that host or network
//! (`--fetch-allow` / `SEMREG_FETCH_ALLOW`). The check is on the resolved address that is
//! connected to (a DNS resolver that drops refused addresses) and on IP-literal URLs, at every
//! redirect hop.

use ipnet::IpNet;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

/// What the operator allowed besides public addresses.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AllowList {
    hosts: Vec<String>,
    nets: Vec<IpNet>,
    /// Refuse public addresses too: fetch only what the list names (a locked-down instance,
    /// or a test run that must not reach out).
    pub only_listed: bool,
}

/// An allow-list entry that is neither a host name, an IP address nor a CIDR network.
#[derive(Debug, thiserror::Error)]
#[error("invalid --fetch-allow entry {0:?}: expected a host name, an IP address or a CIDR network such as 127.0.0.1 or 10.0.0.0/8")]
pub struct InvalidAllowEntry(pub String);

impl AllowList {
    /// Parses a comma-separated list of host names, IP addresses and CIDR networks.
    pub fn parse(text: &str) -> Result<Self, InvalidAllowEntry> {
        let mut list = AllowList::default();
        for entry in text.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            if let Ok(net) = entry.parse::<IpNet>() {
                list.nets.push(net);
            } else if let Ok(ip) = entry.trim_matches(['[', ']']).parse::<IpAddr>() {
                list.nets.push(IpNet::from(ip));
            } else if entry
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
                && !entry.starts_with(['-', '.'])
            {
                list.hosts.push(entry.to_ascii_lowercase());
            } else {
                return Err(InvalidAllowEntry(entry.to_owned()));
            }
        }
        Ok(list)
    }

    /// Whether a host name is allowed whatever it resolves to.
    pub fn allows_host(&self, host: &str) -> bool {
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        self.hosts.contains(&host)
    }

    /// Whether an address may be connected to: public (unless only listed ones are), or
    /// allowed.
    pub fn allows_ip(&self, ip: IpAddr) -> bool {
        (!is_internal(ip) && !self.only_listed) || self.nets.iter().any(|net| net.contains(&ip))
    }
}

/// Whether an address is loopback, private, link-local, multicast, unspecified or otherwise
/// not a public Internet address.
pub fn is_internal(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_internal_v4(v4),
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_internal_v4(v4);
            }
            let first = v6.segments()[0];
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00 // unique local fc00::/7
                || (first & 0xffc0) == 0xfe80 // link-local fe80::/10
                || (first & 0xffc0) == 0xfec0 // site-local (deprecated) fec0::/10
                || v6 == Ipv6Addr::new(0, 0, 0, 0, 0, 0, 0, 1)
        }
    }
}

fn is_internal_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_multicast()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || a == 0 // "this network"
        || (a == 100 && (64..128).contains(&b)) // shared address space 100.64.0.0/10
        || (a == 192 && b == 0 && ip.octets()[2] == 0) // IETF protocol assignments
        || a >= 240 // reserved
}

/// A DNS resolver that resolves with the system's and drops every address the allow-list
/// refuses; a name left with no address fails to connect with a message naming the cause.
pub struct GuardedResolver {
    /// What is allowed.
    pub allow: Arc<AllowList>,
}

impl reqwest::dns::Resolve for GuardedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let allow = Arc::clone(&self.allow);
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let addrs: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            if allow.allows_host(&host) {
                return Ok(Box::new(addrs.into_iter()) as reqwest::dns::Addrs);
            }
            let allowed: Vec<SocketAddr> = addrs
                .iter()
                .copied()
                .filter(|a| allow.allows_ip(a.ip()))
                .collect();
            if allowed.is_empty() {
                let refused = addrs
                    .first()
                    .map(|a| a.ip().to_string())
                    .unwrap_or_default();
                return Err(Box::new(Refused {
                    host: host.clone(),
                    ip: refused,
                })
                    as Box<dyn std::error::Error + Send + Sync>);
            }
            Ok(Box::new(allowed.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// A host that resolved only to refused addresses.
#[derive(Debug, thiserror::Error)]
#[error("{host} resolves to {ip}, an address this instance may not fetch from (internal, or not in --fetch-allow with --fetch-only-allowed)")]
pub struct Refused {
    /// The host.
    pub host: String,
    /// The (first) address it resolved to.
    pub ip: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_addresses_are_refused_unless_allowed() {
        let none = AllowList::default();
        for ip in [
            "127.0.0.1",
            "127.0.0.2",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "224.0.0.1",
            "0.0.0.0",
            "100.64.0.1",
            "::1",
            "::",
            "fc00::1",
            "fe80::1",
            "ff02::1",
            "::ffff:127.0.0.1",
        ] {
            assert!(!none.allows_ip(ip.parse().unwrap()), "{ip} must be refused");
        }
        for ip in ["8.8.8.8", "151.101.1.1", "2a00:1450:4001::1"] {
            assert!(none.allows_ip(ip.parse().unwrap()), "{ip} is public");
        }
        let mut allow = AllowList::parse("127.0.0.1, 10.0.0.0/8, intranet.example").unwrap();
        assert!(allow.allows_ip("127.0.0.1".parse().unwrap()));
        assert!(!allow.allows_ip("127.0.0.2".parse().unwrap()));
        assert!(allow.allows_ip("10.9.9.9".parse().unwrap()));
        assert!(allow.allows_host("Intranet.Example"));
        assert!(!allow.allows_host("other.example"));
        assert!(allow.allows_ip("8.8.8.8".parse().unwrap()));
        allow.only_listed = true;
        assert!(
            !allow.allows_ip("8.8.8.8".parse().unwrap()),
            "only what is listed"
        );
        assert!(allow.allows_ip("127.0.0.1".parse().unwrap()));
    }

    #[test]
    fn a_malformed_allow_entry_is_named() {
        let error = AllowList::parse("127.0.0.1, not a host").unwrap_err();
        assert!(error.to_string().contains("\"not a host\""));
    }
}
