//! Who is asking, as networks, and how much each network may ask: per-network limits on public
//! writes, sign-in and expensive reads, counted in this process's memory under a keyed hash (no
//! address is stored or logged).
//!
//! Each request is counted twice: by its narrow network (an IPv4 address, an IPv6 /64) and its
//! wide one (an IPv4 /24, an IPv6 /48). Counts are per minute, as a sliding estimate over this
//! minute and the last; a minute's counts are dropped whole when the next begins, so no request
//! ever scans the map.

use axum::extract::ConnectInfo;
use axum::http::request::Parts;
use ipnet::IpNet;
use std::collections::HashMap;
use std::hash::BuildHasher;
use std::net::{IpAddr, SocketAddr};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The proxies whose `X-Forwarded-For` is believed (`OPENDOCKET_TRUSTED_PROXIES`).
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    /// A comma-separated list of addresses or CIDR blocks, such as `10.0.0.0/8, ::1`.
    pub fn parse(raw: &str) -> Result<Self, String> {
        raw.split(',')
            .map(str::trim)
            .filter(|item| !item.is_empty())
            .map(|item| {
                item.parse::<IpNet>()
                    .or_else(|_| item.parse::<IpAddr>().map(IpNet::from))
                    .map_err(|_| format!("{item:?} is not an address or a CIDR block"))
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Self)
    }

    fn trusts(&self, address: IpAddr) -> bool {
        self.0.iter().any(|net| net.contains(&address))
    }
}

/// The address a request comes from: the connecting address, or, when that is a trusted proxy,
/// the last address it forwarded that is not itself a trusted proxy. `None` for a request that
/// did not come over a connection (in-process tests).
pub fn client_address(parts: &Parts, proxies: &TrustedProxies) -> Option<IpAddr> {
    let peer = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()?
        .0
        .ip()
        .to_canonical();
    if !proxies.trusts(peer) {
        return Some(peer);
    }
    let forwarded = parts
        .headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect::<Vec<_>>();
    let found = forwarded
        .iter()
        .rev()
        // A forwarded list longer than any real chain of proxies is not read further.
        .take(16)
        .filter_map(|item| item.parse::<IpAddr>().ok())
        .map(|address| address.to_canonical())
        .find(|address| !proxies.trusts(*address));
    Some(found.unwrap_or(peer))
}

/// The narrow and wide networks of an address.
fn networks(address: IpAddr) -> [(u8, IpNet); 2] {
    let prefix = |len: u8| {
        IpNet::new(address, len)
            .expect("prefix lengths fit the address family")
            .trunc()
    };
    match address {
        IpAddr::V4(_) => [(0, prefix(32)), (1, prefix(24))],
        IpAddr::V6(_) => [(0, prefix(64)), (1, prefix(48))],
    }
}

/// The wide network of an address (an IPv4 /24, an IPv6 /48), as bursts of comments are grouped.
pub fn wide_network(address: IpAddr) -> IpNet {
    networks(address)[1].1
}

/// The network a sign-in lock applies to (an IPv4 /24, an IPv6 /64), as a keyed hash made with a
/// key chosen at random when the process starts. Requests not over a connection share one.
pub fn lock_network(address: Option<IpAddr>) -> opendocket_core::lockouts::NetworkId {
    static KEY: std::sync::OnceLock<std::collections::hash_map::RandomState> =
        std::sync::OnceLock::new();
    let hasher = KEY.get_or_init(Default::default);
    let id = match address {
        None => 0,
        Some(address @ IpAddr::V4(_)) => hasher.hash_one(networks(address)[1].1) | 1,
        Some(address @ IpAddr::V6(_)) => hasher.hash_one(networks(address)[0].1) | 1,
    };
    opendocket_core::lockouts::NetworkId(id)
}

/// A soft and a hard limit, each a number of requests a minute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    pub soft: u32,
    pub hard: u32,
}

/// What a network's request count says about one more request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Allowed,
    /// Past the soft limit: accepted, with a flag for the moderator.
    Crowded,
    /// Past the hard limit: refused; try again after this long.
    Refused(Duration),
}

struct Minutes {
    started: Instant,
    current: HashMap<u64, u32>,
    previous: HashMap<u64, u32>,
}

