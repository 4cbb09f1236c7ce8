//! The leader's target: who should run what, given who is live, who is reserved, the work and
//! its current owners. Pure functions, used by the leader to decide whether to propose.
//!
//! Rules (per class: connectors and tasks are balanced separately):
//! - a reserved member (silent, within its grace period) keeps exactly what it owns and runs, and
//!   gets nothing new; its items are left out of the balance;
//! - every live member gets a quota: `n / k` items, and `n % k` of them one more, those extra
//!   slots going to the members that hold the most (so that as few items as possible move);
//! - a live member keeps the items it owns up to its quota (running ones first, then ones it was
//!   releasing); the rest are revoked: left out of the target, still owned, until `Released`;
//! - free items (unowned, or owned by an incarnation that the target drops) go back to the worker
//!   that owned them if it is a live member with room (a restarted worker gets its work back),
//!   otherwise to the member with the most room left, then the least loaded, then the lowest id.

use crate::records::{Assignment, Member, Work, WorkerId};
use crate::state::Owner;
use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet};

/// What the leader knows when it computes the target.
pub(crate) struct TargetInput<'a> {
    /// Live workers (current incarnations), the leader included.
    pub live: &'a BTreeMap<WorkerId, Member>,
    /// Silent members of the accepted assignment that are not dropped yet (their work is reserved).
    pub reserved: &'a BTreeMap<WorkerId, Member>,
    /// All work.
    pub work: &'a BTreeSet<Work>,
    /// Current owners (log state).
    pub owners: &'a BTreeMap<Work, Owner>,
    /// The accepted assignment.
    pub accepted: Option<&'a Assignment>,
}

/// A target assignment (without generation and proposer).
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Target {
    /// Members: the live workers and the reserved members.
    pub members: BTreeMap<WorkerId, Member>,
    /// Work of every member (an entry per member, possibly empty).
    pub work: BTreeMap<WorkerId, BTreeSet<Work>>,
}

/// Whether `accepted` gives `item` to `worker` in `incarnation`.
fn runs_in_accepted(
    accepted: Option<&Assignment>,
    worker: &str,
    incarnation: &str,
    item: &Work,
) -> bool {
    accepted.is_some_and(|a| {
        a.has_member(worker, incarnation)
            && a.work.get(worker).is_some_and(|items| items.contains(item))
    })
}

fn owned_by(owners: &BTreeMap<Work, Owner>, item: &Work, worker: &str, member: &Member) -> bool {
    owners
        .get(item)
        .is_some_and(|owner| owner.worker == worker && owner.incarnation == member.incarnation)
}

/// Computes the target.
pub(crate) fn compute_target(input: &TargetInput<'_>) -> Target {
    let mut members: BTreeMap<WorkerId, Member> = input
        .reserved
        .iter()
        .filter(|(worker, _)| !input.live.contains_key(*worker))
        .map(|(worker, member)| (worker.clone(), member.clone()))
        .collect();
    members.extend(input.live.iter().map(|(w, m)| (w.clone(), m.clone())));
    let mut work: BTreeMap<WorkerId, BTreeSet<Work>> = members
        .keys()
        .map(|worker| (worker.clone(), BTreeSet::new()))
        .collect();

    for (worker, member) in input.reserved {
        if input.live.contains_key(worker) {
            continue;
        }
        let Some(accepted) = input
            .accepted
            .filter(|a| a.has_member(worker, &member.incarnation))
        else {
            continue;
        };
        let kept = accepted
            .work_of(worker)
            .filter(|item| {
                input.work.contains(*item) && owned_by(input.owners, item, worker, member)
            })
            .cloned();
        work.entry(worker.clone()).or_default().extend(kept);
    }

    for connectors in [true, false] {
        balance_class(input, connectors, &mut work);
    }
    Target { members, work }
}

/// What a live member holds of one class.
#[derive(Default)]
struct Holding {
    /// Owned and given to it by the accepted assignment (running, or about to).
    active: Vec<Work>,
    /// Owned but left out of the accepted assignment (being released).
    pending: Vec<Work>,
}

impl Holding {
    fn len(&self) -> usize {
        self.active.len() + self.pending.len()
    }
}

