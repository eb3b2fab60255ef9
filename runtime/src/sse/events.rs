//! [`Events`]: several events in order, as one event and as a one-shot response.

use bytes::BytesMut;

use super::{Event, EventError};

/// Events in order, as one [`Event`]: the one way to batch. Returned from a handler (with the
/// `axum` feature) it is a one-shot SSE response: every event, then the response ends. As an
/// item of a stream (a bus mapping, [`Sse::new`](crate::axum::Sse::new)) it sends several
/// events for one message.
///
/// Each event is encoded when it is added; the batch is all or nothing: if one fails, none is
/// sent (a response is answered 500, a stream skips it; both logged and counted).
///
/// ```
/// use nitro::prelude::*;
/// let mut events = Events::new()
///     .with(PatchSignals::new(&serde_json::json!({ "count": 2 })))
///     .with(ExecuteScript::new("console.log(2)"));
/// for id in ["#a", "#b"] {
///     events.push(PatchElements::remove(Selector::css(id)));
/// }
/// assert_eq!(events.len(), 4);
/// assert_eq!(events.encode().unwrap().matches("event: ").count(), 4);
/// let more: Events = ["#c", "#d"].map(|id| PatchElements::remove(Selector::css(id))).into_iter().collect();
/// assert_eq!(more.len(), 2);
/// ```
///
/// Arms of a `match` (or `if`) that build different events ("`match` arms have incompatible
/// types", E0308) meet here: end each arm with `.into()`; every builder converts into `Events`.
#[doc(alias = "E0308")]
#[doc(alias = "match arms have incompatible types")]
#[derive(Clone, Debug, Default)]
#[must_use = "events do nothing unless returned from a handler or sent"]
pub struct Events {
    buf: BytesMut,
    len: usize,
    error: Option<EventError>,
}

impl Events {
    /// No events yet.
    pub fn new() -> Events {
        Events::default()
    }

    /// Adds an event at the end.
    pub fn push(&mut self, event: impl Event) {
        if self.error.is_none() {
            match event.encode_to(&mut self.buf) {
                Ok(()) => self.len += 1,
                Err(e) => self.error = Some(e),
            }
        }
    }

    /// Adds an event at the end, builder style.
    pub fn with(mut self, event: impl Event) -> Events {
        self.push(event);
        self
    }

    /// How many events there are.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Are there none?
    pub fn is_empty(&self) -> bool {
        self.len == 0 && self.error.is_none()
    }

    /// The encoded events and their number, or the first event's error.
    #[cfg_attr(not(feature = "axum"), allow(dead_code))]
    pub(crate) fn into_encoded(self) -> Result<(bytes::Bytes, usize), EventError> {
        match self.error {
            Some(e) => Err(e),
            None => Ok((self.buf.freeze(), self.len)),
        }
    }
}

impl Event for Events {
    /// Every event in order; if one failed, none is written.
    fn encode_to(&self, buf: &mut BytesMut) -> Result<(), EventError> {
        match &self.error {
            Some(e) => Err(e.clone()),
            None => {
                buf.extend_from_slice(&self.buf);
                Ok(())
            }
        }
    }
}

impl<E: Event> Extend<E> for Events {
    fn extend<I: IntoIterator<Item = E>>(&mut self, events: I) {
        for e in events {
            self.push(e);
        }
    }
}

impl<E: Event> FromIterator<E> for Events {
    fn from_iter<I: IntoIterator<Item = E>>(events: I) -> Events {
        let mut all = Events::new();
        all.extend(events);
        all
    }
}
