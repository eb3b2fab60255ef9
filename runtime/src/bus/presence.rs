//! Presence: who is on a topic, with join and leave events, across every process of an app.
//!
//! Each process keeps its own members (the tabs it serves) and the others' lists, and tells
//! its watchers only what changed (a [`PresenceChange`]: who joined, who left), after a first
//! change with everyone present. On NATS the processes talk on one core NATS subject: a change
//! of a process's members goes out as that change only (a key and its metadata), numbered so
//! that a receiver sees a gap; a heartbeat (a third of the TTL) carries the number only. A
//! whole list goes out when a process starts (it asks everyone for theirs) or when a receiver
//! missed a change (it asks that process for its list). A goodbye goes out when a [`Presence`]
//! is dropped; a process that stops heartbeating (crashed, partitioned) has its members expire
//! after the TTL. The in-process bus needs none of it.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::queue::Queue;
use super::{Bus, BusError, BusErrorKind, Message, Subscription, Topic};

/// The sender of the messages a [`Subscription::with_presence`] receives; reserved.
///
/// ```
/// assert_eq!(nitro::bus::PRESENCE_SENDER, "nitro presence");
/// ```
pub const PRESENCE_SENDER: &str = "nitro presence";

/// The TTL [`Presence::start`] is usually given: 30 s. A process that stops heartbeating (every
/// TTL ÷ 3) has its members dropped this long after its last heartbeat.
///
/// ```
/// assert_eq!(nitro::bus::DEFAULT_PRESENCE_TTL.as_secs(), 30);
/// ```
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
///   subscription also receive a [`PresenceChange`] (everyone present when it starts, then who
///   joined and who left at each change), ready for the stream's mapping, where a [`Roster`]
///   keeps the list.
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
    /// Takes this process's changes to the wire task, in the order of their numbers (sent
    /// with the state's lock held); its end (the last handle dropped) says goodbye.
    #[cfg(feature = "nats")]
    wire: Option<tokio::sync::mpsc::UnboundedSender<wire::Delta>>,
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
    /// The number of this process's last change sent to the others (of any topic).
    #[cfg(feature = "nats")]
    numbered: u64,
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
    /// The number of the last change of `local` sent to the others; 0 while it is empty.
    #[cfg(feature = "nats")]
    seq: u64,
    /// The other processes' members, by process (in order: the same metadata wins on every
    /// process), with when they were last heard from.
    #[cfg(feature = "nats")]
    remote: BTreeMap<String, Remote>,
    /// The merged list: what [`Presence::members`] returns and the watchers were told.
    last: BTreeMap<String, serde_json::Value>,
    watchers: Vec<Weak<Queue>>,
}

/// Another process's members of a topic, as of its change numbered `seq`.
#[cfg(feature = "nats")]
struct Remote {
    seen: tokio::time::Instant,
    seq: u64,
    members: BTreeMap<String, serde_json::Value>,
}

