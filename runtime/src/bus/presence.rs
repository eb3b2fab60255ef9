//! Presence: who is on a topic, with join and leave events, across every process of an app.
//!
//! Each process keeps its own members (the tabs it serves) and, on NATS, tells the others on
//! one core NATS subject: its whole member list of a topic when it changes and again every
//! heartbeat (a third of the TTL), a request for everyone's lists when it starts, and a
//! goodbye when its [`Presence`] is dropped. A process that stops heartbeating (crashed,
//! partitioned) has its members expire after the TTL. The in-process bus needs none of it.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::queue::Queue;
use super::{Bus, BusError, BusErrorKind, Message, Subscription, Topic};

/// The sender of the messages a [`Subscription::with_presence`] receives; reserved.
pub const PRESENCE_SENDER: &str = "nitro presence";

/// The TTL [`Presence::start`] is usually given: 30 s. A process that stops heartbeating (every
/// TTL ÷ 3) has its members dropped this long after its last heartbeat.
pub const DEFAULT_PRESENCE_TTL: Duration = Duration::from_secs(30);

/// The most topics one [`Presence`] keeps (joined or watched on this process, or heard of from
/// the others): 10,000. A [`Presence::join`] or [`Subscription::with_presence`] of one more
/// topic fails with [`BusErrorKind::Full`] (503), logged and counted in
/// `stats::presence_refused`; a topic is forgotten when its last member leaves and its last
/// watcher's subscription is dropped.
///
/// ```
/// assert_eq!(nitro::bus::MAX_PRESENCE_TOPICS, 10_000);
/// ```
pub const MAX_PRESENCE_TOPICS: usize = 10_000;

/// The most members one topic has (keys joined on this process, and keys of each other
/// process's list): 1,000. A [`Presence::join`] of one more key fails with
/// [`BusErrorKind::Full`] (503), logged and counted in `stats::presence_refused`; the keys of
/// another process's list beyond it are left out (logged and counted the same way).
///
/// ```
/// assert_eq!(nitro::bus::MAX_PRESENCE_MEMBERS, 1_000);
/// ```
pub const MAX_PRESENCE_MEMBERS: usize = 1_000;

/// The core NATS subject the processes of one app tell each other their members on.
#[cfg(feature = "nats")]
const WIRE_SUBJECT: &str = "_NITRO.presence";

/// Presence on the bus: who is on a topic (a board, a room), across every process sharing the
/// bus's NATS server, with join and leave events. One per process, made from the app's [`Bus`]
/// and cloned into its handlers.
///
/// - [`Presence::join`] puts a key (a user) on a topic until the returned [`Here`] is dropped:
///   drop it in the stream's [`on_end`](crate::axum::Sse::on_end) hook, and the user leaves
///   when the tab goes away. A key joined by several tabs (or processes) is one member, present
///   until the last of them leaves.
/// - [`Presence::members`] lists a topic's members; [`Subscription::with_presence`] makes a
///   subscription also receive a [`PresenceChange`] (the full list, who joined, who left) each
///   time they change, ready for the stream's mapping.
/// - On NATS, a process that crashes stops heartbeating and its members leave `ttl` after its
///   last heartbeat (logged and counted in `stats::presence_expired`); a process that stops
///   cleanly says goodbye and its members leave at once. A process started later learns the
///   others' members within a round trip.
///
/// ```
/// use std::time::Duration;
/// use nitro::bus::{Bus, Presence};
///
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let bus = Bus::in_process();
/// let presence = Presence::start(&bus, Duration::from_secs(30)).await.unwrap();
/// let tab1 = presence.join("board", "ada", &"Ada Lovelace").unwrap();
/// let tab2 = presence.join("board", "ada", &"Ada Lovelace").unwrap(); // a second tab
/// let grace = presence.join("board", "grace", &"Grace Hopper").unwrap();
/// let keys = |p: &Presence| p.members("board").into_iter().map(|m| m.key).collect::<Vec<_>>();
/// assert_eq!(keys(&presence), ["ada", "grace"]);
/// drop(tab1);
/// assert_eq!(keys(&presence), ["ada", "grace"]); // Ada still has a tab open
/// drop((tab2, grace));
/// assert!(presence.members("board").is_empty());
/// # });
/// ```
#[derive(Clone)]
pub struct Presence {
    shared: Arc<Shared>,
}

