//! Soak test of the chat app (loopback only, bounded): 1,000 clients connect to a room's stream,
//! read a little, disconnect and reconnect, in a loop, while messages are published; afterwards
//! no subscription and no task may be left, and memory must be back near its warm-up level.
//!
//! Run with `cargo run --release --example soak` (`SOAK_SECS`, default 60; `SOAK_CLIENTS`,
//! default 1000). Exits non-zero if a check fails.

#[path = "chat.rs"]
#[allow(dead_code)]
mod chat;

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use nitro::bus::Bus;

fn rss_mib() -> f64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: f64 = statm
        .split_whitespace()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .unwrap_or(0.0);
    pages * 4096.0 / 1_048_576.0
}

fn env(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[tokio::main]
async fn main() {
    let secs = env("SOAK_SECS", 60);
    let clients = env("SOAK_CLIENTS", 1000) as usize;
    let bus = Bus::in_process();
    let app = chat::app_with_bus(chat::common::datastar_from_env(), bus.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let metrics = tokio::runtime::Handle::current().metrics();
    let tasks_before = metrics.num_alive_tasks();

    let stop = Arc::new(AtomicBool::new(false));
    let (connects, events) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();
    let mut workers = Vec::new();
    for i in 0..clients {
        let (stop, connects, events, client) = (
            stop.clone(),
            connects.clone(),
            events.clone(),
            client.clone(),
        );
        workers.push(tokio::spawn(async move {
            let url = format!("http://{addr}/rooms/room{}/stream", i % 10);
            while !stop.load(Ordering::Relaxed) {
                let Ok(response) = client.get(&url).send().await else {
                    continue;
                };
                connects.fetch_add(1, Ordering::Relaxed);
                let mut body = response.bytes_stream();
                let hold = Duration::from_millis(50 + (i as u64 * 37) % 450);
                let deadline = tokio::time::sleep(hold);
                tokio::pin!(deadline);
                loop {
                    tokio::select! {
                        _ = &mut deadline => break,
                        chunk = body.next() => match chunk {
                            Some(Ok(_)) => { events.fetch_add(1, Ordering::Relaxed); }
                            _ => break,
                        },
                    }
                }
            }
        }));
    }
    let publisher = {
        let (bus, stop) = (bus.clone(), stop.clone());
        tokio::spawn(async move {
            let mut n = 0u64;
            while !stop.load(Ordering::Relaxed) {
                let msg = serde_json::json!({"id": n, "username": "soak", "text": "hello", "total_count": n});
                let _ = bus
                    .publish(format!("chat.room.room{}.message", n % 10), &msg)
                    .sender("soak")
                    .await;
                n += 1;
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        })
    };

    let start = Instant::now();
    let warm_up = Duration::from_secs((secs / 6).max(1));
    tokio::time::sleep(warm_up).await;
    let rss_warm = rss_mib();
    let mut peak = rss_warm;
    while start.elapsed() < Duration::from_secs(secs) {
        tokio::time::sleep(Duration::from_secs(1)).await;
        peak = peak.max(rss_mib());
    }
    stop.store(true, Ordering::Relaxed);
    for w in workers {
        let _ = tokio::time::timeout(Duration::from_secs(10), w).await;
    }
    let _ = publisher.await;
    // Give the server a moment to notice the last disconnects.
    let settle = Instant::now();
    while bus.subscriber_count() > 0 && settle.elapsed() < Duration::from_secs(10) {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let rss_end = rss_mib();
    let subs = bus.subscriber_count();
    let tasks_after = metrics.num_alive_tasks();

    println!("soak: {clients} clients for {secs} s on http://{addr}");
    println!(
        "  connections made      {}",
        connects.load(Ordering::Relaxed)
    );
    println!("  event chunks received {}", events.load(Ordering::Relaxed));
    println!("  subscriptions left    {subs}");
    println!("  tasks alive           {tasks_before} before, {tasks_after} after");
    println!("  RSS after warm-up     {rss_warm:.1} MiB, peak {peak:.1} MiB, end {rss_end:.1} MiB ({:+.1}%)", (rss_end / rss_warm - 1.0) * 100.0);
    let mut ok = true;
    if subs != 0 {
        println!("FAIL: {subs} subscriptions left");
        ok = false;
    }
    if tasks_after > tasks_before {
        println!("FAIL: {} tasks leaked", tasks_after - tasks_before);
        ok = false;
    }
    if rss_end > rss_warm * 1.10 {
        println!("FAIL: RSS grew more than 10% over its post-warm-up value");
        ok = false;
    }
    std::process::exit(if ok { 0 } else { 1 });
}
