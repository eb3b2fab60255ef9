//! Sections that stream in (`nitro::axum::Sections`) against rendering the whole page after
//! all its awaits, over real HTTP on loopback. A page has three slow parts, simulated as
//! awaits of 30, 60 and 120 ms (I/O waits: a query, two service calls). Three servers, same run:
//!
//! - `whole, sequential`: the handler awaits the three parts one after the other, then renders;
//! - `whole, joined`: it awaits them concurrently (`tokio::join!`), then renders;
//! - `streamed`: the page answers at once with placeholders; the client (as the Datastar
//!   client's `data-init` does) then opens the sections stream, which patches each part in
//!   when it is ready and ends after the last.
//!
//! Reported per server, median and p90 of `--runs` (default 30) page loads: time to the page's
//! first byte (response headers; the whole page body comes in the same write), and time to the
//! last section (for `whole`, the same as the page; for `streamed`, from the start of the page
//! request to the end of the sections stream, second request included).
//!
//! Run with `cargo bench -p nitro-benches --bench sections` (`-- --runs 100`).

use std::time::{Duration, Instant};

use axum::routing::get;
use axum::Router;
use nitro::axum::Sections;
use nitro::prelude::*;

ids! { USER = "user", FEED = "feed", STATS = "stats" }

const WAITS_MS: [u64; 3] = [30, 60, 120];

async fn part(ms: u64, name: &'static str) -> Result<Markup, std::convert::Infallible> {
    tokio::time::sleep(Duration::from_millis(ms)).await;
    Ok(html! { p { (name) " (" (ms) " ms)" } }.render())
}

fn page(user: impl Render, feed: impl Render, stats: impl Render) -> Markup {
    html! {
        !DOCTYPE
        html { body data-init="@get('/parts')" {
            h1 { "Dashboard" }
            section #(USER) { (user) }
            section #(FEED) { (feed) }
            section #(STATS) { (stats) }
        } }
    }
    .render()
}

async fn whole_sequential() -> Markup {
    let user = part(WAITS_MS[0], "user").await.unwrap();
    let feed = part(WAITS_MS[1], "feed").await.unwrap();
    let stats = part(WAITS_MS[2], "stats").await.unwrap();
    page(user, feed, stats)
}

async fn whole_joined() -> Markup {
    let (user, feed, stats) = tokio::join!(
        part(WAITS_MS[0], "user"),
        part(WAITS_MS[1], "feed"),
        part(WAITS_MS[2], "stats")
    );
    page(user.unwrap(), feed.unwrap(), stats.unwrap())
}

async fn placeholders() -> Markup {
    page("Loading…", "Loading…", "Loading…")
}

async fn parts() -> Sections {
    Sections::new()
        .add(USER, part(WAITS_MS[0], "user"))
        .add(FEED, part(WAITS_MS[1], "feed"))
        .add(STATS, part(WAITS_MS[2], "stats"))
}

fn stats(mut v: Vec<Duration>) -> (f64, f64) {
    v.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    (
        ms(v[v.len() / 2]),
        ms(v[(v.len() * 9 / 10).min(v.len() - 1)]),
    )
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let runs: usize = args
        .iter()
        .position(|a| a == "--runs")
        .and_then(|i| args.get(i + 1)?.parse().ok())
        .unwrap_or(30);
    let app = Router::new()
        .route("/whole-sequential", get(whole_sequential))
        .route("/whole-joined", get(whole_joined))
        .route("/streamed", get(placeholders))
        .route("/parts", get(parts));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let client = reqwest::Client::new();

    println!("three awaits of {WAITS_MS:?} ms, {runs} page loads each, loopback");
    println!(
        "{:<18} {:>22} {:>22}",
        "server", "first byte p50/p90 ms", "last section p50/p90 ms"
    );
    for name in ["whole-sequential", "whole-joined", "streamed"] {
        let (mut first, mut last) = (Vec::new(), Vec::new());
        for _ in 0..runs {
            let start = Instant::now();
            let response = client.get(format!("{base}/{name}")).send().await.unwrap();
            first.push(start.elapsed());
            let html = response.text().await.unwrap();
            assert!(html.contains("Dashboard"));
            if name == "streamed" {
                let mut body = client.get(format!("{base}/parts")).send().await.unwrap();
                let mut sections = 0;
                while let Some(chunk) = body.chunk().await.unwrap() {
                    sections += String::from_utf8_lossy(&chunk)
                        .matches("event: datastar-patch-elements")
                        .count();
                }
                assert_eq!(sections, 3);
            }
            last.push(start.elapsed());
        }
        let (f50, f90) = stats(first);
        let (l50, l90) = stats(last);
        println!("{name:<18} {f50:>12.1} / {f90:>7.1} {l50:>13.1} / {l90:>7.1}");
    }
}