struct Shared {
    state: Arc<Hub>,
    /// Tells the wire task what to announce; its end (the last handle dropped) says goodbye.
    #[cfg(feature = "nats")]
    wire: Option<tokio::sync::mpsc::UnboundedSender<String>>,
}

/// The state, and the lock that keeps fan-outs in order once the state's is released.
#[derive(Default)]
struct Hub {
    state: Mutex<State>,
    /// Taken (while the state's lock is still held) by whoever sends a change to the watchers,
    /// so that they receive the changes in the order they happened, while the sending itself
    /// runs outside the state's lock.
    fanout: Mutex<()>,
}

impl Hub {
    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Sends `out` to its watchers after releasing `state`, in order with the other changes.
    fn deliver(&self, state: std::sync::MutexGuard<'_, State>, out: Vec<Fanout>) {
        if out.is_empty() {
            return;
        }
        let order = self.fanout.lock().unwrap_or_else(|p| p.into_inner());
        drop(state);
        for f in out {
            for queue in f.queues {
                queue.push(f.message.clone());
            }
        }
        drop(order);
    }
}

/// One change, built once, and the live watchers it goes to.
struct Fanout {
    message: Message,
    queues: Vec<Arc<Queue>>,
}

#[derive(Default)]
struct State {
    topics: HashMap<String, TopicState>,
}

impl State {
    /// The topic's state, made if it is new and there is room for one more topic.
    fn topic(&mut self, topic: &str) -> Result<&mut TopicState, BusError> {
        if !self.topics.contains_key(topic) && self.topics.len() >= MAX_PRESENCE_TOPICS {
            crate::stats::PRESENCE_REFUSED.incr();
            crate::log::warning!(
                limit = MAX_PRESENCE_TOPICS,
                "presence: topic refused, this process has the most topics it keeps"
            );
            return Err(BusError::new(
                BusErrorKind::Full,
                "presence: too many topics on this process",
            ));
        }
        Ok(self.topics.entry(topic.to_owned()).or_default())
    }

    /// Forgets `topic` if nobody is on it and nobody watches it.
    fn forget_if_empty(&mut self, topic: &str) {
        if self.topics.get(topic).is_some_and(TopicState::is_empty) {
            self.topics.remove(topic);
        }
    }
}

#[derive(Default)]
struct TopicState {
    /// This process's members: how many [`Here`]s hold each key, and its metadata.
    local: BTreeMap<String, (usize, serde_json::Value)>,
    /// The other processes' members, by process, with when they were last heard from.
    #[cfg(feature = "nats")]
    remote: HashMap<String, Remote>,
    /// The merged list the watchers last received.
    last: BTreeMap<String, serde_json::Value>,
    watchers: Vec<Weak<Queue>>,
}

#[cfg(feature = "nats")]
struct Remote {
    seen: tokio::time::Instant,
    members: Vec<(String, serde_json::Value)>,
}

impl TopicState {
    fn merged(&self) -> BTreeMap<String, serde_json::Value> {
        #[allow(unused_mut)]
        let mut all: BTreeMap<String, serde_json::Value> = self
            .local
            .iter()
            .map(|(k, (_, meta))| (k.clone(), meta.clone()))
            .collect();
        #[cfg(feature = "nats")]
        {
            let mut origins: Vec<_> = self.remote.iter().collect();
            origins.sort_by(|a, b| a.0.cmp(b.0)); // the same metadata wins on every process
            for (_, remote) in origins {
                for (k, meta) in &remote.members {
                    all.entry(k.clone()).or_insert_with(|| meta.clone());
                }
            }
        }
        all
    }

    /// `key`'s merged metadata now: this process's, else the first other process's by origin.
    fn merged_one(&self, key: &str) -> Option<serde_json::Value> {
        if let Some((_, meta)) = self.local.get(key) {
            return Some(meta.clone());
        }
        #[cfg(feature = "nats")]
        {
            let mut origins: Vec<_> = self.remote.iter().collect();
            origins.sort_by(|a, b| a.0.cmp(b.0));
            for (_, remote) in origins {
                if let Some((_, meta)) = remote.members.iter().find(|(k, _)| k == key) {
                    return Some(meta.clone());
                }
            }
        }
        None
    }

