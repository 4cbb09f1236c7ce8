//! The per-worker state machine: applies the log (deterministic), tracks liveness with the local
//! clock, proposes assignments when it leads, fences itself when its view is stale, and tells the
//! worker what to start and stop.

use crate::records::{Assignment, CoordinationRecord, Member, Work, WorkerId};
use crate::state::{HeartbeatEffect, LogState};
use crate::target::{TargetInput, compute_target, needs_proposal};
use std::collections::{BTreeMap, BTreeSet, VecDeque};

/// Timing settings (Kafka Connect's names).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CoordinatorConfig {
    /// Kafka `session.timeout.ms` (default 10000): a worker not heard of for this long is not
    /// live; a worker that has not read back its own heartbeat for this long fences itself.
    pub session_timeout_ms: u64,
    /// Kafka `heartbeat.interval.ms` (default 3000): how often a worker writes its heartbeat.
    pub heartbeat_interval_ms: u64,
    /// Kafka `scheduled.rebalance.max.delay.ms` (default 300000): how long, beyond the session
    /// timeout, the work of a silent member stays reserved for it. It is also the safety margin
    /// of the protocol (see the crate docs): it must exceed the tick period, the time the worker
    /// takes to stop all its work, and the clocks' drift over `session_timeout_ms` plus itself.
    pub rebalance_delay_ms: u64,
}

impl Default for CoordinatorConfig {
    /// Kafka Connect's defaults: 10 s session timeout, 3 s heartbeats, 5 min rebalance delay.
    fn default() -> Self {
        CoordinatorConfig {
            session_timeout_ms: 10_000,
            heartbeat_interval_ms: 3_000,
            rebalance_delay_ms: 300_000,
        }
    }
}

/// What the worker must do, in order.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    /// Append this record to the log (the lead produces it; it comes back via
    /// [`Coordinator::on_record`]).
    Write(CoordinationRecord),
    /// Start this work on this worker.
    Start(Work),
    /// Stop this work (synchronously, before executing the next action).
    Stop(Work),
}

/// The leader's proposal that has not been read back yet.
#[derive(Clone, Debug)]
struct ProposalInFlight {
    generation: u64,
    sent_at_ms: u64,
}

/// The first accepted assignment this worker read had a generation above 1: the log was compacted
/// and the history before it is unknown. That assignment might even be one the cluster ignored,
/// and an item that looks unowned might still be on its way out of one of its members (revoked,
/// `Released` not written yet). Until every such member is gone (left, restarted or dropped) or
/// the grace period is over, this worker takes the ownership it learned as tentative and does not
/// propose.
#[derive(Clone, Debug)]
struct UnconfirmedBaseline {
    read_at_ms: u64,
    members: BTreeSet<(WorkerId, String)>,
}

/// The coordination state machine of one worker. See the crate documentation for the protocol.
///
/// It does no I/O: the lead feeds it the log in order ([`on_record`](Self::on_record),
/// [`on_work`](Self::on_work)), the end of the start-up replay ([`caught_up`](Self::caught_up)) and
/// the time ([`tick`](Self::tick)), and executes the returned [`Action`]s in order.
#[derive(Clone, Debug)]
pub struct Coordinator {
    me: WorkerId,
    incarnation: String,
    url: String,
    config: CoordinatorConfig,
    /// The deterministic state derived from the log.
    log: LogState,
    /// All work (connectors and committed tasks) at the current log position.
    work: BTreeSet<Work>,
    /// Work this worker runs.
    running: BTreeSet<Work>,
    caught_up: bool,
    left: bool,
    /// Runs nothing until it is fresh again and either owns nothing or has read a new accepted
    /// assignment. A worker starts fenced (it has not read back any heartbeat yet).
    fenced: bool,
    /// The latest local time seen.
    now_ms: u64,
    next_heartbeat_seq: u64,
    last_heartbeat_sent_ms: Option<u64>,
    /// Own heartbeats written and not read back yet: (seq, local send time).
    heartbeats_in_flight: VecDeque<(u64, u64)>,
    /// Send time of the latest own heartbeat read back: every record that reached the log before
    /// that time has been read.
    horizon_ms: Option<u64>,
    /// Local time at which the current incarnation of each worker was last heard of.
    last_heard_ms: BTreeMap<WorkerId, u64>,
    proposal_in_flight: Option<ProposalInFlight>,
    unconfirmed: Option<UnconfirmedBaseline>,
    /// Local time of the latest `Released` this worker wrote.
    last_release_sent_ms: Option<u64>,
    /// Bumped at every `on_work`.
    work_version: u64,
    /// (log revision, work version, may run) at the latest reconciliation: the same inputs give
    /// the same Stops and Starts (none), so it is skipped.
    reconciled: Option<(u64, u64, bool)>,
    /// The inputs of the latest target that needed no proposal: the same inputs give the same
    /// answer, so the leader does not recompute it at every tick.
    settled_inputs: Option<TargetInputs>,
}

