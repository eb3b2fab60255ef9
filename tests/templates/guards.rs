//! The reproducers of the safety issue, as exact bytes: each guard, and each bypass it closes.
//! `tests/browser_safety.rs` runs the same contexts in the real Datastar client.

use std::collections::BTreeMap;

use nitro::prelude::*;
use nitro::sse::{Event, EventErrorKind};

fn r(t: impl Render) -> String {
    t.render().into_string()
}

const MARKERS: &str = "@🖕JS_+(alert(1))+_DS🚀(";

#[test]
fn expression_values_cannot_reach_the_expression_compiler_as_code() {
    // Every Datastar value position: only inert ASCII is written as is, so neither the markers,
    // nor `@action(`, nor `$signal`, nor a quote or backslash can appear.
    let out = r(html! {
        p data-text=(MARKERS) data-show=(MARKERS) data-attr:title=(MARKERS) data-class:x=(MARKERS)
            data-style:color=(MARKERS) data-computed:y=(MARKERS)
            data-on:click=(expr!("{}", MARKERS)) data-init=(expr!("{}", MARKERS))
            data-effect=(expr!("{}", MARKERS)) data-signals:k=(MARKERS) {}
    });
    let encoded = r"&quot;\u0040\ud83d\udd95JS\u005f+(alert(1))+\u005fDS\ud83d\ude80(&quot;";
    // Seven plain values as JSON; the three `expr!` values as their UTF-16 units.
    assert_eq!(out.matches(encoded).count(), 7, "{out}");
    assert_eq!(out.matches("(JSON.parse(String.fromCharCode(34,64,55357,56725,74,83,95,43,40,97,108,101,114,116,40,49,41,41,43,95,68,83,55357,56960,40,34)))").count(), 3, "{out}");
    let decoded = out.replace("&quot;", "\"");
    for bad in ["🖕", "🚀", "@", "$", "\\\"", "'", "`", ";", "&"] {
        assert!(!decoded.contains(bad), "{bad:?} in {decoded}");
    }
    // Text that only looked like an action or ended in a backslash stays text.
    assert_eq!(
        r(html! { p data-text=("see @post( for details \\") {} }),
        r#"<p data-text="&quot;see \u0040post( for details \u005c&quot;"></p>"#
    );
    // Keys of a `data-signals` map and fields of a struct, too.
    #[derive(serde::Serialize)]
    struct S {
        name: String,
    }
    let mut map = BTreeMap::new();
    map.insert(MARKERS, 1);
    let out = r(html! {
        div data-signals=(&S { name: MARKERS.into() }) {}
        div data-signals=(&map) {}
    });
    assert_eq!(out.matches(encoded).count(), 2, "{out}");
    // `expr!` values: every character escaped, so no marker, `@` or `$` is left.
    let e = expr!("$x = {}", MARKERS);
    let out = r(html! { button data-on:click=(e) {} });
    assert!(
        out.starts_with(r#"<button data-on:click="$x = (JSON.parse(String.fromCharCode(34,"#),
        "{out}"
    );
    assert!(!out[27..].contains(['$', '@', '🖕', '🚀']), "{out}");
}

#[test]
fn names_are_compared_without_case() {
    let s = "</script><script>alert(1)</script>";
    // `SCRIPT` is raw text: only wrapped values, and JSON is script-safe.
    assert_eq!(
        r(html! { SCRIPT type="application/json" { (Json(s)) } }),
        r#"<SCRIPT type="application/json">"\u003c/script\u003e\u003cscript\u003ealert(1)\u003c/script\u003e"</SCRIPT>"#
    );
    // URL guards on any spelling of the name, quoted or not.
    let js = "JaVaScRiPt:alert(1)";
    assert_eq!(
        r(html! {
            a HREF=(js) {}
            a "href"=(js) {}
            a "xlink:HREF"=(js) {}
        }),
        r#"<a HREF="about:invalid#nitro-blocked"></a><a href="about:invalid#nitro-blocked"></a><a xlink:HREF="about:invalid#nitro-blocked"></a>"#
    );
    // A quoted name keeps plain-attribute escaping.
    assert_eq!(
        r(html! { p "data-x"=(s) {} }),
        r#"<p data-x="&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;"></p>"#
    );
}

#[test]
fn urls_are_read_as_the_browser_reads_them() {
    let blocked = "about:invalid#nitro-blocked";
    for url in [
        "javascript:alert(1)",
        " \u{1}\u{c}javascript:alert(1)",
        "java\tscr\nipt:alert(1)",
        "VBSCRIPT:x",
        "data:text/html,<script>alert(1)</script>",
    ] {
        assert_eq!(
            r(html! { a href=(url) {} }),
            format!("<a href=\"{blocked}\"></a>"),
            "{url:?}"
        );
        assert_eq!(
            r(html! { a data-attr:href=(url) {} }),
            format!("<a data-attr:href=\"&quot;{blocked}&quot;\"></a>"),
            "{url:?}"
        );
    }
    // Trusted markup cannot smuggle a scheme in through character references.
    for url in [
        "&#106;avascript:x",
        "javascript&colon;x",
        "jav&#x09;ascript:x",
        "&#x6A;avascript&#58;x",
    ] {
        assert_eq!(
            r(html! { a href=(PreEscaped(url)) {} }),
            format!("<a href=\"{blocked}\"></a>"),
            "{url:?}"
        );
    }
    // Ordinary URLs pass, escaped.
    assert_eq!(
        r(html! { a href=("/a?b=1&c=\"2\"") {} }),
        r#"<a href="/a?b=1&amp;c=&quot;2&quot;"></a>"#
    );
    // An `Expr` computing a URL is checked in the browser.
    let e = expr!("'/u/' + {}", "x");
    let out = r(html! { a data-attr:href=(e) {} });
    assert!(
        out.starts_with("<a data-attr:href=\"((u)=&gt;/^(?:javascript|vbscript|data):/i.test("),
        "{out}"
    );
}

#[test]
fn data_attr_maps_drop_handlers_and_guard_urls_and_css() {
    let map: BTreeMap<&str, &str> = [
        ("OnClick", "alert(1)"),
        ("on-mouseover", "alert(1)"),
        ("srcdoc", "<script>alert(1)</script>"),
        ("href", "javascript:alert(1)"),
        ("style", "background:url(//x)"),
        ("title", "ok"),
    ]
    .into_iter()
    .collect();
    assert_eq!(
        r(html! { a data-attr=(&map) {} }),
        r#"<a data-attr="{&quot;href&quot;:&quot;about:invalid#nitro-blocked&quot;,&quot;style&quot;:&quot;&quot;,&quot;title&quot;:&quot;ok&quot;}"></a>"#
    );
    // A Datastar attribute would be compiled by the client; an SVG animation's target and
    // values could set an `href` elsewhere.
    let map: BTreeMap<&str, &str> = [
        ("DATA-INIT", "alert(1)"),
        ("data-on:click", "alert(1)"),
        ("attributeName", "href"),
        ("to", "javascript:alert(1)"),
        ("dur", "1s"),
    ]
    .into_iter()
    .collect();
    assert_eq!(
        r(html! { svg { set data-attr=(&map) {} } }),
        r#"<svg><set data-attr="{&quot;dur&quot;:&quot;1s&quot;}"></set></svg>"#
    );
    let styles: BTreeMap<&str, &str> = [("background", "url(//x)"), ("color", "red")]
        .into_iter()
        .collect();
    assert_eq!(
        r(html! { p data-style=(&styles) data-style:border=("u\\72l(x)") {} }),
        r#"<p data-style="{&quot;background&quot;:&quot;&quot;,&quot;color&quot;:&quot;red&quot;}" data-style:border="&quot;&quot;"></p>"#
    );
}

#[test]
fn inline_css_follows_the_documented_rule() {
    for css in [
        "background:url(//x)",
        "background:URL(//x)",
        "b\\61 ckground:u\\72l(x)",
        "width:expression(alert(1))",
        "@import 'x'",
        "x</style>",
        "background:image-set('x' 1x)",
        "-moz-binding:url(x)",
    ] {
        assert_eq!(
            r(html! { p style=(css) {} }),
            "<p style=\"\"></p>",
            "{css:?}"
        );
    }
    assert_eq!(
        r(html! { p style=(PreEscaped("&#117;rl(x)")) {} }),
        "<p style=\"\"></p>"
    );
    assert_eq!(
        r(html! { p style=("color: red; width: 50%") {} }),
        "<p style=\"color: red; width: 50%\"></p>"
    );
}

#[test]
fn srcdoc_is_a_document_escaped_as_a_whole() {
    let s = "<script>alert(1)</script> &amp;";
    // Text of the frame: escaped once for the document, once for the attribute.
    assert_eq!(
        r(html! { iframe srcdoc=(s) {} }),
        r#"<iframe srcdoc="&amp;lt;script&amp;gt;alert(1)&amp;lt;/script&amp;gt; &amp;amp;amp;"></iframe>"#
    );
    // A template is the frame's markup.
    let t = html! { b { (s) } };
    assert_eq!(
        r(html! { iframe srcdoc=(t) {} }),
        r#"<iframe srcdoc="&lt;b&gt;&amp;lt;script&amp;gt;alert(1)&amp;lt;/script&amp;gt; &amp;amp;amp;&lt;/b&gt;"></iframe>"#
    );
}

#[test]
fn textarea_and_pre_keep_a_leading_newline() {
    assert_eq!(
        r(html! {
            textarea { ("\nx") }
            pre { ("\ny") }
        }),
        "<textarea>\n\nx</textarea><pre>\n\ny</pre>"
    );
    assert_eq!(r(html! { pre { "static" } }), "<pre>static</pre>");
}

#[test]
fn redirect_refuses_script_urls_and_encodes_the_rest() {
    for url in [
        "javascript:alert(1)",
        " JAVASCRIPT:x",
        "java\nscript:x",
        "vbscript:x",
        "data:text/html,x",
    ] {
        assert_eq!(
            ExecuteScript::redirect(url).encode().unwrap_err().kind(),
            EventErrorKind::UnsafeUrl,
            "{url:?}"
        );
    }
    let text = ExecuteScript::redirect("/done?next=</script><script>alert(1)</script>\u{2028}")
        .encode()
        .unwrap();
    assert!(!text.contains("</script><script>"), "{text}");
    assert!(!text.contains('\u{2028}'), "{text}");
    assert!(text.contains(r"\u003c\u002fscript\u003e"), "{text}");
}

#[test]
fn the_macro_and_the_runtime_guard_the_same_url_attributes() {
    // The macro's list lives in a proc-macro crate, which cannot export it: compare by
    // behaviour, one attribute at a time.
    let js = "javascript:x";
    let rendered = [
        r(html! { a action=(js) {} }),
        r(html! { a archive=(js) {} }),
        r(html! { a background=(js) {} }),
        r(html! { a cite=(js) {} }),
        r(html! { a classid=(js) {} }),
        r(html! { a codebase=(js) {} }),
        r(html! { a data=(js) {} }),
        r(html! { a dynsrc=(js) {} }),
        r(html! { a formaction=(js) {} }),
        r(html! { a href=(js) {} }),
        r(html! { a icon=(js) {} }),
        r(html! { a longdesc=(js) {} }),
        r(html! { a lowsrc=(js) {} }),
        r(html! { a manifest=(js) {} }),
        r(html! { a poster=(js) {} }),
        r(html! { a profile=(js) {} }),
        r(html! { a src=(js) {} }),
        r(html! { a usemap=(js) {} }),
        r(html! { a "xlink:href"=(js) {} }),
    ];
    assert_eq!(rendered.len(), nitro::escape::URL_ATTRIBUTES.len());
    for (html, name) in rendered.iter().zip(nitro::escape::URL_ATTRIBUTES) {
        assert_eq!(
            html,
            &format!("<a {name}=\"about:invalid#nitro-blocked\"></a>")
        );
    }
}
