//! A live [`Subscription`]: a stream of the messages matching its patterns, with sender
//! filters, a bounded queue ([`Lagged`] when a slow reader lost some) and unsubscription on
//! drop.

use std::collections::VecDeque;
use std::fmt;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use futures_util::Stream;

use super::memory::MemoryBus;
use super::queue::Queue;
use super::{Message, Pattern};

/// The subscriber was too slow: this many messages were dropped from its queue (the oldest
/// ones) since it last received.
///
/// ```
/// assert_eq!(nitro::bus::Lagged(3).to_string(), "subscriber lagged: 3 messages dropped");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Lagged(pub u64);

impl fmt::Display for Lagged {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "subscriber lagged: {} messages dropped", self.0)
    }
}

impl std::error::Error for Lagged {}

pub(super) enum SenderFilter {
    Any,
    Only(String),
    Except(String),
}

/// A live subscription: a `Stream` of `Result<Message, Lagged>`. Dropping it unsubscribes.
/// [`Subscription::into_sse`] turns it into an SSE response.
///
/// ```
/// use futures_util::StreamExt;
/// use nitro::bus::Bus;
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let bus = Bus::in_process();
/// let mut sub = bus.subscribe("chat.>").await.unwrap().except_sender("me");
/// bus.publish("chat.1", &"mine").sender("me").await.unwrap();
/// bus.publish("chat.1", &"theirs").sender("you").await.unwrap();
/// assert_eq!(sub.next().await.unwrap().unwrap().payload::<String>().unwrap(), "theirs");
/// drop(sub);
/// assert_eq!(bus.subscriber_count(), 0);
/// # });
/// ```
pub struct Subscription {
    pub(super) queue: Arc<Queue>,
    pub(super) filter: SenderFilter,
    /// A resume's missed messages (after a lag, if some did not fit), delivered before the
    /// queue.
    backlog: VecDeque<Result<Message, Lagged>>,
    /// Live messages up to this sequence came in the history read (or the backlog): skipped.
    skip_upto: u64,
    /// Sent first by the SSE bridge ([`Subscription::snapshot`]).
    #[cfg(feature = "axum")]
    pub(super) snapshot: Option<bytes::Bytes>,
    /// The key of a shared encoding ([`Subscription::shared`]).
    #[cfg(feature = "axum")]
    pub(super) shared: Option<&'static str>,
    pub(super) _guard: Guard,
    /// The presence topics it watches ([`Subscription::with_presence`]), unwatched on drop.
    pub(super) presence: Vec<super::presence::Watch>,
}

pub(super) enum Guard {
    Memory {
        bus: Arc<MemoryBus>,
        id: u64,
        patterns: Vec<Pattern>,
    },
    #[cfg(feature = "nats")]
    Nats {
        _unsubscribe_on_drop: super::nats::NatsGuard,
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
    pub(super) fn new(queue: Arc<Queue>, guard: Guard) -> Subscription {
        Subscription {
            queue,
            filter: SenderFilter::Any,
            backlog: VecDeque::new(),
            skip_upto: 0,
            #[cfg(feature = "axum")]
            snapshot: None,
            #[cfg(feature = "axum")]
            shared: None,
            _guard: guard,
            presence: Vec::new(),
        }
    }

    /// Resumed: delivers `missed` first (after `Err(Lagged(lost))` if `lost` did not fit), then
    /// the live messages after sequence `upto` (the earlier ones came in `missed`, or before).
    pub(super) fn resume(mut self, missed: super::history::Missed) -> Subscription {
        if missed.lost > 0 {
            crate::stats::resume_lagged(missed.lost);
            self.backlog.push_back(Err(Lagged(missed.lost)));
        }
        self.backlog.extend(missed.messages.into_iter().map(Ok));
        self.skip_upto = missed.upto;
        self
    }

    /// Skips live messages up to sequence `upto` (a history read up to it holds them).
    #[cfg(feature = "axum")]
    pub(super) fn skip_upto(mut self, upto: u64) -> Subscription {
        self.skip_upto = upto;
        self
    }

    /// Only receives messages published by `sender`.
    ///
    /// ```
    /// # use futures_util::StreamExt;
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let bus = nitro::bus::Bus::in_process();
    /// let mut sub = bus.subscribe("a").await.unwrap().only_sender("bob");
    /// bus.publish("a", &1).sender("alice").await.unwrap();
    /// bus.publish("a", &2).sender("bob").await.unwrap();
    /// assert_eq!(sub.next().await.unwrap().unwrap().payload::<i32>().unwrap(), 2);
    /// # });
    /// ```
    pub fn only_sender(mut self, sender: impl Into<String>) -> Self {
        self.filter = SenderFilter::Only(sender.into());
        self
    }

    /// Skips messages published by `sender` (e.g. your own).
    ///
    /// ```
    /// # use futures_util::StreamExt;
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let bus = nitro::bus::Bus::in_process();
    /// let mut sub = bus.subscribe("a").await.unwrap().except_sender("alice");
    /// bus.publish("a", &1).sender("alice").await.unwrap();
    /// bus.publish("a", &2).sender("bob").await.unwrap();
    /// assert_eq!(sub.next().await.unwrap().unwrap().payload::<i32>().unwrap(), 2);
    /// # });
    /// ```
    pub fn except_sender(mut self, sender: impl Into<String>) -> Self {
        self.filter = SenderFilter::Except(sender.into());
        self
    }
}

impl Stream for Subscription {
    type Item = Result<Message, Lagged>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            let (item, live) = match this.backlog.pop_front() {
                Some(item) => (Poll::Ready(Some(item)), false),
                None => (this.queue.poll_next(cx), true),
            };
            match item {
                Poll::Ready(Some(Ok(m))) => {
                    let keep = match &this.filter {
                        SenderFilter::Any => true,
                        SenderFilter::Only(s) => m.sender() == s,
                        SenderFilter::Except(s) => m.sender() != s,
                    };
                    // Live messages the resume's read already held.
                    let old = live
                        && this.skip_upto > 0
                        && m.sequence().is_some_and(|s| s <= this.skip_upto);
                    if keep && !old {
                        return Poll::Ready(Some(Ok(m)));
                    }
                }
                // Presence changes may be among the lost: a snapshot of each watched topic
                // comes next, and the changes still queued follow on from it.
                Poll::Ready(Some(Err(lagged))) if live => {
                    for watch in &this.presence {
                        this.backlog.extend(watch.snapshot().map(Ok));
                    }
                    return Poll::Ready(Some(Err(lagged)));
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
