//! Per-task throughput and CPU-share limits, enforced inside the task loops.
//!
//! Each limit is a token bucket. Records and bytes are charged when a task takes a batch in (a
//! source's polled batch, a sink's consumed batch); the wall time of every plugin call (`poll`,
//! `put`, `flush`, `commit`, the transform chain) is charged to the CPU-share bucket. A charge
//! may drive a bucket into debt; the task loop then waits until the debt is paid, in short
//! [`TaskControl::sleep`](super::TaskControl::sleep) steps so stop, pause and offset commits stay
//! responsive.
//!
//! The bucket is written here rather than taken from `governor`: governor's `until_n_ready`
//! refuses a cost larger than the burst (`InsufficientCapacity`), and a batch's byte count
//! routinely exceeds one second's worth of a bytes-per-second limit. Here a charge above the burst
//! is accepted and paid back by waiting longer.

use std::time::{Duration, Instant};

/// Longest wait a single charge can ask for, so a tiny rate cannot overflow `Instant` arithmetic.
const MAX_WAIT: Duration = Duration::from_secs(24 * 60 * 60);

/// Longest single sleep of a throttled task loop: between steps the loop commits offsets, keeps
/// its consumer polled and notices pause.
pub(crate) const THROTTLE_STEP: Duration = Duration::from_secs(1);

/// How much unused CPU time a task may save up, at a share of one full core.
const CPU_BURST_AT_FULL_SHARE: Duration = Duration::from_millis(100);

/// Throughput and CPU limits of one task; `None` means unlimited.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TaskLimits {
    /// Records per second the task may take in (polled by a source, consumed by a sink); must be
    /// finite and positive.
    pub records_per_second: Option<f64>,
    /// Bytes per second the task may take in (serialized key + value: produced by a source,
    /// consumed by a sink); must be finite and positive.
    pub bytes_per_second: Option<f64>,
    /// Fraction of one core the task's plugin calls may use, in (0, 1]: the wall time spent inside
    /// plugin calls is limited to this many seconds per second.
    pub cpu_share: Option<f64>,
}

/// A limit in [`TaskLimits`] that cannot be enforced.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum InvalidLimit {
    /// A rate that is zero, negative, infinite or NaN.
    #[error("{name} must be a finite number greater than 0, got {value}")]
    NotPositive {
        /// The limit's name (`records_per_second`, …).
        name: &'static str,
        /// The value given.
        value: f64,
    },
    /// A CPU share outside (0, 1].
    #[error("cpu_share must be greater than 0 and at most 1 (one core), got {0}")]
    CpuShareOutOfRange(f64),
}

impl TaskLimits {
    /// True when no limit is set.
    pub fn is_unlimited(&self) -> bool {
        self.records_per_second.is_none()
            && self.bytes_per_second.is_none()
            && self.cpu_share.is_none()
    }

    /// Check that every set limit can be enforced.
    pub fn validate(&self) -> Result<(), InvalidLimit> {
        for (name, value) in [
            ("records_per_second", self.records_per_second),
            ("bytes_per_second", self.bytes_per_second),
        ] {
            if let Some(value) = value
                && !(value.is_finite() && value > 0.0)
            {
                return Err(InvalidLimit::NotPositive { name, value });
            }
        }
        if let Some(share) = self.cpu_share
            && !(share > 0.0 && share <= 1.0)
        {
            return Err(InvalidLimit::CpuShareOutOfRange(share));
        }
        Ok(())
    }
}

/// A token bucket whose tokens may go negative: a charge larger than what is available (even
/// larger than the burst) is accepted, and the caller waits until the debt is paid back.
#[derive(Clone, Debug)]
pub struct TokenBucket {
    /// Tokens added per second.
    rate: f64,
    /// Most tokens the bucket holds.
    burst: f64,
    /// Tokens available as of `last`; negative while in debt.
    tokens: f64,
    /// When `tokens` was last brought up to date.
    last: Instant,
}

impl TokenBucket {
    /// A full bucket adding `rate` tokens per second, holding at most `burst`. `rate` must be
    /// positive and finite (see [`TaskLimits::validate`]).
    pub fn new(rate: f64, burst: f64, now: Instant) -> TokenBucket {
        TokenBucket {
            rate,
            burst,
            tokens: burst,
            last: now,
        }
    }

    /// Charge `cost` tokens now; how long the caller must wait before going on.
    pub fn take(&mut self, cost: f64) -> Duration {
        self.take_at(cost, Instant::now())
    }

