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
    html! { move b { (value) } }
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
    // `display(..)` stays the explicit form, and is the one for a single attribute value; a value
    // built from markup takes `Display` values as text does.
    assert_eq!(r(html! { (display(Tag("z"))) }), "&lt;z&gt; &amp; \"co\"");
    assert_eq!(
        r(html! { p title=(display(ip)) "data-x"="1" {} }),
        r#"<p title="127.0.0.1" data-x="1"></p>"#
    );
    assert_eq!(
        r(html! { p title={ (Tag("a")) } {} }),
        r#"<p title="&lt;a&gt; &amp; &quot;co&quot;"></p>"#
    );
}

#[test]
fn implicit_div_from_a_class_or_an_id() {
    assert_eq!(r(html! { .card { "c" } }), r#"<div class="card">c</div>"#);
    assert_eq!(r(html! { #main { "m" } }), r#"<div id="main">m</div>"#);
    assert_eq!(
        r(html! { #main { .tip { "t" } } }),
        r#"<div id="main"><div class="tip">t</div></div>"#
    );
    assert_eq!(
        r(html! { .a.b #x dir="rtl" {} }),
        r#"<div class="a b" id="x" dir="rtl"></div>"#
    );
}

#[test]
fn class_names_with_dashes_digits_and_colons() {
    assert_eq!(
        r(html! { p.rocks-these.are--my--rocks { "yes" } }),
        r#"<p class="rocks-these are--my--rocks">yes</p>"#
    );
    assert_eq!(
        r(html! { div.col-sm-2.mt-0.h1.p-4 {} }),
        r#"<div class="col-sm-2 mt-0 h1 p-4"></div>"#
    );
    assert_eq!(
        r(html! { div."col-sm-2" {} }),
        r#"<div class="col-sm-2"></div>"#
    );
    assert_eq!(
        r(html! { div.block--mod-2.md:flex {} }),
        r#"<div class="block--mod-2 md:flex"></div>"#
    );
    assert_eq!(
        r(html! { div.data-x.y {} }),
        r#"<div class="data-x y"></div>"#
    );
}

#[test]
fn struct_literals_in_toggles() {
    struct Pony {
        cute: bool,
    }
    assert_eq!(
        r(html! { input checked[Pony { cute: true }.cute]; }),
        "<input checked>"
    );
    assert_eq!(
        r(html! { p.rocks[Pony { cute: true }.cute].no[Pony { cute: false }.cute] { "a" } }),
        r#"<p class="rocks">a</p>"#
    );
    assert_eq!(
        r(html! { p.x.rocks[Pony { cute: false }.cute] {} }),
        r#"<p class="x"></p>"#
    );
    struct Opt {
        v: Option<i32>,
    }
    assert_eq!(
        r(html! { input value=[Opt { v: Some(9000) }.v]; }),
        r#"<input value="9000">"#
    );
}

#[test]
fn names_with_colons_and_leading_digits() {
    assert_eq!(
        r(html! { pon-pon:controls-alpha { a on:click="yay()" { "Yay!" } } }),
        r#"<pon-pon:controls-alpha><a on:click="yay()">Yay!</a></pon-pon:controls-alpha>"#
    );
    assert_eq!(
        r(html! { svg xmlns:xlink="http://www.w3.org/1999/xlink" {} }),
        r#"<svg xmlns:xlink="http://www.w3.org/1999/xlink"></svg>"#
    );
    assert_eq!(
        r(html! { p 1st="a" x-2="b" {} }),
        r#"<p 1st="a" x-2="b"></p>"#
    );
    assert_eq!(
        r(html! { this r#"raw_name"#="f" 123="123" 123usize "2.5" true {} }),
        r#"<this raw_name="f" 123="123" 123usize 2.5 true></this>"#
    );
    assert_eq!(
        r(html! { this sentence-is="false" of-course {} }),
        r#"<this sentence-is="false" of-course></this>"#
    );
}

#[test]
fn stray_semicolons_are_ignored() {
    assert_eq!(
        r(html! { "one"; "two"; ;;;; "three"; p { "x"; } br; ; }),
        "onetwothree<p>x</p><br>"
    );
}

#[test]
fn while_and_let_mut_with_state_the_template_owns() {
    assert_eq!(
        r(html! {
            @let mut numbers = (0..3).peekable();
            ul { @while numbers.peek().is_some() { li { (numbers.next().unwrap()) } } }
        }),
        "<ul><li>0</li><li>1</li><li>2</li></ul>"
    );
    assert_eq!(
        r(html! { @let mut numbers = 0..3; @while let Some(n) = numbers.next() { (n) } }),
        "012"
    );
    // Owned by the template: every render starts again.
    let t = html! { @let mut i = 0; @while i < 2 { (i) @let _ = { i += 1; }; } };
    assert_eq!(r(t), "01");
    assert_eq!(r(t), "01");
    let mut s = String::new();
    html! {
        @let mut x: Box<dyn Iterator<Item = u32>> = Box::new(vec![42].into_iter());
        (x.next().unwrap())
    }
    .render_to(&mut s);
    assert_eq!(s, "42");
}

#[test]
fn control_flow_in_class_position() {
    for (milk, want) in [
        (0, r#"<p class="empty">Chocolate milk</p>"#),
        (1, r#"<p class="full">Chocolate milk</p>"#),
    ] {
        let got = r(html! { p.@if milk == 0 { "empty" } @else { "full" } { "Chocolate milk" } });
        assert_eq!(got, want);
    }
    let severity = "critical";
    assert_eq!(
        r(html! { p.{ "color-" (severity) } { "!" } }),
        r#"<p class="color-critical">!</p>"#
    );
    assert_eq!(
        r(html! { p.base.{ "c-" (1) }[true].@if false { "x" } {} }),
        r#"<p class="base  c-1"></p>"#
    );
}

#[test]
fn control_flow_and_braces_in_attribute_values() {
    for (input, want) in [
        (1, r#"<span class="one">1</span>"#),
        (2, r#"<span class="two">2</span>"#),
        (3, r#"<span class="many">3</span>"#),
    ] {
        let got = r(html! {
            span class=@match input {
                1 => "one",
                2 => "two",
                _ => "many",
            } {
                (input)
            }
        });
        assert_eq!(got, want);
    }
    const GITHUB: &str = "https://github.com";
    assert_eq!(
        r(html! { a href={ (GITHUB) "/lambda-fairy/maud" } { "Fork" } }),
        r#"<a href="https://github.com/lambda-fairy/maud">Fork</a>"#
    );
    // Values built this way are escaped for the attribute, and URL attributes keep their guard.
    let evil = "\"><script>";
    assert_eq!(
        r(html! { p title={ "a&b " (evil) @for i in 0..2 { (i) } } {} }),
        r#"<p title="a&amp;b &quot;&gt;&lt;script&gt;01"></p>"#
    );
    let scheme = "javascript";
    assert_eq!(
        r(html! { a href={ (scheme) ":alert(1)" } {} }),
        r#"<a href="about:invalid#nitro-blocked"></a>"#
    );
    let open = true;
    assert_eq!(
        r(html! { details title=@if open { "open" } @else { "closed" } {} }),
        r#"<details title="open"></details>"#
    );
}

#[derive(Debug, PartialEq)]
struct User {
    name: String,
    tags: Vec<String>,
}

#[test]
fn naming_a_local_leaves_it_usable() {
    let name = String::from("Ada <3");
    let items = vec![String::from("a"), String::from("b")];
    let user = User {
        name: "u".into(),
        tags: vec!["t1".into()],
    };
    let page = html! {
        p { (name) " " (&name) " " (name.len()) }
        ul { @for i in &items { li { (i) } } }
        ol { @for i in items.iter().rev() { li { (i) } } }
        @for i in &items { (i) }
        @if items.contains(&name) { "never" }
        p title=(name) .{ (user.name) "-x" } { @for t in &user.tags { (t) } }
        (format!("{name}!"))
        (format!("{}.", user.name))
        @match &user.tags[..] { [only] => { "one: " (only) } _ => "many" }
    };
    let want = concat!(
        "<p>Ada &lt;3 Ada &lt;3 6</p><ul><li>a</li><li>b</li></ul><ol><li>b</li><li>a</li></ol>ab",
        r#"<p class="u-x" title="Ada &lt;3">t1</p>Ada &lt;3!u.one: t1"#
    );
    assert_eq!(r(page), want);
    // Every local is still ours: read, borrowed, and moved once the template is done.
    assert_eq!(name.len(), 6);
    assert_eq!(items.len(), 2);
    assert_eq!(user.tags.len(), 1);
    assert_eq!(r(page), want);
    // `page` is not used after this point, so the locals can move.
    let moved = (name, items, user);
    assert_eq!(moved.0, "Ada <3");
}

/// Borrowed and `Copy` arguments: the template copies them, so it can be returned.
fn card<'a>(title: &'a str, n: i64, tags: &'a [String]) -> impl Render + 'a {
    html! {
        .card {
            h2 { (title) }
            p { (n) }
            @for t in tags { i { (t) } }
        }
    }
}

/// A component that keeps an owned argument says `move`.
fn layout(body: impl Render, title: String) -> impl Render {
    html! { move main { h1 { (title) } (body) } }
}

#[test]
fn components_return_templates_over_their_arguments() {
    let tags = vec!["x".to_string()];
    let c = card("T", 7, &tags);
    assert_eq!(
        r(&c),
        r#"<div class="card"><h2>T</h2><p>7</p><i>x</i></div>"#
    );
    let page = layout(c, "Home".into());
    assert_eq!(
        r(page),
        r#"<main><h1>Home</h1><div class="card"><h2>T</h2><p>7</p><i>x</i></div></main>"#
    );
    // A template is a value like any other: kept in a local, spliced twice, still lazy.
    let cell = std::cell::Cell::new(1);
    let t = html! { (cell.get()) };
    let twice = html! { (t) "," (t) };
    cell.set(2);
    assert_eq!(r(twice), "2,2");
    assert_eq!(cell.get(), 2);
}

#[test]
fn documented_differences_from_maud() {
    // maud's order: the classes, then the `#id` shorthand, then the other attributes as written.
    assert_eq!(
        r(html! { p #x .a title="t" .b {} }),
        r#"<p class="a b" id="x" title="t"></p>"#
    );
    // Every class toggled off: no `class` attribute at all.
    assert_eq!(r(html! { p.a[false].b[false] {} }), "<p></p>");
    // A plain application `data-*` attribute takes a quoted name.
    let id = 7;
    assert_eq!(
        r(html! { tr "data-user-id"=(id) {} }),
        r#"<tr data-user-id="7"></tr>"#
    );
    assert_eq!(r(html! { (DOCTYPE) }), "<!DOCTYPE html>");
}

#[test]
fn locals_in_every_kind_of_expression() {
    let words = ["b".to_string(), "a".to_string()];
    let n = 3;
    let limit = 2usize;
    let label = String::from("L");
    let shout = |s: &str| s.to_uppercase();
    fn helper(s: &str) -> usize {
        s.len()
    }
    let t = html! {
        // Closures, match arms and blocks bind their own names.
        (words.iter().map(|w| w.len()).sum::<usize>())
        (match words.first() { Some(w) => w.as_str(), None => "-" })
        ({ let k = n * 2; k + 1 })
        // Called names are functions or closures; a method call reads the local.
        (shout(&label))
        (helper(&label))
        (label.to_lowercase())
        // Macros that read their arguments, inline format names included.
        (format!("{n}/{}", limit))
        (vec![n; 2].len())
        @if matches!(words.len(), 2) { "two" }
        // An `@let` that reuses an outer name.
        @let words = words.len() + limit;
        (words)
        @for (i, w) in (0..limit).zip(["x", "y"]) { (i) (w) }
    };
    assert_eq!(r(t), "2b7L1l3/22two40x1y");
    assert_eq!(label, "L");
}

macro_rules! greet {
    () => {{
        let name = "Pinkie Pie";
        html! { p { "Hello, " (name) "!" } }
    }};
}

macro_rules! wrapper {
    ($($x:tt)*) => {{
        html! { $($x)* }
    }};
}

#[test]
fn templates_built_inside_macro_rules() {
    assert_eq!(r(greet!()), "<p>Hello, Pinkie Pie!</p>");
    let name = String::from("Lyra");
    assert_eq!(r(wrapper!(p { "Hi, " (name) "!" })), "<p>Hi, Lyra!</p>");
    assert_eq!(name, "Lyra");
}

#[test]
fn attribute_order_is_mauds() {
    // Classes first (the ones always present before the toggled ones), then the id, then the
    // other attributes in source order: the bytes maud writes.
    assert_eq!(
        r(html! { span #thing lang="en" .name .here { "Lyra" } }),
        r#"<span class="name here" id="thing" lang="en">Lyra</span>"#
    );
    assert_eq!(
        r(html! { #unique-id contenteditable dir="rtl" .awesome-class {} }),
        r#"<div class="awesome-class" id="unique-id" contenteditable dir="rtl"></div>"#
    );
    for on in [true, false] {
        let want = if on {
            r#"<p class="cupcake lamington muffin">x</p>"#
        } else {
            r#"<p class="cupcake lamington">x</p>"#
        };
        assert_eq!(r(html! { p.cupcake.muffin[on].lamington { "x" } }), want);
    }
    // `id="x"` is an ordinary attribute: it stays where it is written.
    assert_eq!(
        r(html! { a href="/" id="home" .nav {} }),
        r#"<a class="nav" href="/" id="home"></a>"#
    );
}

#[test]
fn into_string_on_a_template() {
    assert_eq!(html! { p { "hi" } }.into_string(), "<p>hi</p>");
    let n = 3;
    let t = html! { b { (n) } };
    assert_eq!(t.into_string(), "<b>3</b>");
}

/// maud's documented pattern: a component implementing only `render`.
struct Pinkie(u32);
impl Render for Pinkie {
    fn render(&self) -> Markup {
        let x = self.0;
        html! { i { (x) } }.render()
    }
}

#[test]
fn a_render_impl_with_only_render() {
    assert_eq!(
        html! { p { (Pinkie(42)) } }.into_string(),
        "<p><i>42</i></p>"
    );
    let mut buf = String::from("<");
    Pinkie(1).render_to(&mut buf);
    assert_eq!(buf, "<<i>1</i>");
    // In an attribute it is escaped as a whole, like any component.
    assert_eq!(
        html! { p title=(Pinkie(2)) {} }.into_string(),
        r#"<p title="&lt;i&gt;2&lt;/i&gt;"></p>"#
    );
}

#[test]
fn svg_and_mathml_elements_close_with_a_semicolon() {
    assert_eq!(
        r(html! { svg viewBox="0 0 10 10" { path d="M0 0L10 10"; circle cx="5" cy="5" r="2"; } }),
        r#"<svg viewBox="0 0 10 10"><path d="M0 0L10 10"/><circle cx="5" cy="5" r="2"/></svg>"#
    );
    // Inside `svg` any element may (a custom or less common one too) …
    assert_eq!(
        r(html! { svg { g { x-thing; } } }),
        "<svg><g><x-thing/></g></svg>"
    );
    // … and an icon's shapes, spliced into an `svg` elsewhere, need no `svg` around them.
    let icon = html! { path d="M1 1"; rect width="2" height="2"; };
    assert_eq!(
        r(html! { svg { (icon) } }),
        r#"<svg><path d="M1 1"/><rect width="2" height="2"/></svg>"#
    );
    assert_eq!(
        r(html! { math { mi { "x" } mspace width="1em"; } }),
        r#"<math><mi>x</mi><mspace width="1em"/></math>"#
    );
    // Void HTML elements keep their HTML form.
    assert_eq!(
        r(html! { svg { foreignObject { br; } } }),
        "<svg><foreignObject><br></foreignObject></svg>"
    );
}

#[test]
fn names_with_a_colon_then_digits_and_quoted_pieces() {
    assert_eq!(
        r(html! { custom:element-001 test:123-"test"="123" .m-2 .p-2 {} }),
        r#"<custom:element-001 class="m-2 p-2" test:123-test="123"></custom:element-001>"#
    );
    assert_eq!(r(html! { p test:123 {} }), "<p test:123></p>");
}

#[test]
fn question_mark_empty_attributes() {
    assert_eq!(
        r(html! { input checked? disabled?[true]; }),
        "<input checked disabled>"
    );
    let off = false;
    assert_eq!(r(html! { input checked?[off]; }), "<input>");
}

#[test]
fn static_attribute_values_are_written_as_written() {
    // Only `&`, `<`, `>` and `"` become entities (as in maud); an apostrophe stays.
    assert_eq!(
        r(html! { p title="it's <b> & \"q\"" {} }),
        r#"<p title="it's &lt;b&gt; &amp; &quot;q&quot;"></p>"#
    );
    assert_eq!(
        r(html! { button "x-on:click"="open = !open; say('hi')" {} }),
        r#"<button x-on:click="open = !open; say('hi')"></button>"#
    );
    assert_eq!(
        r(html! { @signals("msg") button data-on:click="$msg = 'hi'" {} }),
        r#"<button data-on:click="$msg = 'hi'"></button>"#
    );
    // A value from Rust is still escaped whole, apostrophes included.
    let v = "it's";
    assert_eq!(r(html! { p title=(v) {} }), r#"<p title="it&#x27;s"></p>"#);
}
