//! Scale-out (`--scale-out`): the fan-out scenario run as 1 nitro process with all clients on
//! the in-process bus, then as 2 and 4 processes sharing the clients, their bus
//! `Bus::connect("nats://…")` on one NATS server of the bench's own (core NATS, `nats-server` on
//! free loopback ports, with its monitoring port). Each publish goes to the first process; NATS
//! carries it to every process. Reported per setup: delivery, p50/p99, the servers' CPU per
//! delivery and its ratio to the 1-process run, NATS's own CPU (from /proc) and the messages
//! NATS sent per publish (`out_msgs` of its `/varz`, over the whole run: the publishes plus
//! one subscription check per process), and the load average around each run.

use super::*;

/// A NATS server of the bench's own (core NATS, loopback, free ports), killed when dropped.
struct Nats {
    child: Child,
    port: u16,
    monitor: u16,
}

impl Drop for Nats {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn start_nats() -> Nats {
    let (port, monitor) = (free_port(), free_port());
    let binary = ["/usr/sbin/nats-server", "/usr/bin/nats-server"]
        .into_iter()
        .find(|p| Path::new(p).is_file())
        .unwrap_or("nats-server");
    let child = Command::new(binary)
        .args(["-a", "127.0.0.1", "-p", &port.to_string()])
        .args(["-m", &monitor.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("nats-server (Debian package nats-server)");
    let start = Instant::now();
    for p in [port, monitor] {
        while std::net::TcpStream::connect(("127.0.0.1", p)).is_err() {
            assert!(
                start.elapsed() < Duration::from_secs(10),
                "nats-server did not start"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
    Nats {
        child,
        port,
        monitor,
    }
}

/// Messages NATS has sent to its clients so far (`out_msgs` of `/varz`).
async fn nats_out_msgs(nats: &Nats) -> u64 {
    let varz: serde_json::Value = reqwest::get(format!("http://127.0.0.1:{}/varz", nats.monitor))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    varz["out_msgs"].as_u64().unwrap()
}

/// 1 process × all clients in process, then 2 and 4 processes sharing them on one NATS.
pub fn scale_out(rt: &tokio::runtime::Runtime, clients: usize, publishes: u64) {
    println!(
        "scale-out: {clients} SSE clients in all, {publishes} publishes, loopback, {} cores",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    println!("| setup | connected | p50 | p99 | burst deliveries/s | delivered | missing | server CPU per delivery | ÷ 1 process | NATS CPU (total) | NATS messages per publish | load avg (before → after) |");
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|");
    let per_delivery = |r: &Report| r.server_cpu_s * 1e6 / r.delivered.max(1) as f64;
    let one = rt.block_on(run("nitro", clients, publishes, false));
    let base = per_delivery(&one);
    let print = |setup: &str, r: &Report, nats_msgs: Option<u64>| {
        println!(
            "| {setup} | {}/{} | {:.1} ms | {:.1} ms | {:.0} | {} | {} | {:.2} µs | {:.2}× | {} | {} | {} |",
            r.connected,
            r.clients,
            r.p50_ms,
            r.p99_ms,
            r.burst_per_s,
            r.delivered,
            r.missing,
            per_delivery(r),
            per_delivery(r) / base,
            if r.processes > 1 {
                format!(
                    "{:.2} s ({:.3} µs per delivery)",
                    r.nats_cpu_s,
                    r.nats_cpu_s * 1e6 / r.delivered.max(1) as f64
                )
            } else {
                "—".into()
            },
            nats_msgs.map_or("—".into(), |n| format!(
                "{:.1} ({n} in all)",
                n as f64 / publishes.max(1) as f64
            )),
            r.load
        );
    };
    print("1 process, in-process bus", &one, None);
    for processes in [2, 4] {
        let nats = start_nats();
        let url = format!("nats://127.0.0.1:{}", nats.port);
        let servers = (0..processes)
            .map(|_| start_with("nitro-nats", &[("NITRO_BUS", &url)]))
            .collect();
        let (report, msgs) = rt.block_on(async {
            let before = nats_out_msgs(&nats).await;
            let report = run_on(
                "nitro-nats",
                servers,
                Some(nats.child.id()),
                clients,
                publishes,
                false,
            )
            .await;
            (report, nats_out_msgs(&nats).await - before)
        });
        print(
            &format!(
                "{processes} processes × {} on one NATS (core)",
                clients / processes
            ),
            &report,
            Some(msgs),
        );
    }
}