impl TopicState {
    /// `key`'s merged metadata now: this process's, else the first other process's by origin.
    fn merged_one(&self, key: &str) -> Option<&serde_json::Value> {
        if let Some((_, meta)) = self.local.get(key) {
            return Some(meta);
        }
        #[cfg(feature = "nats")]
        for remote in self.remote.values() {
            if let Some(meta) = remote.members.get(key) {
                return Some(meta);
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

    /// Brings the merged list up to date for `keys` (the only ones that may have changed), and
    /// returns the change to send, if there is one and someone to send it to; prunes dead
    /// watchers either way. Costs the number of `keys`, not the topic's members.
    fn notify<'k>(
        &mut self,
        topic: &str,
        keys: impl IntoIterator<Item = &'k str>,
    ) -> Option<Fanout> {
        let (mut joined, mut updated, mut left) = (Vec::new(), Vec::new(), Vec::new());
        for key in keys {
            let now = self.merged_one(key).cloned();
            match (now, self.last.get(key)) {
                (Some(meta), None) => {
                    joined.push(Member::new(key, &meta));
                    self.last.insert(key.to_owned(), meta);
                }
                (Some(meta), Some(before)) if meta != *before => {
                    updated.push(Member::new(key, &meta));
                    self.last.insert(key.to_owned(), meta);
                }
                (None, Some(_)) => {
                    if let Some(meta) = self.last.remove(key) {
                        left.push(Member {
                            key: key.to_owned(),
                            meta,
                        });
                    }
                }
                _ => {}
            }
        }
        let queues = self.live_watchers();
        if queues.is_empty() || joined.len() + updated.len() + left.len() == 0 {
            return None;
        }
        let change = PresenceChange {
            topic: topic.to_owned(),
            snapshot: false,
            joined,
            updated,
            left,
            count: self.last.len(),
        };
        Some(Fanout {
            message: change.message(),
            queues,
        })
    }

    /// Everyone present now, as the first change of a watch.
    fn snapshot(&self, topic: &str) -> PresenceChange {
        PresenceChange {
            topic: topic.to_owned(),
            snapshot: true,
            joined: self.last.iter().map(|(k, v)| Member::new(k, v)).collect(),
            updated: Vec::new(),
            left: Vec::new(),
            count: self.last.len(),
        }
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
    ///
    /// ```
    /// let m = nitro::bus::Member { key: "ada".into(), meta: "Ada".into() };
    /// assert_eq!(m.meta::<String>().unwrap(), "Ada");
    /// assert!(m.meta::<u32>().is_err());
    /// ```
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

/// A topic's members changed: who joined, whose metadata changed, who left, and how many are
/// on it now. A [`Subscription::with_presence`] receives one when it starts (a `snapshot`:
/// everyone present, in `joined`) and then one per change, carrying only what changed; after
/// a lag ([`Lagged`](super::Lagged): its queue overflowed and changes may be lost) it receives
/// a snapshot again. [`PresenceChange::of`] reads it in the stream's mapping, and a [`Roster`]
/// keeps the list from them.
///
/// ```
/// use futures_util::StreamExt;
/// use nitro::bus::{Bus, Presence, PresenceChange, DEFAULT_PRESENCE_TTL};
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let bus = Bus::in_process();
/// let presence = Presence::start(&bus, DEFAULT_PRESENCE_TTL).await.unwrap();
/// let grace = presence.join("board", "grace", &"Grace").unwrap();
/// let mut sub = bus.subscribe("board.>").await.unwrap().with_presence(&presence, "board").unwrap();
/// let first = PresenceChange::of(&sub.next().await.unwrap().unwrap()).unwrap();
/// assert!(first.snapshot);
/// assert_eq!((first.joined[0].key.as_str(), first.count), ("grace", 1));
/// let ada = presence.join("board", "ada", &"Ada").unwrap();
/// let change = PresenceChange::of(&sub.next().await.unwrap().unwrap()).unwrap();
/// assert!(!change.snapshot);
/// assert_eq!((change.joined[0].key.as_str(), change.count), ("ada", 2));
/// drop(grace);
/// let change = PresenceChange::of(&sub.next().await.unwrap().unwrap()).unwrap();
/// assert_eq!((change.left[0].key.as_str(), change.count), ("grace", 1));
/// # drop(ada);
/// # });
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PresenceChange {
    /// The presence topic.
    pub topic: String,
    /// Whether it is a snapshot (a watch's first change, or its first after a lag): `joined`
    /// is then everyone present, and a list kept from earlier changes is replaced.
    pub snapshot: bool,
    /// Who joined (in a snapshot: everyone present), by key.
    pub joined: Vec<Member>,
    /// Present members whose metadata changed (their key joined again with other metadata).
    pub updated: Vec<Member>,
    /// Who left (their metadata as it was).
    pub left: Vec<Member>,
    /// How many members the topic has after this change.
    pub count: usize,
}

impl PresenceChange {
    /// The change a message carries, if it is one ([`Subscription::with_presence`]): `None` for
    /// the subscription's other messages.
    ///
    /// ```
    /// # use futures_util::StreamExt;
    /// # use nitro::bus::{Bus, Presence, PresenceChange, DEFAULT_PRESENCE_TTL};
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// # let bus = Bus::in_process();
    /// # let presence = Presence::start(&bus, DEFAULT_PRESENCE_TTL).await.unwrap();
    /// let mut sub = bus.subscribe("board.>").await.unwrap().with_presence(&presence, "board").unwrap();
    /// bus.publish("board.issue", &"an issue").await.unwrap();
    /// assert!(PresenceChange::of(&sub.next().await.unwrap().unwrap()).is_some()); // the snapshot
    /// assert!(PresenceChange::of(&sub.next().await.unwrap().unwrap()).is_none()); // the issue
    /// # });
    /// ```
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

/// A topic's members kept from its [`PresenceChange`]s: a watcher's copy of
/// [`Presence::members`], updated at the cost of each change (not of the whole list). Keep one
/// per watched topic in the stream's mapping and [`apply`](Roster::apply) every change of that
/// topic, the first (a snapshot) included. Such a mapping depends on more than the message: do
/// not give it a [`shared`](Subscription::shared) encoding.
///
/// ```
/// use futures_util::StreamExt;
/// use nitro::bus::{Bus, Presence, PresenceChange, Roster, DEFAULT_PRESENCE_TTL};
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let bus = Bus::in_process();
/// let presence = Presence::start(&bus, DEFAULT_PRESENCE_TTL).await.unwrap();
/// let ada = presence.join("board", "ada", &"Ada").unwrap();
/// let mut sub = bus.subscribe("board.>").await.unwrap().with_presence(&presence, "board").unwrap();
/// let grace = presence.join("board", "grace", &"Grace").unwrap();
/// drop(ada);
/// let mut roster = Roster::default();
/// for _ in 0..3 {
///     roster.apply(&PresenceChange::of(&sub.next().await.unwrap().unwrap()).unwrap());
/// }
/// let keys: Vec<&str> = roster.members().map(|m| m.key.as_str()).collect();
/// assert_eq!(keys, ["grace"]);
/// assert_eq!(roster.members().cloned().collect::<Vec<_>>(), presence.members("board"));
/// # drop(grace);
/// # });
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Roster {
    members: BTreeMap<String, Member>,
}

impl Roster {
    /// Applies `change`: a snapshot replaces the list; otherwise who left is removed, who
    /// joined is added, and an updated member's metadata replaced.
    ///
    /// ```
    /// use nitro::bus::{Member, PresenceChange, Roster};
    /// let ada = Member { key: "ada".into(), meta: "Ada".into() };
    /// let mut roster = Roster::default();
    /// roster.apply(&PresenceChange {
    ///     topic: "board".into(),
    ///     snapshot: false,
    ///     joined: vec![ada.clone()],
    ///     updated: vec![],
    ///     left: vec![],
    ///     count: 1,
    /// });
    /// assert_eq!(roster.members().collect::<Vec<_>>(), [&ada]);
    /// ```
    pub fn apply(&mut self, change: &PresenceChange) {
        if change.snapshot {
            self.members.clear();
        }
        for m in &change.left {
            self.members.remove(&m.key);
        }
        for m in change.joined.iter().chain(&change.updated) {
            self.members.insert(m.key.clone(), m.clone());
        }
    }

    /// The members, sorted by key (as [`Presence::members`]); `.len()` counts them.
    ///
    /// ```
    /// let roster = nitro::bus::Roster::default();
    /// assert_eq!(roster.members().len(), 0);
    /// ```
    pub fn members(&self) -> impl ExactSizeIterator<Item = &Member> + '_ {
        self.members.values()
    }
}

/// A key on a topic ([`Presence::join`]) until dropped: keep it for as long as the tab is
/// there, e.g. drop it in the stream's [`on_end`](crate::axum::Sse::on_end).
///
/// ```
/// # use nitro::bus::{Bus, Presence, DEFAULT_PRESENCE_TTL};
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// # let presence = Presence::start(&Bus::in_process(), DEFAULT_PRESENCE_TTL).await.unwrap();
/// let here = presence.join("board", "ada", &()).unwrap();
/// assert_eq!(presence.members("board").len(), 1);
/// drop(here);
/// assert!(presence.members("board").is_empty());
/// # });
/// ```
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
            let mut gone = false;
            if let Some((refs, _)) = t.local.get_mut(&self.key) {
                *refs -= 1;
                if *refs == 0 {
                    t.local.remove(&self.key);
                    gone = true;
                }
            }
            out.extend(t.notify(&self.topic, [self.key.as_str()]));
            if gone {
                self.shared.announce(&mut state, &self.topic, &self.key);
            }
            state.forget_if_empty(&self.topic);
        }
        self.shared.state.deliver(state, out);
    }
}

/// A [`Subscription::with_presence`]'s registration: removes its watcher (and the topic, when
/// nobody else is on it or watches it) when the subscription is dropped.
pub(super) struct Watch {
    hub: Weak<Hub>,
    topic: String,
    queue: Weak<Queue>,
}

impl Watch {
    /// A snapshot of the topic now, for a watcher whose queue dropped messages (changes among
    /// them, maybe): with it, the changes still queued bring its list up to date.
    pub(super) fn snapshot(&self) -> Option<Message> {
        let hub = self.hub.upgrade()?;
        let state = hub.lock();
        let change = match state.topics.get(&self.topic) {
            Some(t) => t.snapshot(&self.topic),
            None => TopicState::default().snapshot(&self.topic), // nobody
        };
        Some(change.message())
    }
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

