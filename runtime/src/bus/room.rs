//! History then live in one call: a [`Room`] (a chat room, a log, a feed) renders its last
//! messages on the page and continues on the stream after them, with no gap and nothing twice,
//! whichever process serves the page and whichever serves the stream.

use super::{Bus, BusError, History};
#[cfg(feature = "axum")]
use super::{MapOutput, Message};

/// How many messages a [`Room`] shows unless [`Room::last`] says otherwise.
pub const DEFAULT_ROOM_LAST: usize = 50;

/// The history-then-live view of one pattern, from [`Bus::room`]: on the page,
/// [`Room::history`] (its last messages, to render, and the sequence they go up to); on the
/// stream, [`Room::into_sse`], which continues after what the client has:
///
/// - after the page (its [`History::last_sequence`], passed in the stream's URL) or a
///   reconnecting browser's `Last-Event-ID` (the newer of the two): the messages since then,
///   each through `each`, then the live ones;
/// - when the bus no longer keeps everything since then (a long disconnect): the whole
///   history again through `all` (a full re-render: the client's view is replaced, never left
///   with a hole), then live;
/// - with neither (`None`): live only.
///
/// It works on every bus that [keeps history](Bus::keeps_history) (JetStream, or in process
/// with [`Bus::history_messages`]); on one that keeps none, the history is empty and the
/// stream is live only. The stream joins the process's shared live feed (no JetStream
/// consumer per client) and reads the history once, in batches.
///
/// ```no_run
/// use axum::extract::{Path, State};
/// use nitro::axum::{LastEventId, Sse};
/// use nitro::bus::{Bus, BusError, History, Message};
/// use nitro::sse::{Mode, PatchElements};
/// use nitro::{expr, html, ids, Markup, Render};
///
/// ids! { LOG = "log" }
///
/// fn line(m: &Message) -> Markup {
///     html! { li { (m.payload::<String>().unwrap_or_default()) } }.render()
/// }
/// fn lines(h: &History) -> Markup {
///     html! { ul #(LOG) { @for m in h.messages() { (line(m)) } } }.render()
/// }
///
/// async fn page(State(bus): State<Bus>) -> Result<Markup, BusError> {
///     let history = bus.room("log.line").history().await?;
///     let stream = expr!("@get('/log/stream/{}')", history.last_sequence().unwrap_or(0));
///     Ok(html! { div data-init=(stream) { (lines(&history)) } }.render())
/// }
///
/// // `/log/stream/{after}`: after what the page rendered, or the browser's Last-Event-ID.
/// async fn stream(
///     State(bus): State<Bus>,
///     Path(after): Path<u64>,
///     LastEventId(last): LastEventId,
/// ) -> Result<Sse, BusError> {
///     bus.room("log.line")
///         .after(last.or(Some(after)))
///         .into_sse(
///             |history| PatchElements::new(lines(history)),
///             |m, _count| PatchElements::at(LOG, Mode::Append, line(m)),
///         )
///         .await
/// }
/// ```
#[derive(Clone, Debug)]
pub struct Room {
    bus: Bus,
    pattern: String,
    last: usize,
    after: Option<u64>,
}

impl Bus {
    /// The history-then-live view of `pattern` (see [`Room`]): its last
    /// [`DEFAULT_ROOM_LAST`] messages unless [`Room::last`] says otherwise.
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let bus = nitro::bus::Bus::in_process().history_messages(100);
    /// bus.publish("chat.room.1", &"hi").await.unwrap();
    /// let history = bus.room("chat.room.1").last(10).history().await.unwrap();
    /// assert_eq!(history.messages()[0].payload::<String>().unwrap(), "hi");
    /// # });
    /// ```
    pub fn room(&self, pattern: impl Into<String>) -> Room {
        Room {
            bus: self.clone(),
            pattern: pattern.into(),
            last: DEFAULT_ROOM_LAST,
            after: None,
        }
    }
}

impl Room {
    /// Shows the last `n` messages (at most [`MAX_HISTORY_BYTES`](super::MAX_HISTORY_BYTES)
    /// of them).
    ///
    /// ```
    /// let room = nitro::bus::Bus::in_process().room("news").last(20);
    /// # let _ = room;
    /// ```
    pub fn last(mut self, n: usize) -> Room {
        self.last = n;
        self
    }

