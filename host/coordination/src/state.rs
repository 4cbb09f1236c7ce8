//! The deterministic part of the protocol: the state every worker derives from the log alone.
//! Two workers that applied the same records hold the same `LogState`; nothing here depends on
//! clocks.

use crate::records::{Assignment, Work, WorkerId};
use std::collections::{BTreeMap, BTreeSet};

/// Who owns a work item in the log's view.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Owner {
    /// The owning member.
    pub worker: WorkerId,
    /// The member's incarnation.
    pub incarnation: String,
    /// The latest accepted generation that gave the item to this owner. A `Released` record
    /// frees the item only if it is of this generation or a later one.
    pub since_generation: u64,
    /// Learned from the baseline: the first assignment this worker read came after compacted
    /// history, so it might not be the one the cluster accepted. A tentative owner does not block
    /// the acceptance of later assignments (so the worker follows the cluster's next accepted
    /// assignment); an assignment that gives the item again makes the owner firm.
    pub tentative: bool,
}

/// The current incarnation of a worker, as the log tells it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct KnownWorker {
    /// The incarnation of the worker's latest heartbeat (or of the member entry that first named
    /// it, when its heartbeats were compacted away).
    pub incarnation: String,
    /// Its REST URL.
    pub url: String,
    /// The log position at which this incarnation first appeared (orders workers by age).
    pub first_position: u64,
    /// It wrote `Leave`.
    pub left: bool,
}

/// What applying a heartbeat did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum HeartbeatEffect {
    /// From an incarnation that left or was superseded: ignored.
    Ignored,
    /// From the worker's current incarnation (possibly new).
    Current,
}

/// The log's state.
#[derive(Clone, Debug, Default)]
pub(crate) struct LogState {
    /// Number of coordination records applied.
    position: u64,
    /// Bumped whenever the state changes beyond a heartbeat of a known incarnation: owners,
    /// assignments, incarnations, leaves (what targets and assignments depend on).
    revision: u64,
    /// The latest accepted assignment.
    accepted: Option<Assignment>,
    /// Whether the latest Assignment record of the log was accepted (true before any). Compaction
    /// keeps only the latest Assignment record, so the leader re-proposes when it was not.
    latest_assignment_accepted: bool,
    /// The owner of each owned work item.
    owners: BTreeMap<Work, Owner>,
    /// The current incarnation of every worker heard of.
    workers: BTreeMap<WorkerId, KnownWorker>,
    /// Incarnations that left or were superseded by a newer one: never heard again.
    retired: BTreeSet<(WorkerId, String)>,
}

impl LogState {
    pub fn new() -> Self {
        LogState {
            latest_assignment_accepted: true,
            ..LogState::default()
        }
    }

    pub fn generation(&self) -> u64 {
        self.accepted.as_ref().map_or(0, |a| a.generation)
    }

    pub fn accepted(&self) -> Option<&Assignment> {
        self.accepted.as_ref()
    }

    pub fn latest_assignment_accepted(&self) -> bool {
        self.latest_assignment_accepted
    }

    pub fn owners(&self) -> &BTreeMap<Work, Owner> {
        &self.owners
    }

    pub fn workers(&self) -> &BTreeMap<WorkerId, KnownWorker> {
        &self.workers
    }

    pub fn worker(&self, worker: &str) -> Option<&KnownWorker> {
        self.workers.get(worker)
    }

    pub fn is_retired(&self, worker: &str, incarnation: &str) -> bool {
        self.retired
            .contains(&(worker.to_owned(), incarnation.to_owned()))
    }

    /// Whether `worker` in `incarnation` owns `item`.
    pub fn is_owned_by(&self, item: &Work, worker: &str, incarnation: &str) -> bool {
        self.owners
            .get(item)
            .is_some_and(|owner| owner.worker == worker && owner.incarnation == incarnation)
    }

    /// Items owned by `worker` in `incarnation`.
    pub fn owned_by(&self, worker: &str, incarnation: &str) -> BTreeSet<Work> {
        self.owners
            .iter()
            .filter(|(_, owner)| owner.worker == worker && owner.incarnation == incarnation)
            .map(|(work, _)| work.clone())
            .collect()
    }

