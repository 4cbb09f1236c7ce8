//! Deterministic simulation of a cluster of workers coordinating through one shared log.
//!
//! 3–5 worker slots share a log (a `Vec`). Each worker reads it in order with its own random,
//! bounded delay per record, ticks every 100 ms on its own drifting clock, and executes the
//! coordinator's actions (writes land in the log at once, or when a partition heals). Faults:
//! crashes (the worker vanishes: stops everything at once, writes nothing more, loses what it had
//! not written yet), restarts (new incarnation, replay from the start of the log), graceful leaves,
//! partitions from the log (no reads, writes held back, ticks go on), failed writes (lost), work
//! changes (connectors added, removed, task counts changed) and compaction (latest record per key
//! kept).
//!
//! Checked after every step (and at every Start): (a) no work item runs on two live workers at
//! the same time; (b) accepted assignments of one generation never give an item to two workers,
//! and every worker that accepted a generation accepted the same assignment (for a worker that
//! replayed compacted history: every generation it is a member of). After the faults
//! stop: within session timeout + rebalance delay + heartbeat interval + 4 s of simulated time,
//! every item runs on exactly one live worker, every live worker is a member, counts are balanced
//! (connectors and tasks separately, differing by at most one), and nothing changes for 2 more
//! seconds.
//!
//! Timing bounds. The protocol's safety does not rely on read delays: a leader drops a silent
//! member only when its *horizon* (the send time of its latest own heartbeat read back) is
//! session timeout + rebalance delay past that member's last heartbeat, and a worker fences itself
//! once the latest own heartbeat it read back was sent a session timeout ago. What safety needs is
//! REBALANCE_DELAY > tick period + stop time (0 here) + clock drift over SESSION_TIMEOUT +
//! REBALANCE_DELAY: 1500 ms > 100 ms + 2 × 0.2 % × 4500 ms. Read delays (≤ 400 ms) stay well below
//! SESSION_TIMEOUT − HEARTBEAT_INTERVAL so that live workers look live (liveness, not safety), and
//! partitions (≤ 7 s) and read delays stay below the compaction lag (14 s), as the crate docs
//! require. A full compaction (no lag) happens only while every worker is down, as before a
//! full-cluster restart.
//!
//! Seeds: `WASM_CONNECT_SIM_SEEDS` (default 3000) seeds from `WASM_CONNECT_SIM_FIRST_SEED`
//! (default 1). A failure prints its seed and a trace of the last events.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::time::Instant;
use wasm_connect_coordination::{
    Action, Assignment, CoordinationRecord, Coordinator, CoordinatorConfig, Work,
};

const SESSION_TIMEOUT: u64 = 3_000;
const HEARTBEAT_INTERVAL: u64 = 1_000;
const REBALANCE_DELAY: u64 = 1_500;
/// Simulated time per step.
const STEP: u64 = 50;
/// Each worker ticks every TICK ms (with its own phase).
const TICK: u64 = 100;
const MAX_READ_DELAY: u64 = 400;
/// Clock rate error of each worker, at most ± this many parts per million.
const MAX_DRIFT_PPM: u64 = 2_000;
const MAX_PARTITION: u64 = 7_000;
/// Compaction only removes (superseded) records older than this while a worker is up.
const COMPACTION_LAG: u64 = 14_000;
const FAULT_PHASE: u64 = 20_000;
const SETTLE: u64 = SESSION_TIMEOUT + REBALANCE_DELAY + HEARTBEAT_INTERVAL + 4_000;
const STABLE: u64 = 2_000;
/// Events kept for the trace of a failure.
const TRACE_LEN: usize = 250;

// Fault chances per step, in 1/10000.
const CRASH: u64 = 40;
const LEAVE: u64 = 25;
const RESTART: u64 = 150;
const PARTITION: u64 = 40;
const WORK_CHANGE: u64 = 60;
const COMPACT: u64 = 100;
/// Chance that a write fails (is lost), per write, in 1/10000.
const LOSE_WRITE: u64 = 50;

fn config() -> CoordinatorConfig {
    CoordinatorConfig {
        session_timeout_ms: SESSION_TIMEOUT,
        heartbeat_interval_ms: HEARTBEAT_INTERVAL,
        rebalance_delay_ms: REBALANCE_DELAY,
    }
}