    /// Tells the other processes (on NATS) that this process's `key` on `topic` changed (its
    /// metadata, or it left when it is no longer in `local`). Called with the state's lock
    /// held, so that the changes reach the wire task in the order of their numbers.
    #[cfg_attr(not(feature = "nats"), allow(unused_variables))]
    fn announce(&self, state: &mut State, topic: &str, key: &str) {
        #[cfg(feature = "nats")]
        if let Some(wire) = &self.wire {
            let Some(t) = state.topics.get_mut(topic) else {
                return;
            };
            let prev = t.seq;
            t.seq = if t.local.is_empty() {
                0
            } else {
                state.numbered += 1;
                state.numbered
            };
            let (put, del) = match t.local.get(key) {
                Some((_, meta)) => (vec![(key.to_owned(), meta.clone())], Vec::new()),
                None => (Vec::new(), vec![key.to_owned()]),
            };
            let _ = wire.send(wire::Delta {
                topic: topic.to_owned(),
                prev,
                seq: t.seq,
                put,
                del,
            });
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
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let bus = nitro::bus::Bus::in_process();
    /// let presence = nitro::bus::Presence::start(&bus, nitro::bus::DEFAULT_PRESENCE_TTL).await.unwrap();
    /// assert!(presence.members("board").is_empty());
    /// # });
    /// ```
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
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// # let presence = nitro::bus::Presence::start(&nitro::bus::Bus::in_process(), nitro::bus::DEFAULT_PRESENCE_TTL).await.unwrap();
    /// let here = presence.join("board", "ada", &serde_json::json!({ "colour": "teal" })).unwrap();
    /// assert_eq!(presence.members("board")[0].meta["colour"], "teal");
    /// assert!(presence.join("not a topic!", "ada", &()).is_err());
    /// # drop(here);
    /// # });
    /// ```
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
        let changed = entry.0 == 1 || entry.1 != meta;
        entry.1 = meta;
        let out = t.notify(topic, [key]).into_iter().collect();
        if changed {
            self.shared.announce(&mut state, topic, key);
        }
        self.shared.state.deliver(state, out);
        Ok(Here {
            shared: self.shared.clone(),
            topic: topic.to_owned(),
            key: key.to_owned(),
        })
    }

    /// Everyone on `topic` now, on every process this one has heard from, sorted by key.
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// # let presence = nitro::bus::Presence::start(&nitro::bus::Bus::in_process(), nitro::bus::DEFAULT_PRESENCE_TTL).await.unwrap();
    /// let _grace = presence.join("board", "grace", &()).unwrap();
    /// let _ada = presence.join("board", "ada", &()).unwrap();
    /// let keys: Vec<String> = presence.members("board").into_iter().map(|m| m.key).collect();
    /// assert_eq!(keys, ["ada", "grace"]);
    /// # });
    /// ```
    pub fn members(&self, topic: &str) -> Vec<Member> {
        let state = self.shared.lock();
        state.topics.get(topic).map_or_else(Vec::new, |t| {
            t.last.iter().map(|(k, v)| Member::new(k, v)).collect()
        })
    }
}

impl Subscription {
    /// Also receive `topic`'s presence: a [`PresenceChange`] with everyone present now (a
    /// snapshot), then one each time someone joins or leaves (on any process) with who did, in
    /// this subscription's stream among its other messages; read them with
    /// [`PresenceChange::of`] in the mapping given to [`into_sse`](Subscription::into_sse), and
    /// keep the list in a [`Roster`]. After a lag (the stream's queue overflowed) the next
    /// change is a snapshot again. The watch ends when the subscription is dropped. Fails with
    /// [`BusErrorKind::InvalidTopic`] for an invalid topic, and [`BusErrorKind::Full`] when
    /// the process has [`MAX_PRESENCE_TOPICS`] topics already.
    ///
    /// ```no_run
    /// use axum::extract::State;
    /// use nitro::axum::Sse;
    /// use nitro::bus::{Bus, BusError, Presence, PresenceChange, Roster};
    /// use nitro::prelude::*;
    ///
    /// ids! { ONLINE = "online" }
    ///
    /// async fn stream(State((bus, presence)): State<(Bus, Presence)>) -> Result<Sse, BusError> {
    ///     let sub = bus.subscribe("board.>").await?.with_presence(&presence, "board")?;
    ///     let here = presence.join("board", "ada", &"Ada")?;
    ///     let mut online = Roster::default();
    ///     Ok(sub
    ///         .into_sse(move |m| {
    ///             online.apply(&PresenceChange::of(m)?);
    ///             let names: Vec<String> = online.members().filter_map(|m| m.meta().ok()).collect();
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
        self.queue.push(t.snapshot(topic).message());
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
    //!
    //! Each change of a process's members of a topic is numbered (from one counter per
    //! process) and carries the number of the topic's previous change (`prev`, 0 for an empty
    //! list): a receiver applies it when it has that number, and otherwise asks that process
    //! for its whole list (`Want`) and drops what it holds. The process's messages reach the
    //! others in the order it sent them (one connection, one subject), and a whole list is
    //! sent only after the changes it includes, so the changes after it follow on from it.