/// Balances the connectors (`connectors`) or the tasks among the live members.
fn balance_class(
    input: &TargetInput<'_>,
    connectors: bool,
    work: &mut BTreeMap<WorkerId, BTreeSet<Work>>,
) {
    let live = input.live;
    if live.is_empty() {
        return;
    }
    let mut holdings: BTreeMap<&WorkerId, Holding> = live
        .keys()
        .map(|worker| (worker, Holding::default()))
        .collect();
    // Free items, with the worker that owned them (if any).
    let mut free: Vec<(&Work, Option<&WorkerId>)> = Vec::new();
    let mut total = 0usize;
    for item in input
        .work
        .iter()
        .filter(|item| item.is_connector() == connectors)
    {
        match input.owners.get(item) {
            Some(owner)
                if live
                    .get(&owner.worker)
                    .is_some_and(|m| m.incarnation == owner.incarnation) =>
            {
                total += 1;
                let runs =
                    runs_in_accepted(input.accepted, &owner.worker, &owner.incarnation, item);
                if let Some(holding) = holdings.get_mut(&owner.worker) {
                    if runs {
                        holding.active.push(item.clone());
                    } else {
                        holding.pending.push(item.clone());
                    }
                }
            }
            Some(owner)
                if input
                    .reserved
                    .get(&owner.worker)
                    .is_some_and(|m| m.incarnation == owner.incarnation) => {}
            Some(owner) => {
                total += 1;
                free.push((item, Some(&owner.worker)));
            }
            None => {
                total += 1;
                free.push((item, None));
            }
        }
    }

    // Quotas: the extra slots go to the members that hold the most.
    let mut by_holding: Vec<&WorkerId> = live.keys().collect();
    by_holding.sort_by_key(|worker| {
        (
            Reverse(holdings.get(*worker).map_or(0, Holding::len)),
            *worker,
        )
    });
    let (base, extra) = (total / live.len(), total % live.len());
    let quota: BTreeMap<&WorkerId, usize> = by_holding
        .iter()
        .enumerate()
        .map(|(rank, worker)| (*worker, base + usize::from(rank < extra)))
        .collect();

    let mut count: BTreeMap<&WorkerId, usize> = BTreeMap::new();
    for (worker, holding) in &holdings {
        let room = quota.get(worker).copied().unwrap_or(0);
        let kept: Vec<Work> = holding
            .active
            .iter()
            .chain(&holding.pending)
            .take(room)
            .cloned()
            .collect();
        count.insert(*worker, kept.len());
        work.entry((*worker).clone()).or_default().extend(kept);
    }

    let has_room = |count: &BTreeMap<&WorkerId, usize>, worker: &WorkerId| {
        count.get(worker).copied().unwrap_or(0) < quota.get(worker).copied().unwrap_or(0)
    };
    let mut rest = Vec::new();
    for (item, previous) in free {
        match previous {
            Some(previous) if live.contains_key(previous) && has_room(&count, previous) => {
                *count.entry(previous).or_default() += 1;
                work.entry(previous.clone())
                    .or_default()
                    .insert(item.clone());
            }
            _ => rest.push(item),
        }
    }
    for item in rest {
        let chosen = live
            .keys()
            .filter(|worker| has_room(&count, worker))
            .min_by_key(|worker| {
                let held = count.get(*worker).copied().unwrap_or(0);
                let room = quota.get(*worker).copied().unwrap_or(0) - held;
                (Reverse(room), held, *worker)
            });
        if let Some(worker) = chosen {
            *count.entry(worker).or_default() += 1;
            work.entry(worker.clone()).or_default().insert(item.clone());
        }
    }
}

