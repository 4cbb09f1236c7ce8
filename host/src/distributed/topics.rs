//! The three internal topics of a distributed cluster: created when missing (compacted, with the
//! configured partitions), checked when present. A config topic with more than one partition, or
//! an internal topic that is not compacted, stops the worker with an error that says how to fix it.

use std::collections::BTreeMap;
use std::time::Duration;

use rdkafka::admin::{AdminClient, AdminOptions, ResourceSpecifier};
use rdkafka::client::DefaultClientContext;

use crate::config::DistributedConfig;
use crate::kafka::{client_config, ensure_topic, partition_counts};

/// One internal topic: its purpose (for messages), name, partitions and replication factor.
struct InternalTopic<'a> {
    setting: &'static str,
    name: &'a str,
    partitions: i32,
    replication: i32,
}

/// Create the internal topics when missing and check them; every problem at once.
pub async fn ensure_internal_topics(
    settings: &BTreeMap<String, String>,
    config: &DistributedConfig,
) -> Result<(), String> {
    let topics = [
        InternalTopic {
            setting: "config.storage.topic",
            name: &config.config_topic,
            partitions: 1,
            replication: config.config_replication_factor,
        },
        InternalTopic {
            setting: "offset.storage.topic",
            name: &config.offset_topic,
            partitions: config.offset_partitions,
            replication: config.offset_replication_factor,
        },
        InternalTopic {
            setting: "status.storage.topic",
            name: &config.status_topic,
            partitions: config.status_partitions,
            replication: config.status_replication_factor,
        },
        InternalTopic {
            setting: "plugin.storage.topic",
            name: &config.plugin_topic,
            partitions: 1,
            replication: config.config_replication_factor,
        },
    ];
    let names: Vec<String> = topics.iter().map(|t| t.name.to_string()).collect();
    let existing = {
        let settings = settings.clone();
        tokio::task::spawn_blocking(move || {
            partition_counts(&settings, &names, None, Duration::from_secs(30))
        })
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| e.to_string())?
    };
    let mut problems = Vec::new();
    for topic in &topics {
        match existing.get(topic.name) {
            None => {
                // Compaction must not remove coordination records that a worker which is a few
                // session timeouts behind still needs to read.
                let lag = (config.session_timeout + config.rebalance_delay).as_millis() * 4;
                let lag = lag.max(60_000).to_string();
                let mut configs = vec![("cleanup.policy", "compact")];
                if topic.setting == "config.storage.topic" {
                    configs.push(("min.compaction.lag.ms", lag.as_str()));
                }
                ensure_topic(
                    settings,
                    topic.name,
                    topic.partitions,
                    topic.replication,
                    &configs,
                )
                .await
                .map_err(|e| format!("{} {}: {e}", topic.setting, topic.name))?;
                tracing::info!(
                    topic = topic.name,
                    partitions = topic.partitions,
                    "created internal topic"
                );
            }
            Some(&count) => {
                if topic.partitions == 1 && count != 1 {
                    problems.push(format!(
                        "Topic '{}' supplied via the '{}' property is required to have a single partition in order to guarantee consistency of {}, but found {count} partitions. Delete it or set {} to a new topic name.",
                        topic.name,
                        topic.setting,
                        what(topic.setting),
                        topic.setting
                    ));
                }
            }
        }
    }
    for topic in &topics {
        match cleanup_policy(settings, topic.name).await {
            Ok(Some(policy)) if !policy.split(',').any(|p| p.trim() == "compact") => {
                problems.push(format!(
                    "Topic '{}' supplied via the '{}' property is required to have 'cleanup.policy=compact' to guarantee consistency and durability of {}, but found the topic currently has 'cleanup.policy={policy}'. Continuing would likely result in eventually losing {} and problems restarting this Connect cluster in the future. Change the 'cleanup.policy' property of the topic to 'compact' (kafka-configs --alter --entity-type topics --entity-name {} --add-config cleanup.policy=compact), or use a new topic.",
                    topic.name,
                    topic.setting,
                    what(topic.setting),
                    what(topic.setting),
                    topic.name
                ));
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(
                topic = topic.name,
                "cannot read the topic's cleanup.policy ({e}); not checking it"
            ),
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("\n"))
    }
}

fn what(setting: &str) -> &'static str {
    match setting {
        "config.storage.topic" => "connector configurations",
        "offset.storage.topic" => "source connector offsets",
        "plugin.storage.topic" => "uploaded plugins",
        _ => "connector and task statuses",
    }
}

/// The topic's `cleanup.policy` as the broker reports it.
async fn cleanup_policy(
    settings: &BTreeMap<String, String>,
    topic: &str,
) -> Result<Option<String>, String> {
    let admin: AdminClient<DefaultClientContext> = client_config(settings)
        .create()
        .map_err(|e| e.to_string())?;
    let options = AdminOptions::new().request_timeout(Some(Duration::from_secs(10)));
    let results = admin
        .describe_configs([&ResourceSpecifier::Topic(topic)], &options)
        .await
        .map_err(|e| e.to_string())?;
    for result in results {
        let resource = result.map_err(|e| e.to_string())?;
        if let Some(entry) = resource.get("cleanup.policy") {
            return Ok(entry.value.clone());
        }
    }
    Ok(None)
}
