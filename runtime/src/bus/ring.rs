//! The in-process bus's optional history ([`Bus::history_messages`](super::Bus::history_messages)):
//! a bounded ring of messages per topic, numbered by one sequence for the whole bus, so a
//! reconnecting browser resumes after its `Last-Event-ID` without NATS.
//!
//! Bounds: each topic keeps its last `messages`; all topics together keep at most `bytes`
//! (a message is charged as a queue charges it, a topic its name plus [`TOPIC_OVERHEAD`]),
//! the oldest message of the whole bus going first. Whatever topics strangers publish to, the
//! history holds no more than that. A resume from before what a topic still keeps is
//! *expired*: the caller learns it, rather than receiving a history with a hole in it.

use std::collections::{BTreeMap, HashMap, VecDeque};

use std::sync::Arc;

use bytes::Bytes;

use super::history::{Missed, Newest};
use super::{BusError, BusErrorKind, History, Message, Pattern, Topic};

/// What a topic's ring costs beyond its messages, in bytes (its map entry, its index).
pub(crate) const TOPIC_OVERHEAD: usize = 128;

/// One topic's kept messages, oldest first, and the newest sequence it dropped.
#[derive(Default)]
struct TopicRing {
    messages: VecDeque<Message>,
    dropped_upto: u64,
}

pub(crate) struct Ring {
    /// Per topic; 0: no history.
    max_messages: usize,
    max_bytes: usize,
    /// The last sequence given.
    last: u64,
    bytes: usize,
    topics: HashMap<Arc<str>, TopicRing>,
    /// Every kept message's sequence and topic: the oldest of the bus is the first.
    order: BTreeMap<u64, Arc<str>>,
    /// The newest sequence dropped with a topic whose ring emptied (its own record is gone
    /// with it): a resume from before it may miss messages of such a topic.
    forgotten_upto: u64,
}

impl Default for Ring {
    fn default() -> Ring {
        Ring {
            max_messages: 0,
            max_bytes: super::DEFAULT_HISTORY_BYTES,
            last: 0,
            bytes: 0,
            topics: HashMap::new(),
            order: BTreeMap::new(),
            forgotten_upto: 0,
        }
    }
}

impl Ring {
    pub(crate) fn is_on(&self) -> bool {
        self.max_messages > 0 && self.max_bytes > 0
    }

    pub(crate) fn set_limits(&mut self, messages: Option<usize>, bytes: Option<usize>) {
        if let Some(m) = messages {
            self.max_messages = m;
        }
        if let Some(b) = bytes {
            self.max_bytes = b;
        }
        self.trim_all();
    }

    /// Keeps a new message, numbered; returns it as subscribers receive it.
    pub(crate) fn store(
        &mut self,
        topic: String,
        sender: String,
        payload: Bytes,
        event: bool,
    ) -> Message {
        self.last += 1;
        let seq = self.last;
        let message = Message::build(topic, sender, payload, Some(seq), event);
        let key: Arc<str> = match self.topics.get_key_value(message.topic()) {
            Some((k, _)) => k.clone(),
            None => {
                self.bytes += message.topic().len() + TOPIC_OVERHEAD;
                Arc::from(message.topic())
            }
        };
        self.bytes += message.size();
        self.order.insert(seq, key.clone());
        let ring = self.topics.entry(key.clone()).or_default();
        ring.messages.push_back(message.clone());
        while ring.messages.len() > self.max_messages {
            if let Some(old) = ring.messages.pop_front() {
                let s = old.sequence().unwrap_or(0);
                ring.dropped_upto = s;
                self.order.remove(&s);
                self.bytes -= old.size();
            }
        }
        self.trim_bytes();
        message
    }

    fn trim_all(&mut self) {
        let max = self.max_messages;
        let mut dropped = Vec::new();
        for ring in self.topics.values_mut() {
            while ring.messages.len() > max {
                if let Some(old) = ring.messages.pop_front() {
                    ring.dropped_upto = old.sequence().unwrap_or(0);
                    dropped.push(old);
                }
            }
        }
        for old in dropped {
            self.order.remove(&old.sequence().unwrap_or(0));
            self.bytes -= old.size();
        }
        self.topics.retain(|t, r| {
            if r.messages.is_empty() {
                self.forgotten_upto = self.forgotten_upto.max(r.dropped_upto);
                self.bytes -= t.len() + TOPIC_OVERHEAD;
                false
            } else {
                true
            }
        });
        self.trim_bytes();
    }

    /// Drops the oldest messages of the bus while over the byte bound (the newest always stays).
    fn trim_bytes(&mut self) {
        while self.bytes > self.max_bytes && self.order.len() > 1 {
            let Some((seq, topic)) = self.order.pop_first() else {
                break;
            };
            let Some(ring) = self.topics.get_mut(&topic) else {
                continue;
            };
            if let Some(old) = ring.messages.pop_front() {
                debug_assert_eq!(old.sequence(), Some(seq));
                self.bytes -= old.size();
            }
            ring.dropped_upto = seq;
            if ring.messages.is_empty() {
                self.topics.remove(&topic);
                self.forgotten_upto = self.forgotten_upto.max(seq);
                self.bytes -= topic.len() + TOPIC_OVERHEAD;
            }
        }
    }

    /// The rings of the topics `pattern` matches (one lookup for a pattern without wildcards).
    fn matching<'r>(&'r self, pattern: &'r Pattern) -> Vec<&'r TopicRing> {
        let s = pattern.as_str();
        if !s.split('.').any(|t| t == "*" || t == ">") {
            return self.topics.get(s).into_iter().collect();
        }
        self.topics
            .iter()
            .filter(|(t, _)| Topic::new(t.to_string()).is_ok_and(|t| pattern.matches(&t)))
            .map(|(_, r)| r)
            .collect()
    }