/// What a target depends on (besides the log state, summarized by its revision).
#[derive(Clone, Debug, PartialEq)]
struct TargetInputs {
    log_revision: u64,
    work_version: u64,
    live: BTreeMap<WorkerId, Member>,
    reserved: BTreeMap<WorkerId, Member>,
}

impl Coordinator {
    /// A coordinator for worker `me` (its advertised `host:port`), in `incarnation` (unique per
    /// process start, e.g. a UUID), reachable at `url`.
    pub fn new(me: WorkerId, incarnation: String, url: String, config: CoordinatorConfig) -> Self {
        Coordinator {
            me,
            incarnation,
            url,
            config,
            log: LogState::new(),
            work: BTreeSet::new(),
            running: BTreeSet::new(),
            caught_up: false,
            left: false,
            fenced: true,
            now_ms: 0,
            next_heartbeat_seq: 0,
            last_heartbeat_sent_ms: None,
            heartbeats_in_flight: VecDeque::new(),
            horizon_ms: None,
            last_heard_ms: BTreeMap::new(),
            proposal_in_flight: None,
            unconfirmed: None,
            last_release_sent_ms: None,
            work_version: 0,
            reconciled: None,
            settled_inputs: None,
        }
    }

    /// The next record of the log, in log order, read at local time now_ms.
    pub fn on_record(&mut self, record: &CoordinationRecord, now_ms: u64) -> Vec<Action> {
        self.observe_time(now_ms);
        let mut accepted_change = None;
        let mut own_heartbeat = false;
        match record {
            CoordinationRecord::Heartbeat {
                worker,
                incarnation,
                url,
                seq,
            } => {
                if self.log.apply_heartbeat(worker, incarnation, url) == HeartbeatEffect::Current {
                    self.last_heard_ms.insert(worker.clone(), now_ms);
                    if *worker == self.me && *incarnation == self.incarnation {
                        own_heartbeat = self.own_heartbeat_read_back(*seq);
                    }
                }
            }
            CoordinationRecord::Leave {
                worker,
                incarnation,
            } => self.log.apply_leave(worker, incarnation),
            CoordinationRecord::Released {
                worker,
                incarnation,
                generation,
                work,
            } => self
                .log
                .apply_released(worker, incarnation, *generation, work),
            CoordinationRecord::Assignment(assignment) => {
                let previous_generation = self.log.generation();
                let mine_before = self.my_work().clone();
                let accepted = self.log.apply_assignment(assignment);
                if assignment.proposer == self.me
                    && self
                        .proposal_in_flight
                        .as_ref()
                        .is_some_and(|p| p.generation == assignment.generation)
                {
                    self.proposal_in_flight = None;
                }
                if accepted {
                    for (worker, member) in &assignment.members {
                        let current = self
                            .log
                            .worker(worker)
                            .is_some_and(|known| known.incarnation == member.incarnation);
                        if current {
                            self.last_heard_ms.entry(worker.clone()).or_insert(now_ms);
                        }
                    }
                    if previous_generation == 0 && assignment.generation > 1 {
                        self.unconfirmed = Some(UnconfirmedBaseline {
                            read_at_ms: now_ms,
                            members: assignment
                                .members
                                .iter()
                                .map(|(w, m)| (w.clone(), m.incarnation.clone()))
                                .collect(),
                        });
                    }
                    accepted_change = Some(mine_before);
                }
            }
        }
        let mut actions = Vec::new();
        self.after_change(now_ms, accepted_change, &mut actions);
        if own_heartbeat {
            self.retry_releases(now_ms, &mut actions);
        }
        actions
    }

