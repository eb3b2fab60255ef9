//! Compressed SSE streams over real HTTP (feature `compression`): the coding is negotiated
//! from `Accept-Encoding`, each event arrives decodable before the next one is sent (the
//! compressor is flushed per event), and a finished stream is a complete, valid
//! brotli/zstd/gzip stream. Per event (the default), an event's compressed size does not depend
//! on what came before it; with a shared window, repeated markup shrinks, and a secret sent
//! before attacker-chosen text leaks through the sizes (CRIME/BREACH), which is why it is not
//! the default.
#![cfg(feature = "compression")]

mod common;

use std::io::Write;
use std::time::Duration;

use axum::extract::Path;
use axum::http::HeaderMap;
use axum::{extract::State, routing::get, Router};
use futures_util::StreamExt;
use nitro::axum::{Compression, Sse};
use nitro::bus::Bus;
use nitro::prelude::*;

/// A decoder fed with the bytes as they come off the wire.
enum Decoder {
    Identity(Vec<u8>),
    Gzip(flate2::write::GzDecoder<Vec<u8>>),
    Brotli(Box<brotli::DecompressorWriter<Vec<u8>>>),
    Zstd(zstd::stream::write::Decoder<'static, Vec<u8>>),
}

impl Decoder {
    fn new(content_encoding: Option<&str>) -> Decoder {
        match content_encoding {
            None => Decoder::Identity(Vec::new()),
            Some("gzip") => Decoder::Gzip(flate2::write::GzDecoder::new(Vec::new())),
            Some("br") => {
                Decoder::Brotli(Box::new(brotli::DecompressorWriter::new(Vec::new(), 4096)))
            }
            Some("zstd") => Decoder::Zstd(zstd::stream::write::Decoder::new(Vec::new()).unwrap()),
            Some(other) => panic!("unexpected content-encoding {other}"),
        }
    }