    /// The watchers still alive (the others are pruned).
    fn live_watchers(&mut self) -> Vec<Arc<Queue>> {
        let mut live = Vec::with_capacity(self.watchers.len());
        self.watchers.retain(|w| match w.upgrade() {
            Some(queue) => {
                live.push(queue);
                true
            }
            None => false,
        });
        live
    }

    /// The change to send when only `key` may have changed (a join or leave on this process),
    /// if it did; prunes dead watchers either way.
    fn notify_key(&mut self, topic: &str, key: &str) -> Option<Fanout> {
        let queues = self.live_watchers();
        let now = self.merged_one(key);
        let before = self.last.get(key);
        if now.as_ref() == before {
            return None;
        }
        let (joined, left) = match (&now, before) {
            (Some(meta), None) => (vec![Member::new(key, meta)], Vec::new()),
            (None, Some(meta)) => (Vec::new(), vec![Member::new(key, meta)]),
            _ => (Vec::new(), Vec::new()), // new metadata: in `members` only
        };
        match now {
            Some(meta) => self.last.insert(key.to_owned(), meta),
            None => self.last.remove(key),
        };
        self.fanout(topic, joined, left, queues)
    }

    /// The change to send when any key may have changed (another process's list), if one did;
    /// prunes dead watchers either way.
    #[cfg(feature = "nats")]
    fn notify(&mut self, topic: &str) -> Option<Fanout> {
        let queues = self.live_watchers();
        let now = self.merged();
        if now == self.last {
            return None;
        }
        let joined = now
            .iter()
            .filter(|(k, _)| !self.last.contains_key(*k))
            .map(|(k, v)| Member::new(k, v))
            .collect();
        let left = self
            .last
            .iter()
            .filter(|(k, _)| !now.contains_key(*k))
            .map(|(k, v)| Member::new(k, v))
            .collect();
        self.last = now;
        self.fanout(topic, joined, left, queues)
    }

    /// The message (built once, shared by every watcher) of a change to `last`.
    fn fanout(
        &self,
        topic: &str,
        joined: Vec<Member>,
        left: Vec<Member>,
        queues: Vec<Arc<Queue>>,
    ) -> Option<Fanout> {
        if queues.is_empty() {
            return None;
        }
        let change = PresenceChange {
            topic: topic.to_owned(),
            members: self.last.iter().map(|(k, v)| Member::new(k, v)).collect(),
            joined,
            left,
        };
        Some(Fanout {
            message: change.message(),
            queues,
        })
    }

    /// Nobody on it, nobody watching it (dead watchers do not count).
    fn is_empty(&self) -> bool {
        #[cfg(feature = "nats")]
        let remote = self.remote.is_empty();
        #[cfg(not(feature = "nats"))]
        let remote = true;
        self.local.is_empty()
            && remote
            && self.last.is_empty()
            && self.watchers.iter().all(|w| w.strong_count() == 0)
    }
}

/// One member of a topic: its key and the metadata it joined with.
///
/// ```
/// # use nitro::bus::{Bus, Presence};
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// # let presence = Presence::start(&Bus::in_process(), nitro::bus::DEFAULT_PRESENCE_TTL).await.unwrap();
/// let _here = presence.join("room", "ada", &serde_json::json!({ "name": "Ada" })).unwrap();
/// let m = &presence.members("room")[0];
/// assert_eq!(m.key, "ada");
/// assert_eq!(m.meta::<serde_json::Value>().unwrap()["name"], "Ada");
/// # });
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Member {
    /// The key it joined with (a user id, a session).
    pub key: String,
    /// The metadata it joined with, as JSON.
    pub meta: serde_json::Value,
}

impl Member {
    fn new(key: &str, meta: &serde_json::Value) -> Member {
        Member {
            key: key.to_owned(),
            meta: meta.clone(),
        }
    }

    /// The metadata as a `T`.
    pub fn meta<T: serde::de::DeserializeOwned>(&self) -> Result<T, BusError> {
        T::deserialize(&self.meta).map_err(|e| {
            BusError::with_source(
                BusErrorKind::Deserialize,
                "presence metadata of another type",
                e,
            )
        })
    }
}

