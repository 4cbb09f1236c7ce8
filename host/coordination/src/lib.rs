//! Coordination of distributed-mode workers through a shared, totally ordered log (the config
//! topic's single partition): a pure state machine, without I/O, clocks, threads or randomness.
//!
//! # Why log-only
//!
//! Kafka Connect coordinates its workers with the broker's group protocol and an embedded
//! "connect" sub-protocol that librdkafka does not expose. Instead of leaning on a broker's group
//! implementation (its generations, its session handling, its rebalance quirks), every worker
//! appends small records to the config topic and reads all of it, in the same order. Membership,
//! leadership and assignments all derive from that one log, so:
//! - nothing depends on the broker beyond "a partition is a totally ordered, durable log";
//! - the whole protocol is this crate's pure code, driven by [`Coordinator::on_record`],
//!   [`Coordinator::on_work`], [`Coordinator::caught_up`] and [`Coordinator::tick`], and it is
//!   tested under a deterministic simulation with crashes, restarts, partitions, slow readers,
//!   lost writes, clock drift and compaction (`tests/simulation.rs`).
//!
//! # The protocol
//!
//! Records ([`CoordinationRecord`]): `Heartbeat` (every `heartbeat.interval.ms`), `Leave` (graceful
//! stop, after stopping all work), `Assignment` (proposed by the leader) and `Released` (a worker
//! stopped work that it gives back).
//!
//! **Log state** (the same on every worker at the same log position): the latest *accepted*
//! assignment, the owner of every item (owner = the member an accepted assignment gave it to,
//! until that member releases it in that generation or a later one, leaves, or a later accepted
//! assignment drops it), and the current incarnation of every worker with the log position where
//! it first appeared. An Assignment record is **accepted** iff its generation is greater than the
//! current one and every item it gives to a worker W is unowned or owned by W (items of members
//! that it drops count as unowned; malformed ones, with an item given twice or work of a
//! non-member, are ignored). Everyone applies the same rule to the same records, so everyone
//! accepts the same assignments.
//!
//! **Local view** (local clock): a worker is live if a heartbeat of its current incarnation was
//! read less than `session.timeout.ms` ago, gone at once when it wrote `Leave` or when a newer
//! incarnation of the same id appears. The leader is the proposer of the accepted assignment while
//! it is live, otherwise the live worker whose incarnation appeared first in the log. Only the
//! leader proposes, one proposal at a time, when its target differs from the accepted assignment
//! (joins, leaves, work added or removed, imbalance), or when the latest Assignment record was
//! not accepted (so that the one compaction keeps is an accepted one).
//!
//! **Target**: every item stays with its owner if that owner stays a member; connectors and tasks
//! are balanced separately (counts differ by at most one); an item that must move off a member
//! that stays is first *revoked* (left out of the proposal) and only given to its new owner once
//! the old owner's `Released` is in the log (two rounds, as in KIP-415). A silent member keeps its
//! work reserved until `session.timeout.ms + scheduled.rebalance.max.delay.ms` after its last
//! heartbeat, then it is dropped and its work is given out in the same proposal; a member that
//! left or restarted is dropped at once (a restarted worker gets its work back).
//!
//! **Each worker**, on an accepted assignment, stops what is no longer its own, then writes
//! `Released` for it, and starts what is newly its own (only after the start-up replay). A worker
//! runs only what the accepted assignment gives it *and* it still owns; a worker that is not a
//! member runs nothing.
//!
//! **Lost writes** (a failed produce) are tolerated: heartbeats recur; a proposal not read back
//! within `session.timeout.ms` is made again; a lost `Leave` turns into a silent death; a
//! `Released` whose effect is not in the log once a later own heartbeat has been read back is
//! written again (writes must land in the order they were emitted, as with one producer).
//!
//! # Safety: no item runs on two workers at once
//!
//! An item reaches a new owner only through an accepted assignment, and the acceptance rule
//! admits it only if its previous owner (1) wrote `Released` (it stopped the item before writing),
//! (2) wrote `Leave` (it stopped everything before), (3) is an incarnation superseded by a new one
//! of the same `host:port` (two processes cannot listen there at once, so it is gone), or (4) is
//! dropped by that very assignment. Case 4 rests on timing, with two rules:
//!
//! - *Self-fencing*: a worker is **fresh** while the latest of its own heartbeats that it read back
//!   was *sent* less than `session.timeout.ms` ago. At every tick, a worker that is not fresh
//!   stops everything (and hands its work back with `Released`); it runs again only once fresh,
//!   and only work given by an accepted assignment read after that (or once it owns nothing).
//! - *Dropping*: the leader's **horizon** is the send time of the latest own heartbeat it read
//!   back: every record that reached the log before it has been read. The leader drops a silent
//!   member M only when its horizon is `session.timeout.ms + scheduled.rebalance.max.delay.ms`
//!   past the time it read M's last heartbeat.
//!
//! Then every later heartbeat of M reached the log after the horizon (the leader would have read
//! it otherwise), so M read none of them before the horizon. Until then the latest own heartbeat
//! M had read back was at most the one the leader saw, sent no later than the leader read it:
//! M stopped being fresh `session.timeout.ms` after that and fenced itself at its next tick, a
//! full `scheduled.rebalance.max.delay.ms` before the horizon, hence before anyone could act on
//! the proposal (written after the horizon). To run again, M must read, after one of its later
//! heartbeats, a new accepted assignment or the release of all it owns; both come after the
//! leader's read position, and an assignment accepted there has a generation that makes the
//! proposal that dropped M be ignored. Read delays do not enter the argument (they only delay
//! failover); the timing assumption is only this: **`scheduled.rebalance.max.delay.ms` exceeds
//! the tick period, plus the time a worker takes to stop all its work, plus the difference the
//! two workers' clocks can drift apart over `session.timeout.ms + scheduled.rebalance.max.delay.ms`**
//! (clocks need not be synchronized, only to run at about the same rate).
//!
//! # Replay and compaction
//!
//! A worker starts by reading the whole log (no proposal, no Start before
//! [`Coordinator::caught_up`]). Compaction keeps only the latest record per key, so the first
//! assignment a restarted worker reads may come after lost history (its generation is above 1),
//! and it may even be a proposal the cluster ignored (a late duplicate whose accepted twin was
//! compacted away). Such a worker takes that assignment as a *baseline*: the ownership it learns
//! from it is tentative (it does not block the acceptance of later assignments, so the worker
//! follows the cluster's next accepted one), and the worker does not propose (an item that looks
//! unowned to it might still be on its way out of a member). Its view is confirmed once every
//! member of the baseline has left, restarted or been dropped, or after the grace period
//! (`session.timeout.ms + scheduled.rebalance.max.delay.ms`). Old incarnations are never heard
//! again and are dropped by time; in a full-cluster restart, the workers that come back replace
//! their old incarnations and confirm the baseline at once. Assumptions: compaction does not remove
//! records younger than the time a rebalance takes to settle (`min.compaction.lag.ms` of a few
//! times session timeout + delay, or the active segment), and a worker does not fall further
//! behind the log than that.
//!
//! # Limits
//!
//! A worker whose writes reach the log while it cannot read it keeps being seen as live while it
//! stays fenced; its work is handed back (`Released`) but may be given to it again. Two processes
//! started with the same worker id: the incarnation heard last wins, the other never reads back
//! its own heartbeats and stays fenced.

mod coordinator;
mod records;
mod state;
mod target;

pub use coordinator::{Action, Coordinator, CoordinatorConfig};
pub use records::{Assignment, CoordinationRecord, Member, Work, WorkerId};