    /// The sequence from which every message matching `patterns` is still kept.
    fn horizon(&self, rings: &[&TopicRing]) -> u64 {
        let dropped = rings.iter().map(|r| r.dropped_upto).max().unwrap_or(0);
        dropped.max(self.forgotten_upto) + 1
    }

    /// The last `n` messages matching `pattern` (at most [`MAX_HISTORY_BYTES`](super::MAX_HISTORY_BYTES)),
    /// how many are kept, up to the bus's last sequence.
    pub(crate) fn history(&self, pattern: &Pattern, n: usize) -> History {
        let rings = self.matching(pattern);
        let mut all: Vec<&Message> = rings.iter().flat_map(|r| r.messages.iter()).collect();
        all.sort_unstable_by_key(|m| m.sequence());
        let mut newest = Newest::new(n, super::MAX_HISTORY_BYTES);
        // Only the last `n` can be kept: the others are counted, not cloned.
        let skip = all.len().saturating_sub(n);
        newest.total = skip as u64;
        for m in &all[skip..] {
            newest.push((*m).clone());
        }
        newest.into_history(self.last, self.horizon(&rings))
    }

    /// What a subscription resuming after `seen` missed: the newest of the messages after it
    /// that fit `max_messages` and `max_bytes` (and how many did not), up to the last sequence.
    /// Fails with [`BusErrorKind::Expired`] when the history no longer reaches back to `seen`.
    pub(crate) fn missed(
        &self,
        patterns: &[Pattern],
        seen: u64,
        max_messages: usize,
        max_bytes: usize,
    ) -> Result<Missed, BusError> {
        let seen = seen.min(self.last);
        let rings: Vec<&TopicRing> = patterns.iter().flat_map(|p| self.matching(p)).collect();
        let horizon = self.horizon(&rings);
        if seen + 1 < horizon {
            return Err(expired(seen, horizon));
        }
        let mut after: Vec<&Message> = rings
            .iter()
            .flat_map(|r| r.messages.iter())
            .filter(|m| m.sequence() > Some(seen))
            .collect();
        after.sort_unstable_by_key(|m| m.sequence());
        after.dedup_by_key(|m| m.sequence());
        let mut newest = Newest::new(max_messages.max(1), max_bytes);
        for m in after {
            newest.push(m.clone());
        }
        Ok(newest.into_missed(self.last))
    }

    #[cfg(test)]
    pub(crate) fn bytes(&self) -> usize {
        self.bytes
    }
}

/// The error of a resume from before what the history keeps.
pub(crate) fn expired(seen: u64, horizon: u64) -> BusError {
    note_expired(seen, horizon);
    BusError::new(
        BusErrorKind::Expired,
        format!(
            "cannot resume after {seen}: the history kept starts after it (at {horizon}); render the current state in full (Bus::room does)"
        ),
    )
}

/// Counts and logs a resume from before what the history keeps (`horizon`).
#[cfg_attr(not(feature = "tracing"), allow(unused_variables))]
pub(crate) fn note_expired(seen: u64, horizon: u64) {
    crate::stats::RESUMES_EXPIRED.incr();
    crate::log::debug!(
        seen,
        horizon,
        "bus: a resume from before the history kept; the client is sent the state in full"
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ring(messages: usize, bytes: usize) -> Ring {
        let mut r = Ring::default();
        r.set_limits(Some(messages), Some(bytes));
        r
    }

    fn put(r: &mut Ring, topic: &str, len: usize) -> u64 {
        r.store(
            topic.into(),
            "s".into(),
            Bytes::from(vec![b'x'; len]),
            false,
        )
        .sequence()
        .unwrap()
    }

    /// The byte count is exact after every store, and the bounds hold.
    #[test]
    fn bounds_hold_in_messages_and_bytes() {
        let mut r = ring(3, 4_000);
        for i in 0..100 {
            put(&mut r, &format!("t.{}", i % 7), 100 + i);
            let counted: usize = r
                .topics
                .iter()
                .map(|(t, ring)| {
                    t.len()
                        + TOPIC_OVERHEAD
                        + ring.messages.iter().map(Message::size).sum::<usize>()
                })
                .sum();
            assert_eq!(r.bytes(), counted);
            assert!(r.bytes() <= 4_000);
            assert!(r.topics.values().all(|t| t.messages.len() <= 3));
            assert_eq!(
                r.order.len(),
                r.topics.values().map(|t| t.messages.len()).sum::<usize>()
            );
        }
    }

    /// A resume within what is kept gets exactly what came after; one from before it is expired.
    #[test]
    fn resume_within_and_before_the_ring() {
        let mut r = ring(2, 1 << 20);
        let p = Pattern::new("a").unwrap();
        let s1 = put(&mut r, "a", 1);
        let _ = put(&mut r, "b", 1);
        let s3 = put(&mut r, "a", 1);
        let s4 = put(&mut r, "a", 1); // drops s1 from `a`
        let m = r.missed(std::slice::from_ref(&p), s3, 10, 1 << 20).unwrap();
        assert_eq!(
            m.messages
                .iter()
                .map(|m| m.sequence().unwrap())
                .collect::<Vec<_>>(),
            [s4]
        );
        assert_eq!((m.lost, m.upto), (0, s4));
        r.missed(std::slice::from_ref(&p), s1, 10, 1 << 20).unwrap();
        let err = r.missed(&[p], s1 - 1, 10, 1 << 20).unwrap_err();
        assert_eq!(err.kind(), BusErrorKind::Expired);
    }
}
