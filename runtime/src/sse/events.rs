//! [`Events`]: any number of events of any kinds, itself one event.

use bytes::BytesMut;

use super::{Event, EventError};

/// Any number of events of different kinds, in order, as one [`Event`]: for a mapping that
/// sends several events per message without a tuple's fixed arity, or a number of events only
/// known at run time. Encoded all or nothing.
///
/// ```
/// use nitro::sse::{emit_signals, execute_script, remove_elements, Event, Events};
/// use nitro::Selector;
/// let mut events = Events::new()
///     .with(emit_signals(&serde_json::json!({ "count": 2 })))
///     .with(execute_script("console.log(2)"));
/// for id in ["#a", "#b"] {
///     events.push(remove_elements(Selector::css(id)));
/// }
/// assert_eq!(events.len(), 4);
/// assert_eq!(events.to_string().unwrap().matches("event: ").count(), 4);
/// ```
#[derive(Default)]
pub struct Events(Vec<Box<dyn Event + Send + Sync>>);

impl Events {
    /// No events yet.
    pub fn new() -> Events {
        Events::default()
    }

    /// Adds an event at the end.
    pub fn push(&mut self, event: impl Event + Send + Sync + 'static) {
        self.0.push(Box::new(event));
    }

    /// Adds an event at the end, builder style.
    pub fn with(mut self, event: impl Event + Send + Sync + 'static) -> Events {
        self.push(event);
        self
    }

    /// How many events there are.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Are there none?
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl Event for Events {
    /// Every event in order; if one fails, none is written.
    fn encode(&self, buf: &mut BytesMut) -> Result<(), EventError> {
        let start = buf.len();
        for event in &self.0 {
            if let Err(e) = event.encode(buf) {
                buf.truncate(start);
                return Err(e);
            }
        }
        Ok(())
    }
}

impl<E: Event + Send + Sync + 'static> Extend<E> for Events {
    fn extend<I: IntoIterator<Item = E>>(&mut self, events: I) {
        for e in events {
            self.push(e);
        }
    }
}

impl<E: Event + Send + Sync + 'static> FromIterator<E> for Events {
    fn from_iter<I: IntoIterator<Item = E>>(events: I) -> Events {
        let mut all = Events::new();
        all.extend(events);
        all
    }
}

impl std::fmt::Debug for Events {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Events")
            .field("len", &self.0.len())
            .finish_non_exhaustive()
    }
}
