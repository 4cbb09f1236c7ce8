//! Scenario tests of the coordinator through its public API: a few workers on one log, every record
//! read as soon as it is written, time advanced by hand.

use std::collections::{BTreeMap, BTreeSet};
use wasm_connect_coordination::{Action, CoordinationRecord, Coordinator, CoordinatorConfig, Work};

const SESSION_TIMEOUT: u64 = 3_000;
const HEARTBEAT_INTERVAL: u64 = 1_000;
const REBALANCE_DELAY: u64 = 5_000;

fn config() -> CoordinatorConfig {
    CoordinatorConfig {
        session_timeout_ms: SESSION_TIMEOUT,
        heartbeat_interval_ms: HEARTBEAT_INTERVAL,
        rebalance_delay_ms: REBALANCE_DELAY,
    }
}

fn connector(name: &str) -> Work {
    Work::Connector(name.to_owned())
}

fn task(connector: &str, task: u32) -> Work {
    Work::Task {
        connector: connector.to_owned(),
        task,
    }
}

/// Connectors `c0..connectors` with `tasks` tasks each.
fn work(connectors: u32, tasks: u32) -> BTreeSet<Work> {
    (0..connectors)
        .flat_map(|c| {
            let name = format!("c{c}");
            std::iter::once(connector(&name)).chain((0..tasks).map(move |t| task(&name, t)))
        })
        .collect()
}

#[derive(Clone)]
enum Entry {
    Record(CoordinationRecord),
    Work(BTreeSet<Work>),
}

struct Worker {
    coordinator: Coordinator,
    incarnation: String,
    cursor: usize,
    /// The log length at start: caught up once read to there.
    replay_end: usize,
    caught_up: bool,
    /// Reads and writes the log (a disconnected worker still ticks; its writes are lost).
    connected: bool,
    running: BTreeSet<Work>,
    /// Every action executed, in order.
    history: Vec<Action>,
    /// The next `Released` write of this worker fails.
    lose_next_release: bool,
}

struct Cluster {
    now: u64,
    log: Vec<Entry>,
    workers: BTreeMap<String, Worker>,
    incarnations: u32,
}

impl Cluster {
    fn new(work: BTreeSet<Work>) -> Self {
        Cluster {
            now: 1_000_000,
            log: vec![Entry::Work(work)],
            workers: BTreeMap::new(),
            incarnations: 0,
        }
    }

    /// Starts (or restarts, as a new incarnation) worker `id`.
    fn start(&mut self, id: &str) {
        self.incarnations += 1;
        let incarnation = format!("i{}", self.incarnations);
        let coordinator = Coordinator::new(
            id.to_owned(),
            incarnation.clone(),
            format!("http://{id}"),
            config(),
        );
        self.workers.insert(
            id.to_owned(),
            Worker {
                coordinator,
                incarnation,
                cursor: 0,
                replay_end: self.log.len(),
                caught_up: false,
                connected: true,
                running: BTreeSet::new(),
                history: Vec::new(),
                lose_next_release: false,
            },
        );
    }

    /// The worker vanishes.
    fn crash(&mut self, id: &str) {
        self.workers.remove(id);
    }

    fn worker(&self, id: &str) -> &Worker {
        self.workers.get(id).expect("a worker of the cluster")
    }

    fn execute(&mut self, id: &str, actions: Vec<Action>) {
        let worker = self.workers.get_mut(id).expect("a worker of the cluster");
        for action in actions {
            match &action {
                Action::Write(record) => {
                    let lost = worker.lose_next_release
                        && matches!(record, CoordinationRecord::Released { .. });
                    if lost {
                        worker.lose_next_release = false;
                    } else if worker.connected {
                        self.log.push(Entry::Record(record.clone()));
                    }
                }
                Action::Start(work) => assert!(
                    worker.running.insert(work.clone()),
                    "{id} started {work:?} twice"
                ),
                Action::Stop(work) => assert!(
                    worker.running.remove(work),
                    "{id} stopped {work:?} not running"
                ),
            }
            worker.history.push(action);
        }
        assert_eq!(&worker.running, worker.coordinator.running());
    }

