//! The source of "now" for every rule and job, injectable so tests can cross a deadline without waiting.

use chrono::{DateTime, Utc};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use tokio::sync::watch;

pub type ClockSleep<'a> = Pin<Box<dyn Future<Output = ()> + Send + 'a>>;

pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> DateTime<Utc>;
    /// Resolves once `now() >= deadline`.
    fn sleep_until(&self, deadline: DateTime<Utc>) -> ClockSleep<'_>;
}

pub type SharedClock = Arc<dyn Clock>;

/// The machine's wall clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

/// Longest single sleep: a long wait is cut into pieces so that a wall-clock adjustment
/// (NTP, a suspended VM) is noticed within a minute instead of after the whole wait.
const MAX_SLEEP: std::time::Duration = std::time::Duration::from_secs(60);

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }

    fn sleep_until(&self, deadline: DateTime<Utc>) -> ClockSleep<'_> {
        Box::pin(async move {
            loop {
                let remaining = match (deadline - Utc::now()).to_std() {
                    Ok(d) if !d.is_zero() => d,
                    _ => return,
                };
                tokio::time::sleep(remaining.min(MAX_SLEEP)).await;
            }
        })
    }
}

/// A clock that moves only when a test moves it.
#[derive(Debug, Clone)]
pub struct FakeClock {
    now: Arc<watch::Sender<DateTime<Utc>>>,
}

impl FakeClock {
    pub fn new(start: DateTime<Utc>) -> Self {
        Self {
            now: Arc::new(watch::Sender::new(start)),
        }
    }

    pub fn set(&self, instant: DateTime<Utc>) {
        self.now.send_replace(instant);
    }

    pub fn advance(&self, by: chrono::Duration) {
        self.now.send_modify(|t| *t += by);
    }
}

impl Clock for FakeClock {
    fn now(&self) -> DateTime<Utc> {
        *self.now.borrow()
    }

    fn sleep_until(&self, deadline: DateTime<Utc>) -> ClockSleep<'_> {
        let mut rx = self.now.subscribe();
        Box::pin(async move {
            // The sender lives as long as `self`, so this only ends by reaching the deadline.
            let _ = rx.wait_for(|now| *now >= deadline).await;
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    #[tokio::test]
    async fn fake_clock_sleep_ends_when_time_is_advanced_past_the_deadline() {
        let start = DateTime::parse_from_rfc3339("2023-04-14T03:59:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let clock = FakeClock::new(start);
        let deadline = start + Duration::seconds(59);
        let sleeper = {
            let clock = clock.clone();
            tokio::spawn(async move { clock.sleep_until(deadline).await })
        };
        clock.advance(Duration::seconds(30));
        tokio::task::yield_now().await;
        assert!(!sleeper.is_finished());
        clock.advance(Duration::seconds(29));
        tokio::time::timeout(std::time::Duration::from_secs(5), sleeper)
            .await
            .unwrap()
            .unwrap();
    }

    #[tokio::test]
    async fn system_clock_sleep_until_past_returns_at_once() {
        SystemClock
            .sleep_until(Utc::now() - Duration::seconds(1))
            .await;
    }
}
