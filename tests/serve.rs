//! `nitro::serve`: an app served through hyper's builder; on shutdown, open SSE streams end
//! cleanly between two events (the client sees a finished response, not a cut one), responses
//! of known length keep their `content-length`, and the server returns.

use std::time::Duration;

use axum::{routing::get, Router};
use std::future::IntoFuture;

use futures_util::StreamExt;
use nitro::bus::Bus;
use nitro::prelude::*;

ids! { LOG = "log" }

#[tokio::test]
async fn shutdown_ends_open_streams_cleanly() {
    let bus = Bus::in_process();
    let app = Router::new()
        .route("/", get(|| async { "hello" }))
        .route(
            "/feed",
            get(
                |axum::extract::State(bus): axum::extract::State<Bus>| async move {
                    bus.subscribe("feed").await.unwrap().into_sse(|m| {
                        let text: String = m.payload().unwrap_or_default();
                        PatchElements::at(LOG, Mode::Append, text)
                    })
                },
            ),
        )
        .with_state(bus.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(
        nitro::serve(listener, app)
            .shutdown_on(async {
                let _ = stopped.await;
            })
            .into_future(),
    );

    let page = reqwest::get(format!("http://{addr}/")).await.unwrap();
    assert_eq!(page.content_length(), Some(5));
    assert_eq!(page.text().await.unwrap(), "hello");

    let response = reqwest::get(format!("http://{addr}/feed")).await.unwrap();
    assert_eq!(response.status(), 200);
    let mut body = response.bytes_stream();
    while bus.subscriber_count() == 0 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    bus.publish("feed", "one").await.unwrap();
    let first = tokio::time::timeout(Duration::from_secs(5), body.next())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert!(String::from_utf8_lossy(&first).contains("one"));

    stop.send(()).unwrap();
    // The stream ends with a proper end of the chunked body: `None`, not an error.
    let end = tokio::time::timeout(Duration::from_secs(5), body.next())
        .await
        .expect("the stream ends on shutdown");
    assert!(end.is_none(), "a clean end, not {end:?}");
    tokio::time::timeout(Duration::from_secs(5), server)
        .await
        .expect("the server returns")
        .unwrap()
        .unwrap();
    assert_eq!(bus.subscriber_count(), 0);
    assert!(
        tokio::net::TcpStream::connect(addr).await.is_err(),
        "no longer accepting"
    );
}

#[tokio::test]
async fn a_client_over_its_connection_cap_gets_429() {
    let bus = Bus::in_process();
    let app = Router::new()
        .route(
            "/feed",
            get(
                |axum::extract::State(bus): axum::extract::State<Bus>| async move {
                    bus.subscribe("feed")
                        .await
                        .unwrap()
                        .into_sse(nitro::bus::forward)
                },
            ),
        )
        .with_state(bus.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(
        nitro::serve(listener, app)
            .max_connections_per_client(2)
            .shutdown_on(std::future::pending())
            .into_future(),
    );
    // Each stream is a connection of its own.
    let client = || reqwest::Client::builder().build().unwrap();
    let before = nitro::stats::snapshot().connections_refused;
    let a = client()
        .get(format!("http://{addr}/feed"))
        .send()
        .await
        .unwrap();
    let b = client()
        .get(format!("http://{addr}/feed"))
        .send()
        .await
        .unwrap();
    assert_eq!((a.status().as_u16(), b.status().as_u16()), (200, 200));
    let c = client()
        .get(format!("http://{addr}/feed"))
        .send()
        .await
        .unwrap();
    assert_eq!(c.status(), 429);
    assert_eq!(nitro::stats::snapshot().connections_refused - before, 1);
    // When one leaves, there is room again.
    drop(a);
    let start = std::time::Instant::now();
    loop {
        let d = client()
            .get(format!("http://{addr}/feed"))
            .send()
            .await
            .unwrap();
        if d.status() == 200 {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "no room after a stream left"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    drop(b);
}
