//! The safety oracle: hostile strings in every context `html!` and the SSE encoder accept,
//! loaded into headless Chromium with the real Datastar 1.0.x client, which is the program that
//! actually reads our Datastar attributes. An HTML parser alone is not enough: the client's
//! expression compiler cuts out marker regions, rewrites `@action(` and `$signal` inside string
//! literals too, and splits value expressions on `;` (see `escape::expression_json`).
//!
//! Each payload gets its own page holding every context; the page installs sentinels before the
//! client loads (`top.__pwned`, `alert`/`confirm`/`prompt`, `console.error`, `error` and
//! `unhandledrejection`), waits for Datastar, for its SSE stream (elements patched in, signals
//! patched, scripts with arguments and attributes), clicks every `.nitro-click`, and then checks
//! each case. A case passes only if it reports, so an expression error that stops the client
//! (which aborts the scan of everything after it) fails every case it hides instead of
//! silently skipping them. Any sentinel call, console error or request to `/pwn/…` fails the
//! payload. A failing payload is re-run one context at a time to name the culprit.
//!
//! Values must come back exactly through Datastar and JSON; through the HTML parser, up to the
//! parser's own input normalization (CR and CRLF become LF, NUL becomes U+FFFD).

mod common;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse};
use axum::routing::get;
use axum::Router;
use common::browser::{browser, chromedriver, datastar_js};
use nitro::prelude::*;

use serde::Serialize;

ids! { SSE_ELEMENTS = "sse-elements", SSE_TEXT = "sse-text", SSE_ARG = "sse-arg" }

/// Marks where a payload's number goes, so a sentinel call names the payload that made it.
const N: &str = "NUM";

/// Payloads built from how the client parses expressions, plus HTML, URL and CSS attacks.
fn payloads() -> Vec<String> {
    let exec = "top.__pwned(NUM)";
    let mut p: Vec<String> = vec![
        // Benign, and the shapes a JSON value can take.
        "".into(),
        "hello".into(),
        "a  b\tc".into(),
        "  leading and trailing  ".into(),
        "0".into(),
        "-1.5e3".into(),
        "true".into(),
        "null".into(),
        "{\"a\":1}".into(),
        "[1,2]".into(),
        "x.y-z_w".into(),
        "é日本語😀𝒳".into(),
        "\u{feff}bom\u{200b}zw\u{fffd}".into(),
        "__proto__".into(),
        "constructor".into(),
        "toString".into(),
        // The expression compiler's markers and replacement patterns.
        format!("@🖕JS_+({exec})+_DS🚀("),
        format!("🖕JS_{exec}_DS🚀"),
        "🖕JS_".into(),
        "_DS🚀".into(),
        format!("🖕JS_x_DS🚀$'{exec}//"),
        format!("🖕JS_$`_DS🚀{exec}"),
        "$&".into(),
        "$'".into(),
        "$`".into(),
        "$$".into(),
        format!("🖕JS_$&_DS🚀🖕JS_$'_DS🚀;{exec}"),
        "__escaped0".into(),
        "__escaped0 __escaped1".into(),
        format!("__escaped0\";{exec};\""),
        // Actions.
        "@get('/pwn/NUM')".into(),
        "@post('/pwn/NUM')".into(),
        "see @post( for details".into(),
        "@get(".into(),
        format!("@peek(() => {exec})"),
        "@setAll(true)".into(),
        "@toggleAll()".into(),
        "a@b.example".into(),
        format!("@x({exec})"),
        // Signals and template literals.
        "$foo".into(),
        "$foo.bar".into(),
        "$".into(),
        format!("${{{exec}}}"),
        format!("`${{{exec}}}`"),
        format!("$x = {exec}"),
        // Quotes and backslashes.
        "\"".into(),
        "'".into(),
        "`".into(),
        format!("\");{exec};(\""),
        format!("');{exec};('"),
        format!("`);{exec};(`"),
        "\\".into(),
        "a\\".into(),
        "\\\\".into(),
        "\\\"".into(),
        "\\'".into(),
        "\\u0022".into(),
        "\\x22".into(),
        format!("\\\";{exec}//"),
        format!("\\';{exec}//"),
        // The statement splitter.
        format!(";{exec}"),
        "a;b".into(),
        format!("/x/;{exec}"),
        "/*".into(),
        "*/".into(),
        "//".into(),
        format!("/\"/;{exec}//"),
        format!("\"/;{exec};/\""),
        format!("(()=>{exec})()"),
        format!("(function(){{{exec}}})()"),
        // Line terminators and controls.
        "\u{2028}".into(),
        "\u{2029}".into(),
        format!("\u{2028}{exec}\u{2029}"),
        "\u{0}".into(),
        "a\u{0}b".into(),
        "\r\n".into(),
        "\r".into(),
        "\n".into(),
        "line1\nline2\rline3\r\nline4".into(),
        "\nstarts with a newline".into(),
        "\u{1}\u{8}\u{b}\u{c}\u{1b}\u{7f}".into(),
        // Entities.
        "&quot;".into(),
        "&#39;".into(),
        "&amp;".into(),
        "&lt;script&gt;".into(),
        "&#x3C;".into(),
        "&".into(),
        "&amp".into(),
        // HTML.
        format!("</script><script>{exec}</script>"),
        format!("</SCRIPT><script>{exec}</script>"),
        "<!--".into(),
        "-->".into(),
        format!("<img src=/pwn/NUM onerror={exec}>"),
        format!("\"><img src=x onerror={exec}>"),
        format!("'><svg onload={exec}>"),
        format!("</textarea><img src=x onerror={exec}>"),
        format!("</title><img src=x onerror={exec}>"),
        format!("</style><img src=x onerror={exec}>"),
        format!("</pre><img src=x onerror={exec}>"),
        format!("<iframe srcdoc=\"<script>{exec}</script>\">"),
        format!("<script>{exec}</script>"),
        format!("<svg><script>{exec}</script></svg>"),
        format!("<math><mtext><table><mglyph><style><img src=x onerror={exec}>"),
        format!("<a href=javascript:{exec}>x</a>"),
        format!("\" onmouseover=\"{exec}"),
        format!("' autofocus onfocus='{exec}"),
        format!("<p data-on:click=\"{exec}\" data-init=\"{exec}\">"),
        format!("<div data-signals=\"{{a: {exec}}}\">"),
        // URLs.
        format!("javascript:{exec}"),
        format!("JaVaScRiPt:{exec}"),
        format!(" javascript:{exec}"),
        format!("\u{1}javascript:{exec}"),
        format!("\u{0}javascript:{exec}"),
        format!("java\tscript:{exec}"),
        format!("java\nscript:{exec}"),
        format!("java\rscript:{exec}"),
        format!("javascript&colon;{exec}"),
        format!("&#106;avascript:{exec}"),
        format!("&#x6A;avascript:{exec}"),
        format!("jav&#x09;ascript:{exec}"),
        format!("javascript\u{0}:{exec}"),
        format!("\u{20}\u{c}javascript:{exec}"),
        "vbscript:msgbox(1)".into(),
        format!("data:text/html,<script>{exec}</script>"),
        "data:text/html;base64,PHNjcmlwdD50b3AuX19wd25lZCgxKTwvc2NyaXB0Pg==".into(),
        "DATA:text/html,x".into(),
        "//example.invalid/x".into(),
        "/relative/path?q=1&r=2#frag".into(),
        "https://example.invalid/?q=\"'<>".into(),
        "mailto:x@example.invalid".into(),
        // CSS.
        "color: red; width: 50%".into(),
        "background:url(/pwn/NUM)".into(),
        "background-image:URL('/pwn/NUM')".into(),
        "b\\61 ckground:u\\72l(/pwn/NUM)".into(),
        "@import '/pwn/NUM'".into(),
        format!("width:expression({exec})"),
        "background:image-set('/pwn/NUM' 1x)".into(),
        "-moz-binding:url(/pwn/NUM)".into(),
        "behavior:url(/pwn/NUM)".into(),
        "x</style><style>*{background:url(/pwn/NUM)}".into(),
        // Template syntax of other engines.
        "{{constructor.constructor('top.__pwned(NUM)')()}}".into(),
        "#{7*7}".into(),
        "<%= 7*7 %>".into(),
    ];
    // Each piece that can end a string, a statement or an element, around an executing core.
    let breakers = [
        "\"", "'", "`", "\\", ";", "</p>", "*/", "$'", "🖕JS_", "_DS🚀", "\u{2028}",
    ];
    for b in breakers {
        p.push(format!("{b}{exec}"));
        p.push(format!("{exec}{b}"));
        p.push(format!("{b}@get('/pwn/NUM'){b}"));
    }
    p
}

