//! HTML names the `html!` macro and the runtime must treat alike: one copy, used by the macro
//! for literal and spliced values and by the runtime for names it only sees at render time
//! (`data-attr` maps, script attributes). Names compare ASCII-case-insensitively, as the
//! browser reads them.

/// Attributes whose value is a URL: dynamic values get the `javascript:` guard (on plain
/// attributes and as `data-attr` keys).
///
/// ```
/// assert!(nitro::escape::URL_ATTRIBUTES.contains(&"href"));
/// ```
pub const URL_ATTRIBUTES: &[&str] = &[
    "action",
    "archive",
    "background",
    "cite",
    "classid",
    "codebase",
    "data",
    "dynsrc",
    "formaction",
    "href",
    "icon",
    "longdesc",
    "lowsrc",
    "manifest",
    "poster",
    "profile",
    "src",
    "usemap",
    "xlink:href",
];

/// Attributes that load or redirect code, by element: `html!` accepts only a `TrustedUrl`
/// there, and the runtime drops these keys from a `data-attr` map on those elements.
///
/// ```
/// assert!(nitro::escape::CODE_URL_ATTRIBUTES.iter().any(|(el, _)| *el == "script"));
/// ```
pub const CODE_URL_ATTRIBUTES: &[(&str, &[&str])] = &[
    ("script", &["src", "href", "xlink:href"]),
    ("base", &["href"]),
    ("link", &["href"]),
    ("object", &["data", "codebase", "archive", "classid"]),
    ("embed", &["src"]),
    ("applet", &["code", "codebase", "archive", "object", "src"]),
];

/// SVG animation elements: they can set any attribute of another element (an `href` to a
/// `javascript:` URL), so their target and values are never taken from data.
pub const SVG_ANIMATION: &[&str] = &[
    "animate",
    "animatecolor",
    "animatemotion",
    "animatetransform",
    "set",
];

/// The attributes of an [`SVG_ANIMATION`] element that say what it sets, and to what.
pub const SVG_ANIMATION_VALUES: &[&str] = &["attributename", "by", "from", "to", "values"];

/// Elements that never have children or a closing tag (lowercase): `html!` refuses children
/// there, and the runtime's scan of spliced HTML expects no closing tag.
pub const VOID_ELEMENTS: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
    "wbr",
];

/// Is `name` (any case) one of `list`?
pub fn is_one_of(name: &str, list: &[&str]) -> bool {
    list.iter().any(|n| n.eq_ignore_ascii_case(name))
}

/// Does attribute `attr` of element `element` (any case) load or redirect code?
///
/// ```
/// assert!(nitro::escape::loads_code("SCRIPT", "Src"));
/// assert!(!nitro::escape::loads_code("img", "src"));
/// ```
pub fn loads_code(element: &str, attr: &str) -> bool {
    CODE_URL_ATTRIBUTES
        .iter()
        .any(|(el, attrs)| el.eq_ignore_ascii_case(element) && is_one_of(attr, attrs))
}

/// Does attribute `attr` of element `element` (any case) say what an SVG animation sets?
pub fn is_svg_animation_value(element: &str, attr: &str) -> bool {
    is_one_of(element, SVG_ANIMATION) && is_one_of(attr, SVG_ANIMATION_VALUES)
}

/// Is `name` an event-handler attribute (`on…`) once the browser has read it?
/// `setAttribute` lowercases names in HTML documents, and Datastar's key casing may turn
/// `-`/`_` into other spellings, so those are ignored too.
pub fn is_event_handler(name: &str) -> bool {
    let mut letters = name
        .bytes()
        .filter(|b| !matches!(b, b'-' | b'_'))
        .map(|b| b.to_ascii_lowercase());
    letters.next() == Some(b'o') && letters.next() == Some(b'n')
}

/// Would the Datastar client read an attribute of this name (any case) as one of its plugins
/// (`data-<plugin>[:key][__mods]`), and so run its value as an expression? An attribute set in
/// the browser (`data-attr`'s `setAttribute`, a script's attributes) is seen by the client's
/// observer like one in the page, so such a name never takes data.
pub fn is_datastar_attribute(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    let Some(rest) = lower.strip_prefix("data-") else {
        return false;
    };
    let plugin = rest.split([':', '_']).next().unwrap_or("");
    crate::datastar::PLUGINS.iter().any(|p| {
        p.name == plugin
            || (rest.starts_with(p.name) && rest[p.name.len()..].starts_with(['-', ':', '_']))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_compare_without_case() {
        assert!(loads_code("SCRIPT", "Src"));
        assert!(!loads_code("img", "src"));
        assert!(is_svg_animation_value("animateTransform", "attributeName"));
        assert!(is_event_handler("OnClick") && is_event_handler("o-n_load"));
        assert!(!is_event_handler("title"));
        assert!(is_datastar_attribute("DATA-ON:click"));
        assert!(is_datastar_attribute("data-on-intersect__once"));
        assert!(!is_datastar_attribute("data-user-id"));
    }
}
