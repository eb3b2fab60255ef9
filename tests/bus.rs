//! The bus contract, run against the in-process backend and against the real NATS server on
//! 127.0.0.1:4222 (`NITRO_NATS_URL` overrides; `.ci/setup` starts the server).

use std::time::Duration;

use futures_util::StreamExt;
use nitro::bus::{
    token, untoken, Bus, BusErrorKind, Lagged, Pattern, Subscription, Topic, MAX_TOPIC_BYTES,
    MAX_TOPIC_TOKENS,
};

mod common;

fn nats_url() -> String {
    common::nats::shared_url()
}

async fn nats_bus(capacity: usize) -> Bus {
    Bus::nats(&nats_url())
        .await
        .map(|bus| bus.queue_messages(capacity))
        .unwrap_or_else(|e| {
            panic!(
                "these tests need a NATS server at {} (start it, or run `bash .ci/run`): {e}",
                nats_url()
            )
        })
}

/// A unique topic prefix per test run, so runs against a shared server do not see each other.
fn prefix(name: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("t{nanos}x{}.{name}", std::process::id())
}

// (pattern, topic, matches)
const TABLE: &[(&str, &str, bool)] = &[
    ("a", "a", true),
    ("a", "b", false),
    ("a.b", "a.b", true),
    ("a.b", "a", false),
    ("a.b", "a.b.c", false),
    ("a.*", "a.b", true),
    ("a.*", "a", false),
    ("a.*", "a.b.c", false),
    ("*.b", "a.b", true),
    ("*.b", "x.b", true),
    ("*.b", "a.c", false),
    ("*", "a", true),
    ("*", "a.b", false),
    ("a.*.c", "a.b.c", true),
    ("a.*.c", "a.b.x.c", false),
    ("a.*.c", "a.c", false),
    ("*.*", "a.b", true),
    ("*.*", "a", false),
    ("a.>", "a.b", true),
    ("a.>", "a.b.c.d", true),
    ("a.>", "a", false),
    ("a.>", "b.c", false),
    (">", "a", true),
    (">", "a.b.c", true),
    ("a.*.>", "a.b.c", true),
    ("a.*.>", "a.b", false),
    ("*.>", "a.b", true),
    ("*.>", "a", false),
    ("chat.room.*.message", "chat.room.42.message", true),
    ("chat.room.*.message", "chat.room.42.typing", false),
    ("chat.room.42.>", "chat.room.42.message", true),
    ("chat.room.42.>", "chat.room.4.message", false),
    ("chat.room.42.>", "chat.room.420.message", false),
    ("users.*", "users.created", true),
    ("users.*", "users.created.today", false),
];

#[test]
fn pattern_table() {
    for (p, t, want) in TABLE {
        let got = Pattern::new(*p).unwrap().matches(&Topic::new(*t).unwrap());
        assert_eq!(got, *want, "{p} vs {t}");
    }
}

#[test]
fn invalid_topics_and_patterns_are_errors() {
    for bad in [
        "", ".", "a.", ".a", "a..b", "a b", "a.\tb", "a.*", "a.>", "a.b*", "a.>b",
    ] {
        assert_eq!(
            Topic::new(bad).unwrap_err().kind(),
            BusErrorKind::InvalidTopic,
            "{bad:?}"
        );
    }
    for bad in [
        "", "a..b", "a.>.b", ">.a", "a.b*", "a.*b", "a.>>", "a b.c", "a.",
    ] {
        assert_eq!(
            Pattern::new(bad).unwrap_err().kind(),
            BusErrorKind::InvalidPattern,
            "{bad:?}"
        );
    }
}

async fn recv(sub: &mut Subscription) -> Result<nitro::bus::Message, Lagged> {
    tokio::time::timeout(Duration::from_secs(5), sub.next())
        .await
        .expect("no message within 5 s")
        .expect("subscription ended")
}

async fn assert_silent(sub: &mut Subscription) {
    let got = tokio::time::timeout(Duration::from_millis(150), sub.next()).await;
    assert!(got.is_err(), "unexpected message: {got:?}");
}