/// Strings from a seeded generator: random Unicode mixed with the dangerous pieces.
fn generated(count: usize) -> Vec<String> {
    let pieces = [
        "🖕JS_",
        "_DS🚀",
        "$'",
        "$&",
        "$`",
        "@get(",
        "@post('/pwn/NUM')",
        "$a.b",
        "${",
        "}",
        "`",
        "\"",
        "'",
        "\\",
        ";",
        "/",
        "//",
        "/*",
        "__escaped0",
        "\u{2028}",
        "\u{2029}",
        "\u{0}",
        "\r\n",
        "<",
        ">",
        "&",
        "&amp;",
        "</script>",
        "<!--",
        "javascript:",
        "top.__pwned(NUM)",
    ];
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    (0..count)
        .map(|_| {
            let len = (next() % 12) as usize;
            let mut s = String::new();
            for _ in 0..len {
                match next() % 4 {
                    0 => s.push_str(pieces[(next() % pieces.len() as u64) as usize]),
                    1 => s.push(char::from_u32((next() % 0x80) as u32).unwrap_or('?')),
                    2 => s.extend(char::from_u32((next() % 0x3_0000) as u32)),
                    _ => s.push(char::from_u32(0x20 + (next() % 0x5f) as u32).unwrap_or('?')),
                }
            }
            s
        })
        .collect()
}

#[derive(Serialize, Signals)]
struct Form {
    fs: String,
}

