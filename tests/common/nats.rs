//! A private NATS server for tests that stop and restart it (so no other test is disturbed),
//! and other helpers for tests that talk to NATS.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// The URL of the shared NATS server the bus tests use: `NITRO_NATS_URL`, or 127.0.0.1:4222,
/// which must be up (`.ci/setup` installs and starts it). Fails at once, naming the command,
/// when nothing listens there.
pub fn shared_url() -> String {
    if let Ok(url) = std::env::var("NITRO_NATS_URL") {
        return url;
    }
    let addr = std::net::SocketAddr::from(([127, 0, 0, 1], 4222));
    if std::net::TcpStream::connect_timeout(&addr, Duration::from_secs(2)).is_err() {
        panic!(
            "the bus tests need NATS with JetStream on 127.0.0.1:4222: run `.ci/setup` once (it \
             installs and starts it), or set NITRO_NATS_URL"
        );
    }
    "nats://127.0.0.1:4222".into()
}

/// The `nats-server` binary (Debian package `nats-server`; `.ci/setup` installs it).
pub fn nats_binary() -> String {
    [
        "/usr/sbin/nats-server",
        "/usr/bin/nats-server",
        "/usr/local/bin/nats-server",
    ]
    .into_iter()
    .find(|p| std::path::Path::new(p).is_file())
    .unwrap_or("nats-server")
    .to_owned()
}

/// A free loopback TCP port (free when asked; taken by whoever binds it first).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A name unique to this test run (`prefix` + time + pid), for streams, buckets and topics.
pub fn unique(prefix: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("{prefix}{nanos}x{}", std::process::id())
}

/// A NATS server of the test's own on `port`, killed when dropped (or by [`NatsServer::stop`]).
/// With JetStream, its store is a directory of its own that survives [`NatsServer::stop`] and
/// [`NatsServer::restart`] (so what JetStream kept is still there) and is removed on drop.
pub struct NatsServer {
    child: Option<Child>,
    /// The port it listens on.
    pub port: u16,
    store: Option<PathBuf>,
    /// Its HTTP monitoring port (`-m`), if started with one.
    pub monitor: Option<u16>,
    /// More command-line arguments (a cluster node's name, cluster port and routes).
    args: Vec<String>,
}

impl NatsServer {
    /// Core NATS on `port`.
    pub fn start(port: u16) -> NatsServer {
        NatsServer::launch(port, None)
    }

    /// NATS with JetStream (`-js`) on a free port, storing in a fresh directory.
    pub fn start_jetstream() -> NatsServer {
        let store = std::env::temp_dir().join(unique("nitro-nats-"));
        std::fs::create_dir_all(&store).unwrap();
        NatsServer::launch(free_port(), Some(store))
    }

    /// NATS on a free port with its monitoring endpoint (`-m`, see [`NatsServer::monitor_json`]),
    /// with JetStream if `jetstream`.
    pub fn start_monitored(jetstream: bool) -> NatsServer {
        let store = jetstream.then(|| {
            let store = std::env::temp_dir().join(unique("nitro-nats-"));
            std::fs::create_dir_all(&store).unwrap();
            store
        });
        let mut server = NatsServer {
            child: None,
            port: free_port(),
            store,
            monitor: Some(free_port()),
            args: Vec::new(),
        };
        server.restart();
        server
    }

    /// A monitoring endpoint's JSON (`"varz"`, `"connz?subs=1"`, `"jsz?consumers=true"`).
    pub async fn monitor_json(&self, path: &str) -> serde_json::Value {
        let port = self.monitor.expect("started with start_monitored");
        let body = reqwest::get(format!("http://127.0.0.1:{port}/{path}"))
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        serde_json::from_slice(&body).unwrap()
    }

    /// The subscriptions every client connection holds, summed (`connz?subs=1`).
    pub async fn client_subscriptions(&self) -> u64 {
        let connz = self.monitor_json("connz?subs=1").await;
        connz["connections"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["subscriptions"].as_u64().unwrap_or(0))
            .sum()
    }

