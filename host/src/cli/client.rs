//! A blocking client of the worker's REST API: builds URLs from path segments (each one
//! percent-encoded), reads every answer's body (4xx and 5xx too) and sorts failures into "the
//! worker answered with an error" and "the worker could not be reached".

use std::time::Duration;

use serde_json::Value;
use url::Url;

/// How long to wait for a connection to the worker.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a whole request may take (the worker gives up on its own requests after 90 s).
const REQUEST_TIMEOUT: Duration = Duration::from_secs(120);

/// HTTP methods the REST API uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// `GET`.
    Get,
    /// `POST`.
    Post,
    /// `PUT`.
    Put,
    /// `PATCH`.
    Patch,
    /// `DELETE`.
    Delete,
}

/// A successful (2xx) answer.
#[derive(Clone, Debug, PartialEq)]
pub struct Answer {
    /// HTTP status.
    pub status: u16,
    /// The JSON body, `None` when the body is empty (e.g. 204).
    pub body: Option<Value>,
}

/// Why a request did not succeed.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ClientError {
    /// No answer: connection refused, timeout, unknown host, broken connection.
    #[error("cannot reach the worker at {url}: {message}")]
    Unreachable {
        /// The worker's base URL.
        url: String,
        /// Why.
        message: String,
    },
    /// The worker answered 4xx or 5xx; `message` is the `message` of its error body.
    #[error("{message} (HTTP {status})")]
    Api {
        /// HTTP status.
        status: u16,
        /// The worker's message.
        message: String,
    },
    /// The worker answered 2xx with a body that is not JSON.
    #[error("unexpected answer from the worker (HTTP {status}): {message}")]
    BadAnswer {
        /// HTTP status.
        status: u16,
        /// Why.
        message: String,
    },
}

/// An API key, sent as `Authorization: Bearer KEY`. Its `Debug` output hides the key, so it
/// never shows up in a log line or a panic message.
#[derive(Clone, PartialEq, Eq)]
pub struct Token(String);

impl Token {
    /// A key from its text: non-empty, visible ASCII without spaces (so it fits in an HTTP
    /// header). The error never quotes the key.
    pub fn new(key: &str) -> Result<Token, String> {
        if key.is_empty() {
            return Err("the key is empty".into());
        }
        if !key.bytes().all(|b| b.is_ascii_graphic()) {
            return Err("the key must be visible ASCII characters without spaces".into());
        }
        Ok(Token(key.to_string()))
    }

    /// The `Authorization` header's value.
    fn header_value(&self) -> String {
        format!("Bearer {}", self.0)
    }
}

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Token(<redacted>)")
    }
}

/// A client of one worker's REST API.
#[derive(Debug)]
pub struct Client {
    base: Url,
    agent: ureq::Agent,
    token: Option<Token>,
}

impl Client {
    /// A client of the worker at `base` (e.g. `http://localhost:8083`; a path prefix is kept).
    pub fn new(base: Url) -> Client {
        let config = ureq::Agent::config_builder()
            // 4xx and 5xx are answers whose `{"error_code","message"}` body we read.
            .http_status_as_error(false)
            .timeout_connect(Some(CONNECT_TIMEOUT))
            .timeout_global(Some(REQUEST_TIMEOUT))
            .build();
        Client {
            base,
            agent: ureq::Agent::new_with_config(config),
            token: None,
        }
    }

    /// The same client sending `token` as `Authorization: Bearer …` with every request.
    #[must_use]
    pub fn with_token(mut self, token: Option<Token>) -> Client {
        self.token = token;
        self
    }

    /// The worker's base URL.
    pub fn base(&self) -> &Url {
        &self.base
    }

    /// The URL of `segments` (each percent-encoded, so a connector name may hold `/` or spaces)
    /// under the base URL, with `query` pairs (repeated keys allowed).
    pub fn endpoint(&self, segments: &[&str], query: &[(&str, &str)]) -> Url {
        let mut url = self.base.clone();
        url.set_query(None);
        url.set_fragment(None);
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty().extend(segments);
        }
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query);
        }
        url
    }

    /// Send a request with an optional JSON body; 2xx is an [`Answer`], anything else an error.
    pub fn call(
        &self,
        method: Method,
        segments: &[&str],
        query: &[(&str, &str)],
        body: Option<&Value>,
    ) -> Result<Answer, ClientError> {
        let url = self.endpoint(segments, query);
        let url = url.as_str();
        let result = match (method, body) {
            (Method::Get, _) => self.headers(self.agent.get(url)).call(),
            (Method::Delete, _) => self.headers(self.agent.delete(url)).call(),
            (Method::Post, Some(b)) => self.headers(self.agent.post(url)).send_json(b),
            (Method::Post, None) => self.headers(self.agent.post(url)).send_empty(),
            (Method::Put, Some(b)) => self.headers(self.agent.put(url)).send_json(b),
            (Method::Put, None) => self.headers(self.agent.put(url)).send_empty(),
            (Method::Patch, Some(b)) => self.headers(self.agent.patch(url)).send_json(b),
            (Method::Patch, None) => self.headers(self.agent.patch(url)).send_empty(),
        };
        self.read(result)
    }

    /// The answer of a sent request.
    fn read(
        &self,
        result: Result<ureq::http::Response<ureq::Body>, ureq::Error>,
    ) -> Result<Answer, ClientError> {
        let mut response = result.map_err(|e| self.unreachable(&e))?;
        let status = response.status().as_u16();
        let text = response
            .body_mut()
            .read_to_string()
            .map_err(|e| self.unreachable(&e))?;
        answer(status, &text)
    }

    /// POST raw bytes as `content_type` (a plugin upload).
    pub fn post_bytes(
        &self,
        segments: &[&str],
        content_type: &str,
        bytes: &[u8],
    ) -> Result<Answer, ClientError> {
        let url = self.endpoint(segments, &[]);
        let result = self
            .headers(self.agent.post(url.as_str()))
            .header("Content-Type", content_type)
            .send(bytes);
        self.read(result)
    }

    /// The headers of every request: `Accept: application/json`, and the key if there is one.
    fn headers<B>(&self, request: ureq::RequestBuilder<B>) -> ureq::RequestBuilder<B> {
        let request = request.header("Accept", "application/json");
        match &self.token {
            Some(token) => request.header("Authorization", token.header_value()),
            None => request,
        }
    }

    fn unreachable(&self, error: &ureq::Error) -> ClientError {
        ClientError::Unreachable {
            url: self.base.to_string(),
            message: error.to_string(),
        }
    }
}

