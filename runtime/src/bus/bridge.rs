//! The one bridge from the bus to the browser: [`Subscription::into_sse`], with its options
//! set on the subscription first ([`Subscription::snapshot`], [`Subscription::shared`]).

use bytes::Bytes;

use super::{Lagged, Message, Subscription};

/// Already-encoded SSE bytes, as an event.
struct Encoded<'a>(&'a Bytes);

impl crate::sse::Event for Encoded<'_> {
    fn encode_to(&self, buf: &mut bytes::BytesMut) -> Result<(), crate::sse::EventError> {
        buf.extend_from_slice(self.0);
        Ok(())
    }
}

impl Subscription {
    /// Snapshot then live: the SSE bridge sends `initial` (the current state) before the live
    /// messages, with no gap and no duplicate when used this way:
    ///
    /// 1. subscribe (messages are queued from now on);
    /// 2. then read the current state and build `initial` from it;
    /// 3. in the mapping, return `None` for messages the snapshot already covers (compare a
    ///    version or id the state and the message both carry).
    ///
    /// On a bus that [keeps history](super::Bus::keeps_history), a reconnecting browser can
    /// instead resume with [`Bus::subscribe_after`](super::Bus::subscribe_after) and its
    /// `Last-Event-ID`. An event that fails to encode is logged, counted and skipped.
    ///
    /// ```no_run
    /// use std::sync::{Arc, Mutex};
    /// use axum::extract::State;
    /// use nitro::axum::Sse;
    /// use nitro::bus::{Bus, BusError};
    /// use nitro::sse::{Mode, PatchElements};
    /// use nitro::{ids, PreEscaped};
    ///
    /// ids! { LOG = "log" }
    ///
    /// #[derive(Clone)]
    /// struct App { bus: Bus, lines: Arc<Mutex<Vec<(u64, String)>>> }
    ///
    /// async fn log(State(app): State<App>) -> Result<Sse, BusError> {
    ///     let sub = app.bus.subscribe("log.line").await?; // 1. subscribe first
    ///     let (html, last) = {
    ///         let lines = app.lines.lock().unwrap(); // 2. then the snapshot
    ///         let html: String = lines.iter().map(|(_, l)| format!("<li>{l}</li>")).collect();
    ///         (format!("<ul id=\"log\">{html}</ul>"), lines.last().map_or(0, |l| l.0))
    ///     };
    ///     Ok(sub.snapshot(PatchElements::new(PreEscaped(html))).into_sse(move |m| {
    ///         let (id, line): (u64, String) = m.payload().ok()?;
    ///         // 3. skip what the snapshot covered
    ///         (id > last).then(|| PatchElements::at(LOG, Mode::Append, PreEscaped(format!("<li>{line}</li>"))))
    ///     }))
    /// }
    /// ```
    pub fn snapshot(mut self, initial: impl crate::sse::Event) -> Self {
        self.snapshot = crate::sse::encode_logged(&initial, None, "Subscription::snapshot");
        self
    }

    /// Shared encoding: the mapping given to [`Subscription::into_sse`] depends on the message
    /// alone, so each message is encoded once per process, by the first subscriber that
    /// needs it, and every subscriber with the same `key` sends those bytes. With 10,000
    /// subscribers, one render instead of 10,000.
    ///
    /// `key` names the mapping: two mappings that encode differently must not share a key (a
    /// subscriber would send the other mapping's bytes).
    ///
    /// ```no_run
    /// use axum::extract::State;
    /// use nitro::axum::Sse;
    /// use nitro::bus::{Bus, BusError};
    /// use nitro::sse::{Mode, PatchElements};
    /// use nitro::ids;
    ///
    /// ids! { FEED = "feed" }
    ///
    /// async fn feed(State(bus): State<Bus>) -> Result<Sse, BusError> {
    ///     Ok(bus.subscribe("news.>").await?.shared("feed").into_sse(|m| {
    ///         let text: String = m.payload().unwrap_or_default();
    ///         PatchElements::at(FEED, Mode::Append, text)
    ///     }))
    /// }
    /// ```
    pub fn shared(mut self, key: &'static str) -> Self {
        self.shared = Some(key);
        self
    }