/// A case: `data-case` names it, `data-check` says how the page checks it (see `HARNESS`).
/// Every context a value can be spliced into, on one page.
fn page(p: &str, n: usize, only: Option<&str>) -> String {
    let want = |case: &str| only.is_none_or(|o| o == case);
    let sse = expr!("@get({})", format!("/sse/{n}"));
    let expr_assign = expr!("$ea = {}", p);
    let expr_url = expr!("{}", p);
    let expr_css = expr!("{}", p);
    let expr_object = expr!("{{eo: {}}}", p);
    let mut map = BTreeMap::new();
    map.insert("m", p);
    let mut key_map = BTreeMap::new();
    key_map.insert(p, 1);
    let attr_map: BTreeMap<&str, &str> = [
        ("title", p),
        ("onclick", p),
        ("ONMOUSEOVER", p),
        ("href", p),
        ("style", p),
        ("srcdoc", p),
        ("data-x", p),
    ]
    .into_iter()
    .collect();
    let style_map: BTreeMap<&str, &str> = [("background-image", p), ("color", p)]
        .into_iter()
        .collect();
    let class_map: BTreeMap<&str, bool> = [(p, true)].into_iter().collect();
    let form = Form { fs: p.to_owned() };
    let redirect_frame = format!("/redirect/{n}");
    let srcdoc_template = html! { b { (p) } };
    let body = html! {
        @signals(Form, "m", "ea", "eo", "sse", "c1")
        @if want("text") { p "data-case"="text" "data-check"="text-norm" { (p) } }
        @if want("attr") { p "data-case"="attr" "data-check"="attr-norm:title" title=(p) {} }
        @if want("attr-upper") {
            p "data-case"="attr-upper" "data-check"="attr-norm:title" TITLE=(p) {}
        }
        @if want("attr-optional") {
            p "data-case"="attr-optional" "data-check"="attr-norm:title" title=[Some(p)] {}
        }
        @if want("attr-quoted") {
            p "data-case"="attr-quoted" "data-check"="attr-norm:data-x" "data-x"=(p) {}
        }
        @if want("class") { p "data-case"="class" "data-check"="attr-norm:class" .(p) {} }
        @if want("href") { a "data-case"="href" "data-check"="url-norm:href" href=(p) { "a" } }
        @if want("href-upper") {
            a "data-case"="href-upper" "data-check"="url-norm:href" HREF=(p) { "a" }
        }
        @if want("href-quoted") {
            a "data-case"="href-quoted" "data-check"="url-norm:href" "href"=(p) { "a" }
        }
        @if want("form-action") {
            form "data-case"="form-action" "data-check"="url-norm:action" action=(p) {}
        }
        @if want("img-src") {
            img "data-case"="img-src" "data-check"="url-norm:src" src=(p) alt="";
        }
        @if want("svg-href") {
            svg { a "data-case"="svg-href" "data-check"="url-norm:href" href=(p) { text { "a" } } }
        }
        @if want("svg-text") {
            svg { text "data-case"="svg-text" "data-check"="foreign-norm" { (p) } }
        }
        @if want("style") { p "data-case"="style" "data-check"="none" style=(p) { "s" } }
        @if want("srcdoc") { iframe "data-case"="srcdoc" "data-check"="srcdoc" srcdoc=(p) {} }
        @if want("srcdoc-template") {
            iframe "data-case"="srcdoc-template" "data-check"="srcdoc-b" srcdoc=(srcdoc_template) {}
        }
        @if want("textarea") { textarea "data-case"="textarea" "data-check"="value-norm" { (p) } }
        @if want("pre") { pre "data-case"="pre" "data-check"="text-norm" { (p) } }
        @if want("script-json") {
            script type="application/json" "data-case"="script-json" "data-check"="json" {
                (Json(p))
            }
        }
        @if want("script-upper") {
            SCRIPT type="application/json" "data-case"="script-upper" "data-check"="json" {
                (Json(p))
            }
        }
        @if want("ds-text") { p "data-case"="ds-text" "data-check"="text" data-text=(p) {} }
        @if want("ds-signals-key") {
            div data-signals:c1=(p) {
                p "data-case"="ds-signals-key" "data-check"="text" data-text="$c1" {}
            }
        }
        @if want("ds-signals-struct") {
            div data-signals=(&form) {
                p "data-case"="ds-signals-struct" "data-check"="text" data-text="$fs" {}
            }
        }
        @if want("ds-signals-map") {
            div data-signals=(&map) {
                p "data-case"="ds-signals-map" "data-check"="text" data-text="$m" {}
            }
        }
        @if want("ds-signals-map-key") {
            div data-signals=(&key_map) {
                p "data-case"="ds-signals-map-key" "data-check"="has-key" {}
            }
        }
        @if want("ds-show") { p "data-case"="ds-show" "data-check"="shown" data-show=(p) { "x" } }
        @if want("ds-attr-title") {
            p "data-case"="ds-attr-title" "data-check"="attr:title" data-attr:title=(p) {}
        }
        @if want("ds-attr-href") {
            a "data-case"="ds-attr-href" "data-check"="url:href" data-attr:href=(p) { "a" }
        }
        @if want("ds-attr-style") {
            p "data-case"="ds-attr-style" "data-check"="none" data-attr:style=(p) { "s" }
        }
        @if want("ds-attr-map") {
            a "data-case"="ds-attr-map" "data-check"="attr-map" data-attr=(&attr_map) { "a" }
        }
        @if want("ds-class-key") {
            p "data-case"="ds-class-key" "data-check"="class-x" data-class:x=(p) {}
        }
        @if want("ds-class-map") {
            p "data-case"="ds-class-map" "data-check"="classes" data-class=(&class_map) {}
        }
        @if want("ds-style-key") {
            p "data-case"="ds-style-key" "data-check"="none" data-style:background-image=(p) { "s" }
        }
        @if want("ds-style-map") {
            p "data-case"="ds-style-map" "data-check"="none" data-style=(&style_map) { "s" }
        }
        @if want("ds-computed") {
            div data-computed:cc=(p) {
                p "data-case"="ds-computed" "data-check"="text" data-text="$cc" {}
            }
        }
        @if want("ds-on-click") {
            button.nitro-click "data-case"="ds-on-click" "data-check"="attr:title"
                data-on:click=(expr!("el.title = {}", p)) {
                "b"
            }
        }
        @if want("ds-init") {
            div "data-case"="ds-init" "data-check"="attr:title"
                data-init=(expr!("el.title = {}", p)) {}
        }
        @if want("ds-effect") {
            div "data-case"="ds-effect" "data-check"="attr:title"
                data-effect=(expr!("el.title = {}", p)) {}
        }
        @if want("ds-on-signal-patch") {
            div "data-case"="ds-on-signal-patch" "data-check"="none"
                data-on-signal-patch=(expr!("el.title = {}", p)) {}
        }
        @if want("ds-on-intersect") {
            div "data-case"="ds-on-intersect" "data-check"="none"
                data-on-intersect=(expr!("el.title = {}", p)) {
                "i"
            }
        }
        @if want("expr-in-strings") {
            button.nitro-click "data-case"="expr-in-single" "data-check"="attr-wrapped:title"
                data-on:click=(expr!("el.title = '<{}>'", p)) {
                "s"
            }
            button.nitro-click "data-case"="expr-in-double" "data-check"="attr-wrapped:title"
                data-on:click=(expr!("el.title = \"<{}>\"", p)) {
                "d"
            }
            button.nitro-click "data-case"="expr-in-template" "data-check"="attr-wrapped:title"
                data-on:click=(expr!("el.title = `<{}>`", p)) {
                "t"
            }
        }
        @if want("expr-compose") {
            button.nitro-click "data-case"="expr-splice" "data-check"="attr:title"
                data-on:click=(expr!("el.title = {code}", expr!("{}", p))) {
                "c"
            }
            button.nitro-click "data-case"="expr-splice-text" "data-check"="attr-wrapped:title"
                data-on:click=(expr!("el.title = {code}", expr!("'<{}>'", p))) {
                "ct"
            }
            button.nitro-click "data-case"="expr-then" "data-check"="attr-wrapped:title"
                data-on:click=(expr!("el.title = ''").then(expr!("el.title = `<${{{code}}}>`", expr!("{}", p)))) {
                "th"
            }
        }
        @if want("ds-json-signals") {
            div "data-case"="ds-json-signals" "data-check"="none" data-json-signals=(p) {}
        }
        @if want("expr-assign") {
            div data-signals:ea="''" {
                button.nitro-click data-on:click=(expr_assign) { "e" }
                p "data-case"="expr-assign" "data-check"="text" data-text="$ea" {}
            }
        }
        @if want("expr-url") {
            a "data-case"="expr-url" "data-check"="url:href" data-attr:href=(expr_url) { "a" }
        }
        @if want("expr-css") {
            p "data-case"="expr-css" "data-check"="none" data-attr:style=(expr_css) { "s" }
        }
        @if want("expr-object") {
            div data-signals=(expr_object) {
                p "data-case"="expr-object" "data-check"="text" data-text="$eo" {}
            }
        }
        @if want("sse") {
            div data-signals:sse="''" data-init=(sse) {
                p #(SSE_ELEMENTS) "data-case"="sse-elements" "data-check"="pending" {}
                p #(SSE_TEXT) "data-case"="sse-text" "data-check"="pending" {}
                p #(SSE_ARG) "data-case"="sse-arg" "data-check"="text" {}
                p "data-case"="sse-signals" "data-check"="text" data-text="$sse" {}
            }
        }
        @if want("redirect") {
            iframe "data-case"="redirect" "data-check"="none" src=(redirect_frame) {}
        }
    };
    test_page(HARNESS, &p, body)
}

