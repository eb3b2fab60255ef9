//! Writes a layout tree in the house style (see the crate docs): a node on one line when it
//! fits in [`WIDTH`] columns and none of its blocks holds more than one element or control
//! node; otherwise its blocks open at the end of the line, their nodes one per line indented
//! by four more spaces, and close on a line of their own.

use crate::layout::{Block, Node, Seg};

/// The line width, as rustfmt's default `max_width`.
pub const WIDTH: usize = 100;

const INDENT: &str = "    ";

/// The template inside the macro's delimiters `open`/`close`: `open` is at column `column` of a
/// line indented with `indent`.
pub fn template(
    src: &str,
    block: &Block,
    open: char,
    close: char,
    indent: &str,
    column: usize,
) -> String {
    let w = Writer { src };
    let pad = if open == '{' { " " } else { "" };
    if block.close_comments.is_empty() && block.open_comments.is_empty() {
        if block.items.is_empty() {
            return format!("{open}{close}");
        }
        if let Some(flat) = w.flat_items(&block.items) {
            let line = format!("{open}{pad}{flat}{pad}{close}");
            if column + width(&line) <= WIDTH {
                return line;
            }
        }
    }
    let mut out = String::new();
    out.push(open);
    out.push('\n');
    w.items(block, indent, &mut out);
    out.push_str(indent);
    out.push(close);
    out
}

fn width(s: &str) -> usize {
    s.chars().count()
}

struct Writer<'s> {
    src: &'s str,
}

impl Writer<'_> {
    /// A node on one line, if it can be written so (no comment but before it, no line break
    /// in its text, blocks holding at most one element or control node).
    fn flat(&self, node: &Node) -> Option<String> {
        let mut s = String::new();
        let mut first = true;
        for seg in &node.segs {
            match seg {
                Seg::Words(pieces) => {
                    for p in pieces {
                        if !p.comments.is_empty() && !first {
                            return None;
                        }
                        first = false;
                        let text = p.text(self.src);
                        if text.contains('\n') {
                            return None;
                        }
                        if !s.is_empty() && !p.glue {
                            s.push(' ');
                        }
                        s.push_str(&text);
                    }
                }
                Seg::Block(b) => {
                    first = false;
                    if !b.open_comments.is_empty() || !b.close_comments.is_empty() {
                        return None;
                    }
                    if !s.is_empty() {
                        s.push(' ');
                    }
                    if b.items.is_empty() {
                        s.push_str("{}");
                    } else {
                        s.push_str("{ ");
                        s.push_str(&self.flat_items(&b.items)?);
                        s.push_str(" }");
                    }
                }
            }
        }
        Some(s)
    }

    fn flat_items(&self, items: &[Node]) -> Option<String> {
        if items.iter().filter(|n| n.has_block()).count() > 1 {
            return None;
        }
        if items.iter().any(|n| !leading(n).is_empty()) {
            return None;
        }
        let flat: Option<Vec<String>> = items.iter().map(|n| self.flat(n)).collect();
        Some(flat?.join(" "))
    }

    /// The nodes of `block` one per line at `indent` + 4, then its closing comments; `out` is
    /// at the start of a line.
    fn items(&self, block: &Block, indent: &str, out: &mut String) {
        let inner = format!("{indent}{INDENT}");
        for item in &block.items {
            out.push_str(&inner);
            self.node(item, &inner, out);
            out.push('\n');
        }
        for c in &block.close_comments {
            out.push_str(&inner);
            out.push_str(c);
            out.push('\n');
        }
    }

    /// A node starting at `indent` (where `out` is): on one line if it fits, else broken.
    fn node(&self, node: &Node, indent: &str, out: &mut String) {
        for c in leading(node) {
            out.push_str(c);
            out.push('\n');
            out.push_str(indent);
        }
        if let Some(flat) = self.flat(node) {
            if width(indent) + width(&flat) <= WIDTH {
                out.push_str(&flat);
                return;
            }
        }
        let cont = format!("{indent}{INDENT}");
        let mut at_start = true;
        for seg in &node.segs {
            match seg {
                Seg::Words(pieces) => {
                    for p in pieces {
                        let comments = if at_start { &[][..] } else { &p.comments[..] };
                        comments_inline(comments, &cont, &mut at_start, out);
                        if !at_start && !p.glue {
                            // Attributes that do not fit go on to the next line.
                            let text = p.text(self.src);
                            let first = text.lines().next().unwrap_or("");
                            if line_width(out) + 1 + width(first) > WIDTH {
                                out.push('\n');
                                out.push_str(&cont);
                            } else {
                                out.push(' ');
                            }
                        }
                        self.write_piece(p, out);
                        at_start = false;
                    }
                }
                Seg::Block(b) => {
                    comments_inline(&b.open_comments, &cont, &mut at_start, out);
                    if !at_start {
                        out.push(' ');
                    }
                    at_start = false;
                    if b.items.is_empty() && b.close_comments.is_empty() {
                        out.push_str("{}");
                    } else {
                        out.push_str("{\n");
                        self.items(b, indent, out);
                        out.push_str(indent);
                        out.push('}');
                    }
                }
            }
        }
    }
}