    /// Every connected worker reads everything there is to read (one record per worker in turn).
    fn deliver(&mut self) {
        loop {
            let mut progress = false;
            let ids: Vec<String> = self.workers.keys().cloned().collect();
            for id in ids {
                let (now, log_len) = (self.now, self.log.len());
                let Some(worker) = self.workers.get_mut(&id) else {
                    continue;
                };
                if !worker.connected {
                    continue;
                }
                if worker.cursor < log_len {
                    let entry = self.log[worker.cursor].clone();
                    worker.cursor += 1;
                    progress = true;
                    let actions = match entry {
                        Entry::Record(record) => worker.coordinator.on_record(&record, now),
                        Entry::Work(work) => worker.coordinator.on_work(work, now),
                    };
                    self.execute(&id, actions);
                }
                let worker = self.workers.get_mut(&id).expect("worker");
                if !worker.caught_up && worker.cursor >= worker.replay_end {
                    worker.caught_up = true;
                    let actions = worker.coordinator.caught_up(now);
                    self.execute(&id, actions);
                }
            }
            self.check_no_item_runs_twice();
            if !progress {
                return;
            }
        }
    }

    fn tick(&mut self) {
        let ids: Vec<String> = self.workers.keys().cloned().collect();
        for id in ids {
            let now = self.now;
            let actions = self
                .workers
                .get_mut(&id)
                .expect("worker")
                .coordinator
                .tick(now);
            self.execute(&id, actions);
        }
        self.deliver();
    }

    /// Advances time by `ms`, ticking every 100 ms.
    fn advance(&mut self, ms: u64) {
        for _ in 0..ms / 100 {
            self.now += 100;
            self.tick();
        }
    }

    fn check_no_item_runs_twice(&self) {
        let mut seen = BTreeMap::new();
        for (id, worker) in &self.workers {
            for work in &worker.running {
                if let Some(other) = seen.insert(work.clone(), id.clone()) {
                    panic!("{work:?} runs on {other} and {id}");
                }
            }
        }
    }

    /// Who runs `work`.
    fn runner(&self, work: &Work) -> Option<&str> {
        self.workers
            .iter()
            .find(|(_, worker)| worker.running.contains(work))
            .map(|(id, _)| id.as_str())
    }

    fn running(&self, id: &str) -> &BTreeSet<Work> {
        &self.worker(id).running
    }

    fn all_running(&self) -> BTreeSet<Work> {
        self.workers
            .values()
            .flat_map(|w| w.running.iter().cloned())
            .collect()
    }

    fn set_work(&mut self, work: BTreeSet<Work>) {
        self.log.push(Entry::Work(work));
        self.deliver();
    }
}

#[test]
fn a_single_worker_takes_all_work_once_caught_up() {
    let mut cluster = Cluster::new(work(1, 2));
    cluster.start("a");
    // Before the replay is over: heartbeats only, no leader known.
    let now = cluster.now;
    let actions = cluster
        .workers
        .get_mut("a")
        .expect("a")
        .coordinator
        .tick(now);
    assert!(matches!(
        actions.as_slice(),
        [Action::Write(CoordinationRecord::Heartbeat { seq: 0, .. })]
    ));
    cluster.execute("a", actions);
    assert_eq!(cluster.worker("a").coordinator.leader(), None);
    cluster.advance(200);
    assert_eq!(cluster.worker("a").coordinator.generation(), 1);
    assert_eq!(cluster.running("a"), &work(1, 2));
    assert_eq!(
        cluster.worker("a").coordinator.leader(),
        Some((&"a".to_owned(), "http://a"))
    );
    assert!(cluster.worker("a").coordinator.is_leader());
    // Heartbeats every interval, nothing else while nothing changes.
    let records = cluster.log.len();
    cluster.advance(3_000);
    assert_eq!(cluster.log.len(), records + 3);
}

