//! The event bus: publish to hierarchical topics, subscribe with NATS-style patterns, and turn a
//! subscription into an SSE stream. In-process by default ([`Bus::in_process`]); on a NATS server
//! with the `nats` feature ([`Bus::nats`], [`Bus::nats_jetstream`]), with the same semantics; or
//! chosen at run time from a URL ([`Bus::connect`]), so several processes can share one NATS.
//!
//! - Topics are `.`-separated tokens (`chat.room.42.message`); in patterns `*` matches exactly
//!   one token and `>` one or more trailing tokens.
//! - Each subscription has a bounded queue. **Overflow policy:** when it is full, the queued
//!   events that later queued events supersede are removed first, so a slow subscriber gets
//!   the latest state rather than a gap: of several signal patches ([`Bus::emit`]ted, same
//!   sender, no `onlyIfMissing`) one merged patch (RFC 7386) remains, at the latest one's
//!   place; of several element patches that replace the same whole target (`inner` on the
//!   same `#id`, or `outer`/`replace` of the same top-level ids) the latest remains. Appends,
//!   prepends, removals and scripts are never merged, nor anything across a script. Only if
//!   the queue is still full is the oldest message dropped; the subscriber then receives
//!   `Err(Lagged(n))` (how many were dropped) before the next message. A publisher never
//!   waits for a slow subscriber.
//! - Dropping a [`Subscription`] unsubscribes at once ([`Bus::subscriber_count`]).
//! - Resuming after a reconnect: on `Bus::nats_jetstream` each message has a sequence, the
//!   SSE bridge sends it as the event id, and [`Bus::subscribe_after`] with the browser's
//!   `Last-Event-ID` (`nitro::axum::LastEventId`) delivers everything after it. The
//!   in-process bus and core NATS keep no history ([`Bus::keeps_history`] is false): there a
//!   reconnecting client starts with the next message, and what was published meanwhile is lost.
//!
//! ```
//! use futures_util::StreamExt;
//! use nitro::bus::Bus;
//!
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! let bus = Bus::in_process();
//! let mut room = bus.subscribe("chat.room.1.>").await.unwrap();
//! bus.publish("chat.room.1.message", "alice", &"hi").await.unwrap();
//! let m = room.next().await.unwrap().unwrap();
//! assert_eq!((m.topic(), m.sender()), ("chat.room.1.message", "alice"));
//! assert_eq!(m.payload::<String>().unwrap(), "hi");
//! # });
//! ```

use std::fmt;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;
use futures_util::Stream;
use serde::de::DeserializeOwned;
use serde::Serialize;

mod collapse;
mod memory;
#[cfg(feature = "nats")]
mod nats;
mod queue;
mod topic;
mod url;

pub use topic::{
    token, untoken, IntoPatterns, IntoTopics, Pattern, Topic, MAX_TOPIC_BYTES, MAX_TOPIC_TOKENS,
};

use memory::MemoryBus;
use queue::Queue;

/// The longest sender name, in bytes (UTF-8).
pub const MAX_SENDER_BYTES: usize = 256;

/// Checks a sender name the same way on every backend: 1 to [`MAX_SENDER_BYTES`] bytes, no
/// control characters (so no CR or LF, which cannot travel in a NATS header), no whitespace
/// at either end.
fn check_sender(sender: &str) -> Result<(), BusError> {
    let why = if sender.is_empty() {
        "it is empty"
    } else if sender.len() > MAX_SENDER_BYTES {
        "it is longer than MAX_SENDER_BYTES (256 bytes)"
    } else if sender.chars().any(char::is_control) {
        "it contains a control character (such as CR or LF)"
    } else if sender.trim() != sender {
        "it starts or ends with whitespace"
    } else {
        return Ok(());
    };
    let quoted: String = sender.chars().take(64).collect();
    Err(BusError::new(
        BusErrorKind::InvalidSender,
        format!("invalid sender {quoted:?}: {why}"),
    ))
}

/// The sender [`Bus::send`] publishes on behalf of, unless set with [`Bus::with_sender`].
pub const DEFAULT_SENDER: &str = "server";

/// The default capacity of each subscription's queue.
pub const DEFAULT_QUEUE_CAPACITY: usize = 256;

/// A handle to a bus; clones share it.
#[derive(Clone)]
pub struct Bus {
    backend: Backend,
    capacity: usize,
    /// The sender of [`Bus::send`].
    sender: Arc<str>,
}

#[derive(Clone)]
enum Backend {
    Memory(Arc<MemoryBus>),
    #[cfg(feature = "nats")]
    Nats(Arc<nats::NatsBus>),
}

impl fmt::Debug for Bus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.backend {
            Backend::Memory(_) => "in-process",
            #[cfg(feature = "nats")]
            Backend::Nats(_) => "nats",
        };
        f.debug_struct("Bus")
            .field("backend", &kind)
            .field("queue_capacity", &self.capacity)
            .field("sender", &self.sender)
            .finish()
    }
}

