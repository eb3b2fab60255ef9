//! The Datastar v1 SSE protocol: event builders and their byte-exact encoding.
//!
//! Only two event types exist, `datastar-patch-elements` and `datastar-patch-signals`. The
//! builders are named after them, as in the official SDKs; where the elements or signals go
//! is chosen when the event is built:
//!
//! | builder | sends |
//! |---|---|
//! | [`PatchElements::new`] / [`PatchElements::replace`] | elements, each to the element with its id |
//! | [`PatchElements::at`] | elements, to a selector in a [`Mode`] |
//! | [`PatchElements::remove`] | the removal of the elements matching a selector |
//! | [`PatchSignals::new`] / [`PatchSignals::raw`] | a signals merge patch |
//! | [`PatchSignals::remove`] | a merge patch of `null`s |
//! | [`ExecuteScript::new`] / [`ExecuteScript::trusted`] | a script to run |
//! | [`ExecuteScript::redirect`] | a script that sets `window.location.href` |
//!
//! Several events make one [`Events`]: a one-shot response (with the `axum` feature), or one
//! item of a stream.
//!
//! ```
//! use nitro::prelude::*;
//!
//! ids! { MESSAGES = "messages" }
//! let event = PatchElements::at(MESSAGES, Mode::Append, PreEscaped("<li id=\"m1\">hi</li>"));
//! assert_eq!(
//!     event.encode().unwrap(),
//!     "event: datastar-patch-elements\ndata: selector #messages\ndata: mode append\ndata: elements <li id=\"m1\">hi</li>\n\n"
//! );
//! ```

use std::fmt;
use std::time::Duration;

use bytes::{Bytes, BytesMut};

mod browser_helpers;
mod events;
pub(crate) mod execute_script;
mod into_events;
pub(crate) mod lines;
mod list_view;
pub(crate) mod patch_elements;
mod patch_signals;
mod script_code;

pub use events::Events;
pub use execute_script::ExecuteScript;
pub use list_view::ListView;
pub use patch_elements::{
    IdentifiedElements, IntoElements, Mode, Namespace, PatchElements, UnknownMode, UnknownNamespace,
};
pub use patch_signals::PatchSignals;
pub use script_code::StaticCode;

/// A Datastar SSE event that can encode itself: [`PatchElements`], [`PatchSignals`],
/// [`ExecuteScript`], and [`Events`] (several in order).
///
/// ```
/// use nitro::prelude::*;
/// let text = PatchSignals::new(&serde_json::json!({"count": 1})).encode().unwrap();
/// assert_eq!(text, "event: datastar-patch-signals\ndata: signals {\"count\":1}\n\n");
/// ```
pub trait Event {
    /// Appends the event, framing and final empty line included, to `buf`. On error nothing is
    /// appended.
    fn encode_to(&self, buf: &mut BytesMut) -> Result<(), EventError>;

    /// The encoded event as bytes.
    ///
    /// ```
    /// use nitro::prelude::*;
    /// let bytes = PatchElements::remove(Selector::css("#gone")).to_bytes().unwrap();
    /// assert!(bytes.starts_with(b"event: datastar-patch-elements\n"));
    /// ```
    fn to_bytes(&self) -> Result<Bytes, EventError> {
        let mut buf = BytesMut::new();
        self.encode_to(&mut buf)?;
        Ok(buf.freeze())
    }

    /// The encoded event as text (events are always UTF-8).
    ///
    /// ```
    /// use nitro::prelude::*;
    /// let text = PatchSignals::new(&serde_json::json!({"count": 1})).encode().unwrap();
    /// assert_eq!(text, "event: datastar-patch-signals\ndata: signals {\"count\":1}\n\n");
    /// ```
    fn encode(&self) -> Result<String, EventError> {
        let bytes = self.to_bytes()?;
        Ok(String::from_utf8_lossy(&bytes).into_owned())
    }
}

impl<E: Event + ?Sized> Event for &E {
    fn encode_to(&self, buf: &mut BytesMut) -> Result<(), EventError> {
        E::encode_to(self, buf)
    }
}

impl<E: Event + ?Sized> Event for Box<E> {
    fn encode_to(&self, buf: &mut BytesMut) -> Result<(), EventError> {
        E::encode_to(self, buf)
    }
}

/// Why an event could not be encoded. Nothing is sent for such an event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventError {
    kind: EventErrorKind,
    detail: String,
}

