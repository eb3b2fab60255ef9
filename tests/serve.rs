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

// ---- nitro's own HTTP/1.1 handling, over real HTTP (reqwest and raw TCP) ----

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// An app with a page, a JSON echo (a request body, served by hyper), a stream and a
/// compressed stream; served by `nitro::serve` with a 300 ms head timeout.
async fn start(bus: &Bus) -> std::net::SocketAddr {
    let app = Router::new()
        .route(
            "/",
            get(|| async { "hello" }).post(|body: String| async move { format!("got {body}") }),
        )
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
        .route("/addr", get(client_ip).post(client_ip))
        .route(
            "/gzip",
            get(
                |headers: axum::http::HeaderMap,
                 axum::extract::State(bus): axum::extract::State<Bus>| async move {
                    let sse = bus
                        .subscribe("feed")
                        .await
                        .unwrap()
                        .into_sse(nitro::bus::forward);
                    compressed(sse, &headers)
                },
            ),
        )
        .with_state(bus.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(
        nitro::serve(listener, app)
            .head_timeout(Duration::from_millis(300))
            .shutdown_on(std::future::pending())
            .into_future(),
    );
    addr
}

/// The client's address, as `nitro::serve` gives it to each request.
async fn client_ip(axum::Extension(addr): axum::Extension<nitro::serve::ClientAddr>) -> String {
    addr.0.ip().to_string()
}

#[cfg(feature = "compression")]
fn compressed(sse: nitro::axum::Sse, headers: &axum::http::HeaderMap) -> nitro::axum::Sse {
    sse.compressed(headers)
}

#[cfg(not(feature = "compression"))]
fn compressed(sse: nitro::axum::Sse, _: &axum::http::HeaderMap) -> nitro::axum::Sse {
    sse
}

/// Writes `request` and reads until `until` is in the answer (or the server closes, or 5 s).
async fn exchange(stream: &mut TcpStream, request: &[u8], until: &str) -> String {
    stream.write_all(request).await.unwrap();
    read_until(stream, until).await
}

async fn read_until(stream: &mut TcpStream, until: &str) -> String {
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), async {
        let mut buf = [0u8; 4096];
        while !String::from_utf8_lossy(&answer).contains(until) {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => answer.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await;
    String::from_utf8_lossy(&answer).into_owned()
}

async fn wait_for_subscribers(bus: &Bus, n: usize) {
    let start = std::time::Instant::now();
    while bus.subscriber_count() != n {
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "{} subscribers, not {n}",
            bus.subscriber_count()
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

#[tokio::test]
async fn pages_bodies_head_and_keep_alive() {
    let bus = Bus::in_process();
    let addr = start(&bus).await;
    let client = reqwest::Client::new();
    for _ in 0..3 {
        // The same connection, kept alive.
        let page = client.get(format!("http://{addr}/")).send().await.unwrap();
        assert_eq!(page.status(), 200);
        assert_eq!(page.content_length(), Some(5));
        assert!(page.headers().contains_key("date"));
        assert_eq!(page.text().await.unwrap(), "hello");
        // A request body: served by hyper.
        let echo = client
            .post(format!("http://{addr}/"))
            .body("abc")
            .send()
            .await
            .unwrap();
        assert_eq!(echo.text().await.unwrap(), "got abc");
    }
    let head = client.head(format!("http://{addr}/")).send().await.unwrap();
    assert_eq!(head.status(), 200);
    assert_eq!(head.headers()["content-length"], "5");
    assert_eq!(head.bytes().await.unwrap().len(), 0);
    let missing = client
        .get(format!("http://{addr}/nothing"))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);

    // Raw: a head in pieces, then two pipelined requests in one write, then a close.
    let mut tcp = TcpStream::connect(addr).await.unwrap();
    for piece in ["GE", "T / HT", "TP/1.1\r\nHo", "st: a\r", "\n\r", "\n"] {
        tcp.write_all(piece.as_bytes()).await.unwrap();
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let first = read_until(&mut tcp, "hello").await;
    assert!(first.starts_with("HTTP/1.1 200 OK\r\n"), "{first}");
    let two = exchange(
        &mut tcp,
        b"GET / HTTP/1.1\r\nHost: a\r\n\r\nGET /nothing HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
        "404 Not Found",
    )
    .await;
    assert!(
        two.starts_with("HTTP/1.1 200 OK\r\n") && two.contains("hello"),
        "{two}"
    );
    let rest = read_until(&mut tcp, "never").await;
    assert!(
        format!("{two}{rest}").contains("connection: close"),
        "{two}{rest}"
    );
    assert_eq!(
        tcp.read(&mut [0u8; 16]).await.unwrap(),
        0,
        "closed after Connection: close"
    );

    // A chunked request body and `Expect: 100-continue` (hyper's side).
    let mut tcp = TcpStream::connect(addr).await.unwrap();
    let chunked = exchange(
        &mut tcp,
        b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nxyz\r\n0\r\n\r\n",
        "got xyz",
    )
    .await;
    assert!(chunked.starts_with("HTTP/1.1 200 OK"), "{chunked}");
    let mut tcp = TcpStream::connect(addr).await.unwrap();
    let cont = exchange(
        &mut tcp,
        b"POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n",
        "100 Continue\r\n\r\n",
    )
    .await;
    assert!(cont.starts_with("HTTP/1.1 100 Continue"), "{cont}");
    let done = exchange(&mut tcp, b"ok", "got ok").await;
    assert!(done.contains("200 OK") && done.contains("got ok"), "{done}");
    // An upgrade the app does not take: an ordinary answer, no switch.
    let mut tcp = TcpStream::connect(addr).await.unwrap();
    let upgrade = exchange(
        &mut tcp,
        b"GET / HTTP/1.1\r\nHost: a\r\nConnection: upgrade\r\nUpgrade: websocket\r\n\r\n",
        "hello",
    )
    .await;
    assert!(
        upgrade.starts_with("HTTP/1.1 200 OK") && !upgrade.contains("101"),
        "{upgrade}"
    );
}

#[tokio::test]
async fn bad_oversized_and_slow_heads_are_refused() {
    let bus = Bus::in_process();
    let addr = start(&bus).await;
    let before = nitro::stats::snapshot().requests_refused;
    let answer = |request: Vec<u8>| async move {
        let mut tcp = TcpStream::connect(addr).await.unwrap();
        let answer = exchange(&mut tcp, &request, "never").await;
        (answer, tcp.read(&mut [0u8; 1]).await.ok())
    };
    let (bad, end) = answer(b"GET / HTTP/1.1\r\nHost: a\r\nBad Header\r\n\r\n".to_vec()).await;
    assert!(bad.starts_with("HTTP/1.1 400 Bad Request\r\n"), "{bad}");
    assert!(bad.contains("connection: close") && end == Some(0), "{bad}");
    let (binary, _) = answer(vec![0, 1, 2, 0xff, b'\r', b'\n', b'\r', b'\n']).await;
    assert!(binary.starts_with("HTTP/1.1 400"), "{binary}");
    let (no_host, _) = answer(b"GET / HTTP/1.1\r\n\r\n".to_vec()).await;
    assert!(no_host.starts_with("HTTP/1.1 400"), "{no_host}");
    let mut big = b"GET / HTTP/1.1\r\nHost: a\r\nCookie: ".to_vec();
    big.extend(std::iter::repeat_n(b'x', 40 * 1024));
    big.extend_from_slice(b"\r\n\r\n");
    let (large, _) = answer(big).await;
    assert!(
        large.starts_with("HTTP/1.1 431 Request Header Fields Too Large"),
        "{large}"
    );
    // Slowloris: a head that never ends is answered 408 after the head timeout (300 ms here).
    let started = std::time::Instant::now();
    let mut tcp = TcpStream::connect(addr).await.unwrap();
    tcp.write_all(b"GET / HTTP/1.1\r\nHost: a\r\n")
        .await
        .unwrap();
    for _ in 0..8 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        if tcp.write_all(b"X-A: b\r\n").await.is_err() {
            break;
        }
    }
    let slow = read_until(&mut tcp, "\r\n\r\n").await;
    assert!(slow.starts_with("HTTP/1.1 408"), "{slow:?}");
    assert!(started.elapsed() < Duration::from_secs(2));
    // An idle connection is closed silently after the timeout.
    let mut idle = TcpStream::connect(addr).await.unwrap();
    let closed = tokio::time::timeout(Duration::from_secs(3), idle.read(&mut [0u8; 8])).await;
    assert!(matches!(closed, Ok(Ok(0)) | Ok(Err(_))), "{closed:?}");
    assert_eq!(nitro::stats::snapshot().requests_refused - before, 5);
    // The server still serves.
    assert_eq!(
        reqwest::get(format!("http://{addr}/"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
        "hello"
    );
}

#[tokio::test]
async fn a_stream_is_chunked_and_a_client_leaving_an_idle_stream_is_seen() {
    let bus = Bus::in_process();
    let addr = start(&bus).await;
    let mut tcp = TcpStream::connect(addr).await.unwrap();
    let head = exchange(
        &mut tcp,
        b"GET /feed HTTP/1.1\r\nHost: a\r\n\r\n",
        "\r\n\r\n",
    )
    .await;
    assert!(head.starts_with("HTTP/1.1 200 OK\r\n"), "{head}");
    assert!(
        head.contains("content-type: text/event-stream")
            && head.contains("transfer-encoding: chunked"),
        "{head}"
    );
    wait_for_subscribers(&bus, 1).await;
    bus.publish("feed", nitro::sse::PatchSignals::raw("{\"a\":1}"))
        .await
        .unwrap();
    let event = read_until(&mut tcp, "\n\n\r\n").await;
    let (size, rest) = event.split_once("\r\n").unwrap();
    let size = usize::from_str_radix(size, 16).unwrap();
    assert_eq!(rest.len(), size + 2, "{event:?}");
    assert!(
        rest.starts_with("event: datastar-patch-signals\n"),
        "{event:?}"
    );
    // The client leaves while nothing is being sent: the subscription ends at once.
    drop(tcp);
    wait_for_subscribers(&bus, 0).await;

    // The same with reqwest, many times, on streams that never got an event.
    for _ in 0..20 {
        let response = reqwest::get(format!("http://{addr}/feed")).await.unwrap();
        assert_eq!(response.status(), 200);
        wait_for_subscribers(&bus, 1).await;
        drop(response);
        wait_for_subscribers(&bus, 0).await;
    }
}

#[cfg(feature = "compression")]
#[tokio::test]
async fn a_compressed_stream_through_serve() {
    use std::io::Read;
    let bus = Bus::in_process();
    let addr = start(&bus).await;
    let mut tcp = TcpStream::connect(addr).await.unwrap();
    let head = exchange(
        &mut tcp,
        b"GET /gzip HTTP/1.1\r\nHost: a\r\nAccept-Encoding: gzip\r\n\r\n",
        "\r\n\r\n",
    )
    .await;
    assert!(head.contains("content-encoding: gzip"), "{head}");
    wait_for_subscribers(&bus, 1).await;
    bus.publish("feed", nitro::sse::PatchSignals::raw("{\"zipped\":true}"))
        .await
        .unwrap();
    // One chunk: its size line, then gzip bytes.
    let mut raw = Vec::new();
    let mut buf = [0u8; 4096];
    let chunk = loop {
        let n = tokio::time::timeout(Duration::from_secs(5), tcp.read(&mut buf))
            .await
            .unwrap()
            .unwrap();
        assert!(n > 0);
        raw.extend_from_slice(&buf[..n]);
        let Some(line) = raw.windows(2).position(|w| w == b"\r\n") else {
            continue;
        };
        let size = usize::from_str_radix(std::str::from_utf8(&raw[..line]).unwrap(), 16).unwrap();
        if raw.len() >= line + 2 + size + 2 {
            break raw[line + 2..line + 2 + size].to_vec();
        }
    };
    // Each event is flushed, not finished: the gzip stream goes on, so read what it holds.
    let mut text = Vec::new();
    let _ = flate2::read::GzDecoder::new(&chunk[..]).read_to_end(&mut text);
    let text = String::from_utf8_lossy(&text);
    assert!(text.contains("zipped"), "{text}");
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
