//! The per-subscriber bounded queue both backends deliver into, bounded in messages and in
//! bytes. Overflow policy: collapse what later events supersede, then drop the oldest message
//! and count it; the subscriber then receives `Err(Lagged(n))` before the next message. A
//! publisher never waits on a subscriber. Every lag is logged when it starts and, with the
//! number lost (`lost=N`), when the subscriber reads again or leaves; and counted when it
//! happens, so a client that never reads is seen too.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::task::{Context, Poll};

use futures_util::task::AtomicWaker;

use super::collapse::{collapse, Kind};
use super::{Lagged, Message};

pub(crate) struct Queue {
    inner: Mutex<Inner>,
    waker: AtomicWaker,
    capacity: usize,
    max_bytes: usize,
    closed: AtomicBool,
}

struct Inner {
    items: VecDeque<Message>,
    /// What `items` are charged ([`Message::size`]).
    bytes: usize,
    lagged: u64,
    /// Messages arrived since the last collapse scan that may pair with earlier ones.
    unscanned: bool,
}

impl Inner {
    fn full(&self, capacity: usize, max_bytes: usize) -> bool {
        self.items.len() > capacity || (self.bytes > max_bytes && self.items.len() > 1)
    }
}

impl Queue {
    pub(crate) fn new(capacity: usize, max_bytes: usize) -> Queue {
        let capacity = capacity.max(1);
        Queue {
            inner: Mutex::new(Inner {
                // Allocated on the first message: an idle subscription costs no buffer.
                items: VecDeque::new(),
                bytes: 0,
                lagged: 0,
                unscanned: false,
            }),
            waker: AtomicWaker::new(),
            capacity,
            max_bytes,
            closed: AtomicBool::new(false),
        }
    }

    /// Adds a message. When the queue is full (in messages or bytes), first removes the queued
    /// events that later ones supersede (see `collapse`), then drops the oldest while it is
    /// still full. Never blocks on the consumer (the lock is only held to move pointers, or
    /// for the collapse scan of a full queue).
    pub(crate) fn push(&self, message: Message) {
        let (dropped, started) = {
            let mut inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
            let inner = &mut *inner;
            inner.bytes += message.size();
            inner.items.push_back(message);
            if inner.full(self.capacity, self.max_bytes) {
                // After a scan that found nothing, only a new collapsible message can pair up.
                let newest = inner.items.back().map(Message::collapse_kind);
                if matches!(newest.as_deref(), Some(Kind::Replace(_) | Kind::Signals(_))) {
                    inner.unscanned = true;
                }
                if std::mem::take(&mut inner.unscanned) && collapse(&mut inner.items) > 0 {
                    inner.bytes = inner.items.iter().map(Message::size).sum();
                }
                let mut dropped = 0;
                while inner.full(self.capacity, self.max_bytes) {
                    if let Some(old) = inner.items.pop_front() {
                        inner.bytes -= old.size();
                    }
                    dropped += 1;
                }
                let started = inner.lagged == 0 && dropped > 0;
                inner.lagged += dropped;
                (dropped, started)
            } else {
                inner.unscanned = true;
                (0, false)
            }
        };
        if dropped > 0 {
            crate::stats::lag_dropped(dropped, started, self.capacity, self.max_bytes);
        }
        self.waker.wake();
    }

    /// No more messages will come (the backend's subscription ended). Unused since resumes
    /// join the shared feed (no subscription of their own ends); kept for a backend that ends
    /// one.
    #[allow(dead_code)]
    pub(crate) fn close(&self) {
        self.closed.store(true, Ordering::Release);
        self.waker.wake();
    }

    pub(crate) fn poll_next(&self, cx: &mut Context<'_>) -> Poll<Option<Result<Message, Lagged>>> {
        self.waker.register(cx.waker());
        let mut inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        if inner.lagged > 0 {
            let n = std::mem::take(&mut inner.lagged);
            drop(inner);
            crate::stats::lag_reported(n, "the subscriber reads again");
            return Poll::Ready(Some(Err(Lagged(n))));
        }
        if let Some(m) = inner.items.pop_front() {
            inner.bytes -= m.size();
            return Poll::Ready(Some(Ok(m)));
        }
        if self.closed.load(Ordering::Acquire) {
            return Poll::Ready(None);
        }
        Poll::Pending
    }
}

impl Drop for Queue {
    /// A subscriber that leaves while lagging: its loss is logged now.
    fn drop(&mut self) {
        let inner = self.inner.get_mut().unwrap_or_else(|p| p.into_inner());
        if inner.lagged > 0 {
            crate::stats::lag_reported(inner.lagged, "the subscriber left");
        }
    }
}

#[cfg(test)]
mod tests {
    use bytes::Bytes;

    use super::*;

    fn message(len: usize) -> Message {
        Message::build(
            "t".into(),
            "s".into(),
            Bytes::from(vec![b'x'; len]),
            None,
            false,
        )
    }

    /// The byte bound holds whatever the size of the messages, and counts what it dropped.
    #[test]
    fn the_byte_bound_holds() {
        let queue = Queue::new(1000, 10_000);
        for _ in 0..100 {
            queue.push(message(3_000));
        }
        let inner = queue.inner.lock().unwrap();
        assert_eq!(inner.items.len(), 3);
        assert!(inner.bytes <= 10_000);
        assert_eq!(inner.lagged, 97);
        assert_eq!(
            inner.bytes,
            inner.items.iter().map(Message::size).sum::<usize>()
        );
    }

    /// A message larger than the bound on its own is kept, alone.
    #[test]
    fn a_message_larger_than_the_bound_is_kept_alone() {
        let queue = Queue::new(1000, 1_000);
        queue.push(message(10));
        queue.push(message(5_000));
        let inner = queue.inner.lock().unwrap();
        assert_eq!(inner.items.len(), 1);
        assert_eq!(inner.items[0].payload_bytes().len(), 5_000);
        assert_eq!(inner.lagged, 1);
    }
}
