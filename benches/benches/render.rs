//! Rendering: *big-table* (100×100) and *teams*, nitro against sailfish, maud, hypertext and
//! askama, each checked byte-for-byte equal to nitro's output before it is timed.
//!
//! Run with `cargo bench -p nitro-benches --bench render`.

#[path = "../impls/render.rs"]
mod render;

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};

fn big_table(c: &mut Criterion) {
    let table = nitro_benches::big_table(100);
    let ours = render::nitro_big_table(&table);
    let mut g = c.benchmark_group("big-table");
    for (name, f) in render::BIG_TABLE {
        assert_eq!(f(&table), ours, "{name} output differs");
        g.bench_function(*name, |b| b.iter(|| f(black_box(&table))));
    }
    // The production path: render into a reused buffer (what an SSE sender does).
    let mut buf = String::with_capacity(ours.len());
    g.bench_function("nitro (reused buffer)", |b| {
        b.iter(|| {
            buf.clear();
            render::nitro_big_table_into(black_box(&table), &mut buf);
            black_box(buf.len())
        })
    });
    g.finish();
}

fn teams(c: &mut Criterion) {
    let (year, teams) = nitro_benches::teams();
    let ours = render::nitro_teams(year, &teams);
    let mut g = c.benchmark_group("teams");
    for (name, f) in render::TEAMS {
        assert_eq!(f(year, &teams), ours, "{name} output differs");
        g.bench_function(*name, |b| b.iter(|| f(black_box(year), black_box(&teams))));
    }
    g.finish();
}

criterion_group!(benches, big_table, teams);
criterion_main!(benches);
