//! Compile-time signal checks: `html!` emits `const _: () = { if let Some(m) = check_signal(..)
//! { panic!("{}", m.as_str()) } };` for every `$name` it cannot resolve from the template itself;
//! the message (with the closest declared name) is built in const evaluation.
#![allow(missing_docs)]

use crate::signals::{Field, Shape};

/// A message built in const evaluation (fixed buffer, truncated if too long).
pub struct Msg {
    buf: [u8; 640],
    len: usize,
}

impl Msg {
    const fn new() -> Msg {
        Msg {
            buf: [0; 640],
            len: 0,
        }
    }

    const fn push(self, s: &str) -> Msg {
        self.push_bytes(s.as_bytes())
    }

    const fn push_bytes(mut self, b: &[u8]) -> Msg {
        let mut i = 0;
        while i < b.len() && self.len < self.buf.len() {
            self.buf[self.len] = b[i];
            self.len += 1;
            i += 1;
        }
        self
    }

    pub const fn as_str(&self) -> &str {
        let (mut head, _) = self.buf.split_at(self.len);
        // Truncation may cut a character: back off to a boundary.
        loop {
            match core::str::from_utf8(head) {
                Ok(s) => return s,
                Err(_) => head = head.split_at(head.len() - 1).0,
            }
        }
    }
}

const fn bytes_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

const fn sub(b: &[u8], start: usize, end: usize) -> &[u8] {
    b.split_at(end).0.split_at(start).1
}

const fn segment_end(p: &[u8], start: usize) -> usize {
    let mut i = start;
    while i < p.len() && p[i] != b'.' {
        i += 1;
    }
    i
}

/// Edit distance for names up to 48 bytes (longer: "far").
const fn distance(a: &[u8], b: &[u8]) -> usize {
    const MAX: usize = 48;
    if a.len() > MAX || b.len() > MAX {
        return usize::MAX;
    }
    let mut prev = [0usize; MAX + 1];
    let mut cur = [0usize; MAX + 1];
    let mut j = 0;
    while j <= b.len() {
        prev[j] = j;
        j += 1;
    }
    let mut i = 1;
    while i <= a.len() {
        cur[0] = i;
        let mut j = 1;
        while j <= b.len() {
            let cost = if a[i - 1] == b[j - 1] { 0 } else { 1 };
            let mut best = prev[j] + 1;
            if cur[j - 1] + 1 < best {
                best = cur[j - 1] + 1;
            }
            if prev[j - 1] + cost < best {
                best = prev[j - 1] + cost;
            }
            cur[j] = best;
            j += 1;
        }
        prev = cur;
        i += 1;
    }
    prev[b.len()]
}

const fn close_enough(d: usize, len: usize) -> bool {
    let limit = if len <= 2 {
        1
    } else if len <= 5 {
        2
    } else {
        3
    };
    d <= limit
}

/// Where resolving a path in a shape failed: the fields at that level and the segment.
struct Miss {
    fields: &'static [Field],
    seg_start: usize,
    seg_end: usize,
}

/// `None` if `path` resolves in `shape`, else where it failed.
const fn resolve(shape: Shape, p: &[u8]) -> Option<Miss> {
    let mut cur = shape;
    let mut pos = 0;
    loop {
        if pos >= p.len() {
            return None;
        }
        let end = segment_end(p, pos);
        match cur {
            Shape::Leaf | Shape::Dynamic => return None,
            Shape::Object(fields) => {
                let mut i = 0;
                let mut found = false;
                while i < fields.len() {
                    if bytes_eq(fields[i].name.as_bytes(), sub(p, pos, end)) {
                        cur = fields[i].shape;
                        found = true;
                        break;
                    }
                    i += 1;
                }
                if !found {
                    return Some(Miss {
                        fields,
                        seg_start: pos,
                        seg_end: end,
                    });
                }
                pos = end + 1;
            }
        }
    }
}

/// Checks `path` against the declared signal types' shapes and the names the template defines
/// itself (`locals`). Returns the error message if it is known nowhere.
pub const fn check_signal(
    shapes: &[Shape],
    locals: &[&str],
    path: &str,
    declared: &str,
) -> Option<Msg> {
    let p = path.as_bytes();
    let mut best: Option<Miss> = None;
    let mut i = 0;
    while i < shapes.len() {
        match resolve(shapes[i], p) {
            None => return None,
            Some(miss) => {
                let deeper = match &best {
                    None => true,
                    Some(b) => miss.seg_start > b.seg_start,
                };
                if deeper {
                    best = Some(miss);
                }
            }
        }
        i += 1;
    }
    let msg = Msg::new().push("unknown signal `$").push(path).push("`");
    // The closest name: a field at the level where resolution failed, or a local name.
    let mut suggestion: Option<(&[u8], &[u8])> = None; // (prefix, name)
    let mut best_d = usize::MAX;
    if let Some(miss) = &best {
        let seg = sub(p, miss.seg_start, miss.seg_end);
        let mut k = 0;
        while k < miss.fields.len() {
            let name = miss.fields[k].name.as_bytes();
            let d = distance(seg, name);
            if d < best_d && close_enough(d, seg.len()) {
                best_d = d;
                suggestion = Some((sub(p, 0, miss.seg_start), name));
            }
            k += 1;
        }
    }
    let mut k = 0;
    while k < locals.len() {
        let name = locals[k].as_bytes();
        let d = distance(p, name);
        if d < best_d && close_enough(d, p.len()) {
            best_d = d;
            suggestion = Some((b"", name));
        }
        k += 1;
    }
    let msg = match suggestion {
        Some((prefix, name)) => msg
            .push("\n\nhelp: did you mean `$")
            .push_bytes(prefix)
            .push_bytes(name)
            .push("`?"),
        None => msg.push("\n\nhelp: it is not a field of ").push(declared).push(
            " nor a signal this template defines; a name only JavaScript defines can be declared as a string: `@signals(\"",
        )
        .push(path)
        .push("\")`"),
    };
    Some(msg)
}

/// The shape of a type declared with `@signals(T)`; fails to compile unless it is a signals type.
pub const fn shape_of<T: crate::signals::Signals + ?Sized>() -> Shape {
    T::SHAPE
}
