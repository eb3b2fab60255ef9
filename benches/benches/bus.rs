//! The in-process bus: one publish delivered to 1, 100 and 10,000 subscribers (publish plus
//! draining every queue), and publish cost with 1,000 distinct patterns subscribed.
//!
//! Run with `cargo bench -p nitro-benches --bench bus`.

use std::future::IntoFuture;
use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use futures_util::{FutureExt, StreamExt};
use nitro::bus::{Bus, Subscription};

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

fn publish_now(bus: &Bus, topic: &str, payload: &u64) {
    // The in-process publish never waits: it completes on the first poll.
    bus.publish(topic, payload)
        .sender("bench")
        .into_future()
        .now_or_never()
        .expect("in-process publish is immediate")
        .unwrap();
}

fn drain(subs: &mut [Subscription]) -> usize {
    let mut n = 0;
    for s in subs.iter_mut() {
        while let Some(Some(Ok(_))) = s.next().now_or_never() {
            n += 1;
        }
    }
    n
}

fn fan_out(c: &mut Criterion) {
    let rt = runtime();
    let _guard = rt.enter();
    let mut g = c.benchmark_group("bus/fan-out");
    for n in [1usize, 100, 10_000] {
        let bus = Bus::in_process();
        let mut subs: Vec<Subscription> = (0..n)
            .map(|_| {
                bus.subscribe("chat.room.*.message")
                    .into_future()
                    .now_or_never()
                    .unwrap()
                    .unwrap()
            })
            .collect();
        g.throughput(Throughput::Elements(n as u64));
        g.bench_with_input(BenchmarkId::from_parameter(n), &n, |b, &n| {
            b.iter(|| {
                publish_now(&bus, "chat.room.42.message", black_box(&7));
                assert_eq!(drain(&mut subs), n);
            })
        });
    }
    g.finish();
}

fn many_patterns(c: &mut Criterion) {
    let rt = runtime();
    let _guard = rt.enter();
    let bus = Bus::in_process();
    let mut subs: Vec<Subscription> = (0..1000)
        .map(|i| {
            bus.subscribe(format!("tenant.{i}.events.>"))
                .into_future()
                .now_or_never()
                .unwrap()
                .unwrap()
        })
        .collect();
    let mut g = c.benchmark_group("bus/1000-patterns");
    g.bench_function("publish to one match", |b| {
        b.iter(|| {
            publish_now(&bus, "tenant.500.events.created", black_box(&1));
            assert_eq!(drain(&mut subs[500..501]), 1);
        })
    });
    g.bench_function("publish to no match", |b| {
        b.iter(|| publish_now(&bus, "other.topic", black_box(&1)))
    });
    g.finish();
}

criterion_group!(benches, fan_out, many_patterns);
criterion_main!(benches);