/// Sort a received status and body into an [`Answer`] or a [`ClientError`].
fn answer(status: u16, text: &str) -> Result<Answer, ClientError> {
    let parsed = if text.trim().is_empty() {
        None
    } else {
        Some(serde_json::from_str::<Value>(text))
    };
    if (200..300).contains(&status) {
        return match parsed {
            None => Ok(Answer { status, body: None }),
            Some(Ok(body)) => Ok(Answer {
                status,
                body: Some(body),
            }),
            Some(Err(e)) => Err(ClientError::BadAnswer {
                status,
                message: format!("body is not JSON ({e})"),
            }),
        };
    }
    let message = match parsed {
        Some(Ok(json)) => match json.get("message").and_then(Value::as_str) {
            Some(message) => message.to_string(),
            None => json.to_string(),
        },
        Some(Err(_)) => text.trim().to_string(),
        None => ureq::http::StatusCode::from_u16(status)
            .ok()
            .and_then(|s| s.canonical_reason())
            .unwrap_or("no message")
            .to_string(),
    };
    Err(ClientError::Api { status, message })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn client(base: &str) -> Client {
        Client::new(Url::parse(base).expect("test URL"))
    }

    #[test]
    fn endpoints_encode_segments_and_keep_a_path_prefix() {
        let c = client("http://localhost:8083");
        assert_eq!(
            c.endpoint(&["connectors", "a b/c"], &[]).as_str(),
            "http://localhost:8083/connectors/a%20b%2Fc"
        );
        assert_eq!(
            c.endpoint(&["connectors"], &[("expand", "status"), ("expand", "info")])
                .as_str(),
            "http://localhost:8083/connectors?expand=status&expand=info"
        );
        let c = client("http://proxy/connect/");
        assert_eq!(
            c.endpoint(&["connector-plugins"], &[]).as_str(),
            "http://proxy/connect/connector-plugins"
        );
    }

    #[test]
    fn answers_are_sorted_by_status() {
        assert_eq!(
            answer(204, ""),
            Ok(Answer {
                status: 204,
                body: None
            })
        );
        assert_eq!(
            answer(200, "[\"a\"]"),
            Ok(Answer {
                status: 200,
                body: Some(json!(["a"]))
            })
        );
        assert_eq!(
            answer(
                404,
                r#"{"error_code":404,"message":"Connector x not found"}"#
            ),
            Err(ClientError::Api {
                status: 404,
                message: "Connector x not found".into()
            })
        );
        assert_eq!(
            answer(502, "Bad gateway\n"),
            Err(ClientError::Api {
                status: 502,
                message: "Bad gateway".into()
            })
        );
        assert_eq!(
            answer(503, ""),
            Err(ClientError::Api {
                status: 503,
                message: "Service Unavailable".into()
            })
        );
        assert!(matches!(
            answer(200, "<html>"),
            Err(ClientError::BadAnswer { status: 200, .. })
        ));
        let error = ClientError::Api {
            status: 404,
            message: "Connector x not found".into(),
        };
        assert_eq!(error.to_string(), "Connector x not found (HTTP 404)");
    }

    #[test]
    fn tokens_are_checked_and_never_shown() {
        let token = Token::new("s3cr3t-KEY_1.x/y+z=").expect("a valid key");
        assert_eq!(token.header_value(), "Bearer s3cr3t-KEY_1.x/y+z=");
        assert_eq!(format!("{token:?}"), "Token(<redacted>)");
        let c = client("http://w:1").with_token(Some(token));
        assert!(!format!("{c:?}").contains("s3cr3t"), "{c:?}");
        for bad in ["", "two words", "line\nbreak", "caf\u{e9}"] {
            let error = Token::new(bad).expect_err(bad);
            assert!(bad.is_empty() || !error.contains(bad), "{error}");
        }
    }

    #[test]
    fn a_closed_port_is_unreachable() {
        let c = client("http://127.0.0.1:1");
        match c.call(Method::Get, &["connectors"], &[], None) {
            Err(ClientError::Unreachable { url, .. }) => assert_eq!(url, "http://127.0.0.1:1/"),
            other => panic!("expected Unreachable, got {other:?}"),
        }
    }
}
