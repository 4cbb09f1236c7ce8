//! Retries of retriable plugin errors (`errors.retry.timeout`, `errors.retry.delay.max.ms`), with
//! Kafka Connect's backoff: 300 ms doubling per attempt, capped at `errors.retry.delay.max.ms`,
//! never sleeping past the deadline.

use std::time::{Duration, Instant};

use super::TaskControl;
use crate::config::ConnectorConfig;
use crate::runtime::PluginCallError;

/// Kafka's `RetryWithToleranceOperator.RETRIES_DELAY_MIN_MS`.
const FIRST_DELAY: Duration = Duration::from_millis(300);

/// How long and how often a failed operation is reattempted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Give up after this long; `None` retries forever.
    pub timeout: Option<Duration>,
    /// Longest sleep between attempts.
    pub max_delay: Duration,
}

/// Why [`RetryPolicy::run`] gave up.
#[derive(Debug, thiserror::Error)]
pub enum RetryError {
    /// The error is not retriable (or the instance trapped).
    #[error("{0}")]
    Failed(PluginCallError),
    /// Retriable, but `errors.retry.timeout` ran out.
    #[error(
        "{error} (still failing after {attempts} attempts in {elapsed_ms} ms; errors.retry.timeout={timeout_ms})"
    )]
    Exhausted {
        /// The last error.
        error: PluginCallError,
        /// Attempts made.
        attempts: u32,
        /// Time spent.
        elapsed_ms: u128,
        /// The timeout.
        timeout_ms: u128,
    },
    /// The task was asked to stop while retrying.
    #[error("stopped while retrying: {0}")]
    Stopped(PluginCallError),
}

impl RetryPolicy {
    /// Retries of record operations (transformations): `errors.retry.timeout` as set, default 0.
    pub fn for_records(config: &ConnectorConfig) -> RetryPolicy {
        RetryPolicy::new(config.errors_retry_timeout_ms.unwrap_or(0), config)
    }

    /// Retries of a task's `put` / `poll`: `errors.retry.timeout` when the connector sets it,
    /// otherwise forever, which is what Kafka Connect does for a `RetriableException` there.
    pub fn for_task_calls(config: &ConnectorConfig) -> RetryPolicy {
        RetryPolicy::new(config.errors_retry_timeout_ms.unwrap_or(-1), config)
    }

    fn new(timeout_ms: i64, config: &ConnectorConfig) -> RetryPolicy {
        RetryPolicy {
            timeout: u64::try_from(timeout_ms).ok().map(Duration::from_millis),
            max_delay: Duration::from_millis(config.errors_retry_delay_max_ms.max(1)),
        }
    }

    /// The sleep before attempt `attempt + 1` (attempt counts from 1).
    pub fn delay(&self, attempt: u32) -> Duration {
        FIRST_DELAY
            .saturating_mul(1u32 << attempt.saturating_sub(1).min(20))
            .min(self.max_delay)
    }

    /// Call `op` until it succeeds, fails for good, the timeout runs out or the task stops.
    pub fn run<T>(
        &self,
        control: &TaskControl,
        what: &str,
        mut op: impl FnMut() -> Result<T, PluginCallError>,
    ) -> Result<T, RetryError> {
        let start = Instant::now();
        let mut attempts = 0u32;
        loop {
            attempts += 1;
            let error = match op() {
                Ok(value) => return Ok(value),
                Err(e) if !e.is_retriable() => return Err(RetryError::Failed(e)),
                Err(e) => e,
            };
            let elapsed = start.elapsed();
            let mut delay = self.delay(attempts);
            if let Some(timeout) = self.timeout {
                let left = timeout.saturating_sub(elapsed);
                if left.is_zero() {
                    return Err(RetryError::Exhausted {
                        error,
                        attempts,
                        elapsed_ms: elapsed.as_millis(),
                        timeout_ms: timeout.as_millis(),
                    });
                }
                delay = delay.min(left);
            }
            if control.stopping() {
                return Err(RetryError::Stopped(error));
            }
            tracing::warn!(
                attempt = attempts,
                delay_ms = delay.as_millis() as u64,
                "{what} failed with a retriable error, retrying: {error}"
            );
            control.sleep(delay);
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn retriable() -> PluginCallError {
        PluginCallError::Plugin {
            message: "busy".into(),
            retriable: true,
        }
    }

    fn policy(timeout_ms: Option<u64>, max_delay_ms: u64) -> RetryPolicy {
        RetryPolicy {
            timeout: timeout_ms.map(Duration::from_millis),
            max_delay: Duration::from_millis(max_delay_ms),
        }
    }

    #[test]
    fn delays_double_from_300_ms_up_to_the_cap() {
        let p = policy(None, 1000);
        let delays: Vec<u128> = (1..=5).map(|a| p.delay(a).as_millis()).collect();
        assert_eq!(delays, [300, 600, 1000, 1000, 1000]);
    }

    #[test]
    fn retries_until_success_within_the_timeout() {
        let control = TaskControl::default();
        let mut calls = 0;
        let out = policy(Some(10_000), 5).run(&control, "put", || {
            calls += 1;
            if calls <= 3 {
                Err(retriable())
            } else {
                Ok(calls)
            }
        });
        assert_eq!(out.unwrap(), 4);
    }

    #[test]
    fn zero_timeout_means_no_retry() {
        let control = TaskControl::default();
        let mut calls = 0;
        let out: Result<(), _> = policy(Some(0), 5).run(&control, "put", || {
            calls += 1;
            Err(retriable())
        });
        assert!(matches!(
            out,
            Err(RetryError::Exhausted { attempts: 1, .. })
        ));
        assert_eq!(calls, 1);
    }

    #[test]
    fn gives_up_when_the_timeout_runs_out() {
        let control = TaskControl::default();
        let out: Result<(), _> = policy(Some(50), 5).run(&control, "put", || Err(retriable()));
        let Err(RetryError::Exhausted { attempts, .. }) = out else {
            panic!("expected exhaustion, got {out:?}")
        };
        assert!(attempts > 1);
    }

    #[test]
    fn non_retriable_errors_are_not_retried() {
        let control = TaskControl::default();
        let mut calls = 0;
        let out: Result<(), _> = policy(None, 5).run(&control, "put", || {
            calls += 1;
            Err(PluginCallError::Trap("boom".into()))
        });
        assert!(matches!(out, Err(RetryError::Failed(_))));
        assert_eq!(calls, 1);
    }

    #[test]
    fn stop_ends_infinite_retries() {
        let control = TaskControl::default();
        control.stop();
        let out: Result<(), _> = policy(None, 5).run(&control, "put", || Err(retriable()));
        assert!(matches!(out, Err(RetryError::Stopped(_))));
    }
}