    /// Charge `cost` tokens at `now`; how long after `now` the caller must wait before going on.
    /// A `now` earlier than a previous charge refills nothing.
    pub fn take_at(&mut self, cost: f64, now: Instant) -> Duration {
        let elapsed = now.saturating_duration_since(self.last).as_secs_f64();
        self.tokens = (self.tokens + elapsed * self.rate).min(self.burst) - cost;
        self.last = self.last.max(now);
        if self.tokens >= 0.0 {
            return Duration::ZERO;
        }
        Duration::try_from_secs_f64(-self.tokens / self.rate)
            .unwrap_or(MAX_WAIT)
            .min(MAX_WAIT)
    }
}

/// Enforces one task's [`TaskLimits`]: charges return waits, and the throttle remembers until
/// when the task must hold off (see [`TaskThrottle::remaining`]).
#[derive(Debug)]
pub struct TaskThrottle {
    records: Option<TokenBucket>,
    bytes: Option<TokenBucket>,
    cpu: Option<TokenBucket>,
    /// When every bucket's debt is paid; `None` when there is none.
    hold_until: Option<Instant>,
    /// Whether the first throttling was logged.
    logged: bool,
}

impl TaskThrottle {
    /// A throttle for `limits`, with full buckets.
    pub fn new(limits: &TaskLimits) -> Result<TaskThrottle, InvalidLimit> {
        TaskThrottle::new_at(limits, Instant::now())
    }

    /// A throttle for `limits`, with buckets full at `now`. Bursts: one second of rate for
    /// records and bytes, 100 ms × share of plugin time for the CPU share.
    pub fn new_at(limits: &TaskLimits, now: Instant) -> Result<TaskThrottle, InvalidLimit> {
        limits.validate()?;
        let per_second = |rate: f64| TokenBucket::new(rate, rate, now);
        Ok(TaskThrottle {
            records: limits.records_per_second.map(per_second),
            bytes: limits.bytes_per_second.map(per_second),
            cpu: limits.cpu_share.map(|share| {
                TokenBucket::new(share, CPU_BURST_AT_FULL_SHARE.as_secs_f64() * share, now)
            }),
            hold_until: None,
            logged: false,
        })
    }

    /// True when no limit is set: every charge is free and reads no clock.
    pub fn is_unlimited(&self) -> bool {
        self.records.is_none() && self.bytes.is_none() && self.cpu.is_none()
    }

    /// Charge `count` records of `bytes` bytes in total; how long the task must wait.
    pub fn records(&mut self, count: usize, bytes: usize) -> Duration {
        if self.records.is_none() && self.bytes.is_none() {
            return Duration::ZERO;
        }
        self.records_at(count, bytes, Instant::now())
    }

    /// Charge `count` records of `bytes` bytes at `now`; how long after `now` the task must wait.
    pub fn records_at(&mut self, count: usize, bytes: usize, now: Instant) -> Duration {
        let records_wait = self
            .records
            .as_mut()
            .map_or(Duration::ZERO, |b| b.take_at(count as f64, now));
        let bytes_wait = self
            .bytes
            .as_mut()
            .map_or(Duration::ZERO, |b| b.take_at(bytes as f64, now));
        if bytes_wait > records_wait {
            self.hold(bytes_wait, now, "bytes_per_second")
        } else {
            self.hold(records_wait, now, "records_per_second")
        }
    }

    /// Charge `busy`, the wall time of a plugin call that just ended, to the CPU share; how long
    /// the task must wait.
    pub fn plugin_time(&mut self, busy: Duration) -> Duration {
        if self.cpu.is_none() {
            return Duration::ZERO;
        }
        self.plugin_time_at(busy, Instant::now())
    }

    /// Charge `busy`, the wall time of a plugin call that ended at `ended`; how long after
    /// `ended` the task must wait. The call is charged as of its start, so the plugin time it
    /// spent is not also counted as idle time that refills the bucket.
    pub fn plugin_time_at(&mut self, busy: Duration, ended: Instant) -> Duration {
        let Some(cpu) = self.cpu.as_mut() else {
            return Duration::ZERO;
        };
        let started = ended.checked_sub(busy).unwrap_or(ended);
        let ready_at = started + cpu.take_at(busy.as_secs_f64(), started);
        self.hold(
            ready_at.saturating_duration_since(ended),
            ended,
            "cpu_share",
        )
    }

    /// Run the plugin call `f`, charging its wall time to the CPU share (reading no clock when
    /// there is no CPU share). The wait it causes shows in [`TaskThrottle::remaining`].
    pub fn time<T>(&mut self, f: impl FnOnce() -> T) -> T {
        if self.cpu.is_none() {
            return f();
        }
        let start = Instant::now();
        let value = f();
        let ended = Instant::now();
        self.plugin_time_at(ended.saturating_duration_since(start), ended);
        value
    }

    /// How long the task must still wait for the charges so far.
    pub fn remaining(&mut self) -> Duration {
        match self.hold_until {
            None => Duration::ZERO,
            Some(_) => self.remaining_at(Instant::now()),
        }
    }