/// A topic's members changed: the whole list, and who joined and left since the last change.
/// A [`Subscription::with_presence`] receives one when it starts (everyone present as
/// `members`, nobody in `joined`) and then one per change; [`PresenceChange::of`] reads it in
/// the stream's mapping.
///
/// ```
/// use futures_util::StreamExt;
/// use nitro::bus::{Bus, Presence, PresenceChange, DEFAULT_PRESENCE_TTL};
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let bus = Bus::in_process();
/// let presence = Presence::start(&bus, DEFAULT_PRESENCE_TTL).await.unwrap();
/// let mut sub = bus.subscribe("board.>").await.unwrap().with_presence(&presence, "board").unwrap();
/// let first = PresenceChange::of(&sub.next().await.unwrap().unwrap()).unwrap();
/// assert!(first.members.is_empty());
/// let here = presence.join("board", "ada", &()).unwrap();
/// let change = PresenceChange::of(&sub.next().await.unwrap().unwrap()).unwrap();
/// assert_eq!((change.joined[0].key.as_str(), change.members.len()), ("ada", 1));
/// drop(here);
/// let change = PresenceChange::of(&sub.next().await.unwrap().unwrap()).unwrap();
/// assert_eq!((change.left[0].key.as_str(), change.members.len()), ("ada", 0));
/// # });
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PresenceChange {
    /// The presence topic.
    pub topic: String,
    /// Everyone on the topic now, by key.
    pub members: Vec<Member>,
    /// Who joined since the last change.
    pub joined: Vec<Member>,
    /// Who left since the last change (their metadata as it was).
    pub left: Vec<Member>,
}

impl PresenceChange {
    /// The change a message carries, if it is one ([`Subscription::with_presence`]): `None` for
    /// the subscription's other messages.
    pub fn of(message: &Message) -> Option<PresenceChange> {
        if message.sender() != PRESENCE_SENDER || message.is_event() {
            return None;
        }
        message.payload().ok()
    }

    fn message(&self) -> Message {
        let payload = serde_json::to_vec(self).unwrap_or_default();
        Message::build(
            self.topic.clone(),
            PRESENCE_SENDER.to_owned(),
            payload.into(),
            None,
            false,
        )
    }
}

/// A key on a topic ([`Presence::join`]) until dropped: keep it for as long as the tab is
/// there, e.g. drop it in the stream's [`on_end`](crate::axum::Sse::on_end).
#[must_use = "the member leaves when `Here` is dropped"]
pub struct Here {
    shared: Arc<Shared>,
    topic: String,
    key: String,
}

impl fmt::Debug for Here {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Here")
            .field("topic", &self.topic)
            .field("key", &self.key)
            .finish()
    }
}

impl Drop for Here {
    fn drop(&mut self) {
        let mut state = self.shared.lock();
        let mut out = Vec::new();
        if let Some(t) = state.topics.get_mut(&self.topic) {
            if let Some((refs, _)) = t.local.get_mut(&self.key) {
                *refs -= 1;
                if *refs == 0 {
                    t.local.remove(&self.key);
                }
            }
            out.extend(t.notify_key(&self.topic, &self.key));
            state.forget_if_empty(&self.topic);
        }
        self.shared.state.deliver(state, out);
        self.shared.announce(&self.topic);
    }
}

/// A [`Subscription::with_presence`]'s registration: removes its watcher (and the topic, when
/// nobody else is on it or watches it) when the subscription is dropped.
pub(super) struct Watch {
    hub: Weak<Hub>,
    topic: String,
    queue: Weak<Queue>,
}

impl Drop for Watch {
    fn drop(&mut self) {
        let Some(hub) = self.hub.upgrade() else {
            return;
        };
        let mut state = hub.lock();
        if let Some(t) = state.topics.get_mut(&self.topic) {
            t.watchers
                .retain(|w| w.strong_count() > 0 && !w.ptr_eq(&self.queue));
            state.forget_if_empty(&self.topic);
        }
    }
}

impl fmt::Debug for Presence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (topics, watchers) = {
            let state = self.shared.lock();
            let watchers: usize = state.topics.values().map(|t| t.watchers.len()).sum();
            (state.topics.len(), watchers)
        };
        f.debug_struct("Presence")
            .field("topics", &topics)
            .field("watchers", &watchers)
            .finish_non_exhaustive()
    }
}

impl Shared {
    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock()
    }

    /// Tells the other processes this process's members of `topic` (on NATS).
    fn announce(&self, _topic: &str) {
        #[cfg(feature = "nats")]
        if let Some(wire) = &self.wire {
            let _ = wire.send(_topic.to_owned());
        }
    }
}

