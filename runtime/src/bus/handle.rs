//! The bus handle: [`Bus`], its constructors, the one publish verb ([`Bus::publish`], a
//! [`Publish`] to await), subscriptions and history reads.

use std::fmt;
use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::sync::Arc;

use bytes::Bytes;

use super::memory::MemoryBus;
use super::message::{check_id, check_sender};
#[cfg(feature = "nats")]
use super::nats;
use super::queue::Queue;
use super::subscription::Guard;
use super::{
    url, BusError, BusErrorKind, History, IntoPatterns, IntoTopics, Pattern, Payload, Subscription,
    Topic, DEFAULT_SENDER,
};

/// The default capacity of each subscription's queue, in messages ([`Bus::queue_messages`]).
pub const DEFAULT_QUEUE_CAPACITY: usize = 256;

/// The default bound of each subscription's queue, in bytes ([`Bus::queue_bytes`]): 1 MiB.
pub const DEFAULT_QUEUE_BYTES: usize = 1 << 20;

/// The default byte bound of the in-process history once it is on
/// ([`Bus::history_messages`]): 16 MiB for all topics together.
pub const DEFAULT_HISTORY_BYTES: usize = 16 << 20;

/// A handle to a bus; clones share it.
///
/// ```
/// use futures_util::StreamExt;
/// use nitro::bus::Bus;
///
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let bus = Bus::in_process(); // or Bus::nats(..) / Bus::nats_jetstream(..) across processes
/// let mut todos = bus.subscribe("todos.>").await.unwrap();
/// bus.publish("todos.added", &42).await.unwrap();
/// assert_eq!(todos.next().await.unwrap().unwrap().payload::<u32>().unwrap(), 42);
/// assert_eq!(bus.subscriber_count(), 1);
/// # });
/// ```
#[derive(Clone)]
pub struct Bus {
    backend: Backend,
    capacity: usize,
    /// The byte bound of each subscription's queue.
    bytes: usize,
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
            .field("queue_bytes", &self.bytes)
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
    /// messages of each topic, and the last N in all, applied when it creates the stream), and
    /// `replicas=N` (1 to 5; default: the size of the server's cluster, at most 3, see
    /// [`ConnectJetStream::replicas`]). Credentials go in the authority as usual
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
                replicas,
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
                            replicas,
                        )
                        .await?,
                    )),
                    capacity: DEFAULT_QUEUE_CAPACITY,
                    bytes: DEFAULT_QUEUE_BYTES,
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

    /// An in-process bus (queues of [`DEFAULT_QUEUE_CAPACITY`] messages and
    /// [`DEFAULT_QUEUE_BYTES`]; see [`Bus::queue_messages`], [`Bus::queue_bytes`]).
    ///
    /// ```
    /// let bus = nitro::bus::Bus::in_process();
    /// assert_eq!(bus.subscriber_count(), 0);
    /// ```
    pub fn in_process() -> Bus {
        Bus {
            backend: Backend::Memory(Arc::default()),
            capacity: DEFAULT_QUEUE_CAPACITY,
            bytes: DEFAULT_QUEUE_BYTES,
        }
    }

    /// This handle (sharing its bus) with subscriptions made through it queueing at most
    /// `messages` messages (at least 1; default [`DEFAULT_QUEUE_CAPACITY`]).
    ///
    /// A subscriber that does not keep up first has its queued events collapsed (see the
    /// module docs), then loses its oldest messages: it receives `Err(Lagged(n))`, the SSE
    /// bridge goes on with the next one, and each such lag is logged (a WARN when it starts,
    /// one with `lost=N` when the subscriber reads again or leaves) and counted
    /// ([`stats`](crate::stats): `subscribers_lagged`, `messages_lagged`).
    ///
    /// ```
    /// let bus = nitro::bus::Bus::in_process().queue_messages(8);
    /// assert_eq!(bus.subscriber_count(), 0);
    /// ```
    pub fn queue_messages(mut self, messages: usize) -> Bus {
        self.capacity = messages.max(1);
        self
    }

    /// This handle (sharing its bus) with subscriptions made through it holding at most
    /// `bytes` of messages (default [`DEFAULT_QUEUE_BYTES`], 1 MiB; a message is charged its
    /// payload, topic and sender plus 128 bytes). A message larger than the bound on its own
    /// is still delivered, alone: the queue then holds just it. The bytes of a message are
    /// shared by every subscriber of the process (on NATS too), so this bounds what one stalled
    /// client keeps alive, whatever the size of the messages.
    ///
    /// ```
    /// let bus = nitro::bus::Bus::in_process().queue_bytes(64 * 1024);
    /// assert_eq!(bus.subscriber_count(), 0);
    /// ```
    pub fn queue_bytes(mut self, bytes: usize) -> Bus {
        self.bytes = bytes;
        self
    }

    /// Turns on the in-process bus's history (off by default): each topic keeps its last
    /// `messages` messages, numbered by one sequence for the whole bus, so
    /// [`Bus::history`], [`Bus::subscribe_after`] and [`Bus::room`] work in process as on
    /// JetStream: a browser that reconnects after a network blip resumes after its
    /// `Last-Event-ID`, with nothing lost and nothing twice, as long as the history still
    /// reaches back to it. All topics together keep at most [`DEFAULT_HISTORY_BYTES`]
    /// ([`Bus::history_bytes`]), the oldest message of the bus going first, so topics named by
    /// strangers cannot make it grow without bound. A resume from before what is kept fails
    /// with [`BusErrorKind::Expired`] (`Bus::room` renders the room in full instead). `0`
    /// turns it off. It applies to the bus (every handle sharing it); on NATS it does nothing
    /// (JetStream's stream keeps the history there).
    ///
    /// With history on, a publish is numbered and delivered under one lock, so every
    /// subscriber receives messages in sequence order.
    ///
    /// ```
    /// use futures_util::StreamExt;
    /// use nitro::bus::Bus;
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let bus = Bus::in_process().history_messages(100);
    /// assert!(bus.keeps_history());
    /// bus.publish("chat.room.1", &"one").await.unwrap();
    /// bus.publish("chat.room.1", &"two").await.unwrap();
    /// // A browser that saw "one" (its Last-Event-ID) comes back: it gets "two", then live.
    /// let one = bus.history("chat.room.1", 10).await.unwrap().messages()[0].sequence();
    /// let mut sub = bus.subscribe_after("chat.room.1", one).await.unwrap();
    /// assert_eq!(sub.next().await.unwrap().unwrap().payload::<String>().unwrap(), "two");
    /// # });
    /// ```
    pub fn history_messages(self, messages: usize) -> Bus {
        match &self.backend {
            Backend::Memory(m) => m.set_history(Some(messages), None),
            #[cfg(feature = "nats")]
            Backend::Nats(_) => {}
        }
        self
    }

    /// The byte bound of the in-process history, for all topics together (default
    /// [`DEFAULT_HISTORY_BYTES`]; a message is charged as a queue charges it, a topic its name
    /// plus 128 bytes). See [`Bus::history_messages`].
    ///
    /// ```
    /// let bus = nitro::bus::Bus::in_process().history_messages(1000).history_bytes(1 << 20);
    /// assert!(bus.keeps_history());
    /// ```
    pub fn history_bytes(self, bytes: usize) -> Bus {
        match &self.backend {
            Backend::Memory(m) => m.set_history(None, Some(bytes)),
            #[cfg(feature = "nats")]
            Backend::Nats(_) => {}
        }
        self
    }

    /// A bus on a NATS server (`nats://127.0.0.1:4222`). Other processes connected to the same
    /// server and using the same topics see the same messages. Fails with
    /// [`BusErrorKind::Connect`] if the server cannot be reached within 5 seconds.
    ///
    /// **Outages:** when the connection drops, the client reconnects by itself (retrying every
    /// 0.1–1 s) and re-subscribes, so live subscriptions resume; messages published while it
    /// was down are not replayed. Meanwhile [`Bus::publish`] fails at once with
    /// [`BusErrorKind::Publish`] instead of buffering.
    ///
    /// **One NATS subscription per pattern:** the subscriptions made through this handle and
    /// its clones to the same pattern share one NATS subscription (on JetStream, one ordered
    /// consumer), held while any of them lives. NATS delivers a message once per handle, which
    /// decodes it once and fans it out to its subscribers' queues; a new subscription on a
    /// pattern already held costs no NATS round trip. Use one handle per process.
    #[cfg(feature = "nats")]
    #[cfg_attr(docsrs, doc(cfg(feature = "nats")))]
    pub async fn nats(url: &str) -> Result<Bus, BusError> {
        Ok(Bus {
            backend: Backend::Nats(Arc::new(nats::NatsBus::connect(url).await?)),
            capacity: DEFAULT_QUEUE_CAPACITY,
            bytes: DEFAULT_QUEUE_BYTES,
        })
    }

    /// A bus on NATS JetStream: messages on `subjects` are kept in the stream `stream`
    /// (created if missing), each gets a sequence number, publishing waits for the server's
    /// acknowledgement, and [`Bus::subscribe_after`] resumes a reconnecting client from the
    /// message after the one it saw last. Needs a server started with JetStream (`-js`).
    /// Await the returned [`ConnectJetStream`]; its options are methods
    /// ([`ConnectJetStream::replicas`]).
    #[cfg(feature = "nats")]
    #[cfg_attr(docsrs, doc(cfg(feature = "nats")))]
    pub fn nats_jetstream<'a>(
        url: &'a str,
        stream: &'a str,
        subjects: &'a [&'a str],
    ) -> ConnectJetStream<'a> {
        ConnectJetStream {
            url,
            stream,
            subjects,
            replicas: None,
        }
    }

    /// Publishes `payload` to one or more topics (`"a.b"`, `["a.b", "c.d"]`), on behalf of
    /// [`DEFAULT_SENDER`] unless [`Publish::sender`] names another; await the returned
    /// [`Publish`]. The payload is a reference to a `Serialize` value (sent as JSON) or an SSE
    /// event, encoded once here and forwarded as is by every subscriber's SSE bridge (see
    /// [`Payload`]).
    ///
    /// Every topic and the sender are checked before anything is published: fails with
    /// [`BusErrorKind::InvalidTopic`] for an invalid topic (see [`Topic::new`]) and
    /// [`BusErrorKind::InvalidSender`] for an invalid sender. On NATS, a failure part-way
    /// through several topics leaves the earlier ones published.
    ///
    /// "Broadcast to every page", as the reference docs' helpers do, is a topic every page's
    /// stream also subscribes to: `bus.subscribe([my_topic, "broadcast"])`, then
    /// `bus.publish("broadcast", event)`.
    ///
    /// ```
    /// use futures_util::StreamExt;
    /// use nitro::bus::{Bus, BusErrorKind, DEFAULT_SENDER};
    /// use nitro::sse::PatchSignals;
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let bus = Bus::in_process();
    /// let mut room = bus.subscribe("chat.room.1.>").await.unwrap();
    /// bus.publish("chat.room.1.message", &"hi").sender("alice").await.unwrap();
    /// let m = room.next().await.unwrap().unwrap();
    /// assert_eq!((m.topic(), m.sender()), ("chat.room.1.message", "alice"));
    /// assert_eq!(m.payload::<String>().unwrap(), "hi");
    ///
    /// let stats = PatchSignals::new(&serde_json::json!({ "online": 3 }));
    /// bus.publish(["dashboard.metrics", "chat.room.1.stats"], stats).await.unwrap();
    /// let m = room.next().await.unwrap().unwrap();
    /// assert!(m.is_event() && m.sender() == DEFAULT_SENDER);
    /// assert_eq!(m.payload_bytes().as_ref(), b"event: datastar-patch-signals\ndata: signals {\"online\":3}\n\n");
    ///
    /// let err = bus.publish("news.today", &"x").sender("a\r\nb").await.unwrap_err();
    /// assert_eq!(err.kind(), BusErrorKind::InvalidSender);
    /// # });
    /// ```
    pub fn publish(&self, topics: impl IntoTopics, payload: impl Payload) -> Publish<'_> {
        Publish {
            bus: self,
            topics: topics.into_topics(),
            payload: payload.into_payload(),
            sender: DEFAULT_SENDER,
            id: None,
        }
    }

    #[cfg_attr(not(feature = "nats"), allow(unused_variables))]
    async fn publish_bytes(
        &self,
        topic: Topic,
        sender: &str,
        payload: Bytes,
        event: bool,
        id: Option<&str>,
    ) -> Result<(), BusError> {
        match &self.backend {
            Backend::Memory(m) => {
                m.publish_new(topic.into_string(), sender.to_owned(), payload, event);
                Ok(())
            }
            #[cfg(feature = "nats")]
            Backend::Nats(n) => n.publish(&topic, sender, payload, event, id).await,
        }
    }

    /// Subscribes to one or more patterns (`"chat.>"`, `["a.*", "b.>"]`). A message matching
    /// several of them is delivered once.
    pub async fn subscribe(&self, patterns: impl IntoPatterns) -> Result<Subscription, BusError> {
        self.subscribe_after(patterns, None).await
    }

    /// The NATS client under this bus, for what travels on core NATS beside it (presence).
    #[cfg(feature = "nats")]
    pub(crate) fn nats_client(&self) -> Option<async_nats::Client> {
        match &self.backend {
            Backend::Memory(_) => None,
            Backend::Nats(n) => Some(n.client()),
        }
    }

    /// Does this bus keep history, so [`Bus::subscribe_after`] can resume? True for
    /// `Bus::nats_jetstream` and for an in-process bus with [`Bus::history_messages`].
    pub fn keeps_history(&self) -> bool {
        match &self.backend {
            Backend::Memory(m) => m.keeps_history(),
            #[cfg(feature = "nats")]
            Backend::Nats(n) => n.keeps_history(),
        }
    }

    /// The last `n` messages on topics matching `pattern` that the bus keeps (oldest first,
    /// each with its [sequence](super::Message::sequence)), how many it keeps in all, and the
    /// sequence they were read up to. On a bus without history (core NATS, in process unless
    /// [`Bus::history_messages`] turned it on) it is empty, with no sequence.
    ///
    /// Snapshot then live across processes: render `history.messages()`, then
    /// [`Bus::subscribe_after`] with [`History::last_sequence`] delivers exactly what came
    /// after, whichever process published it and whichever process serves the stream.
    ///
    /// It reads the matching messages from the start of the stream (to count them), so its
    /// cost grows with what the stream keeps for `pattern`; bound that with the stream's
    /// limits (`max_per_subject` in [`Bus::connect`]). It pulls them in batches of at most 64
    /// messages and 1 MiB, so a room of large messages cannot make NATS drop the connection as
    /// a slow consumer, and keeps at most [`MAX_HISTORY_BYTES`](super::MAX_HISTORY_BYTES) of
    /// them (fewer than `n` messages then). Fails with
    /// [`BusErrorKind::Subscribe`] if the server does not answer within 5 seconds.
    ///
    /// ```
    /// use nitro_runtime::bus::Bus;
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let bus = Bus::in_process();
    /// bus.publish("chat.room.1.message", &"hi").await.unwrap();
    /// let history = bus.history("chat.room.1.>", 50).await.unwrap();
    /// assert!(history.messages().is_empty() && history.total() == 0);
    /// assert_eq!(history.last_sequence(), None); // nothing kept in process
    /// # });
    /// ```
    #[cfg_attr(not(feature = "nats"), allow(unused_variables))]
    pub async fn history(&self, pattern: &str, n: usize) -> Result<History, BusError> {
        let pattern = Pattern::new(pattern)?;
        match &self.backend {
            Backend::Memory(m) => Ok(m.history(&pattern, n)),
            #[cfg(feature = "nats")]
            Backend::Nats(b) => b.history(&pattern, n).await,
        }
    }

    /// Subscribes, resuming after the message with sequence `last_seen` (from a reconnecting
    /// browser's `Last-Event-ID`): on a bus that [keeps history](Bus::keeps_history), every
    /// matching message published after it is delivered first, then the live ones, with no gap
    /// and nothing twice. Elsewhere, or with `None`, the subscription starts with the next
    /// message published (nothing is replayed).
    ///
    /// **How:** it joins the process's shared live feed of the patterns (on NATS, the one
    /// subscription or JetStream consumer per pattern per process), then reads what it missed
    /// in one batched read (JetStream: a pull consumer deleted when done; in process: the
    /// history) up to the bus's last sequence, and drops the live messages up to that
    /// sequence. So many browsers resuming cost no JetStream consumer each. What it missed is
    /// bounded by its queue ([`Bus::queue_messages`], [`Bus::queue_bytes`]): when it missed
    /// more, it receives the newest of them after `Err(Lagged(n))`.
    ///
    /// Fails with [`BusErrorKind::Expired`] (410) when the history no longer reaches back to
    /// `last_seen` (a long disconnect; on JetStream, `last_seen` is before the stream's first
    /// message): the client needs the current state in full. [`Bus::room`] sends it instead.
    /// A `last_seen` beyond the last sequence (a forged header, a recreated stream) resumes
    /// with the next message.
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
        let queue = Arc::new(Queue::new(self.capacity, self.bytes));
        // Joined first: from now on every message is delivered to it; the read after it then
        // covers everything before.
        let (guard, missed) = match &self.backend {
            Backend::Memory(m) => {
                let id = m.subscribe(&patterns, queue.clone());
                let guard = Guard::Memory {
                    bus: m.clone(),
                    id,
                    patterns: patterns.clone(),
                };
                let missed = match last_seen {
                    Some(seen) => m.missed(&patterns, seen, self.capacity, self.bytes)?,
                    None => None,
                };
                (guard, missed)
            }
            #[cfg(feature = "nats")]
            Backend::Nats(n) => {
                let guard = n.subscribe(patterns.clone(), queue.clone()).await?;
                let missed = match last_seen {
                    Some(seen) => n.missed(&patterns, seen, self.capacity, self.bytes).await?,
                    None => None,
                };
                (guard, missed)
            }
        };
        let sub = Subscription::new(queue, guard);
        Ok(match missed {
            Some(missed) => sub.resume(missed),
            None => sub,
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

/// A publish to await, from [`Bus::publish`]; its options are methods.
///
/// ```
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let bus = nitro::bus::Bus::in_process();
/// bus.publish("jobs.done", &42).sender("worker-1").await.unwrap();
/// # });
/// ```
#[must_use = "a publish does nothing unless awaited"]
pub struct Publish<'a> {
    bus: &'a Bus,
    topics: Result<Vec<Topic>, BusError>,
    payload: Result<(Bytes, bool), BusError>,
    sender: &'a str,
    id: Option<&'a str>,
}

impl<'a> Publish<'a> {
    /// Publishes on behalf of `sender` (instead of [`DEFAULT_SENDER`]): 1 to
    /// [`MAX_SENDER_BYTES`](super::MAX_SENDER_BYTES) bytes, no control character (CR, LF, …),
    /// no whitespace at either end. Subscribers filter on it
    /// ([`Subscription::except_sender`]).
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let bus = nitro::bus::Bus::in_process();
    /// assert!(bus.publish("a", &1).sender("").await.is_err());
    /// # });
    /// ```
    pub fn sender(mut self, sender: &'a str) -> Self {
        self.sender = sender;
        self
    }
}

impl<'a> Publish<'a> {
    /// An idempotency key for this publish (for example a form's hidden id, sent again when
    /// the user retries): on JetStream, publishes with the same key (and topic) within the
    /// stream's duplicate window (2 minutes by default) are stored once, so a client that
    /// retries after an uncertain failure ([`BusErrorKind::Unconfirmed`]) creates no
    /// duplicate. Without it, each publish gets an id of its own (still deduplicated when nitro
    /// itself resends after an acknowledgement timeout). Subscribers on core NATS also receive
    /// a key's message once per process.
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let bus = nitro::bus::Bus::in_process();
    /// bus.publish("chat.room.1", &"hi").id("msg-7f3a").await.unwrap();
    /// # });
    /// ```
    pub fn id(mut self, key: &'a str) -> Self {
        self.id = Some(key);
        self
    }
}

impl<'a> IntoFuture for Publish<'a> {
    type Output = Result<(), BusError>;
    type IntoFuture = Pin<Box<dyn Future<Output = Result<(), BusError>> + Send + 'a>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move {
            let topics = self.topics?;
            check_sender(self.sender)?;
            if let Some(id) = self.id {
                check_id(id)?;
            }
            let (payload, event) = self.payload?;
            for topic in topics {
                self.bus
                    .publish_bytes(topic, self.sender, payload.clone(), event, self.id)
                    .await?;
            }
            Ok(())
        })
    }
}

