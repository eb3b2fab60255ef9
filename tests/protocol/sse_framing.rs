//! Any string in any field, encoded by us and read back by an independent SSE parser
//! (`eventsource-stream`), yields exactly one event with the same values: no extra event, no
//! extra field.

use eventsource_stream::Eventsource;
use futures_util::StreamExt;
use nitro::prelude::*;
use nitro::sse::{Event, Mode, PatchElements};
use nitro::{IntoSelector, Selector};
use proptest::prelude::*;

struct Parsed {
    event: String,
    id: String,
    data: Vec<(String, String)>,
}

fn parse(bytes: axum::body::Bytes) -> Vec<Parsed> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    rt.block_on(async {
        let stream = futures_util::stream::iter([Ok::<_, std::convert::Infallible>(bytes)]);
        stream
            .eventsource()
            .map(|e| {
                let e = e.expect("valid SSE");
                let data = e
                    .data
                    .split('\n')
                    .map(|line| {
                        let (k, v) = line.split_once(' ').expect("`key value` data line");
                        (k.to_owned(), v.to_owned())
                    })
                    .collect();
                Parsed {
                    event: e.event,
                    id: e.id,
                    data,
                }
            })
            .collect()
            .await
    })
}

/// The value as the browser reassembles it: every kind of line break becomes `\n`.
fn normalized(s: &str) -> String {
    s.replace("\r\n", "\n").replace('\r', "\n")
}

