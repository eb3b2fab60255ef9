//! `html!` output for every syntax form.

use nitro::prelude::*;

fn r(t: impl Render) -> String {
    t.render().into_string()
}

#[test]
fn elements_text_and_nesting() {
    assert_eq!(r(html! { p { "hi" } }), "<p>hi</p>");
    assert_eq!(
        r(html! {
            div {
                p { "a" }
                p { "b" }
            }
        }),
        "<div><p>a</p><p>b</p></div>"
    );
    assert_eq!(r(html! { "a" "b" }), "ab");
    assert_eq!(r(html! {}), "");
    assert_eq!(r(html! { my-widget { "x" } }), "<my-widget>x</my-widget>");
    assert_eq!(r(html! { { "grouped" } }), "grouped");
}

#[test]
fn void_elements_and_doctype() {
    assert_eq!(r(html! { br; }), "<br>");
    assert_eq!(
        r(html! { input type="text" name="q"; }),
        r#"<input type="text" name="q">"#
    );
    assert_eq!(
        r(html! { !DOCTYPE html {} }),
        "<!DOCTYPE html><html></html>"
    );
}

#[test]
fn id_and_class_shorthands() {
    assert_eq!(
        r(html! { p #main .a .b-c {} }),
        r#"<p class="a b-c" id="main"></p>"#
    );
    assert_eq!(r(html! { p #"x:y" {} }), r#"<p id="x:y"></p>"#);
    let id = DynId::new("dyn\"id");
    let class = "k";
    assert_eq!(
        r(html! { p #(id) .(class) {} }),
        r#"<p class="k" id="dyn&quot;id"></p>"#
    );
    assert_eq!(
        r(html! { p.a.b[true].c[false] {} }),
        r#"<p class="a b"></p>"#
    );
    assert_eq!(
        r(html! { p.a .(class)[1 > 0] {} }),
        r#"<p class="a k"></p>"#
    );
}

#[test]
fn attributes() {
    assert_eq!(
        r(html! { a href="/x?a=1&b=2" {} }),
        r#"<a href="/x?a=1&amp;b=2"></a>"#
    );
    let title = "it's \"quoted\" <b>";
    assert_eq!(
        r(html! { p title=(title) {} }),
        r#"<p title="it&#x27;s &quot;quoted&quot; &lt;b&gt;"></p>"#
    );
    let some: Option<&str> = Some("v");
    let none: Option<&str> = None;
    assert_eq!(
        r(html! { p title=[some] lang=[none] {} }),
        r#"<p title="v"></p>"#
    );
    assert_eq!(r(html! { input disabled; }), "<input disabled>");
    assert_eq!(
        r(html! { input checked[true] disabled[false]; }),
        "<input checked>"
    );
    assert_eq!(
        r(html! { html xml:lang="en" {} }),
        r#"<html xml:lang="en"></html>"#
    );
    assert_eq!(
        r(html! { p "data-user-id"=(7) {} }),
        r#"<p data-user-id="7"></p>"#
    );
    assert_eq!(
        r(html! { p aria-label="x" {} }),
        r#"<p aria-label="x"></p>"#
    );
}

#[test]
fn url_attributes_block_script_urls() {
    let bad = " JaVa\tScRiPt:alert(1)";
    assert_eq!(
        r(html! { a href=(bad) {} }),
        r#"<a href="about:invalid#nitro-blocked"></a>"#
    );
    let good = "/ok?x=1";
    assert_eq!(r(html! { a href=(good) {} }), r#"<a href="/ok?x=1"></a>"#);
    assert_eq!(
        r(html! { img src=("data:text/html,<b>"); }),
        r#"<img src="about:invalid#nitro-blocked">"#
    );
}

#[test]
fn splices_of_every_primitive() {
    assert_eq!(
        r(html! { (1u8) (-2i64) (3.5f64) (true) ('c') ("<s>") (String::from("&")) }),
        "1-23.5truec&lt;s&gt;&amp;"
    );
    let none: Option<i32> = None;
    assert_eq!(r(html! { (Some(5)) (none) }), "5");
    assert_eq!(r(html! { (format_args!("{}<", 1)) }), "1&lt;");
    assert_eq!(
        r(html! { (display(std::net::Ipv4Addr::LOCALHOST)) }),
        "127.0.0.1"
    );
    assert_eq!(r(html! { (PreEscaped("<b>raw</b>")) }), "<b>raw</b>");
}

// `move`: the template keeps `body`, an owned argument, after the function returns.
fn card<'a>(title: &'a str, body: impl Render + 'a) -> impl Render + 'a {
    html! { move div.card { h2 { (title) } (body) } }
}

struct Badge(u32);
impl Render for Badge {
    fn render_to(&self, buf: &mut String) {
        html! { span.badge { (self.0) } }.render_to(buf)
    }
}

#[test]
fn components_nest_without_reescaping() {
    let inner = html! { b { "<bold>" } };
    assert_eq!(
        r(html! { (card("T&C", inner)) (Badge(3)) }),
        r#"<div class="card"><h2>T&amp;C</h2><b>&lt;bold&gt;</b></div><span class="badge">3</span>"#
    );
    // A component rendered into an attribute is attribute-escaped, not pasted.
    let m = html! { b title="q" {} };
    assert_eq!(
        r(html! { p title=(m) {} }),
        r#"<p title="&lt;b title=&quot;q&quot;&gt;&lt;/b&gt;"></p>"#
    );
}

#[test]
fn control_flow() {
    for (n, want) in [(0, "zero"), (1, "one"), (5, "many")] {
        let got = r(html! { @if n == 0 { "zero" } @else if n == 1 { "one" } @else { "many" } });
        assert_eq!(got, want);
    }
    let opt = Some("x");
    assert_eq!(r(html! { @if let Some(v) = opt { (v) } }), "x");
    assert_eq!(
        r(html! { ul { @for i in 0..3 { li { (i) } } } }),
        "<ul><li>0</li><li>1</li><li>2</li></ul>"
    );
    let items = ["a", "b"];
    assert_eq!(
        r(html! { @for (i, s) in items.iter().enumerate() { (i) "=" (s) ";" } }),
        "0=a;1=b;"
    );
    assert_eq!(
        r(html! { @let mut k = 0; @while k < 3 { (k) @let _ = { k += 1; }; } }),
        "012"
    );
    for (v, want) in [(1, "<b>one</b>"), (2, "two"), (7, "other 7")] {
        let got = r(html! {
            @match v {
                1 => b { "one" },
                2 => { "two" }
                x if x > 5 => { "other " (x) }
                _ => "none",
            }
        });
        assert_eq!(got, want);
    }
    let name = "n";
    assert_eq!(
        r(html! { @let greeting = format!("hi {name}"); p { (greeting) } }),
        "<p>hi n</p>"
    );
}

#[test]
fn script_and_style_take_text_raw_and_wrapped_values() {
    let data = ["</script><script>alert(1)</script>"];
    assert_eq!(
        r(html! { script { "if (a < b) {}" } }),
        "<script>if (a < b) {}</script>"
    );
    assert_eq!(
        r(html! { script { "const d = " (Json(&data)) ";" } }),
        r#"<script>const d = ["\u003c/script\u003e\u003cscript\u003ealert(1)\u003c/script\u003e"];</script>"#
    );
    assert_eq!(
        r(html! { style { (PreEscaped("p > a { color: red }")) } }),
        "<style>p > a { color: red }</style>"
    );
}

#[test]
fn templates_render_into_one_caller_buffer() {
    let t = html! { p { "a" (1) "b" } };
    let mut buf = String::from("<!-- before -->");
    t.render_to(&mut buf);
    t.render_to(&mut buf);
    assert_eq!(buf, "<!-- before --><p>a1b</p><p>a1b</p>");
}

#[test]
fn keywords_as_names_and_raw_identifiers() {
    assert_eq!(
        r(html! { input type="text" for="x"; }),
        r#"<input type="text" for="x">"#
    );
    assert_eq!(
        r(html! { svg { use href="#a" {} } }),
        r##"<svg><use href="#a"></use></svg>"##
    );
}

/// The capture analysis follows scopes and reads macro arguments that are not comma lists: the
/// locals are borrowed (the caller keeps them) and each name reads the right binding.
#[test]
fn captures_follow_scopes_and_macro_arguments() {
    macro_rules! pair {
        ({ $a:expr => $b:expr }) => {
            format!("{}={}", $a, $b)
        };
    }
    let name = String::from("outer");
    let other = Some(String::from("inner"));
    let s = String::from("s");
    let limit = 2usize;
    let t = html! {
        @if let Some(name) = &other { b { (name) } }
        i { (name) }
        @for name in ["x"] { u { (name) } }
        p { (vec![s.clone(); 3].len()) }
        p { (matches!(&other, Some(v) if v.len() > limit)) }
        p { (pair!({ name => s })) }
    };
    assert_eq!(
        t.render().into_string(),
        "<b>inner</b><i>outer</i><u>x</u><p>3</p><p>true</p><p>outer=s</p>"
    );
    // Still ours: nothing was moved into the template.
    assert_eq!(
        (name.as_str(), s.as_str(), other.as_deref()),
        ("outer", "s", Some("inner"))
    );
}
