//! What can go wrong on the bus: [`BusError`], its [`BusErrorKind`], and the HTTP status a
//! handler returning it answers with.

use std::fmt;

/// A bus error: a [`BusErrorKind`] to match on, a message, and the underlying cause, if any,
/// as its `source()`.
///
/// Returned from an axum handler, it answers with a status and a short generic body (see
/// [`BusErrorKind`]); the details (topic, NATS's own words) go to the log, never to the client,
/// and each such response is counted in [`stats`](crate::stats) (`bus_errors`).
///
/// ```
/// use nitro::bus::{BusErrorKind, Topic};
/// let err = Topic::new("a b").unwrap_err();
/// assert_eq!(err.kind(), BusErrorKind::InvalidTopic);
/// assert!(err.to_string().contains("whitespace"));
/// ```
#[derive(Debug)]
pub struct BusError {
    kind: BusErrorKind,
    message: String,
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

/// What went wrong on the bus, and the status a handler returning the error answers with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum BusErrorKind {
    /// A topic is not valid (empty token, whitespace, wildcard, longer than
    /// [`MAX_TOPIC_BYTES`](super::MAX_TOPIC_BYTES) or
    /// [`MAX_TOPIC_TOKENS`](super::MAX_TOPIC_TOKENS)). 400.
    InvalidTopic,
    /// A pattern is not valid (`>` not last, wildcard inside a token, too long, …). 400.
    InvalidPattern,
    /// A sender name is not valid (empty, too long, control characters, surrounding
    /// whitespace; see [`Publish::sender`](super::Publish::sender)). 400.
    InvalidSender,
    /// An idempotency key ([`Publish::id`](super::Publish::id)) is not valid (same rules as a
    /// sender). 400.
    InvalidId,
    /// The payload could not be serialized. 500.
    Serialize,
    /// A payload could not be deserialized into the requested type. 500.
    Deserialize,
    /// The NATS server could not be reached. 503.
    Connect,
    /// The NATS server refused or could not take a publish. 503.
    Publish,
    /// The NATS server refused a subscription, or a history read failed. 503.
    Subscribe,
    /// A bus URL is not valid ([`Bus::connect`](super::Bus::connect)). 500.
    InvalidUrl,
    /// A payload can never fit (larger than the NATS server's `max_payload`, 1 MiB by
    /// default): retrying cannot help. 413.
    TooLarge,
    /// A JetStream publish got no acknowledgement after several attempts: the message may or
    /// may not be stored. Retrying with the same [`Publish::id`](super::Publish::id) is safe
    /// (JetStream stores it once); without one, a retry may duplicate it. 503.
    Unconfirmed,
    /// A resume ([`Bus::subscribe_after`](super::Bus::subscribe_after), `Last-Event-ID`) from
    /// before the history the bus still keeps: what came after it is no longer all there, so
    /// the client needs the current state in full ([`Bus::room`](super::Bus::room) sends it
    /// instead of failing). 410.
    Expired,
    /// A bound was reached: presence's topics per process
    /// ([`MAX_PRESENCE_TOPICS`](super::MAX_PRESENCE_TOPICS)) or members per topic
    /// ([`MAX_PRESENCE_MEMBERS`](super::MAX_PRESENCE_MEMBERS)). Logged and counted in
    /// `stats::presence_refused`. 503.
    Full,
}

impl BusError {
    pub(crate) fn new(kind: BusErrorKind, message: impl Into<String>) -> BusError {
        BusError {
            kind,
            message: message.into(),
            source: None,
        }
    }

    pub(crate) fn with_source(
        kind: BusErrorKind,
        message: impl Into<String>,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> BusError {
        BusError {
            kind,
            message: message.into(),
            source: Some(Box::new(source)),
        }
    }

    /// The kind of error.
    ///
    /// ```
    /// use nitro::bus::{BusErrorKind, Topic};
    /// assert_eq!(Topic::new("a b").unwrap_err().kind(), BusErrorKind::InvalidTopic);
    /// ```
    pub fn kind(&self) -> BusErrorKind {
        self.kind
    }

    /// The HTTP status a handler returning this error answers with.
    ///
    /// ```
    /// use nitro::bus::Topic;
    /// assert_eq!(Topic::new("a..b").unwrap_err().status(), 400);
    /// ```
    pub fn status(&self) -> u16 {
        match self.kind {
            BusErrorKind::InvalidTopic
            | BusErrorKind::InvalidPattern
            | BusErrorKind::InvalidSender
            | BusErrorKind::InvalidId => 400,
            BusErrorKind::Connect
            | BusErrorKind::Publish
            | BusErrorKind::Subscribe
            | BusErrorKind::Unconfirmed
            | BusErrorKind::Full => 503,
            BusErrorKind::TooLarge => 413,
            BusErrorKind::Expired => 410,
            BusErrorKind::Serialize | BusErrorKind::Deserialize | BusErrorKind::InvalidUrl => 500,
        }
    }

    /// The short body a client gets: the status's meaning, never the details.
    #[cfg(feature = "axum")]
    fn public_text(&self) -> &'static str {
        match self.status() {
            400 => "invalid request",
            413 => "too large",
            410 => "the history no longer reaches back to Last-Event-ID; reload",
            503 => "service temporarily unavailable, try again",
            _ => "internal error",
        }
    }
}

impl fmt::Display for BusError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.source {
            Some(s) => write!(f, "{}: {s}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for BusError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source.as_deref().map(|e| e as _)
    }
}

#[cfg(feature = "axum")]
impl axum::response::IntoResponse for BusError {
    /// The status of [`BusError::status`] with a short generic text; the error itself is
    /// logged (a warning for 5xx, debug for 4xx: a stranger's bad topic is nothing to fix)
    /// and counted.
    fn into_response(self) -> axum::response::Response {
        crate::stats::bus_error(self.status(), &self);
        let status = http::StatusCode::from_u16(self.status())
            .unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR);
        (status, self.public_text()).into_response()
    }
}
