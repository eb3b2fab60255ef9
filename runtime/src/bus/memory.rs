//! The in-process backend: a token trie of patterns, so a publish visits only the subscriptions
//! whose patterns can match, never the whole list.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

use super::queue::Queue;
use super::{Message, Pattern};

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

    fn insert<'a>(&mut self, mut tokens: impl Iterator<Item = &'a str>, sub: Sub) {
        match tokens.next() {
            None => self.here.push(sub),
            Some(">") => self.rest.push(sub),
            Some("*") => self
                .star
                .get_or_insert_with(Default::default)
                .insert(tokens, sub),
            Some(t) => self
                .children
                .entry(t.into())
                .or_default()
                .insert(tokens, sub),
        }
    }

    fn remove<'a>(&mut self, mut tokens: impl Iterator<Item = &'a str>, id: u64) {
        match tokens.next() {
            None => self.here.retain(|s| s.0 != id),
            Some(">") => self.rest.retain(|s| s.0 != id),
            Some("*") => {
                if let Some(star) = &mut self.star {
                    star.remove(tokens, id);
                    if star.is_empty() {
                        self.star = None;
                    }
                }
            }
            Some(t) => {
                if let Some(child) = self.children.get_mut(t) {
                    child.remove(tokens, id);
                    if child.is_empty() {
                        self.children.remove(t);
                    }
                }
            }
        }
    }

    fn collect<'n>(&'n self, topic: &[&str], out: &mut Vec<&'n Sub>) {
        let Some((first, rest)) = topic.split_first() else {
            out.extend(&self.here);
            return;
        };
        out.extend(&self.rest);
        if let Some(child) = self.children.get(*first) {
            child.collect(rest, out);
        }
        if let Some(star) = &self.star {
            star.collect(rest, out);
        }
    }
}

#[derive(Default)]
pub(crate) struct MemoryBus {
    trie: RwLock<Node>,
    next_id: AtomicU64,
    count: AtomicU64,
}

impl MemoryBus {
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
            trie.insert(p.tokens(), (id, queue.clone()));
        }
        self.count.fetch_add(1, Ordering::Relaxed);
        id
    }

    pub(crate) fn unsubscribe(&self, patterns: &[Pattern], id: u64) {
        let mut trie = self.trie.write().unwrap_or_else(|p| p.into_inner());
        for p in patterns {
            trie.remove(p.tokens(), id);
        }
        self.count.fetch_sub(1, Ordering::Relaxed);
    }

    pub(crate) fn count(&self) -> usize {
        self.count.load(Ordering::Relaxed) as usize
    }
}
