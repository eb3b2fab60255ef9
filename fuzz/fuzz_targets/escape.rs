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
    // The expression encoding: only inert ASCII inside, a backslash only before `u`, and the
    // literal means the string.
    let mut expr = String::new();
    nitro::escape::expression_json(&s, &mut expr);
    assert!(expr.bytes().all(|b| b.is_ascii_alphanumeric() || b" -.,:!?#%+=*()[]{}|~^\"\\".contains(&b)));
    assert!(expr.split('\\').skip(1).all(|rest| rest.starts_with('u')));
    assert_eq!(serde_json::from_str::<String>(&expr).unwrap(), s);
    // URL guards never panic, whatever the bytes.
    let _ = nitro::escape::is_dangerous_url(&s);
    let _ = nitro::escape::is_dangerous_url_attribute(&s);
    let _ = nitro::escape::is_dangerous_css(&s);
});
