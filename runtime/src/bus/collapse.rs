//! Collapsing a full queue: before a slow subscriber loses messages, the queued events that a
//! later queued event makes redundant are removed, so it receives the latest state instead of
//! a gap.
//!
//! Only events published as SSE events (with [`Bus::publish`](super::Bus::publish)) (the queue sees their SSE
//! bytes), one event per message, from the same sender, and never across a message carrying a
//! `<script` (a script may observe the state in between). Two events collapse when:
//!
//! - **element patches** whose later one replaces everything the earlier one did: mode `inner`
//!   on the same `#id` selector; or mode `outer`/`replace` whose top-level elements all have
//!   ids, the same ids in the same order (and, with a `#id` selector, exactly one element with
//!   that id), so the target still matches after the first one. The same other options too.
//!   Appends, prepends, before/after and removals never collapse;
//! - **signal patches** (without `onlyIfMissing`): the two JSON merge patches (RFC 7386) are
//!   composed into one, when that is exactly expressible as a merge patch (it is not when the
//!   earlier sets a key to a non-object and the later patches it as an object).
//!
//! The merged event takes the position (and the sequence) of the later one.

use std::collections::{HashMap, VecDeque};

use bytes::Bytes;
use serde_json::{Map, Value};

use super::Message;

/// How a queued message may collapse.
pub(crate) enum Kind {
    /// Never merged; the collapse scan goes on past it.
    Other,
    /// Nothing before it may merge with anything after it.
    Barrier,
    /// An element patch made redundant by a later one with the same key.
    Replace(Box<[u8]>),
    /// A signals patch.
    Signals(Value),
}

/// The largest signals patch a merge may produce: beyond it, the two patches stay apart.
const MAX_MERGED_BYTES: usize = 16 * 1024;

/// Classifies one message (the result is cached on the message, shared by every queue).
pub(crate) fn classify(m: &Message) -> Kind {
    if !m.is_event() {
        return Kind::Other;
    }
    let payload: &[u8] = m.payload_bytes();
    let script = memchr::memchr_iter(b'<', payload).any(|i| {
        payload
            .get(i..i + 7)
            .is_some_and(|t| t.eq_ignore_ascii_case(b"<script"))
    });
    if script {
        return Kind::Barrier;
    }
    let Ok(text) = std::str::from_utf8(payload) else {
        return Kind::Barrier;
    };
    // Exactly one event: it ends with the only blank line.
    let Some(body) = text.strip_suffix("\n\n") else {
        return Kind::Other;
    };
    if body.contains("\n\n") {
        return Kind::Other;
    }
    let mut lines = body.split('\n');
    match lines.next() {
        Some("event: datastar-patch-elements") => elements(lines),
        Some("event: datastar-patch-signals") => signals(lines),
        _ => Kind::Other,
    }
}

fn elements<'a>(lines: impl Iterator<Item = &'a str>) -> Kind {
    let mut key = String::new();
    let mut selector = None;
    let mut mode = "outer";
    let mut html = String::new();
    for line in lines {
        let Some(data) = line.strip_prefix("data: ") else {
            // id:, retry: or anything unexpected
            return Kind::Other;
        };
        if let Some(e) = data.strip_prefix("elements ") {
            if !html.is_empty() {
                html.push('\n');
            }
            html.push_str(e);
            continue;
        }
        if let Some(s) = data.strip_prefix("selector ") {
            selector = Some(s);
        } else if let Some(m) = data.strip_prefix("mode ") {
            mode = m;
        }
        key.push_str(data);
        key.push('\n');
    }
    match mode {
        "inner" => match selector.and_then(simple_id) {
            Some(_) => Kind::Replace(key.into_bytes().into()),
            None => Kind::Other,
        },
        "outer" | "replace" => {
            let mut ids = Vec::new();
            let mut all = true;
            crate::sse::patch_elements::top_level_elements(&html, |_, id| match id {
                Some(id) if !id.is_empty() => {
                    ids.push(id.to_owned());
                    true
                }
                _ => {
                    all = false;
                    false
                }
            });
            if !all || ids.is_empty() {
                return Kind::Other;
            }
            if let Some(sel) = selector {
                // The target must still match after the first patch.
                match simple_id(sel) {
                    Some(id) if ids.len() == 1 && ids[0] == id => {}
                    _ => return Kind::Other,
                }
            }
            for id in ids {
                key.push_str("id ");
                key.push_str(&id);
                key.push('\n');
            }
            Kind::Replace(key.into_bytes().into())
        }
        _ => Kind::Other,
    }
}

