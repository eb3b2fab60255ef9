//! A slow subscriber gets the latest state, not a gap, over real HTTP: a dashboard stream
//! (thousands of signal patches and whole-panel element patches, with a few log lines
//! appended in between) goes to a fast client and to one that reads nothing until the
//! publishing is over. The slow one's queue overflows many times; collapsing leaves it with far
//! fewer events and bytes, no lost message, and the same final state as the fast one (each
//! client's events are applied to a model of the page: RFC 7386 for signals, elements by id,
//! appended lines in order). Prints the figures.

mod common;

use std::collections::BTreeMap;
use std::time::Duration;

use axum::{extract::State, routing::get, Router};
use nitro::axum::Sse;
use nitro::bus::Bus;
use nitro::prelude::*;
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

ids! { STATS = "stats", LOG = "log" }

async fn dashboard(State(bus): State<Bus>) -> Sse {
    bus.subscribe("dash.>")
        .await
        .unwrap()
        .into_sse(nitro::bus::forward)
}

/// The page as the client would have it after applying `events`.
#[derive(Default, Debug, PartialEq)]
struct Page {
    signals: Value,
    elements: BTreeMap<String, String>,
    log: Vec<String>,
}

fn merge(target: &mut Value, patch: &Value) {
    let Value::Object(p) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = json!({});
    }
    let t = target.as_object_mut().unwrap();
    for (k, v) in p {
        if v.is_null() {
            t.remove(k);
        } else {
            merge(t.entry(k.clone()).or_insert(Value::Null), v);
        }
    }
}

