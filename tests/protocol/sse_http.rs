//! SSE responses over real HTTP: headers, events flushed as they are sent, and a producer that
//! stops when the client goes away.

use crate::common;

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::{routing::get, Router};
use futures_util::StreamExt;
use nitro::axum::Sse;
use nitro::prelude::*;

struct SetOnDrop(Arc<AtomicBool>);
impl Drop for SetOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

#[tokio::test]
async fn producer_stops_within_a_second_of_disconnect() {
    let ended = Arc::new(AtomicBool::new(false));
    let sent = Arc::new(AtomicUsize::new(0));
    let (e, s) = (ended.clone(), sent.clone());
    let app = Router::new().route(
        "/ticks",
        get(move || {
            let (e, s) = (e.clone(), s.clone());
            async move {
                Sse::spawn(move |mut sse| async move {
                    let _guard = SetOnDrop(e);
                    for i in 0u64.. {
                        sse.send(PatchSignals::new(&serde_json::json!({ "tick": i })))
                            .await?;
                        s.fetch_add(1, Ordering::SeqCst);
                        // A long sleep: the task must be stopped while waiting, not only at a send.
                        tokio::time::sleep(Duration::from_millis(if i == 0 { 10 } else { 5_000 }))
                            .await;
                    }
                    Ok(())
                })
            }
        }),
    );
    let base = common::base_url(app).await;
    let response = reqwest::get(format!("{base}/ticks")).await.unwrap();
    let mut body = response.bytes_stream();
    let first = body.next().await.unwrap().unwrap();
    assert!(first.starts_with(b"event: datastar-patch-signals\n"));
    drop(body);
    let start = Instant::now();
    while !ended.load(Ordering::SeqCst) {
        assert!(
            start.elapsed() < Duration::from_secs(1),
            "producer still running 1 s after disconnect"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let at_end = sent.load(Ordering::SeqCst);
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(
        sent.load(Ordering::SeqCst),
        at_end,
        "nothing is sent after the producer ended"
    );
}

ids! { PROGRESS = "progress" }

fn bar(pct: u32) -> impl IdentifiedElements {
    html! { div #(PROGRESS) style=(format!("width: {pct}%")) { (pct) "%" } }
}

async fn progress() -> Sse {
    Sse::spawn(|mut sse| async move {
        for pct in [0, 50, 100] {
            sse.send(PatchElements::new(bar(pct))).await?;
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        sse.send(ExecuteScript::redirect("/done")).await
    })
}

#[tokio::test]
async fn events_arrive_as_they_are_sent_with_sse_headers() {
    let base = common::base_url(Router::new().route("/progress", get(progress))).await;
    let response = reqwest::get(format!("{base}/progress")).await.unwrap();
    let h = response.headers();
    assert_eq!(h["content-type"], "text/event-stream");
    assert_eq!(h["cache-control"], "no-cache");
    assert_eq!(h["x-accel-buffering"], "no");
    assert_eq!(h["connection"], "keep-alive");
    let start = Instant::now();
    let mut body = response.bytes_stream();
    let first = body.next().await.unwrap().unwrap();
    // The first event comes before the producer has finished (it sleeps 150 ms in total).
    assert!(
        start.elapsed() < Duration::from_millis(140),
        "{:?}",
        start.elapsed()
    );
    assert_eq!(
        std::str::from_utf8(&first).unwrap(),
        "event: datastar-patch-elements\ndata: elements <div id=\"progress\" style=\"width: 0%\">0%</div>\n\n"
    );
    let mut rest = Vec::new();
    while let Some(chunk) = body.next().await {
        rest.extend_from_slice(&chunk.unwrap());
    }
    let rest = String::from_utf8(rest).unwrap();
    assert!(rest.contains("width: 100%"));
    assert!(rest.ends_with("data: elements <script data-effect=\"el.remove()\">setTimeout(() => window.location.href = \"\\u002fdone\")</script>\n\n"), "{rest}");
}

#[tokio::test]
async fn a_one_shot_response_with_a_bad_event_sends_nothing_but_an_error() {
    let app = Router::new().route(
        "/bad",
        get(|| async {
            Events::new()
                .with(PatchSignals::new(&serde_json::json!({"a": 1})))
                // Opaque HTML: only the run-time check can see the missing id.
                .with(PatchElements::new(PreEscaped("<p>no id</p>")))
        }),
    );
    let base = common::base_url(app).await;
    let response = reqwest::get(format!("{base}/bad")).await.unwrap();
    assert_eq!(response.status(), 500);
    // The detail stays on the server: the client gets a generic message.
    let body = response.text().await.unwrap();
    assert_eq!(body, "internal error: the response could not be encoded");
}