/// The kind of an [`EventError`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum EventErrorKind {
    /// The event id contains a line break or NUL, which SSE cannot carry.
    InvalidEventId,
    /// The signals value could not be serialized to JSON.
    Serialize,
    /// Raw signals are not a JSON object.
    InvalidJson,
    /// A patch without a selector has a top-level element without an `id`, so the browser
    /// would not know where it goes.
    MissingTarget,
    /// A patch without a selector has a mode other than `outer` or `replace`, which the client
    /// refuses (`PatchElementsExpectedSelector`).
    MissingSelector,
    /// A redirect to a script-running URL (`javascript:`, `vbscript:`, `data:`).
    UnsafeUrl,
    /// An argument the event cannot carry: a script argument name that is not a plain
    /// JavaScript identifier, a signal path with an empty name.
    InvalidArgument,
}

impl EventError {
    pub(crate) fn new(kind: EventErrorKind, detail: impl Into<String>) -> Self {
        EventError {
            kind,
            detail: detail.into(),
        }
    }

    /// What went wrong.
    ///
    /// ```
    /// use nitro::prelude::*;
    /// use nitro::sse::EventErrorKind;
    /// let err = PatchSignals::raw("{oops").to_bytes().unwrap_err();
    /// assert_eq!(err.kind(), EventErrorKind::InvalidJson);
    /// ```
    pub fn kind(&self) -> EventErrorKind {
        self.kind
    }
}

impl fmt::Display for EventError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.kind {
            EventErrorKind::InvalidEventId => "invalid SSE event id",
            EventErrorKind::Serialize => "signals could not be serialized",
            EventErrorKind::InvalidJson => "raw signals are not a JSON object",
            EventErrorKind::MissingTarget => "elements patch has no target",
            EventErrorKind::MissingSelector => "elements patch mode needs a selector",
            EventErrorKind::UnsafeUrl => "refused a script-running URL",
            EventErrorKind::InvalidArgument => "invalid argument",
        };
        write!(f, "{what}: {}", self.detail)
    }
}

impl std::error::Error for EventError {}

/// Encodes `event` into new bytes (`None` if it fails to encode); with a sequence, its first
/// event carries it as the SSE id.
#[cfg(feature = "axum")]
pub(crate) fn encode_with_id(
    event: &impl Event,
    sequence: Option<u64>,
) -> Result<Bytes, EventError> {
    let mut buf = bytes::BytesMut::new();
    event.encode_to(&mut buf)?;
    if let Some(seq) = sequence {
        if let Some(eol) = buf.iter().position(|b| *b == b'\n') {
            let rest = buf.split_off(eol + 1);
            buf.extend_from_slice(b"id: ");
            buf.extend_from_slice(itoa::Buffer::new().format(seq).as_bytes());
            buf.extend_from_slice(b"\n");
            buf.unsplit(rest);
        }
    }
    Ok(buf.freeze())
}

/// [`encode_with_id`] for a stream: a failure is logged and counted, and nothing is sent.
#[cfg(feature = "axum")]
pub(crate) fn encode_logged(
    event: &impl Event,
    sequence: Option<u64>,
    where_: &str,
) -> Option<Bytes> {
    encode_with_id(event, sequence)
        .inspect_err(|e| crate::stats::event_failed(where_, e))
        .ok()
}

/// The fields every event has: an optional id and retry duration.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Meta {
    pub(crate) id: Option<String>,
    pub(crate) retry_ms: Option<u64>,
}

impl Meta {
    pub(crate) fn set_retry(&mut self, retry: Duration) {
        self.retry_ms = Some(u64::try_from(retry.as_millis()).unwrap_or(u64::MAX));
    }

    pub(crate) fn check(&self) -> Result<(), EventError> {
        match &self.id {
            Some(id) if !lines::valid_id(id) => Err(EventError::new(
                EventErrorKind::InvalidEventId,
                format!("{id:?} contains a line break or NUL"),
            )),
            _ => Ok(()),
        }
    }

    pub(crate) fn head(&self, buf: &mut BytesMut, event: &str) {
        lines::write_head(buf, event, self.id.as_deref(), self.retry_ms);
    }
}

/// Builder methods shared by every event type.
macro_rules! meta_methods {
    () => {
        /// Sets the SSE event id (the browser sends it back as `Last-Event-ID` when it
        /// reconnects). An id with a line break or NUL makes encoding fail.
        pub fn id(mut self, id: impl Into<String>) -> Self {
            self.meta.id = Some(id.into());
            self
        }

        /// Sets the reconnection delay the browser should use (written only if it is not the
        /// default 1000 ms).
        pub fn retry(mut self, retry: std::time::Duration) -> Self {
            self.meta.set_retry(retry);
            self
        }
    };
}
pub(crate) use meta_methods;
