//! Fan-out over real HTTP (loopback only, bounded): N SSE clients on a chat-like server, then
//! timestamped publishes; reports publish-to-receive latency (p50/p99), burst deliveries per
//! second (clients ÷ time until the last one received a publish), messages per second, and the
//! server's RSS per idle connection. The same scenario runs, in the same run, against nitro,
//! axum + the `datastar` crate + a tokio broadcast channel, and Python (datastar-py + starlette
//! + uvicorn, installed by this bench into `target/fanout-venv`).
//!
//! Run with `cargo bench -p nitro-benches --bench fanout -- --clients 10000 --publishes 10`
//! (`--servers nitro,axum-datastar,python` to choose; `--hold 19000 --servers nitro` to only
//! hold connections). `nitro-serve` is the nitro server through `nitro::serve` instead of
//! `axum::serve`; `hyper-pending` and `axum-pending` hold streams that never send, through
//! hyper alone and through `axum::serve` + a Router, `serve-pending` through `nitro::serve`:
//! with `--hold 10000` they give the breakdown of an idle stream's memory. `floor` is the least a server can do (no HTTP
//! library, no task or queue per client, one `write` per client per message; `fanout/floor.rs`):
//! `--servers floor,axum-datastar,nitro-serve` puts the floor, the axum anchor and nitro in one
//! run.
//!
//! Scale-out: `cargo bench -p nitro-benches --bench fanout -- --scale-out --clients 10000
//! --publishes 10` (in `fanout/scale_out.rs`) runs nitro as 1 process with all clients on the
//! in-process bus, then as 2 and 4 processes sharing the clients on one NATS server.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::mpsc;

#[path = "fanout/floor.rs"]
mod floor;
#[path = "fanout/scale_out.rs"]
mod scale_out;

fn now_micros() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_micros() as u64
}

#[derive(serde::Serialize, serde::Deserialize, Clone, Copy)]
struct Msg {
    id: u64,
    ts: u64,
}

// ------------------------------------------------------------------ servers under test ------

mod nitro_server {
    use axum::extract::State;
    use axum::{routing::get, routing::post, Json, Router};
    use nitro::bus::{Bus, BusError};
    use nitro::prelude::*;

    ids! { MESSAGES = "messages", MSG = "msg" }

    fn line(m: &super::Msg) -> impl IdentifiedElements + '_ {
        html! { li #(MSG.with(m.id)) { "message " (m.id) " ts=" (m.ts) } }
    }

    /// The event a message becomes (the floor server sends the same bytes).
    pub fn event(msg: &super::Msg) -> Events {
        Events::new().with(PatchElements::at(MESSAGES, Mode::Append, line(msg)))
    }

    async fn sse(State(bus): State<Bus>) -> Result<nitro::axum::Sse, BusError> {
        Ok(bus
            .subscribe("chat.room.1.>")
            .await?
            .shared("fanout")
            .into_sse(|m| {
                m.payload::<super::Msg>()
                    .map(|msg| event(&msg))
                    .unwrap_or_default()
            }))
    }

    async fn publish(
        State(bus): State<Bus>,
        Json(m): Json<super::Msg>,
    ) -> Result<String, BusError> {
        bus.publish("chat.room.1.message", &m)
            .sender("bench")
            .await?;
        Ok(bus.subscriber_count().to_string())
    }

    pub fn app() -> Router {
        app_with(Bus::in_process())
    }

    pub fn app_with(bus: Bus) -> Router {
        Router::new()
            .route("/sse", get(sse))
            .route("/publish", post(publish))
            .with_state(bus)
    }
}

mod axum_datastar_server {
    use axum::body::{Body, Bytes};
    use axum::extract::State;
    use axum::http::header;
    use axum::response::Response;
    use axum::{routing::get, routing::post, Json, Router};
    use datastar::prelude::{ElementPatchMode, PatchElements};
    use tokio::sync::broadcast;

