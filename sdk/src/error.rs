//! Errors returned by plugins.

use std::fmt;

/// An error returned by a plugin to the host (WIT `plugin-error`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PluginError {
    /// What went wrong.
    pub message: String,
    /// True when retrying the same call may succeed (Kafka's `RetriableException`).
    pub retriable: bool,
}

impl PluginError {
    /// A non-retriable error.
    pub fn new(message: impl Into<String>) -> PluginError {
        PluginError {
            message: message.into(),
            retriable: false,
        }
    }

    /// A retriable error: the host may retry the same call.
    pub fn retriable(message: impl Into<String>) -> PluginError {
        PluginError {
            message: message.into(),
            retriable: true,
        }
    }

    /// Prefix the message with some context (`"{context}: {message}"`).
    pub fn context(mut self, context: impl fmt::Display) -> PluginError {
        self.message = format!("{context}: {}", self.message);
        self
    }
}

impl fmt::Display for PluginError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for PluginError {}

impl From<String> for PluginError {
    fn from(message: String) -> PluginError {
        PluginError::new(message)
    }
}

impl From<&str> for PluginError {
    fn from(message: &str) -> PluginError {
        PluginError::new(message)
    }
}

impl From<std::io::Error> for PluginError {
    /// I/O errors are retriable when they look transient (interrupted, would block, timed out).
    fn from(error: std::io::Error) -> PluginError {
        use std::io::ErrorKind as K;
        let retriable = matches!(error.kind(), K::Interrupted | K::WouldBlock | K::TimedOut);
        PluginError {
            message: error.to_string(),
            retriable,
        }
    }
}

impl From<wasm_connect_data::wit_conv::ArenaError> for PluginError {
    fn from(error: wasm_connect_data::wit_conv::ArenaError) -> PluginError {
        PluginError::new(format!("malformed record from the host: {error}"))
    }
}

/// `Result` with [`PluginError`] as the default error.
pub type Result<T, E = PluginError> = std::result::Result<T, E>;
