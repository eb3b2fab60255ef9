//! The formatter on every template of the project: the Rust files of `examples/`, `tests/` and
//! `src/`, and the README's Rust snippets. For each file, the formatted source must hold the
//! same tokens as the original (same tokens, same order, same spacing of joined punctuation:
//! only whitespace and comment placement differ), which means every `html!` renders the same
//! bytes, since the macro sees only tokens; and formatting again must change nothing.

use std::path::{Path, PathBuf};

use nitro_fmt::{format_source, same_tokens};
use proc_macro2::TokenStream;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

/// The README's ```rust blocks, doctest-hidden lines (`# `) shown, each as a file (wrapped in a
/// function when it is a run of statements).
fn readme_snippets() -> Vec<(String, String)> {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let mut out = Vec::new();
    let mut lines = readme.lines().enumerate();
    while let Some((n, line)) = lines.next() {
        if !line.trim_start().starts_with("```rust") {
            continue;
        }
        let mut code = String::new();
        for (_, l) in lines.by_ref() {
            if l.trim_start().starts_with("```") {
                break;
            }
            let l = l
                .strip_prefix("# ")
                .unwrap_or(if l == "#" { "" } else { l });
            code.push_str(l);
            code.push('\n');
        }
        let code = if syn::parse_file(&code).is_ok() {
            code
        } else {
            format!("fn snippet() {{\n{code}}}\n")
        };
        out.push((format!("README.md:{}", n + 1), code));
    }
    out
}

/// `(name, source)` of every file the test formats.
fn sources() -> Vec<(String, String)> {
    let mut files = Vec::new();
    for dir in ["examples", "tests", "src"] {
        rust_files(&root().join(dir), &mut files);
    }
    files.sort();
    let mut out: Vec<(String, String)> = files
        .iter()
        .map(|p| {
            let name = p.strip_prefix(root()).unwrap().display().to_string();
            (name, std::fs::read_to_string(p).unwrap())
        })
        .collect();
    out.extend(readme_snippets());
    out
}

fn html_calls(src: &str) -> usize {
    src.matches("html!").count()
}

#[test]
fn formatting_changes_no_token_and_is_idempotent() {
    let mut calls = 0;
    let mut snippets = 0;
    for (name, src) in sources() {
        let Ok(once) = format_source(&src) else {
            // A README snippet that is not a whole program even wrapped (a fragment).
            assert!(name.starts_with("README"), "{name} is not valid Rust");
            continue;
        };
        if name.starts_with("README") {
            snippets += 1;
        }
        assert!(once.skipped.is_empty(), "{name}: {:?}", once.skipped);
        let before: TokenStream = src.parse().unwrap();
        let after: TokenStream = once
            .text
            .parse()
            .unwrap_or_else(|e| panic!("{name}: the formatted file does not lex: {e}"));
        assert!(same_tokens(&before, &after), "{name}: tokens changed");
        let twice = format_source(&once.text).unwrap();
        assert_eq!(once.text, twice.text, "{name}: formatting twice differs");
        calls += html_calls(&src);
    }
    // Not vacuous: the project's templates were all seen.
    assert!(calls > 300, "only {calls} html! calls");
    assert!(snippets > 10, "only {snippets} README snippets parsed");
}