    /// The set of all work (connectors and their committed tasks) changed at this log position.
    /// The lead derives it from the Kafka Connect config records of the same log, so it is
    /// interleaved deterministically with on_record calls.
    pub fn on_work(&mut self, work: BTreeSet<Work>, now_ms: u64) -> Vec<Action> {
        self.observe_time(now_ms);
        self.work = work;
        self.work_version += 1;
        let mut actions = Vec::new();
        self.after_change(now_ms, None, &mut actions);
        actions
    }

    /// The worker has read the log up to its end once (before this: no proposals, no Start;
    /// heartbeats are fine). Called once, after start-up replay.
    pub fn caught_up(&mut self, now_ms: u64) -> Vec<Action> {
        self.observe_time(now_ms);
        self.caught_up = true;
        let mut actions = Vec::new();
        self.after_change(now_ms, None, &mut actions);
        actions
    }

    /// Time passes (called every ~100 ms): heartbeats every heartbeat_interval_ms, failure
    /// detection, proposals, self-fencing.
    pub fn tick(&mut self, now_ms: u64) -> Vec<Action> {
        self.observe_time(now_ms);
        let mut actions = Vec::new();
        if self.left {
            return actions;
        }
        let heartbeat_due = self
            .last_heartbeat_sent_ms
            .is_none_or(|sent| now_ms >= sent.saturating_add(self.config.heartbeat_interval_ms));
        if heartbeat_due {
            let seq = self.next_heartbeat_seq;
            self.next_heartbeat_seq += 1;
            self.last_heartbeat_sent_ms = Some(now_ms);
            self.heartbeats_in_flight.push_back((seq, now_ms));
            actions.push(Action::Write(CoordinationRecord::Heartbeat {
                worker: self.me.clone(),
                incarnation: self.incarnation.clone(),
                url: self.url.clone(),
                seq,
            }));
        }
        // A heartbeat sent a session timeout ago can no longer make this worker fresh.
        let session_timeout = self.config.session_timeout_ms;
        while self
            .heartbeats_in_flight
            .front()
            .is_some_and(|(_, sent)| sent.saturating_add(session_timeout) <= now_ms)
        {
            self.heartbeats_in_flight.pop_front();
        }
        if self
            .proposal_in_flight
            .as_ref()
            .is_some_and(|p| now_ms >= p.sent_at_ms.saturating_add(session_timeout))
        {
            self.proposal_in_flight = None;
        }
        let grace = self.grace_ms();
        if let (Some(baseline), Some(horizon)) = (&self.unconfirmed, self.horizon_ms)
            && horizon >= baseline.read_at_ms.saturating_add(grace)
        {
            self.unconfirmed = None;
            self.log.confirm_owners();
        }
        self.after_change(now_ms, None, &mut actions);
        self.maybe_propose(now_ms, &mut actions);
        actions
    }

    /// Graceful shutdown: Stop everything this worker runs, then Write(Leave).
    pub fn leave(&mut self) -> Vec<Action> {
        let mut actions = Vec::new();
        if self.left {
            return actions;
        }
        for work in std::mem::take(&mut self.running) {
            actions.push(Action::Stop(work));
        }
        actions.push(Action::Write(CoordinationRecord::Leave {
            worker: self.me.clone(),
            incarnation: self.incarnation.clone(),
        }));
        self.left = true;
        self.proposal_in_flight = None;
        actions
    }

    /// The generation of the accepted assignment (0 before any).
    pub fn generation(&self) -> u64 {
        self.log.generation()
    }

    /// The leader in this worker's view (oldest live incarnation), with its URL (for forwarding
    /// REST writes); None until known.
    ///
    /// "Oldest" is refined by stickiness: the proposer of the accepted assignment stays the leader
    /// while it is live in its incarnation of that assignment; otherwise the live worker whose
    /// current incarnation appeared first in the log leads. None before
    /// [`caught_up`](Self::caught_up) and after [`leave`](Self::leave).
    pub fn leader(&self) -> Option<(&WorkerId, &str)> {
        let leader = self.leader_id()?;
        if *leader == self.me {
            return Some((leader, &self.url));
        }
        let url = self
            .log
            .worker(leader)
            .map_or("", |known| known.url.as_str());
        Some((leader, url))
    }