/// SplitMix64: small, seedable, good enough.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (0 if n is 0).
    fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next() % n }
    }

    /// Uniform in `low..=high`.
    fn between(&mut self, low: u64, high: u64) -> u64 {
        low + self.below(high - low + 1)
    }

    fn chance(&mut self, per_10000: u64) -> bool {
        self.below(10_000) < per_10000
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> Option<T> {
        if items.is_empty() {
            None
        } else {
            Some(items[self.below(items.len() as u64) as usize])
        }
    }
}

#[derive(Clone, Debug)]
enum Body {
    Record(CoordinationRecord),
    /// The set of all work from this position on (what the lead derives from config records).
    Work(BTreeSet<Work>),
}

struct Entry {
    landed_at: u64,
    key: String,
    body: Body,
    compacted: bool,
}

struct Node {
    incarnation: String,
    coordinator: Coordinator,
    /// Next log index to read.
    cursor: usize,
    /// When the record at `cursor` becomes readable for this worker.
    ready_at: Option<u64>,
    /// The log length when the worker started: caught up once read to there.
    replay_end: usize,
    caught_up: bool,
    partitioned_until: Option<u64>,
    /// Writes held back by a partition.
    outbox: Vec<CoordinationRecord>,
    /// What the worker runs, from the Start and Stop actions.
    running: BTreeSet<Work>,
    /// The generation of the accepted assignment last checked against the other workers'.
    checked_generation: u64,
    /// It skipped compacted records: its view of the history is partial.
    read_compacted: bool,
}

struct Slot {
    id: String,
    clock_offset: u64,
    drift_ppm: i64,
    tick_phase: u64,
    node: Option<Node>,
}

impl Slot {
    /// The slot's local clock at simulated time `now`.
    fn local(&self, now: u64) -> u64 {
        let drift = now as i64 * self.drift_ppm / 1_000_000;
        (self.clock_offset as i64 + now as i64 + drift) as u64
    }
}

#[derive(Default, Clone, Copy)]
struct Stats {
    crashes: u64,
    restarts: u64,
    leaves: u64,
    partitions: u64,
    work_changes: u64,
    compactions: u64,
    generations: u64,
    records: u64,
    lost_writes: u64,
}

/// What must not change once converged: generation and who runs what.
type Snapshot = (u64, Vec<(String, BTreeSet<Work>)>);

struct Sim {
    rng: Rng,
    now: u64,
    log: Vec<Entry>,
    slots: Vec<Slot>,
    work: BTreeSet<Work>,
    next_connector: u32,
    next_incarnation: u64,
    /// The assignment accepted for each generation (by whoever accepted it first).
    accepted: BTreeMap<u64, Assignment>,
    trace: Option<VecDeque<String>>,
    stats: Stats,
    /// Faults are being injected (writes may be lost).
    faulty: bool,
    /// Some worker started something since the last check of (a).
    started_since_check: bool,
}

impl Sim {
    fn new(seed: u64, traced: bool) -> Self {
        let mut rng = Rng(seed);
        let slot_count = rng.between(3, 5) as usize;
        let slots = (0..slot_count)
            .map(|i| Slot {
                id: format!("10.0.0.{i}:8083"),
                clock_offset: rng.below(1_000_000_000),
                drift_ppm: rng.between(0, 2 * MAX_DRIFT_PPM) as i64 - MAX_DRIFT_PPM as i64,
                tick_phase: rng.below(TICK / STEP) * STEP,
                node: None,
            })
            .collect();
        let mut sim = Sim {
            rng,
            now: 0,
            log: Vec::new(),
            slots,
            work: BTreeSet::new(),
            next_connector: 0,
            next_incarnation: 0,
            accepted: BTreeMap::new(),
            trace: traced.then(VecDeque::new),
            stats: Stats::default(),
            faulty: false,
            started_since_check: false,
        };
        let connectors = sim.rng.between(1, 3);
        for _ in 0..connectors {
            sim.add_connector();
        }
        sim.append(Body::Work(sim.work.clone()));
        for i in 0..slot_count {
            sim.start(i);
        }
        sim
    }

