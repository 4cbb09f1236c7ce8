//! Task threads of this worker: start one per task, stop them within a deadline.

use std::sync::Arc;
use std::time::{Duration, Instant};

use super::{ConfigMap, StatusCell};
use crate::runtime::ComponentKind;
use crate::task::{SinkTaskRunner, SourceTaskRunner, TaskControl, TaskSetup};

/// A task running on its own thread.
pub(crate) struct RunningTask {
    /// Task number.
    pub id: u32,
    /// The task's configuration.
    pub config: ConfigMap,
    /// Where the task reports its state.
    pub status: StatusCell,
    /// Stop and pause signals.
    pub control: Arc<TaskControl>,
    /// The thread, until joined.
    pub thread: Option<std::thread::JoinHandle<()>>,
}

/// Start `setup` on its own thread (paused if asked).
pub(crate) fn spawn_task(setup: TaskSetup, paused: bool, kind: ComponentKind) -> RunningTask {
    let id = setup.task_id;
    let config = setup.task_config.clone();
    let status = setup.status.clone();
    let control = setup.control.clone();
    control.set_paused(paused);
    let thread_name = format!("task-{}", setup.task_name());
    let thread_status = status.clone();
    let spawned = std::thread::Builder::new()
        .name(thread_name)
        .spawn(move || match kind {
            ComponentKind::Sink => SinkTaskRunner::new(setup).run(),
            _ => SourceTaskRunner::new(setup).run(),
        });
    let thread = match spawned {
        Ok(handle) => Some(handle),
        Err(e) => {
            thread_status.fail(format!("cannot start task thread: {e}"));
            None
        }
    };
    RunningTask {
        id,
        config,
        status,
        control,
        thread,
    }
}

/// Ask every task to stop, then wait for each up to `timeout` overall; a task that does not stop
/// in time is abandoned (its thread ends when its current plugin call returns).
pub(crate) fn stop_tasks(name: &str, tasks: &mut [RunningTask], timeout: Duration) {
    for task in tasks.iter() {
        task.control.stop();
    }
    let deadline = Instant::now() + timeout;
    for task in tasks.iter_mut() {
        let Some(thread) = task.thread.take() else {
            continue;
        };
        while !thread.is_finished() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
        if thread.is_finished() {
            let _ = thread.join();
        } else {
            tracing::warn!(
                connector = name,
                task = task.id,
                "task did not stop within task.shutdown.graceful.timeout.ms; abandoning it"
            );
        }
    }
}
