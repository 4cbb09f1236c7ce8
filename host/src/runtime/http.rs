//! `wasi:http/outgoing-handler` for plugins: outgoing HTTP requests to the hosts the connector is
//! granted (`wasm.net.hosts`, the same grant as TCP connections), every other request refused
//! with `error-code::HTTP-request-denied` and a warning in the worker's log.
//!
//! Timeouts a plugin asks for are capped by the plugin call timeout (`wasm.call.timeout.ms`):
//! the call traps when its deadline passes anyway, so a longer wait could only hide the cause.

use std::time::Duration;

use wasmtime_wasi_http::{
    Error as HttpError, RequestOptions, WasiBody, WasiHttpHooks, default_send_request,
};

/// The outgoing-request policy of one plugin instance.
pub struct HttpGrant {
    /// Granted hosts: `host` (any port) or `host:port`.
    hosts: Vec<String>,
    /// Cap on every connect / first byte / between bytes timeout.
    max_timeout: Duration,
    connector: String,
    role: String,
}

impl HttpGrant {
    /// A policy allowing requests to `hosts`, with timeouts capped at `max_timeout`.
    pub fn new(hosts: Vec<String>, max_timeout: Duration, connector: &str, role: &str) -> Self {
        HttpGrant {
            hosts,
            max_timeout,
            connector: connector.to_string(),
            role: role.to_string(),
        }
    }

    /// May a request go to `host` on `port`? Names compare without case.
    pub fn allows(&self, host: &str, port: u16) -> bool {
        let host = host.trim_start_matches('[').trim_end_matches(']');
        self.hosts.iter().any(|entry| {
            let (granted, granted_port) = split_host_port(entry);
            granted.eq_ignore_ascii_case(host) && granted_port.is_none_or(|p| p == port)
        })
    }

    fn capped(&self, options: Option<RequestOptions>) -> RequestOptions {
        let cap =
            |t: Option<Duration>| Some(t.map_or(self.max_timeout, |t| t.min(self.max_timeout)));
        let options = options.unwrap_or_default();
        RequestOptions {
            connect_timeout: cap(options.connect_timeout),
            first_byte_timeout: cap(options.first_byte_timeout),
            between_bytes_timeout: cap(options.between_bytes_timeout),
        }
    }
}

/// `host:port` → (host, Some(port)); `host`, `[v6]` or `v6` → (host, None).
fn split_host_port(entry: &str) -> (&str, Option<u16>) {
    match entry.rsplit_once(':') {
        Some((host, port)) if !host.contains(':') || host.ends_with(']') => match port.parse() {
            Ok(port) => (
                host.trim_start_matches('[').trim_end_matches(']'),
                Some(port),
            ),
            Err(_) => (entry, None),
        },
        _ => (entry.trim_start_matches('[').trim_end_matches(']'), None),
    }
}

type SendResult = Result<
    (
        http::Response<WasiBody>,
        Box<dyn Future<Output = Result<(), HttpError>> + Send>,
    ),
    HttpError,
>;

impl WasiHttpHooks for HttpGrant {
    fn send_request(
        &mut self,
        request: http::Request<WasiBody>,
        options: Option<RequestOptions>,
        fut: Box<dyn Future<Output = Result<(), HttpError>> + Send>,
    ) -> Box<dyn Future<Output = SendResult> + Send> {
        drop(fut);
        let uri = request.uri();
        let https = uri.scheme() == Some(&http::uri::Scheme::HTTPS);
        let host = uri.host().unwrap_or_default().to_string();
        let port = uri.port_u16().unwrap_or(if https { 443 } else { 80 });
        if !self.allows(&host, port) {
            tracing::warn!(
                connector = %self.connector,
                task = %self.role,
                "HTTP request to {host}:{port} refused: the host is not granted by wasm.net.hosts"
            );
            return Box::new(async { Err(HttpError::HttpRequestDenied) });
        }
        let options = self.capped(options);
        Box::new(async move {
            use http_body_util::BodyExt;
            let (response, io) = default_send_request(request, Some(options)).await?;
            Ok((
                response.map(BodyExt::boxed_unsync),
                Box::new(io) as Box<dyn Future<Output = Result<(), HttpError>> + Send>,
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grant(hosts: &[&str]) -> HttpGrant {
        HttpGrant::new(
            hosts.iter().map(|h| h.to_string()).collect(),
            Duration::from_secs(5),
            "c",
            "task-0",
        )
    }

    #[test]
    fn hosts_match_by_name_and_optional_port() {
        let g = grant(&["api.example.com", "127.0.0.1:8080", "[::1]:9000"]);
        assert!(g.allows("API.example.com", 443));
        assert!(g.allows("api.example.com", 80));
        assert!(g.allows("127.0.0.1", 8080));
        assert!(!g.allows("127.0.0.1", 8081));
        assert!(g.allows("[::1]", 9000));
        assert!(!g.allows("example.com", 443));
        assert!(!g.allows("api.example.com.evil.net", 443));
        assert!(!grant(&[]).allows("api.example.com", 443));
    }

    #[test]
    fn timeouts_are_capped_by_the_call_timeout() {
        let g = grant(&["x"]);
        let o = g.capped(Some(RequestOptions {
            connect_timeout: Some(Duration::from_secs(1)),
            first_byte_timeout: Some(Duration::from_secs(60)),
            between_bytes_timeout: None,
        }));
        assert_eq!(o.connect_timeout, Some(Duration::from_secs(1)));
        assert_eq!(o.first_byte_timeout, Some(Duration::from_secs(5)));
        assert_eq!(o.between_bytes_timeout, Some(Duration::from_secs(5)));
    }
}
