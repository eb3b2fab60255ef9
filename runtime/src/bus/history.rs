//! What [`Bus::history`](super::Bus::history) reads: the last messages on a pattern, how many
//! the bus keeps, and the sequence to resume after.

use super::Message;

/// The most bytes of messages [`Bus::history`](super::Bus::history) returns (4 MiB, counted as a
/// queue counts them): it returns the last `n` messages, or fewer when they would exceed this
/// (always the newest one). [`History::total`] still counts them all.
pub const MAX_HISTORY_BYTES: usize = 4 << 20;

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
