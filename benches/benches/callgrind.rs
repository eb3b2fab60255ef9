//! Instructions per render, counted by callgrind: deterministic where criterion's times are not
//! (this machine's cores are shared). nitro, sailfish, maud, hypertext and askama in the same run.
//!
//! Run with `cargo bench -p nitro-benches --bench callgrind` (needs `valgrind` on `PATH`).
//!
//! For each engine and scenario the binary runs itself twice under
//! `valgrind --tool=callgrind`, once rendering `WARM` times and once `WARM + N` times, and
//! reports `(Ir(WARM + N) - Ir(WARM)) / N`: setup, fixtures, the first (cold) renders and process
//! start-up cancel out, leaving the instructions of one warm render. Each render returns a new
//! `String` (what the criterion bench times), and every engine's output is checked equal to
//! nitro's before counting. The `sse-*` scenarios count the element-patch paths of
//! `benches/sse.rs` (`PatchElements::new(html!)` against render-then-encode, the naive encoder and a
//! plain copy).

#[path = "../impls/render.rs"]
mod render;
#[path = "../impls/sse.rs"]
mod sse;

use std::hint::black_box;
use std::process::Command;

/// Renders done in both runs (so the first-render reservation and cold caches cancel out).
const WARM: u64 = 3;

fn run_child(engine: &str, scenario: &str, iters: u64) {
    match scenario {
        "big-table" => {
            let table = nitro_benches::big_table(100);
            let f = lookup(render::BIG_TABLE, engine);
            for _ in 0..iters {
                black_box(f(black_box(&table)));
            }
        }
        "teams" => {
            let (year, teams) = nitro_benches::teams();
            let f = lookup(render::TEAMS, engine);
            for _ in 0..iters {
                black_box(f(black_box(year), black_box(&teams)));
            }
        }
        "big-table-reused" => {
            let table = nitro_benches::big_table(100);
            let mut buf = String::new();
            for _ in 0..iters {
                buf.clear();
                render::nitro_big_table_into(black_box(&table), &mut buf);
                black_box(buf.len());
            }
        }
        "sse-200-lines" => sse_child(engine, &sse::lines_200(), iters),
        "sse-one-line" => sse_child(engine, &sse::one_line(), iters),
        "sse-200-components" => sse_child(engine, &sse::components_200(), iters),
        other => panic!("unknown scenario {other}"),
    }
}

/// The SSE paths of `benches/sse.rs`, each writing into a reused buffer.
fn sse_child(engine: &str, t: &impl nitro::sse::IdentifiedElements, iters: u64) {
    let html = t.render().into_string();
    let mut encoded = bytes::BytesMut::new();
    sse::direct(t, &mut encoded);
    let mut buf = bytes::BytesMut::with_capacity(encoded.len() * 2);
    let mut out = String::with_capacity(encoded.len() * 2);
    let mut copy = Vec::with_capacity(encoded.len());
    for _ in 0..iters {
        buf.clear();
        out.clear();
        copy.clear();
        match engine {
            "direct" => sse::direct(black_box(t), &mut buf),
            "direct, in a closure" => sse::direct_in_closure(black_box(t), html.len(), &mut buf),
            "old" => sse::render_then_encode(black_box(t), &mut buf),
            "render+naive" => sse::render_then_naive(black_box(t), &mut out),
            "naive" => sse::naive(black_box(&html), &mut out),
            "render only" => black_box(t).render_to(&mut out),
            "copy" => copy.extend_from_slice(black_box(&encoded)),
            other => panic!("unknown engine {other}"),
        }
        black_box((buf.len(), out.len(), copy.len()));
    }
}

fn lookup<F: Copy>(table: &[(&str, F)], engine: &str) -> F {
    table
        .iter()
        .find(|(n, _)| *n == engine)
        .map(|(_, f)| *f)
        .unwrap_or_else(|| panic!("unknown engine {engine}"))
}

/// Instructions of the whole child process rendering `iters` times.
fn count(exe: &str, engine: &str, scenario: &str, iters: u64) -> u64 {
    let dir = std::env::temp_dir();
    let out_file = dir.join(format!(
        "nitro-callgrind-{}-{engine}-{scenario}-{iters}.out",
        std::process::id()
    ));
    let output = Command::new("valgrind")
        .arg("--tool=callgrind")
        .arg(format!("--callgrind-out-file={}", out_file.display()))
        .arg(exe)
        .args(["--child", engine, scenario, &iters.to_string()])
        .output()
        .expect("valgrind could not be started (is it installed?)");
    let _ = std::fs::remove_file(&out_file);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "callgrind run failed: {engine} {scenario}\n{stderr}"
    );
    stderr
        .lines()
        .find_map(|l| l.split_once("Collected :").map(|(_, n)| n.trim()))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no `Collected` line in callgrind's output:\n{stderr}"))
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--child") {
        let iters = args[i + 3].parse().expect("iteration count");
        return run_child(&args[i + 1], &args[i + 2], iters);
    }
    // `cargo bench` passes `--bench`; a filter (any other free argument) selects scenarios.
    let filter: Vec<&String> = args[1..].iter().filter(|a| !a.starts_with("--")).collect();
    let exe = std::env::current_exe().expect("own path");
    let exe = exe.to_str().expect("UTF-8 path");

    // Same output from every engine, as in the criterion bench.
    let table = nitro_benches::big_table(100);
    let (year, teams) = nitro_benches::teams();
    for (name, f) in render::BIG_TABLE {
        assert_eq!(
            f(&table),
            render::nitro_big_table(&table),
            "{name} output differs"
        );
    }
    for (name, f) in render::TEAMS {
        assert_eq!(
            f(year, &teams),
            render::nitro_teams(year, &teams),
            "{name} output differs"
        );
    }

    let engines = ["nitro", "sailfish", "maud", "hypertext", "askama"];
    let sse_paths = [
        "direct",
        "direct, in a closure",
        "old",
        "render+naive",
        "naive",
        "render only",
        "copy",
    ];
    let scenarios: [(&str, u64, &[&str]); 6] = [
        ("big-table", 20, &engines),
        ("big-table-reused", 20, &["nitro"]),
        ("teams", 2000, &engines),
        ("sse-200-lines", 200, &sse_paths),
        ("sse-one-line", 2000, &sse_paths),
        ("sse-200-components", 200, &sse_paths),
    ];
    println!("instructions per render (callgrind, (Ir(warm+N) - Ir(warm)) / N)");
    println!("(SSE scenarios: the ratio column is ÷ the naive encoder on the pre-rendered HTML)");
    println!("| scenario | engine | instructions | ÷ sailfish (SSE: ÷ naive) |");
    println!("|---|---|---|---|");
    for (scenario, n, engines) in scenarios {
        if !filter.is_empty() && !filter.iter().any(|f| scenario.contains(f.as_str())) {
            continue;
        }
        let mut sailfish = None;
        let mut rows = Vec::new();
        for engine in engines {
            let base = count(exe, engine, scenario, WARM);
            let more = count(exe, engine, scenario, WARM + n);
            let per = (more.saturating_sub(base)) as f64 / n as f64;
            if *engine == "sailfish" || *engine == "naive" {
                sailfish = Some(per);
            }
            rows.push((engine, per));
        }
        for (engine, per) in rows {
            let ratio = sailfish.map_or("—".to_string(), |s| format!("{:.2}×", per / s));
            println!("| {scenario} | {engine} | {per:.0} | {ratio} |");
        }
    }
}
