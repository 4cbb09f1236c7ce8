//! Logging with levels that change while the worker runs (`GET/PUT /admin/loggers`, KIP-495).
//!
//! A logger is a `tracing` target (a module path such as `wasm_connect::task::sink`, or a
//! dependency such as `rdkafka`); `root` is the default level. Levels use Kafka's (log4j) names.
//! The filter is `RUST_LOG` (or the default) plus the levels set over REST, rebuilt and swapped
//! in through a `tracing_subscriber` reload handle on every change.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{SystemTime, UNIX_EPOCH};

use tracing_subscriber::EnvFilter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

/// The filter used when `RUST_LOG` is not set.
pub const DEFAULT_DIRECTIVES: &str = "info,tansu=warn,libsql=warn";

/// The name of the default level.
pub const ROOT: &str = "root";

/// Swaps the live filter.
type Reload = Box<dyn Fn(EnvFilter) -> Result<(), String> + Send + Sync>;

/// A logger's level as REST reports it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct LoggerLevel {
    /// OFF, ERROR, WARN, INFO, DEBUG or TRACE.
    pub level: String,
    /// When it was last set over REST (ms since the epoch), or null.
    pub last_modified: Option<u64>,
}

/// A level name that is not one of Kafka's.
#[derive(Debug, thiserror::Error)]
#[error("Invalid log level '{0}'; expected one of OFF, FATAL, ERROR, WARN, INFO, DEBUG, TRACE")]
pub struct InvalidLevel(pub String);

/// Logger levels: those from the start-up filter, and those set since.
pub struct LogLevels {
    /// (target, level) from the start-up filter, in order; the target `root` is the default.
    initial: Vec<(String, String)>,
    /// Levels set over REST: target → (level, last modified).
    changed: Mutex<BTreeMap<String, (String, u64)>>,
    /// Span and field directives of the start-up filter (`target[span]=level`), kept as given.
    span_directives: Vec<String>,
    reload: Option<Reload>,
}

static LEVELS: OnceLock<Arc<LogLevels>> = OnceLock::new();

/// Install the global subscriber (stdout, `RUST_LOG` or the default filter) with a reloadable
/// filter. Call once, from `main`.
pub fn init() {
    init_to(false);
}

/// [`init`], writing to stderr when `stderr` (commands whose stdout is data, such as
/// `plugin test`).
pub fn init_to(stderr: bool) {
    let directives = std::env::var("RUST_LOG").unwrap_or_else(|_| DEFAULT_DIRECTIVES.into());
    let filter =
        EnvFilter::try_new(&directives).unwrap_or_else(|_| EnvFilter::new(DEFAULT_DIRECTIVES));
    let (filter, handle) = tracing_subscriber::reload::Layer::new(filter);
    let (writer, terminal) = if stderr {
        (
            tracing_subscriber::fmt::writer::BoxMakeWriter::new(std::io::stderr),
            std::io::IsTerminal::is_terminal(&std::io::stderr()),
        )
    } else {
        (
            tracing_subscriber::fmt::writer::BoxMakeWriter::new(std::io::stdout),
            std::io::IsTerminal::is_terminal(&std::io::stdout()),
        )
    };
    let fmt = tracing_subscriber::fmt::layer()
        .with_target(false)
        .with_writer(writer)
        // Colours only on a terminal: logs written to files stay plain text.
        .with_ansi(terminal);
    if tracing_subscriber::registry()
        .with(filter)
        .with(fmt)
        .try_init()
        .is_err()
    {
        return;
    }
    let reload: Reload = Box::new(move |filter| handle.reload(filter).map_err(|e| e.to_string()));
    let _ = LEVELS.set(Arc::new(LogLevels::new(&directives, Some(reload))));
}

/// The worker's logger levels (detached from any subscriber when [`init`] was not called, as in
/// tests: changes are recorded but filter nothing).
pub fn levels() -> Arc<LogLevels> {
    LEVELS
        .get()
        .cloned()
        .unwrap_or_else(|| Arc::new(LogLevels::new(DEFAULT_DIRECTIVES, None)))
}

