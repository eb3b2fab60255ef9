//! The house style on small inputs, comments kept, calls found wherever they are.

use nitro_fmt::format_source;

/// Formats `src`, checks that a second run changes nothing, returns the result.
fn fmt(src: &str) -> String {
    let once = format_source(src).unwrap();
    assert!(once.skipped.is_empty(), "{:?}", once.skipped);
    let twice = format_source(&once.text).unwrap().text;
    assert_eq!(once.text, twice, "not idempotent");
    once.text
}

#[test]
fn short_nodes_stay_on_one_line() {
    assert_eq!(
        fmt("fn f() { let _ = html!{p{\"hi\" ( name )}}; }"),
        "fn f() { let _ = html! { p { \"hi\" ( name ) } }; }"
    );
    assert_eq!(
        fmt("fn f() { html!{ li   .a  #b  title = \"t\"  { a href=(u) { \"x\" } } } }"),
        "fn f() { html! { li.a #b title=\"t\" { a href=(u) { \"x\" } } } }"
    );
}

#[test]
fn ids_are_never_joined_to_a_name() {
    // `p#x` would not even lex as Rust 2021 (reserved prefix).
    assert_eq!(
        fmt("fn f() { html!{ p #x.a {} } html!{ span.d #(z) .e {} } }"),
        "fn f() { html! { p #x .a {} } html! { span.d #(z) .e {} } }"
    );
}

#[test]
fn blocks_with_two_elements_or_too_long_break() {
    let src = "fn f() {\n    html! { ul { li { \"a\" } li { \"b\" } } }\n}\n";
    assert_eq!(
        fmt(src),
        "fn f() {\n    html! {\n        ul {\n            li { \"a\" }\n            li { \"b\" }\n        }\n    }\n}\n"
    );
    let long = format!(
        "fn f() {{\n    html! {{ p {{ \"{}\" }} }}\n}}\n",
        "x".repeat(90)
    );
    assert_eq!(
        fmt(&long),
        format!(
            "fn f() {{\n    html! {{\n        p {{\n            \"{}\"\n        }}\n    }}\n}}\n",
            "x".repeat(90)
        )
    );
}

#[test]
fn attributes_that_do_not_fit_wrap() {
    let attrs: Vec<String> = (0..8).map(|i| format!("title{i}=\"value {i}\"")).collect();
    let src = format!(
        "fn f() {{\n    html! {{ input {}; }}\n}}\n",
        attrs.join(" ")
    );
    let out = fmt(&src);
    for line in out.lines() {
        assert!(line.chars().count() <= 100, "{line}");
    }
    assert!(
        out.contains("\n            title"),
        "continued four spaces deeper:\n{out}"
    );
}

#[test]
fn control_flow_and_match_arms() {
    let src = "fn f() {\n    html! { @if a { p { \"x\" } span { \"y\" } } @else if b { \"b\" } @else { \"c\" } @match k { 1 => \"one\", _ => { em { \"many\" } } } @for i in 0..3 { (i) } @let x = 1; }\n}\n";
    assert_eq!(
        fmt(src),
        "fn f() {
    html! {
        @if a {
            p { \"x\" }
            span { \"y\" }
        } @else if b {
            \"b\"
        } @else {
            \"c\"
        }
        @match k { 1 => \"one\", _ => { em { \"many\" } } }
        @for i in 0..3 { (i) }
        @let x = 1;
    }
}
"
    );
}

#[test]
fn comments_are_kept() {
    let src = "fn f() {
    html! {
        // the header
        h1 { \"t\" } /* trailing */
        p .a /* between attributes */ title=\"x\" {
            \"y\" // after text
        }
        // before the end
    }
}
";
    let out = fmt(src);
    for c in [
        "// the header",
        "/* trailing */",
        "/* between attributes */",
        "// after text",
        "// before the end",
    ] {
        assert!(out.contains(c), "{c} lost:\n{out}");
    }
    // A line comment is never followed by code on its line.
    for line in out.lines() {
        if let Some(i) = line.find("//") {
            assert!(line[i..].starts_with("// "), "{line}");
        }
    }
    assert_eq!(
        out,
        "fn f() {
    html! {
        // the header
        h1 { \"t\" }
        /* trailing */
        p.a /* between attributes */
            title=\"x\" {
            \"y\"
            // after text
        }
        // before the end
    }
}
"
    );
}

#[test]
fn calls_are_found_everywhere() {
    let src = "impl X {
    fn f(&self) -> impl Render {
        let c = |x: u8| html!{b{(x)}};
        assert_eq!(html!{i{}}.render(), vec![html!{br;}]);
        nitro::html!(p{})
    }
}
static S: fn() = || {
    html!{ em{} };
};
";
    assert_eq!(
        fmt(src),
        "impl X {
    fn f(&self) -> impl Render {
        let c = |x: u8| html! { b { (x) } };
        assert_eq!(html! { i {} }.render(), vec![html! { br; }]);
        nitro::html!(p {})
    }
}
static S: fn() = || {
    html! { em {} };
};
"
    );
}

#[test]
fn a_call_moved_by_an_earlier_one_on_its_line_is_decided_once() {
    let long = "x".repeat(80);
    let src = format!("fn f() {{ (html!{{ p {{ \"{long}\" }} }}, html!{{ p {{ \"b\" }} }}) }}\n");
    let out = fmt(&src);
    assert!(out.contains("html! { p { \"b\" } }"), "{out}");
}

#[test]
fn indentation_follows_the_call_site() {
    let src = "fn f() {\n        let x = html! { div { p { \"a\" } p { \"b\" } } };\n}\n";
    assert_eq!(
        fmt(src),
        "fn f() {\n        let x = html! {\n            div {\n                p { \"a\" }\n                p { \"b\" }\n            }\n        };\n}\n"
    );
}

#[test]
fn rust_code_and_literals_are_copied_as_written() {
    let src = "fn f() {\n    html! { pre { r#\"line one\n   line two\"# } p { (a +   b) } @if x  ==  y { \"=\" } }\n}\n";
    let out = fmt(src);
    assert!(out.contains("r#\"line one\n   line two\"#"), "{out}");
    assert!(out.contains("(a +   b)"), "{out}");
    assert!(out.contains("@if x  ==  y"), "{out}");
}

#[test]
fn what_does_not_parse_is_left_alone() {
    for src in [
        "fn f() { html!{ p { \"unclosed\" } div } }",
        "fn f() { html!{ @unknown x { } } }",
        "fn f() { html!{ input/ } }",
    ] {
        assert_eq!(fmt(src), src);
    }
    assert!(format_source("fn f( {").is_err());
}

#[test]
fn stray_semicolons_keep_their_spacing() {
    assert_eq!(
        fmt("fn f() { html!{ \"one\"; \"two\"; ;;;; br; ; } }"),
        "fn f() { html! { \"one\"; \"two\"; ;;;; br; ; } }"
    );
}