impl Writer<'_> {
    /// A piece where `out` ends. A part that spans lines (a splice written over several lines)
    /// moves with the line it starts on: its other lines are shifted by as many columns as that
    /// line's indentation changed, unless a
    /// line break is inside a literal (a string's bytes are never changed) or a line has too
    /// little indentation to shift.
    fn write_piece(&self, p: &crate::layout::Piece, out: &mut String) {
        let mut first = true;
        for (space, r) in &p.parts {
            if *space && !first {
                out.push(' ');
            }
            first = false;
            let text = &self.src[r.clone()];
            if !text.contains('\n') {
                out.push_str(text);
                continue;
            }
            let old = line_indent(&self.src[..r.start]);
            let new = line_indent(out);
            out.push_str(&shift(text, new as isize - old as isize).unwrap_or_else(|| text.into()));
        }
    }
}

/// The width of the line `text` ends in.
fn line_width(text: &str) -> usize {
    width(&text[text.rfind('\n').map_or(0, |i| i + 1)..])
}

/// The indentation of the line `text` ends in.
fn line_indent(text: &str) -> usize {
    let line = &text[text.rfind('\n').map_or(0, |i| i + 1)..];
    line.len() - line.trim_start_matches([' ', '\t']).len()
}

/// `text` with its lines after the first shifted right by `delta` columns (left when negative);
/// `None` when that cannot be done without changing a literal or eating code.
fn shift(text: &str, delta: isize) -> Option<String> {
    if delta == 0 {
        return None;
    }
    let tokens: proc_macro2::TokenStream = text.parse().ok()?;
    if literal_with_line_break(tokens) {
        return None;
    }
    let mut lines = text.split('\n');
    let mut out = lines.next()?.to_string();
    for line in lines {
        out.push('\n');
        if line.trim().is_empty() {
            out.push_str(line);
        } else if delta > 0 {
            out.push_str(&" ".repeat(delta.unsigned_abs()));
            out.push_str(line);
        } else {
            let n = delta.unsigned_abs();
            if !line.starts_with(&" ".repeat(n)) {
                return None;
            }
            out.push_str(&line[n..]);
        }
    }
    Some(out)
}

fn literal_with_line_break(tokens: proc_macro2::TokenStream) -> bool {
    tokens.into_iter().any(|t| match t {
        proc_macro2::TokenTree::Literal(l) => l.to_string().contains('\n'),
        proc_macro2::TokenTree::Group(g) => literal_with_line_break(g.stream()),
        _ => false,
    })
}

/// The comments before a node (written on lines of their own above it).
fn leading(node: &Node) -> &[String] {
    match node.segs.first() {
        Some(Seg::Words(p)) => p.first().map_or(&[], |p| &p.comments[..]),
        _ => &[],
    }
}

/// Comments before a token: each on its own line, the token after them at `indent`.
fn comments_inline(comments: &[String], indent: &str, at_start: &mut bool, out: &mut String) {
    for c in comments {
        if !*at_start {
            out.push(' ');
        }
        out.push_str(c);
        out.push('\n');
        out.push_str(indent);
        *at_start = true;
    }
}
