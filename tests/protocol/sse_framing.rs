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