impl Page {
    fn apply(&mut self, event: &str) {
        if event.starts_with(':') {
            return; // keep-alive
        }
        let mut lines = event.lines();
        let kind = lines.next().unwrap();
        let mut data: BTreeMap<&str, String> = BTreeMap::new();
        for l in lines.filter(|l| !l.is_empty()) {
            let l = l
                .strip_prefix("data: ")
                .unwrap_or_else(|| panic!("line {l:?} in {event:?}"));
            let (k, v) = l
                .split_once(' ')
                .unwrap_or_else(|| panic!("line {l:?} in {event:?}"));
            data.entry(k).or_default().push_str(v);
        }
        match kind {
            "event: datastar-patch-signals" => merge(
                &mut self.signals,
                &serde_json::from_str(&data["signals"]).unwrap(),
            ),
            "event: datastar-patch-elements" => {
                let html = data["elements"].clone();
                match data.get("mode").map(String::as_str) {
                    Some("append") => self.log.push(html),
                    None => {
                        let id = html.split('"').nth(1).unwrap().to_owned();
                        self.elements.insert(id, html);
                    }
                    other => panic!("unexpected mode {other:?}"),
                }
            }
            other => panic!("unexpected event {other}"),
        }
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Reads one chunked HTTP response until `end` is in the body; returns the body's bytes.
async fn read_until(stream: &mut tokio::net::TcpStream, end: &str) -> String {
    let mut raw = Vec::new();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = tokio::time::timeout(Duration::from_secs(20), stream.read(&mut buf))
            .await
            .expect("stalled")
            .unwrap();
        assert!(n > 0, "closed early");
        raw.extend_from_slice(&buf[..n]);
        if find(&raw, end.as_bytes()).is_some() && raw.ends_with(b"\r\n") {
            break;
        }
    }
    let head_end = find(&raw, b"\r\n\r\n").unwrap() + 4;
    // De-chunk the body.
    let mut body = Vec::new();
    let mut rest = &raw[head_end..];
    while let Some(eol) = find(rest, b"\r\n") {
        let size = usize::from_str_radix(std::str::from_utf8(&rest[..eol]).unwrap(), 16).unwrap();
        if rest.len() < eol + 2 + size + 2 {
            break;
        }
        body.extend_from_slice(&rest[eol + 2..eol + 2 + size]);
        rest = &rest[eol + 2 + size + 2..];
    }
    String::from_utf8(body).unwrap()
}

async fn connect(addr: std::net::SocketAddr, slow: bool) -> tokio::net::TcpStream {
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    if slow {
        // A small receive window: the slow client's kernel buffer fills quickly.
        socket.set_recv_buffer_size(4096).unwrap();
    }
    let mut s = socket.connect(addr).await.unwrap();
    s.write_all(b"GET /dash HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .await
        .unwrap();
    s
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_subscriber_ends_in_the_same_state() {
    const CAPACITY: usize = 64;
    const UPDATES: usize = 3000;
    let bus = Bus::in_process().queue_messages(CAPACITY);
    // Small server send buffers (accepted sockets inherit them): the slow client's kernel
    // buffers hold a few events, not megabytes, so its queue is what overflows.
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.set_send_buffer_size(8192).unwrap();
    socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let listener = socket.listen(1024).unwrap();
    let addr = listener.local_addr().unwrap();
    let app = Router::new()
        .route("/dash", get(dashboard))
        .with_state(bus.clone());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let mut fast = connect(addr, false).await;
    let mut slow = connect(addr, true).await;
    while bus.subscriber_count() < 2 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let end = "<li id=\"end\">end</li>";
    let publisher = {
        let bus = bus.clone();
        tokio::spawn(async move {
            let padding = "x".repeat(1500);
            for i in 0..UPDATES {
                let signals = json!({
                    "cpu": i % 100,
                    "series": { format!("s{}", i % 5): i, "last": i },
                    "note": if i % 2 == 0 { Value::Null } else { json!(padding[..i % 1500]) },
                });
                bus.publish("dash.signals", PatchSignals::new(&signals))
                    .sender("server")
                    .await
                    .unwrap();
                let panel = format!(
                    "<div id=\"stats\"><b>{i}</b>{}</div>",
                    &padding[..(i * 7) % 1500]
                );
                bus.publish("dash.stats", PatchElements::new(PreEscaped(panel)))
                    .sender("server")
                    .await
                    .unwrap();
                if i % 500 == 499 {
                    let line = format!("<li>checkpoint {i}</li>");
                    bus.publish(
                        "dash.log",
                        PatchElements::at(LOG, Mode::Append, PreEscaped(line)),
                    )
                    .sender("server")
                    .sender("server")
                    .await
                    .unwrap();
                }
                if i % 10 == 0 {
                    // A real publisher's pace: the fast client keeps up.
                    tokio::time::sleep(Duration::from_millis(1)).await;
                }
            }
            bus.publish(
                "dash.log",
                PatchElements::at(LOG, Mode::Append, PreEscaped("<li id=\"end\">end</li>")),
            )
            .sender("server")
            .sender("server")
            .await
            .unwrap();
        })
    };
    let fast_body = tokio::spawn(async move { read_until(&mut fast, end).await });
    publisher.await.unwrap();
    let fast_body = fast_body.await.unwrap();
    let slow_body = read_until(&mut slow, end).await;
    let events =
        |body: &str| -> Vec<String> { body.split_inclusive("\n\n").map(str::to_owned).collect() };
    let (fast_events, slow_events) = (events(&fast_body), events(&slow_body));
    let (mut fast_page, mut slow_page) = (Page::default(), Page::default());
    fast_events.iter().for_each(|e| fast_page.apply(e));
    slow_events.iter().for_each(|e| slow_page.apply(e));
    let published = 2 * UPDATES + UPDATES / 500 + 1;
    println!(
        "slow subscriber (queue {CAPACITY}, {published} events published): fast client {} events / {} bytes, \
         slow client {} events / {} bytes",
        fast_events.len(),
        fast_body.len(),
        slow_events.len(),
        slow_body.len()
    );
    assert_eq!(
        fast_page.log.len(),
        UPDATES / 500 + 1,
        "the fast client got everything"
    );
    assert_eq!(
        slow_page, fast_page,
        "the slow client ends in the same state"
    );
    assert!(
        slow_events.len() * 10 < published,
        "the slow client's queue collapsed: {} of {published} events",
        slow_events.len(),
    );
}