fn values(data: &[(String, String)], key: &str) -> Option<String> {
    let lines: Vec<&str> = data
        .iter()
        .filter(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
        .collect();
    (!lines.is_empty()).then(|| lines.join("\n"))
}

fn mode() -> impl Strategy<Value = Mode> {
    prop::sample::select(Mode::ALL.to_vec())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn patch_elements_round_trips(html in any::<String>(), selector in any::<String>(), id in any::<String>(), mode in mode(), vt in any::<bool>()) {
        let event = PatchElements::trusted(Some(Selector::css(selector.clone())), mode, html.clone()).use_view_transition(vt).id(id.clone());
        match event.to_bytes() {
            Err(_) => prop_assert!(id.contains(['\n', '\r', '\0'])),
            Ok(bytes) => {
                let events = parse(bytes);
                prop_assert_eq!(events.len(), 1);
                let e = &events[0];
                prop_assert_eq!(&e.event, "datastar-patch-elements");
                prop_assert_eq!(&e.id, &id);
                prop_assert_eq!(values(&e.data, "selector"), Some(normalized(&selector)));
                let want_mode = (mode != Mode::Outer).then(|| mode.as_str().to_owned());
                prop_assert_eq!(values(&e.data, "mode"), want_mode);
                prop_assert_eq!(values(&e.data, "useViewTransition"), vt.then(|| "true".to_owned()));
                prop_assert_eq!(values(&e.data, "elements"), (!html.is_empty()).then(|| normalized(&html)));
                for (k, _) in &e.data {
                    prop_assert!(["selector", "mode", "useViewTransition", "elements"].contains(&k.as_str()));
                }
            }
        }
    }

    #[test]
    fn patch_signals_round_trips(map in prop::collection::btree_map(any::<String>(), any::<String>(), 0..4), only in any::<bool>()) {
        let bytes = PatchSignals::new(&map).only_if_missing(only).to_bytes().unwrap();
        let events = parse(bytes);
        prop_assert_eq!(events.len(), 1);
        let json = values(&events[0].data, "signals").unwrap();
        let back: std::collections::BTreeMap<String, String> = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(back, map);
        prop_assert_eq!(values(&events[0].data, "onlyIfMissing"), only.then(|| "true".to_owned()));
    }

    #[test]
    fn execute_script_and_remove_round_trip(script in any::<String>(), name in "[a-z]{1,8}", value in any::<String>(), selector in any::<String>()) {
        let loads_code = name.starts_with("on") || name == "src" || name == "href";
        let encoded = ExecuteScript::trusted(script.clone()).attribute_trusted(name.clone(), value).to_bytes();
        // An event handler or a code-loading attribute is refused; every other name round-trips.
        prop_assert_eq!(encoded.is_err(), loads_code, "{:?}", encoded);
        let bytes = match encoded {
            Ok(bytes) => bytes,
            Err(_) => ExecuteScript::trusted(script.clone()).to_bytes().unwrap(),
        };
        let events = parse(bytes);
        prop_assert_eq!(events.len(), 1);
        let elements = values(&events[0].data, "elements").unwrap();
        let tail = format!(">{}</script>", normalized(&script));
        prop_assert!(elements.ends_with(&tail));
        prop_assert_eq!(values(&events[0].data, "selector"), Some("body".to_owned()));

        let events = parse(PatchElements::remove(Selector::css(selector.clone())).to_bytes().unwrap());
        prop_assert_eq!(events.len(), 1);
        prop_assert_eq!(values(&events[0].data, "selector"), Some(normalized(&selector)));
    }
}

/// Text with every kind of line break, often at the ends.
fn breaky() -> impl Strategy<Value = String> {
    proptest::string::string_regex("([a-z<&\"é]{0,6}|\r|\n|\r\n|\n\r){0,8}").unwrap()
}

ids! { ROW = "row" }

/// A template's patch encoded by the direct path, and its HTML.
type Rendered<'a> = dyn Fn() -> (Vec<u8>, String) + 'a;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    /// `PatchElements::new(html!{..})` frames the HTML while rendering; its bytes are exactly those
    /// of the old path (render to a string, then split and copy), for templates whose static
    /// text and dynamic values hold `\n`, `\r` and `\r\n` anywhere.
    #[test]
    fn direct_framing_equals_split_and_copy(
        a in breaky(), b in breaky(), n in any::<i64>(), rows in 0usize..4, raw in breaky(),
        mode in mode(), id in "[a-z0-9]{0,4}",
    ) {
        let templates: Vec<Box<Rendered>> = vec![
            Box::new(|| {
                let t = html! {
                    div #(ROW) title=(a) {
                        (b)
                        "\n"
                        (n)
                        "\r\n"
                        @for i in 0..rows { p { (i) "\r" (a) } }
                    }
                };
                (PatchElements::at(ROW, mode, t).id(id.clone()).to_bytes().unwrap().to_vec(), t.render().into_string())
            }),
            Box::new(|| {
                let t = html! { "\n" pre #(ROW) { (a) } (PreEscaped(raw.as_str())) };
                (PatchElements::at(ROW, Mode::Outer, t).to_bytes().unwrap().to_vec(), t.render().into_string())
            }),
            Box::new(|| {
                let t = html! { (PreEscaped(raw.as_str())) };
                (PatchElements::at(ROW, Mode::Outer, t).to_bytes().unwrap().to_vec(), t.render().into_string())
            }),
            // Templates spliced into the patch's: they write on through its writer, framed, a
            // `\r\n` split across the edges included.
            Box::new(|| {
                let c = html! { (a) "\r" (PreEscaped(raw.as_str())) };
                let d = html! { "\n" (b) @for i in 0..rows { (c) (i) } };
                let t = html! { (c) "\n" (d) (b) "\r" (d) };
                (PatchElements::at(ROW, Mode::Outer, t).to_bytes().unwrap().to_vec(), t.render().into_string())
            }),
        ];
        for (k, t) in templates.iter().enumerate() {
            let (direct, html) = t();
            let old = match k {
                0 => PatchElements::trusted(Some(ROW.into_selector()), mode, html.clone()).id(id.clone()),
                _ => PatchElements::trusted(Some(ROW.into_selector()), Mode::Outer, html.clone()),
            };
            let old = old.to_bytes().unwrap();
            prop_assert_eq!(String::from_utf8_lossy(&direct), String::from_utf8_lossy(&old), "template {}", k);
            // The HTML is still there as rendered (line breaks as the browser reads them).
            let e = PatchElements::at(ROW, Mode::Outer, PreEscaped(html.as_str()));
            prop_assert_eq!(e.elements(), normalized(&html));
        }
    }
}