impl Presence {
    /// Presence on `bus`'s transport. On the in-process bus it is this process's members; on
    /// NATS (either [`Bus::nats`] or [`Bus::nats_jetstream`]: presence travels on core NATS,
    /// never stored) a task heartbeats every `ttl / 3` and the members of a process not heard
    /// from for `ttl` expire ([`DEFAULT_PRESENCE_TTL`] is 30 s; tests use a second or two).
    /// Fails with [`BusErrorKind::Subscribe`] when NATS refuses the subscription.
    ///
    /// Call it once per process, inside the Tokio runtime, and clone the handle; the goodbye is
    /// sent when the last clone and every [`Here`] are dropped.
    pub async fn start(bus: &Bus, ttl: Duration) -> Result<Presence, BusError> {
        let state = Arc::new(Hub::default());
        #[cfg(feature = "nats")]
        let wire = match bus.nats_client() {
            Some(client) => Some(wire::start(client, state.clone(), ttl).await?),
            None => None,
        };
        #[cfg(not(feature = "nats"))]
        let _ = (bus, ttl);
        Ok(Presence {
            shared: Arc::new(Shared {
                state,
                #[cfg(feature = "nats")]
                wire,
            }),
        })
    }

    /// Puts `key` on `topic` with `meta` (any `Serialize` value, shown to everyone: a display
    /// name, a colour) until the returned [`Here`] is dropped. The same key joined again (a
    /// second tab) is still one member, with the latest metadata; it leaves when its last
    /// `Here` is dropped. Fails with [`BusErrorKind::InvalidTopic`] for an invalid topic, and
    /// [`BusErrorKind::Serialize`] when `meta` does not serialize, and [`BusErrorKind::Full`]
    /// when the topic has [`MAX_PRESENCE_MEMBERS`] members or the process
    /// [`MAX_PRESENCE_TOPICS`] topics already.
    pub fn join(&self, topic: &str, key: &str, meta: &impl Serialize) -> Result<Here, BusError> {
        Topic::new(topic)?;
        let meta = serde_json::to_value(meta)
            .map_err(|e| BusError::with_source(BusErrorKind::Serialize, "presence metadata", e))?;
        let mut state = self.shared.lock();
        let t = state.topic(topic)?;
        if !t.local.contains_key(key) && t.local.len() >= MAX_PRESENCE_MEMBERS {
            state.forget_if_empty(topic);
            drop(state);
            crate::stats::PRESENCE_REFUSED.incr();
            crate::log::warning!(
                %topic,
                limit = MAX_PRESENCE_MEMBERS,
                "presence: join refused, the topic has the most members it keeps"
            );
            return Err(BusError::new(
                BusErrorKind::Full,
                "presence: too many members on this topic",
            ));
        }
        let entry = t
            .local
            .entry(key.to_owned())
            .or_insert((0, serde_json::Value::Null));
        entry.0 += 1;
        entry.1 = meta;
        let out = t.notify_key(topic, key).into_iter().collect();
        self.shared.state.deliver(state, out);
        self.shared.announce(topic);
        Ok(Here {
            shared: self.shared.clone(),
            topic: topic.to_owned(),
            key: key.to_owned(),
        })
    }

    /// Everyone on `topic` now, on every process this one has heard from, sorted by key.
    pub fn members(&self, topic: &str) -> Vec<Member> {
        let state = self.shared.lock();
        state.topics.get(topic).map_or_else(Vec::new, |t| {
            t.merged().iter().map(|(k, v)| Member::new(k, v)).collect()
        })
    }
}

