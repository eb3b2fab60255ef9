//! `nitro::serve`: an app served through hyper's builder; on shutdown, open SSE streams end
//! cleanly between two events (the client sees a finished response, not a cut one), responses
//! of known length keep their `content-length`, and the server returns.

use std::time::Duration;

use axum::{routing::get, Router};
use std::future::IntoFuture;

use futures_util::StreamExt;
use nitro::bus::Bus;
use nitro::prelude::*;

mod common;

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

/// Issue 27 (observation 7): one client opening streams up to the process's file limit used to
/// make new connections time out with nothing logged. Near the limit (90 %), `nitro::serve`
/// logs a `WARN` and counts `fd_limit_near`. The test runs itself again in a child process
/// whose limit is 256 open files (`ulimit -n 256`), so it reaches it in a second.
#[test]
fn nearing_the_file_limit_is_logged_and_counted() {
    const NAME: &str = "nearing_the_file_limit_is_logged_and_counted";
    if std::env::var_os("NITRO_FD_LIMIT_CHILD").is_some() {
        return near_the_file_limit();
    }
    let exe = std::env::current_exe().unwrap();
    let out = std::process::Command::new("sh")
        .args(["-c", r#"ulimit -n 256 && exec "$0" "$@""#])
        .arg(&exe)
        .args(["--exact", NAME, "--nocapture", "--test-threads=1"])
        .env("NITRO_FD_LIMIT_CHILD", "1")
        .output()
        .unwrap();
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "the child failed:\n{text}");
    assert!(
        text.contains("fd limit child: warned"),
        "the child did not run the check:\n{text}"
    );
}

/// The child's part: connections (two descriptors each, both ends in this process) until the
/// warning comes, before the limit is reached.
fn near_the_file_limit() {
    let logs = common::logs::capture();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(
            nitro::serve(listener, Router::new())
                .max_connections_per_client(10_000)
                .shutdown_on(std::future::pending())
                .into_future(),
        );
        let open = || std::fs::read_dir("/proc/self/fd").unwrap().count();
        let before = nitro::stats::snapshot().fd_limit_near;
        let mut held = Vec::new();
        while nitro::stats::snapshot().fd_limit_near == before {
            assert!(open() < 250, "no warning at {} open files of 256", open());
            if open() > 232 {
                // Past 90 %: the next accept after the check interval warns.
                tokio::time::sleep(Duration::from_millis(600)).await;
            }
            held.push(tokio::net::TcpStream::connect(addr).await.unwrap());
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        let line = logs.wait_for(&["WARN", "nears its open-file limit"]).await;
        assert!(line.contains("limit=256"), "{line}");
        println!("fd limit child: warned at {} connections", held.len());
    });
}