    use std::collections::{BTreeMap, HashSet};
    use std::sync::Arc;
    use std::time::Duration;

    use futures_util::StreamExt;
    use serde::{Deserialize, Serialize};
    use tokio::sync::mpsc::UnboundedReceiver;
    use tokio::time::Instant;

    use super::{
        BusError, BusErrorKind, Hub, Remote, State, MAX_PRESENCE_MEMBERS, MAX_PRESENCE_TOPICS,
        WIRE_SUBJECT,
    };

    type Entries = Vec<(String, serde_json::Value)>;

    #[derive(Serialize, Deserialize)]
    #[serde(tag = "kind", rename_all = "lowercase")]
    enum Wire {
        /// A change of a process's members of a topic: numbered `seq` (0: none are left),
        /// after its change numbered `prev`; keys put (joined, or new metadata) and deleted.
        Delta {
            origin: String,
            topic: String,
            prev: u64,
            seq: u64,
            put: Entries,
            del: Vec<String>,
        },
        /// A process's whole member list of a topic, as of its change numbered `seq`.
        State {
            origin: String,
            topic: String,
            seq: u64,
            members: Entries,
        },
        /// A heartbeat: a process has members on a topic, as of its change numbered `seq`.
        Beat {
            origin: String,
            topic: String,
            seq: u64,
        },
        /// `origin` asks process `from` for its whole list of `topic` (it missed a change).
        Want {
            origin: String,
            from: String,
            topic: String,
        },
        /// A process started: everyone sends their lists.
        Sync { origin: String },
        /// A process stops: its members leave.
        Gone { origin: String },
    }

