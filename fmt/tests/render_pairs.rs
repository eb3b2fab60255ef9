//! `tests/templates/formatted.rs` (root crate) renders its `before` and `after` templates and
//! compares the bytes; this checks that `after` is exactly what nitro-fmt makes of `before`,
//! so that comparison is a real before/after of the formatter.

use std::path::Path;

use nitro_fmt::format_source;

/// The source text of top-level `mod NAME { .. }`, attributes excluded.
fn module<'a>(src: &'a str, file: &syn::File, name: &str) -> &'a str {
    use syn::spanned::Spanned;
    let m = file
        .items
        .iter()
        .find_map(|i| match i {
            syn::Item::Mod(m) if m.ident == name => Some(m),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no mod {name}"));
    let start = m.mod_token.span.byte_range().start;
    let end = m.span().byte_range().end;
    &src[start..end]
}

#[test]
fn after_is_before_formatted() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/templates/formatted.rs");
    let src = std::fs::read_to_string(path).unwrap();
    let file = syn::parse_file(&src).unwrap();
    let before = module(&src, &file, "before").replacen("mod before", "mod after", 1);
    let after = module(&src, &file, "after");
    assert_ne!(before, after, "the before templates are already formatted");
    let formatted = format_source(&before).unwrap();
    assert!(formatted.skipped.is_empty());
    assert_eq!(formatted.text, after);
}