/// A page of the suite: the sentinels, the client, a harness, what the harness expects.
fn test_page(harness: &str, expect: &impl Serialize, body: impl Render) -> String {
    html! {
        !DOCTYPE
        html {
            head {
                meta charset="utf-8";
                script { (PreEscaped(HOOKS)) }
                script type="module" src="/datastar.js" {}
                script type="module" { (PreEscaped(harness)) }
                script type="application/json" id="nitro-expect" { (Json(expect)) }
            }
            body { (body) }
        }
    }
    .render()
    .into_string()
}

/// Installed before the client loads: every way a payload could show that it ran.
const HOOKS: &str = r#"
window.__hits = [];
window.__errors = [];
window.__pwned = (n) => { window.__hits.push('sentinel ' + n); };
window.alert = window.confirm = window.prompt = (m) => { window.__hits.push('alert ' + m); };
console.error = (...a) => { window.__errors.push(a.map(String).join(' ').slice(0, 400)); };
addEventListener('error', (e) => { window.__errors.push('error: ' + e.message); });
addEventListener('unhandledrejection', (e) => { window.__errors.push('rejection: ' + e.reason); });
"#;

/// Waits for Datastar and the SSE stream, clicks, then checks every case.
const HARNESS: &str = r#"
import { root } from '/datastar.js';
const ready = new Promise((resolve) => {
  document.addEventListener('datastar-ready', resolve, { once: true });
  setTimeout(resolve, 3000);
});
const expect = JSON.parse(document.getElementById('nitro-expect').textContent);
// The HTML parser's own normalization: CR and CRLF become LF everywhere; NUL is dropped from
// body text and becomes U+FFFD in attributes, RCDATA (textarea) and foreign content (SVG).
const lf = (s) => s.replace(/\r\n?/g, '\n');
const norm = (s) => lf(s).replace(/\0/g, '\ufffd');
const normText = (s) => lf(s).replace(/\0/g, '');
const blocked = 'about:invalid#nitro-blocked';
const safeUrl = (v) => {
  if (v === null) return true;
  try { return !['javascript:', 'vbscript:', 'data:'].includes(new URL(v, location.href).protocol); }
  catch { return true; }
};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const frameDoc = async (el) => {
  for (let i = 0; i < 100; i++) {
    const d = el.contentDocument;
    if (d && d.readyState === 'complete' && d.body && el.contentWindow.location.href === 'about:srcdoc') return d;
    await sleep(10);
  }
  return el.contentDocument;
};
const check = async (el, kind) => {
  const [k, name] = kind.split(/:(.*)/);
  switch (k) {
    case 'text': return el.textContent === expect;
    case 'text-norm': return el.textContent === normText(expect);
    case 'foreign-norm': return el.textContent === norm(expect);
    case 'attr': return el.getAttribute(name) === expect;
    case 'attr-wrapped': return el.getAttribute(name) === '<' + expect + '>';
    case 'attr-norm': return el.getAttribute(name) === norm(expect);
    case 'url': { const v = el.getAttribute(name); return (v === expect || v === blocked) && safeUrl(v); }
    case 'url-norm': { const v = el.getAttribute(name); return (v === norm(expect) || v === blocked) && safeUrl(v); }
    case 'value-norm': return el.value === norm(expect);
    case 'json': return JSON.parse(el.textContent) === expect;
    case 'shown': return (el.style.display !== 'none') === (expect !== '');
    case 'class-x': return el.classList.contains('x') === (expect !== '');
    case 'classes': return expect === '__proto__' || expect.split(/\s+/).filter((t) => t.length > 0).every((t) => el.classList.contains(t));
    // The key as it is in the client's own signal store. `__proto__` in an object literal sets
    // the prototype instead of a key (JavaScript's rule, whatever the spelling).
    case 'has-key': return expect === '__proto__' || root[expect] === 1;
    case 'attr-map': {
      const href = el.getAttribute('href');
      return el.getAttribute('title') === expect && el.getAttribute('data-x') === expect
        && !el.hasAttribute('onclick') && !el.hasAttribute('onmouseover') && !el.hasAttribute('srcdoc')
        && (href === expect || href === blocked) && safeUrl(href);
    }
    // A srcdoc document is parsed twice: NUL became U+FFFD in the attribute; a leading byte
    // order mark and the whitespace before the first content are not part of the document.
    case 'srcdoc': { const d = await frameDoc(el); return !!d && d.body.textContent === norm(expect).replace(/^\ufeff/, '').replace(/^[\t\n\f\r ]+/, ''); }
    case 'srcdoc-b': { const d = await frameDoc(el); const b = d && d.querySelector('b'); return !!b && b.textContent === norm(expect) && d.body.children.length === 1; }
    case 'none': return true;
    default: return false;
  }
};
(async () => {
  await ready;
  const seen = () => document.querySelector('[data-case="sse-signals"]') === null || window.__sseDone === true;
  for (let i = 0; i < 300 && !seen(); i++) await sleep(10);
  for (const b of document.querySelectorAll('.nitro-click')) b.click();
  await sleep(30);
  const cases = {};
  for (const el of document.querySelectorAll('[data-case]')) {
    let ok = false;
    try { ok = await check(el, el.getAttribute('data-check')); } catch (e) { ok = 'threw ' + e; }
    cases[el.getAttribute('data-case')] = ok;
  }
  if (document.querySelector('[data-case="redirect"]')) await sleep(100);
  window.__result = { cases, hits: window.__hits, errors: window.__errors, sseDone: window.__sseDone === true };
})();
"#;