    fn trace(&mut self, event: impl FnOnce() -> String) {
        if let Some(trace) = &mut self.trace {
            if trace.len() == TRACE_LEN {
                trace.pop_front();
            }
            trace.push_back(format!("{:>6} {}", self.now, event()));
        }
    }

    fn add_connector(&mut self) {
        let name = format!("c{}", self.next_connector);
        self.next_connector += 1;
        self.work.insert(Work::Connector(name.clone()));
        for task in 0..self.rng.below(5) as u32 {
            self.work.insert(Work::Task {
                connector: name.clone(),
                task,
            });
        }
    }

    fn append(&mut self, body: Body) {
        let key = match &body {
            Body::Record(record) => record.key(),
            Body::Work(_) => "work".to_owned(),
        };
        let index = self.log.len();
        self.trace(|| format!("log[{index}] = {body:?}"));
        self.stats.records += 1;
        self.log.push(Entry {
            landed_at: self.now,
            key,
            body,
            compacted: false,
        });
    }

    fn up(&self) -> Vec<usize> {
        (0..self.slots.len())
            .filter(|i| self.slots[*i].node.is_some())
            .collect()
    }

    fn start(&mut self, i: usize) {
        self.next_incarnation += 1;
        let incarnation = format!("inc{}", self.next_incarnation);
        let id = self.slots[i].id.clone();
        self.trace(|| format!("{id} starts as {incarnation}"));
        let coordinator = Coordinator::new(
            id.clone(),
            incarnation.clone(),
            format!("http://{id}"),
            config(),
        );
        self.slots[i].node = Some(Node {
            incarnation,
            coordinator,
            cursor: 0,
            ready_at: None,
            replay_end: self.log.len(),
            caught_up: false,
            partitioned_until: None,
            outbox: Vec::new(),
            running: BTreeSet::new(),
            checked_generation: 0,
            read_compacted: false,
        });
    }

    fn crash(&mut self, i: usize) {
        let id = self.slots[i].id.clone();
        self.trace(|| format!("{id} crashes"));
        self.slots[i].node = None;
        self.stats.crashes += 1;
    }

    fn leave(&mut self, i: usize) -> Result<(), String> {
        let Some(mut node) = self.slots[i].node.take() else {
            return Ok(());
        };
        let id = self.slots[i].id.clone();
        self.trace(|| format!("{id} leaves"));
        let actions = node.coordinator.leave();
        self.execute(i, &mut node, actions)?;
        if !node.running.is_empty() {
            return Err(format!("{id} left while running {:?}", node.running));
        }
        self.stats.leaves += 1;
        Ok(())
    }

    fn heal(&mut self, i: usize) {
        let Some(node) = &mut self.slots[i].node else {
            return;
        };
        node.partitioned_until = None;
        let outbox = std::mem::take(&mut node.outbox);
        let id = self.slots[i].id.clone();
        self.trace(|| format!("{id} partition heals"));
        for record in outbox {
            self.append(Body::Record(record));
        }
    }

    /// Marks superseded records older than `lag` (all of them if None) as compacted.
    fn compact(&mut self, lag: Option<u64>) {
        let cutoff = lag.map(|lag| self.now.saturating_sub(lag));
        let mut latest: BTreeMap<&str, usize> = BTreeMap::new();
        for (index, entry) in self.log.iter().enumerate() {
            if !entry.compacted {
                latest.insert(&entry.key, index);
            }
        }
        let superseded: Vec<usize> = self
            .log
            .iter()
            .enumerate()
            .filter(|(index, entry)| {
                !entry.compacted
                    && latest.get(entry.key.as_str()) != Some(index)
                    && cutoff.is_none_or(|cutoff| entry.landed_at < cutoff)
            })
            .map(|(index, _)| index)
            .collect();
        for index in &superseded {
            self.log[*index].compacted = true;
        }
        let count = superseded.len();
        self.trace(|| format!("compaction (lag {lag:?}) removes {count} records"));
        self.stats.compactions += 1;
    }

