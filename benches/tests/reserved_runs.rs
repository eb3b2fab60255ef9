//! `html!`'s reserved runs (one capacity check for a straight run of static text, numbers,
//! toggles and other values; `nitro_runtime::writer`, "Reserved runs") write the same bytes as
//! the checked writes. `html!` writes them when it is built without debug assertions (Cargo's
//! release profile: `.ci/run` runs `cargo test --release -p nitro-benches --test reserved_runs`);
//! in the dev profile it writes the checked form, and these tests are not compiled.
#![cfg(not(debug_assertions))]

use nitro::prelude::*;
use nitro::sse::{Mode, PatchElements};

ids! { LIST = "list" }

// The templates below are in the reserved form only if the macro says so.
const _: () = assert!(
    nitro::__private::reserved_runs!(),
    "html! was built with debug assertions: these tests would check the checked form"
);

/// Renders into a buffer of each starting capacity (growth inside a run, at its start, none).
fn each_capacity(t: &impl Render, want: &str) {
    for cap in [
        0,
        1,
        7,
        want.len().saturating_sub(3),
        want.len(),
        want.len() + 64,
    ] {
        let mut buf = String::with_capacity(cap);
        t.render_to(&mut buf);
        assert_eq!(buf, want, "capacity {cap}");
    }
    assert_eq!(t.render().into_string(), want);
}

#[test]
fn numbers_of_every_type_and_width() {
    let (a, b, c, d, e) = (255u8, u16::MAX, u32::MAX, u64::MAX, usize::MAX);
    let (f, g, h, i, j) = (i8::MIN, i16::MIN, i32::MIN, i64::MIN, isize::MIN);
    let small = [0u64, 7, 42, 999, 1000, 9999, 10_000, 123_456];
    let t = html! {
        p { (a) "," (b) "," (c) "," (d) "," (e) }
        p { (f) "," (g) "," (h) "," (i) "," (j) }
        ul { @for n in &small { li { (n) ":" (*n as i32 - 500) } } }
    };
    let mut want = format!("<p>{a},{b},{c},{d},{e}</p><p>{f},{g},{h},{i},{j}</p><ul>");
    for n in small {
        want.push_str(&format!("<li>{n}:{}</li>", n as i32 - 500));
    }
    want.push_str("</ul>");
    each_capacity(&t, &want);
}

#[test]
fn toggles_strings_display_and_components_inside_a_run() {
    let name = "<Ann & \"Bo\">";
    let ip = std::net::Ipv4Addr::LOCALHOST;
    let inner = html! { b { "x" } };
    let maybe: Option<u32> = Some(7);
    for (i, flag) in [true, false].into_iter().enumerate() {
        let t = html! {
            li.on[flag] { (name) " #" (i) " " (ip) (inner) (maybe) "/" (i) }
            input checked[flag] disabled[!flag];
        };
        let class = if flag { " class=\"on\"" } else { "" };
        let toggles = if flag { " checked" } else { " disabled" };
        let want = format!(
            "<li{class}>&lt;Ann &amp; \"Bo\"&gt; #{i} 127.0.0.1<b>x</b>7/{i}</li><input{toggles}>"
        );
        each_capacity(&t, &want);
    }
}

#[test]
fn static_line_breaks_in_a_run_and_framed_patches() {
    let rows: Vec<(u32, &str)> = vec![(1, "a"), (22, "b\nc"), (333, "d\r\ne")];
    let t = html! {
        ul #(LIST) { @for (n, s) in &rows { li { (n) "\n" (s) " " (n) } "\n" } }
    };
    let mut want = String::from("<ul id=\"list\">");
    for (n, s) in &rows {
        want.push_str(&format!("<li>{n}\n{s} {n}</li>\n"));
    }
    want.push_str("</ul>");
    each_capacity(&t, &want);

    // Rendered straight into an SSE patch (framed writes) and rendered, then encoded: the
    // same bytes.
    let mut direct = bytes::BytesMut::new();
    PatchElements::new(t).encode_to(&mut direct).unwrap();
    let mut encoded = bytes::BytesMut::new();
    PatchElements::trusted(None, Mode::Outer, t.render().into_string())
        .encode_to(&mut encoded)
        .unwrap();
    assert_eq!(direct, encoded);
}