    async fn sse(State(tx): State<broadcast::Sender<super::Msg>>) -> Response {
        let rx = tx.subscribe();
        let stream = futures_util::stream::unfold(rx, |mut rx| async move {
            loop {
                match rx.recv().await {
                    Ok(m) => {
                        let html =
                            format!("<li id=\"msg-{}\">message {} ts={}</li>", m.id, m.id, m.ts);
                        let event = PatchElements::new(html)
                            .selector("#messages")
                            .mode(ElementPatchMode::Append);
                        let bytes = Bytes::from(event.into_datastar_event().to_string());
                        return Some((Ok::<_, std::convert::Infallible>(bytes), rx));
                    }
                    Err(broadcast::error::RecvError::Lagged(_)) => continue,
                    Err(broadcast::error::RecvError::Closed) => return None,
                }
            }
        });
        Response::builder()
            .header(header::CONTENT_TYPE, "text/event-stream")
            .header(header::CACHE_CONTROL, "no-cache")
            .body(Body::from_stream(stream))
            .unwrap()
    }

    async fn publish(
        State(tx): State<broadcast::Sender<super::Msg>>,
        Json(m): Json<super::Msg>,
    ) -> String {
        tx.send(m).map(|n| n.to_string()).unwrap_or_default()
    }

    pub fn app() -> Router {
        let (tx, _) = broadcast::channel(256);
        Router::new()
            .route("/sse", get(sse))
            .route("/publish", post(publish))
            .with_state(tx)
    }
}

/// The breakdown of an idle stream's memory: a stream that never sends, served by hyper alone
/// (`hyper-pending`) and by `axum::serve` + a Router (`axum-pending`).
mod pending {
    use axum::body::Body;
    use axum::{routing::get, Router};

    fn never() -> Body {
        Body::from_stream(futures_util::stream::pending::<
            Result<bytes::Bytes, std::io::Error>,
        >())
    }

    pub fn app() -> Router {
        Router::new().route(
            "/sse",
            get(|| async {
                axum::response::Response::builder()
                    .header("content-type", "text/event-stream")
                    .body(never())
                    .unwrap()
            }),
        )
    }

