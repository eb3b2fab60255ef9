//! Helpers shared by the integration tests (each test file includes this module).
#![allow(dead_code)] // each test file uses a part of it

use std::net::SocketAddr;
use std::time::Duration;

use futures_util::{Stream, StreamExt};

pub mod browser;
pub mod logs;
pub mod nats;

/// Serves `app` on an ephemeral loopback port for the rest of the test; returns its address.
pub async fn serve(app: axum::Router) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    addr
}

/// [`serve`], as a base URL (`http://127.0.0.1:PORT`).
pub async fn base_url(app: axum::Router) -> String {
    format!("http://{}", serve(app).await)
}

/// The next chunk of an SSE response body (one event, as the server flushes each), as text;
/// fails the test if none comes within 5 seconds.
pub async fn next_event<S, E>(body: &mut S) -> String
where
    S: Stream<Item = Result<axum::body::Bytes, E>> + Unpin,
    E: std::fmt::Debug,
{
    let chunk = tokio::time::timeout(Duration::from_secs(5), body.next())
        .await
        .expect("no event within 5 s")
        .expect("the response ended")
        .unwrap();
    String::from_utf8(chunk.to_vec()).unwrap()
}

/// Waits until the process `child` started accepts connections on loopback `port`; fails the
/// test if it exits first or does not listen within `limit`.
pub fn wait_for_listener(child: &mut std::process::Child, port: u16, limit: Duration, what: &str) {
    let start = std::time::Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        if let Ok(Some(status)) = child.try_wait() {
            panic!("{what} exited: {status}");
        }
        assert!(
            start.elapsed() < limit,
            "{what} did not start on port {port} within {limit:?}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Waits (up to 10 s) until `read` gives `want`; fails with the last value otherwise.
pub async fn settle<F, Fut>(what: &str, want: u64, mut read: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = u64>,
{
    let mut last = 0;
    for _ in 0..200 {
        last = read().await;
        if last == want {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{what}: {last}, expected {want}");
}