impl Subscription {
    /// Also receive `topic`'s presence: a [`PresenceChange`] with everyone present now, then one
    /// each time someone joins or leaves (on any process), in this subscription's stream among
    /// its other messages; read them with [`PresenceChange::of`] in the mapping given to
    /// [`into_sse`](Subscription::into_sse). The watch ends when the subscription is dropped.
    /// Fails with [`BusErrorKind::InvalidTopic`] for an invalid topic, and
    /// [`BusErrorKind::Full`] when the process has [`MAX_PRESENCE_TOPICS`] topics already.
    ///
    /// ```no_run
    /// use axum::extract::State;
    /// use nitro::axum::Sse;
    /// use nitro::bus::{Bus, BusError, Presence, PresenceChange};
    /// use nitro::prelude::*;
    ///
    /// ids! { ONLINE = "online" }
    ///
    /// async fn stream(State((bus, presence)): State<(Bus, Presence)>) -> Result<Sse, BusError> {
    ///     let sub = bus.subscribe("board.>").await?.with_presence(&presence, "board")?;
    ///     let here = presence.join("board", "ada", &"Ada")?;
    ///     Ok(sub
    ///         .into_sse(|m| {
    ///             let change = PresenceChange::of(m)?;
    ///             let names: Vec<String> = change.members.iter().filter_map(|m| m.meta().ok()).collect();
    ///             Some(PatchElements::new(html! { p #(ONLINE) { (names.join(", ")) } }))
    ///         })
    ///         .on_end(move || drop(here)))
    /// }
    /// ```
    pub fn with_presence(mut self, presence: &Presence, topic: &str) -> Result<Self, BusError> {
        Topic::new(topic)?;
        let mut state = presence.shared.lock();
        let t = state.topic(topic)?;
        t.watchers.retain(|w| w.strong_count() > 0);
        let first = PresenceChange {
            topic: topic.to_owned(),
            members: t.last.iter().map(|(k, v)| Member::new(k, v)).collect(),
            joined: Vec::new(),
            left: Vec::new(),
        };
        self.queue.push(first.message());
        t.watchers.push(Arc::downgrade(&self.queue));
        drop(state);
        self.presence.push(Watch {
            hub: Arc::downgrade(&presence.shared.state),
            topic: topic.to_owned(),
            queue: Arc::downgrade(&self.queue),
        });
        Ok(self)
    }
}

#[cfg(feature = "nats")]
mod wire {
    //! What the processes tell each other on [`WIRE_SUBJECT`](super::WIRE_SUBJECT).

    use std::sync::Arc;
    use std::time::Duration;

    use futures_util::StreamExt;
    use serde::{Deserialize, Serialize};
    use tokio::time::Instant;

    use super::{BusError, BusErrorKind, Hub, Remote, MAX_PRESENCE_MEMBERS, WIRE_SUBJECT};

    #[derive(Serialize, Deserialize)]
    #[serde(tag = "kind", rename_all = "lowercase")]
    enum Wire {
        /// A process's whole member list of a topic (on change and every heartbeat).
        State {
            origin: String,
            topic: String,
            members: Vec<(String, serde_json::Value)>,
        },
        /// A process started: everyone sends their lists.
        Sync { origin: String },
        /// A process stops: its members leave.
        Gone { origin: String },
    }