    /// Where the client's view ends: the sequence the page rendered up to, or a reconnecting
    /// browser's `Last-Event-ID` (prefer it: it is newer). `None` (the default): the stream
    /// sends only what comes next.
    ///
    /// ```
    /// let room = nitro::bus::Bus::in_process().room("news").after(Some(41));
    /// # let _ = room;
    /// ```
    pub fn after(mut self, seen: Option<u64>) -> Room {
        self.after = seen;
        self
    }

    /// The last messages, for the page: render them, and pass
    /// [`History::last_sequence`] to the stream, which continues after it. Fails like
    /// [`Bus::history`].
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let bus = nitro::bus::Bus::in_process().history_messages(100);
    /// bus.publish("news", &1).await.unwrap();
    /// let history = bus.room("news").history().await.unwrap();
    /// assert_eq!((history.total(), history.last_sequence()), (1, Some(1)));
    /// # });
    /// ```
    pub async fn history(&self) -> Result<History, BusError> {
        self.bus.history(&self.pattern, self.last).await
    }

    /// The stream: what the client misses, then live (see [`Room`]). `all` renders the whole
    /// history (sent when the client's view is older than what the bus keeps); `each` renders one
    /// message and its count, its number among the messages the room keeps (the history's
    /// [`total`](History::total) counts those before it), for a "N messages" line. Either may
    /// return `None` to send nothing. Messages published as SSE events are sent as they are.
    /// Each event carries its message's sequence as its id (the whole history: the last
    /// sequence), for `Last-Event-ID`.
    ///
    /// A full re-render because the view was too old is logged and counted
    /// ([`stats`](crate::stats): `resumes_expired`). Fails with [`BusErrorKind`](super::BusErrorKind)
    /// `Subscribe` (503) when the bus cannot subscribe or read the history, `InvalidPattern`
    /// (400) for an invalid pattern.
    ///
    /// ```
    /// use nitro::sse::{Mode, PatchElements, PatchSignals};
    /// use nitro::{html, ids};
    /// ids! { LIST = "list" }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let bus = nitro::bus::Bus::in_process().history_messages(100);
    /// let sse = bus
    ///     .room("news")
    ///     .after(Some(0))
    ///     .into_sse(
    ///         |h| PatchSignals::new(&serde_json::json!({ "count": h.total() })),
    ///         |m, count| PatchElements::at(LIST, Mode::Append, html! { li { (count) } }),
    ///     )
    ///     .await
    ///     .unwrap();
    /// # let _ = sse;
    /// # });
    /// ```
    #[cfg(feature = "axum")]
    #[cfg_attr(docsrs, doc(cfg(feature = "axum")))]
    pub async fn into_sse<A, EA, F, EF>(
        self,
        all: A,
        mut each: F,
    ) -> Result<crate::axum::Sse, BusError>
    where
        A: FnOnce(&History) -> EA,
        EA: MapOutput,
        F: FnMut(&Message, u64) -> EF + Send + 'static,
        EF: MapOutput,
    {
        // Joined first, then the history read: every message after what it read comes live.
        let sub = self.bus.subscribe(self.pattern.as_str()).await?;
        let history = self.bus.history(&self.pattern, self.last).await?;
        let Some(upto) = history.last_sequence() else {
            // No history on this bus: live only, counted from 0.
            let mut count = 0;
            return Ok(sub.into_sse(move |m| {
                count += 1;
                each(m, count)
            }));
        };
        let mut count = history.total();
        let first = match self.after {
            None => bytes::Bytes::new(),
            Some(seen) if history.covers(seen) => {
                let messages = history.messages();
                let before = count - messages.len() as u64;
                let mut first = bytes::BytesMut::new();
                for (i, m) in messages.iter().enumerate() {
                    if m.sequence() > Some(seen) {
                        let n = before + i as u64 + 1;
                        let bytes = super::bridge::bridge(Ok(m.clone()), |m| {
                            each(&m, n).encode_mapped(m.sequence())
                        });
                        first.extend_from_slice(&bytes.unwrap_or_default());
                    }
                }
                first.freeze()
            }
            Some(seen) => {
                // A view older than what the bus keeps: counted and logged.
                super::ring::note_expired(seen, history.horizon());
                all(&history).encode_mapped(Some(upto)).unwrap_or_default()
            }
        };
        let mut sub = sub.skip_upto(upto);
        if !first.is_empty() {
            sub.snapshot = Some(first);
        }
        Ok(sub.into_sse(move |m| {
            count += 1;
            each(m, count)
        }))
    }
}