#[test]
fn ids_with_line_breaks_are_refused() {
    for bad in ["a\nb", "a\rb", "a\r\nb", "nul\0"] {
        let err = PatchElements::trusted(None, Mode::Outer, "<p id=x></p>")
            .id(bad)
            .to_bytes()
            .unwrap_err();
        assert_eq!(err.kind(), nitro::sse::EventErrorKind::InvalidEventId);
    }
}

/// Code that changes what the framed writer already wrote (here a `Template::new` closure that
/// inserts user text before an `html!` body) cannot smuggle a line break past the framing: the
/// patch stays one event whose every line is `data: elements …` (before the fix: a forged
/// `datastar-patch-signals` event).
#[test]
fn bytes_changed_after_framing_are_framed_again() {
    ids! { T = "t" }
    let user = "hi\n\nevent: datastar-patch-signals\ndata: signals {\"admin\":true}\n\n";
    let body = html! { div #(T) { "a\nb" } };
    let t = nitro::Template::new(0, move |buf: &mut String| {
        let start = buf.len();
        body.render_to(buf);
        let mut h = String::from("<h2 id=\"h\">");
        nitro::escape::text(user, &mut h);
        h.push_str("</h2>\r\n");
        buf.insert_str(start, &h);
    });
    let direct = PatchElements::at(T, Mode::Outer, t).encode().unwrap();
    let expected = PatchElements::at(T, Mode::Outer, PreEscaped(t.render().into_string()))
        .encode()
        .unwrap();
    assert_eq!(direct, expected);
    let lines: Vec<&str> = direct.trim_end_matches('\n').lines().collect();
    assert_eq!(lines[0], "event: datastar-patch-elements");
    assert_eq!(lines[1], "data: selector #t");
    assert!(
        lines[2..].iter().all(|l| l.starts_with("data: elements ")),
        "{direct}"
    );
    assert_eq!(direct.matches("\n\n").count(), 1, "{direct}");
}

// --- Hostile code: bytes written around and over the framed writer ------------------------

/// An edit of the buffer by code that gets it whole: a `Template::new` closure after the
/// `html!` body it renders, or a hand-written `Render` spliced into a template (the writer
/// lends it the buffer). Positions count from `from` (where that code's own part starts; 0 for
/// a lender: it reaches back over everything, the SSE prefix included), clamped to the buffer
/// and moved back to a char boundary.
#[derive(Clone, Debug)]
enum Edit {
    /// Appends.
    Push(String),
    /// Inserts at a position.
    Insert(usize, String),
    /// Replaces a range with as many bytes (the length, capacity and end stay as they were).
    Overwrite(usize, String),
    /// Cuts at a position, then appends.
    TruncatePush(usize, String),
}

fn boundary(buf: &str, from: usize, at: usize) -> usize {
    let mut at = (from + at).min(buf.len());
    while !buf.is_char_boundary(at) {
        at -= 1;
    }
    at
}

impl Edit {
    fn apply(&self, buf: &mut String, from: usize) {
        match self {
            Edit::Push(s) => buf.push_str(s),
            Edit::Insert(at, s) => buf.insert_str(boundary(buf, from, *at), s),
            Edit::Overwrite(at, s) => {
                let at = boundary(buf, from, *at);
                // Only ASCII, so that the same number of bytes is a `str` again.
                let s: String = s.chars().filter(char::is_ascii).collect();
                let end = boundary(buf, at, s.len());
                buf.replace_range(at..end, &s[..end - at]);
            }
            Edit::TruncatePush(at, s) => {
                buf.truncate(boundary(buf, from, *at));
                buf.push_str(s);
            }
        }
    }
}

/// Text meant to start fields and events of its own.
fn forged() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "\n",
        "\r",
        "\r\n",
        "\n\n",
        "event: datastar-patch-signals",
        "data: signals {\"admin\":true}",
        "data: elements ",
        "id: 9",
        "retry: 1",
        "<p>",
        "é",
        "x",
    ]);
    prop::collection::vec(pieces, 0..8).prop_map(|p| p.concat())
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        forged().prop_map(Edit::Push),
        (0usize..80, forged()).prop_map(|(at, s)| Edit::Insert(at, s)),
        (0usize..80, forged()).prop_map(|(at, s)| Edit::Overwrite(at, s)),
        (0usize..80, forged()).prop_map(|(at, s)| Edit::TruncatePush(at, s)),
    ]
}