    fn change_work(&mut self) {
        let connectors: Vec<String> = self
            .work
            .iter()
            .filter_map(|w| match w {
                Work::Connector(name) => Some(name.clone()),
                Work::Task { .. } => None,
            })
            .collect();
        let victim = connectors
            .get(self.rng.below(connectors.len() as u64) as usize)
            .cloned();
        match (self.rng.below(3), victim) {
            (1, Some(name)) => self.work.retain(|w| w.connector() != name),
            (2, Some(name)) => {
                self.work
                    .retain(|w| w.connector() != name || w.is_connector());
                for task in 0..self.rng.below(5) as u32 {
                    self.work.insert(Work::Task {
                        connector: name.clone(),
                        task,
                    });
                }
            }
            _ => self.add_connector(),
        }
        self.stats.work_changes += 1;
        self.append(Body::Work(self.work.clone()));
    }

    fn inject_faults(&mut self) -> Result<(), String> {
        if self.rng.chance(CRASH)
            && let Some(i) = self.rng.pick(&self.up())
        {
            self.crash(i);
        }
        if self.rng.chance(LEAVE)
            && let Some(i) = self.rng.pick(&self.up())
        {
            self.leave(i)?;
        }
        for i in 0..self.slots.len() {
            if self.slots[i].node.is_none() && self.rng.chance(RESTART) {
                self.start(i);
                self.stats.restarts += 1;
            }
        }
        if self.rng.chance(PARTITION) {
            let connected: Vec<usize> = self
                .up()
                .into_iter()
                .filter(|i| {
                    self.slots[*i]
                        .node
                        .as_ref()
                        .is_some_and(|n| n.partitioned_until.is_none())
                })
                .collect();
            if let Some(i) = self.rng.pick(&connected) {
                let until = self.now + self.rng.between(300, MAX_PARTITION);
                let id = self.slots[i].id.clone();
                self.trace(|| format!("{id} partitioned until {until}"));
                if let Some(node) = &mut self.slots[i].node {
                    node.partitioned_until = Some(until);
                }
                self.stats.partitions += 1;
            }
        }
        if self.rng.chance(WORK_CHANGE) {
            self.change_work();
        }
        if self.rng.chance(COMPACT) {
            if self.up().is_empty() {
                // Before a full-cluster restart: everything superseded goes, and the history with
                // it (new incarnations start from what survives).
                self.compact(None);
                self.accepted.clear();
            } else {
                self.compact(Some(COMPACTION_LAG));
            }
        }
        Ok(())
    }

    fn end_faults(&mut self) {
        self.faulty = false;
        for i in 0..self.slots.len() {
            if self.slots[i]
                .node
                .as_ref()
                .is_some_and(|n| n.partitioned_until.is_some())
            {
                self.heal(i);
            } else if self.slots[i].node.is_none() && self.rng.chance(5_000) {
                self.start(i);
            }
        }
        if self.up().is_empty() {
            self.start(0);
        }
        self.trace(|| "faults end".to_owned());
    }

    fn step(&mut self, faults: bool) -> Result<(), String> {
        if faults {
            self.inject_faults()?;
        }
        for i in 0..self.slots.len() {
            let heals = self.slots[i]
                .node
                .as_ref()
                .and_then(|n| n.partitioned_until)
                .is_some_and(|until| until <= self.now);
            if heals {
                self.heal(i);
            }
        }
        let count = self.slots.len();
        let first = (self.now / STEP) as usize % count;
        for k in 0..count {
            let i = (first + k) % count;
            if let Some(mut node) = self.slots[i].node.take() {
                let result = self.act(i, &mut node);
                self.slots[i].node = Some(node);
                result?;
            }
        }
        self.check_safety()?;
        self.now += STEP;
        Ok(())
    }