/// The id of a `#id` selector made of plain id characters.
fn simple_id(s: &str) -> Option<&str> {
    s.strip_prefix('#').filter(|id| {
        !id.is_empty()
            && id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    })
}

fn signals<'a>(lines: impl Iterator<Item = &'a str>) -> Kind {
    let mut json = String::new();
    for line in lines {
        match line.strip_prefix("data: signals ") {
            Some(s) => {
                if !json.is_empty() {
                    json.push('\n');
                }
                json.push_str(s);
            }
            // onlyIfMissing, id:, retry:, anything else
            None => return Kind::Other,
        }
    }
    match serde_json::from_str::<Value>(&json) {
        Ok(v @ Value::Object(_)) => Kind::Signals(v),
        _ => Kind::Other,
    }
}

/// The merge patch equal to applying `first` then `second` (RFC 7386), if there is one.
pub(crate) fn compose(first: &Value, second: &Value) -> Option<Value> {
    let Value::Object(second) = second else {
        // A non-object replaces whatever was there.
        return Some(second.clone());
    };
    let Value::Object(first) = first else {
        // `first` set a non-object (or removed it); an object patch on that starts from {},
        // which a merge patch cannot say.
        return None;
    };
    let mut out: Map<String, Value> = first.clone();
    for (k, v2) in second {
        let merged = match (first.get(k), v2) {
            (None, v2) => v2.clone(),
            (Some(_), v2 @ Value::Object(_)) => compose(&first[k], v2)?,
            (Some(_), v2) => v2.clone(),
        };
        out.insert(k.clone(), merged);
    }
    Some(Value::Object(out))
}

/// A sender and a collapse key (`None` for signal patches).
type Slot = (String, Option<Box<[u8]>>);

/// Removes the queued messages made redundant by later ones; returns how many went.
pub(crate) fn collapse(items: &mut VecDeque<Message>) -> usize {
    let mut drop = vec![false; items.len()];
    // Per (sender, key; `None` for signals): the latest collapsible message since the last
    // barrier.
    let mut latest: HashMap<Slot, usize> = HashMap::new();
    // Messages replaced by a merge, by index.
    let mut merged: HashMap<usize, Message> = HashMap::new();
    for i in 0..items.len() {
        let kind = items[i].collapse_kind();
        let sender = items[i].sender().to_owned();
        match &*kind {
            Kind::Other => {}
            Kind::Barrier => latest.clear(),
            Kind::Replace(key) => {
                if let Some(j) = latest.insert((sender, Some(key.clone())), i) {
                    drop[j] = true;
                }
            }
            Kind::Signals(later) => {
                let slot = (sender, None);
                if let Some(&j) = latest.get(&slot) {
                    let earlier = merged.get(&j).unwrap_or(&items[j]).collapse_kind();
                    if let Kind::Signals(earlier) = &*earlier {
                        if let Some(v) = compose(earlier, later) {
                            let m = items[i].with_signals(v);
                            // Bounded: a merge that keeps growing (every key ever patched)
                            // stops here and the queue drops its oldest instead.
                            if m.payload_bytes().len() <= MAX_MERGED_BYTES {
                                drop[j] = true;
                                merged.remove(&j);
                                merged.insert(i, m);
                            }
                        }
                    }
                }
                latest.insert(slot, i);
            }
        }
    }
    let removed = drop.iter().filter(|d| **d).count();
    if removed == 0 {
        return 0;
    }
    for (i, m) in merged {
        items[i] = m;
    }
    let mut i = 0;
    items.retain(|_| {
        i += 1;
        !drop[i - 1]
    });
    removed
}

