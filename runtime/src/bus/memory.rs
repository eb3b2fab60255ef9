//! The in-process backend: a token trie of patterns, so a publish visits only the subscriptions
//! whose patterns can match, never the whole list.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use bytes::Bytes;

use super::history::Missed;
use super::queue::Queue;
use super::ring::Ring;
use super::{BusError, History, Message, Pattern};

type Sub = (u64, Arc<Queue>);

#[derive(Default)]
struct Node {
    children: HashMap<Box<str>, Node>,
    star: Option<Box<Node>>,
    /// Subscriptions whose pattern ends with `>` here.
    rest: Vec<Sub>,
    /// Subscriptions whose pattern ends exactly here.
    here: Vec<Sub>,
}

impl Node {
    fn is_empty(&self) -> bool {
        self.children.is_empty()
            && self.star.is_none()
            && self.rest.is_empty()
            && self.here.is_empty()
    }

    fn child_mut(&mut self, token: &str) -> Option<&mut Node> {
        match token {
            "*" => self.star.as_deref_mut(),
            t => self.children.get_mut(t),
        }
    }

    /// Does this node hold anything besides its link to the child for `token`?
    fn holds_more_than(&self, token: &str) -> bool {
        let (named, star) = if token == "*" { (0, 1) } else { (1, 0) };
        !self.here.is_empty()
            || !self.rest.is_empty()
            || self.children.len() > named
            || usize::from(self.star.is_some()) > star
    }

    // Insert, remove and collect loop over the tokens instead of recursing, so no topic or
    // pattern can exhaust the stack (their depth is also capped by `MAX_TOPIC_TOKENS`).

    fn insert(&mut self, pattern: &Pattern, sub: Sub) {
        let mut node = self;
        for t in pattern.tokens() {
            node = match t {
                ">" => {
                    node.rest.push(sub);
                    return;
                }
                "*" => node.star.get_or_insert_with(Default::default),
                t => node.children.entry(t.into()).or_default(),
            };
        }
        node.here.push(sub);
    }

    fn remove(&mut self, pattern: &Pattern, id: u64) {
        let tokens: Vec<&str> = pattern.tokens().collect();
        let (path, rest) = match tokens.split_last() {
            Some((&">", path)) => (path, true),
            _ => (&tokens[..], false),
        };
        // Walk down, remembering the deepest node that must stay whatever happens below it.
        let mut keep = 0;
        let mut node = &mut *self;
        for (i, t) in path.iter().enumerate() {
            if node.holds_more_than(t) {
                keep = i;
            }
            node = match node.child_mut(t) {
                Some(child) => child,
                None => return,
            };
        }
        let subs = if rest { &mut node.rest } else { &mut node.here };
        subs.retain(|s| s.0 != id);
        if path.is_empty() || !node.is_empty() {
            return;
        }
        // Everything below `keep` on the path is now empty: cut it off there.
        let mut node = self;
        for t in &path[..keep] {
            node = match node.child_mut(t) {
                Some(child) => child,
                None => return,
            };
        }
        match path[keep] {
            "*" => node.star = None,
            t => {
                node.children.remove(t);
            }
        }
    }

    fn collect<'n>(&'n self, topic: &[&str], out: &mut Vec<&'n Sub>) {
        let mut stack = vec![(self, 0)];
        while let Some((node, depth)) = stack.pop() {
            let Some(token) = topic.get(depth) else {
                out.extend(&node.here);
                continue;
            };
            out.extend(&node.rest);
            if let Some(child) = node.children.get(*token) {
                stack.push((child, depth + 1));
            }
            if let Some(star) = &node.star {
                stack.push((star, depth + 1));
            }
        }
    }
}

impl Drop for Node {
    /// Frees the subtree with a loop, not the recursive drop glue.
    fn drop(&mut self) {
        let mut stack: Vec<Node> = self.children.drain().map(|(_, n)| n).collect();
        stack.extend(self.star.take().map(|n| *n));
        while let Some(mut node) = stack.pop() {
            stack.extend(node.children.drain().map(|(_, n)| n));
            stack.extend(node.star.take().map(|n| *n));
        }
    }
}

#[derive(Default)]
pub(crate) struct MemoryBus {
    trie: RwLock<Node>,
    next_id: AtomicU64,
    count: AtomicU64,
    /// The optional history (off by default); `keeps` mirrors whether it is on.
    ring: Mutex<Ring>,
    keeps: AtomicBool,
}