impl Default for Bus {
    fn default() -> Self {
        Bus::in_process()
    }
}

impl Bus {
    /// The bus a URL names, so a deployment chooses it without code changes (the examples
    /// read it from `NITRO_BUS`):
    ///
    /// | URL | bus |
    /// |---|---|
    /// | `""` or `memory:` | [`Bus::in_process`] |
    /// | `nats://host:port` (or `tls://`) | [`Bus::nats`]: core NATS, no history |
    /// | `nats+js://host:port/STREAM?subjects=chat.>,todos.>` (or `tls+js://`) | [`Bus::nats_jetstream`]: the stream `STREAM` keeps every message on those subjects |
    ///
    /// The JetStream form takes `subjects` (required; comma-separated patterns) and
    /// `max_per_subject=N` and `max_messages=N` (optional; the stream then keeps the last N
    /// messages of each topic, and the last N in all, applied when it creates the stream). Credentials go in the authority as usual
    /// (`nats://user:pass@host:4222`).
    ///
    /// Fails with [`BusErrorKind::InvalidUrl`] (saying what is wrong) for any other form, a
    /// bad stream name or pattern, an unknown parameter, or a NATS URL when nitro is built
    /// without the `nats` feature; with [`BusErrorKind::Connect`] when the server cannot be
    /// reached.
    ///
    /// ```
    /// use nitro_runtime::bus::{Bus, BusErrorKind};
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let bus = Bus::connect("memory:").await.unwrap();
    /// assert!(!bus.keeps_history());
    /// let err = Bus::connect("nats+js://127.0.0.1:4222/CHAT").await.unwrap_err();
    /// assert_eq!(err.kind(), BusErrorKind::InvalidUrl);
    /// assert!(err.to_string().contains("no subjects"));
    /// # });
    /// ```
    pub async fn connect(url: &str) -> Result<Bus, BusError> {
        match url::parse(url)? {
            url::Target::Memory => Ok(Bus::in_process()),
            #[cfg(feature = "nats")]
            url::Target::Nats { server } => Bus::nats(&server).await,
            #[cfg(feature = "nats")]
            url::Target::JetStream {
                server,
                stream,
                subjects,
                max_per_subject,
                max_messages,
            } => {
                let subjects: Vec<&str> = subjects.iter().map(String::as_str).collect();
                Ok(Bus {
                    backend: Backend::Nats(Arc::new(
                        nats::NatsBus::connect_jetstream(
                            &server,
                            &stream,
                            &subjects,
                            max_per_subject,
                            max_messages,
                        )
                        .await?,
                    )),
                    capacity: DEFAULT_QUEUE_CAPACITY,
                    sender: Arc::from(DEFAULT_SENDER),
                })
            }
            #[cfg(not(feature = "nats"))]
            url::Target::Nats { .. } | url::Target::JetStream { .. } => Err(BusError::new(
                BusErrorKind::InvalidUrl,
                format!(
                    "bus URL {url:?} needs NATS, but nitro was built without its `nats` feature"
                ),
            )),
        }
    }

    /// An in-process bus (queues of [`DEFAULT_QUEUE_CAPACITY`] messages).
    pub fn in_process() -> Bus {
        Bus::in_process_with_capacity(DEFAULT_QUEUE_CAPACITY)
    }

    /// An in-process bus whose subscriptions queue up to `capacity` messages (at least 1).
    ///
    /// ```
    /// let bus = nitro::bus::Bus::in_process_with_capacity(8);
    /// assert_eq!(bus.subscriber_count(), 0);
    /// ```
    pub fn in_process_with_capacity(capacity: usize) -> Bus {
        Bus {
            backend: Backend::Memory(Arc::default()),
            capacity: capacity.max(1),
            sender: Arc::from(DEFAULT_SENDER),
        }
    }

    /// A bus on a NATS server (`nats://127.0.0.1:4222`). Other processes connected to the same
    /// server and using the same topics see the same messages. Fails with
    /// [`BusErrorKind::Connect`] if the server cannot be reached within 5 seconds.
    ///
    /// **Outages:** when the connection drops, the client reconnects by itself (retrying every
    /// 0.1–1 s) and re-subscribes, so live subscriptions resume; messages published while it
    /// was down are not replayed. Meanwhile [`Bus::publish`] fails at once with
    /// [`BusErrorKind::Publish`] instead of buffering.
    #[cfg(feature = "nats")]
    #[cfg_attr(docsrs, doc(cfg(feature = "nats")))]
    pub async fn nats(url: &str) -> Result<Bus, BusError> {
        Bus::nats_with_capacity(url, DEFAULT_QUEUE_CAPACITY).await
    }