/// The SSE bytes of a signals patch of `v`.
pub(crate) fn signals_event(v: &Value) -> Bytes {
    let mut buf = bytes::BytesMut::new();
    // A composed object of parsed JSON always encodes.
    let _ = crate::sse::Event::encode_to(&crate::sse::PatchSignals::new(v), &mut buf);
    buf.freeze()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// RFC 7386's algorithm, to check compositions against.
    fn apply(target: &Value, patch: &Value) -> Value {
        let Value::Object(p) = patch else {
            return patch.clone();
        };
        let mut t = match target {
            Value::Object(t) => t.clone(),
            _ => Map::new(),
        };
        for (k, v) in p {
            if v.is_null() {
                t.remove(k);
            } else {
                let old = t.get(k).cloned().unwrap_or(Value::Null);
                t.insert(k.clone(), apply(&old, v));
            }
        }
        Value::Object(t)
    }

    #[test]
    fn composition_equals_applying_both() {
        let docs = [
            json!({}),
            json!({"a": 1, "b": {"c": 2, "d": [1]}, "e": null}),
            json!({"a": {"x": 1}, "b": 3}),
        ];
        let patches = [
            json!({"a": 2}),
            json!({"a": null}),
            json!({"b": {"c": null, "z": 5}}),
            json!({"b": 7}),
            json!({"a": {"x": {"y": 1}}, "n": null}),
            json!({"b": {"d": {"q": 1}}}),
            json!({"new": {"deep": {"er": true}}}),
        ];
        let mut composed = 0;
        for p1 in &patches {
            for p2 in &patches {
                let Some(c) = compose(p1, p2) else { continue };
                composed += 1;
                for d in &docs {
                    assert_eq!(
                        apply(&apply(d, p1), p2),
                        apply(d, &c),
                        "{p1} then {p2} vs {c} on {d}"
                    );
                }
            }
        }
        assert!(composed >= 40, "{composed}");
        // Not expressible: `a` set to a number, then patched as an object.
        assert_eq!(compose(&json!({"a": 1}), &json!({"a": {"x": 1}})), None);
        assert_eq!(compose(&json!({"a": null}), &json!({"a": {"x": 1}})), None);
    }
}

#[cfg(test)]
mod queue_tests {
    use super::*;
    use crate::sse::{Event, ExecuteScript, Mode, PatchElements, PatchSignals};
    use crate::{PreEscaped, Selector};
    use serde_json::json;

    fn msg(sender: &str, e: impl Event) -> Message {
        let mut b = bytes::BytesMut::new();
        e.encode_to(&mut b).unwrap();
        Message::build("t".into(), sender.into(), b.freeze(), None, true)
    }

    fn outer(html: &'static str) -> Message {
        msg("s", PatchElements::new(PreEscaped(html)))
    }

    fn text(items: &VecDeque<Message>) -> Vec<String> {
        items
            .iter()
            .map(|m| String::from_utf8(m.payload_bytes().to_vec()).unwrap())
            .collect()
    }

    fn run(v: Vec<Message>) -> (usize, Vec<String>) {
        let mut q: VecDeque<Message> = v.into();
        let n = collapse(&mut q);
        (n, text(&q))
    }

    #[test]
    fn signals_merge_into_the_latest_position() {
        let append = msg(
            "s",
            PatchElements::at(
                Selector::css("#log"),
                Mode::Append,
                PreEscaped("<li>x</li>"),
            ),
        );
        let (n, out) = run(vec![
            msg("s", PatchSignals::new(&json!({"a": 1, "o": {"x": 1}}))),
            append.clone(),
            msg("s", PatchSignals::new(&json!({"b": 2, "o": {"y": 2}}))),
            msg("s", PatchSignals::new(&json!({"a": 3, "o": {"x": null}}))),
        ]);
        assert_eq!(n, 2);
        assert_eq!(out.len(), 2);
        assert!(out[0].contains("mode append"));
        assert_eq!(
            out[1],
            "event: datastar-patch-signals\ndata: signals {\"a\":3,\"b\":2,\"o\":{\"x\":null,\"y\":2}}\n\n"
        );
    }

    /// A merge that would keep every key ever patched stops at `MAX_MERGED_BYTES`: the two
    /// patches stay apart (and the queue drops its oldest as before).
    #[test]
    fn merges_are_bounded() {
        let big = "v".repeat(MAX_MERGED_BYTES / 2 + 10);
        let (n, out) = run(vec![
            msg("s", PatchSignals::new(&json!({ "a": big }))),
            msg("s", PatchSignals::new(&json!({ "b": big }))),
        ]);
        assert_eq!((n, out.len()), (0, 2));
        let (n, out) = run(vec![
            msg("s", PatchSignals::new(&json!({ "a": "x" }))),
            msg("s", PatchSignals::new(&json!({ "b": "y" }))),
        ]);
        assert_eq!((n, out.len()), (1, 1));
    }