    /// Whether this worker is the leader in its own view.
    pub fn is_leader(&self) -> bool {
        self.leader_id().is_some_and(|leader| *leader == self.me)
    }

    /// Work this worker runs now (after executing the returned actions).
    pub fn running(&self) -> &BTreeSet<Work> {
        &self.running
    }

    /// The accepted assignment (for status: which worker owns what).
    pub fn assignment(&self) -> Option<&Assignment> {
        self.log.accepted()
    }

    /// Whether this worker is fenced: it stopped its work because it could not read back its own
    /// heartbeat within the session timeout (or it has not read back its first one yet), and runs
    /// nothing until it is fresh again and either owns nothing or reads a new accepted assignment.
    /// For health reporting: a worker fenced for long cannot reach the log.
    pub fn is_fenced(&self) -> bool {
        self.fenced
    }

    fn observe_time(&mut self, now_ms: u64) {
        self.now_ms = self.now_ms.max(now_ms);
    }

    /// `session_timeout_ms + rebalance_delay_ms`.
    fn grace_ms(&self) -> u64 {
        self.config
            .session_timeout_ms
            .saturating_add(self.config.rebalance_delay_ms)
    }

    /// Fresh: this worker read back, less than a session timeout ago, a heartbeat it sent then.
    fn fresh(&self, now_ms: u64) -> bool {
        self.horizon_ms
            .is_some_and(|sent| now_ms < sent.saturating_add(self.config.session_timeout_ms))
    }

    /// Notes that own heartbeat `seq` was read back; returns whether it moved the horizon.
    fn own_heartbeat_read_back(&mut self, seq: u64) -> bool {
        let mut moved = false;
        while let Some(&(sent_seq, sent_ms)) = self.heartbeats_in_flight.front() {
            if sent_seq > seq {
                break;
            }
            self.heartbeats_in_flight.pop_front();
            if sent_seq == seq && self.horizon_ms.is_none_or(|h| sent_ms > h) {
                self.horizon_ms = Some(sent_ms);
                moved = true;
            }
        }
        moved
    }

    /// What the accepted assignment gives to this incarnation.
    fn my_work(&self) -> &BTreeSet<Work> {
        static NOTHING: BTreeSet<Work> = BTreeSet::new();
        match self.log.accepted() {
            Some(a) if a.has_member(&self.me, &self.incarnation) => {
                a.work.get(&self.me).unwrap_or(&NOTHING)
            }
            _ => &NOTHING,
        }
    }

    fn owned_by_me(&self) -> BTreeSet<Work> {
        self.log.owned_by(&self.me, &self.incarnation)
    }

    /// Whether `worker` is live in its incarnation `incarnation`.
    fn is_live_as(&self, worker: &str, incarnation: &str) -> bool {
        if worker == self.me {
            return !self.left && incarnation == self.incarnation;
        }
        self.log
            .worker(worker)
            .is_some_and(|known| known.incarnation == incarnation)
            && self.is_live(worker)
    }

    /// Whether `worker`'s current incarnation is live at the latest time seen.
    fn is_live(&self, worker: &str) -> bool {
        if worker == self.me {
            return !self.left;
        }
        let heard = self.last_heard_ms.get(worker).copied();
        self.log.worker(worker).is_some_and(|known| !known.left)
            && heard.is_some_and(|t| self.now_ms < t.saturating_add(self.config.session_timeout_ms))
    }

    fn leader_id(&self) -> Option<&WorkerId> {
        if !self.caught_up || self.left {
            return None;
        }
        if let Some(accepted) = self.log.accepted()
            && let Some(member) = accepted.members.get(&accepted.proposer)
            && self.is_live_as(&accepted.proposer, &member.incarnation)
        {
            return Some(&accepted.proposer);
        }
        let my_position = self
            .log
            .worker(&self.me)
            .filter(|known| known.incarnation == self.incarnation)
            .map_or(u64::MAX, |known| known.first_position);
        let mut oldest = (my_position, &self.me);
        for (worker, known) in self.log.workers() {
            if *worker != self.me && self.is_live(worker) && (known.first_position, worker) < oldest
            {
                oldest = (known.first_position, worker);
            }
        }
        Some(oldest.1)
    }

