//! `Sections` over real HTTP: each section arrives when its work is done, in the order the work
//! finishes; the work still running is cancelled when the client goes away.

mod common;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::routing::get;
use axum::Router;
use nitro::axum::Sections;
use nitro::prelude::*;

ids! { QUICK = "quick", STUCK = "stuck" }

/// Set when dropped: the work it lives in was cancelled.
struct Cancelled(Arc<AtomicBool>);

impl Drop for Cancelled {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

#[tokio::test]
async fn sections_arrive_as_their_work_finishes_and_the_rest_is_cancelled_with_the_client() {
    let cancelled = Arc::new(AtomicBool::new(false));
    let app = Router::new().route(
        "/parts",
        get({
            let cancelled = cancelled.clone();
            move || {
                let guard = Cancelled(cancelled.clone());
                async move {
                    Sections::new()
                        .add(STUCK, async move {
                            let _guard = guard;
                            std::future::pending::<()>().await; // work that never ends
                            Ok::<_, String>("never")
                        })
                        .add(QUICK, async {
                            tokio::time::sleep(Duration::from_millis(20)).await;
                            Ok::<_, String>("quick")
                        })
                }
            }
        }),
    );
    let addr = common::serve(app).await;
    let response = reqwest::get(format!("http://{addr}/parts")).await.unwrap();
    assert_eq!(response.headers()["content-type"], "text/event-stream");
    let mut body = response.bytes_stream();
    let first = common::next_event(&mut body).await;
    assert!(first.contains("data: selector #quick\n"), "{first}");
    assert!(first.contains("data: elements quick\n"), "{first}");
    assert!(!cancelled.load(Ordering::SeqCst));

    drop(body); // the tab goes away
    let start = Instant::now();
    while !cancelled.load(Ordering::SeqCst) {
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "the unfinished section was not cancelled when the client left"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}