    /// One worker's turn: read what has become readable, then tick.
    fn act(&mut self, i: usize, node: &mut Node) -> Result<(), String> {
        let local = self.slots[i].local(self.now);
        if node.partitioned_until.is_none() {
            loop {
                if !node.caught_up && node.cursor >= node.replay_end {
                    node.caught_up = true;
                    let id = self.slots[i].id.clone();
                    self.trace(|| format!("{id} caught up"));
                    let actions = node.coordinator.caught_up(local);
                    self.execute(i, node, actions)?;
                }
                while node.cursor < self.log.len() && self.log[node.cursor].compacted {
                    node.cursor += 1;
                    node.ready_at = None;
                    node.read_compacted = true;
                }
                if node.cursor >= self.log.len() {
                    break;
                }
                let ready_at = match node.ready_at {
                    Some(at) => at,
                    None => {
                        let at =
                            self.log[node.cursor].landed_at + self.rng.below(MAX_READ_DELAY + 1);
                        node.ready_at = Some(at);
                        at
                    }
                };
                if self.now < ready_at {
                    break;
                }
                let index = node.cursor;
                let body = self.log[index].body.clone();
                node.cursor += 1;
                node.ready_at = None;
                let actions = match body {
                    Body::Record(record) => node.coordinator.on_record(&record, local),
                    Body::Work(work) => node.coordinator.on_work(work, local),
                };
                if !actions.is_empty() {
                    let id = self.slots[i].id.clone();
                    self.trace(|| format!("{id} reads log[{index}]"));
                }
                self.execute(i, node, actions)?;
            }
        }
        if (self.now + self.slots[i].tick_phase).is_multiple_of(TICK) {
            let actions = node.coordinator.tick(local);
            self.execute(i, node, actions)?;
        }
        Ok(())
    }

    fn execute(&mut self, i: usize, node: &mut Node, actions: Vec<Action>) -> Result<(), String> {
        if actions.is_empty() {
            return Ok(());
        }
        let id = self.slots[i].id.clone();
        for action in actions {
            match action {
                Action::Write(record) => {
                    if let CoordinationRecord::Assignment(_) = record {
                        self.stats.generations += 1;
                    }
                    if self.faulty && self.rng.chance(LOSE_WRITE) {
                        self.trace(|| format!("{id} fails to write {record:?}"));
                        self.stats.lost_writes += 1;
                    } else if node.partitioned_until.is_some() {
                        node.outbox.push(record);
                    } else {
                        self.append(Body::Record(record));
                    }
                }
                Action::Start(work) => {
                    self.trace(|| format!("{id} ({}) starts {work:?}", node.incarnation));
                    for (j, slot) in self.slots.iter().enumerate() {
                        if let Some(other) = &slot.node
                            && j != i
                            && other.running.contains(&work)
                        {
                            return Err(format!("{id} starts {work:?} while {} runs it", slot.id));
                        }
                    }
                    if !node.running.insert(work.clone()) {
                        return Err(format!("{id} starts {work:?} twice"));
                    }
                    self.started_since_check = true;
                }
                Action::Stop(work) => {
                    self.trace(|| format!("{id} ({}) stops {work:?}", node.incarnation));
                    if !node.running.remove(&work) {
                        return Err(format!("{id} stops {work:?} that it does not run"));
                    }
                }
            }
        }
        if node.running != *node.coordinator.running() {
            return Err(format!("{id}: running() disagrees with the actions"));
        }
        Ok(())
    }

    fn check_safety(&mut self) -> Result<(), String> {
        // (a) can only become false when something starts.
        if std::mem::take(&mut self.started_since_check) {
            let mut runner: BTreeMap<&Work, &str> = BTreeMap::new();
            for slot in &self.slots {
                let Some(node) = &slot.node else { continue };
                for work in &node.running {
                    if let Some(other) = runner.insert(work, &slot.id) {
                        return Err(format!("(a) {work:?} runs on {other} and {}", slot.id));
                    }
                }
            }
        }
        for slot in &mut self.slots {
            let Some(node) = &mut slot.node else { continue };
            let Some(assignment) = node.coordinator.assignment() else {
                continue;
            };
            if assignment.generation == node.checked_generation {
                continue;
            }
            node.checked_generation = assignment.generation;
            // A worker that read compacted history may start from an assignment the cluster
            // ignored (it follows the cluster's next one); what it runs comes only from
            // assignments it is a member of, and those must be the cluster's.
            if node.read_compacted && !assignment.has_member(&slot.id, &node.incarnation) {
                continue;
            }
            let mut given = BTreeSet::new();
            for item in assignment.work.values().flatten() {
                if !given.insert(item) {
                    return Err(format!(
                        "(b) generation {} gives {item:?} twice",
                        assignment.generation
                    ));
                }
            }
            match self.accepted.get(&assignment.generation) {
                Some(first) if first != assignment => {
                    return Err(format!(
                        "(b) {} accepted another assignment for generation {}: {assignment:?}, not {first:?}",
                        slot.id, assignment.generation
                    ));
                }
                Some(_) => {}
                None => {
                    self.accepted
                        .insert(assignment.generation, assignment.clone());
                }
            }
        }
        Ok(())
    }