    /// The acceptance rule: `generation` greater than the current one, every member's work
    /// listed under a member, no item given twice, and every item given to a worker W either
    /// unowned or owned by W; items of members that the assignment drops (a worker absent from
    /// `members`, or present with another incarnation) count as unowned.
    pub fn accepts(&self, assignment: &Assignment) -> bool {
        if assignment.generation <= self.generation() {
            return false;
        }
        let mut given = BTreeSet::new();
        for (worker, items) in &assignment.work {
            if !assignment.members.contains_key(worker) {
                return false;
            }
            for item in items {
                if !given.insert(item) {
                    return false;
                }
                if let Some(owner) = self.owners.get(item) {
                    let dropped = !assignment.has_member(&owner.worker, &owner.incarnation);
                    if !dropped && !owner.tentative && owner.worker != *worker {
                        return false;
                    }
                }
            }
        }
        true
    }

    /// Makes every tentative owner firm (the baseline is confirmed).
    pub fn confirm_owners(&mut self) {
        self.revision += 1;
        for owner in self.owners.values_mut() {
            owner.tentative = false;
        }
    }

    /// Applies a heartbeat.
    pub fn apply_heartbeat(
        &mut self,
        worker: &str,
        incarnation: &str,
        url: &str,
    ) -> HeartbeatEffect {
        self.position += 1;
        if self.is_retired(worker, incarnation) {
            return HeartbeatEffect::Ignored;
        }
        let fresh_entry = KnownWorker {
            incarnation: incarnation.to_owned(),
            url: url.to_owned(),
            first_position: self.position,
            left: false,
        };
        match self.workers.get_mut(worker) {
            Some(known) if known.incarnation == incarnation => {
                if known.url != url {
                    url.clone_into(&mut known.url);
                    self.revision += 1;
                }
                return HeartbeatEffect::Current;
            }
            Some(known) => {
                let superseded = std::mem::replace(known, fresh_entry);
                self.retired
                    .insert((worker.to_owned(), superseded.incarnation));
            }
            None => {
                self.workers.insert(worker.to_owned(), fresh_entry);
            }
        }
        self.revision += 1;
        HeartbeatEffect::Current
    }

    /// Applies a graceful leave: the incarnation is gone and owns nothing any more.
    pub fn apply_leave(&mut self, worker: &str, incarnation: &str) {
        self.position += 1;
        self.revision += 1;
        self.retired
            .insert((worker.to_owned(), incarnation.to_owned()));
        self.owners
            .retain(|_, owner| !(owner.worker == worker && owner.incarnation == incarnation));
        if let Some(known) = self.workers.get_mut(worker)
            && known.incarnation == incarnation
        {
            known.left = true;
        }
    }

    /// Applies a `Released` record: frees the listed items that the writer owns since
    /// `generation` or earlier.
    pub fn apply_released(
        &mut self,
        worker: &str,
        incarnation: &str,
        generation: u64,
        work: &[Work],
    ) {
        self.position += 1;
        for item in work {
            let releases = self.owners.get(item).is_some_and(|owner| {
                owner.worker == worker
                    && owner.incarnation == incarnation
                    && owner.since_generation <= generation
            });
            if releases {
                self.owners.remove(item);
                self.revision += 1;
            }
        }
    }

    /// Applies an Assignment record; returns whether it was accepted.
    pub fn apply_assignment(&mut self, assignment: &Assignment) -> bool {
        self.position += 1;
        self.revision += 1;
        let accepted = self.accepts(assignment);
        self.latest_assignment_accepted = accepted;
        if !accepted {
            return false;
        }
        // The first assignment read, after compacted history: its ownership is tentative.
        let baseline = self.accepted.is_none() && assignment.generation > 1;
        self.owners
            .retain(|_, owner| assignment.has_member(&owner.worker, &owner.incarnation));
        for (worker, items) in &assignment.work {
            let Some(member) = assignment.members.get(worker) else {
                continue;
            };
            for item in items {
                self.owners.insert(
                    item.clone(),
                    Owner {
                        worker: worker.clone(),
                        incarnation: member.incarnation.clone(),
                        since_generation: assignment.generation,
                        tentative: baseline,
                    },
                );
            }
        }
        // Members whose heartbeats were compacted away are known from here on.
        for (worker, member) in &assignment.members {
            if !self.workers.contains_key(worker) && !self.is_retired(worker, &member.incarnation) {
                self.workers.insert(
                    worker.clone(),
                    KnownWorker {
                        incarnation: member.incarnation.clone(),
                        url: member.url.clone(),
                        first_position: self.position,
                        left: false,
                    },
                );
            }
        }
        self.accepted = Some(assignment.clone());
        true
    }