    /// hyper's HTTP/1.1 connection alone: no Router, no axum::serve.
    pub async fn hyper_alone(listener: tokio::net::TcpListener) {
        loop {
            let (stream, _) = listener.accept().await.unwrap();
            tokio::spawn(async move {
                let service = hyper::service::service_fn(|_req| async {
                    Ok::<_, std::convert::Infallible>(
                        hyper::Response::builder()
                            .header("content-type", "text/event-stream")
                            .body(never())
                            .unwrap(),
                    )
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .max_buf_size(8192)
                    .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                    .await;
            });
        }
    }
}

/// `nitro::serve`, with no cap per client: every bench client comes from 127.0.0.1.
async fn nitro_serve(listener: tokio::net::TcpListener, app: axum::Router) {
    nitro::serve(listener, app)
        .max_connections_per_client(usize::MAX)
        .await
        .unwrap()
}

async fn serve(kind: &str, port: u16) {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .unwrap();
    match kind {
        "nitro-serve" => return nitro_serve(listener, nitro_server::app()).await,
        "hyper-pending" => return pending::hyper_alone(listener).await,
        "floor" => return floor::serve(listener).await,
        "serve-pending" => return nitro_serve(listener, pending::app()).await,
        _ => {}
    }
    let app = match kind {
        "axum-pending" => pending::app(),
        "nitro" => nitro_server::app(),
        "nitro-nats" => {
            let url = std::env::var("NITRO_BUS").unwrap_or_default();
            let bus = nitro::bus::Bus::connect(&url)
                .await
                .unwrap_or_else(|e| panic!("NITRO_BUS: {e}"));
            nitro_server::app_with(bus)
        }
        "axum-datastar" => axum_datastar_server::app(),
        other => panic!("unknown server {other}"),
    };
    axum::serve(listener, app).await.unwrap();
}

// ------------------------------------------------------------------ load generator ----------

fn python_venv() -> PathBuf {
    let venv = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/fanout-venv");
    let python = venv.join("bin/python");
    if !python.is_file() {
        let ok = Command::new("python3")
            .args(["-m", "venv"])
            .arg(&venv)
            .status()
            .map(|s| s.success());
        assert_eq!(ok.ok(), Some(true), "python3 -m venv failed");
        let ok = Command::new(venv.join("bin/pip"))
            .args([
                "install",
                "--quiet",
                "datastar-py==1.0.3",
                "starlette==1.10.0",
                "uvicorn==0.54.0",
            ])
            .status()
            .map(|s| s.success());
        assert_eq!(ok.ok(), Some(true), "pip install of the Python peer failed");
    }
    python
}

struct Server {
    child: Child,
    port: u16,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(kind: &str) -> Server {
    start_with(kind, &[])
}

fn start_with(kind: &str, env: &[(&str, &str)]) -> Server {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut cmd = if kind == "python" {
        let mut c = Command::new(python_venv());
        c.arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("fanout_peer.py"))
            .arg(port.to_string());
        c
    } else {
        let mut c = Command::new(std::env::current_exe().unwrap());
        c.args(["--serve", kind, &port.to_string()]);
        c
    };
    let child = cmd
        .envs(env.iter().copied())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start server");
    let start = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "{kind} server did not start"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    Server { child, port }
}

fn rss_kib(pid: u32) -> u64 {
    let statm = std::fs::read_to_string(format!("/proc/{pid}/statm")).unwrap_or_default();
    statm
        .split_whitespace()
        .nth(1)
        .and_then(|p| p.parse::<u64>().ok())
        .unwrap_or(0)
        * 4
}

/// CPU time (user + system) of process `pid` so far, from /proc/<pid>/stat, in seconds.
fn cpu_seconds(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the command name (which is in parentheses and may hold spaces).
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
    let ticks: u64 = [11, 12]
        .iter()
        .filter_map(|i| fields.get(*i).and_then(|f| f.parse::<u64>().ok()))
        .sum();
    ticks as f64 / clock_ticks()
}

fn clock_ticks() -> f64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(100.0)
}

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .unwrap_or_default()
        .split_whitespace()
        .take(3)
        .collect::<Vec<_>>()
        .join(" ")
}

/// One SSE client: connects, then reports (publish ts, receive time) for every message.
async fn client(port: u16, ready: mpsc::Sender<bool>, seen: mpsc::UnboundedSender<(u64, u64)>) {
    let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)).await else {
        let _ = ready.send(false).await;
        return;
    };
    if s.write_all(b"GET /sse HTTP/1.1\r\nHost: bench\r\nAccept: text/event-stream\r\n\r\n")
        .await
        .is_err()
    {
        let _ = ready.send(false).await;
        return;
    }
    let mut buf = Vec::with_capacity(4096);
    let mut chunk = [0u8; 4096];
    let mut headers_done = false;
    loop {
        let n = match s.read(&mut chunk).await {
            Ok(0) | Err(_) => {
                if !headers_done {
                    let _ = ready.send(false).await;
                }
                return;
            }
            Ok(n) => n,
        };
        let t = now_micros();
        buf.extend_from_slice(&chunk[..n]);
        if !headers_done {
            let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") else {
                continue;
            };
            let ok = buf.starts_with(b"HTTP/1.1 200");
            let _ = ready.send(ok).await;
            if !ok {
                return;
            }
            headers_done = true;
            buf.drain(..end + 4);
        }
        // Messages carry `ts=<micros>` followed by `<`.
        loop {
            let Some(i) = buf.windows(3).position(|w| w == b"ts=") else {
                let keep = buf.len().min(2);
                buf.drain(..buf.len() - keep);
                break;
            };
            let rest = &buf[i + 3..];
            let Some(j) = rest.iter().position(|b| !b.is_ascii_digit()) else {
                break;
            };
            let ts: u64 = std::str::from_utf8(&rest[..j])
                .unwrap()
                .parse()
                .unwrap_or(0);
            let _ = seen.send((ts, t));
            buf.drain(..i + 3 + j);
        }
    }
}

