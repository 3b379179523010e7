//! Sign-in lock-outs by network: repeated wrong passwords for an account lock that account for
//! the network they came from only, so an attacker cannot keep its owner out from elsewhere.
//! Kept in this process's memory; an admin's unlock (stored with the account) ends every lock
//! made before it, on every instance.

use chrono::{DateTime, Duration, Utc};
use std::collections::HashMap;
use std::sync::Mutex;

/// Wrong passwords for one account from one network, within `FAILURE_WINDOW`, before a lock.
pub const MAX_FAILED_SIGN_INS: u32 = 5;
/// How long failures are remembered, and how long a lock lasts.
pub const FAILURE_WINDOW: Duration = Duration::minutes(15);
pub const LOCK_OUT: Duration = Duration::minutes(15);
/// (network, account) pairs remembered; past it the memory is cleared and counting starts again.
const CAPACITY: usize = 100_000;

/// A network as a keyed hash (the server makes it from the address's /24 or /64; never the
/// address itself). Requests that did not come over a network share `NetworkId(0)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct NetworkId(pub u64);

#[derive(Debug, Clone, Copy)]
struct Failures {
    count: u32,
    first_at: DateTime<Utc>,
    locked_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Default)]
pub struct SignInLockouts {
    failures: Mutex<HashMap<(NetworkId, i64), Failures>>,
}

impl SignInLockouts {
    /// Until when `account` is locked for `network`, if it is (locks made before the account's
    /// last unlock do not count).
    pub fn locked_until(
        &self,
        network: NetworkId,
        account: i64,
        unlocked_at: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Option<DateTime<Utc>> {
        let failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        let locked_at = failures.get(&(network, account))?.locked_at?;
        let until = locked_at + LOCK_OUT;
        (until > now && unlocked_at.is_none_or(|unlocked| unlocked < locked_at)).then_some(until)
    }

    /// Counts a wrong password; returns the end of the lock it starts, if it starts one.
    pub fn fail(
        &self,
        network: NetworkId,
        account: i64,
        unlocked_at: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Option<DateTime<Utc>> {
        let mut failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        if failures.len() >= CAPACITY && !failures.contains_key(&(network, account)) {
            failures.clear();
        }
        let entry = failures.entry((network, account)).or_insert(Failures {
            count: 0,
            first_at: now,
            locked_at: None,
        });
        let stale = now - entry.first_at > FAILURE_WINDOW
            || unlocked_at.is_some_and(|unlocked| unlocked > entry.first_at);
        if stale {
            *entry = Failures {
                count: 0,
                first_at: now,
                locked_at: None,
            };
        }
        entry.count += 1;
        if entry.count >= MAX_FAILED_SIGN_INS && entry.locked_at.is_none() {
            entry.locked_at = Some(now);
            return Some(now + LOCK_OUT);
        }
        None
    }

    /// A good password from `network` forgets its failures for the account.
    pub fn succeed(&self, network: NetworkId, account: i64) {
        let mut failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        failures.remove(&(network, account));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(minutes: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_700_000_000, 0).unwrap() + Duration::minutes(minutes)
    }

    #[test]
    fn five_failures_lock_the_account_for_that_network_only() {
        let locks = SignInLockouts::default();
        let (attacker, owner) = (NetworkId(1), NetworkId(2));
        for _ in 0..4 {
            assert_eq!(locks.fail(attacker, 7, None, at(0)), None);
        }
        assert_eq!(locks.fail(attacker, 7, None, at(1)), Some(at(16)));
        assert_eq!(locks.locked_until(attacker, 7, None, at(2)), Some(at(16)));
        assert_eq!(locks.locked_until(owner, 7, None, at(2)), None);
        assert_eq!(locks.locked_until(attacker, 8, None, at(2)), None);
        assert_eq!(
            locks.locked_until(attacker, 7, None, at(16)),
            None,
            "it ends"
        );
    }

    #[test]
    fn an_unlock_ends_earlier_locks_and_old_failures_are_forgotten() {
        let locks = SignInLockouts::default();
        let net = NetworkId(1);
        for _ in 0..5 {
            locks.fail(net, 7, None, at(0));
        }
        assert!(locks.locked_until(net, 7, None, at(1)).is_some());
        assert_eq!(locks.locked_until(net, 7, Some(at(1)), at(2)), None);
        // Failures older than the window start over.
        let locks = SignInLockouts::default();
        for minute in [0, 5, 10, 20, 21] {
            assert_eq!(locks.fail(net, 7, None, at(minute)), None, "{minute}");
        }
        locks.succeed(net, 7);
        for _ in 0..4 {
            assert_eq!(locks.fail(net, 7, None, at(22)), None);
        }
    }
}
