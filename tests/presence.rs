//! Stream lifecycle and presence: `Sse::on_end` runs when a real HTTP client goes away, and
//! `Presence` tells every process who is on a topic, on a private NATS server: joins and leaves
//! across two buses, a clean stop's goodbye, and a "crashed" process (its connection to NATS
//! cut by a proxy, no goodbye) whose members expire after the TTL.

mod common;

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{Query, State};
use axum::routing::get;
use axum::Router;
use common::nats::{free_port, NatsServer};
use futures_util::{FutureExt, StreamExt};
use nitro::axum::Sse;
use nitro::bus::{
    Bus, BusError, BusErrorKind, Member, Presence, PresenceChange, Roster, DEFAULT_PRESENCE_TTL,
    MAX_PRESENCE_MEMBERS, MAX_PRESENCE_TOPICS,
};
use nitro::sse::PatchSignals;

#[derive(Clone)]
struct App {
    bus: Bus,
    presence: Presence,
    ended: Arc<AtomicUsize>,
}

/// A stream that puts `?user=` on the topic `board` while it is open and sends the online list.
async fn stream(
    State(app): State<App>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Sse, BusError> {
    let user = q.get("user").cloned().unwrap_or_default();
    let sub = app
        .bus
        .subscribe("board.>")
        .await?
        .with_presence(&app.presence, "board")?;
    let here = app.presence.join("board", &user, &user)?;
    let ended = app.ended.clone();
    let mut roster = Roster::default();
    Ok(sub
        .into_sse(move |m| {
            roster.apply(&PresenceChange::of(m)?);
            let keys: Vec<&str> = roster.members().map(|m| m.key.as_str()).collect();
            Some(PatchSignals::new(&serde_json::json!({ "online": keys })))
        })
        .on_end(move || {
            drop(here);
            ended.fetch_add(1, Ordering::SeqCst);
        }))
}

/// The `online` list of the next event of `body`.
async fn online<S, E>(body: &mut S) -> Vec<String>
where
    S: futures_util::Stream<Item = Result<axum::body::Bytes, E>> + Unpin,
    E: std::fmt::Debug,
{
    let event = common::next_event(body).await;
    let json = event
        .lines()
        .find_map(|l| l.strip_prefix("data: signals "))
        .unwrap_or_else(|| panic!("not a signals patch: {event:?}"));
    let v: serde_json::Value = serde_json::from_str(json).unwrap();
    serde_json::from_value(v["online"].clone()).unwrap()
}

#[tokio::test]
async fn on_end_runs_when_an_http_client_goes_away_and_presence_follows() {
    let bus = Bus::in_process();
    let app = App {
        presence: Presence::start(&bus, Duration::from_secs(30))
            .await
            .unwrap(),
        bus,
        ended: Arc::default(),
    };
    let addr = common::serve(
        Router::new()
            .route("/stream", get(stream))
            .with_state(app.clone()),
    )
    .await;
    let open = |user: &str| reqwest::get(format!("http://{addr}/stream?user={user}"));

    let mut ada = open("ada").await.unwrap().bytes_stream();
    assert_eq!(online(&mut ada).await, Vec::<String>::new()); // the list when it subscribed
    assert_eq!(online(&mut ada).await, ["ada"]); // then its own join
    let mut grace = open("grace").await.unwrap().bytes_stream();
    assert_eq!(online(&mut grace).await, ["ada"]);
    assert_eq!(online(&mut grace).await, ["ada", "grace"]);
    assert_eq!(online(&mut ada).await, ["ada", "grace"]);

    // A second tab of Grace's: still one member; closing it leaves her on.
    let grace2 = open("grace").await.unwrap();
    assert_eq!(app.presence.members("board").len(), 2);
    drop(grace2);

    // Grace's first tab goes away: the server sees the connection close, the stream's
    // `on_end` drops her `Here`, and Ada's stream says she left.
    drop(grace);
    let start = Instant::now();
    while app.ended.load(Ordering::SeqCst) < 2 {
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "on_end did not run for both closed clients"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let mut seen = online(&mut ada).await;
    if seen != ["ada"] {
        seen = online(&mut ada).await; // a change may have been on its way
    }
    assert_eq!(seen, ["ada"]);
    assert_eq!(app.presence.members("board").len(), 1);
    drop(ada);
    let start = Instant::now();
    while !app.presence.members("board").is_empty() {
        assert!(start.elapsed() < Duration::from_secs(5), "Ada never left");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(app.ended.load(Ordering::SeqCst), 3);
}

/// A TCP proxy to NATS that can be cut, as a crashed process's connection is.
struct Proxy {
    port: u16,
    tasks: Arc<Mutex<Vec<tokio::task::AbortHandle>>>,
}

impl Proxy {
    async fn start(to: u16) -> Proxy {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let tasks: Arc<Mutex<Vec<tokio::task::AbortHandle>>> = Arc::default();
        let accept = tokio::spawn({
            let tasks = tasks.clone();
            async move {
                while let Ok((mut inbound, _)) = listener.accept().await {
                    let conn = tokio::spawn(async move {
                        if let Ok(mut out) = tokio::net::TcpStream::connect(("127.0.0.1", to)).await
                        {
                            let _ = tokio::io::copy_bidirectional(&mut inbound, &mut out).await;
                        }
                    });
                    tasks.lock().unwrap().push(conn.abort_handle());
                }
            }
        });
        tasks.lock().unwrap().push(accept.abort_handle());
        Proxy { port, tasks }
    }

    fn cut(&self) {
        for t in self.tasks.lock().unwrap().drain(..) {
            t.abort();
        }
    }
}

async fn wait_members(p: &Presence, topic: &str, want: &[&str], limit: Duration) -> Duration {
    let start = Instant::now();
    loop {
        let keys: Vec<String> = p.members(topic).into_iter().map(|m| m.key).collect();
        if keys == want {
            return start.elapsed();
        }
        assert!(
            start.elapsed() < limit,
            "members of {topic}: {keys:?}, expected {want:?} within {limit:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn presence_spans_processes_and_a_crashed_process_expires() {
    let logs = common::logs::capture();
    let server = NatsServer::start(free_port());
    let ttl = Duration::from_millis(1500);
    let one_bus = Bus::nats(&server.url()).await.unwrap();
    let one = Presence::start(&one_bus, ttl).await.unwrap();
    let topic = common::nats::unique("room");

    // A process started before anyone joined, and one started after: both learn the members.
    let two_bus = Bus::nats(&server.url()).await.unwrap();
    let two = Presence::start(&two_bus, ttl).await.unwrap();
    let mut watch = watching(&two_bus, "unused.>", &two, &topic).await;
    let first = next_change(&mut watch).await;
    assert!(first.snapshot && first.joined.is_empty());

    let ada = one.join(&topic, "ada", &"Ada").unwrap();
    wait_members(&two, &topic, &["ada"], Duration::from_secs(2)).await;
    let change = next_change(&mut watch).await;
    assert_eq!(change.joined[0].key, "ada");
    assert_eq!(change.joined[0].meta::<String>().unwrap(), "Ada");

    let late_bus = Bus::nats(&server.url()).await.unwrap();
    let late = Presence::start(&late_bus, ttl).await.unwrap();
    wait_members(&late, &topic, &["ada"], Duration::from_secs(2)).await;

    // Leaving on one process is seen on the others at once (not after the TTL).
    let grace = two.join(&topic, "grace", &"Grace").unwrap();
    wait_members(&one, &topic, &["ada", "grace"], Duration::from_secs(2)).await;
    drop(grace);
    let took = wait_members(&one, &topic, &["ada"], Duration::from_secs(2)).await;
    assert!(took < ttl, "a leave took {took:?}, as long as the TTL");

    // Heartbeats keep a member that stays for longer than the TTL.
    tokio::time::sleep(ttl * 2).await;
    assert_eq!(late.members(&topic).len(), 1);

    // A clean stop says goodbye: its members leave at once.
    drop(late);
    drop(late_bus);

    // A process that crashes: its connection to NATS is cut (no goodbye); its members expire
    // on the others after the TTL, logged and counted.
    let proxy = Proxy::start(server.port).await;
    let crashed_bus = Bus::nats(&format!("nats://127.0.0.1:{}", proxy.port))
        .await
        .unwrap();
    let crashed = Presence::start(&crashed_bus, ttl).await.unwrap();
    let _linus = crashed.join(&topic, "linus", &"Linus").unwrap();
    wait_members(&one, &topic, &["ada", "linus"], Duration::from_secs(2)).await;
    let expired_before = nitro::stats::snapshot().presence_expired;
    proxy.cut();
    let cut = Instant::now();
    wait_members(&one, &topic, &["ada"], ttl * 3).await;
    let gone_after = cut.elapsed();
    assert!(
        gone_after >= ttl / 3,
        "linus left {gone_after:?} after the cut, before any heartbeat could have been missed"
    );
    wait_members(&two, &topic, &["ada"], ttl * 3).await;
    assert!(nitro::stats::snapshot().presence_expired > expired_before);
    logs.wait_for(&["WARN", "presence: a process stopped heartbeating"])
        .await;
    drop(ada);
    wait_members(&two, &topic, &[], Duration::from_secs(2)).await;
}

/// Review F1: a stream watching a topic named after request data (a room) and then closed
/// leaves nothing behind, neither the topic nor its watcher.
#[tokio::test]
async fn closed_watches_leave_no_topic_behind() {
    let bus = Bus::in_process();
    let p = Presence::start(&bus, DEFAULT_PRESENCE_TTL).await.unwrap();
    for i in 0..2_000 {
        let sub = watching(&bus, "x", &p, &format!("room.{i}")).await;
        drop(sub);
    }
    let dbg = format!("{p:?}");
    assert!(dbg.contains("topics: 0, watchers: 0"), "{dbg}");
}

/// Review F2: tabs that join with a key already present (no change to the list) leave no dead
/// watcher behind, and the live ones still get the next change.
#[tokio::test]
async fn rejoining_tabs_leave_no_dead_watchers() {
    let bus = Bus::in_process();
    let p = Presence::start(&bus, DEFAULT_PRESENCE_TTL).await.unwrap();
    let _first = p.join("board", "ada", &()).unwrap();
    let mut live = watching(&bus, "board.issue", &p, "board").await;
    for _ in 0..2_000 {
        let sub = watching(&bus, "board.issue", &p, "board").await;
        let here = p.join("board", "ada", &()).unwrap();
        drop(sub);
        drop(here);
    }
    let dbg = format!("{p:?}");
    assert!(dbg.contains("topics: 1, watchers: 1"), "{dbg}");
    let first = next_change(&mut live).await;
    assert_eq!(
        (first.snapshot, first.joined.len(), first.count),
        (true, 1, 1)
    );
    let _grace = p.join("board", "grace", &"Grace").unwrap();
    let change = next_change(&mut live).await;
    assert_eq!(
        change.joined,
        [Member {
            key: "grace".into(),
            meta: "Grace".into()
        }]
    );
    assert!(!change.snapshot && change.updated.is_empty() && change.left.is_empty());
    assert_eq!(change.count, 2);
    // New metadata for a present key: updated, neither joined nor left.
    let _ada2 = p.join("board", "ada", &"Ada").unwrap();
    let change = next_change(&mut live).await;
    assert_eq!(
        change.updated,
        [Member {
            key: "ada".into(),
            meta: "Ada".into()
        }]
    );
    assert!(change.joined.is_empty() && change.left.is_empty());
    drop(_grace);
    let change = next_change(&mut live).await;
    assert_eq!((change.left[0].key.as_str(), change.count), ("grace", 1));
}

/// Review F1/F3: members per topic and topics per process are bounded; a join past a bound
/// fails with `Full` (503) and is counted; room comes back when members leave.
#[tokio::test]
async fn presence_bounds_refuse_with_full() {
    let bus = Bus::in_process();
    let p = Presence::start(&bus, DEFAULT_PRESENCE_TTL).await.unwrap();
    let refused = nitro::stats::snapshot().presence_refused;
    let members: Vec<_> = (0..MAX_PRESENCE_MEMBERS)
        .map(|i| p.join("board", &format!("guest-{i}"), &()).unwrap())
        .collect();
    let err = p.join("board", "one-more", &()).unwrap_err();
    assert_eq!((err.kind(), err.status()), (BusErrorKind::Full, 503));
    let again = p.join("board", "guest-0", &()).unwrap(); // a present key is not a new member
    drop((members, again));
    let _now = p.join("board", "one-more", &()).unwrap();

    let topics: Vec<_> = (1..MAX_PRESENCE_TOPICS)
        .map(|i| p.join(&format!("room.{i}"), "ada", &()).unwrap())
        .collect();
    let err = p.join("room.last", "ada", &()).unwrap_err();
    assert_eq!(err.kind(), BusErrorKind::Full);
    let sub = bus.subscribe("x").await.unwrap();
    assert_eq!(
        sub.with_presence(&p, "room.last").unwrap_err().kind(),
        BusErrorKind::Full
    );
    assert!(p.join("room.1", "grace", &()).is_ok()); // an existing topic still takes members
    assert!(nitro::stats::snapshot().presence_refused >= refused + 3);
    drop(topics);
    assert!(p.join("room.last", "ada", &()).is_ok());
}

/// What a watcher does with a change: keeps the topic's list of keys up to date.
fn keep(roster: &mut Roster, change: &PresenceChange) {
    roster.apply(change);
}

/// The cost of N tabs joining one topic (BENCHMARKS.md): each tab subscribes with presence and
/// joins; then the first tab (which saw every join) reads its changes and keeps the list, and
/// the bytes every tab received are added up. Then across two buses on the shared NATS: N joins
/// on one process (one at a time), until the other lists all N, with the bytes on the wire.
/// `cargo test --test presence -- --ignored --nocapture n_tabs_join`
#[tokio::test]
#[ignore]
async fn n_tabs_join() {
    for n in [200usize, 400, 800] {
        let bus = Bus::in_process().queue_messages(4 * n).queue_bytes(1 << 30);
        let p = Presence::start(&bus, DEFAULT_PRESENCE_TTL).await.unwrap();
        let start = Instant::now();
        let mut tabs = Vec::with_capacity(n);
        for i in 0..n {
            let sub = watching(&bus, "board.>", &p, "board").await;
            let here = p.join("board", &format!("user-{i:04}"), &i).unwrap();
            tabs.push((sub, here));
        }
        let joined = start.elapsed();
        let start = Instant::now();
        let mut roster = Roster::default();
        let mut first_bytes = 0;
        while let Some(Some(Ok(m))) = tabs[0].0.next().now_or_never() {
            first_bytes += m.payload_bytes().len();
            keep(&mut roster, &PresenceChange::of(&m).unwrap());
        }
        let read = start.elapsed();
        let want = p.members("board");
        assert_eq!(want.len(), n);
        assert!(roster.members().eq(want.iter()));
        let mut bytes = first_bytes;
        for (sub, _) in &mut tabs[1..] {
            while let Some(Some(Ok(m))) = sub.next().now_or_never() {
                bytes += m.payload_bytes().len();
            }
        }
        println!(
            "in process, {n} tabs: joined in {:.3} s; the first tab read and kept its list in \
             {:.3} s ({:.2} MB); all tabs received {:.1} MB",
            joined.as_secs_f64(),
            read.as_secs_f64(),
            first_bytes as f64 / 1e6,
            bytes as f64 / 1e6,
        );
    }
    for n in [200usize, 400, 800] {
        let url = common::nats::shared_url();
        let topic = common::nats::unique("bench");
        let raw = async_nats::connect(&url).await.unwrap();
        let mut wire = raw.subscribe("_NITRO.presence").await.unwrap();
        raw.flush().await.unwrap();
        let (one_bus, two_bus) = (
            Bus::nats(&url).await.unwrap(),
            Bus::nats(&url).await.unwrap(),
        );
        let one = Presence::start(&one_bus, DEFAULT_PRESENCE_TTL)
            .await
            .unwrap();
        let two = Presence::start(&two_bus, DEFAULT_PRESENCE_TTL)
            .await
            .unwrap();
        let start = Instant::now();
        let mut tabs = Vec::with_capacity(n);
        for i in 0..n {
            tabs.push(one.join(&topic, &format!("user-{i:04}"), &i).unwrap());
            tokio::task::yield_now().await; // tabs join one after the other
        }
        while two.members(&topic).len() < n {
            assert!(start.elapsed() < Duration::from_secs(120));
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        let took = start.elapsed();
        let mut bytes = 0;
        while let Ok(Some(m)) = tokio::time::timeout(Duration::from_millis(300), wire.next()).await
        {
            bytes += m.payload.len();
        }
        println!(
            "two buses on NATS, {n} joins on one: the other lists all in {:.3} s; {:.2} MB on \
             the wire",
            took.as_secs_f64(),
            bytes as f64 / 1e6
        );
        drop(tabs);
    }
}

/// A small seeded generator (xorshift), so that a failure can be replayed.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

/// One random step on `p`: a join (a new member, a second tab, or new metadata) or a leave.
fn step(rng: &mut Rng, p: &Presence, topic: &str, heres: &mut Vec<(String, nitro::bus::Here)>) {
    if heres.is_empty() || rng.below(5) < 3 {
        let key = format!("k{}", rng.below(12));
        let here = p.join(topic, &key, &rng.below(3)).unwrap();
        heres.push((key, here));
    } else {
        let i = rng.below(heres.len());
        drop(heres.swap_remove(i));
    }
}

/// Applies every change `sub` has ready to `roster`; the number of lags it reported.
fn read_ready(sub: &mut nitro::bus::Subscription, roster: &mut Roster) -> usize {
    let mut lags = 0;
    while let Some(Some(item)) = sub.next().now_or_never() {
        match item {
            Ok(m) => roster.apply(&PresenceChange::of(&m).unwrap()),
            Err(_) => lags += 1,
        }
    }
    lags
}

/// Watchers that apply the changes (`Roster`) always hold `Presence::members`, after every
/// random join or leave: one watching from the start, and one from the middle whose queue is
/// too small and lags (it gets a snapshot after each lag).
#[tokio::test]
async fn a_roster_always_equals_members_in_process() {
    for seed in [1u64, 7, 42, 2026] {
        let mut rng = Rng(seed);
        let bus = Bus::in_process();
        let small = Bus::in_process().queue_messages(3);
        let p = Presence::start(&bus, DEFAULT_PRESENCE_TTL).await.unwrap();
        let mut heres = Vec::new();
        let mut early = watching(&bus, "x", &p, "board").await;
        let mut early_roster = Roster::default();
        let (mut late, mut late_roster, mut lags) = (None, Roster::default(), 0);
        for i in 0..600 {
            step(&mut rng, &p, "board", &mut heres);
            if i == 100 {
                late = Some(watching(&small, "x", &p, "board").await);
            }
            read_ready(&mut early, &mut early_roster);
            assert!(
                early_roster.members().eq(p.members("board").iter()),
                "seed {seed}, step {i}"
            );
            // The late watcher reads only now and then: it lags, and catches up.
            if let Some(late) = late.as_mut().filter(|_| rng.below(8) == 0) {
                lags += read_ready(late, &mut late_roster);
                assert!(
                    late_roster.members().eq(p.members("board").iter()),
                    "seed {seed}, step {i}"
                );
            }
        }
        assert!(lags > 0, "seed {seed}: the late watcher never lagged");
        drop(heres);
        read_ready(&mut early, &mut early_roster);
        assert_eq!(early_roster.members().len(), 0);
    }
}

/// Waits until `p`'s keys on `topic` are `want` and `roster`, fed by `sub`, equals its members.
async fn settle(
    p: &Presence,
    topic: &str,
    want: &[String],
    sub: &mut nitro::bus::Subscription,
    roster: &mut Roster,
) {
    let start = Instant::now();
    loop {
        read_ready(sub, roster);
        let members = p.members(topic);
        let keys: Vec<&String> = members.iter().map(|m| &m.key).collect();
        if keys.iter().copied().eq(want) && roster.members().eq(members.iter()) {
            return;
        }
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "{keys:?}, expected {want:?}; roster {:?}",
            roster.members().collect::<Vec<_>>()
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Across two buses on NATS: random joins and leaves on both processes, from four threads at
/// once (two per process); each process's watcher (a `Roster`) equals its `members()`, and
/// both list every key with a tab open.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_roster_equals_members_across_two_buses() {
    let url = common::nats::shared_url();
    let topic = common::nats::unique("roster");
    let (bus_a, bus_b) = (
        Bus::nats(&url).await.unwrap(),
        Bus::nats(&url).await.unwrap(),
    );
    let ttl = Duration::from_millis(1500);
    let (a, b) = (
        Presence::start(&bus_a, ttl).await.unwrap(),
        Presence::start(&bus_b, ttl).await.unwrap(),
    );
    let mut sub_a = watching(&bus_a, "x", &a, &topic).await;
    let mut sub_b = watching(&bus_b, "x", &b, &topic).await;
    let (mut roster_a, mut roster_b) = (Roster::default(), Roster::default());
    let mut heres: Vec<Vec<(String, nitro::bus::Here)>> = (0..4).map(|_| Vec::new()).collect();
    for round in 0..15u64 {
        let threads: Vec<_> = heres
            .drain(..)
            .enumerate()
            .map(|(i, mut mine)| {
                let p = if i % 2 == 0 { a.clone() } else { b.clone() };
                let topic = topic.clone();
                let mut rng = Rng(99 + round * 4 + i as u64);
                tokio::task::spawn_blocking(move || {
                    for _ in 0..(1 + rng.below(20)) {
                        step(&mut rng, &p, &topic, &mut mine);
                    }
                    mine
                })
            })
            .collect();
        for t in threads {
            heres.push(t.await.unwrap());
        }
        let mut want: Vec<String> = heres.iter().flatten().map(|(key, _)| key.clone()).collect();
        want.sort();
        want.dedup();
        settle(&a, &topic, &want, &mut sub_a, &mut roster_a).await;
        settle(&b, &topic, &want, &mut sub_b, &mut roster_b).await;
        if round == 7 {
            // Heartbeats in between change nothing.
            tokio::time::sleep(ttl).await;
            settle(&a, &topic, &want, &mut sub_a, &mut roster_a).await;
            settle(&b, &topic, &want, &mut sub_b, &mut roster_b).await;
        }
    }
    drop(heres);
    settle(&a, &topic, &[], &mut sub_a, &mut roster_a).await;
    settle(&b, &topic, &[], &mut sub_b, &mut roster_b).await;
}

/// The next presence change of `sub` (within 5 s).
/// A subscription to `subject` that also carries `topic`'s presence changes.
async fn watching(bus: &Bus, subject: &str, p: &Presence, topic: &str) -> nitro::bus::Subscription {
    bus.subscribe(subject)
        .await
        .unwrap()
        .with_presence(p, topic)
        .unwrap()
}

async fn next_change(sub: &mut nitro::bus::Subscription) -> PresenceChange {
    let m = tokio::time::timeout(Duration::from_secs(5), sub.next()).await;
    PresenceChange::of(&m.expect("a change within 5 s").unwrap().unwrap()).unwrap()
}

fn keys(members: &[Member]) -> Vec<&str> {
    members.iter().map(|m| m.key.as_str()).collect()
}

/// A change another process missed (here: a forged one in between, so that the real change
/// and heartbeat after it do not follow on) is detected, logged, counted, and the list asked
/// for again: the other process ends up with the real list, by the next heartbeat (when
/// nothing changes) or at once on the next change.
#[tokio::test]
async fn a_missed_change_is_asked_for_again() {
    let logs = common::logs::capture();
    // A server of its own: another process's start (a `Sync`) would also resend A's list.
    let server = NatsServer::start(free_port());
    let url = server.url();
    let raw = async_nats::connect(&url).await.unwrap();
    let mut wire = raw.subscribe("_NITRO.presence").await.unwrap();
    raw.flush().await.unwrap();
    // Heartbeats every 0.5 s, then (a TTL of 30 s) none during the test after the first.
    for ttl in [Duration::from_millis(1500), DEFAULT_PRESENCE_TTL] {
        let topic = common::nats::unique("gap");
        let (bus_a, bus_b) = (
            Bus::nats(&url).await.unwrap(),
            Bus::nats(&url).await.unwrap(),
        );
        let a = Presence::start(&bus_a, ttl).await.unwrap();
        let b = Presence::start(&bus_b, ttl).await.unwrap();
        let mut sub = watching(&bus_b, "x", &b, &topic).await;
        assert!(next_change(&mut sub).await.snapshot);
        let _ada = a.join(&topic, "ada", &"Ada").unwrap();
        assert_eq!(keys(&next_change(&mut sub).await.joined), ["ada"]);
        // A's change, as it went out; then a forged one after it.
        let delta = loop {
            let m = wire.next().await.unwrap();
            let v: serde_json::Value = serde_json::from_slice(&m.payload).unwrap();
            if v["kind"] == "delta" && v["topic"] == topic.as_str() {
                break v;
            }
        };
        let mut forged = delta.clone();
        forged["prev"] = delta["seq"].clone();
        forged["seq"] = (delta["seq"].as_u64().unwrap() + 1_000_000).into();
        forged["put"] = serde_json::json!([["ghost", null]]);
        let errors = nitro::stats::snapshot().presence_errors;
        let forged = serde_json::to_vec(&forged).unwrap();
        raw.publish("_NITRO.presence", forged.into()).await.unwrap();
        assert_eq!(keys(&next_change(&mut sub).await.joined), ["ghost"]);
        let start = Instant::now();
        if ttl == DEFAULT_PRESENCE_TTL {
            // The next change does not follow on from the forged one: B asks for A's list.
            let _grace = a.join(&topic, "grace", &"Grace").unwrap();
            let change = next_change(&mut sub).await;
            assert_eq!(
                (keys(&change.joined), keys(&change.left)),
                (vec!["grace"], vec!["ghost"])
            );
            wait_members(&b, &topic, &["ada", "grace"], Duration::from_secs(1)).await;
        } else {
            // Nothing changes: A's next heartbeat does not match, B asks for A's list.
            let change = next_change(&mut sub).await;
            assert_eq!(keys(&change.left), ["ghost"]);
            assert!(start.elapsed() < ttl, "{:?}", start.elapsed());
            wait_members(&b, &topic, &["ada"], Duration::from_secs(1)).await;
        }
        assert!(nitro::stats::snapshot().presence_errors > errors);
    }
    logs.wait_for(&["WARN", "presence: a change from another process was missed"])
        .await;
}