    /// `Bus::nats` with a queue capacity for each subscription.
    #[cfg(feature = "nats")]
    #[cfg_attr(docsrs, doc(cfg(feature = "nats")))]
    pub async fn nats_with_capacity(url: &str, capacity: usize) -> Result<Bus, BusError> {
        Ok(Bus {
            backend: Backend::Nats(Arc::new(nats::NatsBus::connect(url).await?)),
            capacity: capacity.max(1),
            sender: Arc::from(DEFAULT_SENDER),
        })
    }

    /// A bus on NATS JetStream: messages on `subjects` are kept in the stream `stream`
    /// (created if missing), each gets a sequence number, publishing waits for the server's
    /// acknowledgement, and [`Bus::subscribe_after`] resumes a reconnecting client from the
    /// message after the one it saw last. Needs a server started with JetStream (`-js`).
    #[cfg(feature = "nats")]
    #[cfg_attr(docsrs, doc(cfg(feature = "nats")))]
    pub async fn nats_jetstream(
        url: &str,
        stream: &str,
        subjects: &[&str],
    ) -> Result<Bus, BusError> {
        Ok(Bus {
            backend: Backend::Nats(Arc::new(
                nats::NatsBus::connect_jetstream(url, stream, subjects, None, None).await?,
            )),
            capacity: DEFAULT_QUEUE_CAPACITY,
            sender: Arc::from(DEFAULT_SENDER),
        })
    }

    /// Publishes `payload` (serialized as JSON) to `topic` on behalf of `sender`.
    ///
    /// Fails with [`BusErrorKind::InvalidTopic`] for an invalid topic (see [`Topic::new`])
    /// and with [`BusErrorKind::InvalidSender`] for a sender that is empty, longer than
    /// [`MAX_SENDER_BYTES`], has a control character (CR, LF, …) or whitespace at either end.
    ///
    /// ```
    /// use nitro::bus::{Bus, BusErrorKind};
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let bus = Bus::in_process();
    /// assert!(bus.publish("news.today", "editor", &"hello").await.is_ok());
    /// let err = bus.publish("news.today", "a\r\nb", &"x").await.unwrap_err();
    /// assert_eq!(err.kind(), BusErrorKind::InvalidSender);
    /// # });
    /// ```
    pub async fn publish<T: Serialize + ?Sized>(
        &self,
        topic: &str,
        sender: &str,
        payload: &T,
    ) -> Result<(), BusError> {
        let topic = Topic::new(topic)?;
        check_sender(sender)?;
        let payload = serde_json::to_vec(payload).map(Bytes::from).map_err(|e| {
            BusError::with_source(
                BusErrorKind::Serialize,
                "payload could not be serialized",
                e,
            )
        })?;
        self.publish_bytes(topic, sender, payload, false).await
    }

    /// [`Bus::publish`] on behalf of this handle's sender: [`DEFAULT_SENDER`] (`"server"`)
    /// unless set with [`Bus::with_sender`].
    ///
    /// ```
    /// use futures_util::StreamExt;
    /// use nitro::bus::{Bus, DEFAULT_SENDER};
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let bus = Bus::in_process();
    /// let mut sub = bus.subscribe("jobs.>").await.unwrap();
    /// bus.send("jobs.done", &42).await.unwrap();
    /// assert_eq!(sub.next().await.unwrap().unwrap().sender(), DEFAULT_SENDER);
    /// bus.with_sender("worker-1").send("jobs.done", &43).await.unwrap();
    /// assert_eq!(sub.next().await.unwrap().unwrap().sender(), "worker-1");
    /// # });
    /// ```
    pub async fn send<T: Serialize + ?Sized>(
        &self,
        topic: &str,
        payload: &T,
    ) -> Result<(), BusError> {
        self.publish(topic, &self.sender, payload).await
    }

    /// A handle on the same bus whose [`Bus::send`] publishes on behalf of `sender` (checked
    /// when publishing, like every sender).
    pub fn with_sender(&self, sender: impl Into<String>) -> Bus {
        Bus {
            sender: Arc::from(sender.into()),
            ..self.clone()
        }
    }

    /// This handle's sender for [`Bus::send`].
    pub fn sender(&self) -> &str {
        &self.sender
    }

