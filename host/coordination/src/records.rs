//! The data the coordination protocol exchanges through the log: units of work, the records
//! workers append, and the assignments the leader proposes.

use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// A worker's identity: its REST advertised address as `host:port` (Kafka Connect's `worker_id`).
///
/// The protocol assumes that at most one process uses a given id at any time (two processes cannot
/// listen on the same `host:port`): a new incarnation of an id proves that the previous one is gone.
pub type WorkerId = String;

/// A unit of work the cluster assigns: a connector instance or one of its tasks.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Work {
    /// The connector instance itself (the object that computes task configurations).
    Connector(String),
    /// Task number `task` of connector `connector`.
    Task {
        /// The connector's name.
        connector: String,
        /// The task's number, from 0.
        task: u32,
    },
}

impl Work {
    /// The name of the connector this work belongs to.
    pub fn connector(&self) -> &str {
        match self {
            Work::Connector(connector) | Work::Task { connector, .. } => connector,
        }
    }

    /// Whether this is a connector instance (not a task). Connectors and tasks are balanced
    /// separately.
    pub fn is_connector(&self) -> bool {
        matches!(self, Work::Connector(_))
    }
}

/// Coordination records, carried in the config topic (the lead maps them to keys:
/// `worker-<id>` for Heartbeat/Leave, `assignment` for Assignment, `released-<id>` for Released;
/// values are their serde_json form). They are read back in log order by every worker.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum CoordinationRecord {
    /// "I am alive": written every `heartbeat_interval_ms` by every worker.
    Heartbeat {
        /// The writer.
        worker: WorkerId,
        /// The writer's incarnation (unique per process start).
        incarnation: String,
        /// The writer's REST URL (for forwarding requests to the leader).
        url: String,
        /// The writer's heartbeat counter in this incarnation, from 0.
        seq: u64,
    },
    /// Graceful stop (SIGTERM): written after the worker stopped all its work.
    Leave {
        /// The writer.
        worker: WorkerId,
        /// The incarnation that leaves.
        incarnation: String,
    },
    /// A proposal of the leader; accepted or ignored by every reader alike (see
    /// [`crate::Coordinator`] for the rule).
    Assignment(Assignment),
    /// The worker stopped `work` that assignment `generation` revoked from it.
    Released {
        /// The writer.
        worker: WorkerId,
        /// The writer's incarnation.
        incarnation: String,
        /// The generation of the accepted assignment the writer had applied when it wrote this.
        generation: u64,
        /// The work the writer no longer runs and gives back.
        work: Vec<Work>,
    },
}

impl CoordinationRecord {
    /// The config-topic key of this record: `worker-<id>` for [`Heartbeat`](Self::Heartbeat) and
    /// [`Leave`](Self::Leave), `assignment` for [`Assignment`](Self::Assignment), `released-<id>`
    /// for [`Released`](Self::Released). Compaction keeps the latest record of each key.
    pub fn key(&self) -> String {
        match self {
            CoordinationRecord::Heartbeat { worker, .. }
            | CoordinationRecord::Leave { worker, .. } => {
                format!("worker-{worker}")
            }
            CoordinationRecord::Assignment(_) => "assignment".to_owned(),
            CoordinationRecord::Released { worker, .. } => format!("released-{worker}"),
        }
    }
}

/// An assignment of work to the members of one generation, proposed by the leader.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Assignment {
    /// The generation; an assignment is only accepted if its generation is greater than the
    /// current one.
    pub generation: u64,
    /// The worker that proposed it (the leader in its own view).
    pub proposer: WorkerId,
    /// Members of this generation: worker -> (incarnation, url).
    pub members: BTreeMap<WorkerId, Member>,
    /// Work of each member in this generation.
    pub work: BTreeMap<WorkerId, BTreeSet<Work>>,
}

impl Assignment {
    /// The work this assignment gives to `worker` (empty if none).
    pub fn work_of(&self, worker: &str) -> impl Iterator<Item = &Work> {
        self.work.get(worker).into_iter().flatten()
    }

    /// The member this assignment gives `work` to, if any.
    pub fn owner_of(&self, work: &Work) -> Option<&WorkerId> {
        self.work
            .iter()
            .find(|(_, items)| items.contains(work))
            .map(|(worker, _)| worker)
    }

    /// Whether `worker` with `incarnation` is a member of this generation.
    pub fn has_member(&self, worker: &str, incarnation: &str) -> bool {
        self.members
            .get(worker)
            .is_some_and(|member| member.incarnation == incarnation)
    }
}

/// A member of a generation: the incarnation that the assignment is for, and its REST URL.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    /// The member's incarnation; another incarnation of the same worker is not a member.
    pub incarnation: String,
    /// The member's REST URL.
    pub url: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_round_trip_through_json_and_have_the_documented_keys() {
        let mut members = BTreeMap::new();
        members.insert(
            "a:8083".to_owned(),
            Member {
                incarnation: "i1".to_owned(),
                url: "http://a:8083".to_owned(),
            },
        );
        let mut work = BTreeMap::new();
        work.insert(
            "a:8083".to_owned(),
            BTreeSet::from([
                Work::Connector("c".to_owned()),
                Work::Task {
                    connector: "c".to_owned(),
                    task: 0,
                },
            ]),
        );
        let records = [
            CoordinationRecord::Heartbeat {
                worker: "a:8083".to_owned(),
                incarnation: "i1".to_owned(),
                url: "http://a:8083".to_owned(),
                seq: 7,
            },
            CoordinationRecord::Leave {
                worker: "a:8083".to_owned(),
                incarnation: "i1".to_owned(),
            },
            CoordinationRecord::Assignment(Assignment {
                generation: 3,
                proposer: "a:8083".to_owned(),
                members,
                work,
            }),
            CoordinationRecord::Released {
                worker: "a:8083".to_owned(),
                incarnation: "i1".to_owned(),
                generation: 3,
                work: vec![Work::Connector("c".to_owned())],
            },
        ];
        let keys = [
            "worker-a:8083",
            "worker-a:8083",
            "assignment",
            "released-a:8083",
        ];
        for (record, key) in records.iter().zip(keys) {
            let json = serde_json::to_string(record).expect("serializes");
            let back: CoordinationRecord = serde_json::from_str(&json).expect("deserializes");
            assert_eq!(&back, record);
            assert_eq!(record.key(), key);
        }
    }

    #[test]
    fn work_helpers() {
        let task = Work::Task {
            connector: "c".to_owned(),
            task: 1,
        };
        assert_eq!(task.connector(), "c");
        assert!(!task.is_connector());
        assert!(Work::Connector("c".to_owned()).is_connector());
        assert!(
            Work::Connector("z".to_owned()) < task,
            "connectors sort before tasks"
        );
    }
}
