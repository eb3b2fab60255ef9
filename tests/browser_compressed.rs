//! Compressed SSE streams in the real Datastar client in headless Chromium: the page opens one
//! stream per coding and mode (br, zstd and gzip with a shared window; zstd, one frame per
//! event, and gzip, a full flush before each event, per event); what Chromium's `fetch` sends in
//! `Accept-Encoding` is recorded and checked (it offers all three on http://127.0.0.1), the
//! server compresses each stream with its coding, and every patch sent on each stream is applied
//! to the page before the next is sent.
#![cfg(feature = "compression")]

mod common;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{Path, State};
use axum::http::{header::ACCEPT_ENCODING, HeaderMap, HeaderValue};
use axum::{routing::get, Router};
use common::browser::{browser, chromedriver, datastar_js};
use fantoccini::Client;
use nitro::axum::{Compression, Sse, StreamEncoding};
use nitro::bus::Bus;
use nitro::prelude::*;

#[derive(Clone)]
struct App {
    bus: Bus,
    /// (coding asked for in the path, the request's Accept-Encoding, the coding used)
    seen: Arc<Mutex<Vec<(String, String, String)>>>,
}

/// The streams of the page: coding and mode (`-` joined: the list's id and the route).
const CODINGS: [&str; 5] = [
    "br-shared",
    "zstd-shared",
    "gzip-shared",
    "zstd-per-event",
    "gzip-per-event",
];

fn page() -> axum::response::Html<String> {
    let streams: String = CODINGS
        .iter()
        .map(|c| format!("<ul id=\"list-{c}\"></ul><div data-init=\"@get('/live/{c}')\"></div>"))
        .collect();
    axum::response::Html(format!(
        "<!DOCTYPE html><html><head><script type=\"module\" src=\"/datastar.js\"></script></head>\
         <body>{streams}</body></html>"
    ))
}

/// One stream compressed with `coding`, if the browser offered it (the request's own
/// `Accept-Encoding`, narrowed to that coding, is what is negotiated).
async fn live(Path(stream): Path<String>, headers: HeaderMap, State(app): State<App>) -> Sse {
    let (coding, mode) = stream.split_once('-').unwrap();
    let mode = if mode == "shared" {
        Compression::SharedWindow
    } else {
        Compression::PerEvent
    };
    let accept = headers
        .get(ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let offered = accept
        .split(',')
        .any(|c| c.split(';').next().unwrap_or("").trim() == coding);
    let mut narrowed = HeaderMap::new();
    if offered {
        narrowed.insert(ACCEPT_ENCODING, HeaderValue::from_str(coding).unwrap());
    }
    let sse = app
        .bus
        .subscribe(format!("room.{stream}"))
        .await
        .unwrap()
        .into_sse(nitro::bus::forward)
        .compressed_with(&narrowed, mode);
    let used = sse.encoding().as_str().to_owned();
    app.seen
        .lock()
        .unwrap()
        .push((coding.to_owned(), accept, used));
    sse
}

async fn count(c: &Client, coding: &str) -> u64 {
    c.execute(
        &format!("return document.querySelectorAll('#list-{coding} li').length"),
        vec![],
    )
    .await
    .unwrap()
    .as_u64()
    .unwrap()
}

#[tokio::test]
async fn the_datastar_client_applies_patches_from_compressed_streams() {
    let driver = chromedriver();
    let js = datastar_js();
    let app = App {
        bus: Bus::in_process(),
        seen: Arc::default(),
    };
    let router = Router::new()
        .route("/", get(|| async { page() }))
        .route("/live/{coding}", get(live))
        .route(
            "/datastar.js",
            get(move || {
                let js = js.clone();
                async move {
                    (
                        [(axum::http::header::CONTENT_TYPE, "text/javascript")],
                        std::fs::read(js).unwrap(),
                    )
                }
            }),
        )
        .with_state(app.clone());
    let base = common::base_url(router).await;
    let b = browser(&driver).await;
    b.client.goto(&base).await.unwrap();
    let start = Instant::now();
    while app.bus.subscriber_count() < CODINGS.len() {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "the page did not open its streams"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let seen = app.seen.lock().unwrap().clone();
    eprintln!("Chromium's streams: {seen:?}");
    for (coding, accept, used) in &seen {
        // Chromium 156's fetch offers `gzip, deflate, br, zstd` on http://127.0.0.1 too, so
        // each stream is sent in the coding it names.
        assert_eq!(used, coding, "{coding} stream, Accept-Encoding: {accept}");
        // Negotiated from the whole header, the server's preference among them wins: zstd.
        let mut full = HeaderMap::new();
        full.insert(ACCEPT_ENCODING, HeaderValue::from_str(accept).unwrap());
        assert_eq!(StreamEncoding::negotiate(&full), StreamEncoding::Zstd);
    }
    // Every patch is applied before the next is sent: a compressor that held bytes back
    // would stall here.
    for i in 0..15u64 {
        for coding in CODINGS {
            let text = format!(
                "<li id=\"{coding}-{i}\" class=\"message\"><span class=\"author\">user{}</span> \
                 <span>message {i} on the {coding} stream</span></li>",
                i % 3
            );
            app.bus
                .publish(
                    format!("room.{coding}").as_str(),
                    PatchElements::at(
                        Selector::css(format!("#list-{coding}")),
                        Mode::Append,
                        PreEscaped(text),
                    ),
                )
                .sender("test")
                .sender("test")
                .await
                .unwrap();
        }
        for coding in CODINGS {
            let start = Instant::now();
            while count(&b.client, coding).await != i + 1 {
                assert!(
                    start.elapsed() < Duration::from_secs(5),
                    "patch {i} on the {coding} stream not applied"
                );
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        }
    }
    let last: String = b
        .client
        .execute(
            "return document.querySelector('#list-br-shared li:last-child').textContent",
            vec![],
        )
        .await
        .unwrap()
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(last, "user2 message 14 on the br-shared stream");
    b.client.clone().close().await.unwrap();
}