/// Every table row through real delivery: each pattern is a subscription, every topic is
/// published once, and each subscription receives exactly the matching topics.
async fn delivery_follows_the_table(bus: Bus, publisher: Bus) {
    let pre = prefix("table");
    let mut subs = Vec::new();
    for (i, (p, _, _)) in TABLE.iter().enumerate() {
        subs.push(bus.subscribe(format!("{pre}.{i}.{p}")).await.unwrap());
    }
    for (i, (_, t, _)) in TABLE.iter().enumerate() {
        publisher
            .publish(format!("{pre}.{i}.{t}"), &i)
            .sender("p")
            .await
            .unwrap();
    }
    publisher.flush().await.unwrap();
    for (i, sub) in subs.iter_mut().enumerate() {
        let (p, t, want) = TABLE[i];
        if want {
            let m = tokio::time::timeout(Duration::from_secs(5), sub.next())
                .await
                .unwrap_or_else(|_| panic!("{p} vs {t}: nothing delivered"))
                .unwrap()
                .unwrap();
            assert_eq!(m.topic(), format!("{pre}.{i}.{t}"), "{p} vs {t}");
        }
    }
    for (i, sub) in subs.iter_mut().enumerate() {
        let (p, t, _) = TABLE[i];
        let extra = tokio::time::timeout(Duration::from_millis(20), sub.next()).await;
        assert!(extra.is_err(), "{p} vs {t}: unexpected {extra:?}");
    }
}

async fn sender_filter_and_overlapping_patterns(bus: Bus, publisher: Bus) {
    let pre = prefix("sender");
    let mut mine = bus
        .subscribe(format!("{pre}.>"))
        .await
        .unwrap()
        .only_sender("alice");
    let mut others = bus
        .subscribe([format!("{pre}.>"), format!("{pre}.*")])
        .await
        .unwrap()
        .except_sender("alice");
    publisher
        .publish(format!("{pre}.x"), &1)
        .sender("alice")
        .await
        .unwrap();
    publisher
        .publish(format!("{pre}.x"), &2)
        .sender("bob")
        .await
        .unwrap();
    publisher.flush().await.unwrap();
    let m = recv(&mut mine).await.unwrap();
    assert_eq!((m.sender(), m.payload::<i32>().unwrap()), ("alice", 1));
    let m = recv(&mut others).await.unwrap();
    // Matched by both of its patterns, delivered once.
    assert_eq!((m.sender(), m.payload::<i32>().unwrap()), ("bob", 2));
    assert_silent(&mut mine).await;
    assert_silent(&mut others).await;
}