    /// Turns the subscription into an SSE response: a message published as an SSE event is
    /// sent as it is (encoded once by its publisher); any other message becomes the event(s)
    /// `map` returns (any [`Event`](crate::sse::Event); `None` sends nothing). On a bus with
    /// history, each event carries the message's sequence as its id, for `Last-Event-ID`. A
    /// lag is logged and counted, and the stream goes on. When the client disconnects, the
    /// subscription is dropped.
    ///
    /// Options, set before: [`Subscription::snapshot`] (an initial event),
    /// [`Subscription::shared`] (encode once per process), the sender filters.
    ///
    /// ```no_run
    /// use axum::extract::{Path, State};
    /// use nitro::axum::Sse;
    /// use nitro::bus::{forward, Bus, BusError};
    /// use nitro::sse::{Mode, PatchElements};
    /// use nitro::ids;
    ///
    /// ids! { MESSAGES = "messages" }
    ///
    /// async fn room(Path(room): Path<u32>, State(bus): State<Bus>) -> Result<Sse, BusError> {
    ///     Ok(bus.subscribe(format!("chat.room.{room}.>")).await?.into_sse(|m| {
    ///         let text: String = m.payload().unwrap_or_default();
    ///         PatchElements::at(MESSAGES, Mode::Append, text)
    ///     }))
    /// }
    ///
    /// // Only the events published as events, as they are:
    /// async fn dashboard(State(bus): State<Bus>) -> Result<Sse, BusError> {
    ///     Ok(bus.subscribe(["dashboard.>", "broadcast"]).await?.into_sse(forward))
    /// }
    /// ```
    pub fn into_sse<F, E>(mut self, mut map: F) -> crate::axum::Sse
    where
        F: FnMut(&Message) -> E + Send + 'static,
        E: MapOutput,
    {
        use futures_util::StreamExt;
        let first = self.snapshot.take();
        let shared = self.shared;
        let live = self.filter_map(move |item| {
            let bytes = bridge(item, |m| {
                let mut encode = || map(&m).encode_mapped(m.sequence());
                match shared {
                    Some(key) => m.encoded_once(key, encode),
                    None => encode(),
                }
            });
            std::future::ready(bytes)
        });
        crate::axum::Sse::from_bytes(futures_util::stream::iter(first).chain(live))
    }
}

/// What a mapping given to [`Subscription::into_sse`] returns: an event
/// ([`PatchElements`](crate::sse::PatchElements), [`PatchSignals`](crate::sse::PatchSignals),
/// [`ExecuteScript`](crate::sse::ExecuteScript), [`Events`](crate::sse::Events)), or an
/// `Option` of one (`None` sends nothing for that message).
///
/// ```
/// use nitro::bus::MapOutput;
/// use nitro::sse::PatchSignals;
/// fn sends<T: MapOutput>(_: T) {}
/// sends(PatchSignals::new(&serde_json::json!({ "a": 1 })));
/// sends(None::<PatchSignals>);
/// ```
pub trait MapOutput {
    #[doc(hidden)]
    fn encode_mapped(&self, sequence: Option<u64>) -> Option<Bytes>;
}

impl<E: crate::sse::Event> MapOutput for E {
    fn encode_mapped(&self, sequence: Option<u64>) -> Option<Bytes> {
        crate::sse::encode_logged(self, sequence, "Subscription::into_sse")
    }
}

impl<E: crate::sse::Event> MapOutput for Option<E> {
    fn encode_mapped(&self, sequence: Option<u64>) -> Option<Bytes> {
        self.as_ref().and_then(|e| e.encode_mapped(sequence))
    }
}

/// The mapping for [`Subscription::into_sse`] that sends only the messages published as SSE
/// events (as they are) and nothing for the others.
///
/// ```
/// # use futures_util::StreamExt;
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let bus = nitro::bus::Bus::in_process();
/// let mut sub = bus.subscribe("a").await.unwrap();
/// bus.publish("a", &1).await.unwrap();
/// assert!(nitro::bus::forward(&sub.next().await.unwrap().unwrap()).is_none());
/// # });
/// ```
pub fn forward(_: &Message) -> Option<crate::sse::Events> {
    None
}

/// One item of a subscription, as the SSE bridge sends it: an emitted event as is, another
/// message through `encode`; a lag (logged and counted by the queue) is skipped, and the
/// stream goes on.
pub(super) fn bridge(
    item: Result<Message, Lagged>,
    encode: impl FnOnce(Message) -> Option<Bytes>,
) -> Option<Bytes> {
    match item {
        Ok(m) if m.is_event() => {
            crate::sse::encode_logged(&Encoded(m.payload_bytes()), m.sequence(), "bus SSE bridge")
        }
        Ok(m) => encode(m),
        Err(Lagged(_)) => None,
    }
}
