//! What templates cost to compile: the same `N` templates written for nitro and for maud, each
//! in a crate of its own, built with their dependencies already built (debug profile, as users
//! build while editing). Three figures per engine, in CPU seconds (cargo and every rustc it
//! runs, from `getrusage(RUSAGE_CHILDREN)`), best of `--runs` (default 2):
//!
//! - **build**: the crate alone, from clean (`cargo clean -p`, then `cargo build`);
//! - **rebuild**: `cargo build` after one template's text changed;
//! - **check**: `cargo check` after one template's text changed.
//!
//! ```text
//! cargo bench -p nitro-benches --bench compile                      # 300 templates, 2 runs
//! cargo bench -p nitro-benches --bench compile -- --templates 100 --runs 1
//! cargo bench -p nitro-benches --bench compile -- --time-passes     # where rustc's time goes
//! cargo bench -p nitro-benches --bench compile -- --instructions    # also rustc's instructions
//! cargo bench -p nitro-benches --bench compile -- --nitro ../other-checkout
//! ```
//!
//! `--instructions` measures build, rebuild and check once more, counting the instructions of
//! the rustc that compiles each templates crate (`valgrind --tool=cachegrind --cache-sim=no`,
//! through a `RUSTC_WRAPPER` the bench writes next to the crates): a figure that does not move
//! with the load of a shared machine, as CPU seconds do. It leaves out cargo itself.
//!
//! `--time-passes` builds each crate once more with `RUSTC_BOOTSTRAP=1 -Z time-passes` (for
//! measuring only) and prints rustc's largest passes. The crates are generated under
//! `target/compile-bench/`; the template is a card with a heading, an `@if`, a loop and a small
//! table, rendered to a `String` by a function (so its code is generated and compiled).

use std::path::{Path, PathBuf};
use std::process::Command;

const ENGINES: [&str; 2] = ["nitro", "maud"];

fn main() {
    let mut templates = 300usize;
    let mut runs = 2usize;
    let mut time_passes = false;
    let mut instructions = false;
    let mut nitro: Option<PathBuf> = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--templates" => templates = args.next().and_then(|n| n.parse().ok()).unwrap_or(300),
            "--runs" => runs = args.next().and_then(|n| n.parse().ok()).unwrap_or(2),
            "--time-passes" => time_passes = true,
            "--instructions" => instructions = true,
            // Another checkout of nitro (e.g. the commit before a change), measured the same way.
            "--nitro" => nitro = args.next().map(PathBuf::from),
            _ => {} // `--bench`, filters: ignored
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let ws = root.join("target").join("compile-bench");
    generate(root, nitro.as_deref().unwrap_or(root), &ws, templates);

    // Dependencies first (not measured).
    for engine in ENGINES {
        let ok = cargo(&ws)
            .args(["build", "-p", &krate(engine)])
            .status()
            .unwrap();
        assert!(ok.success(), "{engine} templates do not build");
        let ok = cargo(&ws)
            .args(["check", "-p", &krate(engine)])
            .status()
            .unwrap();
        assert!(ok.success());
    }

    // `--runs 0 --instructions`: the instruction counts only.
    if runs > 0 {
        println!("{templates} templates per crate, debug profile, CPU seconds, best of {runs}");
        println!("| engine | build | rebuild after an edit | check after an edit |");
        println!("|---|---|---|---|");
        let mut rows = Vec::new();
        for engine in ENGINES {
            let (mut build, mut rebuild, mut check) = (f64::MAX, f64::MAX, f64::MAX);
            for run in 0..runs {
                let (b, r, c) = round(&ws, engine, run, |args| cpu(cargo(&ws).args(args)));
                (build, rebuild, check) = (build.min(b), rebuild.min(r), check.min(c));
            }
            println!("| {engine} | {build:.2} | {rebuild:.2} | {check:.2} |");
            rows.push((build, rebuild, check));
        }
        ratios(&rows);
    }

    if instructions {
        println!("\n{templates} templates per crate, debug profile, rustc instructions (millions)");
        println!("| engine | build | rebuild after an edit | check after an edit |");
        println!("|---|---|---|---|");
        let mut rows = Vec::new();
        for engine in ENGINES {
            let (build, rebuild, check) = round(&ws, engine, 500, |args| counted(&ws, args) as f64);
            let m = |n: f64| n / 1e6;
            println!(
                "| {engine} | {:.0} | {:.0} | {:.0} |",
                m(build),
                m(rebuild),
                m(check)
            );
            rows.push((build, rebuild, check));
        }
        ratios(&rows);
    }

    if time_passes {
        for engine in ENGINES {
            let k = krate(engine);
            edit(&ws, engine, 999);
            let out = cargo(&ws)
                .env("RUSTC_BOOTSTRAP", "1")
                .args(["rustc", "-p", &k, "--lib", "--", "-Z", "time-passes"])
                .output()
                .unwrap();
            let text = String::from_utf8_lossy(&out.stderr);
            let mut passes: Vec<(f64, String)> = text
                .lines()
                .filter_map(|l| {
                    // `time:   0.123; rss:   32MB ->   34MB (   +2MB)	pass_name`
                    let l = l.strip_prefix("time:")?.trim();
                    let secs: f64 = l.split(';').next()?.trim().parse().ok()?;
                    let name = l.split_whitespace().last()?.to_string();
                    Some((secs, name))
                })
                .collect();
            passes.sort_by(|a, b| b.0.total_cmp(&a.0));
            println!("\n{engine}: rustc's largest passes (wall seconds, -Z time-passes)");
            for (secs, name) in passes.iter().take(14) {
                println!("  {secs:>7.3}  {name}");
            }
        }
    }
}

