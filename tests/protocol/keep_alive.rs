//! Keep-alive over real HTTP: a long-lived SSE response that stays silent sends the comment
//! `: keep-alive` after the configured interval (15 s by default), again after each further
//! interval of silence, never while events flow, and never when turned off.

use crate::common;

use std::time::{Duration, Instant};

use axum::{routing::get, Router};
use futures_util::StreamExt;
use nitro::axum::{Sse, DEFAULT_KEEP_ALIVE};
use nitro::bus::Bus;
use nitro::prelude::*;

const COMMENT: &str = ": keep-alive\n\n";

/// One event, then silence for ever.
fn quiet() -> Sse {
    Sse::spawn(|mut sse| async move {
        sse.send(PatchSignals::new(&serde_json::json!({ "hello": 1 })))
            .await?;
        std::future::pending::<()>().await;
        Ok(())
    })
}

/// An event every 50 ms for 1 s.
fn chatty() -> Sse {
    Sse::spawn(|mut sse| async move {
        for i in 0..20 {
            sse.send(PatchSignals::new(&serde_json::json!({ "i": i })))
                .await?;
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Ok(())
    })
}

async fn app() -> String {
    let bus = Bus::in_process();
    let app = Router::new()
        .route(
            "/quiet",
            get(|| async { quiet().keep_alive(Some(Duration::from_millis(300))) }),
        )
        .route("/off", get(|| async { quiet().keep_alive(None) }))
        .route(
            "/chatty",
            get(|| async { chatty().keep_alive(Some(Duration::from_millis(300))) }),
        )
        .route(
            "/bus",
            get(move || {
                let bus = bus.clone();
                async move {
                    bus.subscribe("ka.>")
                        .await
                        .unwrap()
                        .into_sse(|m| PatchSignals::new(&serde_json::json!({ "t": m.topic() })))
                        .keep_alive(Some(Duration::from_millis(200)))
                }
            }),
        );
    common::base_url(app).await
}

#[tokio::test]
async fn silent_streams_send_a_comment_after_the_interval() {
    let base = app().await;
    let r = reqwest::get(format!("{base}/quiet")).await.unwrap();
    let mut body = r.bytes_stream();
    assert!(common::next_event(&mut body).await.contains("\"hello\":1"));
    let start = Instant::now();
    assert_eq!(common::next_event(&mut body).await, COMMENT);
    let first = start.elapsed();
    assert_eq!(common::next_event(&mut body).await, COMMENT);
    let second = start.elapsed();
    assert!(
        first >= Duration::from_millis(250) && first < Duration::from_millis(1500),
        "first keep-alive after {first:?}"
    );
    assert!(
        second - first >= Duration::from_millis(250),
        "second keep-alive {:?} after the first",
        second - first
    );

    // The bus bridge is an Sse like the others.
    let r = reqwest::get(format!("{base}/bus")).await.unwrap();
    let mut body = r.bytes_stream();
    assert_eq!(common::next_event(&mut body).await, COMMENT);
}

#[tokio::test]
async fn events_reset_the_timer_and_off_means_never() {
    let base = app().await;
    // Events every 50 ms for 1 s with a 300 ms interval: no comment in between.
    let r = reqwest::get(format!("{base}/chatty")).await.unwrap();
    let text = String::from_utf8(r.bytes().await.unwrap().to_vec()).unwrap();
    assert_eq!(text.matches("datastar-patch-signals").count(), 20);
    assert!(!text.contains("keep-alive"), "{text}");

    let r = reqwest::get(format!("{base}/off")).await.unwrap();
    let mut body = r.bytes_stream();
    assert!(common::next_event(&mut body).await.contains("\"hello\":1"));
    let more = tokio::time::timeout(Duration::from_millis(1200), body.next()).await;
    assert!(more.is_err(), "a stream with keep-alive off sent {more:?}");
}

/// The default interval is 15 s (checked on the response body with tokio's paused clock, so the
/// test does not wait 15 s).
#[tokio::test(start_paused = true)]
async fn the_default_interval_is_fifteen_seconds() {
    assert_eq!(DEFAULT_KEEP_ALIVE, Duration::from_secs(15));
    let response = axum::response::IntoResponse::into_response(quiet());
    let mut body = response.into_body().into_data_stream();
    let first = body.next().await.unwrap().unwrap();
    assert!(String::from_utf8_lossy(&first).contains("hello"));
    let start = tokio::time::Instant::now();
    let next = body.next().await.unwrap().unwrap();
    assert_eq!(next, COMMENT.as_bytes());
    assert_eq!(start.elapsed(), DEFAULT_KEEP_ALIVE);
}
