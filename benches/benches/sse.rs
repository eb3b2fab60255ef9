//! SSE encoding: nitro against the official `datastar` crate (same output bytes, checked), a
//! naive split-and-copy encoder (a floor), and a plain copy of the encoded bytes.
//!
//! Run with `cargo bench -p nitro-benches --bench sse`.

#[path = "../impls/sse.rs"]
mod direct;

use std::hint::black_box;

use bytes::BytesMut;
use criterion::measurement::WallTime;
use criterion::{criterion_group, criterion_main, BenchmarkGroup, Criterion, Throughput};
use nitro::sse::{Event, IdentifiedElements, Mode, PatchElements, PatchSignals};

fn datastar_elements(html: &str) -> String {
    datastar::prelude::PatchElements::new(html)
        .into_datastar_event()
        .to_string()
}

fn datastar_signals(signals: &impl serde::Serialize) -> String {
    datastar::prelude::PatchSignals::new(serde_json::to_string(signals).unwrap())
        .into_datastar_event()
        .to_string()
}

use direct::naive;

fn elements(c: &mut Criterion, group: &str, html: &str) {
    let ours = PatchElements::trusted(None, Mode::Outer, html)
        .to_bytes()
        .unwrap();
    assert_eq!(
        &ours[..],
        datastar_elements(html).as_bytes(),
        "datastar crate output differs"
    );
    let mut naive_out = String::new();
    naive(html, &mut naive_out);
    assert_eq!(&ours[..], naive_out.as_bytes(), "naive output differs");

    let mut g = c.benchmark_group(group);
    g.throughput(Throughput::Bytes(ours.len() as u64));
    let mut buf = BytesMut::with_capacity(ours.len() * 2);
    g.bench_function("nitro (reused buffer)", |b| {
        b.iter(|| {
            buf.clear();
            PatchElements::trusted(None, Mode::Outer, black_box(html))
                .encode_to(&mut buf)
                .unwrap();
            black_box(buf.len())
        })
    });
    g.bench_function("nitro (new buffer)", |b| {
        b.iter(|| {
            PatchElements::trusted(None, Mode::Outer, black_box(html))
                .to_bytes()
                .unwrap()
        })
    });
    g.bench_function("datastar crate", |b| {
        b.iter(|| datastar_elements(black_box(html)))
    });
    floors(&mut g, "naive split-and-copy", html, &ours);
    g.finish();
}

/// The floors an encoder is compared with: the naive split-and-copy of `html` (benchmarked as
/// `naive_label`) and a plain copy of the encoded event `ours`.
fn floors(g: &mut BenchmarkGroup<'_, WallTime>, naive_label: &str, html: &str, ours: &[u8]) {
    let mut out = String::with_capacity(ours.len() * 2);
    g.bench_function(naive_label, |b| {
        b.iter(|| {
            out.clear();
            naive(black_box(html), &mut out);
            black_box(out.len())
        })
    });
    let mut copy = Vec::with_capacity(ours.len());
    g.bench_function("plain copy of the output", |b| {
        b.iter(|| {
            copy.clear();
            copy.extend_from_slice(black_box(ours));
            black_box(copy.len())
        })
    });
}

fn patch_elements(c: &mut Criterion) {
    elements(
        c,
        "sse/elements-200-lines",
        &nitro_benches::fragment_200_lines(),
    );
    elements(
        c,
        "sse/elements-one-line",
        &nitro_benches::fragment_one_line(),
    );
}

fn patch_signals(c: &mut Criterion) {
    let signals = nitro_benches::signals_2kb();
    let ours = PatchSignals::new(&signals).to_bytes().unwrap();
    assert_eq!(
        &ours[..],
        datastar_signals(&signals).as_bytes(),
        "datastar crate output differs"
    );
    let mut g = c.benchmark_group("sse/signals-2kb");
    g.throughput(Throughput::Bytes(ours.len() as u64));
    let mut buf = BytesMut::with_capacity(ours.len() * 2);
    g.bench_function("nitro (reused buffer)", |b| {
        b.iter(|| {
            buf.clear();
            PatchSignals::new(black_box(&signals))
                .encode_to(&mut buf)
                .unwrap();
            black_box(buf.len())
        })
    });
    g.bench_function("datastar crate", |b| {
        b.iter(|| datastar_signals(black_box(&signals)))
    });
    g.finish();
}

/// `PatchElements::new(html! {..})`: the template rendered straight into its SSE framing, against
/// rendering into a string and then encoding it (our old path, and the naive encoder), the
/// naive encoder alone on the pre-rendered HTML, and a plain copy of the event's bytes.
fn rendered(c: &mut Criterion, group: &str, t: &impl IdentifiedElements) {
    let html = t.render().into_string();
    let mut ours = BytesMut::new();
    direct::direct(t, &mut ours);
    let mut naive_out = String::new();
    naive(&html, &mut naive_out);
    assert_eq!(&ours[..], naive_out.as_bytes(), "naive output differs");
    let mut old = BytesMut::new();
    direct::render_then_encode(t, &mut old);
    assert_eq!(ours, old, "old path output differs");

    let mut g = c.benchmark_group(group);
    g.throughput(Throughput::Bytes(ours.len() as u64));
    let mut buf = BytesMut::with_capacity(ours.len() * 2);
    g.bench_function("nitro PatchElements::new(html!) (direct)", |b| {
        b.iter(|| {
            buf.clear();
            direct::direct(black_box(t), &mut buf);
            black_box(buf.len())
        })
    });
    g.bench_function("direct, in a Template::new closure (checked again)", |b| {
        b.iter(|| {
            buf.clear();
            direct::direct_in_closure(black_box(t), html.len(), &mut buf);
            black_box(buf.len())
        })
    });
    g.bench_function("render to String, then encode (old path)", |b| {
        b.iter(|| {
            buf.clear();
            direct::render_then_encode(black_box(t), &mut buf);
            black_box(buf.len())
        })
    });
    let mut out = String::with_capacity(ours.len() * 2);
    g.bench_function("render to String, then naive split-and-copy", |b| {
        b.iter(|| {
            out.clear();
            direct::render_then_naive(black_box(t), &mut out);
            black_box(out.len())
        })
    });
    floors(
        &mut g,
        "naive split-and-copy of the pre-rendered HTML",
        &html,
        &ours,
    );
    g.finish();
}

fn patch_rendered(c: &mut Criterion) {
    rendered(c, "sse/html-200-lines", &direct::lines_200());
    rendered(c, "sse/html-one-line", &direct::one_line());
    rendered(c, "sse/html-200-components", &direct::components_200());
}

criterion_group!(benches, patch_elements, patch_rendered, patch_signals);
criterion_main!(benches);