/// Request counts for one kind of request (comments, sign-ins, expensive reads), with a limit for
/// the narrow networks and one for the wide ones.
pub struct NetworkLimits {
    narrow: Limit,
    wide: Limit,
    hasher: std::collections::hash_map::RandomState,
    minutes: Mutex<Minutes>,
    /// Distinct networks remembered in one minute; past it, new networks are counted as one.
    capacity: usize,
}

const MINUTE: Duration = Duration::from_secs(60);

impl NetworkLimits {
    pub fn new(narrow: Limit, wide: Limit) -> Self {
        Self {
            narrow,
            wide,
            // A key made at random for this process: the map's keys are hashes that cannot be
            // turned back into addresses, and differ from one start to the next.
            hasher: std::collections::hash_map::RandomState::new(),
            minutes: Mutex::new(Minutes {
                started: Instant::now(),
                current: HashMap::new(),
                previous: HashMap::new(),
            }),
            capacity: 200_000,
        }
    }

    /// Counts one request from `address` (`None`: not over a connection, not counted) and says
    /// what may be done with it.
    pub fn check(&self, address: Option<IpAddr>) -> Verdict {
        self.check_at(address, Instant::now())
    }

    /// What one more request from `address` would be told, without counting it.
    pub fn peek(&self, address: Option<IpAddr>) -> Verdict {
        self.count_at(address, Instant::now(), false)
    }

    fn check_at(&self, address: Option<IpAddr>, now: Instant) -> Verdict {
        self.count_at(address, now, true)
    }

