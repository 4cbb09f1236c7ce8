//! The embedded Kafka-protocol broker (tansu), for tests, demos and `wasm-connect broker`.
//! Everything else talks to it only through the Kafka protocol, like to any other broker.

use std::net::SocketAddr;
#[cfg_attr(not(feature = "embedded-broker"), allow(unused_imports))]
use std::time::{Duration, Instant};

use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// Errors starting the embedded broker.
#[derive(Debug, thiserror::Error)]
pub enum BrokerError {
    /// The embedded broker is not compiled in.
    #[error("this build has no embedded broker (enable the `embedded-broker` feature)")]
    NotCompiled,
    /// A bad storage or listener URL.
    #[error("invalid embedded broker setting: {0}")]
    Config(String),
    /// The broker failed to start.
    #[error("embedded broker failed to start: {0}")]
    Start(String),
}

/// A running embedded broker; stops when [`EmbeddedBroker::shutdown`] is called or the token is
/// cancelled.
pub struct EmbeddedBroker {
    /// The address clients use.
    pub address: SocketAddr,
    task: JoinHandle<()>,
    cancel: CancellationToken,
}

impl EmbeddedBroker {
    /// Start a broker listening on `address` with `storage` (`memory://…` or `sqlite://FILE`),
    /// and wait until it accepts connections.
    #[cfg(feature = "embedded-broker")]
    pub async fn start(
        address: SocketAddr,
        storage: &str,
        cancel: CancellationToken,
    ) -> Result<EmbeddedBroker, BrokerError> {
        use tansu_broker::{broker::Broker, coordinator::group::administrator::Controller};
        use tansu_storage::StorageContainer;

        // tansu binds inside `serve` and only logs a failure; find a taken port before starting.
        drop(
            std::net::TcpListener::bind(address)
                .map_err(|e| BrokerError::Start(format!("cannot listen on {address}: {e}")))?,
        );
        let listener = url::Url::parse(&format!("tcp://{address}"))
            .map_err(|e| BrokerError::Config(e.to_string()))?;
        let storage = url::Url::parse(storage)
            .map_err(|e| BrokerError::Config(format!("storage {storage}: {e}")))?;
        let mut broker = Broker::<Controller<StorageContainer>, StorageContainer>::builder()
            .node_id(1)
            .cluster_id("wasm-connect")
            .incarnation_id(uuid::Uuid::nil())
            .advertised_listener(listener.clone())
            .listener(listener)
            .storage(storage)
            .silent(true)
            .build()
            .await
            .map_err(|e| BrokerError::Start(format!("{e:?}")))?;
        let token = cancel.clone();
        let task = tokio::spawn(async move {
            tokio::select! {
                result = broker.serve(tokio::time::Instant::now()) => {
                    if let Err(e) = result {
                        tracing::error!("embedded broker stopped: {e:?}");
                    }
                }
                () = token.cancelled() => {}
            }
        });
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            if tokio::net::TcpStream::connect(address).await.is_ok() {
                break;
            }
            if task.is_finished() || Instant::now() > deadline {
                return Err(BrokerError::Start(format!(
                    "nothing accepts connections on {address}"
                )));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        tracing::info!(%address, "embedded Kafka-protocol broker (tansu) started");
        Ok(EmbeddedBroker {
            address,
            task,
            cancel,
        })
    }

    /// Without the `embedded-broker` feature there is nothing to start.
    #[cfg(not(feature = "embedded-broker"))]
    pub async fn start(
        _address: SocketAddr,
        _storage: &str,
        _cancel: CancellationToken,
    ) -> Result<EmbeddedBroker, BrokerError> {
        Err(BrokerError::NotCompiled)
    }

    /// Stop the broker and wait for it.
    pub async fn shutdown(self) {
        self.cancel.cancel();
        let _ = self.task.await;
    }
}

/// The first `host:port` of a `bootstrap.servers` value, resolved.
pub fn bootstrap_address(bootstrap: &str) -> Result<SocketAddr, BrokerError> {
    use std::net::ToSocketAddrs;
    let first = bootstrap.split(',').next().unwrap_or("").trim();
    let first = first.rsplit("://").next().unwrap_or(first);
    first
        .to_socket_addrs()
        .map_err(|e| BrokerError::Config(format!("bootstrap.servers {first}: {e}")))?
        .find(SocketAddr::is_ipv4)
        .ok_or_else(|| {
            BrokerError::Config(format!(
                "bootstrap.servers {first} resolves to no IPv4 address"
            ))
        })
}
