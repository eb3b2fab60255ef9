//! Compressed SSE streams: bytes on the wire and time per event for a chat-like stream
//! (each event appends one message) and a todo-like stream (each event re-sends the whole list
//! as an outer patch, plus a signals patch), uncompressed and with gzip, brotli and zstd, each
//! event compressed on its own (`Compression::PerEvent`, the default) or against the ones
//! before it (`Compression::SharedWindow`), after a warm-up. Each event goes through the real
//! response body (`Sse::compressed_with`, one flush per event), one at a time, so the
//! figures are per flushed event. Time is wall time and the thread's CPU time (`CLOCK_THREAD_CPUTIME_ID`), both
//! including the channel and the body.
//!
//! Run with `cargo bench -p nitro-benches --bench stream_compression` (`-- --events 2000`).

use std::time::Instant;

use axum::http::{header::ACCEPT_ENCODING, HeaderMap};
use axum::response::IntoResponse;
use futures_util::StreamExt;
use nitro::axum::{Compression, Sse};
use nitro::prelude::*;
use nitro::sse::Events;

const WARM_UP: usize = 200;

/// A small deterministic generator, so every run sends the same events.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) % n as u64) as usize
    }
}

const WORDS: &[&str] = &[
    "the", "deploy", "is", "done", "can", "you", "check", "logs", "on", "staging", "lunch", "at",
    "noon", "merged", "PR", "build", "failed", "again", "retry", "thanks", "looks", "good", "to",
    "me", "meeting", "moved", "tomorrow", "coffee", "anyone", "ship", "it", "please", "review",
];
const NAMES: &[&str] = &["alice", "bob", "carol", "dave", "erin", "frank", "grace"];

ids! { MESSAGES = "messages", MSG = "msg", TODO = "todo" }

/// One part of an event batch, kept as data so each run builds fresh events.
#[derive(Clone)]
enum Part {
    Append(String),
    Outer(String),
    Signals(serde_json::Value),
}

fn build(parts: &[Part]) -> Events {
    let mut events = Events::new();
    for p in parts {
        match p {
            Part::Append(html) => events.push(PatchElements::at(
                MESSAGES,
                Mode::Append,
                PreEscaped(html.clone()),
            )),
            Part::Outer(html) => events.push(PatchElements::new(PreEscaped(html.clone()))),
            Part::Signals(v) => events.push(PatchSignals::new(v)),
        }
    }
    events
}

fn chat(i: usize, rng: &mut Lcg) -> Vec<Part> {
    let words = 3 + rng.next(12);
    let text: Vec<&str> = (0..words).map(|_| WORDS[rng.next(WORDS.len())]).collect();
    let text = text.join(" ");
    let name = NAMES[rng.next(NAMES.len())];
    let time = format!("{:02}:{:02}", 9 + i / 60 % 10, i % 60);
    let li = html! {
        li id=(MSG.with(i)) class="message" {
            span class="author" { (name) }
            time { (time) }
            p class="text" { (text) }
        }
    };
    vec![Part::Append(li.render().into_string())]
}

fn todo(i: usize, rng: &mut Lcg, items: &mut Vec<(String, bool)>) -> Vec<Part> {
    match rng.next(3) {
        0 if items.len() < 20 => {
            let words = 2 + rng.next(4);
            let t: Vec<&str> = (0..words).map(|_| WORDS[rng.next(WORDS.len())]).collect();
            items.push((t.join(" "), false));
        }
        1 if items.len() > 3 => {
            items.remove(rng.next(items.len()));
        }
        _ if !items.is_empty() => {
            let k = rng.next(items.len());
            items[k].1 = !items[k].1;
        }
        _ => items.push((format!("task {i}"), false)),
    }
    let mut list = String::from("<ul id=\"todo-list\">");
    for (n, (text, done)) in items.iter().enumerate() {
        let toggle = expr!("@post('/todos/{}/toggle')", n);
        let delete = expr!("@delete('/todos/{}')", n);
        let item = html! {
            li id=(TODO.with(n)) .done[*done] {
                input type="checkbox" checked[*done] data-on:change=(toggle);
                " " span { (text) } " "
                button.delete data-on:click=(delete) { "×" }
            }
        };
        list.push_str(&item.render().into_string());
    }
    list.push_str("</ul>");
    let remaining = items.iter().filter(|t| !t.1).count();
    vec![
        Part::Outer(list),
        Part::Signals(serde_json::json!({ "remaining": remaining, "total": items.len() })),
    ]
}

