//! Templates written the way maud's book writes them: each construct a maud user brings along,
//! with the HTML it must render.

use nitro::prelude::*;

fn r(t: impl Render) -> String {
    t.render().into_string()
}

#[test]
fn let_in_a_group_ends_with_the_group() {
    let x = 2;
    assert_eq!(r(html! { { @let x = 1; (x) } (x) }), "12");
    // Nested groups shadow and restore in turn.
    assert_eq!(
        r(html! { @let y = "a"; (y) { @let y = "b"; (y) { @let y = "c"; (y) } (y) } (y) }),
        "abcba"
    );
}

#[test]
fn let_in_an_element_body_ends_with_the_element() {
    let x = 2;
    assert_eq!(r(html! { p { @let x = 1; (x) } (x) }), "<p>1</p>2");
}

/// Only `Display`: rendered through it, escaped.
struct Tag(&'static str);
impl std::fmt::Display for Tag {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "<{}> & \"co\"", self.0)
    }
}

/// Both `Display` and `Render`: the template uses `Render`.
struct Both;
impl std::fmt::Display for Both {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("display")
    }
}
impl Render for Both {
    fn render_to(&self, buf: &mut String) {
        buf.push_str("<i>render</i>");
    }
}

fn generic_display<T: std::fmt::Display>(value: T) -> impl Render {
    html! { b { (value) } }
}

#[test]
fn display_types_render_escaped_without_a_wrapper() {
    let ip = std::net::Ipv4Addr::LOCALHOST;
    assert_eq!(r(html! { p { (ip) } }), "<p>127.0.0.1</p>");
    assert_eq!(
        r(html! { p { (Tag("x")) } }),
        "<p>&lt;x&gt; &amp; \"co\"</p>"
    );
    assert_eq!(r(html! { (&Tag("y")) }), "&lt;y&gt; &amp; \"co\"");
    // A type that is `Render` keeps its own rendering, even when it is also `Display`.
    assert_eq!(r(html! { (Both) (&Both) }), "<i>render</i><i>render</i>");
    assert_eq!(
        r(html! { ("<s>") (5) (Markup::from_trusted("<hr>".into())) }),
        "&lt;s&gt;5<hr>"
    );
    // In generic code the bound decides.
    assert_eq!(
        r(generic_display(Tag("g"))),
        "<b>&lt;g&gt; &amp; \"co\"</b>"
    );
    // `display(..)` stays the explicit form.
    assert_eq!(r(html! { (display(Tag("z"))) }), "&lt;z&gt; &amp; \"co\"");
}
