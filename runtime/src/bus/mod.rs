//! The event bus: publish to hierarchical topics, subscribe with NATS-style patterns, and turn a
//! subscription into an SSE stream. In-process by default ([`Bus::in_process`]); on a NATS server
//! with the `nats` feature ([`Bus::nats`], [`Bus::nats_jetstream`]), with the same semantics; or
//! chosen at run time from a URL ([`Bus::connect`]), so several processes can share one NATS.
//!
//! - Topics are `.`-separated tokens (`chat.room.42.message`); in patterns `*` matches exactly
//!   one token and `>` one or more trailing tokens.
//! - Each subscription has a bounded queue. **Overflow policy:** when it is full, the queued
//!   events that later queued events supersede are removed first, so a slow subscriber gets
//!   the latest state rather than a gap: of several signal patches (published as events, same
//!   sender, no `onlyIfMissing`) one merged patch (RFC 7386) remains, at the latest one's
//!   place; of several element patches that replace the same whole target (`inner` on the
//!   same `#id`, or `outer`/`replace` of the same top-level ids) the latest remains. Appends,
//!   prepends, removals and scripts are never merged, nor anything across a script. Only if
//!   the queue is still full is the oldest message dropped; the subscriber then receives
//!   `Err(Lagged(n))` (how many were dropped) before the next message. A publisher never
//!   waits for a slow subscriber.
//! - Dropping a [`Subscription`] unsubscribes at once ([`Bus::subscriber_count`]).
//! - Resuming after a reconnect: on `Bus::nats_jetstream`, and in process with
//!   [`Bus::history_messages`] (a bounded history, off by default), each message has a
//!   sequence, the SSE bridge sends it as the event id, and [`Bus::subscribe_after`] with the
//!   browser's `Last-Event-ID` (`nitro::axum::LastEventId`) delivers everything after it,
//!   joining the process's shared live feed (no gap, nothing twice). [`Bus::room`] is history
//!   then live in one call. Without history ([`Bus::keeps_history`] is false) a reconnecting
//!   client starts with the next message, and what was published meanwhile is lost.
//!
//! ```
//! use futures_util::StreamExt;
//! use nitro::bus::Bus;
//!
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! let bus = Bus::in_process();
//! let mut room = bus.subscribe("chat.room.1.>").await.unwrap();
//! bus.publish("chat.room.1.message", &"hi").sender("alice").await.unwrap();
//! let m = room.next().await.unwrap().unwrap();
//! assert_eq!((m.topic(), m.sender()), ("chat.room.1.message", "alice"));
//! assert_eq!(m.payload::<String>().unwrap(), "hi");
//! # });
//! ```
//!
//! The module's parts, one concept each: the handle ([`Bus`], [`Publish`]), what travels
//! ([`Message`], [`Payload`]), a [`Subscription`], its one bridge to SSE
//! ([`Subscription::into_sse`]), [`History`] and the in-process history, a [`Room`] (history
//! then live), topics and patterns, [`Presence`] (who is on a topic, across processes), and
//! [`BusError`].

#[cfg(feature = "axum")]
mod bridge;
mod collapse;
mod error;
mod handle;
mod history;
mod memory;
mod message;
#[cfg(feature = "nats")]
mod nats;
mod presence;
mod queue;
mod ring;
mod room;
mod subscription;
mod topic;
mod url;

#[cfg(feature = "axum")]
pub use bridge::{forward, MapOutput};
pub use error::{BusError, BusErrorKind};
#[cfg(feature = "nats")]
pub use handle::ConnectJetStream;
pub use handle::{
    Bus, Publish, DEFAULT_HISTORY_BYTES, DEFAULT_QUEUE_BYTES, DEFAULT_QUEUE_CAPACITY,
};
pub use history::{History, MAX_HISTORY_BYTES};
pub use message::{Message, Payload, DEFAULT_SENDER, MAX_SENDER_BYTES};
pub use presence::{
    Here, Member, Presence, PresenceChange, Roster, DEFAULT_PRESENCE_TTL, MAX_PRESENCE_MEMBERS,
    MAX_PRESENCE_TOPICS, PRESENCE_SENDER,
};
pub use room::{Room, DEFAULT_ROOM_LAST};
pub use subscription::{Lagged, Subscription};
pub use topic::{
    token, untoken, IntoPatterns, IntoTopics, Pattern, Topic, MAX_TOPIC_BYTES, MAX_TOPIC_TOKENS,
};