    /// Checks the converged state and returns what must not change any more.
    fn converged(&self) -> Result<Snapshot, String> {
        let up: Vec<(&Slot, &Node)> = self
            .slots
            .iter()
            .filter_map(|slot| slot.node.as_ref().map(|node| (slot, node)))
            .collect();
        let Some((_, first)) = up.first() else {
            return Err("no worker up".to_owned());
        };
        let assignment = first
            .coordinator
            .assignment()
            .ok_or("no assignment after the faults")?;
        let members: BTreeSet<(&str, &str)> = assignment
            .members
            .iter()
            .map(|(w, m)| (w.as_str(), m.incarnation.as_str()))
            .collect();
        let expected: BTreeSet<(&str, &str)> = up
            .iter()
            .map(|(slot, node)| (slot.id.as_str(), node.incarnation.as_str()))
            .collect();
        if members != expected {
            return Err(format!("members {members:?}, live workers {expected:?}"));
        }
        for (slot, node) in &up {
            if !node.caught_up || node.coordinator.is_fenced() {
                return Err(format!("{} is not caught up or still fenced", slot.id));
            }
            if node.coordinator.assignment() != Some(assignment) {
                return Err(format!("{} has another assignment", slot.id));
            }
        }
        for work in &self.work {
            let runners = up
                .iter()
                .filter(|(_, node)| node.running.contains(work))
                .count();
            if runners != 1 {
                return Err(format!("{work:?} runs on {runners} workers"));
            }
        }
        for (slot, node) in &up {
            if let Some(stray) = node.running.iter().find(|w| !self.work.contains(*w)) {
                return Err(format!("{} runs removed work {stray:?}", slot.id));
            }
        }
        for connectors in [true, false] {
            let counts: Vec<usize> = up
                .iter()
                .map(|(_, node)| {
                    node.running
                        .iter()
                        .filter(|w| w.is_connector() == connectors)
                        .count()
                })
                .collect();
            let (min, max) = (counts.iter().min(), counts.iter().max());
            if max.zip(min).is_some_and(|(max, min)| max - min > 1) {
                let kind = if connectors { "connectors" } else { "tasks" };
                return Err(format!("unbalanced {kind}: {counts:?}"));
            }
        }
        Ok((
            assignment.generation,
            up.iter()
                .map(|(slot, node)| (slot.id.clone(), node.running.clone()))
                .collect(),
        ))
    }

    fn settle_and_check(&mut self) -> Result<(), String> {
        let settled = self.now + SETTLE;
        while self.now < settled {
            self.step(false)?;
        }
        let snapshot = self.converged()?;
        let stable = self.now + STABLE;
        while self.now < stable {
            self.step(false)?;
        }
        if self.converged()? != snapshot {
            return Err("the assignment still changes after convergence".to_owned());
        }
        Ok(())
    }
}

/// One seed: faults, then convergence.
fn run(seed: u64, traced: bool) -> (Result<(), String>, Sim) {
    let mut sim = Sim::new(seed, traced);
    sim.faulty = true;
    let mut result = Ok(());
    while result.is_ok() && sim.now < FAULT_PHASE {
        result = sim.step(true);
    }
    if result.is_ok() {
        sim.end_faults();
        result = sim.settle_and_check();
    }
    (result, sim)
}

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn failure_report(seed: u64, error: &str, sim: &Sim) -> String {
    let trace: Vec<&str> = sim.trace.iter().flatten().map(String::as_str).collect();
    format!(
        "simulation seed {seed} failed at {} ms: {error}\n(re-run: WASM_CONNECT_SIM_FIRST_SEED={seed} WASM_CONNECT_SIM_SEEDS=1)\nlast events:\n{}",
        sim.now,
        trace.join("\n")
    )
}

