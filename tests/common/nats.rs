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