    /// Publishes an SSE event (any [`Event`](crate::sse::Event): `PatchElements::new(..)`,
    /// `PatchSignals::new(..)`, a `Vec` or tuple of them) to one or more topics on behalf of
    /// `sender`. It is encoded once, here; every subscription's SSE bridge
    /// (`Subscription::into_sse` and its variants, `Subscription::into_sse_events`) sends
    /// those bytes as they are, after its sender filters. Every topic is checked before
    /// anything is published; on NATS, a failure part-way leaves the earlier topics published.
    ///
    /// "Broadcast to every topic by default", as the reference docs' helpers do, is a topic
    /// every page's stream also subscribes to: `bus.subscribe([my_topic, "broadcast"])`, then
    /// `bus.emit("broadcast", ..)`.
    ///
    /// ```
    /// use futures_util::StreamExt;
    /// use nitro::bus::Bus;
    /// use nitro::sse::PatchSignals;
    ///
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let bus = Bus::in_process();
    /// let mut sidebar = bus.subscribe("sidebar.>").await.unwrap();
    /// let stats = PatchSignals::new(&serde_json::json!({ "online": 3 }));
    /// bus.emit(["dashboard.metrics", "sidebar.stats"], "system", &stats).await.unwrap();
    /// let m = sidebar.next().await.unwrap().unwrap();
    /// assert!(m.is_event() && m.sender() == "system");
    /// assert_eq!(m.payload_bytes().as_ref(), b"event: datastar-patch-signals\ndata: signals {\"online\":3}\n\n");
    /// # });
    /// ```
    pub async fn emit<E: crate::sse::Event>(
        &self,
        topics: impl IntoTopics,
        sender: &str,
        event: E,
    ) -> Result<(), BusError> {
        let topics = topics.into_topics()?;
        check_sender(sender)?;
        let mut buf = bytes::BytesMut::new();
        event.encode_to(&mut buf).map_err(|e| {
            BusError::with_source(BusErrorKind::Serialize, "event could not be encoded", e)
        })?;
        let bytes = buf.freeze();
        for topic in topics {
            self.publish_bytes(topic, sender, bytes.clone(), true)
                .await?;
        }
        Ok(())
    }

    async fn publish_bytes(
        &self,
        topic: Topic,
        sender: &str,
        payload: Bytes,
        event: bool,
    ) -> Result<(), BusError> {
        match &self.backend {
            Backend::Memory(m) => {
                m.publish(Message::build(
                    topic.into_string(),
                    sender.to_owned(),
                    payload,
                    None,
                    event,
                ));
                Ok(())
            }
            #[cfg(feature = "nats")]
            Backend::Nats(n) => n.publish(&topic, sender, payload, event).await,
        }
    }

    /// Subscribes to one or more patterns (`"chat.>"`, `["a.*", "b.>"]`). A message matching
    /// several of them is delivered once.
    pub async fn subscribe(&self, patterns: impl IntoPatterns) -> Result<Subscription, BusError> {
        self.subscribe_after(patterns, None).await
    }

    /// Does this bus keep history, so [`Bus::subscribe_after`] can resume? True only for
    /// `Bus::nats_jetstream`.
    pub fn keeps_history(&self) -> bool {
        match &self.backend {
            Backend::Memory(_) => false,
            #[cfg(feature = "nats")]
            Backend::Nats(n) => n.keeps_history(),
        }
    }

    /// The last `n` messages on topics matching `pattern` that the bus keeps (oldest first,
    /// each with its [sequence](Message::sequence)), how many it keeps in all, and the
    /// sequence they were read up to. On a bus without history (in process, core NATS) it is
    /// empty, with no sequence.
    ///
    /// Snapshot then live across processes: render `history.messages()`, then
    /// [`Bus::subscribe_after`] with [`History::last_sequence`] delivers exactly what came
    /// after, whichever process published it and whichever process serves the stream.
    ///
    /// It reads the matching messages from the start of the stream (to count them), so its
    /// cost grows with what the stream keeps for `pattern`; bound that with the stream's
    /// limits (`max_per_subject` in [`Bus::connect`]). Fails with
    /// [`BusErrorKind::Subscribe`] if the server does not answer within 5 seconds.
    ///
    /// ```
    /// use nitro_runtime::bus::Bus;
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let bus = Bus::in_process();
    /// bus.send("chat.room.1.message", &"hi").await.unwrap();
    /// let history = bus.history("chat.room.1.>", 50).await.unwrap();
    /// assert!(history.messages().is_empty() && history.total() == 0);
    /// assert_eq!(history.last_sequence(), None); // nothing kept in process
    /// # });
    /// ```
    #[cfg_attr(not(feature = "nats"), allow(unused_variables))]
    pub async fn history(&self, pattern: &str, n: usize) -> Result<History, BusError> {
        let pattern = Pattern::new(pattern)?;
        match &self.backend {
            Backend::Memory(_) => Ok(History::default()),
            #[cfg(feature = "nats")]
            Backend::Nats(b) => b.history(&pattern, n).await,
        }
    }

