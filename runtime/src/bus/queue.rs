//! The per-subscriber bounded queue both backends deliver into. Overflow policy: drop the
//! oldest message and count it; the subscriber then receives `Err(Lagged(n))` before the
//! next message. A publisher never waits on a subscriber.

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
    closed: AtomicBool,
}

struct Inner {
    items: VecDeque<Message>,
    lagged: u64,
    /// Messages arrived since the last collapse scan that may pair with earlier ones.
    unscanned: bool,
}

impl Queue {
    pub(crate) fn new(capacity: usize) -> Queue {
        let capacity = capacity.max(1);
        Queue {
            inner: Mutex::new(Inner {
                // Allocated on the first message: an idle subscription costs no buffer.
                items: VecDeque::new(),
                lagged: 0,
                unscanned: false,
            }),
            waker: AtomicWaker::new(),
            capacity,
            closed: AtomicBool::new(false),
        }
    }

    /// Adds a message. When the queue is full, first removes the queued events that later
    /// ones supersede (see `collapse`), then drops the oldest if it is still full. Never
    /// blocks on the consumer (the lock is only held to move pointers, or for the collapse
    /// scan of a full queue).
    pub(crate) fn push(&self, message: Message) {
        {
            let mut inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
            let inner = &mut *inner;
            inner.items.push_back(message);
            if inner.items.len() > self.capacity {
                // After a scan that found nothing, only a new collapsible message can pair up.
                let newest = inner.items.back().map(Message::collapse_kind);
                if matches!(newest.as_deref(), Some(Kind::Replace(_) | Kind::Signals(_))) {
                    inner.unscanned = true;
                }
                if std::mem::take(&mut inner.unscanned) {
                    collapse(&mut inner.items);
                }
                while inner.items.len() > self.capacity {
                    inner.items.pop_front();
                    inner.lagged += 1;
                }
            } else {
                inner.unscanned = true;
            }
        }
        self.waker.wake();
    }

    /// No more messages will come (the backend's subscription ended).
    #[cfg_attr(not(feature = "nats"), allow(dead_code))]
    pub(crate) fn close(&self) {
        self.closed.store(true, Ordering::Release);
        self.waker.wake();
    }

    pub(crate) fn poll_next(&self, cx: &mut Context<'_>) -> Poll<Option<Result<Message, Lagged>>> {
        self.waker.register(cx.waker());
        let mut inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        if inner.lagged > 0 {
            let n = std::mem::take(&mut inner.lagged);
            return Poll::Ready(Some(Err(Lagged(n))));
        }
        if let Some(m) = inner.items.pop_front() {
            return Poll::Ready(Some(Ok(m)));
        }
        if self.closed.load(Ordering::Acquire) {
            return Poll::Ready(None);
        }
        Poll::Pending
    }
}
