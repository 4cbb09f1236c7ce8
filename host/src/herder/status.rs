//! Connector and task states, shared between the thread running a task and the herder.

use std::sync::{Arc, Mutex};

use serde::Serialize;

/// Kafka Connect's states.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ConnectorState {
    /// Not yet started.
    Unassigned,
    /// Running.
    Running,
    /// Paused by the user.
    Paused,
    /// Stopped by the user (config kept).
    Stopped,
    /// Failed; `trace` says why.
    Failed,
    /// Being restarted.
    Restarting,
}

impl ConnectorState {
    /// Kafka's name: `RUNNING`, `FAILED`, ….
    pub fn name(self) -> &'static str {
        match self {
            ConnectorState::Unassigned => "UNASSIGNED",
            ConnectorState::Running => "RUNNING",
            ConnectorState::Paused => "PAUSED",
            ConnectorState::Stopped => "STOPPED",
            ConnectorState::Failed => "FAILED",
            ConnectorState::Restarting => "RESTARTING",
        }
    }

    /// The state called `name` (Kafka's names).
    pub fn from_name(name: &str) -> Option<ConnectorState> {
        [
            ConnectorState::Unassigned,
            ConnectorState::Running,
            ConnectorState::Paused,
            ConnectorState::Stopped,
            ConnectorState::Failed,
            ConnectorState::Restarting,
        ]
        .into_iter()
        .find(|s| s.name() == name)
    }
}

/// The state of one connector or task, updated by whoever runs it.
#[derive(Clone, Debug, Default)]
pub struct StatusCell {
    inner: Arc<Mutex<(Option<ConnectorState>, Option<String>)>>,
}

impl StatusCell {
    /// A cell in state UNASSIGNED.
    pub fn new() -> StatusCell {
        StatusCell::default()
    }

    /// Set a state without a trace.
    pub fn set(&self, state: ConnectorState) {
        self.store(state, None);
    }

    /// Mark FAILED with `trace`.
    pub fn fail(&self, trace: impl Into<String>) {
        self.store(ConnectorState::Failed, Some(trace.into()));
    }

    fn store(&self, state: ConnectorState, trace: Option<String>) {
        let mut guard = match self.inner.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        *guard = (Some(state), trace);
    }

    /// The current state and trace.
    pub fn get(&self) -> (ConnectorState, Option<String>) {
        let guard = match self.inner.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        (
            guard.0.unwrap_or(ConnectorState::Unassigned),
            guard.1.clone(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_shared_and_serialize_like_kafka() {
        let cell = StatusCell::new();
        assert_eq!(cell.get().0, ConnectorState::Unassigned);
        let other = cell.clone();
        other.fail("boom");
        assert_eq!(
            cell.get(),
            (ConnectorState::Failed, Some("boom".to_string()))
        );
        assert_eq!(
            serde_json::to_string(&ConnectorState::Running)
                .ok()
                .as_deref(),
            Some("\"RUNNING\"")
        );
    }
}