    /// How long after `now` the task must still wait for the charges so far.
    pub fn remaining_at(&mut self, now: Instant) -> Duration {
        let Some(until) = self.hold_until else {
            return Duration::ZERO;
        };
        let left = until.saturating_duration_since(now);
        if left.is_zero() {
            self.hold_until = None;
        }
        left
    }

    /// Remember that the task must wait `wait` after `now` (`limit` caused it); returns `wait`.
    fn hold(&mut self, wait: Duration, now: Instant, limit: &'static str) -> Duration {
        if wait.is_zero() {
            return wait;
        }
        let until = now.checked_add(wait).unwrap_or(now);
        self.hold_until = Some(self.hold_until.map_or(until, |held| held.max(until)));
        if !self.logged {
            self.logged = true;
            tracing::debug!(
                limit,
                wait_ms = wait.as_millis() as u64,
                "task throttled: {limit} reached"
            );
        }
        wait
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    /// Waits computed from decimal shares (the CPU burst is 0.1 s × share) are exact to a few
    /// nanoseconds, not to the bit.
    fn assert_close(actual: Duration, expected: Duration) {
        let diff = actual.abs_diff(expected);
        assert!(
            diff <= Duration::from_micros(1),
            "expected {expected:?}, got {actual:?}"
        );
    }

    fn limits(records: Option<f64>, bytes: Option<f64>, cpu: Option<f64>) -> TaskLimits {
        TaskLimits {
            records_per_second: records,
            bytes_per_second: bytes,
            cpu_share: cpu,
        }
    }

    #[test]
    fn bucket_allows_the_burst_then_makes_the_caller_wait() {
        let t0 = Instant::now();
        let mut bucket = TokenBucket::new(10.0, 10.0, t0);
        assert_eq!(bucket.take_at(10.0, t0), Duration::ZERO);
        assert_eq!(bucket.take_at(5.0, t0), ms(500));
        // Half a second later the debt of 5 tokens is paid: the next token costs 100 ms.
        assert_eq!(bucket.take_at(1.0, t0 + ms(500)), ms(100));
    }

    #[test]
    fn bucket_accepts_a_cost_above_the_burst() {
        let t0 = Instant::now();
        let mut bucket = TokenBucket::new(1000.0, 1000.0, t0);
        // 5000 bytes against a burst of 1000: 4000 bytes of debt, four seconds.
        assert_eq!(bucket.take_at(5000.0, t0), Duration::from_secs(4));
        // Once the debt is paid the bucket is empty: 500 more bytes cost half a second.
        assert_eq!(bucket.take_at(500.0, t0 + Duration::from_secs(4)), ms(500));
    }

    #[test]
    fn bucket_refills_at_most_the_burst() {
        let t0 = Instant::now();
        let mut bucket = TokenBucket::new(4.0, 4.0, t0);
        assert_eq!(bucket.take_at(4.0, t0), Duration::ZERO);
        // An hour idle saves up 4 tokens, not 14 400.
        let later = t0 + Duration::from_secs(3600);
        assert_eq!(bucket.take_at(6.0, later), ms(500));
    }

    #[test]
    fn bucket_ignores_a_clock_going_backwards() {
        let t0 = Instant::now();
        let t1 = t0 + Duration::from_secs(1);
        let mut bucket = TokenBucket::new(2.0, 2.0, t0);
        assert_eq!(bucket.take_at(2.0, t1), Duration::ZERO);
        assert_eq!(bucket.take_at(1.0, t0), ms(500));
    }

    #[test]
    fn a_tiny_rate_waits_at_most_a_day() {
        let t0 = Instant::now();
        let mut bucket = TokenBucket::new(1e-300, 1e-300, t0);
        assert_eq!(bucket.take_at(1e10, t0), MAX_WAIT);
    }

    #[test]
    fn ten_records_per_second_waits_one_second_for_twenty_records() {
        let t0 = Instant::now();
        let mut throttle = TaskThrottle::new_at(&limits(Some(10.0), None, None), t0).unwrap();
        assert_eq!(throttle.records_at(20, 1 << 20, t0), Duration::from_secs(1));
        assert_eq!(throttle.remaining_at(t0), Duration::from_secs(1));
        assert_eq!(throttle.remaining_at(t0 + ms(250)), ms(750));
        assert_eq!(
            throttle.remaining_at(t0 + Duration::from_secs(1)),
            Duration::ZERO
        );
    }

    #[test]
    fn the_slower_of_records_and_bytes_decides_the_wait() {
        let t0 = Instant::now();
        let mut throttle =
            TaskThrottle::new_at(&limits(Some(100.0), Some(1000.0), None), t0).unwrap();
        // 50 records are within the record burst; 3000 bytes are 2000 over the byte burst.
        assert_eq!(throttle.records_at(50, 3000, t0), Duration::from_secs(2));
        // 150 more records 2 s later, against a full record bucket: 50 records of debt (0.5 s);
        // the byte debt is paid off by then.
        let t2 = t0 + Duration::from_secs(2);
        assert_eq!(throttle.records_at(150, 0, t2), ms(500));
        assert_eq!(throttle.remaining_at(t2), ms(500));
    }

    #[test]
    fn waits_accumulate_over_charges_made_without_waiting() {
        let t0 = Instant::now();
        let mut throttle = TaskThrottle::new_at(&limits(Some(10.0), None, None), t0).unwrap();
        assert_eq!(throttle.records_at(15, 0, t0), ms(500));
        assert_eq!(throttle.records_at(5, 0, t0), Duration::from_secs(1));
        assert_eq!(throttle.remaining_at(t0), Duration::from_secs(1));
    }

    #[test]
    fn plugin_time_is_limited_to_the_cpu_share() {
        let t0 = Instant::now();
        let mut throttle = TaskThrottle::new_at(&limits(None, None, Some(0.5)), t0).unwrap();
        // A 200 ms call from t0: 0.2 s charged against a 0.05 s burst at 0.5 s/s means the next
        // call may start 0.3 s after t0, 0.1 s after this one ended.
        let end = t0 + ms(200);
        assert_close(throttle.plugin_time_at(ms(200), end), ms(100));
        // The next 200 ms call starts at t0 + 300 ms with an empty bucket: 0.4 s of rate, so
        // 200 ms after it ended. Steady state: busy 200 ms of every 400 ms, half a core.
        let end = t0 + ms(500);
        assert_close(throttle.plugin_time_at(ms(200), end), ms(200));
        assert_close(throttle.remaining_at(end), ms(200));
    }

    #[test]
    fn short_plugin_calls_fit_in_the_cpu_burst() {
        let t0 = Instant::now();
        let mut throttle = TaskThrottle::new_at(&limits(None, None, Some(1.0)), t0).unwrap();
        assert_eq!(throttle.plugin_time_at(ms(50), t0 + ms(50)), Duration::ZERO);
        assert_eq!(throttle.plugin_time_at(ms(40), t0 + ms(90)), Duration::ZERO);
        assert_eq!(throttle.remaining_at(t0 + ms(90)), Duration::ZERO);
    }

    #[test]
    fn unlimited_charges_nothing() {
        let t0 = Instant::now();
        let mut throttle = TaskThrottle::new_at(&TaskLimits::default(), t0).unwrap();
        assert!(throttle.is_unlimited());
        assert_eq!(throttle.records_at(1_000_000, 1 << 30, t0), Duration::ZERO);
        assert_eq!(
            throttle.plugin_time_at(Duration::from_secs(10), t0),
            Duration::ZERO
        );
        assert_eq!(throttle.time(|| 42), 42);
        assert_eq!(throttle.remaining(), Duration::ZERO);
    }

    #[test]
    fn records_limits_do_not_charge_plugin_time() {
        let t0 = Instant::now();
        let mut throttle = TaskThrottle::new_at(&limits(Some(1.0), None, None), t0).unwrap();
        assert_eq!(
            throttle.plugin_time_at(Duration::from_secs(10), t0),
            Duration::ZERO
        );
        assert_eq!(throttle.time(|| "called"), "called");
        assert_eq!(throttle.remaining_at(t0), Duration::ZERO);
    }

    #[test]
    fn invalid_limits_are_rejected() {
        assert!(TaskLimits::default().is_unlimited());
        assert!(!limits(None, None, Some(1.0)).is_unlimited());
        assert_eq!(limits(Some(5.0), Some(1e6), Some(1.0)).validate(), Ok(()));
        assert_eq!(
            limits(Some(0.0), None, None).validate(),
            Err(InvalidLimit::NotPositive {
                name: "records_per_second",
                value: 0.0
            })
        );
        assert!(matches!(
            limits(None, Some(f64::INFINITY), None).validate(),
            Err(InvalidLimit::NotPositive {
                name: "bytes_per_second",
                ..
            })
        ));
        assert!(limits(None, Some(f64::NAN), None).validate().is_err());
        assert_eq!(
            limits(None, None, Some(1.5)).validate(),
            Err(InvalidLimit::CpuShareOutOfRange(1.5))
        );
        assert!(limits(None, None, Some(0.0)).validate().is_err());
        assert!(limits(None, None, Some(f64::NAN)).validate().is_err());
        assert!(TaskThrottle::new(&limits(None, None, Some(-0.1))).is_err());
    }
}