    /// Live workers, this one included, in their current incarnations.
    fn live_members(&self) -> BTreeMap<WorkerId, Member> {
        let mut live: BTreeMap<WorkerId, Member> = self
            .log
            .workers()
            .iter()
            .filter(|(worker, _)| **worker != self.me && self.is_live(worker))
            .map(|(worker, known)| {
                let member = Member {
                    incarnation: known.incarnation.clone(),
                    url: known.url.clone(),
                };
                (worker.clone(), member)
            })
            .collect();
        live.insert(
            self.me.clone(),
            Member {
                incarnation: self.incarnation.clone(),
                url: self.url.clone(),
            },
        );
        live
    }

    /// Members of the accepted assignment that are silent (not live) but not dropped yet: the log
    /// has not been read (horizon) up to session timeout + rebalance delay after their last
    /// heartbeat. Members that left or were superseded by a new incarnation are dropped at once.
    fn reserved_members(
        &self,
        live: &BTreeMap<WorkerId, Member>,
        horizon_ms: u64,
    ) -> BTreeMap<WorkerId, Member> {
        let Some(accepted) = self.log.accepted() else {
            return BTreeMap::new();
        };
        let grace = self.grace_ms();
        accepted
            .members
            .iter()
            .filter(|(worker, member)| {
                if live.contains_key(*worker) {
                    return false;
                }
                let current = self
                    .log
                    .worker(worker)
                    .is_some_and(|known| known.incarnation == member.incarnation && !known.left);
                // Never dropped while its last heartbeat is unknown (cannot happen: every known
                // worker has a time).
                let heard = self
                    .last_heard_ms
                    .get(*worker)
                    .copied()
                    .unwrap_or(horizon_ms);
                current && horizon_ms < heard.saturating_add(grace)
            })
            .map(|(worker, member)| (worker.clone(), member.clone()))
            .collect()
    }

    /// Bookkeeping after every input: self-fencing, unfencing, the unconfirmed baseline, then the
    /// Stops and Starts, then the `Released` records.
    fn after_change(
        &mut self,
        now_ms: u64,
        accepted_change: Option<BTreeSet<Work>>,
        actions: &mut Vec<Action>,
    ) {
        if self.left {
            return;
        }
        if let Some(baseline) = &mut self.unconfirmed {
            let log = &self.log;
            baseline.members.retain(|(worker, incarnation)| {
                !log.is_retired(worker, incarnation)
                    && log
                        .accepted()
                        .is_some_and(|a| a.has_member(worker, incarnation))
            });
            if baseline.members.is_empty() {
                self.unconfirmed = None;
                self.log.confirm_owners();
            }
        }
        let generation = self.log.generation();
        let fresh = self.fresh(now_ms);
        let mut fenced_now = false;
        if !self.fenced && !fresh {
            // Self-fencing: this worker may have been declared dead.
            self.fenced = true;
            fenced_now = true;
            for work in std::mem::take(&mut self.running) {
                actions.push(Action::Stop(work));
            }
            self.reconciled = None;
            let owned: Vec<Work> = self.owned_by_me().into_iter().collect();
            if !owned.is_empty() {
                actions.push(self.released(generation, owned));
            }
        } else if self.fenced {
            if fresh && (accepted_change.is_some() || self.owned_by_me().is_empty()) {
                self.fenced = false;
            } else if accepted_change.is_some() {
                // Hand back what this assignment gives: this worker cannot run it now.
                let given: Vec<Work> = self.my_work().iter().cloned().collect();
                if !given.is_empty() {
                    actions.push(self.released(generation, given));
                }
            }
        }
        self.reconcile(now_ms, actions);
        if let Some(mine_before) = accepted_change
            && !self.fenced
            && !fenced_now
        {
            let owned = self.owned_by_me();
            let mine_now = self.my_work();
            let revoked: Vec<Work> = mine_before
                .into_iter()
                .filter(|item| !mine_now.contains(item) && owned.contains(item))
                .collect();
            if !revoked.is_empty() {
                actions.push(self.released(generation, revoked));
            }
        }
    }