    impl Wire {
        fn origin(&self) -> &str {
            match self {
                Wire::Delta { origin, .. }
                | Wire::State { origin, .. }
                | Wire::Beat { origin, .. }
                | Wire::Want { origin, .. }
                | Wire::Sync { origin }
                | Wire::Gone { origin } => origin,
            }
        }
    }

    /// A change of this process's members, from a handle to the wire task.
    pub(super) struct Delta {
        pub(super) topic: String,
        pub(super) prev: u64,
        pub(super) seq: u64,
        pub(super) put: Entries,
        pub(super) del: Vec<String>,
    }

    impl Delta {
        fn wire(self, origin: &str) -> Wire {
            Wire::Delta {
                origin: origin.to_owned(),
                topic: self.topic,
                prev: self.prev,
                seq: self.seq,
                put: self.put,
                del: self.del,
            }
        }
    }

    /// Subscribes, asks the others for their lists, and starts the task that heartbeats,
    /// listens and expires; returns the channel the handles send their changes on.
    pub(super) async fn start(
        client: async_nats::Client,
        hub: Arc<Hub>,
        ttl: Duration,
    ) -> Result<tokio::sync::mpsc::UnboundedSender<Delta>, BusError> {
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
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel::<Delta>();
        let mut task = Task {
            client,
            hub,
            origin,
            rx,
            wanted: HashSet::new(),
        };
        task.send(&Wire::Sync {
            origin: task.origin.clone(),
        })
        .await;
        tokio::spawn(async move {
            let mut beat = tokio::time::interval(ttl / 3);
            beat.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tokio::select! {
                    delta = task.rx.recv() => match delta {
                        Some(delta) => {
                            let wire = delta.wire(&task.origin);
                            task.send(&wire).await;
                        }
                        None => break,
                    },
                    Some(m) = incoming.next() => task.receive(&m.payload).await,
                    _ = beat.tick() => {
                        task.wanted.clear(); // asked again if still missing
                        task.heartbeat().await;
                        expire(&task.hub, ttl);
                    }
                }
            }
            let origin = task.origin.clone();
            task.send(&Wire::Gone { origin }).await;
            let _ = task.client.flush().await;
        });
        Ok(tx)
    }