/// The cases every full page must report.
const CASES: &[&str] = &[
    "text",
    "attr",
    "attr-upper",
    "attr-optional",
    "attr-quoted",
    "class",
    "href",
    "href-upper",
    "href-quoted",
    "form-action",
    "img-src",
    "svg-href",
    "svg-text",
    "style",
    "srcdoc",
    "srcdoc-template",
    "textarea",
    "pre",
    "script-json",
    "script-upper",
    "ds-text",
    "ds-signals-key",
    "ds-signals-struct",
    "ds-signals-map",
    "ds-signals-map-key",
    "ds-show",
    "ds-attr-title",
    "ds-attr-href",
    "ds-attr-style",
    "ds-attr-map",
    "ds-class-key",
    "ds-class-map",
    "ds-style-key",
    "ds-style-map",
    "ds-computed",
    "ds-on-click",
    "ds-init",
    "ds-effect",
    "ds-on-signal-patch",
    "ds-on-intersect",
    "ds-json-signals",
    "expr-assign",
    "expr-url",
    "expr-css",
    "expr-object",
    "sse-elements",
    "sse-text",
    "sse-arg",
    "sse-signals",
    "sse-script-attr",
    "redirect",
    "expr-splice",
    "expr-splice-text",
    "expr-then",
];

/// The context a case belongs to, for re-running one context alone.
fn context_of(case: &str) -> &str {
    match case {
        "sse-elements" | "sse-text" | "sse-arg" | "sse-signals" | "sse-script-attr" => "sse",
        "expr-in-single" | "expr-in-double" | "expr-in-template" => "expr-in-strings",
        "expr-splice" | "expr-splice-text" | "expr-then" => "expr-compose",
        c => c,
    }
}

struct App {
    payloads: Vec<String>,
    pwn: Mutex<Vec<String>>,
    /// Payloads whose redirect was sent: once each, so a payload that is a relative URL
    /// leading back to the frame cannot start a loop.
    redirected: Mutex<std::collections::HashSet<usize>>,
}

async fn case_page(
    State(app): State<Arc<App>>,
    Path(n): Path<usize>,
    Query(q): Query<BTreeMap<String, String>>,
) -> Html<String> {
    Html(page(&app.payloads[n], n, q.get("only").map(String::as_str)))
}

/// The SSE paths: elements patched in, signals patched then shown, a script with an argument
/// and a script with attributes.
async fn sse(State(app): State<Arc<App>>, Path(n): Path<usize>) -> impl IntoResponse {
    let p = app.payloads[n].as_str();
    let elements = html! {
        p #(SSE_ELEMENTS) "data-case"="sse-elements" "data-check"="text" data-text=(p) {}
        p #(SSE_TEXT) "data-case"="sse-text" "data-check"="text-norm" { (p) }
    };
    let signals = serde_json::json!({ "sse": p }).to_string();
    let arg = ExecuteScript::new("document.getElementById('sse-arg').textContent = v")
        .arg("v", p)
        .expect("a string serializes");
    let attrs = ExecuteScript::new("0")
        .auto_remove(false)
        .attribute("data-case", "sse-script-attr")
        .attribute("data-check", "attr-norm:data-v")
        .attribute("data-v", p);
    Events::new()
        .with(PatchElements::new(elements))
        .with(PatchSignals::raw(signals))
        .with(arg)
        .with(attrs)
        .with(ExecuteScript::new("window.__sseDone = true"))
}

/// A frame that asks for a redirect to the payload over SSE, as an app would.
async fn redirect_frame(Path(n): Path<usize>) -> Html<String> {
    let go = expr!("@get('/sse-redirect/{}')", n);
    Html(
        html! {
            script { (PreEscaped("window.alert = (m) => top.__pwned('alert in frame ' + m);")) }
            script type="module" src="/datastar.js" {}
            div data-init=(go) {}
        }
        .render()
        .into_string(),
    )
}

async fn sse_redirect(State(app): State<Arc<App>>, Path(n): Path<usize>) -> impl IntoResponse {
    if !app.redirected.lock().unwrap().insert(n) {
        return Events::new();
    }
    Events::new().with(ExecuteScript::redirect(&app.payloads[n]))
}

async fn pwn(State(app): State<Arc<App>>, Path(tag): Path<String>) -> &'static str {
    app.pwn.lock().unwrap().push(tag);
    ""
}

#[derive(serde::Deserialize, Debug)]
struct Report {
    cases: BTreeMap<String, serde_json::Value>,
    hits: Vec<String>,
    errors: Vec<String>,
    #[serde(rename = "sseDone")]
    sse_done: bool,
}

async fn load(client: &fantoccini::Client, url: &str) -> Report {
    load_report(client, url, Duration::from_secs(15)).await
}