    /// Writes `Released` again for what this worker gave back but still owns in the log once a
    /// heartbeat sent after the last `Released` has been read back: writes land in order, so that
    /// `Released` was lost (a failed write). Checked when an own heartbeat is read back.
    fn retry_releases(&mut self, now_ms: u64, actions: &mut Vec<Action>) {
        let later_heartbeat_read = match (self.horizon_ms, self.last_release_sent_ms) {
            (Some(horizon), Some(sent)) => horizon > sent,
            (Some(_), None) => true,
            (None, _) => false,
        };
        if self.left || !later_heartbeat_read || !self.fresh(now_ms) {
            return;
        }
        let mine = self.my_work();
        let given_back: Vec<Work> = self
            .owned_by_me()
            .into_iter()
            .filter(|item| self.fenced || !mine.contains(item))
            .collect();
        if !given_back.is_empty() {
            let generation = self.log.generation();
            actions.push(self.released(generation, given_back));
        }
    }

    /// A `Released` record of this worker (and notes when it was written).
    fn released(&mut self, generation: u64, work: Vec<Work>) -> Action {
        self.last_release_sent_ms = Some(self.now_ms);
        Action::Write(CoordinationRecord::Released {
            worker: self.me.clone(),
            incarnation: self.incarnation.clone(),
            generation,
            work,
        })
    }

    /// Stops what this worker should not run and starts what it should.
    fn reconcile(&mut self, now_ms: u64, actions: &mut Vec<Action>) {
        let can_run = self.caught_up && !self.fenced && !self.left && self.fresh(now_ms);
        let inputs = (self.log.revision(), self.work_version, can_run);
        if self.reconciled == Some(inputs) {
            return;
        }
        self.reconciled = Some(inputs);
        let desired: BTreeSet<Work> = if can_run {
            // Owned too: work handed back with `Released` stays in the assignment but is not ours.
            self.my_work()
                .iter()
                .filter(|item| {
                    self.work.contains(*item)
                        && self.log.is_owned_by(item, &self.me, &self.incarnation)
                })
                .cloned()
                .collect()
        } else {
            BTreeSet::new()
        };
        let stops: Vec<Work> = self.running.difference(&desired).cloned().collect();
        for work in stops {
            self.running.remove(&work);
            actions.push(Action::Stop(work));
        }
        let starts: Vec<Work> = desired.difference(&self.running).cloned().collect();
        for work in starts {
            self.running.insert(work.clone());
            actions.push(Action::Start(work));
        }
    }

    /// The leader proposes its target when it differs from the accepted assignment, one proposal
    /// at a time.
    fn maybe_propose(&mut self, now_ms: u64, actions: &mut Vec<Action>) {
        if !self.caught_up
            || self.left
            || !self.fresh(now_ms)
            || self.proposal_in_flight.is_some()
            || self.unconfirmed.is_some()
            || !self.is_leader()
        {
            return;
        }
        let Some(horizon_ms) = self.horizon_ms else {
            return;
        };
        let live = self.live_members();
        let reserved = self.reserved_members(&live, horizon_ms);
        let inputs = TargetInputs {
            log_revision: self.log.revision(),
            work_version: self.work_version,
            live,
            reserved,
        };
        if self.settled_inputs.as_ref() == Some(&inputs) {
            return;
        }
        let target = compute_target(&TargetInput {
            live: &inputs.live,
            reserved: &inputs.reserved,
            work: &self.work,
            owners: self.log.owners(),
            accepted: self.log.accepted(),
        });
        if !needs_proposal(
            &target,
            self.log.accepted(),
            self.log.owners(),
            self.log.latest_assignment_accepted(),
        ) {
            self.settled_inputs = Some(inputs);
            return;
        }
        self.settled_inputs = None;
        let generation = self.log.generation() + 1;
        self.proposal_in_flight = Some(ProposalInFlight {
            generation,
            sent_at_ms: now_ms,
        });
        actions.push(Action::Write(CoordinationRecord::Assignment(Assignment {
            generation,
            proposer: self.me.clone(),
            members: target.members,
            work: target.work,
        })));
    }
}
