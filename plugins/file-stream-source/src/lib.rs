//! `FileStreamSource`: Kafka's `FileStreamSourceConnector`. Reads lines appended to a file and
//! sends each complete line as a string record to one topic.
//!
//! Unlike Kafka, `file` is required (Kafka reads standard input when it is absent). A final line
//! without a trailing newline is sent only once it is complete.

use std::fs::File;
use std::io::{BufRead, BufReader, ErrorKind, Seek, SeekFrom};

use wasm_connect_sdk::prelude::*;
use wasm_connect_sdk::source_context;

/// The connector: checks the configuration and hands it to its single task.
pub struct FileStreamSource {
    config: Config,
}

impl Plugin for FileStreamSource {
    fn info() -> PluginInfo {
        PluginInfo::new("FileStreamSource")
            .version(env!("CARGO_PKG_VERSION"))
            .alias("org.apache.kafka.connect.file.FileStreamSourceConnector")
            .alias("FileStreamSourceConnector")
            .description("Reads lines from a file and sends each line as a string record.")
    }

    fn config_def() -> Vec<ConfigKey> {
        vec![
            ConfigKey::string("file")
                .non_empty()
                .importance(Importance::High)
                .doc("Source filename (required here; Kafka reads standard input when it is absent).")
                .path_access(PathAccess::ReadFile),
            ConfigKey::string("topic")
                .non_empty()
                .importance(Importance::High)
                .doc("The topic to publish data to."),
            ConfigKey::int("batch.size")
                .default_value(2000)
                .range(Some(1.0), None)
                .importance(Importance::Low)
                .doc("The maximum number of records the source task can read from the file each time it is polled."),
        ]
    }
}

impl SourceConnector for FileStreamSource {
    fn start(config: Config) -> Result<Self> {
        FileSettings::parse(&config)?;
        Ok(FileStreamSource { config })
    }

    fn task_configs(&mut self, _max_tasks: u32) -> Result<Vec<Config>> {
        Ok(vec![self.config.clone()])
    }
}

struct FileSettings {
    file: String,
    topic: String,
    batch_size: usize,
}

impl FileSettings {
    fn parse(config: &Config) -> Result<FileSettings> {
        let batch_size = config.int_or("batch.size", 2000)?;
        if batch_size < 1 {
            return Err(PluginError::new(format!(
                "Invalid value {batch_size} for configuration batch.size: Value must be at least 1"
            )));
        }
        Ok(FileSettings {
            file: config.non_empty_string("file")?,
            topic: config.non_empty_string("topic")?,
            batch_size: batch_size as usize,
        })
    }
}

/// The task: tails the file from the last committed position.
pub struct FileStreamSourceTask {
    settings: FileSettings,
    partition: OffsetMap,
    reader: Option<BufReader<File>>,
    /// Byte position just after the last line sent.
    position: u64,
    /// Bytes of an incomplete last line read so far.
    partial: Vec<u8>,
}

impl FileStreamSourceTask {
    fn open(&mut self) -> Result<bool> {
        if self.reader.is_some() {
            return Ok(true);
        }
        match File::open(&self.settings.file) {
            Ok(mut file) => {
                file.seek(SeekFrom::Start(self.position))?;
                self.reader = Some(BufReader::new(file));
                self.partial.clear();
                Ok(true)
            }
            Err(e) if e.kind() == ErrorKind::NotFound => {
                wasm_connect_sdk::warn!(
                    "Couldn't find file {} for FileStreamSourceTask, sleeping to wait for it to be created",
                    self.settings.file
                );
                Ok(false)
            }
            Err(e) => Err(PluginError::from(e).context(format!("opening {}", self.settings.file))),
        }
    }
}

fn stored_position(offset: Option<OffsetMap>) -> u64 {
    let Some(offset) = offset else { return 0 };
    match offset.iter().find(|(k, _)| k == "position").map(|(_, v)| v) {
        Some(OffsetValue::Int64(p)) if *p >= 0 => *p as u64,
        Some(OffsetValue::Float64(p)) if *p >= 0.0 => *p as u64,
        _ => 0,
    }
}