    struct Task {
        client: async_nats::Client,
        hub: Arc<Hub>,
        origin: String,
        rx: UnboundedReceiver<Delta>,
        /// The lists asked for since the last heartbeat (each is asked for once per beat).
        wanted: HashSet<(String, String)>,
    }

    impl Task {
        #[cfg_attr(not(feature = "tracing"), allow(unused_variables))]
        async fn send(&self, wire: &Wire) {
            let payload = serde_json::to_vec(wire).unwrap_or_default();
            if let Err(e) = self.client.publish(WIRE_SUBJECT, payload.into()).await {
                crate::stats::PRESENCE_ERRORS.incr();
                crate::log::warning!(error = %e, "presence: a heartbeat or change was not sent to NATS");
            }
        }

        /// Sends what `build` makes from the state (whole lists, heartbeats) after the changes
        /// still on their way from the handles, which it includes: taken under the same lock,
        /// the receivers then never see a change after a list that already has it.
        async fn send_built(&mut self, build: impl FnOnce(&State, &str) -> Vec<Wire>) {
            let mut out = Vec::new();
            {
                let state = self.hub.lock();
                while let Ok(delta) = self.rx.try_recv() {
                    out.push(delta.wire(&self.origin));
                }
                out.extend(build(&state, &self.origin));
            }
            for wire in &out {
                self.send(wire).await;
            }
        }

        /// This process's list of each topic it has members on.
        async fn send_lists(&mut self, only: Option<String>) {
            self.send_built(|state, origin| {
                let list = |topic: &String, t: &super::TopicState| Wire::State {
                    origin: origin.to_owned(),
                    topic: topic.clone(),
                    seq: t.seq,
                    members: local_list(t),
                };
                match &only {
                    // Asked for: even an empty one (the asker then drops what it holds).
                    Some(topic) => vec![state.topics.get(topic).map_or_else(
                        || Wire::State {
                            origin: origin.to_owned(),
                            topic: topic.clone(),
                            seq: 0,
                            members: Vec::new(),
                        },
                        |t| list(topic, t),
                    )],
                    None => state
                        .topics
                        .iter()
                        .filter(|(_, t)| !t.local.is_empty())
                        .map(|(topic, t)| list(topic, t))
                        .collect(),
                }
            })
            .await;
        }