/// The encoded patch is one `datastar-patch-elements` event, each line of it a field we wrote:
/// no `\r` anywhere (a lone `\r` ends a line too), one empty line (at the end), and an
/// independent parser reads one event with `selector` and `elements` data only.
fn one_elements_event(bytes: &[u8]) -> Result<(), TestCaseError> {
    let text = std::str::from_utf8(bytes).unwrap();
    prop_assert!(!text.contains('\r'), "{:?}", text);
    let body = text.strip_suffix("\n\n");
    prop_assert!(body.is_some(), "{:?}", text);
    let mut lines = body.unwrap().split('\n');
    prop_assert_eq!(lines.next(), Some("event: datastar-patch-elements"));
    for line in lines {
        prop_assert!(
            line.starts_with("data: selector ") || line.starts_with("data: elements "),
            "{:?} in {:?}",
            line,
            text
        );
    }
    let events = parse(axum::body::Bytes::copy_from_slice(bytes));
    prop_assert_eq!(events.len(), 1);
    prop_assert_eq!(&events[0].event, "datastar-patch-elements");
    prop_assert_eq!(&events[0].id, "");
    for (k, _) in &events[0].data {
        prop_assert!(["selector", "elements"].contains(&k.as_str()), "{}", k);
    }
    Ok(())
}

/// Spliced into a template: edits the buffer the writer lends it, from its very start.
struct Hostile(Edit);