/// Whether the leader must propose `target`: the latest Assignment record was not accepted (so
/// that the record compaction keeps is an accepted one), or the target differs from the accepted
/// assignment in members or work, or it gives an item to a member that does not own it yet.
pub(crate) fn needs_proposal(
    target: &Target,
    accepted: Option<&Assignment>,
    owners: &BTreeMap<Work, Owner>,
    latest_assignment_accepted: bool,
) -> bool {
    if !latest_assignment_accepted {
        return true;
    }
    let Some(accepted) = accepted else {
        return true;
    };
    if accepted.members != target.members {
        return true;
    }
    let empty = BTreeSet::new();
    let same_work = target
        .work
        .iter()
        .all(|(worker, items)| accepted.work.get(worker).unwrap_or(&empty) == items)
        && accepted
            .work
            .iter()
            .all(|(worker, items)| items.is_empty() || target.work.contains_key(worker));
    if !same_work {
        return true;
    }
    target.work.iter().any(|(worker, items)| {
        let Some(member) = target.members.get(worker) else {
            return true;
        };
        items
            .iter()
            .any(|item| !owned_by(owners, item, worker, member))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::LogState;

    fn member(incarnation: &str) -> Member {
        Member {
            incarnation: incarnation.to_owned(),
            url: format!("http://{incarnation}"),
        }
    }

    fn members(workers: &[&str]) -> BTreeMap<WorkerId, Member> {
        workers
            .iter()
            .map(|w| ((*w).to_owned(), member("1")))
            .collect()
    }

    /// Connectors `c0..connectors` with `tasks` tasks each.
    fn work(connectors: u32, tasks: u32) -> BTreeSet<Work> {
        (0..connectors)
            .flat_map(|c| {
                let name = format!("c{c}");
                std::iter::once(Work::Connector(name.clone())).chain((0..tasks).map(move |task| {
                    Work::Task {
                        connector: name.clone(),
                        task,
                    }
                }))
            })
            .collect()
    }

    /// A leader driving a log state to its target, with every revocation released at once.
    struct Cluster {
        state: LogState,
        live: BTreeMap<WorkerId, Member>,
        reserved: BTreeMap<WorkerId, Member>,
        work: BTreeSet<Work>,
        /// Items that changed hands (given to a worker other than the last one it was given to).
        moves: usize,
        last_holder: BTreeMap<Work, WorkerId>,
        proposals: usize,
    }

    impl Cluster {
        fn new(live: &[&str], work: BTreeSet<Work>) -> Self {
            Cluster {
                state: LogState::new(),
                live: members(live),
                reserved: BTreeMap::new(),
                work,
                moves: 0,
                last_holder: BTreeMap::new(),
                proposals: 0,
            }
        }

        fn target(&self) -> Target {
            compute_target(&TargetInput {
                live: &self.live,
                reserved: &self.reserved,
                work: &self.work,
                owners: self.state.owners(),
                accepted: self.state.accepted(),
            })
        }

        /// Proposes until the target is reached; every proposal must be accepted.
        fn settle(&mut self) {
            for _ in 0..10 {
                let target = self.target();
                if !needs_proposal(
                    &target,
                    self.state.accepted(),
                    self.state.owners(),
                    self.state.latest_assignment_accepted(),
                ) {
                    return;
                }
                let assignment = Assignment {
                    generation: self.state.generation() + 1,
                    proposer: "leader".to_owned(),
                    members: target.members,
                    work: target.work,
                };
                assert!(
                    self.state.apply_assignment(&assignment),
                    "proposal rejected: {assignment:?}"
                );
                self.proposals += 1;
                for (worker, items) in &assignment.work {
                    for item in items {
                        let previous = self.last_holder.insert(item.clone(), worker.clone());
                        if previous.is_some_and(|previous| previous != *worker) {
                            self.moves += 1;
                        }
                    }
                }
                // Every owner releases what it lost.
                for (item, owner) in self.state.owners().clone() {
                    if !assignment.work_of(&owner.worker).any(|i| *i == item) {
                        self.state.apply_released(
                            &owner.worker,
                            &owner.incarnation,
                            assignment.generation,
                            &[item],
                        );
                    }
                }
            }
            panic!("no convergence");
        }

        fn counts(&self, connectors: bool) -> BTreeMap<WorkerId, usize> {
            let accepted = self.state.accepted().expect("an assignment");
            self.live
                .keys()
                .map(|w| {
                    let n = accepted
                        .work_of(w)
                        .filter(|i| i.is_connector() == connectors)
                        .count();
                    (w.clone(), n)
                })
                .collect()
        }

        fn assert_balanced_and_complete(&self) {
            for connectors in [true, false] {
                let counts = self.counts(connectors);
                let (min, max) = (counts.values().min(), counts.values().max());
                assert!(
                    max.zip(min).is_some_and(|(max, min)| max - min <= 1),
                    "unbalanced: {counts:?}"
                );
            }
            let accepted = self.state.accepted().expect("an assignment");
            for item in &self.work {
                assert_eq!(
                    accepted
                        .work
                        .values()
                        .filter(|items| items.contains(item))
                        .count(),
                    1,
                    "{item:?} not assigned exactly once"
                );
            }
        }
    }

    #[test]
    fn a_new_cluster_spreads_connectors_and_tasks_separately() {
        let mut cluster = Cluster::new(&["a", "b", "c"], work(2, 3));
        cluster.settle();
        assert_eq!(cluster.proposals, 1);
        cluster.assert_balanced_and_complete();
        let connectors = cluster.counts(true);
        assert_eq!(connectors.values().sum::<usize>(), 2);
        assert!(cluster.counts(false).values().all(|n| *n == 2));
    }

    #[test]
    fn a_join_moves_only_what_balance_needs_in_two_rounds() {
        let mut cluster = Cluster::new(&["a", "b"], work(2, 5));
        cluster.settle();
        cluster.moves = 0;
        cluster.proposals = 0;
        cluster.live.insert("c".to_owned(), member("1"));
        cluster.settle();
        cluster.assert_balanced_and_complete();
        // 10 tasks over 3 workers: 4/3/3 from 5/5: 3 tasks move; the connectors (1/1) stay.
        assert_eq!(cluster.moves, 3);
        assert_eq!(cluster.proposals, 2, "revoke, then assign");
        assert_eq!(cluster.counts(false)["c"], 3);
    }

    #[test]
    fn the_revoking_round_leaves_moved_items_out_until_released() {
        let mut cluster = Cluster::new(&["a"], work(1, 4));
        cluster.settle();
        cluster.live.insert("b".to_owned(), member("1"));
        let target = cluster.target();
        assert_eq!(target.work["a"].len(), 3, "connector + 2 tasks kept");
        assert!(
            target.work["b"].is_empty(),
            "nothing given before the release"
        );
        let revoke = Assignment {
            generation: 2,
            proposer: "a".to_owned(),
            members: target.members.clone(),
            work: target.work.clone(),
        };
        assert!(cluster.state.apply_assignment(&revoke));
        // Until a releases, the target does not change (no proposal).
        let again = cluster.target();
        assert_eq!(again, target);
        assert!(!needs_proposal(
            &again,
            cluster.state.accepted(),
            cluster.state.owners(),
            true
        ));
        // After the release, the freed tasks go to b.
        let freed: Vec<Work> = cluster
            .state
            .owned_by("a", "1")
            .into_iter()
            .filter(|item| !target.work["a"].contains(item))
            .collect();
        assert_eq!(freed.len(), 2);
        cluster.state.apply_released("a", "1", 2, &freed);
        let target = cluster.target();
        assert_eq!(target.work["b"], freed.into_iter().collect());
    }

    #[test]
    fn a_leave_moves_only_the_leavers_work() {
        let mut cluster = Cluster::new(&["a", "b", "c"], work(3, 4));
        cluster.settle();
        let before = cluster.state.accepted().cloned().expect("assigned");
        cluster.live.remove("c");
        let leaver_items = before.work_of("c").count();
        cluster.moves = 0;
        cluster.settle();
        cluster.assert_balanced_and_complete();
        // Items of a and b stay where they were.
        let after = cluster.state.accepted().expect("assigned");
        for worker in ["a", "b"] {
            assert!(
                before
                    .work_of(worker)
                    .all(|item| after.work_of(worker).any(|i| i == item))
            );
        }
        assert_eq!(after.work_of("a").count() + after.work_of("b").count(), 15);
        assert!(leaver_items > 0);
    }

    #[test]
    fn a_silent_member_keeps_its_work_reserved_until_dropped() {
        let mut cluster = Cluster::new(&["a", "b"], work(2, 2));
        cluster.settle();
        let b_items: BTreeSet<Work> = cluster
            .state
            .accepted()
            .expect("assigned")
            .work_of("b")
            .cloned()
            .collect();
        // b falls silent: reserved.
        let b = cluster.live.remove("b").expect("b");
        cluster.reserved.insert("b".to_owned(), b);
        let target = cluster.target();
        assert_eq!(target.work["b"], b_items, "reserved work stays");
        assert!(!needs_proposal(
            &target,
            cluster.state.accepted(),
            cluster.state.owners(),
            true
        ));
        // A new connector does not go to the reserved member.
        cluster.work.insert(Work::Connector("new".to_owned()));
        let target = cluster.target();
        assert!(target.work["a"].contains(&Work::Connector("new".to_owned())));
        assert_eq!(target.work["b"], b_items);
        // Dropped (grace period over): its work moves to a at once, in the same proposal.
        cluster.reserved.clear();
        cluster.settle();
        let accepted = cluster.state.accepted().expect("assigned");
        assert!(!accepted.members.contains_key("b"));
        assert!(
            b_items
                .iter()
                .all(|item| accepted.work_of("a").any(|i| i == item))
        );
    }

    #[test]
    fn added_work_goes_to_the_least_loaded_and_nothing_else_moves() {
        let mut cluster = Cluster::new(&["a", "b", "c"], work(2, 2));
        cluster.settle();
        let before = cluster.state.accepted().cloned().expect("assigned");
        cluster.work.extend(work(4, 2));
        cluster.moves = 0;
        cluster.settle();
        assert_eq!(cluster.moves, 0);
        cluster.assert_balanced_and_complete();
        let after = cluster.state.accepted().expect("assigned");
        for worker in ["a", "b", "c"] {
            assert!(
                before
                    .work_of(worker)
                    .all(|item| after.work_of(worker).any(|i| i == item))
            );
        }
    }

    #[test]
    fn removed_work_is_revoked_and_the_rest_rebalanced() {
        let mut cluster = Cluster::new(&["a", "b"], work(2, 4));
        cluster.settle();
        // Remove the connector (and tasks) that a holds the most of.
        cluster.work.retain(|item| item.connector() != "c0");
        cluster.settle();
        cluster.assert_balanced_and_complete();
        let accepted = cluster.state.accepted().expect("assigned");
        assert!(
            accepted
                .work
                .values()
                .flatten()
                .all(|item| item.connector() == "c1")
        );
        assert!(
            cluster
                .state
                .owners()
                .keys()
                .all(|item| item.connector() == "c1")
        );
    }

    #[test]
    fn a_restarted_worker_gets_its_work_back() {
        let mut cluster = Cluster::new(&["a", "b"], work(2, 3));
        cluster.settle();
        let b_items: BTreeSet<Work> = cluster
            .state
            .accepted()
            .expect("assigned")
            .work_of("b")
            .cloned()
            .collect();
        cluster.live.insert("b".to_owned(), member("2"));
        cluster.moves = 0;
        cluster.settle();
        let accepted = cluster.state.accepted().expect("assigned");
        assert_eq!(accepted.members["b"].incarnation, "2");
        assert_eq!(
            accepted.work_of("b").cloned().collect::<BTreeSet<_>>(),
            b_items
        );
        assert_eq!(cluster.moves, 0);
    }

    #[test]
    fn a_member_releasing_an_item_gets_it_back_if_it_has_room_again() {
        let mut cluster = Cluster::new(&["a"], work(1, 2));
        cluster.settle();
        cluster.live.insert("b".to_owned(), member("1"));
        let target = cluster.target();
        let revoke = Assignment {
            generation: 2,
            proposer: "a".to_owned(),
            members: target.members.clone(),
            work: target.work.clone(),
        };
        assert!(cluster.state.apply_assignment(&revoke));
        // b dies before a released: a has room again and keeps its pending task.
        cluster.live.remove("b");
        cluster.settle();
        let accepted = cluster.state.accepted().expect("assigned");
        assert_eq!(accepted.work_of("a").count(), 3);
        assert_eq!(cluster.moves, 0);
    }

    #[test]
    fn a_rejected_latest_record_is_proposed_over() {
        let mut cluster = Cluster::new(&["a"], work(1, 1));
        cluster.settle();
        let stale = cluster.state.accepted().cloned().expect("assigned");
        assert!(!cluster.state.apply_assignment(&stale));
        let target = cluster.target();
        assert!(needs_proposal(
            &target,
            cluster.state.accepted(),
            cluster.state.owners(),
            false
        ));
        cluster.settle();
        assert!(cluster.state.latest_assignment_accepted());
    }
}
