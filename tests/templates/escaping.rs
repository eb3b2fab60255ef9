//! Escaping by context: compile-time (macro) and run-time escaping agree, and no user string
//! can produce markup or leave its attribute, whatever it contains.

use nitro::prelude::*;
use proptest::prelude::*;

fn r(t: impl Render) -> String {
    t.render().into_string()
}

#[test]
fn compile_time_and_run_time_escaping_agree() {
    const S: &str = "<a href=\"x\">it's & done</a>";
    let dynamic = S;
    assert_eq!(
        r(html! { p { "<a href=\"x\">it's & done</a>" } }),
        r(html! { p { (dynamic) } })
    );
    // In an attribute a literal is written as maud writes it (an apostrophe stays: the value is
    // in double quotes), a value from Rust has its apostrophes encoded too: the same value once
    // the browser has read it.
    let fixed = r(html! { p title="<a href=\"x\">it's & done</a>" {} });
    let spliced = r(html! { p title=(dynamic) {} });
    assert_eq!(
        fixed,
        r#"<p title="&lt;a href=&quot;x&quot;&gt;it's &amp; done&lt;/a&gt;"></p>"#
    );
    assert_eq!(html_unescape(&fixed), html_unescape(&spliced));
}

/// Text content between `>` and `<` of our own markup: no raw `<` and no `&` that is not ours.
fn assert_text_safe(out: &str, prefix: &str, suffix: &str) {
    let inner = &out[prefix.len()..out.len() - suffix.len()];
    assert!(!inner.contains('<'), "raw < in {inner:?}");
    assert!(!inner.contains('>'), "raw > in {inner:?}");
}

fn assert_attr_safe(out: &str, prefix: &str, suffix: &str) {
    assert!(out.starts_with(prefix) && out.ends_with(suffix), "{out:?}");
    let inner = &out[prefix.len()..out.len() - suffix.len()];
    assert!(
        !inner.contains('"') && !inner.contains('\'') && !inner.contains('<'),
        "{inner:?}"
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn text_never_contains_markup(s in any::<String>()) {
        let v = &s;
        let out = r(html! { p { (v) } });
        assert_text_safe(&out, "<p>", "</p>");
        // Escaping is reversible: the browser sees exactly the user's string.
        let inner = &out[3..out.len() - 4];
        prop_assert_eq!(html_unescape(inner), s);
    }

    #[test]
    fn attribute_values_never_close_their_quote(s in any::<String>()) {
        let v = &s;
        let out = r(html! { p title=(v) {} });
        assert_attr_safe(&out, "<p title=\"", "\"></p>");
        let id = DynId::new(v.clone());
        let out = r(html! { p #(id) .(v) {} });
        prop_assert!(out.matches('"').count() == 4, "{}", out);
    }

    #[test]
    fn expression_values_are_one_json_literal(s in any::<String>()) {
        let v = &s;
        let out = r(html! { p data-text=(v) {} });
        assert_attr_safe(&out, "<p data-text=\"", "\"></p>");
        let inner = &out["<p data-text=\"".len()..out.len() - "\"></p>".len()];
        let json: String = serde_json::from_str(&html_unescape(inner)).unwrap();
        prop_assert_eq!(json, s);
    }

    /// The expression encoding: inside the attribute only inert ASCII and `&quot;`, and the
    /// JSON means exactly the value, for strings, keys and nested values.
    #[test]
    fn expression_values_are_inert_ascii(s in any::<String>(), k in any::<String>()) {
        let mut map = std::collections::BTreeMap::new();
        map.insert(k.clone(), vec![s.clone()]);
        let m = &map;
        let out = r(html! { p data-signals=(m) {} });
        let inner = &out["<p data-signals=\"".len()..out.len() - "\"></p>".len()];
        let json = inner.replace("&quot;", "\"");
        prop_assert!(
            json.bytes().all(|b| b.is_ascii_alphanumeric() || b" -.,:!?#%+=*()[]{}|~^\"\\".contains(&b)),
            "{}", json
        );
        // A backslash only ever starts a \uXXXX escape.
        prop_assert!(json.split('\\').skip(1).all(|rest| rest.starts_with('u')), "{}", json);
        let back: std::collections::BTreeMap<String, Vec<String>> = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(back, map);
    }

    #[test]
    fn script_json_never_closes_the_element(s in any::<String>()) {
        let v = &s;
        let out = r(html! { script { (Json(v)) } });
        let inner = &out["<script>".len()..out.len() - "</script>".len()];
        prop_assert!(!inner.contains('<'));
        let back: String = serde_json::from_str(inner).unwrap();
        prop_assert_eq!(back, s);
    }
}

fn html_unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&amp;", "&")
}
