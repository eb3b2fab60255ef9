//! Any strings in any fields: the encoded event parses back to one event with the same values.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nitro::sse::{Event, Mode, PatchElements};
use nitro::Selector;

fuzz_target!(|input: (String, String, String, u8)| {
    let (html, selector, id, mode) = input;
    let mode = Mode::ALL[mode as usize % Mode::ALL.len()];
    let event = PatchElements::trusted(Some(Selector::css(selector.clone())), mode, html.clone()).id(id.clone());
    let Ok(bytes) = event.to_bytes() else {
        assert!(id.contains(['\n', '\r', '\0']));
        return;
    };
    let text = std::str::from_utf8(&bytes).expect("events are UTF-8");
    assert!(text.ends_with("\n\n"));
    let body = &text[..text.len() - 2];
    assert!(!body.contains("\n\n") && !body.contains('\r'), "an extra event or a stray CR");
    let (mut html_lines, mut sel_lines) = (Vec::new(), Vec::new());
    for line in body.split('\n') {
        if let Some(v) = line.strip_prefix("data: elements ") {
            html_lines.push(v);
        } else if let Some(v) = line.strip_prefix("data: selector ") {
            sel_lines.push(v);
        } else {
            assert!(
                line.starts_with("event: ") || line.starts_with("id: ") || line.starts_with("data: mode "),
                "unexpected line {line:?}"
            );
        }
    }
    let norm = |s: &str| s.replace("\r\n", "\n").replace('\r', "\n");
    assert_eq!(sel_lines.join("\n"), norm(&selector));
    if !html.is_empty() {
        assert_eq!(html_lines.join("\n"), norm(&html));
    }
});
