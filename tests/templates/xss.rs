//! Hostile input in every context `html!` supports, parsed back by a real HTML5 parser
//! (html5ever, through scraper): no payload may create an element, an attribute or an event
//! handler, and each comes back as exactly the text or value it was.

use nitro::prelude::*;
use nitro::sse::Event;
use scraper::{Html, Node};

/// 100+ payloads: tags, handlers, URL schemes, quote breakouts, raw-text escapes, comments,
/// entities, unicode tricks, template syntax.
fn corpus() -> Vec<String> {
    let mut p: Vec<String> = [
        "<script>alert(1)</script>",
        "<SCRIPT SRC=//x.example/x.js></SCRIPT>",
        "<img src=x onerror=alert(1)>",
        "<svg onload=alert(1)>",
        "<svg><script>alert(1)</script></svg>",
        "<iframe src=javascript:alert(1)>",
        "<body onload=alert(1)>",
        "<a href=\"javascript:alert(1)\">x</a>",
        "\"><script>alert(1)</script>",
        "'><script>alert(1)</script>",
        "\" onmouseover=\"alert(1)",
        "' onmouseover='alert(1)",
        "\" autofocus onfocus=\"alert(1)",
        "\"/><img src=x onerror=alert(1)>",
        "</p><script>alert(1)</script>",
        "</script><script>alert(1)</script>",
        "</SCRIPT ><script>alert(1)</script>",
        "</style><script>alert(1)</script>",
        "</textarea><script>alert(1)</script>",
        "</title><script>alert(1)</script>",
        "<!--",
        "--><script>alert(1)</script>",
        "<!-- --!><script>alert(1)</script>",
        "<![CDATA[<script>alert(1)</script>]]>",
        "<?xml version=\"1.0\"?><script>alert(1)</script>",
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        " javascript:alert(1)",
        "\tjava\nscript:alert(1)",
        "\u{1}javascript:alert(1)",
        "vbscript:msgbox(1)",
        "data:text/html,<script>alert(1)</script>",
        "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
        "&lt;script&gt;alert(1)&lt;/script&gt;",
        "&#60;script&#62;alert(1)&#60;/script&#62;",
        "&#x3C;script&#x3E;alert(1)&#x3C;/script&#x3E;",
        "&quot; onclick=&quot;alert(1)",
        "&#34; onclick=&#34;alert(1)",
        "&#106;avascript:alert(1)",
        "&amp;lt;script&amp;gt;",
        "\u{FF1C}script\u{FF1E}alert(1)\u{FF1C}/script\u{FF1E}",
        "\u{2028}alert(1)\u{2029}",
        "\u{0}<script>alert(1)</script>",
        "<scr\u{0}ipt>alert(1)</script>",
        "\u{202E}>tpircs<",
        "<<script>alert(1)//<</script>",
        "<script\n>alert(1)</script\n>",
        "<img/src=x/onerror=alert(1)>",
        "<details open ontoggle=alert(1)>",
        "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
        "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">",
        "<template><script>alert(1)</script></template>",
        "<object data=javascript:alert(1)>",
        "<embed src=javascript:alert(1)>",
        "<form action=javascript:alert(1)><input type=submit>",
        "<button formaction=javascript:alert(1)>x",
        "<meta http-equiv=refresh content=0;url=javascript:alert(1)>",
        "<link rel=import href=x>",
        "<base href=//x.example/>",
        "<style>@import 'x'</style>",
        "<div style=\"background:url(javascript:alert(1))\">",
        "expression(alert(1))",
        "${alert(1)}",
        "{{constructor.constructor('alert(1)')()}}",
        "$count = alert(1)",
        "@get('/evil')",
        "'); alert(1); ('",
        "\"); alert(1); (\"",
        "`; alert(1); `",
        "\\\"; alert(1); //",
        "</div></div></div><script>alert(1)</script>",
        "<input value=\"x\" onfocus=alert(1) autofocus>",
        "<video><source onerror=alert(1)>",
        "<audio src=x onerror=alert(1)>",
        "<marquee onstart=alert(1)>",
        "<isindex action=javascript:alert(1) type=image>",
        "<xss id=x tabindex=1 onfocus=alert(1)></xss>",
        "\"><svg/onload=alert(1)>",
        "'\"><img src=x onerror=alert(1)>",
        "<a data-on:click=\"alert(1)\">x</a>",
        "<div data-signals=\"{x: alert(1)}\"></div>",
        "<div data-init=\"@get('/evil')\"></div>",
        "\" data-on:click=\"alert(1)",
        "' data-init='@post(\"/x\")",
        "data-on:click=alert(1)",
        "\r\n<script>alert(1)</script>",
        "\nevent: datastar-patch-elements\ndata: elements <script>alert(1)</script>\n\n",
        "\r\rdata: signals {\"x\":1}\r\r",
        "id: 1\nretry: 0\n",
        "",
        " ",
        "'",
        "\"",
        "<",
        ">",
        "&",
        "\\",
        "\u{FEFF}",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    // Variants: each tag payload uppercased and doubled.
    let extra: Vec<String> = p.iter().take(20).map(|s| s.to_uppercase()).collect();
    p.extend(extra);
    p.push("<".repeat(1000));
    p.push("\"".repeat(1000));
    p
}

/// The shape of a parsed document: element names and attribute names, in order.
fn shape(html: &str) -> Vec<String> {
    let doc = Html::parse_fragment(html);
    let mut out = Vec::new();
    for node in doc.tree.root().descendants() {
        if let Node::Element(el) = node.value() {
            let mut attrs: Vec<&str> = el.attrs().map(|(k, _)| k).collect();
            attrs.sort();
            out.push(format!("{}[{}]", el.name(), attrs.join(",")));
        }
    }
    out
}

fn attr(html: &str, css: &str, name: &str) -> Option<String> {
    let doc = Html::parse_fragment(html);
    let sel = scraper::Selector::parse(css).unwrap();
    doc.select(&sel)
        .next()
        .and_then(|e| e.value().attr(name).map(str::to_owned))
}

fn text(html: &str, css: &str) -> String {
    let doc = Html::parse_fragment(html);
    let sel = scraper::Selector::parse(css).unwrap();
    doc.select(&sel)
        .next()
        .map(|e| e.text().collect())
        .unwrap_or_default()
}

/// What the HTML parser does to an attribute value: NUL becomes U+FFFD, CR/CRLF become LF.
fn as_parsed(s: &str) -> String {
    s.replace('\0', "\u{FFFD}")
        .replace("\r\n", "\n")
        .replace('\r', "\n")
}

/// What it does to text in the body: NULs are dropped, CR/CRLF become LF.
fn as_parsed_text(s: &str) -> String {
    s.replace('\0', "")
        .replace("\r\n", "\n")
        .replace('\r', "\n")
}

#[test]
fn corpus_is_large_enough() {
    assert!(corpus().len() >= 100, "{}", corpus().len());
}

#[test]
fn no_payload_creates_structure_in_any_context() {
    let render = |x: &str| -> Vec<(&'static str, String)> {
        let id = DynId::new(x);
        let json = serde_json::json!({ "v": x });
        let expr = expr!("@post('/x', {{v: {}}})", x);
        vec![
            ("text", html! { p { (x) } }.render().into_string()),
            ("attribute", html! { p title=(x) {} }.render().into_string()),
            (
                "optional attribute",
                html! { p title=[Some(x)] {} }.render().into_string(),
            ),
            (
                "quoted data attribute",
                html! { p "data-user"=(x) {} }.render().into_string(),
            ),
            ("class", html! { p.(x) {} }.render().into_string()),
            ("id", html! { p #(id) {} }.render().into_string()),
            (
                "url attribute",
                html! { a href=(x) {} }.render().into_string(),
            ),
            (
                "datastar expression",
                html! { p data-text=(x) {} }.render().into_string(),
            ),
            (
                "data-signals json",
                html! { div data-signals=(&json) {} }.render().into_string(),
            ),
            (
                "expr json part",
                html! { button data-on:click=(&expr) {} }
                    .render()
                    .into_string(),
            ),
            (
                "script json",
                html! { script { (Json(x)) } }.render().into_string(),
            ),
        ]
    };
    let baseline = render("benign");
    for payload in corpus() {
        for ((context, out), (_, base)) in render(&payload).iter().zip(&baseline) {
            assert_eq!(
                shape(out),
                shape(base),
                "{context}: {payload:?} changed the structure: {out}"
            );
            let p = as_parsed(&payload);
            match *context {
                "text" => assert_eq!(
                    text(out, "p"),
                    as_parsed_text(&payload),
                    "{context}: {payload:?}"
                ),
                "attribute" | "optional attribute" => {
                    assert_eq!(attr(out, "p", "title").unwrap(), p)
                }
                "quoted data attribute" => assert_eq!(attr(out, "p", "data-user").unwrap(), p),
                "id" => assert_eq!(attr(out, "p", "id").unwrap(), p),
                "class" => assert_eq!(attr(out, "p", "class").unwrap(), p),
                "url attribute" => {
                    let href = attr(out, "a", "href").unwrap();
                    assert!(
                        !nitro::escape::is_dangerous_url(&href),
                        "{payload:?} kept a script URL: {href:?}"
                    );
                }
                "datastar expression" => {
                    // The attribute is exactly one JSON string literal: data, never code.
                    let v = attr(out, "p", "data-text").unwrap();
                    assert_eq!(serde_json::from_str::<String>(&v).unwrap(), payload);
                }
                "data-signals json" => {
                    let v = attr(out, "div", "data-signals").unwrap();
                    assert_eq!(
                        serde_json::from_str::<serde_json::Value>(&v).unwrap(),
                        serde_json::json!({ "v": payload })
                    );
                }
                "expr json part" => {
                    let v = attr(out, "button", "data-on:click").unwrap();
                    let inner = v
                        .strip_prefix("@post('/x', {v: (JSON.parse(String.fromCharCode(")
                        .unwrap()
                        .strip_suffix(")))})")
                        .unwrap();
                    let units: Vec<u16> = inner.split(',').map(|n| n.parse().unwrap()).collect();
                    let json = String::from_utf16(&units).unwrap();
                    assert_eq!(serde_json::from_str::<String>(&json).unwrap(), payload);
                }
                "script json" => {
                    let js = text(out, "script");
                    assert_eq!(serde_json::from_str::<String>(&js).unwrap(), payload);
                }
                _ => unreachable!(),
            }
        }
    }
}

#[test]
fn sse_signals_carry_any_payload_as_one_json_value() {
    for payload in corpus() {
        let bytes = PatchSignals::new(&serde_json::json!({ "v": payload }))
            .to_bytes()
            .unwrap();
        let text = std::str::from_utf8(&bytes).unwrap();
        // One event, two lines of fields, then the blank line: nothing the payload could add.
        let lines: Vec<&str> = text.split('\n').collect();
        assert_eq!(lines.len(), 4, "{payload:?}: {text:?}");
        assert_eq!(lines[0], "event: datastar-patch-signals");
        let json = lines[1].strip_prefix("data: signals ").unwrap();
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(json).unwrap(),
            serde_json::json!({ "v": payload })
        );
    }
}