        async fn heartbeat(&mut self) {
            self.send_built(|state, origin| {
                state
                    .topics
                    .iter()
                    .filter(|(_, t)| !t.local.is_empty())
                    .map(|(topic, t)| Wire::Beat {
                        origin: origin.to_owned(),
                        topic: topic.clone(),
                        seq: t.seq,
                    })
                    .collect()
            })
            .await;
        }

        /// Asks `from` for its list of `topic`, once per heartbeat.
        async fn want(&mut self, from: String, topic: String) {
            if self.wanted.len() >= MAX_PRESENCE_TOPICS
                || !self.wanted.insert((from.clone(), topic.clone()))
            {
                return;
            }
            let origin = self.origin.clone();
            self.send(&Wire::Want {
                origin,
                from,
                topic,
            })
            .await;
        }

        async fn receive(&mut self, payload: &[u8]) {
            let Ok(wire) = serde_json::from_slice::<Wire>(payload) else {
                crate::stats::PRESENCE_ERRORS.incr();
                crate::log::warning!(
                    "presence: an unreadable message on {WIRE_SUBJECT} was ignored"
                );
                return;
            };
            if wire.origin() == self.origin {
                return;
            }
            match wire {
                Wire::Delta {
                    origin,
                    topic,
                    prev,
                    seq,
                    put,
                    del,
                } => {
                    if !apply_delta(&self.hub, &origin, &topic, prev, seq, put, del) {
                        self.want(origin, topic).await;
                    }
                }
                Wire::State {
                    origin,
                    topic,
                    seq,
                    members,
                } => {
                    self.wanted.remove(&(origin.clone(), topic.clone()));
                    apply_list(&self.hub, origin, &topic, seq, members);
                }
                Wire::Beat { origin, topic, seq } => {
                    if !beat(&self.hub, &origin, &topic, seq) {
                        self.want(origin, topic).await;
                    }
                }
                Wire::Want { from, topic, .. } => {
                    if from == self.origin {
                        self.send_lists(Some(topic)).await;
                    }
                }
                Wire::Sync { .. } => self.send_lists(None).await,
                Wire::Gone { origin } => {
                    self.wanted.retain(|(from, _)| *from != origin);
                    let hub = &self.hub;
                    let mut state = hub.lock();
                    let mut out = Vec::new();
                    for (topic, t) in state.topics.iter_mut() {
                        if let Some(r) = t.remote.remove(&origin) {
                            out.extend(t.notify(topic, r.members.keys().map(String::as_str)));
                        }
                    }
                    state.topics.retain(|_, t| !t.is_empty());
                    hub.deliver(state, out);
                }
            }
        }
    }

    fn local_list(t: &super::TopicState) -> Entries {
        t.local
            .iter()
            .map(|(k, (_, meta))| (k.clone(), meta.clone()))
            .collect()
    }

    /// Applies another process's change if it follows on from what this process holds of its
    /// list; `false` when it does not (a change was missed, or this process never had the
    /// list): the list is then to be asked for.
    fn apply_delta(
        hub: &Hub,
        origin: &str,
        topic: &str,
        prev: u64,
        seq: u64,
        put: Entries,
        del: Vec<String>,
    ) -> bool {
        let mut state = hub.lock();
        let Ok(t) = state.topic(topic) else {
            return true; // no room for the topic (logged and counted): nothing to ask for
        };
        let held = t.remote.get(origin).map(|r| r.seq);
        if held.unwrap_or(0) != prev {
            if held.is_some() {
                // This process had the list, and a change of it did not come.
                crate::stats::PRESENCE_ERRORS.incr();
                crate::log::warning!(%topic, %origin, "presence: a change from another process was missed; asking for its list");
            }
            state.forget_if_empty(topic);
            return false;
        }
        let r = t.remote.entry(origin.to_owned()).or_insert_with(|| Remote {
            seen: Instant::now(),
            seq: 0,
            members: BTreeMap::new(),
        });
        r.seen = Instant::now();
        r.seq = seq;
        for key in &del {
            r.members.remove(key);
        }
        let mut put_keys = Vec::with_capacity(put.len());
        for (key, meta) in put {
            if r.members.len() >= MAX_PRESENCE_MEMBERS && !r.members.contains_key(&key) {
                refused(topic, origin);
                continue;
            }
            r.members.insert(key.clone(), meta);
            put_keys.push(key);
        }
        if r.members.is_empty() {
            t.remote.remove(origin);
        }
        let keys = del.iter().chain(&put_keys).map(String::as_str);
        let out = t.notify(topic, keys).into_iter().collect();
        state.forget_if_empty(topic);
        hub.deliver(state, out);
        true
    }