struct Report {
    kind: String,
    clients: usize,
    connected: usize,
    rss_per_conn_kib: f64,
    p50_ms: f64,
    p99_ms: f64,
    burst_per_s: f64,
    msgs_per_s: f64,
    missing: u64,
    cpu_us_per_delivery: f64,
    processes: usize,
    delivered: u64,
    server_cpu_s: f64,
    nats_cpu_s: f64,
    load: String,
}

async fn run(kind: &str, clients: usize, publishes: u64, hold_only: bool) -> Report {
    let server = start(kind);
    run_on(kind, vec![server], None, clients, publishes, hold_only).await
}

/// `clients` spread evenly over `servers` (client i on server i mod n); publishes go to the
/// first. With `nats`, that server's CPU during the publishes is reported too.
async fn run_on(
    kind: &str,
    servers: Vec<Server>,
    nats: Option<u32>,
    clients: usize,
    publishes: u64,
    hold_only: bool,
) -> Report {
    let load = loadavg();
    let server = &servers[0];
    let ports: Vec<u16> = servers.iter().map(|s| s.port).collect();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let rss0: u64 = servers.iter().map(|s| rss_kib(s.child.id())).sum();
    let (ready_tx, mut ready_rx) = mpsc::channel(1024);
    let (seen_tx, mut seen_rx) = mpsc::unbounded_channel();
    let mut tasks = Vec::with_capacity(clients);
    let mut connected = 0usize;
    let mut answered = 0usize;
    for i in 0..clients {
        tasks.push(tokio::spawn(client(
            ports[i % ports.len()],
            ready_tx.clone(),
            seen_tx.clone(),
        )));
        // Connect in waves so the accept queue is not flooded.
        if i % 500 == 499 {
            while answered < i + 1 {
                match tokio::time::timeout(Duration::from_secs(30), ready_rx.recv()).await {
                    Ok(Some(ok)) => {
                        answered += 1;
                        connected += usize::from(ok);
                    }
                    _ => break,
                }
            }
        }
    }
    while answered < clients {
        match tokio::time::timeout(Duration::from_secs(30), ready_rx.recv()).await {
            Ok(Some(ok)) => {
                answered += 1;
                connected += usize::from(ok);
            }
            _ => break,
        }
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    let rss1: u64 = servers.iter().map(|s| rss_kib(s.child.id())).sum();
    let rss_per_conn_kib = (rss1.saturating_sub(rss0)) as f64 / connected.max(1) as f64;
    let mut report = Report {
        kind: kind.into(),
        clients,
        connected,
        rss_per_conn_kib,
        p50_ms: 0.0,
        p99_ms: 0.0,
        burst_per_s: 0.0,
        msgs_per_s: 0.0,
        missing: 0,
        cpu_us_per_delivery: 0.0,
        processes: servers.len(),
        delivered: 0,
        server_cpu_s: 0.0,
        nats_cpu_s: 0.0,
        load,
    };
    if hold_only {
        for t in tasks {
            t.abort();
        }
        return report;
    }
    let http = reqwest::Client::new();
    let mut latencies = Vec::new();
    let mut bursts = Vec::new();
    let (mut delivered, mut busy) = (0u64, Duration::ZERO);
    let cpu = || -> (f64, f64) {
        (
            servers.iter().map(|s| cpu_seconds(s.child.id())).sum(),
            nats.map_or(0.0, cpu_seconds),
        )
    };
    let cpu0 = cpu();
    for id in 0..publishes {
        let ts = now_micros();
        let sent = Instant::now();
        http.post(format!("http://127.0.0.1:{}/publish", server.port))
            .json(&Msg { id, ts })
            .send()
            .await
            .unwrap();
        let mut got: HashMap<u64, usize> = HashMap::new();
        let mut last = sent;
        while got.get(&ts).copied().unwrap_or(0) < connected {
            match tokio::time::timeout(Duration::from_secs(20), seen_rx.recv()).await {
                Ok(Some((t, at))) => {
                    *got.entry(t).or_default() += 1;
                    if t == ts {
                        latencies.push(at.saturating_sub(ts));
                        last = Instant::now();
                    }
                }
                _ => break,
            }
        }
        let n = got.get(&ts).copied().unwrap_or(0);
        report.missing += (connected - n) as u64;
        delivered += n as u64;
        let window = last.duration_since(sent);
        busy += window;
        bursts.push(n as f64 / window.as_secs_f64().max(1e-9));
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    let cpu1 = cpu();
    report.delivered = delivered;
    report.server_cpu_s = cpu1.0 - cpu0.0;
    report.nats_cpu_s = cpu1.1 - cpu0.1;
    report.load = format!("{} → {}", report.load, loadavg());
    // The servers' CPU over the publishing phase (publishes, deliveries, idle pauses).
    report.cpu_us_per_delivery = report.server_cpu_s * 1e6 / delivered.max(1) as f64;
    latencies.sort_unstable();
    let pct = |p: f64| {
        latencies
            .get(((latencies.len() as f64 * p) as usize).min(latencies.len().saturating_sub(1)))
            .copied()
            .unwrap_or(0) as f64
            / 1000.0
    };
    report.p50_ms = pct(0.50);
    report.p99_ms = pct(0.99);
    bursts.sort_by(|a, b| a.partial_cmp(b).unwrap());
    report.burst_per_s = bursts.get(bursts.len() / 2).copied().unwrap_or(0.0);
    report.msgs_per_s = delivered as f64 / busy.as_secs_f64().max(1e-9);
    for t in tasks {
        t.abort();
    }
    report
}

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    if let Some(i) = args.iter().position(|a| a == "--serve") {
        let (kind, port) = (args[i + 1].clone(), args[i + 2].parse().unwrap());
        rt.block_on(serve(&kind, port));
        return;
    }
    let hold = arg(&args, "--hold").and_then(|v| v.parse().ok());
    let clients = hold
        .or_else(|| arg(&args, "--clients").and_then(|v| v.parse().ok()))
        .unwrap_or(10_000);
    let publishes = arg(&args, "--publishes")
        .and_then(|v| v.parse().ok())
        .unwrap_or(10);
    if args.iter().any(|a| a == "--scale-out") {
        scale_out::scale_out(&rt, clients, publishes);
        return;
    }
    let servers = arg(&args, "--servers")
        .unwrap_or_else(|| "floor,axum-datastar,nitro-serve,nitro,python".into());
    println!("fan-out: {clients} SSE clients, {publishes} publishes, loopback");
    println!("| server | connected | RSS per idle connection | p50 | p99 | burst deliveries/s | messages/s | server CPU per delivery | missing |");
    println!("|---|---|---|---|---|---|---|---|---|");
    for kind in servers.split(',') {
        let r = rt.block_on(run(kind, clients, publishes, hold.is_some()));
        println!(
            "| {} | {}/{} | {:.1} KiB | {:.1} ms | {:.1} ms | {:.0} | {:.0} | {:.2} µs | {} |",
            r.kind,
            r.connected,
            r.clients,
            r.rss_per_conn_kib,
            r.p50_ms,
            r.p99_ms,
            r.burst_per_s,
            r.msgs_per_s,
            r.cpu_us_per_delivery,
            r.missing
        );
    }
}