#[test]
fn a_join_moves_only_what_balance_needs_stopping_before_releasing() {
    let mut cluster = Cluster::new(work(2, 3));
    cluster.start("a");
    cluster.advance(500);
    assert_eq!(cluster.running("a").len(), 8);
    cluster.start("b");
    cluster.advance(1_000);
    let (a, b) = (cluster.running("a").clone(), cluster.running("b").clone());
    assert_eq!((a.len(), b.len()), (4, 4), "a {a:?} b {b:?}");
    assert_eq!(a.iter().filter(|w| w.is_connector()).count(), 1);
    assert_eq!(cluster.all_running(), work(2, 3));
    // a stopped exactly what moved, each Stop before the Released that names it, and never
    // restarted anything.
    let history = &cluster.worker("a").history;
    let stopped: BTreeSet<Work> = history
        .iter()
        .filter_map(|action| match action {
            Action::Stop(work) => Some(work.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(stopped, b);
    let starts = history
        .iter()
        .filter(|action| matches!(action, Action::Start(_)))
        .count();
    assert_eq!(starts, 8);
    let released_at = history
        .iter()
        .position(|action| matches!(action, Action::Write(CoordinationRecord::Released { .. })))
        .expect("a released what it lost");
    let last_stop = history
        .iter()
        .rposition(|action| matches!(action, Action::Stop(_)))
        .expect("a stopped something");
    assert!(last_stop < released_at);
}

#[test]
fn a_graceful_leave_moves_the_work_at_once() {
    let mut cluster = Cluster::new(work(2, 2));
    cluster.start("a");
    cluster.start("b");
    cluster.advance(2_000);
    assert!(!cluster.running("b").is_empty());
    let b = cluster.workers.get_mut("b").expect("b");
    let actions = b.coordinator.leave();
    let (last, stops) = actions.split_last().expect("actions");
    assert!(matches!(
        last,
        Action::Write(CoordinationRecord::Leave { .. })
    ));
    assert!(stops.iter().all(|action| matches!(action, Action::Stop(_))));
    assert_eq!(stops.len(), cluster.running("b").len());
    cluster.execute("b", actions);
    cluster.deliver();
    cluster.crash("b");
    cluster.advance(300);
    assert_eq!(cluster.running("a"), &work(2, 2));
}

#[test]
fn a_silent_worker_keeps_its_work_reserved_for_the_rebalance_delay() {
    let mut cluster = Cluster::new(work(2, 2));
    cluster.start("a");
    cluster.start("b");
    cluster.advance(2_000);
    let b_work = cluster.running("b").clone();
    assert_eq!(b_work.len(), 3);
    let generation = cluster.worker("a").coordinator.generation();
    let last_heard = cluster.now;
    cluster.crash("b");
    // Not live after the session timeout, but its work stays reserved.
    cluster.advance(SESSION_TIMEOUT + REBALANCE_DELAY - 1_000);
    assert_eq!(cluster.worker("a").coordinator.generation(), generation);
    assert!(b_work.iter().all(|w| cluster.runner(w).is_none()));
    // Dropped once the log has been read that long after its last heartbeat.
    cluster.advance(2_000);
    assert!(
        cluster.now - last_heard <= SESSION_TIMEOUT + REBALANCE_DELAY + HEARTBEAT_INTERVAL + 200
    );
    assert_eq!(cluster.running("a"), &work(2, 2));
    let assignment = cluster
        .worker("a")
        .coordinator
        .assignment()
        .expect("assignment");
    assert!(!assignment.members.contains_key("b"));
}

#[test]
fn a_restarted_worker_gets_its_work_back_at_once() {
    let mut cluster = Cluster::new(work(2, 2));
    cluster.start("a");
    cluster.start("b");
    cluster.advance(2_000);
    let b_work = cluster.running("b").clone();
    cluster.crash("b");
    cluster.start("b");
    cluster.advance(1_000);
    assert_eq!(cluster.running("b"), &b_work);
    let assignment = cluster
        .worker("a")
        .coordinator
        .assignment()
        .expect("assignment");
    assert_eq!(
        assignment.members["b"].incarnation,
        cluster.worker("b").incarnation
    );
}

#[test]
fn a_worker_that_cannot_reach_the_log_fences_itself_and_comes_back() {
    let mut cluster = Cluster::new(work(2, 2));
    cluster.start("a");
    cluster.start("b");
    cluster.advance(2_000);
    let b_work = cluster.running("b").clone();
    assert!(!b_work.is_empty());
    cluster.workers.get_mut("b").expect("b").connected = false;
    // b stops everything once its last heartbeat read back is a session timeout old ...
    cluster.advance(SESSION_TIMEOUT + 200);
    assert!(cluster.running("b").is_empty());
    assert!(cluster.worker("b").coordinator.is_fenced());
    // ... well before a takes its work over.
    assert!(b_work.iter().all(|w| cluster.runner(w).is_none()));
    cluster.advance(REBALANCE_DELAY);
    assert_eq!(cluster.running("a"), &work(2, 2));
    // Back on the log: it rejoins and gets a share again.
    cluster.workers.get_mut("b").expect("b").connected = true;
    cluster.advance(2_000);
    assert!(!cluster.worker("b").coordinator.is_fenced());
    assert_eq!(cluster.running("b").len(), 3);
    assert_eq!(cluster.all_running(), work(2, 2));
}

#[test]
fn removed_work_stops_at_once_and_added_work_starts_without_moving_anything() {
    let mut cluster = Cluster::new(work(2, 1));
    cluster.start("a");
    cluster.start("b");
    cluster.advance(2_000);
    let before: BTreeMap<Work, String> = work(2, 1)
        .into_iter()
        .map(|w| {
            let runner = cluster.runner(&w).expect("runs").to_owned();
            (w, runner)
        })
        .collect();
    let mut less = work(2, 1);
    less.retain(|w| w.connector() != "c1");
    cluster.set_work(less.clone());
    assert_eq!(
        cluster.all_running(),
        less,
        "stopped before any new assignment"
    );
    let mut more = less.clone();
    more.extend([connector("c9"), task("c9", 0), task("c9", 1)]);
    cluster.set_work(more.clone());
    cluster.advance(1_000);
    assert_eq!(cluster.all_running(), more);
    for (w, runner) in before.iter().filter(|(w, _)| less.contains(*w)) {
        assert_eq!(cluster.runner(w), Some(runner.as_str()), "{w:?} moved");
    }
}

#[test]
fn the_leader_is_the_oldest_live_worker_and_stays_leader() {
    let mut cluster = Cluster::new(work(1, 1));
    for id in ["a", "b", "c"] {
        cluster.start(id);
        cluster.advance(500);
    }
    cluster.advance(1_000);
    for id in ["a", "b", "c"] {
        let leader = cluster
            .worker(id)
            .coordinator
            .leader()
            .map(|(w, url)| (w.clone(), url.to_owned()));
        assert_eq!(
            leader,
            Some(("a".to_owned(), "http://a".to_owned())),
            "in {id}'s view"
        );
    }
    cluster.crash("a");
    cluster.advance(SESSION_TIMEOUT + 500);
    assert!(cluster.worker("b").coordinator.is_leader());
    assert!(!cluster.worker("c").coordinator.is_leader());
    cluster.advance(REBALANCE_DELAY + 1_000);
    // a comes back, older in the log than nobody now: b, the proposer, keeps leading.
    cluster.start("a");
    cluster.advance(2_000);
    for id in ["a", "b", "c"] {
        assert_eq!(
            cluster
                .worker(id)
                .coordinator
                .leader()
                .map(|(w, _)| w.as_str()),
            Some("b")
        );
    }
    assert_eq!(cluster.all_running(), work(1, 1));
}

#[test]
fn a_worker_that_is_not_a_member_runs_nothing() {
    let mut cluster = Cluster::new(work(1, 1));
    cluster.start("a");
    cluster.advance(1_000);
    // A stray assignment from elsewhere (generation 2) that leaves a out.
    let assignment = wasm_connect_coordination::Assignment {
        generation: 2,
        proposer: "x".to_owned(),
        members: BTreeMap::new(),
        work: BTreeMap::new(),
    };
    cluster
        .log
        .push(Entry::Record(CoordinationRecord::Assignment(assignment)));
    cluster.deliver();
    assert!(cluster.running("a").is_empty());
    // The leader puts itself back.
    cluster.advance(500);
    assert_eq!(cluster.running("a"), &work(1, 1));
}

#[test]
fn a_lost_released_is_written_again() {
    let mut cluster = Cluster::new(work(1, 4));
    cluster.start("a");
    cluster.advance(500);
    cluster.workers.get_mut("a").expect("a").lose_next_release = true;
    cluster.start("b");
    cluster.advance(500);
    // The revocation round happened, but a's Released was lost: nothing moved yet.
    assert!(cluster.running("b").is_empty());
    assert_eq!(cluster.running("a").len(), 3);
    // Once a heartbeat written after it is read back, a writes it again and the move completes.
    cluster.advance(2 * HEARTBEAT_INTERVAL);
    assert_eq!(cluster.running("b").len(), 2);
    assert_eq!(cluster.all_running(), work(1, 4));
    let releases = cluster
        .worker("a")
        .history
        .iter()
        .filter(|a| matches!(a, Action::Write(CoordinationRecord::Released { .. })))
        .count();
    assert_eq!(releases, 2);
}