/// Loads `url` and waits (up to `limit`) for the page's `window.__result`.
async fn load_report<T: serde::de::DeserializeOwned>(
    client: &fantoccini::Client,
    url: &str,
    limit: Duration,
) -> T {
    client.goto(url).await.expect("load the page");
    let start = Instant::now();
    loop {
        let v = client
            .execute("return window.__result || null", vec![])
            .await
            .expect("read the result");
        if !v.is_null() {
            return serde_json::from_value(v).expect("a report");
        }
        assert!(start.elapsed() < limit, "{url}: the page never reported");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// What is wrong with one page's report (empty when it passed).
fn problems(report: &Report, expected: &[&str], pwn: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    for case in expected {
        match report.cases.get(*case) {
            Some(serde_json::Value::Bool(true)) => {}
            Some(v) => out.push(format!("{case}: {v}")),
            None => out.push(format!("{case}: never reported")),
        }
    }
    out.extend(report.hits.iter().map(|h| format!("EXECUTED: {h}")));
    out.extend(pwn.iter().map(|t| format!("EXECUTED: request to /pwn/{t}")));
    out.extend(report.errors.iter().map(|e| format!("console: {e}")));
    out
}

#[tokio::test]
async fn no_payload_runs_and_every_value_round_trips_in_the_real_client() {
    let started = Instant::now();
    let fixed = payloads();
    assert!(fixed.len() >= 150, "{} payloads", fixed.len());
    let fixed_count = fixed.len();
    let all: Vec<String> = fixed
        .into_iter()
        .chain(generated(200))
        .enumerate()
        .map(|(n, p)| p.replace(N, &n.to_string()))
        .collect();
    let total = all.len();
    let app = Arc::new(App {
        payloads: all,
        pwn: Mutex::new(Vec::new()),
        redirected: Mutex::new(Default::default()),
    });
    let js = std::fs::read(datastar_js()).unwrap();
    let router = Router::new()
        .route("/case/{n}", get(case_page))
        .route("/sse/{n}", get(sse))
        .route("/redirect/{n}", get(redirect_frame))
        .route("/sse-redirect/{n}", get(sse_redirect))
        .route("/pwn/{tag}", get(pwn))
        .route(
            "/datastar.js",
            get(move || async move { ([("content-type", "text/javascript")], js.clone()) }),
        )
        .with_state(app.clone());
    let base = common::base_url(router).await;
    let driver = chromedriver();
    let b = browser(&driver).await;
    let mut failures = Vec::new();
    let mut cases_run = 0;
    for n in 0..total {
        let report = load(&b.client, &format!("{base}/case/{n}")).await;
        let pwn = std::mem::take(&mut *app.pwn.lock().unwrap());
        cases_run += report.cases.len();
        let found = problems(&report, CASES, &pwn);
        if found.is_empty() {
            continue;
        }
        // Name the culprit: each failing context again, alone on its page (every context when
        // something ran or logged an error, since that names no case).
        let unattributed = !report.hits.is_empty() || !report.errors.is_empty() || !pwn.is_empty();
        let mut detail = Vec::new();
        let contexts: std::collections::BTreeSet<&str> = CASES
            .iter()
            .filter(|c| {
                unattributed || report.cases.get(**c) != Some(&serde_json::Value::Bool(true))
            })
            .map(|c| context_of(c))
            .collect();
        for ctx in contexts {
            let r = load(&b.client, &format!("{base}/case/{n}?only={ctx}")).await;
            let pwn = std::mem::take(&mut *app.pwn.lock().unwrap());
            let expected: Vec<&str> = CASES
                .iter()
                .copied()
                .filter(|c| context_of(c) == ctx)
                .collect();
            let alone = problems(&r, &expected, &pwn);
            if !alone.is_empty() {
                detail.push(format!("  [{ctx}] {}", alone.join(" | ")));
            }
        }
        let failure = format!(
            "payload #{n} {:?} (sse done: {}): {}\n{}",
            app.payloads[n],
            report.sse_done,
            found.join(" | "),
            detail.join("\n")
        );
        eprintln!("{failure}");
        failures.push(failure);
    }
    b.client.close().await.unwrap();
    eprintln!(
        "browser safety: {total} payloads ({fixed_count} built, {} generated) x {} cases = {cases_run} case results in {:.1?}",
        total - fixed_count,
        CASES.len(),
        started.elapsed()
    );
    assert!(
        failures.is_empty(),
        "{} of {total} payloads failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

// ---------------------------------------------------------------------------------------------
// `expr!`'s proof against the real client: a generated corpus of code shapes (noise that fools
// a guessing lexer — quotes in comments and regular expressions, divisions, template literals
// nested with `${}`, object literals, `@action` and `$signal` uses — before a placeholder in
// code, in strings and in template text) × hostile values. The proof is the macro's own code,
// compiled in here, so a shape it accepts is one `expr!` accepts, and a shape it refuses is a
// compile error of `expr!` (`ui-tests/tests/fail/code/` holds representative ones).

#[path = "common/expr_proof.rs"]
mod expr_proof;

use expr_proof::proof::{prove, Slot};

/// Statements placed before the value: each valid JavaScript, and each written to fool a
/// lexer that guesses (the three shapes of issue 22 among them).
const NOISE: &[&str] = &[
    "0",
    "/* it's \"q\" `t` {} */ 0",
    "/* a */ /* b */ 0",
    "// slash / star * brace {\n0",
    "/'/.test(\"'\")",
    "/\"/.test('\"')",
    "/[/'\"`]/g.lastIndex",
    "/\\//.source",
    "$n.toString().replace(/\"/g, '')",
    "1 / 2 / 4",
    "(1) / 2",
    "[4][0] / 2",
    "`a${`b${'c'}`}d`",
    "`${ {a: '}'}.a }`",
    "({a: '}', b: \"{\", c: `}`})",
    "typeof /x/",
    "$n + 1",
    "'@x(' + '$n' + '$n.a'",
    "\"$n\" + `$n`",
    "'a;b' + \"c;d\"",
    "1 /* ; */ + 1",
    "/;/.test('x')",
    "@peek(() => 1)",
    "`${$n}`",
    "((x) => x)(1)",
    "void 0",
    "if (1) /'/.test(\"'\")",
    "x => {}",
];

/// Where the value goes, with what the expression evaluates to.
#[derive(Clone, Copy)]
enum Produces {
    /// The value itself.
    Value,
    /// `<` + the value's text + `>`.
    Wrapped,
}

const FORMS: &[(&str, Produces)] = &[
    ("§", Produces::Value),
    ("[§][0]", Produces::Value),
    ("({k: §}).k", Produces::Value),
    ("((x) => x)(§)", Produces::Value),
    ("true ? § : 0", Produces::Value),
    ("`${§}`.length >= 0 ? § : 0", Produces::Value),
    ("'<§>'", Produces::Wrapped),
    ("\"<§>\"", Produces::Wrapped),
    ("`<§>`", Produces::Wrapped),
    ("`<${'§'}>`", Produces::Wrapped),
    ("`<${\"§\"}>`", Produces::Wrapped),
    ("`<${`§`}>`", Produces::Wrapped),
    ("`${`<${'§'}`}>`", Produces::Wrapped),
    ("'<' + '§' + '>'", Produces::Wrapped),
    ("`<${ ((s) => s)('§') }>`", Produces::Wrapped),
];

/// Placements that must be refused: in comments, regular expressions, escapes, after an
/// operand, where the readings disagree.
const REFUSED: &[&str] = &[
    "/* § */ 0",
    "// §\n0",
    "/§/.test('x')",
    "/[§]/.source",
    "'\\§'",
    "'\\x§'",
    "$n §",
    "$n.§",
    "f`§`",
    "{}/'/ + '§' // '",
    "@peek§",
    "`${§`",
    "1 // x; '§'",
    "<!-- §\n0",
];

/// A shape: the whole code, how it is evaluated, and what it must produce.
struct Shape {
    code: String,
    statement: bool,
    form: Produces,
}

/// The generated shapes `expr!` accepts and that are valid JavaScript in the way the page
/// evaluates them (see [`all_shapes`] for the rest).
fn shapes() -> Vec<Shape> {
    all_shapes()
        .into_iter()
        .filter(|s| prove(&pieces(&s.code)).is_ok() && runs(s))
        .collect()
}

/// Is the shape valid JavaScript once the client has rewritten it for its attribute? The
/// client's statement splitter misreads some code (a `/` inside a character class opens a
/// "regular expression" for it): that code never runs there, whatever the values.
fn runs(s: &Shape) -> bool {
    use expr_proof::client::{rewrite, Evaluation};
    let evaluation = if s.statement {
        Evaluation::Statements
    } else {
        Evaluation::Value
    };
    let code = s.code.replace('§', "\u{e000}");
    let text: Vec<char> = rewrite(&code, evaluation).chars().collect();
    !matches!(
        expr_proof::lexer::classify(&text, &[]),
        Err(expr_proof::lexer::LexError::Invalid(_))
    )
}

fn all_shapes() -> Vec<Shape> {
    let mut out = Vec::new();
    for noise in NOISE {
        // The same noise after the value too, unless it reads signals: the client misses a
        // `$name` that follows a quote inside a regular expression (its scan takes the quote
        // for a string), a limit of the client for static code that has nothing to do with
        // values, and the unrewritten name would throw.
        let after = if noise.contains('$') { "0" } else { noise };
        for (form, kind) in FORMS {
            out.push(Shape {
                code: format!("{noise}; el.__r = {form}; {after}"),
                statement: true,
                form: *kind,
            });
            out.push(Shape {
                code: format!("{noise}; JSON.stringify({form})"),
                statement: false,
                form: *kind,
            });
        }
    }
    out
}

fn pieces(code: &str) -> Vec<String> {
    code.split('§').map(str::to_owned).collect()
}

/// The `Expr` `expr!` would build for this shape and value (the same proof, the same writer).
fn build_expr(code: &str, slots: &[Slot], value: &serde_json::Value) -> Expr {
    let mut b = nitro::__private::ExprBuilder::new();
    for (i, piece) in pieces(code).into_iter().enumerate() {
        if i > 0 {
            b = match slots[i - 1] {
                Slot::Value => b.value(value),
                Slot::Text => b.text(value),
            };
        }
        if !piece.is_empty() {
            b = b.code(Box::leak(piece.into_boxed_str()));
        }
    }
    b.build()
}

fn text_of(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The values of the corpus: the hostile strings, and one of each other JSON shape.
fn shape_values() -> Vec<serde_json::Value> {
    let mut values: Vec<serde_json::Value> = payloads()
        .into_iter()
        .chain(generated(24))
        .map(serde_json::Value::String)
        .collect();
    values.extend([
        serde_json::json!(0),
        serde_json::json!(-1.5e3),
        serde_json::json!(true),
        serde_json::json!(null),
        serde_json::json!([1, "a'\"`${x}", { "k": "</script>" }]),
        serde_json::json!({ "a": "@get('/pwn/0')", "$b": "🖕JS_x_DS🚀", "__proto__": 1 }),
    ]);
    values
}

#[test]
fn every_generated_shape_is_proved_or_refused() {
    let all = all_shapes();
    let mut refused = Vec::new();
    let mut broken = 0;
    for s in &all {
        if !runs(s) {
            broken += 1;
        }
        let slots = match prove(&pieces(&s.code)) {
            Ok(slots) => slots,
            Err(r) => {
                refused.push(format!("{:?}: {}", s.code, r.message));
                continue;
            }
        };
        // Every placeholder of a form is where the form means it to be.
        let want = match s.form {
            Produces::Value => Slot::Value,
            Produces::Wrapped => Slot::Text,
        };
        assert!(slots.iter().all(|&x| x == want), "{:?}: {slots:?}", s.code);
    }
    // Refused generated shapes are ones Datastar's client itself breaks (its statement
    // splitter misreads the noise): a compile error instead of a broken page.
    for r in &refused {
        eprintln!("refused: {r}");
        assert!(
            r.contains("not valid JavaScript") || r.contains("rewrite"),
            "{r}"
        );
    }
    assert!(
        refused.len() * 10 < all.len(),
        "{} of {} refused",
        refused.len(),
        all.len()
    );
    for code in REFUSED {
        for noise in NOISE {
            let whole = format!("{noise}; {code}");
            assert!(prove(&pieces(&whole)).is_err(), "{whole:?} was accepted");
        }
    }
    eprintln!(
        "expr! proof: {} generated shapes, {} accepted, {} refused (the client breaks them), {} accepted but never run by the client in their attribute; {} misplaced placeholders refused",
        all.len(),
        all.len() - refused.len(),
        refused.len(),
        broken,
        REFUSED.len() * NOISE.len()
    );
    assert!(broken * 10 < all.len(), "{broken} shapes the client breaks");
}

/// Each value's page holds one shape in [`SHAPE_STRIDE`] (a different sixth for each value),
/// so every shape meets about 34 of the values and the suite takes minutes, not a quarter of an
/// hour; `NITRO_SHAPES_ALL=1` runs the whole product.
const SHAPE_STRIDE: usize = 6;

fn shape_on_page(k: usize, n: usize) -> bool {
    std::env::var_os("NITRO_SHAPES_ALL").is_some() || (k + n).is_multiple_of(SHAPE_STRIDE)
}

/// One page per value: its shapes, each on an element that evaluates it once.
fn shapes_page(value: &serde_json::Value, n: usize) -> String {
    let text = value.to_string().replace(N, &n.to_string());
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    let shapes = shapes();
    let mut expected = serde_json::Map::new();
    let mut cases = Vec::new();
    for (k, s) in shapes.iter().enumerate() {
        if !shape_on_page(k, n) {
            continue;
        }
        let slots = prove(&pieces(&s.code)).expect("proved in the unit test");
        let want = match s.form {
            Produces::Value => value.clone(),
            Produces::Wrapped => serde_json::Value::String(format!("<{}>", text_of(&value))),
        };
        expected.insert(k.to_string(), want);
        cases.push((k, s.statement, build_expr(&s.code, &slots, &value)));
    }
    let expected = serde_json::Value::Object(expected);
    let body = html! {
        div data-signals="{n: 1}" {
            @for (k, statement, e) in &cases {
                @if *statement {
                    div "data-shape"=(k) "data-mode"="statement" data-init=(e) {}
                } @else {
                    div "data-shape"=(k) "data-mode"="value" data-attr:data-r=(e) {}
                }
            }
        }
    };
    test_page(SHAPES_HARNESS, &expected, body)
}

/// Waits for Datastar, then compares what each shape produced with what it must.
const SHAPES_HARNESS: &str = r#"
const ready = new Promise((resolve) => {
  document.addEventListener('datastar-ready', resolve, { once: true });
  setTimeout(resolve, 3000);
});
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const expect = JSON.parse(document.getElementById('nitro-expect').textContent);
(async () => {
  await ready;
  await sleep(30);
  const bad = [];
  let n = 0;
  for (const el of document.querySelectorAll('[data-shape]')) {
    n++;
    const k = el.getAttribute('data-shape');
    const want = JSON.stringify(expect[k]);
    let got;
    if (el.getAttribute('data-mode') === 'statement') {
      got = '__r' in el ? JSON.stringify(el.__r) : 'nothing';
    } else {
      const r = el.getAttribute('data-r');
      got = r === null ? 'nothing' : JSON.stringify(JSON.parse(r));
    }
    if (got !== want) bad.push(k + ': ' + String(got).slice(0, 120));
  }
  window.__result = { checked: n, bad, hits: window.__hits, errors: window.__errors };
})();
"#;

#[derive(serde::Deserialize, Debug)]
struct ShapesReport {
    checked: usize,
    bad: Vec<String>,
    hits: Vec<String>,
    errors: Vec<String>,
}

struct ShapesApp {
    values: Vec<serde_json::Value>,
    pwn: Mutex<Vec<String>>,
}

#[tokio::test]
async fn generated_code_shapes_never_run_a_value_and_read_back_exactly() {
    let started = Instant::now();
    let values = shape_values();
    let app = Arc::new(ShapesApp {
        values,
        pwn: Mutex::new(Vec::new()),
    });
    let js = std::fs::read(datastar_js()).unwrap();
    let router = Router::new()
        .route(
            "/shapes/{n}",
            get(
                |State(app): State<Arc<ShapesApp>>, Path(n): Path<usize>| async move {
                    Html(shapes_page(&app.values[n], n))
                },
            ),
        )
        .route(
            "/pwn/{tag}",
            get(
                |State(app): State<Arc<ShapesApp>>, Path(tag): Path<String>| async move {
                    app.pwn.lock().unwrap().push(tag);
                    ""
                },
            ),
        )
        .route(
            "/datastar.js",
            get(move || async move { ([("content-type", "text/javascript")], js.clone()) }),
        )
        .with_state(app.clone());
    let base = common::base_url(router).await;
    let driver = chromedriver();
    let b = browser(&driver).await;
    let shape_count = shapes().len();
    let mut failures = Vec::new();
    let mut checked = 0;
    // `NITRO_SHAPES=a..b` runs only those values (to look into one).
    let range = std::env::var("NITRO_SHAPES")
        .ok()
        .and_then(|r| {
            let (a, b) = r.split_once("..")?;
            Some(a.parse().ok()?..b.parse().ok()?)
        })
        .unwrap_or(0..app.values.len());
    for n in range {
        let report: ShapesReport = load_report(
            &b.client,
            &format!("{base}/shapes/{n}"),
            Duration::from_secs(20),
        )
        .await;
        let pwn = std::mem::take(&mut *app.pwn.lock().unwrap());
        checked += report.checked;
        let mut found = Vec::new();
        let on_page = (0..shape_count).filter(|&k| shape_on_page(k, n)).count();
        if report.checked != on_page {
            found.push(format!("{} of {on_page} shapes checked", report.checked));
        }
        found.extend(report.hits.iter().map(|h| format!("EXECUTED: {h}")));
        found.extend(pwn.iter().map(|t| format!("EXECUTED: request to /pwn/{t}")));
        found.extend(report.errors.iter().map(|e| format!("console: {e}")));
        found.extend(report.bad.iter().take(8).map(|b| {
            let k: usize = b.split(':').next().unwrap().parse().unwrap();
            format!("shape {:?} read back {b}", shapes()[k].code)
        }));
        if !found.is_empty() {
            let failure = format!("value #{n} {:?}: {}", app.values[n], found.join(" | "));
            eprintln!("{failure}");
            failures.push(failure);
        }
    }
    b.client.close().await.unwrap();
    eprintln!(
        "expr! shapes in the browser: {shape_count} shapes, {} values, {checked} evaluations (each shape with 1 value in {SHAPE_STRIDE}) in {:.1?}",
        app.values.len(),
        started.elapsed()
    );
    assert!(
        failures.is_empty(),
        "{} of {} values failed:\n{}",
        failures.len(),
        app.values.len(),
        failures.join("\n")
    );
}

/// The model of the client `expr!` proves against (`macros/src/expr/client.rs`) uses the
/// client's own regular expressions and steps: they must still be the ones of the client these
/// tests run, or the proof is about another program.
#[test]
fn the_proof_models_this_client() {
    use expr_proof::client::{ACTIONS, SIGNALS, SIGNALS_INSIDE, STATEMENTS};
    let js = std::fs::read_to_string(datastar_js()).unwrap();
    for (what, needle) in [
        ("statement splitter", format!("/{STATEMENTS}/gm")),
        ("signal rewriting", format!("/{SIGNALS}/g")),
        (
            "signal rewriting inside ${{}}",
            format!("/{SIGNALS_INSIDE}/g"),
        ),
        (
            "action rewriting",
            format!("/{ACTIONS}/g,'__action(\"$1\",evt,'"),
        ),
        (
            "the last statement returned",
            "f.startsWith(\"return\")||(l[u]=`return (${f});`),s=l.join(`;\n`)".to_owned(),
        ),
        ("statements trimmed", "else s=e.trim()".to_owned()),
        ("markers", "/🖕JS_DS🚀/".to_owned()),
        (
            "the function",
            "Function(\"el\",\"$\",\"__action\",\"evt\",...n,s)".to_owned(),
        ),
    ] {
        assert!(
            js.contains(&needle),
            "the client no longer has the {what}: {needle}"
        );
    }
}
