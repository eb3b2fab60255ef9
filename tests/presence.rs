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
use futures_util::StreamExt;
use nitro::axum::Sse;
use nitro::bus::{
    Bus, BusError, BusErrorKind, Presence, PresenceChange, DEFAULT_PRESENCE_TTL,
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
    Ok(sub
        .into_sse(|m| {
            let change = PresenceChange::of(m)?;
            let keys: Vec<String> = change.members.into_iter().map(|m| m.key).collect();
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
    let mut watch = two_bus
        .subscribe("unused.>")
        .await
        .unwrap()
        .with_presence(&two, &topic)
        .unwrap();
    let first = PresenceChange::of(&watch.next().await.unwrap().unwrap()).unwrap();
    assert!(first.members.is_empty());

    let ada = one.join(&topic, "ada", &"Ada").unwrap();
    wait_members(&two, &topic, &["ada"], Duration::from_secs(2)).await;
    let change = PresenceChange::of(&watch.next().await.unwrap().unwrap()).unwrap();
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
        let sub = bus
            .subscribe("x")
            .await
            .unwrap()
            .with_presence(&p, &format!("room.{i}"))
            .unwrap();
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
    let mut live = bus
        .subscribe("board.issue")
        .await
        .unwrap()
        .with_presence(&p, "board")
        .unwrap();
    for _ in 0..2_000 {
        let sub = bus
            .subscribe("board.issue")
            .await
            .unwrap()
            .with_presence(&p, "board")
            .unwrap();
        let here = p.join("board", "ada", &()).unwrap();
        drop(sub);
        drop(here);
    }
    let dbg = format!("{p:?}");
    assert!(dbg.contains("topics: 1, watchers: 1"), "{dbg}");
    let first = PresenceChange::of(&live.next().await.unwrap().unwrap()).unwrap();
    assert_eq!(first.members.len(), 1);
    let _grace = p.join("board", "grace", &"Grace").unwrap();
    let change = PresenceChange::of(&live.next().await.unwrap().unwrap()).unwrap();
    let keys: Vec<&str> = change.members.iter().map(|m| m.key.as_str()).collect();
    assert_eq!(keys, ["ada", "grace"]);
    assert_eq!(
        change.joined,
        [nitro::bus::Member {
            key: "grace".into(),
            meta: "Grace".into()
        }]
    );
    assert!(change.left.is_empty());
    // New metadata for a present key: in `members`, neither joined nor left.
    let _ada2 = p.join("board", "ada", &"Ada").unwrap();
    let change = PresenceChange::of(&live.next().await.unwrap().unwrap()).unwrap();
    assert_eq!(change.members[0].meta, "Ada");
    assert!(change.joined.is_empty() && change.left.is_empty());
    drop(_grace);
    let change = PresenceChange::of(&live.next().await.unwrap().unwrap()).unwrap();
    assert_eq!(
        (change.left[0].key.as_str(), change.members.len()),
        ("grace", 1)
    );
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