    /// Feeds `chunk`; returns everything decoded so far.
    fn feed(&mut self, chunk: &[u8]) -> &[u8] {
        match self {
            Decoder::Identity(v) => {
                v.extend_from_slice(chunk);
                v
            }
            Decoder::Gzip(d) => {
                d.write_all(chunk).unwrap();
                d.flush().unwrap();
                d.get_ref()
            }
            Decoder::Brotli(d) => {
                d.write_all(chunk).unwrap();
                d.flush().unwrap();
                d.get_ref()
            }
            Decoder::Zstd(d) => {
                d.write_all(chunk).unwrap();
                d.flush().unwrap();
                d.get_ref()
            }
        }
    }
}

ids! { MESSAGES = "messages" }

/// A chat-like event: one message appended to the list.
fn chat_event(i: usize) -> nitro::sse::PatchElements {
    let text = format!(
        "<li id=\"msg-{i}\" class=\"message from-other\"><span class=\"author\">user{}</span> \
         <span class=\"text\">message number {i} in the room</span></li>",
        i % 7
    );
    PatchElements::at(MESSAGES, Mode::Append, PreEscaped(text))
}

fn encoded(i: usize) -> String {
    let mut b = bytes::BytesMut::new();
    nitro::sse::Event::encode_to(&chat_event(i), &mut b).unwrap();
    String::from_utf8(b.to_vec()).unwrap()
}

fn mode(name: &str) -> Compression {
    match name {
        "shared" => Compression::SharedWindow,
        _ => Compression::PerEvent,
    }
}

async fn live(Path(m): Path<String>, headers: HeaderMap, State(bus): State<Bus>) -> Sse {
    bus.subscribe("room.>")
        .await
        .unwrap()
        .into_sse(nitro::bus::forward)
        .compressed_with(&headers, mode(&m))
}

async fn finite(Path(m): Path<String>, headers: HeaderMap) -> Sse {
    Sse::new(futures_util::stream::iter((0..20).map(chat_event)))
        .compressed_with(&headers, mode(&m))
}

async fn plain(State(bus): State<Bus>) -> Sse {
    bus.subscribe("room.>")
        .await
        .unwrap()
        .into_sse(nitro::bus::forward)
}

async fn app(bus: Bus) -> String {
    common::base_url(
        Router::new()
            .route("/live/{mode}", get(live))
            .route("/finite/{mode}", get(finite))
            .route("/plain", get(plain))
            .with_state(bus),
    )
    .await
}

async fn get_with(url: &str, accept: &str) -> reqwest::Response {
    let client = reqwest::Client::new();
    let mut req = client.get(url);
    if !accept.is_empty() {
        req = req.header("accept-encoding", accept);
    }
    req.send().await.unwrap()
}

/// Publishes 60 events one by one; each must come out of the decoder, whole, before the next
/// is published. Returns (wire bytes, decoded bytes).
async fn each_event_arrives_before_the_next(
    mode: &str,
    accept: &str,
    expect: Option<&str>,
) -> (usize, usize) {
    let bus = Bus::in_process();
    let base = app(bus.clone()).await;
    let r = get_with(&format!("{base}/live/{mode}"), accept).await;
    assert_eq!(r.status(), 200);
    let ce = r
        .headers()
        .get("content-encoding")
        .map(|v| v.to_str().unwrap().to_owned());
    assert_eq!(ce.as_deref(), expect, "Accept-Encoding: {accept}");
    assert_eq!(r.headers()["vary"], "accept-encoding");
    assert_eq!(r.headers()["content-type"], "text/event-stream");
    let mut decoder = Decoder::new(ce.as_deref());
    let mut body = r.bytes_stream();
    while bus.subscriber_count() == 0 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let mut wire = 0;
    let mut expected = String::new();
    for i in 0..60 {
        bus.publish("room.1", chat_event(i))
            .sender("test")
            .await
            .unwrap();
        expected.push_str(&encoded(i));
        loop {
            let decoded = std::str::from_utf8(decoder.feed(&[])).unwrap();
            if decoded == expected {
                break;
            }
            assert!(
                expected.starts_with(decoded),
                "decoded more or other than was sent ({accept}): {decoded:?}"
            );
            let chunk = tokio::time::timeout(Duration::from_secs(5), body.next())
                .await
                .unwrap_or_else(|_| {
                    panic!("event {i} not decodable within 5 s ({accept}): it was not flushed")
                })
                .expect("the response ended")
                .unwrap();
            wire += chunk.len();
            decoder.feed(&chunk);
        }
    }
    (wire, expected.len())
}

#[tokio::test]
async fn brotli_stream_flushes_every_event() {
    let (wire, plain) =
        each_event_arrives_before_the_next("shared", "gzip, deflate, br", Some("br")).await;
    // The window is kept across events: the repeated markup costs a few bytes per event.
    assert!(wire * 4 < plain, "br: {wire} bytes on the wire for {plain}");
}

#[tokio::test]
async fn zstd_stream_flushes_every_event() {
    let (wire, plain) =
        each_event_arrives_before_the_next("shared", "gzip, deflate, br, zstd", Some("zstd")).await;
    assert!(
        wire * 3 < plain,
        "zstd: {wire} bytes on the wire for {plain}"
    );
}

#[tokio::test]
async fn gzip_stream_flushes_every_event() {
    let (wire, plain) = each_event_arrives_before_the_next("shared", "gzip", Some("gzip")).await;
    assert!(
        wire * 3 < plain,
        "gzip: {wire} bytes on the wire for {plain}"
    );
}

#[tokio::test]
async fn per_event_streams_flush_every_event() {
    // Brotli cannot restart inside a stream: per event, zstd or gzip is chosen.
    let (wire, plain) =
        each_event_arrives_before_the_next("per-event", "gzip, deflate, br, zstd", Some("zstd"))
            .await;
    assert!(wire < plain, "zstd per event: {wire} for {plain}");
    let (wire, plain) =
        each_event_arrives_before_the_next("per-event", "br, gzip", Some("gzip")).await;
    assert!(wire < plain, "gzip per event: {wire} for {plain}");
    let (wire, plain) = each_event_arrives_before_the_next("per-event", "br", None).await;
    assert_eq!(wire, plain);
}

#[tokio::test]
async fn no_acceptable_coding_means_identity() {
    let (wire, plain) = each_event_arrives_before_the_next("shared", "deflate, br;q=0", None).await;
    assert_eq!(wire, plain);
    each_event_arrives_before_the_next("shared", "", None).await;
}

/// The bytes on the wire of a finished stream of these signal patches.
async fn wire_size(events: Vec<serde_json::Value>, coding: &str, m: Compression) -> usize {
    let mut headers = HeaderMap::new();
    headers.insert("accept-encoding", coding.parse().unwrap());
    let stream = Sse::new(futures_util::stream::iter(
        events.into_iter().map(|v| PatchSignals::new(&v)),
    ))
    .compressed_with(&headers, m);
    let response = axum::response::IntoResponse::into_response(stream);
    axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap()
        .len()
}

/// Issue 22's CRIME/BREACH observation as a regression test: a secret event, then an event
/// reflecting an attacker's guess. With a shared window each matching character of the guess
/// makes the stream smaller; per event, the guess's compressed size is the same whatever came
/// before it.
#[tokio::test]
async fn per_event_compression_has_no_length_oracle() {
    let secret = "k7q2m9x4w1";
    let event = |s: &str| serde_json::json!({ "session": { "token": s } });
    let guess = |k: usize| {
        let wrong = "RJVTBNPLHG";
        serde_json::json!({ "search": format!("token\":\"{}{}", &secret[..k], &wrong[k..]) })
    };
    for coding in ["zstd", "gzip"] {
        let mut shared = Vec::new();
        for k in 0..=8 {
            // The size the guess adds after the secret, per event: the same as after another
            // event of the same length.
            let per = Compression::PerEvent;
            let after_secret = wire_size(vec![event(secret), guess(k)], coding, per).await
                - wire_size(vec![event(secret)], coding, per).await;
            let after_other = wire_size(vec![event("0000000000"), guess(k)], coding, per).await
                - wire_size(vec![event("0000000000")], coding, per).await;
            assert_eq!(
                after_secret, after_other,
                "{coding}, {k} matching characters"
            );
            let sh = Compression::SharedWindow;
            shared.push(
                wire_size(vec![event(secret), guess(k)], coding, sh).await
                    - wire_size(vec![event(secret)], coding, sh).await,
            );
        }
        // The oracle is real with a shared window: 8 matching characters cost less than none.
        assert!(shared[8] < shared[0], "{coding} shared window: {shared:?}");
        eprintln!("{coding} shared window, bytes added by a guess with 0..=8 matching characters: {shared:?}");
    }
}

#[tokio::test]
async fn uncompressed_streams_do_not_vary() {
    let base = app(Bus::in_process()).await;
    let r = get_with(&format!("{base}/plain"), "br, gzip").await;
    assert!(r.headers().get("content-encoding").is_none());
    assert!(r.headers().get("vary").is_none());
}

/// A stream that ends is a complete compressed stream (with its trailer), which a one-shot
/// decoder reads to the end.
#[tokio::test]
async fn a_finished_stream_is_complete() {
    let base = app(Bus::in_process()).await;
    let expected: String = (0..20).map(encoded).collect();
    for (m, accept, coding) in [
        ("shared", "br", "br"),
        ("shared", "zstd", "zstd"),
        ("shared", "gzip", "gzip"),
        ("per-event", "zstd", "zstd"),
        ("per-event", "gzip", "gzip"),
    ] {
        let r = get_with(&format!("{base}/finite/{m}"), accept).await;
        assert_eq!(r.headers()["content-encoding"], coding);
        let body = r.bytes().await.unwrap();
        let mut out = Vec::new();
        match coding {
            "br" => {
                std::io::copy(&mut brotli::Decompressor::new(&body[..], 4096), &mut out).unwrap();
            }
            "zstd" => out = zstd::stream::decode_all(&body[..]).unwrap(),
            _ => {
                std::io::copy(&mut flate2::read::GzDecoder::new(&body[..]), &mut out).unwrap();
            }
        }
        assert_eq!(String::from_utf8(out).unwrap(), expected, "{coding}");
        let bound = if m == "shared" { 3 } else { 1 };
        assert!(
            body.len() < expected.len() / bound,
            "{m} {coding}: {} bytes",
            body.len()
        );
    }
}