    /// Replaces what this process holds of another process's list of `topic`.
    fn apply_list(hub: &Hub, origin: String, topic: &str, seq: u64, mut members: Entries) {
        if members.len() > MAX_PRESENCE_MEMBERS {
            refused(topic, &origin);
            members.truncate(MAX_PRESENCE_MEMBERS);
        }
        let mut state = hub.lock();
        let Ok(t) = state.topic(topic) else {
            return;
        };
        let mut keys: Vec<String> = members.iter().map(|(k, _)| k.clone()).collect();
        let before = if members.is_empty() {
            t.remote.remove(&origin)
        } else {
            t.remote.insert(
                origin,
                Remote {
                    seen: Instant::now(),
                    seq,
                    members: members.into_iter().collect(),
                },
            )
        };
        keys.extend(before.into_iter().flat_map(|r| r.members.into_keys()));
        let out = t
            .notify(topic, keys.iter().map(String::as_str))
            .into_iter()
            .collect();
        state.forget_if_empty(topic);
        hub.deliver(state, out);
    }

    /// A heartbeat: `false` when this process does not hold `origin`'s list of `topic` as of
    /// `seq` (it missed a change, or never had the list), which is then to be asked for.
    fn beat(hub: &Hub, origin: &str, topic: &str, seq: u64) -> bool {
        let mut state = hub.lock();
        let room = state.topics.len() < MAX_PRESENCE_TOPICS;
        let Some(t) = state.topics.get_mut(topic) else {
            return !room; // unknown: asked for when there is room for it
        };
        let Some(r) = t.remote.get_mut(origin) else {
            return false;
        };
        r.seen = Instant::now();
        if r.seq == seq {
            return true;
        }
        crate::stats::PRESENCE_ERRORS.incr();
        crate::log::warning!(%topic, %origin, "presence: a change from another process was missed; asking for its list");
        false
    }

    #[cfg_attr(not(feature = "tracing"), allow(unused_variables))]
    fn refused(topic: &str, origin: &str) {
        crate::stats::PRESENCE_REFUSED.incr();
        crate::log::warning!(%topic, %origin, limit = MAX_PRESENCE_MEMBERS, "presence: another process's list is longer than a topic keeps; the rest was left out");
    }

    /// Drops the members of processes not heard from for `ttl`.
    #[cfg_attr(not(feature = "tracing"), allow(unused_variables))]
    fn expire(hub: &Hub, ttl: Duration) {
        let now = Instant::now();
        let mut state = hub.lock();
        let mut out = Vec::new();
        for (topic, t) in state.topics.iter_mut() {
            let mut gone = Vec::new();
            t.remote.retain(|origin, r| {
                let alive = now.duration_since(r.seen) < ttl;
                if !alive {
                    crate::log::warning!(%topic, %origin, members = r.members.len(), "presence: a process stopped heartbeating; its members left");
                    gone.extend(r.members.keys().cloned());
                    crate::stats::PRESENCE_EXPIRED.incr();
                }
                alive
            });
            if !gone.is_empty() {
                out.extend(t.notify(topic, gone.iter().map(String::as_str)));
            }
        }
        state.topics.retain(|_, t| !t.is_empty());
        hub.deliver(state, out);
    }
}