impl MemoryBus {
    /// Publishes a new message; with history on, numbers and keeps it first, and delivers it
    /// under the history's lock, so subscribers receive messages in sequence order.
    pub(crate) fn publish_new(&self, topic: String, sender: String, payload: Bytes, event: bool) {
        if self.keeps.load(Ordering::Acquire) {
            let mut ring = self.ring.lock().unwrap_or_else(|p| p.into_inner());
            if ring.is_on() {
                let message = ring.store(topic, sender, payload, event);
                self.publish(message);
                return;
            }
        }
        self.publish(Message::build(topic, sender, payload, None, event));
    }

    /// Sets the history's bounds (`None` leaves one as it is).
    pub(crate) fn set_history(&self, messages: Option<usize>, bytes: Option<usize>) {
        let mut ring = self.ring.lock().unwrap_or_else(|p| p.into_inner());
        ring.set_limits(messages, bytes);
        self.keeps.store(ring.is_on(), Ordering::Release);
    }

    pub(crate) fn keeps_history(&self) -> bool {
        self.keeps.load(Ordering::Acquire)
    }

    pub(crate) fn history(&self, pattern: &Pattern, n: usize) -> History {
        if !self.keeps_history() {
            return History::default();
        }
        let ring = self.ring.lock().unwrap_or_else(|p| p.into_inner());
        ring.history(pattern, n)
    }

    /// What a subscription resuming after `seen` missed (see `Ring::missed`).
    pub(crate) fn missed(
        &self,
        patterns: &[Pattern],
        seen: u64,
        max_messages: usize,
        max_bytes: usize,
    ) -> Result<Option<Missed>, BusError> {
        if !self.keeps_history() {
            return Ok(None);
        }
        let ring = self.ring.lock().unwrap_or_else(|p| p.into_inner());
        ring.missed(patterns, seen, max_messages, max_bytes)
            .map(Some)
    }

    pub(crate) fn publish(&self, message: Message) -> usize {
        let tokens: Vec<&str> = message.topic().split('.').collect();
        let trie = self.trie.read().unwrap_or_else(|p| p.into_inner());
        let mut subs = Vec::new();
        trie.collect(&tokens, &mut subs);
        if subs.len() > 1 {
            // A subscription with several matching patterns gets the message once.
            subs.sort_unstable_by_key(|s| s.0);
            subs.dedup_by_key(|s| s.0);
        }
        for (_, queue) in &subs {
            queue.push(message.clone());
        }
        subs.len()
    }

    pub(crate) fn subscribe(&self, patterns: &[Pattern], queue: Arc<Queue>) -> u64 {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let mut trie = self.trie.write().unwrap_or_else(|p| p.into_inner());
        for p in patterns {
            trie.insert(p, (id, queue.clone()));
        }
        self.count.fetch_add(1, Ordering::Relaxed);
        id
    }

    pub(crate) fn unsubscribe(&self, patterns: &[Pattern], id: u64) {
        let mut trie = self.trie.write().unwrap_or_else(|p| p.into_inner());
        for p in patterns {
            trie.remove(p, id);
        }
        self.count.fetch_sub(1, Ordering::Relaxed);
    }

    pub(crate) fn count(&self) -> usize {
        self.count.load(Ordering::Relaxed) as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Pattern {
        Pattern::new(s).unwrap()
    }

    /// Removing subscriptions prunes exactly the branches nothing else needs, in any order.
    #[test]
    fn removal_prunes_only_what_is_unused() {
        let patterns = [
            "a.b.c",
            "a.b.>",
            "a.*.c",
            "a.b",
            "a.>",
            "*",
            ">",
            "a.b.c.d.e",
            "x.*.*.>",
            "a.b.c",
        ];
        for rotate in 0..patterns.len() {
            let bus = MemoryBus::default();
            let queue = Arc::new(Queue::new(4, usize::MAX));
            let ids: Vec<(u64, Pattern)> = patterns
                .iter()
                .map(|s| (bus.subscribe(&[p(s)], queue.clone()), p(s)))
                .collect();
            let mut order: Vec<_> = ids.iter().collect();
            order.rotate_left(rotate);
            for (n, (id, pattern)) in order.iter().enumerate() {
                bus.unsubscribe(std::slice::from_ref(pattern), *id);
                // Every remaining subscription still receives a matching topic.
                for (other_id, other) in &order[n + 1..] {
                    let topic = other.as_str().replace(['*', '>'], "z");
                    let trie = bus.trie.read().unwrap();
                    let mut out = Vec::new();
                    trie.collect(&topic.split('.').collect::<Vec<_>>(), &mut out);
                    assert!(
                        out.iter().any(|s| s.0 == *other_id),
                        "{other} lost after removing {pattern}"
                    );
                }
            }
            assert!(bus.trie.read().unwrap().is_empty(), "rotation {rotate}");
            assert_eq!(bus.count(), 0);
        }
    }
}