    /// Subscribes, resuming after the message with sequence `last_seen` (from a reconnecting
    /// browser's `Last-Event-ID`): on a bus that [keeps history](Bus::keeps_history), every
    /// matching message published after it is delivered first. Elsewhere, or with `None`, the
    /// subscription starts with the next message published (nothing is replayed).
    pub async fn subscribe_after(
        &self,
        patterns: impl IntoPatterns,
        last_seen: Option<u64>,
    ) -> Result<Subscription, BusError> {
        let patterns = patterns.into_patterns()?;
        if patterns.is_empty() {
            return Err(BusError::new(
                BusErrorKind::InvalidPattern,
                "no pattern to subscribe to",
            ));
        }
        let queue = Arc::new(Queue::new(self.capacity));
        let guard = match &self.backend {
            Backend::Memory(m) => {
                let _ = last_seen; // no history in process
                let id = m.subscribe(&patterns, queue.clone());
                Guard::Memory {
                    bus: m.clone(),
                    id,
                    patterns,
                }
            }
            #[cfg(feature = "nats")]
            Backend::Nats(n) => n.subscribe(patterns, queue.clone(), last_seen).await?,
        };
        Ok(Subscription {
            queue,
            filter: SenderFilter::Any,
            _guard: guard,
        })
    }

    /// The number of live subscriptions made through this bus handle (and its clones).
    pub fn subscriber_count(&self) -> usize {
        match &self.backend {
            Backend::Memory(m) => m.count(),
            #[cfg(feature = "nats")]
            Backend::Nats(n) => n.count(),
        }
    }

    /// Waits until everything published so far has been handed to the server (NATS); a no-op
    /// in process. Call it before shutting down, or a message still buffered is lost.
    pub async fn flush(&self) -> Result<(), BusError> {
        match &self.backend {
            Backend::Memory(_) => Ok(()),
            #[cfg(feature = "nats")]
            Backend::Nats(n) => n.flush().await,
        }
    }
}

/// What [`Bus::history`] read: the last messages, how many the bus keeps in all, and up to
/// which sequence.
#[derive(Clone, Debug, Default)]
pub struct History {
    messages: Vec<Message>,
    total: u64,
    last_sequence: Option<u64>,
}

impl History {
    #[cfg_attr(not(feature = "nats"), allow(dead_code))]
    pub(crate) fn new(messages: Vec<Message>, total: u64, last_sequence: Option<u64>) -> History {
        History {
            messages,
            total,
            last_sequence,
        }
    }

    /// The last messages, oldest first (at most the `n` asked for).
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let history = nitro_runtime::bus::Bus::in_process().history("a.>", 10).await.unwrap();
    /// assert_eq!(history.messages().len(), 0);
    /// # });
    /// ```
    pub fn messages(&self) -> &[Message] {
        &self.messages
    }

    /// The messages, owned.
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let history = nitro_runtime::bus::Bus::in_process().history("a.>", 10).await.unwrap();
    /// assert!(history.into_messages().is_empty());
    /// # });
    /// ```
    pub fn into_messages(self) -> Vec<Message> {
        self.messages
    }

    /// How many matching messages the bus keeps, up to [`History::last_sequence`] (more than
    /// [`History::messages`] holds when `n` was smaller).
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let history = nitro_runtime::bus::Bus::in_process().history("a.>", 10).await.unwrap();
    /// assert_eq!(history.total(), 0);
    /// # });
    /// ```
    pub fn total(&self) -> u64 {
        self.total
    }

    /// The stream sequence this history was read up to: every matching message up to it is
    /// counted in [`History::total`], none after it. Pass it to [`Bus::subscribe_after`] to
    /// continue with the next one. `None` on a bus without history.
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let history = nitro_runtime::bus::Bus::in_process().history("a.>", 10).await.unwrap();
    /// assert_eq!(history.last_sequence(), None);
    /// # });
    /// ```
    pub fn last_sequence(&self) -> Option<u64> {
        self.last_sequence
    }
}

/// Already-encoded SSE bytes, as an event.
#[cfg(feature = "axum")]
struct Encoded<'a>(&'a Bytes);

#[cfg(feature = "axum")]
impl crate::sse::Event for Encoded<'_> {
    fn encode_to(&self, buf: &mut bytes::BytesMut) -> Result<(), crate::sse::EventError> {
        buf.extend_from_slice(self.0);
        Ok(())
    }
}

/// A message received from the bus. Cheap to clone.
#[derive(Clone)]
pub struct Message(Arc<MessageInner>);

struct MessageInner {
    topic: String,
    sender: String,
    payload: Bytes,
    /// The JetStream stream sequence, when the bus keeps history.
    sequence: Option<u64>,
    /// Published with [`Bus::emit`]: the payload is encoded SSE.
    event: bool,
    /// The SSE bytes of this message as encoded by one `into_sse_shared` mapping (keyed by
    /// that function's address), shared by every subscriber using the same mapping.
    #[cfg(feature = "axum")]
    encoded: std::sync::OnceLock<(usize, Option<Bytes>)>,
    /// How a full queue may collapse it, worked out once for every queue.
    collapse: std::sync::OnceLock<Arc<collapse::Kind>>,
}

