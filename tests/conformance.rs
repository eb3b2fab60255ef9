//! The official Datastar SDK golden cases (`../shared/datastar-golden/{get,post}/*`), replayed
//! over real HTTP against `examples/conformance.rs`, and our own cases in the same format for
//! the Datastar 1.0.2 options (`tests/golden/{get,post}/*`).
//!
//! Comparison rules (design.md §3): per event, `event:`/`id:`/`retry:` values match exactly;
//! `data:` lines are grouped by key and compared key by key, in order within a key; HTML in
//! `elements` is compared as parsed markup (attribute order ignored); signals JSON exactly.

mod common;

#[path = "../examples/conformance.rs"]
#[allow(dead_code)]
mod conformance;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(Debug, PartialEq)]
struct ParsedEvent {
    fields: Vec<(String, String)>,
    data: BTreeMap<String, Vec<String>>,
}

fn parse_events(text: &str) -> Vec<ParsedEvent> {
    let text = text.replace("\r\n", "\n");
    text.split("\n\n")
        .filter(|block| !block.trim().is_empty())
        .map(|block| {
            let mut fields = Vec::new();
            let mut data: BTreeMap<String, Vec<String>> = BTreeMap::new();
            for line in block.lines() {
                let (name, value) = line
                    .split_once(": ")
                    .unwrap_or((line.trim_end_matches(':'), ""));
                if name == "data" {
                    let (key, rest) = value.split_once(' ').unwrap_or((value, ""));
                    data.entry(key.to_owned())
                        .or_default()
                        .push(rest.to_owned());
                } else {
                    fields.push((name.to_owned(), value.to_owned()));
                }
            }
            ParsedEvent { fields, data }
        })
        .collect()
}

/// Markup in a canonical form: elements with sorted attributes, text as is.
fn canonical_html(html: &str) -> String {
    fn walk(node: ego_tree::NodeRef<'_, scraper::Node>, out: &mut String) {
        for child in node.children() {
            match child.value() {
                scraper::Node::Element(el) => {
                    let mut attrs: Vec<_> = el.attrs().collect();
                    attrs.sort();
                    out.push('<');
                    out.push_str(el.name());
                    for (k, v) in attrs {
                        out.push_str(&format!(" {k}={v:?}"));
                    }
                    out.push('>');
                    walk(child, out);
                    out.push_str(&format!("</{}>", el.name()));
                }
                scraper::Node::Text(t) => out.push_str(t),
                _ => walk(child, out),
            }
        }
    }
    let doc = scraper::Html::parse_fragment(html);
    let mut out = String::new();
    walk(doc.tree.root(), &mut out);
    out
}

fn compare(expected: &str, actual: &str) -> Result<(), String> {
    let (want, got) = (parse_events(expected), parse_events(actual));
    if want.len() != got.len() {
        return Err(format!(
            "expected {} events, got {}:\n{actual}",
            want.len(),
            got.len()
        ));
    }
    for (i, (w, g)) in want.iter().zip(&got).enumerate() {
        if w.fields != g.fields {
            return Err(format!(
                "event {i}: fields {:?} != {:?}",
                g.fields, w.fields
            ));
        }
        let keys_w: Vec<_> = w.data.keys().collect();
        let keys_g: Vec<_> = g.data.keys().collect();
        if keys_w != keys_g {
            return Err(format!("event {i}: data keys {keys_g:?} != {keys_w:?}"));
        }
        for (key, lines_w) in &w.data {
            let lines_g = &g.data[key];
            let same = if key == "elements" {
                canonical_html(&lines_w.join("\n")) == canonical_html(&lines_g.join("\n"))
            } else {
                lines_w == lines_g
            };
            if !same {
                return Err(format!(
                    "event {i}: `{key}` lines {lines_g:?} != {lines_w:?}"
                ));
            }
        }
    }
    Ok(())
}

fn golden_dir() -> PathBuf {
    std::env::var_os("NITRO_GOLDEN_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/datastar-golden"))
}

#[tokio::test]
async fn golden_cases_over_http() {
    run_cases(&golden_dir()).await;
}

/// `namespace` and `viewTransitionSelector` (Datastar 1.0.2), which the official files lack.
#[tokio::test]
async fn our_golden_cases_for_1_0_2_options() {
    run_cases(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden")).await;
}

async fn run_cases(dir: &Path) {
    let mut cases = Vec::new();
    for method in ["get", "post"] {
        let Ok(entries) = std::fs::read_dir(dir.join(method)) else {
            continue;
        };
        for entry in entries.flatten() {
            if entry.path().join("input.json").is_file() {
                cases.push((method, entry.path()));
            }
        }
    }
    cases.sort();
    assert!(
        !cases.is_empty(),
        "no golden cases found under {}",
        dir.display()
    );

    let addr = common::serve(conformance::app()).await;
    let client = reqwest::Client::new();

    let mut failures = Vec::new();
    for (method, case) in &cases {
        let input = std::fs::read_to_string(case.join("input.json")).unwrap();
        let expected = std::fs::read_to_string(case.join("output.txt")).unwrap();
        let url = format!("http://{addr}/test");
        let request = match *method {
            "get" => client.get(format!("{url}?datastar={}", urlencoding::encode(&input))),
            _ => client
                .post(&url)
                .header("content-type", "application/json")
                .body(input),
        };
        let response = request
            .header("datastar-request", "true")
            .send()
            .await
            .unwrap();
        let status = response.status();
        let ctype = response.headers().get("content-type").cloned();
        let body = response.text().await.unwrap();
        let name = format!("{method}/{}", case.file_name().unwrap().to_string_lossy());
        if !status.is_success() {
            failures.push(format!("{name}: HTTP {status}: {body}"));
        } else if ctype.as_ref().map(|v| v.as_bytes()) != Some(b"text/event-stream") {
            failures.push(format!("{name}: content-type {ctype:?}"));
        } else if let Err(e) = compare(&expected, &body) {
            failures.push(format!("{name}: {e}"));
        }
    }
    println!(
        "conformance: {}/{} cases passed",
        cases.len() - failures.len(),
        cases.len()
    );
    assert!(
        failures.is_empty(),
        "failed cases:\n{}",
        failures.join("\n")
    );
}

#[test]
fn the_comparison_itself_catches_differences() {
    let base = "event: datastar-patch-elements\ndata: selector #a\ndata: mode append\ndata: elements <div b=\"1\" a=\"2\">x</div>\n\n";
    // Key order across keys and attribute order are not significant...
    let reordered = "event: datastar-patch-elements\ndata: mode append\ndata: selector #a\ndata: elements <div a=\"2\" b=\"1\">x</div>\n\n";
    assert!(compare(base, reordered).is_ok());
    // ...but values, ids, line order within a key and event counts are.
    assert!(compare(base, &base.replace("#a", "#b")).is_err());
    assert!(compare(
        base,
        &base.replace(
            "event: datastar-patch-elements\n",
            "event: datastar-patch-elements\nid: 1\n"
        )
    )
    .is_err());
    assert!(compare(base, &format!("{base}{base}")).is_err());
    assert!(compare(
        "event: e\ndata: signals {\"a\":1}\n\n",
        "event: e\ndata: signals {\"a\": 1}\n\n"
    )
    .is_err());
    assert!(compare(
        "event: e\ndata: elements <p>a</p>\ndata: elements <p>b</p>\n\n",
        "event: e\ndata: elements <p>b</p>\ndata: elements <p>a</p>\n\n"
    )
    .is_err());
}
