//! What [`Bus::history`](super::Bus::history) reads: the last messages on a pattern, how many
//! the bus keeps, and the sequence to resume after.

use std::collections::VecDeque;

use super::Message;

/// The most bytes of messages [`Bus::history`](super::Bus::history) returns (4 MiB, counted as a
/// queue counts them): it returns the last `n` messages, or fewer when they would exceed this
/// (always the newest one). [`History::total`] still counts them all.
pub const MAX_HISTORY_BYTES: usize = 4 << 20;

/// What [`Bus::history`](super::Bus::history) read: the last messages, how many the bus keeps in all, and up to
/// which sequence.
#[derive(Clone, Debug, Default)]
pub struct History {
    messages: Vec<Message>,
    total: u64,
    last_sequence: Option<u64>,
    /// The sequence from which the bus keeps every matching message (older ones may be gone).
    horizon: u64,
}

impl History {
    #[cfg_attr(not(feature = "nats"), allow(dead_code))]
    pub(crate) fn new(messages: Vec<Message>, total: u64, last_sequence: Option<u64>) -> History {
        History {
            messages,
            total,
            last_sequence,
            horizon: 1,
        }
    }

    /// The sequence from which the bus keeps every matching message.
    pub(crate) fn with_horizon(mut self, horizon: u64) -> History {
        self.horizon = horizon;
        self
    }

    /// The sequence from which the bus keeps every matching message.
    #[cfg_attr(not(feature = "axum"), allow(dead_code))]
    pub(crate) fn horizon(&self) -> u64 {
        self.horizon
    }

    /// Does this history hold every matching message after `seen` (up to
    /// [`History::last_sequence`])? Then a client that saw `seen` needs only those; otherwise
    /// it needs the whole history rendered again.
    #[cfg_attr(not(feature = "axum"), allow(dead_code))]
    pub(crate) fn covers(&self, seen: u64) -> bool {
        let Some(last) = self.last_sequence else {
            return false;
        };
        if seen >= last {
            return true;
        }
        match self.messages.first().and_then(Message::sequence) {
            // The window starts at or before `seen`.
            Some(first) if first <= seen + 1 && seen + 1 >= self.horizon => true,
            // Everything kept is in the window, and nothing after `seen` was dropped.
            _ => self.messages.len() as u64 == self.total && seen + 1 >= self.horizon,
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
    /// counted in [`History::total`], none after it. Pass it to [`Bus::subscribe_after`](super::Bus::subscribe_after) to
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

/// What a subscription resuming after a sequence missed: the newest of those messages that fit
/// its queue, how many older ones did not, and the sequence they were read up to.
#[derive(Debug)]
pub(crate) struct Missed {
    pub(crate) messages: Vec<Message>,
    pub(crate) lost: u64,
    pub(crate) upto: u64,
}

/// Keeps the newest of the messages pushed to it (oldest first) within a bound in messages and
/// in bytes (the newest always), counting all and those it let go.
pub(crate) struct Newest {
    kept: VecDeque<Message>,
    bytes: usize,
    pub(crate) total: u64,
    max_messages: usize,
    max_bytes: usize,
}

impl Newest {
    pub(crate) fn new(max_messages: usize, max_bytes: usize) -> Newest {
        Newest {
            kept: VecDeque::new(),
            bytes: 0,
            total: 0,
            max_messages,
            max_bytes,
        }
    }

    pub(crate) fn push(&mut self, m: Message) {
        self.total += 1;
        if self.max_messages == 0 {
            return;
        }
        self.bytes += m.size();
        self.kept.push_back(m);
        while self.kept.len() > self.max_messages
            || (self.bytes > self.max_bytes && self.kept.len() > 1)
        {
            if let Some(old) = self.kept.pop_front() {
                self.bytes -= old.size();
            }
        }
    }

    /// The history of what was pushed, read up to `last`, keeping everything from `horizon`.
    pub(crate) fn into_history(self, last: u64, horizon: u64) -> History {
        History::new(self.kept.into(), self.total, Some(last)).with_horizon(horizon)
    }

    /// What a resume missed, read up to `upto`.
    pub(crate) fn into_missed(self, upto: u64) -> Missed {
        Missed {
            lost: self.total - self.kept.len() as u64,
            messages: self.kept.into(),
            upto,
        }
    }
}