impl fmt::Debug for Publish<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Publish")
            .field("sender", &self.sender)
            .finish_non_exhaustive()
    }
}

/// A JetStream bus to connect, from [`Bus::nats_jetstream`]: await it; its options are methods.
///
/// ```no_run
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let bus = nitro::bus::Bus::nats_jetstream("nats://127.0.0.1:4222", "CHAT", &["chat.>"])
///     .replicas(3)
///     .await
///     .unwrap();
/// assert!(bus.keeps_history());
/// # });
/// ```
#[cfg(feature = "nats")]
#[cfg_attr(docsrs, doc(cfg(feature = "nats")))]
#[must_use = "connects nothing unless awaited"]
pub struct ConnectJetStream<'a> {
    url: &'a str,
    stream: &'a str,
    subjects: &'a [&'a str],
    replicas: Option<usize>,
}

#[cfg(feature = "nats")]
impl ConnectJetStream<'_> {
    /// How many servers keep a copy of the stream, when nitro creates it (or recreates it after
    /// NATS lost it): 1 to 5 (clamped). With 3 in a 3-node cluster, losing any one node leaves
    /// sending, history and resuming working on every process (after a few seconds while NATS
    /// elects a new leader for the stream).
    ///
    /// **Default:** the size of the cluster of the server nitro connects to, at most 3 (1 for a
    /// server on its own). nitro learns it from the server: NATS tells each client the client
    /// URLs of every server of its cluster (`connect_urls` in its `INFO`, its own included), so
    /// it is the cluster's size as the server knew it at connect time. A server started with
    /// `no_advertise` (or a cluster still forming) tells fewer: say the count here, or with
    /// `replicas=N` in a [`Bus::connect`] URL, in production. An existing stream keeps its
    /// replica count (NATS's `nats stream edit --replicas` changes it); a different count
    /// is logged as a `WARN` at connect time.
    ///
    /// ```no_run
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let bus = nitro::bus::Bus::nats_jetstream("nats://127.0.0.1:4222", "CHAT", &["chat.>"])
    ///     .replicas(1) // a single server, even inside a cluster
    ///     .await
    ///     .unwrap();
    /// # let _ = bus;
    /// # });
    /// ```
    pub fn replicas(mut self, n: usize) -> Self {
        self.replicas = Some(n.clamp(1, 5));
        self
    }
}

#[cfg(feature = "nats")]
impl<'a> IntoFuture for ConnectJetStream<'a> {
    type Output = Result<Bus, BusError>;
    type IntoFuture = Pin<Box<dyn Future<Output = Result<Bus, BusError>> + Send + 'a>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move {
            Ok(Bus {
                backend: Backend::Nats(Arc::new(
                    nats::NatsBus::connect_jetstream(
                        self.url,
                        self.stream,
                        self.subjects,
                        None,
                        None,
                        self.replicas,
                    )
                    .await?,
                )),
                capacity: DEFAULT_QUEUE_CAPACITY,
                bytes: DEFAULT_QUEUE_BYTES,
            })
        })
    }
}

#[cfg(feature = "nats")]
impl fmt::Debug for ConnectJetStream<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConnectJetStream")
            .field("stream", &self.stream)
            .field("replicas", &self.replicas)
            .finish_non_exhaustive()
    }
}