    /// The number of records applied.
    #[cfg(test)]
    pub fn position(&self) -> u64 {
        self.position
    }

    /// Changes whenever anything but the liveness of known incarnations changes.
    pub fn revision(&self) -> u64 {
        self.revision
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::records::Member;

    fn member(incarnation: &str) -> Member {
        Member {
            incarnation: incarnation.to_owned(),
            url: String::new(),
        }
    }

    fn task(connector: &str, task: u32) -> Work {
        Work::Task {
            connector: connector.to_owned(),
            task,
        }
    }

    /// An assignment of `generation` with members `(worker, incarnation, task numbers of "c")`.
    fn assignment(generation: u64, members: &[(&str, &str, &[u32])]) -> Assignment {
        Assignment {
            generation,
            proposer: members.first().map(|m| m.0.to_owned()).unwrap_or_default(),
            members: members
                .iter()
                .map(|(w, i, _)| ((*w).to_owned(), member(i)))
                .collect(),
            work: members
                .iter()
                .map(|(w, _, tasks)| {
                    (
                        (*w).to_owned(),
                        tasks.iter().map(|t| task("c", *t)).collect(),
                    )
                })
                .collect(),
        }
    }

    #[test]
    fn generation_must_grow() {
        let mut state = LogState::new();
        assert!(state.apply_assignment(&assignment(2, &[("a", "1", &[0])])));
        assert_eq!(state.generation(), 2);
        assert!(!state.apply_assignment(&assignment(2, &[("a", "1", &[])])));
        assert!(!state.latest_assignment_accepted());
        assert!(!state.apply_assignment(&assignment(1, &[("a", "1", &[])])));
        assert_eq!(state.generation(), 2);
        assert!(state.apply_assignment(&assignment(3, &[("a", "1", &[0])])));
        assert!(state.latest_assignment_accepted());
    }

    #[test]
    fn an_owned_item_moves_only_after_its_release() {
        let mut state = LogState::new();
        let t0 = task("c", 0);
        assert!(state.apply_assignment(&assignment(1, &[("a", "1", &[0]), ("b", "1", &[])])));
        // Straight to b while a owns it: ignored by everyone.
        let moved = assignment(2, &[("a", "1", &[]), ("b", "1", &[0])]);
        assert!(!state.accepts(&moved));
        // Revoke from a first (left out): accepted; a still owns it until Released.
        assert!(state.apply_assignment(&assignment(2, &[("a", "1", &[]), ("b", "1", &[])])));
        assert_eq!(state.owners()[&t0].worker, "a");
        let moved = assignment(3, &[("a", "1", &[]), ("b", "1", &[0])]);
        assert!(!state.accepts(&moved));
        // A Released of another incarnation or of an older generation than the ownership does
        // not free it.
        state.apply_released("a", "0", 2, std::slice::from_ref(&t0));
        state.apply_released("a", "1", 0, std::slice::from_ref(&t0));
        assert!(!state.accepts(&moved));
        state.apply_released("a", "1", 2, std::slice::from_ref(&t0));
        assert!(state.owners().get(&t0).is_none());
        assert!(state.apply_assignment(&moved));
        assert_eq!(state.owners()[&t0].worker, "b");
        assert_eq!(state.owners()[&t0].since_generation, 3);
    }

    #[test]
    fn a_release_of_an_older_generation_does_not_free_an_item_given_back_since() {
        let mut state = LogState::new();
        let t0 = task("c", 0);
        assert!(state.apply_assignment(&assignment(1, &[("a", "1", &[0])])));
        assert!(state.apply_assignment(&assignment(2, &[("a", "1", &[])]))); // revoked
        assert!(state.apply_assignment(&assignment(3, &[("a", "1", &[0])]))); // given back
        state.apply_released("a", "1", 2, std::slice::from_ref(&t0)); // the revocation's, late
        assert_eq!(
            state.owners()[&t0].worker,
            "a",
            "a runs it again since generation 3"
        );
    }

    #[test]
    fn dropped_members_and_leavers_own_nothing() {
        let mut state = LogState::new();
        assert!(state.apply_assignment(&assignment(1, &[("a", "1", &[0]), ("b", "1", &[1])])));
        // Dropping a (declared dead) makes its items unowned in the same assignment.
        let drop_a = assignment(2, &[("b", "1", &[0, 1])]);
        assert!(state.accepts(&drop_a));
        // A new incarnation of a is not the member that owns t0: the old one counts as dropped.
        let restarted = assignment(2, &[("a", "2", &[]), ("b", "1", &[0, 1])]);
        assert!(state.accepts(&restarted));
        // ... and the restarted worker may get its items back at once.
        let back = assignment(2, &[("a", "2", &[0]), ("b", "1", &[1])]);
        assert!(state.accepts(&back));
        // Leave frees everything of that incarnation.
        state.apply_leave("b", "1");
        let take_t1 = assignment(2, &[("a", "1", &[0, 1]), ("b", "1", &[])]);
        assert!(state.accepts(&take_t1));
        assert_eq!(
            state.worker("b").map(|k| k.left),
            Some(true),
            "known from the assignment"
        );
        assert!(state.is_retired("b", "1"));
    }

    #[test]
    fn a_baseline_after_compacted_history_gives_tentative_ownership() {
        let mut state = LogState::new();
        // The first assignment read has generation 5: whatever came before was compacted away,
        // and this record may even be one the cluster ignored.
        assert!(state.apply_assignment(&assignment(5, &[("a", "1", &[0]), ("b", "1", &[1])])));
        assert!(state.owners().values().all(|owner| owner.tentative));
        // The cluster's next accepted assignment is followed even if it contradicts the baseline.
        let next = assignment(6, &[("a", "1", &[1]), ("b", "1", &[0])]);
        assert!(state.apply_assignment(&next));
        assert!(state.owners().values().all(|owner| !owner.tentative));
        // From then on ownership blocks as usual.
        assert!(!state.accepts(&assignment(7, &[("a", "1", &[0, 1]), ("b", "1", &[])])));
        // A first assignment of generation 1 is the whole history: firm.
        let mut fresh = LogState::new();
        assert!(fresh.apply_assignment(&assignment(1, &[("a", "1", &[0])])));
        assert!(fresh.owners().values().all(|owner| !owner.tentative));
        // Confirming makes the rest firm.
        let mut confirmed = LogState::new();
        assert!(confirmed.apply_assignment(&assignment(3, &[("a", "1", &[0])])));
        confirmed.confirm_owners();
        assert!(!confirmed.accepts(&assignment(4, &[("a", "1", &[]), ("b", "1", &[0])])));
    }

    #[test]
    fn malformed_assignments_are_ignored() {
        let state = LogState::new();
        let t0 = task("c", 0);
        let twice = assignment(1, &[("a", "1", &[0]), ("b", "1", &[0])]);
        assert!(!state.accepts(&twice), "an item given to two members");
        let mut stray = assignment(1, &[("a", "1", &[])]);
        stray.work.insert("x".to_owned(), BTreeSet::from([t0]));
        assert!(!state.accepts(&stray), "work of a non-member");
    }

    #[test]
    fn heartbeats_track_incarnations_and_age() {
        let mut state = LogState::new();
        assert_eq!(
            state.apply_heartbeat("a", "1", "u"),
            HeartbeatEffect::Current
        );
        assert_eq!(
            state.apply_heartbeat("b", "1", "u"),
            HeartbeatEffect::Current
        );
        assert_eq!(
            state.apply_heartbeat("a", "1", "u"),
            HeartbeatEffect::Current
        );
        assert_eq!(state.worker("a").map(|k| k.first_position), Some(1));
        assert_eq!(
            state.apply_heartbeat("a", "2", "u"),
            HeartbeatEffect::Current
        );
        assert_eq!(state.worker("a").map(|k| k.first_position), Some(4));
        assert!(state.is_retired("a", "1"));
        assert_eq!(
            state.apply_heartbeat("a", "1", "u"),
            HeartbeatEffect::Ignored
        );
        assert_eq!(state.worker("a").map(|k| k.incarnation.as_str()), Some("2"));
        state.apply_leave("a", "2");
        assert_eq!(state.worker("a").map(|k| k.left), Some(true));
        assert_eq!(
            state.apply_heartbeat("a", "2", "u"),
            HeartbeatEffect::Ignored
        );
        assert_eq!(state.position(), 7);
    }
}