/// The last row of a table: nitro's figures over maud's (`rows` in `ENGINES` order).
fn ratios(rows: &[(f64, f64, f64)]) {
    let (n, m) = (rows[0], rows[1]);
    println!(
        "| nitro ÷ maud | {:.2}× | {:.2}× | {:.2}× |",
        n.0 / m.0,
        n.1 / m.1,
        n.2 / m.2
    );
}

/// One round for `engine`: a build from clean, a rebuild after an edit and a check after an
/// edit, each measured by `measure` (given cargo's arguments); `n` makes the edits new text.
fn round(
    ws: &Path,
    engine: &str,
    n: usize,
    mut measure: impl FnMut(&[&str]) -> f64,
) -> (f64, f64, f64) {
    let k = krate(engine);
    let ok = |args: &[&str]| assert!(cargo(ws).args(args).status().unwrap().success());
    ok(&["clean", "-p", &k]);
    let build = measure(&["build", "-p", &k]);
    edit(ws, engine, n);
    let rebuild = measure(&["build", "-p", &k]);
    // `cargo clean -p` removed the check results too: one check first, then the edit.
    ok(&["check", "-p", &k]);
    edit(ws, engine, n + 100);
    let check = measure(&["check", "-p", &k]);
    (build, rebuild, check)
}

/// The instructions of the rustc runs of a templates crate during `cargo <args>`.
fn counted(ws: &Path, args: &[&str]) -> u64 {
    let out = ws.join("cachegrind");
    let _ = std::fs::remove_dir_all(&out);
    std::fs::create_dir_all(&out).unwrap();
    let wrapper = ws.join("count-rustc.sh");
    write_if_changed(
        wrapper.clone(),
        format!(
            "#!/bin/sh\n# RUSTC_WRAPPER of nitro's compile bench: counts the instructions of rustc\n\
             # compiling the templates crates, runs every other rustc as it is.\n\
             rustc=\"$1\"; shift\n\
             case \" $* \" in\n\
             *\" --crate-name nitro_templates \"*|*\" --crate-name maud_templates \"*)\n\
             exec valgrind --tool=cachegrind --cache-sim=no -q --cachegrind-out-file={}/%p.out \"$rustc\" \"$@\";;\n\
             esac\nexec \"$rustc\" \"$@\"\n",
            out.display()
        ),
    );
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&wrapper, std::fs::Permissions::from_mode(0o755)).unwrap();
    let ok = cargo(ws)
        .env("RUSTC_WRAPPER", &wrapper)
        .args(args)
        .status()
        .unwrap();
    assert!(
        ok.success(),
        "cargo {args:?} failed (is valgrind installed?)"
    );
    let mut total = 0;
    for entry in std::fs::read_dir(&out).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        let summary = text.lines().find_map(|l| l.strip_prefix("summary:"));
        total += summary
            .and_then(|s| s.split_whitespace().next()?.parse::<u64>().ok())
            .expect("a cachegrind summary");
    }
    assert!(total > 0, "no rustc run was counted");
    total
}

