//! Element patches rendered by `html!` and encoded into an SSE buffer, by each path we compare.
//! Included by `benches/sse.rs` and `benches/callgrind.rs`.

use bytes::BytesMut;
use nitro::prelude::*;
use nitro::sse::{Event, PatchElements};

ids! { LIST = "list" }

/// About 10 KB in 200 lines: the line breaks are static text of the template.
pub fn lines_200() -> impl IdentifiedElements {
    html! {
        ul #(LIST) {
            @for i in 0..200usize {
                li.row "data-item"=(i) { "Item " (i) " with a little text" } "\n"
            }
        }
    }
}

/// The 200 lines of [`lines_200`], each `li` a component: a template spliced into the list
/// (the writer lends it the buffer, `Writer::with_string`).
pub fn components_200() -> impl IdentifiedElements {
    fn row(i: usize) -> impl Render {
        html! { li.row "data-item"=(i) { "Item " (i) " with a little text" } }
    }
    html! {
        ul #(LIST) {
            @for i in 0..200usize {
                (row(i)) "\n"
            }
        }
    }
}

/// About 1 KB on one line (the usual `html!` output).
pub fn one_line() -> impl IdentifiedElements {
    html! { ul #(LIST) { @for i in 0..24usize { li.msg { "message number " (i) " ok" } } } }
}

/// The simplest correct encoder of an HTML string: split into lines, copy each behind its
/// prefix.
pub fn naive(html: &str, out: &mut String) {
    out.push_str("event: datastar-patch-elements\n");
    for line in html.split('\n') {
        out.push_str("data: elements ");
        out.push_str(line);
        out.push('\n');
    }
    out.push('\n');
}

/// `PatchElements::new(template)`, encoded: the template rendered straight into its framing.
pub fn direct(t: &impl IdentifiedElements, buf: &mut BytesMut) {
    PatchElements::new(t).encode_to(buf).unwrap();
}

/// The direct path for a template wrapped in a `Template::new` closure: code other than
/// `html!`'s had the buffer after the framed writer, so the framed bytes are checked again
/// (`writer::is_framed`) before they are trusted. Sent with `PatchElements::at(LIST, Outer, ..)`
/// (the same elements and target): `new` would also look for the top-level ids the closure
/// hides, a cost of its own. `size` is the closure's size hint (the HTML's length, as `html!`
/// learns it for its own templates).
pub fn direct_in_closure(t: &impl Render, size: usize, buf: &mut BytesMut) {
    let wrapped = nitro::Template::new(size, |out: &mut String| t.render_to(out));
    PatchElements::at(LIST, Mode::Outer, wrapped)
        .encode_to(buf)
        .unwrap();
}

/// The path before: render into a `String`, then split and copy it into the event.
pub fn render_then_encode(t: &impl Render, buf: &mut BytesMut) {
    PatchElements::trusted(None, Mode::Outer, t.render().into_string())
        .encode_to(buf)
        .unwrap();
}

/// Render into a `String`, then the naive encoder.
pub fn render_then_naive(t: &impl Render, out: &mut String) {
    let html = t.render().into_string();
    naive(&html, out);
}