/// Kafka's level name (OFF, ERROR, WARN, INFO, DEBUG, TRACE) for `level`, or an error.
pub fn kafka_level(level: &str) -> Result<String, InvalidLevel> {
    match level.trim().to_ascii_uppercase().as_str() {
        "OFF" => Ok("OFF".into()),
        "FATAL" | "ERROR" => Ok("ERROR".into()),
        "WARN" | "WARNING" => Ok("WARN".into()),
        "INFO" => Ok("INFO".into()),
        "DEBUG" => Ok("DEBUG".into()),
        "TRACE" | "ALL" => Ok("TRACE".into()),
        _ => Err(InvalidLevel(level.to_string())),
    }
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

impl LogLevels {
    /// Levels from `directives` (`RUST_LOG` syntax); `reload` swaps the live filter.
    fn new(directives: &str, reload: Option<Reload>) -> LogLevels {
        let mut initial = vec![(ROOT.to_string(), "ERROR".to_string())];
        let mut span_directives = Vec::new();
        for directive in directives
            .split(',')
            .map(str::trim)
            .filter(|d| !d.is_empty())
        {
            // Span and field filters (`target[span]=level`) are kept in the filter, not listed.
            if directive.contains('[') {
                span_directives.push(directive.to_string());
                continue;
            }
            let (target, level) = match directive.split_once('=') {
                Some((target, level)) => (target.trim(), level),
                None => match kafka_level(directive) {
                    Ok(_) => (ROOT, directive),
                    // A bare target enables everything for it.
                    Err(_) => (directive, "trace"),
                },
            };
            let Ok(level) = kafka_level(level) else {
                continue;
            };
            match initial.iter_mut().find(|(t, _)| t == target) {
                Some(entry) => entry.1 = level,
                None => initial.push((target.to_string(), level)),
            }
        }
        LogLevels {
            initial,
            changed: Mutex::new(BTreeMap::new()),
            span_directives,
            reload,
        }
    }

    fn changed(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, (String, u64)>> {
        self.changed.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Every logger with a level of its own (`GET /admin/loggers`).
    pub fn all(&self) -> BTreeMap<String, LoggerLevel> {
        let mut out: BTreeMap<String, LoggerLevel> = self
            .initial
            .iter()
            .map(|(target, level)| {
                (
                    target.clone(),
                    LoggerLevel {
                        level: level.clone(),
                        last_modified: None,
                    },
                )
            })
            .collect();
        for (target, (level, modified)) in self.changed().iter() {
            out.insert(
                target.clone(),
                LoggerLevel {
                    level: level.clone(),
                    last_modified: Some(*modified),
                },
            );
        }
        out
    }

    /// One logger's level: its own, or `None` when it has none (`GET /admin/loggers/{name}`).
    pub fn get(&self, name: &str) -> Option<LoggerLevel> {
        self.all().remove(name)
    }

    /// Set `name` (and, as in log4j, every logger below it) to `level`; returns the loggers
    /// whose level changed, sorted (`PUT /admin/loggers/{name}`). Nothing changes when the name
    /// or the level is not valid.
    pub fn set(&self, name: &str, level: &str) -> Result<Vec<String>, String> {
        let level = kafka_level(level).map_err(|e| e.to_string())?;
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | ':' | '.' | '-'))
        {
            return Err(format!(
                "Invalid logger name '{name}': use a module path such as wasm_connect::task, or root"
            ));
        }
        let now = now_ms();
        let mut changed = self.changed();
        let mut next = changed.clone();
        let below = |target: &str| name == ROOT || target.starts_with(&format!("{name}::"));
        let mut descendants: Vec<String> = self
            .initial
            .iter()
            .map(|(t, _)| t.clone())
            .chain(changed.keys().cloned())
            .filter(|t| t != ROOT && t != name && below(t))
            .collect();
        descendants.sort();
        descendants.dedup();
        for target in &descendants {
            next.insert(target.clone(), (level.clone(), now));
        }
        next.insert(name.to_string(), (level.clone(), now));
        // Swap the filter in first; keep the new levels only if that worked.
        self.apply(&next)?;
        *changed = next;
        let mut affected = descendants;
        affected.push(name.to_string());
        affected.sort();
        Ok(affected)
    }

    /// Build the filter from the start-up levels and `changed`, and swap it in.
    fn apply(&self, changed: &BTreeMap<String, (String, u64)>) -> Result<(), String> {
        let mut levels: BTreeMap<&str, &str> = self
            .initial
            .iter()
            .map(|(t, l)| (t.as_str(), l.as_str()))
            .collect();
        for (target, (level, _)) in changed {
            levels.insert(target, level);
        }
        let mut directives: Vec<String> = levels
            .into_iter()
            .map(|(target, level)| {
                let level = level.to_ascii_lowercase();
                if target == ROOT {
                    level
                } else {
                    format!("{target}={level}")
                }
            })
            .collect();
        directives.extend(self.span_directives.iter().cloned());
        let filter = EnvFilter::try_new(directives.join(","))
            .map_err(|e| format!("cannot build the log filter: {e}"))?;
        match &self.reload {
            Some(reload) => reload(filter),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn levels_come_from_the_start_up_filter_and_changes() {
        let levels = LogLevels::new("info,tansu=warn,wasm_connect::task=debug", None);
        let all = levels.all();
        assert_eq!(all["root"].level, "INFO");
        assert_eq!(all["tansu"].level, "WARN");
        assert_eq!(all["wasm_connect::task"].last_modified, None);
        assert!(levels.get("nope").is_none());

        let affected = levels.set("wasm_connect", "TRACE").unwrap();
        assert_eq!(affected, vec!["wasm_connect", "wasm_connect::task"]);
        assert_eq!(levels.get("wasm_connect::task").unwrap().level, "TRACE");
        assert!(levels.get("wasm_connect").unwrap().last_modified.is_some());
        assert_eq!(levels.get("tansu").unwrap().level, "WARN");

        let affected = levels.set("root", "fatal").unwrap();
        assert!(affected.contains(&"tansu".to_string()), "{affected:?}");
        assert_eq!(levels.get("tansu").unwrap().level, "ERROR");

        let e = levels.set("x", "LOUD").unwrap_err();
        assert!(e.contains("Invalid log level 'LOUD'"), "{e}");
        // A name the filter cannot take changes nothing, and later changes still work.
        let e = levels.set("a[b", "DEBUG").unwrap_err();
        assert!(e.contains("Invalid logger name"), "{e}");
        assert!(levels.get("a[b").is_none());
        assert!(levels.set("rdkafka", "WARN").is_ok());
    }

    #[test]
    fn a_reload_receives_the_rebuilt_filter() {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let sink = seen.clone();
        let reload: Reload = Box::new(move |filter| {
            sink.lock().unwrap().push(filter.to_string());
            Ok(())
        });
        let levels = LogLevels::new("warn", Some(reload));
        levels.set("rdkafka", "debug").unwrap();
        let seen = seen.lock().unwrap();
        assert_eq!(seen.len(), 1);
        assert!(seen[0].contains("rdkafka=debug"), "{seen:?}");
        assert!(seen[0].contains("warn"), "{seen:?}");
    }
}