    /// Subscribes, asks the others for their lists, and starts the task that heartbeats,
    /// listens and expires; returns the channel the handles announce changes on.
    pub(super) async fn start(
        client: async_nats::Client,
        state: Arc<Hub>,
        ttl: Duration,
    ) -> Result<tokio::sync::mpsc::UnboundedSender<String>, BusError> {
        let ttl = ttl.max(Duration::from_millis(30));
        let origin = format!(
            "{:x}-{:x}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos())
        );
        let mut incoming = client.subscribe(WIRE_SUBJECT).await.map_err(|e| {
            BusError::with_source(BusErrorKind::Subscribe, "presence subscription", e)
        })?;
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<String>();
        send(
            &client,
            &Wire::Sync {
                origin: origin.clone(),
            },
        )
        .await;
        tokio::spawn(async move {
            let mut beat = tokio::time::interval(ttl / 3);
            beat.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tokio::select! {
                    topic = rx.recv() => match topic {
                        Some(topic) => announce(&client, &state, &origin, &topic, true).await,
                        None => break,
                    },
                    Some(m) = incoming.next() => {
                        receive(&client, &state, &origin, &m.payload).await;
                    }
                    _ = beat.tick() => {
                        let topics: Vec<String> = lock(&state).topics.keys().cloned().collect();
                        for topic in topics {
                            announce(&client, &state, &origin, &topic, false).await;
                        }
                        expire(&state, ttl);
                    }
                }
            }
            send(&client, &Wire::Gone { origin }).await;
            let _ = client.flush().await;
        });
        Ok(tx)
    }

    fn lock(state: &Hub) -> std::sync::MutexGuard<'_, super::State> {
        state.lock()
    }

    #[cfg_attr(not(feature = "tracing"), allow(unused_variables))]
    async fn send(client: &async_nats::Client, wire: &Wire) {
        let payload = serde_json::to_vec(wire).unwrap_or_default();
        if let Err(e) = client.publish(WIRE_SUBJECT, payload.into()).await {
            crate::stats::PRESENCE_ERRORS.incr();
            crate::log::warning!(error = %e, "presence: a heartbeat or change was not sent to NATS");
        }
    }

    /// Sends this process's members of `topic`: on a `change` even when none are left (the
    /// others then drop this process's entry), otherwise (heartbeat, sync) only when it has some.
    async fn announce(
        client: &async_nats::Client,
        state: &Hub,
        origin: &str,
        topic: &str,
        change: bool,
    ) {
        let members: Vec<(String, serde_json::Value)> = lock(state)
            .topics
            .get(topic)
            .map(|t| {
                t.local
                    .iter()
                    .map(|(k, (_, meta))| (k.clone(), meta.clone()))
                    .collect()
            })
            .unwrap_or_default();
        if members.is_empty() && !change {
            return;
        }
        send(
            client,
            &Wire::State {
                origin: origin.to_owned(),
                topic: topic.to_owned(),
                members,
            },
        )
        .await;
    }

    async fn receive(client: &async_nats::Client, state: &Hub, origin: &str, payload: &[u8]) {
        let Ok(wire) = serde_json::from_slice::<Wire>(payload) else {
            crate::stats::PRESENCE_ERRORS.incr();
            crate::log::warning!("presence: an unreadable message on {WIRE_SUBJECT} was ignored");
            return;
        };
        match wire {
            Wire::State { origin: o, .. } | Wire::Sync { origin: o } | Wire::Gone { origin: o }
                if o == origin => {}
            Wire::State {
                origin: o,
                topic,
                mut members,
            } => {
                if members.len() > MAX_PRESENCE_MEMBERS {
                    crate::stats::PRESENCE_REFUSED.incr();
                    crate::log::warning!(%topic, origin = %o, members = members.len(), limit = MAX_PRESENCE_MEMBERS, "presence: another process's list is longer than a topic keeps; the rest was left out");
                    members.truncate(MAX_PRESENCE_MEMBERS);
                }
                let hub = state;
                let mut state = lock(hub);
                let Ok(t) = state.topic(&topic) else {
                    return;
                };
                if members.is_empty() {
                    t.remote.remove(&o);
                } else {
                    t.remote.insert(
                        o,
                        Remote {
                            seen: Instant::now(),
                            members,
                        },
                    );
                }
                let out = t.notify(&topic).into_iter().collect();
                state.forget_if_empty(&topic);
                hub.deliver(state, out);
            }
            Wire::Sync { .. } => {
                let topics: Vec<String> = lock(state).topics.keys().cloned().collect();
                for topic in topics {
                    announce(client, state, origin, &topic, false).await;
                }
            }
            Wire::Gone { origin: o } => {
                let hub = state;
                let mut state = lock(hub);
                let mut out = Vec::new();
                for (topic, t) in state.topics.iter_mut() {
                    if t.remote.remove(&o).is_some() {
                        out.extend(t.notify(topic));
                    }
                }
                state.topics.retain(|_, t| !t.is_empty());
                hub.deliver(state, out);
            }
        }
    }

    /// Drops the members of processes not heard from for `ttl`.
    #[cfg_attr(not(feature = "tracing"), allow(unused_variables))]
    fn expire(hub: &Hub, ttl: Duration) {
        let now = Instant::now();
        let mut state = lock(hub);
        let mut out = Vec::new();
        for (topic, t) in state.topics.iter_mut() {
            let before = t.remote.len();
            t.remote.retain(|origin, r| {
                let alive = now.duration_since(r.seen) < ttl;
                if !alive {
                    crate::log::warning!(%topic, %origin, members = r.members.len(), "presence: a process stopped heartbeating; its members left");
                }
                alive
            });
            let expired = before - t.remote.len();
            if expired > 0 {
                crate::stats::PRESENCE_EXPIRED.add(expired as u64);
                out.extend(t.notify(topic));
            }
        }
        state.topics.retain(|_, t| !t.is_empty());
        hub.deliver(state, out);
    }
}
