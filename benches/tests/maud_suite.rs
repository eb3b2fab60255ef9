//! maud's own test suite, run against nitro's `html!`.
//!
//! The tests are taken at test time from the maud crate cargo downloaded for these benches
//! (`maud-0.27`'s `tests/` directory, located with `cargo metadata`); nothing of them is copied
//! into this repository. The port is mechanical: `maud::` becomes `nitro::` and nothing else
//! changes. Each `#[test]` counts on its own: a test that does not compile is taken out (by the
//! line span of each error) and counted as such, and the rest run. maud's compile-fail cases
//! (`tests/warnings/*.rs`, run by trybuild there) pass when nitro refuses them too.
//!
//! Slow (it builds a crate of its own), so ignored by default:
//!
//! ```text
//! cargo test -p nitro-benches --test maud_suite -- --ignored --nocapture
//! ```

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

/// What the port must reach: the issue's target.
const TARGET_PASSING: usize = 80;

struct Case {
    file: String,
    name: String,
    /// 1-based line range of the test in its file, `#[test]` included.
    lines: (usize, usize),
}

#[derive(Default)]
struct Outcome {
    passed: Vec<String>,
    failed: Vec<String>,
    no_compile: Vec<String>,
}

#[test]
#[ignore = "builds a crate of its own; run with --ignored"]
fn maud_suite() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let maud = maud_dir(root);
    let work = root.join("target").join("maud-suite");
    let crate_dir = work.join("crate");
    let _ = std::fs::remove_dir_all(crate_dir.join("tests"));
    let _ = std::fs::remove_dir_all(crate_dir.join("examples"));
    std::fs::create_dir_all(crate_dir.join("tests")).unwrap();
    std::fs::create_dir_all(crate_dir.join("examples")).unwrap();
    std::fs::create_dir_all(crate_dir.join("src")).unwrap();
    std::fs::write(crate_dir.join("src/lib.rs"), "").unwrap();
    std::fs::write(
        crate_dir.join("Cargo.toml"),
        format!(
            "[package]\nname = \"maud-suite-on-nitro\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n\
             [dependencies]\nnitro = {{ path = {:?}, default-features = false }}\n\n[workspace]\n",
            root.display().to_string()
        ),
    )
    .unwrap();
    std::fs::copy(root.join("Cargo.lock"), crate_dir.join("Cargo.lock")).unwrap();

    // Run-time tests: every `tests/*.rs` but trybuild's driver.
    let mut cases = Vec::new();
    let mut files: Vec<PathBuf> = std::fs::read_dir(maud.join("tests"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .filter(|p| !p.ends_with("errors.rs"))
        .collect();
    files.sort();
    for path in &files {
        let text = port(&std::fs::read_to_string(path).unwrap());
        let file = path.file_name().unwrap().to_string_lossy().into_owned();
        cases.extend(split_tests(&file, &text));
        std::fs::write(crate_dir.join("tests").join(&file), text).unwrap();
    }

    let mut outcome = Outcome::default();
    // Take out the tests that do not compile, until the rest does (each round can reveal
    // errors rustc stopped before).
    let mut removed: BTreeSet<String> = BTreeSet::new();
    for _round in 0..6 {
        let errors = compile_errors(&crate_dir, &work, &["--tests"]);
        if errors.is_empty() {
            break;
        }
        let mut progress = false;
        for (file, line) in errors {
            let hit = cases
                .iter()
                .find(|c| c.file == file && c.lines.0 <= line && line <= c.lines.1);
            if let Some(c) = hit {
                let id = format!("{}::{}", c.file.trim_end_matches(".rs"), c.name);
                if removed.insert(id) {
                    blank_out(&crate_dir.join("tests").join(&c.file), c.lines);
                    progress = true;
                }
            }
        }
        assert!(progress, "errors outside any test; see the output above");
    }
    outcome.no_compile.extend(removed.iter().cloned());

    for path in &files {
        let target = path.file_stem().unwrap().to_string_lossy().into_owned();
        let out = cargo(&crate_dir, &work)
            .args(["test", "--test", &target, "--", "--test-threads=1"])
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let before = outcome.failed.len();
        for line in stdout.lines() {
            if let Some((name, result)) = line
                .strip_prefix("test ")
                .and_then(|r| r.split_once(" ... "))
            {
                let id = format!("{target}::{name}");
                match result.trim() {
                    "ok" => outcome.passed.push(id),
                    _ => outcome.failed.push(id),
                }
            }
        }
        if outcome.failed.len() > before {
            println!("{stdout}");
        }
    }

    // Compile-fail cases: nitro must refuse each, as maud does.
    let mut refused = Vec::new();
    let mut accepted = Vec::new();
    let mut warnings: Vec<PathBuf> = std::fs::read_dir(maud.join("tests/warnings"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .collect();
    warnings.sort();
    for path in &warnings {
        let name = path
            .file_stem()
            .unwrap()
            .to_string_lossy()
            .replace('-', "_");
        let text = port(&std::fs::read_to_string(path).unwrap());
        std::fs::write(crate_dir.join("examples").join(format!("{name}.rs")), text).unwrap();
        let out = cargo(&crate_dir, &work)
            .args(["check", "--example", &name])
            .output()
            .unwrap();
        if out.status.success() {
            accepted.push(format!("warnings/{name}"));
        } else {
            refused.push(format!("warnings/{name}"));
        }
    }

    let total = cases.len() + warnings.len();
    let passing = outcome.passed.len() + refused.len();
    println!("maud {} suite on nitro:", maud.display());
    println!(
        "  run-time tests: {} of {} pass ({} fail, {} do not compile)",
        outcome.passed.len(),
        cases.len(),
        outcome.failed.len(),
        outcome.no_compile.len()
    );
    println!(
        "  compile-fail cases: {} of {} refused",
        refused.len(),
        warnings.len()
    );
    println!("  total: {passing} of {total}");
    for id in &outcome.failed {
        println!("  FAILED          {id}");
    }
    for id in &outcome.no_compile {
        println!("  DOES NOT BUILD  {id}");
    }
    for id in &accepted {
        println!("  ACCEPTED        {id}");
    }
    assert_eq!(
        outcome.passed.len() + outcome.failed.len() + outcome.no_compile.len(),
        cases.len(),
        "every test is accounted for"
    );
    assert!(
        passing >= TARGET_PASSING,
        "{passing} of {total} pass; the target is {TARGET_PASSING}"
    );
}

/// The one adaptation: maud's paths become nitro's.
fn port(text: &str) -> String {
    text.replace("maud::", "nitro::")
}

/// Splits a test file at its `#[test]` attributes.
fn split_tests(file: &str, text: &str) -> Vec<Case> {
    let lines: Vec<&str> = text.lines().collect();
    let starts: Vec<usize> = lines
        .iter()
        .enumerate()
        .filter(|(_, l)| l.trim() == "#[test]")
        .map(|(i, _)| i)
        .collect();
    starts
        .iter()
        .enumerate()
        .map(|(k, &start)| {
            // A test ends at its closing brace in column 0 (items between tests stay).
            let next = starts.get(k + 1).map_or(lines.len(), |&n| n);
            let end = (start..next).find(|&i| lines[i] == "}").unwrap_or(next - 1);
            let name = lines[start..=end]
                .iter()
                .find_map(|l| l.trim().strip_prefix("fn "))
                .and_then(|l| l.split('(').next())
                .unwrap_or("?")
                .to_string();
            Case {
                file: file.to_string(),
                name,
                lines: (start + 1, end + 1),
            }
        })
        .collect()
}

/// Replaces the lines of one test with empty lines (so the other tests keep their lines).
fn blank_out(path: &Path, (from, to): (usize, usize)) {
    let text = std::fs::read_to_string(path).unwrap();
    let out: Vec<&str> = text
        .lines()
        .enumerate()
        .map(|(i, l)| {
            if (from..=to).contains(&(i + 1)) {
                ""
            } else {
                l
            }
        })
        .collect();
    std::fs::write(path, out.join("\n") + "\n").unwrap();
}

/// The (file name, line) of every compile error, following macro expansions back to the test
/// file they were written in.
fn compile_errors(crate_dir: &Path, work: &Path, args: &[&str]) -> Vec<(String, usize)> {
    let out = cargo(crate_dir, work)
        .args(["check", "--keep-going", "--message-format=json"])
        .args(args)
        .output()
        .unwrap();
    let mut found = Vec::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let Ok(msg) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        if msg["reason"] != "compiler-message" || msg["message"]["level"] != "error" {
            continue;
        }
        if let Some(r) = msg["message"]["rendered"].as_str() {
            println!("{r}");
        }
        for span in msg["message"]["spans"].as_array().into_iter().flatten() {
            let mut s = span;
            loop {
                if let (Some(f), Some(l)) = (s["file_name"].as_str(), s["line_start"].as_u64()) {
                    if let Some(name) = f.strip_prefix("tests/") {
                        found.push((name.to_string(), l as usize));
                    }
                }
                if s["expansion"].is_null() {
                    break;
                }
                s = &s["expansion"]["span"];
            }
        }
    }
    found
}

fn cargo(crate_dir: &Path, work: &Path) -> Command {
    let mut c = Command::new(env!("CARGO"));
    c.current_dir(crate_dir)
        .env("CARGO_TARGET_DIR", work.join("target"))
        .env_remove("RUSTFLAGS")
        .arg("--offline");
    c
}

/// Where cargo unpacked the maud crate these benches depend on: the version `Cargo.lock`
/// names, in cargo's registry sources.
fn maud_dir(root: &Path) -> PathBuf {
    let lock = std::fs::read_to_string(root.join("Cargo.lock")).unwrap();
    let version = lock
        .split("[[package]]")
        .find(|p| p.contains("name = \"maud\"\n"))
        .and_then(|p| p.lines().find_map(|l| l.strip_prefix("version = ")))
        .expect("maud is a dependency of nitro-benches")
        .trim_matches('"')
        .to_string();
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".cargo")))
        .expect("CARGO_HOME or HOME");
    let src = home.join("registry").join("src");
    std::fs::read_dir(&src)
        .unwrap()
        .map(|e| e.unwrap().path().join(format!("maud-{version}")))
        .find(|p| p.join("tests").is_dir())
        .unwrap_or_else(|| {
            panic!(
                "maud-{version} not found in {}: run `cargo fetch`",
                src.display()
            )
        })
}