impl SourceTask for FileStreamSourceTask {
    fn start(config: Config) -> Result<Self> {
        let settings = FileSettings::parse(&config)?;
        let partition = vec![(
            "filename".to_string(),
            OffsetValue::String(settings.file.clone()),
        )];
        let position = stored_position(source_context::offset(&partition));
        wasm_connect_sdk::info!("Reading {} from position {position}", settings.file);
        Ok(FileStreamSourceTask {
            settings,
            partition,
            reader: None,
            position,
            partial: Vec::new(),
        })
    }

    fn poll(&mut self) -> Result<Vec<SourceRecord>> {
        if !self.open()? {
            return Ok(Vec::new());
        }
        let mut records = Vec::new();
        let Some(reader) = self.reader.as_mut() else {
            return Ok(records);
        };
        while records.len() < self.settings.batch_size {
            let read = reader.read_until(b'\n', &mut self.partial)?;
            if read == 0 || self.partial.last() != Some(&b'\n') {
                // End of file. A WASI input stream that reached the end stays closed, so data
                // appended later is only seen by reopening: the next poll reopens the file at
                // `position` and reads any incomplete line again.
                self.reader = None;
                break;
            }
            self.position += self.partial.len() as u64;
            let mut line = &self.partial[..self.partial.len() - 1];
            if line.last() == Some(&b'\r') {
                line = &line[..line.len() - 1];
            }
            let line = String::from_utf8_lossy(line).into_owned();
            self.partial.clear();
            records.push(
                SourceRecord::new(
                    &self.settings.topic,
                    SchemaAndValue::new(Schema::string(), line),
                )
                .partition(self.partition.clone())
                .offset(vec![(
                    "position".to_string(),
                    OffsetValue::Int64(self.position as i64),
                )]),
            );
        }
        Ok(records)
    }

    fn stop(&mut self) {
        self.reader = None;
    }
}

wasm_connect_sdk::export_source!(FileStreamSource, FileStreamSourceTask);

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::io::Write;

    fn values(records: &[SourceRecord]) -> Vec<&str> {
        records
            .iter()
            .map(|r| r.record.value.value.as_str().unwrap())
            .collect()
    }

    #[test]
    fn reads_complete_lines_in_batches_and_waits_for_partial_ones() {
        let path = std::env::temp_dir().join(format!("fss-test-{}.txt", std::process::id()));
        std::fs::write(&path, "a\nbb\r\nccc\ndd").unwrap();
        let config = Config::new()
            .with("file", path.to_string_lossy())
            .with("topic", "t")
            .with("batch.size", "2");
        let mut task = FileStreamSourceTask::start(config).unwrap();
        let first = task.poll().unwrap();
        assert_eq!(values(&first), ["a", "bb"]);
        assert_eq!(
            first[1].source_offset,
            vec![("position".to_string(), OffsetValue::Int64(6))]
        );
        assert_eq!(first[0].record.topic, "t");
        assert_eq!(values(&task.poll().unwrap()), ["ccc"]);
        assert!(task.poll().unwrap().is_empty());
        std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap()
            .write_all(b"d\ne\n")
            .unwrap();
        let last = task.poll().unwrap();
        assert_eq!(values(&last), ["ddd", "e"]);
        assert_eq!(last[1].source_offset[0].1, OffsetValue::Int64(16));
        std::fs::remove_file(&path).unwrap();
    }

    #[test]
    fn missing_file_gives_empty_batches_and_bad_config_fails() {
        let config = Config::new()
            .with("file", "/nonexistent/x")
            .with("topic", "t");
        let mut task = FileStreamSourceTask::start(config).unwrap();
        assert!(task.poll().unwrap().is_empty());
        assert!(FileStreamSource::start(Config::new().with("file", "f")).is_err());
        assert_eq!(
            stored_position(Some(vec![("position".into(), OffsetValue::Int64(9))])),
            9
        );
    }
}