struct Figures {
    plain: usize,
    wire: usize,
    nanos: u128,
    cpu_nanos: u64,
}

/// This thread's CPU time so far, in nanoseconds (`CLOCK_THREAD_CPUTIME_ID`).
fn thread_cpu_nanos() -> u64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `clock_gettime` writes one `timespec` through a valid pointer.
    #[allow(unsafe_code)]
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    assert_eq!(rc, 0, "clock_gettime(CLOCK_THREAD_CPUTIME_ID)");
    ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
}

async fn run(accept: &str, mode: Compression, events: &[Vec<Part>]) -> Figures {
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel::<Events>();
    let stream =
        futures_util::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|e| (e, rx)) });
    let mut headers = HeaderMap::new();
    headers.insert(ACCEPT_ENCODING, accept.parse().unwrap());
    let response = Sse::new(stream)
        .keep_alive(None)
        .compressed_with(&headers, mode)
        .into_response();
    let mut body = response.into_body().into_data_stream();
    let mut f = Figures {
        plain: 0,
        wire: 0,
        nanos: 0,
        cpu_nanos: 0,
    };
    // The events are built (and their plain size taken) first, so the timers see only
    // encoding, compression, the channel and the body; CPU time is read once at each end of
    // the measured events, not per event (reading it costs a system call).
    let built: Vec<(usize, Events)> = events
        .iter()
        .map(|e| (build(e).encode().unwrap().len(), build(e)))
        .collect();
    let mut start = (Instant::now(), thread_cpu_nanos());
    for (i, (plain, e)) in built.into_iter().enumerate() {
        if i == WARM_UP {
            start = (Instant::now(), thread_cpu_nanos());
        }
        tx.send(e).unwrap();
        let chunk = body.next().await.unwrap().unwrap();
        if i >= WARM_UP {
            f.plain += plain;
            f.wire += chunk.len();
        }
    }
    f.nanos = start.0.elapsed().as_nanos();
    f.cpu_nanos = thread_cpu_nanos() - start.1;
    f
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let n = args
        .iter()
        .position(|a| a == "--events")
        .and_then(|i| args.get(i + 1))
        .map_or(2000, |v| v.parse().unwrap());
    let mut rng = Lcg(42);
    let chat_events: Vec<Vec<Part>> = (0..WARM_UP + n).map(|i| chat(i, &mut rng)).collect();
    let mut items = Vec::new();
    let todo_events: Vec<Vec<Part>> = (0..WARM_UP + n)
        .map(|i| todo(i, &mut rng, &mut items))
        .collect();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    if let Ok(load) = std::fs::read_to_string("/proc/loadavg") {
        println!("load average at start: {}", load.trim());
    }
    println!("| stream | coding | mode | plain bytes/event | wire bytes/event | ratio | CPU µs/event | wall µs/event |");
    println!("|---|---|---|---:|---:|---:|---:|---:|");
    let per = Compression::PerEvent;
    let shared = Compression::SharedWindow;
    for (name, events) in [("chat", &chat_events), ("todo", &todo_events)] {
        for (coding, mode, accept) in [
            ("identity", per, "identity"),
            ("gzip", per, "gzip"),
            ("zstd", per, "zstd"),
            ("gzip", shared, "gzip"),
            ("br", shared, "br"),
            ("zstd", shared, "zstd"),
        ] {
            // Best of 5 runs for time (the machine is shared); bytes are the same every run.
            let mut best: Option<Figures> = None;
            for _ in 0..5 {
                let f = rt.block_on(run(accept, mode, events));
                if best.as_ref().is_none_or(|b| f.cpu_nanos < b.cpu_nanos) {
                    best = Some(f);
                }
            }
            let f = best.unwrap();
            let mode = if coding == "identity" {
                "-"
            } else if mode == per {
                "per event"
            } else {
                "shared window"
            };
            println!(
                "| {name} | {coding} | {mode} | {:.0} | {:.1} | {:.3} | {:.2} | {:.2} |",
                f.plain as f64 / n as f64,
                f.wire as f64 / n as f64,
                f.wire as f64 / f.plain as f64,
                f.cpu_nanos as f64 / n as f64 / 1000.0,
                f.nanos as f64 / n as f64 / 1000.0
            );
        }
    }
    if let Ok(load) = std::fs::read_to_string("/proc/loadavg") {
        println!("load average at end: {}", load.trim());
    }
}