async fn per_publisher_order(bus: Bus, publisher: Bus) {
    let pre = prefix("order");
    let mut sub = bus.subscribe(format!("{pre}.*")).await.unwrap();
    let reader = tokio::spawn(async move {
        let mut got = Vec::new();
        while got.len() < 1000 {
            match recv(&mut sub).await {
                Ok(m) => got.push(m.payload::<u32>().unwrap()),
                Err(Lagged(n)) => panic!("lagged by {n}"),
            }
        }
        got
    });
    for i in 0..1000u32 {
        publisher
            .publish(format!("{pre}.{}", i % 7), &i)
            .sender("p")
            .await
            .unwrap();
        if i % 100 == 99 {
            // Give the reader a chance: this test is about order, not overflow.
            publisher.flush().await.unwrap();
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
    publisher.flush().await.unwrap();
    assert_eq!(reader.await.unwrap(), (0..1000).collect::<Vec<_>>());
}

async fn overflow_drops_oldest_and_reports_lag(bus: Bus, publisher: Bus) {
    let pre = prefix("lag");
    let mut slow = bus.subscribe(format!("{pre}.>")).await.unwrap();
    let start = std::time::Instant::now();
    for i in 0..10u32 {
        publisher
            .publish(format!("{pre}.m"), &i)
            .sender("p")
            .await
            .unwrap();
    }
    publisher.flush().await.unwrap();
    assert!(
        start.elapsed() < Duration::from_secs(2),
        "publisher waited on the slow subscriber"
    );
    // Let the backend move everything into the queue (capacity 4).
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(recv(&mut slow).await.unwrap_err(), Lagged(6));
    for want in 6..10u32 {
        assert_eq!(
            recv(&mut slow).await.unwrap().payload::<u32>().unwrap(),
            want
        );
    }
    assert_silent(&mut slow).await;
}

async fn dropping_unsubscribes(bus: Bus) {
    let before = bus.subscriber_count();
    let mut subs = Vec::new();
    for i in 0..100 {
        subs.push(
            bus.subscribe(format!("{}.{i}.>", prefix("drop")))
                .await
                .unwrap(),
        );
    }
    assert_eq!(bus.subscriber_count(), before + 100);
    subs.truncate(40);
    assert_eq!(bus.subscriber_count(), before + 40);
    drop(subs);
    assert_eq!(bus.subscriber_count(), before);
}

/// Hostile topics and patterns are errors naming the limit, never a stack overflow: a 40 KB
/// topic of 20,000 tokens, one token too many, one byte too many. The deepest allowed ones
/// work end to end.
async fn limits_hold(bus: Bus, publisher: Bus) {
    let huge = vec!["a"; 20_000].join(".");
    let err = publisher.publish(&huge, &1).sender("p").await.unwrap_err();
    assert_eq!(err.kind(), BusErrorKind::InvalidTopic);
    assert!(err.to_string().contains("MAX_TOPIC_BYTES = 1024"), "{err}");
    assert!(
        err.to_string().len() < 300,
        "the error quotes all of it: {err}"
    );
    let err = bus.subscribe(huge.as_str()).await.unwrap_err();
    assert_eq!(err.kind(), BusErrorKind::InvalidPattern);
    let err = bus.subscribe(format!("{huge}.>")).await.unwrap_err();
    assert_eq!(err.kind(), BusErrorKind::InvalidPattern);
    let err = bus
        .subscribe(vec!["ok.>".to_owned(), huge.clone()])
        .await
        .unwrap_err();
    assert_eq!(err.kind(), BusErrorKind::InvalidPattern);

    let too_many = vec!["a"; MAX_TOPIC_TOKENS + 1].join(".");
    let err = publisher
        .publish(&too_many, &1)
        .sender("p")
        .await
        .unwrap_err();
    assert!(err.to_string().contains("MAX_TOPIC_TOKENS = 64"), "{err}");
    let err = bus.subscribe(too_many.as_str()).await.unwrap_err();
    assert_eq!(err.kind(), BusErrorKind::InvalidPattern);
    let err = Topic::new("a".repeat(MAX_TOPIC_BYTES + 1)).unwrap_err();
    assert_eq!(err.kind(), BusErrorKind::InvalidTopic);

    // The deepest topic allowed (64 tokens), through a deep pattern with wildcards.
    let pre = prefix("deep");
    let depth = MAX_TOPIC_TOKENS - pre.split('.').count();
    let topic = format!("{pre}.{}", vec!["t"; depth].join("."));
    let pattern = format!("{pre}.{}.*.>", vec!["t"; depth - 2].join("."));
    let mut deep = bus.subscribe(pattern.as_str()).await.unwrap();
    let mut rest = bus.subscribe(format!("{pre}.>")).await.unwrap();
    publisher.publish(&topic, &7).sender("p").await.unwrap();
    publisher.flush().await.unwrap();
    assert_eq!(recv(&mut deep).await.unwrap().payload::<i32>().unwrap(), 7);
    assert_eq!(recv(&mut rest).await.unwrap().payload::<i32>().unwrap(), 7);
    // Unsubscribing the deep pattern leaves the shallow one working.
    drop(deep);
    publisher.publish(&topic, &8).sender("p").await.unwrap();
    publisher.flush().await.unwrap();
    assert_eq!(recv(&mut rest).await.unwrap().payload::<i32>().unwrap(), 8);
}

/// `token` puts any user text into exactly one token: a room named `*`, `>` or `a.b` is a room
/// of its own and receives nothing of the others.
async fn tokens_keep_user_text_in_one_token(bus: Bus, publisher: Bus) {
    let pre = prefix("rooms");
    let rooms = ["*", ">", "a.b", "a", "b", "a b", "", "%2A", "Zoë", "lobby"];
    let mut subs = Vec::new();
    for room in rooms {
        let pattern = format!("{pre}.{}.>", token(room));
        subs.push(bus.subscribe(pattern).await.unwrap());
    }
    for (i, room) in rooms.iter().enumerate() {
        publisher
            .publish(format!("{pre}.{}.message", token(room)), &i)
            .sender("p")
            .await
            .unwrap();
    }
    publisher.flush().await.unwrap();
    for (i, sub) in subs.iter_mut().enumerate() {
        let m = recv(sub).await.unwrap();
        assert_eq!(m.payload::<usize>().unwrap(), i, "room {:?}", rooms[i]);
    }
    for (i, sub) in subs.iter_mut().enumerate() {
        let extra = tokio::time::timeout(Duration::from_millis(20), sub.next()).await;
        assert!(extra.is_err(), "room {:?} got {extra:?}", rooms[i]);
    }
}

/// Senders are checked alike on both backends; a CR/LF never reaches the NATS client.
async fn senders_are_validated(bus: Bus, publisher: Bus) {
    let pre = prefix("senders");
    let long = "x".repeat(257);
    for bad in [
        "",
        " a",
        "a ",
        "a\r\nb",
        "a\nb",
        "a\rb",
        "\0",
        "a\tb",
        long.as_str(),
    ] {
        let err = publisher
            .publish(format!("{pre}.x"), &1)
            .sender(bad)
            .await
            .unwrap_err();
        assert_eq!(err.kind(), BusErrorKind::InvalidSender, "{bad:?}");
    }
    let mut sub = bus.subscribe(format!("{pre}.>")).await.unwrap();
    let longest = "y".repeat(256);
    for good in ["alice", "Zoë ✓", "a b", longest.as_str()] {
        publisher
            .publish(format!("{pre}.x"), &1)
            .sender(good)
            .await
            .unwrap();
        publisher.flush().await.unwrap();
        assert_eq!(recv(&mut sub).await.unwrap().sender(), good);
    }
    assert_silent(&mut sub).await;
}

#[test]
fn token_is_one_token_and_reversible() {
    for text in [
        "", "*", ">", ".", "a.b", " ", "\r\n", "%", "%2A", "Zoë", "a-b_c", "日本",
    ] {
        let t = token(text);
        assert!(Topic::new(format!("x.{t}.y")).is_ok(), "{text:?} -> {t:?}");
        assert_eq!(
            Pattern::new(format!("x.{t}")).unwrap().as_str(),
            format!("x.{t}")
        );
        assert!(!t.contains(['.', '*', '>', ' ']), "{t}");
        assert_eq!(untoken(&t).as_deref(), Some(text), "{t}");
    }
    assert_ne!(token("*"), token("%2A"));
    assert_eq!(token("lobby"), "lobby");
    for not_a_token in ["", "a.b", "%2", "%zz", "%41", "a b", "*"] {
        assert_eq!(untoken(not_a_token), None, "{not_a_token:?}");
    }
}

#[tokio::test]
async fn in_process_contract() {
    let bus = Bus::in_process();
    delivery_follows_the_table(bus.clone(), bus.clone()).await;
    sender_filter_and_overlapping_patterns(bus.clone(), bus.clone()).await;
    per_publisher_order(bus.clone(), bus.clone()).await;
    let small = Bus::in_process().queue_messages(4);
    overflow_drops_oldest_and_reports_lag(small.clone(), small).await;
    limits_hold(bus.clone(), bus.clone()).await;
    tokens_keep_user_text_in_one_token(bus.clone(), bus.clone()).await;
    senders_are_validated(bus.clone(), bus.clone()).await;
    dropping_unsubscribes(bus).await;
}

#[tokio::test]
async fn nats_contract_across_clients() {
    // Subscriber and publisher are separate connections: what one publishes the other receives.
    let (a, b) = (nats_bus(256).await, nats_bus(256).await);
    delivery_follows_the_table(a.clone(), b.clone()).await;
    sender_filter_and_overlapping_patterns(a.clone(), b.clone()).await;
    per_publisher_order(a.clone(), b.clone()).await;
    overflow_drops_oldest_and_reports_lag(nats_bus(4).await, b.clone()).await;
    limits_hold(a.clone(), b.clone()).await;
    tokens_keep_user_text_in_one_token(a.clone(), b.clone()).await;
    senders_are_validated(a.clone(), b).await;
    dropping_unsubscribes(a).await;
}

#[tokio::test]
async fn nats_down_is_a_clear_error() {
    let err = Bus::nats("nats://127.0.0.1:1").await.unwrap_err();
    assert_eq!(err.kind(), BusErrorKind::Connect);
    assert!(
        err.to_string()
            .contains("cannot connect to NATS at nats://127.0.0.1:1"),
        "{err}"
    );
}

#[tokio::test]
async fn many_subscriptions_only_matching_ones_receive() {
    // 10,000 subscriptions over 1,000 distinct patterns; a publish reaches exactly its 10.
    let bus = Bus::in_process().queue_messages(4);
    let mut subs = Vec::new();
    for i in 0..10_000u32 {
        let pattern = match i % 3 {
            0 => format!("load.{}.event", i % 1000),
            1 => format!("load.{}.*", i % 1000),
            _ => format!("load.{}.>", i % 1000),
        };
        subs.push((i % 1000, bus.subscribe(pattern).await.unwrap()));
    }
    let start = std::time::Instant::now();
    for k in 0..1000u32 {
        bus.publish(format!("load.{k}.event"), &k)
            .sender("p")
            .await
            .unwrap();
    }
    let elapsed = start.elapsed();
    for (k, sub) in subs.iter_mut() {
        let m = recv(sub).await.unwrap();
        assert_eq!(m.payload::<u32>().unwrap(), *k);
    }
    // 1,000 publishes, each indexed to 10 of 10,000 subscriptions: far below a linear scan.
    assert!(
        elapsed < Duration::from_secs(2),
        "1,000 publishes took {elapsed:?}"
    );
}