    #[test]
    fn script_barriers_match_any_case() {
        let (n, out) = run(vec![
            outer("<div id=\"x\">1</div>"),
            outer("<div id=\"x\">2<ScRiPt>go()</ScRiPt></div>"),
            outer("<div id=\"x\">3</div>"),
        ]);
        assert_eq!((n, out.len()), (0, 3), "{out:#?}");
    }

    #[test]
    fn whole_target_patches_keep_the_latest() {
        let (n, out) = run(vec![
            outer("<div id=\"x\">1</div>"),
            outer("<div id=\"y\">1</div>"),
            outer("<div id=\"x\">2</div><div id=\"y\">2</div>"),
            outer("<div id=\"x\">3</div>"),
            msg(
                "s",
                PatchElements::at(Selector::css("#x"), Mode::Inner, PreEscaped("<i>a</i>")),
            ),
            msg(
                "s",
                PatchElements::at(Selector::css("#x"), Mode::Inner, PreEscaped("<i>b</i>")),
            ),
        ]);
        assert_eq!(n, 2, "{out:#?}");
        assert_eq!(out.len(), 4);
        assert!(out[0].contains("id=\"y\">1"));
        assert!(out[1].contains("<div id=\"x\">2</div><div id=\"y\">2</div>"));
        assert!(out[2].contains("id=\"x\">3"));
        assert!(out[3].contains("<i>b</i>"));
    }

    #[test]
    fn unsafe_pairs_are_kept() {
        let append = || {
            msg(
                "s",
                PatchElements::at(
                    Selector::css("#log"),
                    Mode::Append,
                    PreEscaped("<li>x</li>"),
                ),
            )
        };
        // Appends never collapse.
        assert_eq!(run(vec![append(), append()]).0, 0);
        // An outer patch whose element no longer matches its selector.
        let moved = || {
            msg(
                "s",
                PatchElements::at(
                    Selector::css("#x"),
                    Mode::Outer,
                    PreEscaped("<div id=\"other\">1</div>"),
                ),
            )
        };
        assert_eq!(run(vec![moved(), moved()]).0, 0);
        // A selector that is not a plain `#id`.
        let class = || {
            msg(
                "s",
                PatchElements::at(
                    Selector::css(".c"),
                    Mode::Outer,
                    PreEscaped("<p class=\"c\">1</p>"),
                ),
            )
        };
        assert_eq!(run(vec![class(), class()]).0, 0);
        // Not across a script.
        let s = |v: i32| msg("s", PatchSignals::new(&json!({ "a": v })));
        assert_eq!(
            run(vec![s(1), msg("s", ExecuteScript::new("go()")), s(2)]).0,
            0
        );
        // Not across senders.
        assert_eq!(
            run(vec![s(1), msg("t", PatchSignals::new(&json!({ "a": 2 })))]).0,
            0
        );
        // onlyIfMissing is left alone.
        let missing = || {
            msg(
                "s",
                PatchSignals::new(&json!({ "a": 1 })).only_if_missing(true),
            )
        };
        assert_eq!(run(vec![missing(), missing()]).0, 0);
        // Not expressible as one merge patch.
        assert_eq!(
            run(vec![
                s(1),
                msg("s", PatchSignals::new(&json!({ "a": { "b": 1 } })))
            ])
            .0,
            0
        );
        // Non-event messages are the mapping's business.
        let plain = || Message::build("t".into(), "s".into(), Bytes::from("1"), None, false);
        assert_eq!(run(vec![plain(), plain()]).0, 0);
    }

    #[test]
    fn a_full_queue_collapses_before_dropping() {
        use std::task::{Context, Poll};
        let q = super::super::queue::Queue::new(4, usize::MAX);
        for i in 0..100 {
            q.push(msg(
                "s",
                PatchSignals::new(&json!({ "n": i, format!("k{}", i % 3): i })),
            ));
        }
        let waker = futures_util::task::noop_waker();
        let mut cx = Context::from_waker(&waker);
        let mut got = Vec::new();
        while let Poll::Ready(Some(item)) = q.poll_next(&mut cx) {
            got.push(String::from_utf8(item.expect("no gap").payload_bytes().to_vec()).unwrap());
        }
        assert!(got.len() <= 4, "{got:#?}");
        let last = got.last().unwrap();
        assert!(last.contains("\"n\":99"), "{last}");
        let all = got.concat();
        for k in ["\"k0\":99", "\"k1\":97", "\"k2\":98"] {
            assert!(all.contains(k), "{k} missing: {got:#?}");
        }
    }
}