#[test]
fn random_faults_never_run_an_item_twice_and_converge() {
    let seeds = env_u64("WASM_CONNECT_SIM_SEEDS", 3000);
    let first = env_u64("WASM_CONNECT_SIM_FIRST_SEED", 1);
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()) as u64;
    let started = Instant::now();
    let outcomes: Vec<(Stats, Option<(u64, String)>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                scope.spawn(move || {
                    let mut stats = Stats::default();
                    let mut seed = first + t;
                    while seed < first + seeds {
                        let (result, sim) = run(seed, false);
                        let s = sim.stats;
                        stats.crashes += s.crashes;
                        stats.restarts += s.restarts;
                        stats.leaves += s.leaves;
                        stats.partitions += s.partitions;
                        stats.work_changes += s.work_changes;
                        stats.compactions += s.compactions;
                        stats.generations += s.generations;
                        stats.records += s.records;
                        stats.lost_writes += s.lost_writes;
                        if let Err(error) = result {
                            return (stats, Some((seed, error)));
                        }
                        seed += threads;
                    }
                    (stats, None)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("simulation thread"))
            .collect()
    });
    if let Some((seed, _)) = outcomes
        .iter()
        .filter_map(|(_, failure)| failure.as_ref())
        .min_by_key(|f| f.0)
    {
        let (result, sim) = run(*seed, true);
        let error = result
            .err()
            .unwrap_or_else(|| "did not fail again (nondeterminism?)".to_owned());
        panic!("{}", failure_report(*seed, &error, &sim));
    }
    let mut total = Stats::default();
    for (s, _) in &outcomes {
        total.crashes += s.crashes;
        total.restarts += s.restarts;
        total.leaves += s.leaves;
        total.partitions += s.partitions;
        total.work_changes += s.work_changes;
        total.compactions += s.compactions;
        total.generations += s.generations;
        total.records += s.records;
        total.lost_writes += s.lost_writes;
    }
    eprintln!(
        "{seeds} seeds in {:.1?} on {threads} threads: {} crashes, {} restarts, {} leaves, {} partitions, {} work changes, {} compactions, {} lost writes, {} proposals, {} records",
        started.elapsed(),
        total.crashes,
        total.restarts,
        total.leaves,
        total.partitions,
        total.work_changes,
        total.compactions,
        total.lost_writes,
        total.generations,
        total.records
    );
}

/// Every worker down, the log compacted to its latest records, then a full restart with new
/// incarnations: the cluster recovers from what survived.
#[test]
fn full_cluster_restart_after_compaction() {
    for seed in 1..=20 {
        let mut sim = Sim::new(seed, true);
        let result = (|| {
            while sim.now < 10_000 {
                sim.step(false)?;
            }
            sim.converged()?;
            for i in 0..sim.slots.len() {
                sim.crash(i);
            }
            sim.step(false)?;
            sim.compact(None);
            sim.accepted.clear();
            for i in 0..sim.slots.len() {
                sim.start(i);
            }
            sim.settle_and_check()
        })();
        if let Err(error) = result {
            panic!("{}", failure_report(seed, &error, &sim));
        }
    }
}

/// A rolling restart (each worker leaves gracefully and comes back) moves work at once: no waiting
/// for the rebalance delay.
#[test]
fn rolling_restart_with_graceful_leaves() {
    for seed in 1..=20 {
        let mut sim = Sim::new(seed, true);
        let result = (|| {
            while sim.now < 5_000 {
                sim.step(false)?;
            }
            for i in 0..sim.slots.len() {
                sim.leave(i)?;
                let back = sim.now + 500;
                while sim.now < back {
                    sim.step(false)?;
                }
                sim.start(i);
                // Well under session timeout + rebalance delay.
                let settled = sim.now + 2_000;
                while sim.now < settled {
                    sim.step(false)?;
                }
                sim.converged()?;
            }
            Ok::<(), String>(())
        })();
        if let Err(error) = result {
            panic!("{}", failure_report(seed, &error, &sim));
        }
    }
}