impl Message {
    pub(crate) fn build(
        topic: String,
        sender: String,
        payload: Bytes,
        sequence: Option<u64>,
        event: bool,
    ) -> Message {
        Message(Arc::new(MessageInner {
            topic,
            sender,
            payload,
            sequence,
            event,
            #[cfg(feature = "axum")]
            encoded: std::sync::OnceLock::new(),
            collapse: std::sync::OnceLock::new(),
        }))
    }

    /// How a full queue may collapse this message (computed once).
    fn collapse_kind(&self) -> Arc<collapse::Kind> {
        self.0
            .collapse
            .get_or_init(|| Arc::new(collapse::classify(self)))
            .clone()
    }

    /// This message with its event replaced by a signals patch of `signals` (a merge).
    fn with_signals(&self, signals: serde_json::Value) -> Message {
        let m = Message::build(
            self.0.topic.clone(),
            self.0.sender.clone(),
            collapse::signals_event(&signals),
            self.0.sequence,
            true,
        );
        let _ = m.0.collapse.set(Arc::new(collapse::Kind::Signals(signals)));
        m
    }

    /// Was it published with [`Bus::emit`]? Then [`Message::payload_bytes`] is an encoded SSE
    /// event, which the SSE bridges forward as is.
    pub fn is_event(&self) -> bool {
        self.0.event
    }

    /// The SSE bytes of an emitted event, with the message's sequence as its id.
    #[cfg(feature = "axum")]
    fn event_bytes(&self) -> Option<Bytes> {
        crate::sse::encode_logged(&Encoded(&self.0.payload), self.0.sequence, "bus SSE bridge")
    }

    /// The bytes `encode` produces for this message, computed once per message for `key`.
    #[cfg(feature = "axum")]
    fn encoded_once(&self, key: usize, encode: impl FnOnce() -> Option<Bytes>) -> Option<Bytes> {
        let mut encode = Some(encode);
        let (k, bytes) = self
            .0
            .encoded
            .get_or_init(|| (key, (encode.take().expect("first use"))()));
        match (*k == key, encode) {
            (true, _) => bytes.clone(),
            // Another mapping got the slot first: encode for this one without caching.
            (false, Some(encode)) => encode(),
            (false, None) => None,
        }
    }

    /// Its position in the bus's history (JetStream's stream sequence), if the bus keeps one.
    /// The SSE bridge sends it as the event id, so a reconnecting browser's `Last-Event-ID`
    /// says where to resume.
    pub fn sequence(&self) -> Option<u64> {
        self.0.sequence
    }

    /// The topic it was published to.
    pub fn topic(&self) -> &str {
        &self.0.topic
    }

    /// Who published it.
    pub fn sender(&self) -> &str {
        &self.0.sender
    }

    /// The payload's JSON bytes.
    pub fn payload_bytes(&self) -> &Bytes {
        &self.0.payload
    }

    /// The payload, deserialized.
    pub fn payload<T: DeserializeOwned>(&self) -> Result<T, BusError> {
        serde_json::from_slice(&self.0.payload).map_err(|e| {
            BusError::with_source(
                BusErrorKind::Deserialize,
                format!("payload of a message on {}", self.topic()),
                e,
            )
        })
    }
}

impl fmt::Debug for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Message")
            .field("topic", &self.0.topic)
            .field("sender", &self.0.sender)
            .field("payload", &String::from_utf8_lossy(&self.0.payload))
            .finish()
    }
}

/// The subscriber was too slow: this many messages were dropped from its queue (the oldest
/// ones) since it last received.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Lagged(pub u64);

impl fmt::Display for Lagged {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "subscriber lagged: {} messages dropped", self.0)
    }
}

impl std::error::Error for Lagged {}

enum SenderFilter {
    Any,
    Only(String),
    Except(String),
}

/// A live subscription: a `Stream` of `Result<Message, Lagged>`. Dropping it unsubscribes.
pub struct Subscription {
    queue: Arc<Queue>,
    filter: SenderFilter,
    _guard: Guard,
}

enum Guard {
    Memory {
        bus: Arc<MemoryBus>,
        id: u64,
        patterns: Vec<Pattern>,
    },
    #[cfg(feature = "nats")]
    Nats {
        _unsubscribe_on_drop: nats::NatsGuard,
    },
}

impl Drop for Guard {
    fn drop(&mut self) {
        match self {
            Guard::Memory { bus, id, patterns } => bus.unsubscribe(patterns, *id),
            #[cfg(feature = "nats")]
            Guard::Nats { .. } => {} // its own Drop unsubscribes
        }
    }
}

impl Subscription {
    /// Only receives messages published by `sender`.
    pub fn only_sender(mut self, sender: impl Into<String>) -> Self {
        self.filter = SenderFilter::Only(sender.into());
        self
    }

    /// Skips messages published by `sender` (e.g. your own).
    pub fn except_sender(mut self, sender: impl Into<String>) -> Self {
        self.filter = SenderFilter::Except(sender.into());
        self
    }