    fn count_at(&self, address: Option<IpAddr>, now: Instant, count: bool) -> Verdict {
        let Some(address) = address else {
            return Verdict::Allowed;
        };
        let keys = networks(address).map(|(level, net)| self.hasher.hash_one((level, net)));
        let mut minutes = self.minutes.lock().unwrap_or_else(|e| e.into_inner());
        let elapsed = now.saturating_duration_since(minutes.started);
        if elapsed >= MINUTE {
            let previous = std::mem::take(&mut minutes.current);
            minutes.previous = if elapsed < 2 * MINUTE {
                previous
            } else {
                HashMap::new()
            };
            minutes.started =
                now - Duration::from_nanos((elapsed.as_nanos() % MINUTE.as_nanos()) as u64);
        }
        let into_minute = now.saturating_duration_since(minutes.started).as_secs_f64() / 60.0;
        // Every request counts against both networks, refused ones too: a flood pays for itself.
        let mut verdict = Verdict::Allowed;
        for (key, limit) in keys.into_iter().zip([self.narrow, self.wide]) {
            let full = minutes.current.len() >= self.capacity;
            let key = if full && !minutes.current.contains_key(&key) {
                0
            } else {
                key
            };
            let previous = minutes.previous.get(&key).copied().unwrap_or(0);
            let current = match count {
                true => {
                    let slot = minutes.current.entry(key).or_insert(0);
                    *slot = slot.saturating_add(1);
                    *slot
                }
                false => minutes.current.get(&key).copied().unwrap_or(0) + 1,
            };
            let estimate = f64::from(previous) * (1.0 - into_minute) + f64::from(current);
            if estimate > f64::from(limit.hard) {
                // Waiting out the rest of this minute brings the estimate under the limit.
                let wait = MINUTE.saturating_sub(now.saturating_duration_since(minutes.started));
                verdict = Verdict::Refused(wait.max(Duration::from_secs(1)));
            } else if estimate > f64::from(limit.soft) && verdict == Verdict::Allowed {
                verdict = Verdict::Crowded;
            }
        }
        verdict
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::Request;

    fn parts(peer: &str, forwarded: Option<&str>) -> Parts {
        let mut request = Request::get("/");
        if let Some(forwarded) = forwarded {
            request = request.header("x-forwarded-for", forwarded);
        }
        let (mut parts, _) = request.body(()).unwrap().into_parts();
        parts
            .extensions
            .insert(ConnectInfo(peer.parse::<SocketAddr>().unwrap()));
        parts
    }

    fn ip(s: &str) -> Option<IpAddr> {
        Some(s.parse().unwrap())
    }

    #[test]
    fn forwarded_addresses_are_believed_only_from_trusted_proxies() {
        let proxies = TrustedProxies::parse("10.0.0.0/8, ::1").unwrap();
        let none = TrustedProxies::default();
        let forged = parts("203.0.113.9:5000", Some("198.51.100.1"));
        assert_eq!(client_address(&forged, &proxies), ip("203.0.113.9"));
        let proxied = parts("10.1.2.3:5000", Some("198.51.100.1, 10.0.0.7"));
        assert_eq!(client_address(&proxied, &proxies), ip("198.51.100.1"));
        assert_eq!(client_address(&proxied, &none), ip("10.1.2.3"));
        let garbage = parts("10.1.2.3:5000", Some("not an address"));
        assert_eq!(client_address(&garbage, &proxies), ip("10.1.2.3"));
        let mapped = parts("[::ffff:192.0.2.1]:80", None);
        assert_eq!(client_address(&mapped, &none), ip("192.0.2.1"));
        let long = parts("10.1.2.3:5000", Some(&vec!["10.0.0.1"; 10_000].join(",")));
        assert_eq!(client_address(&long, &proxies), ip("10.1.2.3"));
        assert!(TrustedProxies::parse("10.0.0.0/33").is_err());
        assert!(TrustedProxies::parse("").unwrap().0.is_empty());
    }

    #[test]
    fn past_the_soft_limit_is_crowded_and_past_the_hard_limit_refused() {
        let limits = NetworkLimits::new(Limit { soft: 3, hard: 5 }, Limit { soft: 8, hard: 10 });
        let t0 = Instant::now();
        let one = ip("192.0.2.1");
        let verdicts: Vec<_> = (0..7).map(|_| limits.check_at(one, t0)).collect();
        assert_eq!(&verdicts[..3], &[Verdict::Allowed; 3]);
        assert_eq!(&verdicts[3..5], &[Verdict::Crowded; 2]);
        assert!(matches!(verdicts[5], Verdict::Refused(_)));
        assert!(matches!(
            limits.count_at(one, t0, false),
            Verdict::Refused(_)
        ));
        // A neighbour in the same /24 shares the wide count (7 so far, refused ones included).
        assert_eq!(limits.check_at(ip("192.0.2.2"), t0), Verdict::Allowed);
        assert_eq!(limits.check_at(ip("192.0.2.2"), t0), Verdict::Crowded);
        // Another /24 is not affected.
        assert_eq!(limits.check_at(ip("192.0.3.1"), t0), Verdict::Allowed);
        // Two minutes later everything is forgotten.
        assert_eq!(limits.check_at(one, t0 + 2 * MINUTE), Verdict::Allowed);
        // Looking does not count.
        let other = ip("198.51.100.7");
        assert!((0..100).all(|_| limits.peek(other) == Verdict::Allowed));
        assert_eq!(limits.check_at(other, t0), Verdict::Allowed);
        // Not over a connection: not counted.
        assert!((0..100).all(|_| limits.check_at(None, t0) == Verdict::Allowed));
    }

    #[test]
    fn the_last_minute_still_counts_as_it_slides_away() {
        let limits = NetworkLimits::new(
            Limit {
                soft: 100,
                hard: 10,
            },
            Limit {
                soft: 100,
                hard: 1000,
            },
        );
        let t0 = Instant::now();
        let one = ip("2001:db8::1");
        for _ in 0..10 {
            assert_eq!(limits.check_at(one, t0), Verdict::Allowed);
        }
        // Just into the next minute, last minute's ten still weigh almost fully.
        assert!(matches!(
            limits.check_at(one, t0 + MINUTE + Duration::from_secs(1)),
            Verdict::Refused(_)
        ));
        // The same /64 is the same narrow network.
        assert!(matches!(
            limits.check_at(ip("2001:db8::ffff"), t0 + MINUTE + Duration::from_secs(2)),
            Verdict::Refused(_)
        ));
    }

    #[test]
    fn a_flood_of_distinct_networks_is_bounded_in_memory() {
        let mut limits =
            NetworkLimits::new(Limit { soft: 5, hard: 10 }, Limit { soft: 5, hard: 10 });
        limits.capacity = 100;
        let t0 = Instant::now();
        for i in 0..10_000u32 {
            let address = IpAddr::from(std::net::Ipv4Addr::from(0x0a00_0000 + (i << 8)));
            let _ = limits.check_at(Some(address), t0);
        }
        let minutes = limits.minutes.lock().unwrap();
        assert!(minutes.current.len() <= 101);
    }
}
