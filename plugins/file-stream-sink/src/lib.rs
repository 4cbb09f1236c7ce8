//! `FileStreamSink`: Kafka's `FileStreamSinkConnector`. Appends each record's value to a file,
//! one line per record. Strings are written as-is, other values in Kafka's `toString` style.
//!
//! Unlike Kafka, `file` is required (Kafka writes to standard output when it is absent).

use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Write};

use wasm_connect_sdk::prelude::*;

/// The connector: every task gets the same configuration.
pub struct FileStreamSink {
    config: Config,
}

impl Plugin for FileStreamSink {
    fn info() -> PluginInfo {
        PluginInfo::new("FileStreamSink")
            .version(env!("CARGO_PKG_VERSION"))
            .alias("org.apache.kafka.connect.file.FileStreamSinkConnector")
            .alias("FileStreamSinkConnector")
            .description("Appends each record's value to a file, one line per record.")
    }

    fn config_def() -> Vec<ConfigKey> {
        vec![ConfigKey::string("file")
            .non_empty()
            .importance(Importance::High)
            .doc("Destination filename (required here; Kafka writes to standard output when it is absent).")
            .path_access(PathAccess::WriteFile)]
    }
}

impl SinkConnector for FileStreamSink {
    fn start(config: Config) -> Result<Self> {
        config.non_empty_string("file")?;
        Ok(FileStreamSink { config })
    }

    fn task_configs(&mut self, max_tasks: u32) -> Result<Vec<Config>> {
        Ok(vec![self.config.clone(); max_tasks.max(1) as usize])
    }
}

/// The task: a buffered appender.
pub struct FileStreamSinkTask {
    writer: BufWriter<File>,
}

/// Render a value the way Kafka's `toString` would print it.
pub fn render(value: &Value, out: &mut String) {
    use std::fmt::Write as _;
    match value {
        Value::Null => out.push_str("null"),
        Value::Int8(v) => {
            let _ = write!(out, "{v}");
        }
        Value::Int16(v) => {
            let _ = write!(out, "{v}");
        }
        Value::Int32(v) => {
            let _ = write!(out, "{v}");
        }
        Value::Int64(v) => {
            let _ = write!(out, "{v}");
        }
        Value::Float32(v) => {
            let _ = write!(out, "{v:?}");
        }
        Value::Float64(v) => {
            let _ = write!(out, "{v:?}");
        }
        Value::Boolean(v) => {
            let _ = write!(out, "{v}");
        }
        Value::String(s) => out.push_str(s),
        Value::Bytes(b) => out.push_str(&String::from_utf8_lossy(b)),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                render(item, out);
            }
            out.push(']');
        }
        Value::Map(entries) => {
            out.push('{');
            for (i, (k, v)) in entries.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                render(k, out);
                out.push('=');
                render(v, out);
            }
            out.push('}');
        }
        Value::Struct(s) => {
            out.push_str("Struct{");
            let mut first = true;
            for (name, v) in &s.fields {
                if v.is_null() {
                    continue;
                }
                if !first {
                    out.push(',');
                }
                first = false;
                out.push_str(name);
                out.push('=');
                render(v, out);
            }
            out.push('}');
        }
    }
}

impl SinkTask for FileStreamSinkTask {
    fn start(config: Config) -> Result<Self> {
        let path = config.non_empty_string("file")?;
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .map_err(|e| PluginError::from(e).context(format!("opening {path}")))?;
        Ok(FileStreamSinkTask {
            writer: BufWriter::new(file),
        })
    }

    fn put(&mut self, records: Vec<SinkRecord>) -> Result<()> {
        let mut line = String::new();
        for record in records {
            line.clear();
            render(&record.record.value.value, &mut line);
            line.push('\n');
            self.writer.write_all(line.as_bytes())?;
        }
        Ok(())
    }

    fn flush(&mut self, _offsets: &[TopicPartitionOffset]) -> Result<()> {
        self.writer.flush()?;
        self.writer.get_ref().sync_data()?;
        Ok(())
    }

    fn stop(&mut self) {
        if let Err(e) = self.writer.flush() {
            wasm_connect_sdk::error!("flushing on stop failed: {e}");
        }
    }
}

wasm_connect_sdk::export_sink!(FileStreamSink, FileStreamSinkTask);

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn rendered(v: Value) -> String {
        let mut s = String::new();
        render(&v, &mut s);
        s
    }

    #[test]
    fn renders_like_kafka() {
        assert_eq!(rendered("plain".into()), "plain");
        assert_eq!(rendered(Value::Int32(5)), "5");
        assert_eq!(rendered(Value::Float64(1.0)), "1.0");
        assert_eq!(
            rendered(Value::Array(vec![1i32.into(), 2i32.into()])),
            "[1, 2]"
        );
        assert_eq!(
            rendered(Value::Map(vec![("k".into(), true.into())])),
            "{k=true}"
        );
        assert_eq!(
            rendered(Struct::new().put("a", 1i32).put("b", "x").into()),
            "Struct{a=1,b=x}"
        );
    }

    #[test]
    fn appends_lines_and_flushes() {
        let path = std::env::temp_dir().join(format!("fsk-test-{}.txt", std::process::id()));
        let _ = std::fs::remove_file(&path);
        let config = Config::new().with("file", path.to_string_lossy());
        let mut connector = FileStreamSink::start(config.clone()).unwrap();
        assert_eq!(connector.task_configs(3).unwrap().len(), 3);
        let mut task = FileStreamSinkTask::start(config).unwrap();
        let record = |v: Value| SinkRecord {
            record: ConnectRecord {
                value: SchemaAndValue::schemaless(v),
                ..Default::default()
            },
            kafka_offset: 0,
        };
        task.put(vec![record("a".into()), record(Value::Int64(7))])
            .unwrap();
        task.flush(&[]).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "a\n7\n");
        std::fs::remove_file(&path).unwrap();
    }
}