    /// Turns the subscription into an SSE response: each message becomes the event(s) `map`
    /// returns (any [`Event`](crate::sse::Event), an `Option` of one or a `Vec`). Lagged
    /// notices are skipped. When the client disconnects, the subscription is dropped.
    ///
    /// ```no_run
    /// use axum::extract::{Path, State};
    /// use nitro::axum::Sse;
    /// use nitro::bus::{Bus, BusError};
    /// use nitro::sse::{Mode, PatchElements, PatchSignals};
    /// use nitro::{ids, Render};
    ///
    /// ids! { MESSAGES = "messages" }
    ///
    /// async fn room(Path(room): Path<u32>, State(bus): State<Bus>) -> Result<Sse, BusError> {
    ///     Ok(bus.subscribe(format!("chat.room.{room}.>")).await?.into_sse(|m| {
    ///         let text: String = m.payload().unwrap_or_default();
    ///         PatchElements::at(MESSAGES, Mode::Append, text)
    ///     }))
    /// }
    /// ```
    #[cfg(feature = "axum")]
    #[cfg_attr(docsrs, doc(cfg(feature = "axum")))]
    pub fn into_sse<F, E>(self, mut map: F) -> crate::axum::Sse
    where
        F: FnMut(Message) -> E + Send + 'static,
        E: crate::sse::Event + Send + 'static,
    {
        use futures_util::StreamExt;
        crate::axum::Sse::from_bytes(self.filter_map(move |item| {
            std::future::ready(bridge(item, |m| {
                let sequence = m.sequence();
                crate::sse::encode_logged(&map(m), sequence, "Subscription::into_sse")
            }))
        }))
    }

    /// An SSE response forwarding the events published with [`Bus::emit`] as they are (after
    /// the sender filters); other messages are skipped.
    ///
    /// ```no_run
    /// use axum::extract::State;
    /// use nitro::axum::Sse;
    /// use nitro::bus::{Bus, BusError};
    ///
    /// async fn dashboard(State(bus): State<Bus>) -> Result<Sse, BusError> {
    ///     Ok(bus.subscribe(["dashboard.>", "broadcast"]).await?.into_sse_events())
    /// }
    /// ```
    #[cfg(feature = "axum")]
    #[cfg_attr(docsrs, doc(cfg(feature = "axum")))]
    pub fn into_sse_events(self) -> crate::axum::Sse {
        use futures_util::StreamExt;
        crate::axum::Sse::from_bytes(
            self.filter_map(|item| std::future::ready(bridge(item, |_| None))),
        )
    }

    /// Snapshot then live: an SSE response whose first event(s) are `initial`, the current
    /// state, followed by the live messages mapped by `map`, with no gap and no duplicate.
    ///
    /// The page shape "render the current state, then `data-init=\"@get('/stream')\"`
    /// subscribes" loses what is published between the render and the subscription. Instead:
    ///
    /// 1. subscribe (messages are queued from now on);
    /// 2. then read the current state and build `initial` from it (it re-sends what the page
    ///    has, and everything published since);
    /// 3. in `map`, return `None` for messages the snapshot already covers (published after
    ///    step 1 but already in the state of step 2): compare a version or id the state and
    ///    the message both carry.
    ///
    /// Every message is then either in the snapshot or forwarded, and none twice. On a bus that
    /// [keeps history](Bus::keeps_history), a reconnecting browser can instead resume with
    /// [`Bus::subscribe_after`] and its `Last-Event-ID`, and `initial` can be `None`.
    ///
    /// ```no_run
    /// use std::sync::{Arc, Mutex};
    /// use axum::extract::State;
    /// use nitro::axum::Sse;
    /// use nitro::bus::{Bus, BusError};
    /// use nitro::sse::{Events, Mode, PatchElements};
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
    ///     Ok(sub.into_sse_with(PatchElements::new(PreEscaped(html)), move |m| {
    ///         match m.payload::<(u64, String)>() {
    ///             // 3. skip what the snapshot covered
    ///             Ok((id, line)) if id > last => Events::new()
    ///                 .with(PatchElements::at(LOG, Mode::Append, PreEscaped(format!("<li>{line}</li>")))),
    ///             _ => Events::new(),
    ///         }
    ///     }))
    /// }
    /// ```
    #[cfg(feature = "axum")]
    #[cfg_attr(docsrs, doc(cfg(feature = "axum")))]
    pub fn into_sse_with<I, F, E>(self, initial: I, mut map: F) -> crate::axum::Sse
    where
        I: crate::sse::Event,
        F: FnMut(Message) -> E + Send + 'static,
        E: crate::sse::Event + Send + 'static,
    {
        use futures_util::StreamExt;
        let first = crate::sse::encode_logged(&initial, None, "Subscription::into_sse_with");
        let live = self.filter_map(move |item| {
            std::future::ready(bridge(item, |m| {
                let sequence = m.sequence();
                crate::sse::encode_logged(&map(m), sequence, "Subscription::into_sse_with")
            }))
        });
        crate::axum::Sse::from_bytes(futures_util::stream::iter(first).chain(live))
    }