impl Render for Hostile {
    fn render_to(&self, buf: &mut String) {
        self.0.apply(buf, 0);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    /// Whatever code other than `html!`'s does to the buffer (before, over or after what the
    /// framed writer wrote, in a `Template::new` closure or a spliced `Render`), the patch is
    /// one event of `data: elements` lines: nothing it writes starts a field or an event. An
    /// edit that only appends is framed as the old path frames it.
    #[test]
    fn hostile_code_cannot_inject_fields(
        a in breaky(), n in 0u32..1000, before in edit(), after in edit(), inside in edit(),
    ) {
        let body = html! { div #(ROW) title=(a) { (a) "\n" (n) "\r\n" p { (n) } } };
        // A closure that edits after (and before) the framed writer.
        let closure = nitro::Template::new(0, |buf: &mut String| {
            let from = buf.len();
            before.apply(buf, from);
            let from = buf.len();
            body.render_to(buf);
            after.apply(buf, from);
        });
        let direct = PatchElements::at(ROW, Mode::Outer, closure).to_bytes().unwrap();
        one_elements_event(&direct)?;
        if let (Edit::Push(x), Edit::Push(y)) = (&before, &after) {
            let html = format!("{x}{}{y}", body.render().into_string());
            let old = PatchElements::at(ROW, Mode::Outer, PreEscaped(html)).to_bytes().unwrap();
            prop_assert_eq!(String::from_utf8_lossy(&direct), String::from_utf8_lossy(&old));
        }
        // A hand-written `Render` the framed writer lends the buffer to, from its start.
        let lender = Hostile(inside.clone());
        let t = html! { div #(ROW) { (a) "\n" (lender) p { (n) "\r" } (a) } };
        one_elements_event(&PatchElements::at(ROW, Mode::Outer, t).to_bytes().unwrap())?;
        // The same one level down, in a template spliced into the patch's (whose writer
        // writes framed too).
        let inner = html! { p { (a) "\r" (lender) } (n) };
        let t = html! { div #(ROW) { (a) "\r" (inner) "\n" (inner) } };
        one_elements_event(&PatchElements::at(ROW, Mode::Outer, t).to_bytes().unwrap())?;
        // And at the top level: all of the template is the closure's.
        let top = nitro::Template::new(0, |buf: &mut String| inside.apply(buf, 0));
        one_elements_event(&PatchElements::at(ROW, Mode::Outer, top).to_bytes().unwrap())?;
    }
}

/// The cases the proptest finds at random, spelled out: a closure that writes raw `\n`, `\r`
/// or `\r\n` after the framed writer, over the bytes it framed (the same length: nothing but
/// the bytes tells), or over the `data: elements ` prefix itself.
#[test]
fn raw_line_breaks_after_the_framed_writer_are_framed() {
    ids! { T = "t" }
    let forged = "\n\nevent: datastar-patch-signals\ndata: signals {\"admin\":true}\n\n";
    /// An edit of the buffer, given where the closure's part starts.
    type EditFn = dyn Fn(&mut String, usize);
    let edits: Vec<Box<EditFn>> = vec![
        Box::new(|buf, _| buf.push_str(forged)),
        Box::new(|buf, _| buf.push_str(&forged.replace('\n', "\r"))),
        Box::new(|buf, _| buf.push_str(&forged.replace('\n', "\r\n"))),
        // Over the framed `\n` + prefix of the template's line break, same length.
        Box::new(|buf, _| {
            let forged = "\r\nevent: evil1\n\n";
            let at = buf.find("\ndata: elements b").or(buf.find("\nb")).unwrap();
            let end = (at + forged.len()).min(buf.len());
            buf.replace_range(at..end, &forged[..end - at]);
        }),
        // Over the prefix: the buffer starts with a field of the closure's choosing.
        Box::new(|buf, _| buf.replace_range(0..15, "event: evil\n\nx")),
        Box::new(|buf, _| {
            buf.clear();
            buf.push_str("id: 1\n\nevent: evil");
        }),
        Box::new(|buf, from| buf.insert(from, '\r')),
    ];
    let check = |k: usize, direct: String| {
        assert!(!direct.contains('\r'), "edit {k}: {direct:?}");
        let lines: Vec<&str> = direct.trim_end_matches('\n').split('\n').collect();
        assert_eq!(lines[0], "event: datastar-patch-elements", "edit {k}");
        assert_eq!(lines[1], "data: selector #t", "edit {k}");
        assert!(
            lines[2..].iter().all(|l| l.starts_with("data: elements ")),
            "edit {k}: {direct:?}"
        );
        assert!(
            direct.ends_with("\n\n") && direct.matches("\n\n").count() == 1,
            "edit {k}: {direct:?}"
        );
    };
    for (k, edit) in edits.iter().enumerate() {
        let body = html! { div #(T) { "a\nb" } };
        let t = nitro::Template::new(0, |buf: &mut String| {
            let from = buf.len();
            body.render_to(buf);
            edit(buf, from);
        });
        check(k, PatchElements::at(T, Mode::Outer, t).encode().unwrap());
        // No `html!` inside: nothing was framed, and the prefix the patch wrote first is
        // the closure's to change.
        let t = nitro::Template::new(0, |buf: &mut String| {
            buf.push_str("<p>a\nb</p>");
            edit(buf, 0);
        });
        check(k, PatchElements::at(T, Mode::Outer, t).encode().unwrap());
    }
}
