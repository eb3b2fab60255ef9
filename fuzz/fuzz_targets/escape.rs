//! Escaped text never contains markup, escaped attributes never leave their quotes, and both
//! unescape back to the input.
#![no_main]

use libfuzzer_sys::fuzz_target;

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&#x27;", "'").replace("&amp;", "&")
}

fuzz_target!(|s: String| {
    let mut text = String::new();
    nitro::escape::text(&s, &mut text);
    assert!(!text.contains('<') && !text.contains('>'));
    assert_eq!(unescape(&text), s);
    let mut attr = String::new();
    nitro::escape::attribute(&s, &mut attr);
    assert!(!attr.contains(['"', '\'', '<', '>']));
    assert_eq!(unescape(&attr), s);
    let mut json = String::new();
    nitro::escape::json_attribute(&s, &mut json);
    assert!(!json.contains(['"', '\'', '<', '>']));
    assert_eq!(serde_json::from_str::<String>(&unescape(&json)).unwrap(), s);
});