    /// Its URL, `nats://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("nats://127.0.0.1:{}", self.port)
    }

    fn launch(port: u16, store: Option<PathBuf>) -> NatsServer {
        let mut server = NatsServer {
            child: None,
            port,
            store,
            monitor: None,
            args: Vec::new(),
        };
        server.restart();
        server
    }

    /// Starts it again on the same port (and store), after [`NatsServer::stop`].
    pub fn restart(&mut self) {
        self.stop();
        let mut cmd = Command::new(nats_binary());
        cmd.args(["-a", "127.0.0.1", "-p", &self.port.to_string()]);
        if let Some(store) = &self.store {
            cmd.arg("-js").arg("-sd").arg(store);
        }
        if let Some(monitor) = self.monitor {
            cmd.args(["-m", &monitor.to_string()]);
        }
        cmd.args(&self.args);
        let mut child = cmd
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("nats-server must be installed: run `.ci/setup` once");
        super::wait_for_listener(
            &mut child,
            self.port,
            Duration::from_secs(10),
            "nats-server",
        );
        self.child = Some(child);
    }

    /// Sends it a signal (`"STOP"` freezes it, `"CONT"` resumes it).
    pub fn signal(&self, signal: &str) {
        let pid = self.child.as_ref().expect("running").id();
        let ok = Command::new("kill")
            .arg(format!("-{signal}"))
            .arg(pid.to_string())
            .status()
            .unwrap()
            .success();
        assert!(ok, "kill -{signal} {pid}");
    }

    /// Empties its JetStream store (while it is stopped): it then restarts without what it kept.
    pub fn wipe_store(&self) {
        let store = self.store.as_ref().expect("started with JetStream");
        let _ = std::fs::remove_dir_all(store);
        std::fs::create_dir_all(store).unwrap();
    }

    /// Kills it (like a crash: no graceful shutdown).
    pub fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

impl Drop for NatsServer {
    fn drop(&mut self) {
        self.stop();
        if let Some(store) = &self.store {
            let _ = std::fs::remove_dir_all(store);
        }
    }
}

/// A NATS cluster of the test's own: `size` servers with JetStream on private loopback ports,
/// each with its own store directory and monitoring port, routed to each other. Killed (and the
/// stores removed) when dropped.
pub struct NatsCluster {
    /// Its servers, `n0`, `n1`, … (stop one with `nodes[i].stop()`).
    pub nodes: Vec<NatsServer>,
}

impl NatsCluster {
    /// Starts `size` servers and waits (up to 20 s) until the cluster is formed: every server
    /// tells its clients all `size` client URLs, and JetStream has a meta leader and all
    /// `size` peers, so a stream with `size` replicas can be created.
    pub async fn start(size: usize) -> NatsCluster {
        let name = unique("c");
        let cluster_ports: Vec<u16> = (0..size).map(|_| free_port()).collect();
        let routes = cluster_ports
            .iter()
            .map(|p| format!("nats://127.0.0.1:{p}"))
            .collect::<Vec<_>>()
            .join(",");
        let nodes = (0..size)
            .map(|i| {
                let store = std::env::temp_dir().join(unique(&format!("nitro-nats-n{i}-")));
                std::fs::create_dir_all(&store).unwrap();
                let mut server = NatsServer {
                    child: None,
                    port: free_port(),
                    store: Some(store),
                    monitor: Some(free_port()),
                    args: vec![
                        "--name".into(),
                        format!("n{i}"),
                        "--cluster_name".into(),
                        name.clone(),
                        "--cluster".into(),
                        format!("nats://127.0.0.1:{}", cluster_ports[i]),
                        "--routes".into(),
                        routes.clone(),
                    ],
                };
                server.restart();
                server
            })
            .collect();
        let cluster = NatsCluster { nodes };
        let start = std::time::Instant::now();
        loop {
            let mut formed = true;
            for node in &cluster.nodes {
                let jsz = node.monitor_json("jsz").await;
                let meta = &jsz["meta_cluster"];
                formed &= meta["leader"].as_str().is_some_and(|l| !l.is_empty())
                    && meta["cluster_size"].as_u64() == Some(size as u64);
                let varz = node.monitor_json("varz").await;
                formed &= varz["connect_urls"].as_array().map(Vec::len) == Some(size);
            }
            if formed {
                return cluster;
            }
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "the {size}-node NATS cluster did not form within 20 s"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The URL of node `i`.
    pub fn url(&self, i: usize) -> String {
        self.nodes[i].url()
    }

    /// The index of the node named `name` (`n0`, `n1`, …).
    pub fn index_of(&self, name: &str) -> usize {
        name.strip_prefix('n')
            .and_then(|i| i.parse().ok())
            .filter(|i| *i < self.nodes.len())
            .unwrap_or_else(|| panic!("no node named {name:?}"))
    }

    /// The name of the leader of the JetStream stream `stream` and its replica count, asked
    /// of a running node's monitoring endpoint.
    pub async fn stream_leader(&self, stream: &str) -> (String, usize) {
        let start = std::time::Instant::now();
        loop {
            for node in self.nodes.iter().filter(|n| n.child.is_some()) {
                let jsz = node.monitor_json("jsz?streams=true&config=true").await;
                let found = jsz["account_details"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .flat_map(|a| a["stream_detail"].as_array().into_iter().flatten())
                    .find(|s| s["name"] == stream)
                    .cloned();
                if let Some(s) = found {
                    let leader = s["cluster"]["leader"].as_str().unwrap_or_default();
                    if !leader.is_empty() {
                        let replicas = s["config"]["num_replicas"].as_u64().unwrap_or(1);
                        return (leader.to_owned(), replicas as usize);
                    }
                }
            }
            assert!(
                start.elapsed() < Duration::from_secs(10),
                "stream {stream} has no leader"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}