fn krate(engine: &str) -> String {
    format!("{engine}-templates")
}

/// CPU seconds (user + system) of a command and everything it runs.
fn cpu(cmd: &mut Command) -> f64 {
    let before = children_cpu();
    let status = cmd.status().unwrap();
    assert!(status.success(), "{cmd:?} failed");
    children_cpu() - before
}

fn children_cpu() -> f64 {
    // SAFETY: `getrusage` only writes the struct it is given.
    let mut u: libc::rusage = unsafe { std::mem::zeroed() };
    let rc = unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut u) };
    assert_eq!(rc, 0);
    let t = |tv: libc::timeval| tv.tv_sec as f64 + tv.tv_usec as f64 / 1e6;
    t(u.ru_utime) + t(u.ru_stime)
}

fn cargo(ws: &Path) -> Command {
    let mut c = Command::new(env!("CARGO"));
    c.current_dir(ws)
        .env("CARGO_TARGET_DIR", ws.join("target"))
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .args(["--offline", "--quiet"]);
    c
}

/// Changes the text of template 0 (a different text each time, so cargo rebuilds).
fn edit(ws: &Path, engine: &str, n: usize) {
    let path = ws.join(krate(engine)).join("src").join("t0.rs");
    let text = std::fs::read_to_string(&path).unwrap();
    let start = text.find("\"featured").unwrap();
    let end = start + text[start..].find("\" }").unwrap();
    let text = format!("{}\"featured {n}{}", &text[..start], &text[end..]);
    std::fs::write(path, text).unwrap();
}

fn write_if_changed(path: PathBuf, text: String) {
    if std::fs::read_to_string(&path).ok().as_deref() != Some(&text) {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
}

fn generate(root: &Path, nitro: &Path, ws: &Path, n: usize) {
    write_if_changed(
        ws.join("Cargo.toml"),
        "[workspace]\nmembers = [\"nitro-templates\", \"maud-templates\"]\nresolver = \"2\"\n\n\
         [profile.dev]\ndebug = \"line-tables-only\"\n\n[profile.dev.package.\"*\"]\ndebug = false\n"
            .to_string(),
    );
    let lock = std::fs::read_to_string(root.join("Cargo.lock")).unwrap();
    write_if_changed(ws.join("Cargo.lock"), lock);
    for engine in ENGINES {
        let dir = ws.join(krate(engine));
        let dep = match engine {
            "nitro" => format!(
                "nitro = {{ path = {:?}, default-features = false }}",
                nitro.display().to_string()
            ),
            _ => "maud = \"0.27\"".to_string(),
        };
        write_if_changed(
            dir.join("Cargo.toml"),
            format!(
                "[package]\nname = \"{}\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n[dependencies]\n{dep}\n",
                krate(engine)
            ),
        );
        let mut lib = String::from(
            "//! Generated by nitro's compile bench.\n#![allow(missing_docs)]\n\n\
             pub struct Item {\n    pub name: String,\n    pub price: u32,\n}\n\n",
        );
        for i in 0..n {
            lib.push_str(&format!("pub mod t{i};\n"));
        }
        write_if_changed(dir.join("src").join("lib.rs"), lib);
        let (import, finish) = match engine {
            "nitro" => ("use nitro::{html, Render};", ".render().into_string()"),
            _ => ("use maud::html;", ".into_string()"),
        };
        for i in 0..n {
            let path = dir.join("src").join(format!("t{i}.rs"));
            if i == 0 && path.exists() {
                continue; // keeps its edits
            }
            write_if_changed(
                path,
                format!(
                    r#"{import}

use crate::Item;

pub fn card(title: &str, items: &[Item], featured: bool) -> String {{
    html! {{
        .card {{
            h2.title {{ (title) }}
            @if featured {{ span.badge {{ "featured" }} }}
            ul {{
                @for item in items {{
                    li {{ (item.name) " costs " (item.price) }}
                }}
            }}
            table {{
                tr {{ th {{ "name" }} th {{ "price" }} }}
                @for item in items {{
                    tr {{ td {{ (item.name) }} td {{ (item.price) }} }}
                }}
            }}
        }}
    }}
    {finish}
}}
"#
                ),
            );
        }
    }
}