    /// Like `Subscription::into_sse`, for a mapping that depends on the message alone (a
    /// plain `fn` or a closure that captures nothing): each message is then encoded once, by
    /// the first subscriber that needs it, and the bytes are shared by every subscriber using
    /// the same function. With 10,000 subscribers, one render instead of 10,000.
    ///
    /// ```no_run
    /// use axum::extract::State;
    /// use nitro::axum::Sse;
    /// use nitro::bus::{Bus, BusError};
    /// use nitro::sse::{Mode, PatchElements, PatchSignals};
    /// use nitro::ids;
    ///
    /// ids! { FEED = "feed" }
    ///
    /// async fn feed(State(bus): State<Bus>) -> Result<Sse, BusError> {
    ///     Ok(bus.subscribe("news.>").await?.into_sse_shared(|m| {
    ///         let text: String = m.payload().unwrap_or_default();
    ///         PatchElements::at(FEED, Mode::Append, text)
    ///     }))
    /// }
    /// ```
    #[cfg(feature = "axum")]
    #[cfg_attr(docsrs, doc(cfg(feature = "axum")))]
    pub fn into_sse_shared<E>(self, map: fn(&Message) -> E) -> crate::axum::Sse
    where
        E: crate::sse::Event + 'static,
    {
        use futures_util::StreamExt;
        let key = map as usize;
        crate::axum::Sse::from_bytes(self.filter_map(move |item| {
            std::future::ready(bridge(item, |m| {
                m.encoded_once(key, || {
                    crate::sse::encode_logged(
                        &map(&m),
                        m.sequence(),
                        "Subscription::into_sse_shared",
                    )
                })
            }))
        }))
    }
}

/// One item of a subscription, as an SSE bridge sends it: an emitted event as is, another
/// message through `encode`; a lag is logged and counted, and the stream goes on.
#[cfg(feature = "axum")]
fn bridge(
    item: Result<Message, Lagged>,
    encode: impl FnOnce(Message) -> Option<Bytes>,
) -> Option<Bytes> {
    match item {
        Ok(m) if m.is_event() => m.event_bytes(),
        Ok(m) => encode(m),
        Err(Lagged(n)) => {
            crate::stats::lagged(n);
            None
        }
    }
}

impl Stream for Subscription {
    type Item = Result<Message, Lagged>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            match this.queue.poll_next(cx) {
                Poll::Ready(Some(Ok(m))) => {
                    let keep = match &this.filter {
                        SenderFilter::Any => true,
                        SenderFilter::Only(s) => m.sender() == s,
                        SenderFilter::Except(s) => m.sender() != s,
                    };
                    if keep {
                        return Poll::Ready(Some(Ok(m)));
                    }
                }
                other => return other,
            }
        }
    }
}

impl fmt::Debug for Subscription {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Subscription").finish_non_exhaustive()
    }
}

/// A bus error: a [`BusErrorKind`] to match on, a message, and the underlying cause, if any,
/// as its `source()`.
#[derive(Debug)]
pub struct BusError {
    kind: BusErrorKind,
    message: String,
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

/// What went wrong on the bus.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum BusErrorKind {
    /// A topic is not valid (empty token, whitespace, wildcard, longer than
    /// [`MAX_TOPIC_BYTES`] or [`MAX_TOPIC_TOKENS`]).
    InvalidTopic,
    /// A pattern is not valid (`>` not last, wildcard inside a token, too long, …).
    InvalidPattern,
    /// A sender name is not valid (empty, too long, control characters, surrounding
    /// whitespace; see [`Bus::publish`]).
    InvalidSender,
    /// The payload could not be serialized.
    Serialize,
    /// A payload could not be deserialized into the requested type.
    Deserialize,
    /// The NATS server could not be reached.
    Connect,
    /// The NATS server refused or could not take a publish.
    Publish,
    /// The NATS server refused a subscription, or a history read failed.
    Subscribe,
    /// A bus URL is not valid ([`Bus::connect`]).
    InvalidUrl,
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
    /// 400 for invalid topics, patterns and senders, 503 when the bus is unreachable, 500 otherwise.
    fn into_response(self) -> axum::response::Response {
        let status = match self.kind {
            BusErrorKind::InvalidTopic
            | BusErrorKind::InvalidPattern
            | BusErrorKind::InvalidSender => http::StatusCode::BAD_REQUEST,
            BusErrorKind::Connect | BusErrorKind::Publish | BusErrorKind::Subscribe => {
                http::StatusCode::SERVICE_UNAVAILABLE
            }
            _ => http::StatusCode::INTERNAL_SERVER_ERROR,
        };
        (status, self.to_string()).into_response()
    }
}
