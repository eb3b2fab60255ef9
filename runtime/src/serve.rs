//! [`serve`]: an axum `Router` served over HTTP/1.1 by nitro's own small connection handling,
//! made for many long-lived streams, with a graceful shutdown on ctrl-c or SIGTERM.
//!
//! Use it in place of `axum::serve` when the app holds many SSE streams. nitro reads each
//! request head into a small buffer (`httparse`), freed once parsed, hands the request to the
//! `Router`, and writes the response itself: a stream's frames go from the bytes the body
//! yields straight to the socket, and between two frames the connection keeps no buffer (a
//! close is seen by a read of nothing). An idle SSE stream so costs a fraction of hyper's two
//! 8 KiB connection buffers (BENCHMARKS.md §8). Requests with a body, `Expect`, an upgrade or
//! HTTP/1.0 are served by hyper's own HTTP/1.1 connection for the rest of that connection.
//!
//! A request head must arrive within 30 s (else `408`, or a silent close of an idle keep-alive
//! connection) and fit in 32 KiB and 100 fields (else `431`); a malformed one gets `400`
//! (counted: `stats`, `requests_refused`). On shutdown every open stream ends cleanly between
//! two events (the browser sees a finished response and reconnects, to another process if there
//! is one) instead of being cut mid-response. When the process nears its open-file limit
//! (90 %), it is logged and counted (`stats`: `fd_limit_near`) before connections fail; out of
//! file descriptors, accepting pauses for 100 ms, and it is logged and counted
//! (`accept_errors`) instead of spinning. Each request carries its client's address
//! ([`ClientAddr`]) in its extensions.
//!
//! It serves HTTP/1.1 only (what browsers use for SSE behind a proxy that terminates TLS and
//! HTTP/2); use `axum::serve` for HTTP/2 or anything this does not cover.

mod connection;
mod head;
mod hyper_conn;
mod respond;

use std::future::{Future, IntoFuture};
use std::io;
use std::pin::Pin;
use std::time::Duration;

use axum::Router;
use tokio::net::TcpListener;
use tokio::sync::watch;

/// How long a request head may take to arrive, by default ([`Serve::head_timeout`]).
const HEAD_TIMEOUT: Duration = Duration::from_secs(30);

/// Serves `router` on `listener` until ctrl-c or SIGTERM (or the future given to
/// [`Serve::shutdown_on`]); then stops accepting, ends every open stream cleanly between two
/// events and waits for the connections to finish (at most [`Serve::grace`], 10 s by
/// default). See the [module docs](self) for when to use it instead of `axum::serve`.
///
/// ```no_run
/// use axum::{routing::get, Router};
///
/// # async fn run() -> std::io::Result<()> {
/// let app = Router::new().route("/", get(|| async { "hello" }));
/// let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
/// nitro::serve(listener, app).await
/// # }
/// ```
pub fn serve(listener: TcpListener, router: Router) -> Serve {
    Serve {
        listener,
        router,
        shutdown: None,
        grace: Duration::from_secs(10),
        per_client: DEFAULT_CONNECTIONS_PER_CLIENT,
        head_timeout: HEAD_TIMEOUT,
    }
}

/// A server to await, from [`serve`]; its options are methods.
#[must_use = "a server does nothing unless awaited"]
pub struct Serve {
    listener: TcpListener,
    router: Router,
    shutdown: Option<Pin<Box<dyn Future<Output = ()> + Send>>>,
    grace: Duration,
    per_client: usize,
    head_timeout: Duration,
}

/// The default cap on one client's concurrent connections ([`Serve::max_connections_per_client`]).
pub const DEFAULT_CONNECTIONS_PER_CLIENT: usize = 256;

impl Serve {
    /// At most `n` concurrent connections (so SSE streams, one per connection in HTTP/1.1)
    /// from one client IP address (default [`DEFAULT_CONNECTIONS_PER_CLIENT`], 256); a
    /// connection over the cap is answered `429 Too Many Requests` and closed, logged at debug
    /// and counted (`stats`: `connections_refused`). Behind a proxy every client has the
    /// proxy's address: raise the cap there, and cap per client at the proxy.
    ///
    /// ```no_run
    /// # async fn run(listener: tokio::net::TcpListener, app: axum::Router) -> std::io::Result<()> {
    /// nitro::serve(listener, app).max_connections_per_client(32).await
    /// # }
    /// ```
    pub fn max_connections_per_client(mut self, n: usize) -> Self {
        self.per_client = n;
        self
    }

    /// Shuts down when `signal` completes, instead of on ctrl-c or SIGTERM.
    ///
    /// ```no_run
    /// # async fn run(listener: tokio::net::TcpListener, app: axum::Router) -> std::io::Result<()> {
    /// let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    /// # drop(stop);
    /// nitro::serve(listener, app).shutdown_on(async { let _ = stopped.await; }).await
    /// # }
    /// ```
    pub fn shutdown_on(mut self, signal: impl Future<Output = ()> + Send + 'static) -> Self {
        self.shutdown = Some(Box::pin(signal));
        self
    }

    /// How long a shutdown waits for the connections to finish before returning (10 s by
    /// default).
    ///
    /// ```no_run
    /// # async fn run(listener: tokio::net::TcpListener, app: axum::Router) -> std::io::Result<()> {
    /// nitro::serve(listener, app).grace(std::time::Duration::from_secs(2)).await
    /// # }
    /// ```
    pub fn grace(mut self, grace: Duration) -> Self {
        self.grace = grace;
        self
    }

    /// How long a request head may take to arrive (30 s by default), from the connection's
    /// start or the end of the previous response: a client slower than that gets
    /// `408 Request Timeout` (counted in `requests_refused`), an idle keep-alive connection is
    /// closed.
    ///
    /// ```no_run
    /// # async fn run(listener: tokio::net::TcpListener, app: axum::Router) -> std::io::Result<()> {
    /// nitro::serve(listener, app).head_timeout(std::time::Duration::from_secs(10)).await
    /// # }
    /// ```
    pub fn head_timeout(mut self, timeout: Duration) -> Self {
        self.head_timeout = timeout;
        self
    }
}

impl std::fmt::Debug for Serve {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Serve")
            .field("listener", &self.listener)
            .field("grace", &self.grace)
            .field("head_timeout", &self.head_timeout)
            .finish_non_exhaustive()
    }
}

impl IntoFuture for Serve {
    type Output = io::Result<()>;
    type IntoFuture = Pin<Box<dyn Future<Output = io::Result<()>> + Send>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(run(self))
    }
}

async fn run(server: Serve) -> io::Result<()> {
    let Serve {
        listener,
        router,
        shutdown,
        grace,
        per_client,
        head_timeout,
    } = server;
    let clients = Clients::default();
    let mut shutdown = shutdown.unwrap_or_else(|| Box::pin(terminate()));
    let (stop, stopping) = watch::channel(false);
    let mut fds = crate::fd_limit::FdWatch::new();
    loop {
        let accepted = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => accepted,
        };
        if accepted.is_ok() {
            fds.on_accept();
        }
        match accepted {
            Ok((stream, peer)) => match clients.enter(peer.ip(), per_client) {
                Some(guard) => {
                    let (router, stopping) = (router.clone(), stopping.clone());
                    tokio::spawn(async move {
                        connection::serve(stream, peer, router, stopping, head_timeout).await;
                        drop(guard);
                    });
                }
                None => {
                    crate::stats::CONNECTIONS_REFUSED.incr();
                    crate::log::debug!(client = %peer.ip(), "nitro::serve: too many connections from one client; 429");
                    tokio::spawn(hyper_conn::refuse(stream));
                }
            },
            Err(e) => accept_failed(&e).await,
        }
    }
    drop(listener);
    crate::log::warning!("nitro::serve: shutting down; open streams end now");
    let _ = stop.send(true);
    drop(stopping);
    // Every connection holds a receiver: closed when the last one has finished.
    if tokio::time::timeout(grace, stop.closed()).await.is_err() {
        crate::log::warning!(
            "nitro::serve: connections still open after the grace period; leaving them"
        );
    }
    Ok(())
}

/// The address of the client a request came from, in each request's extensions under
/// [`serve`] (what its per-client cap counts), for an app's own per-client limits. Behind a
/// proxy it is the proxy's.
///
/// ```
/// use axum::Extension;
/// use nitro::serve::ClientAddr;
///
/// async fn handler(client: Option<Extension<ClientAddr>>) -> String {
///     match client {
///         Some(Extension(ClientAddr(addr))) => format!("hello, {}", addr.ip()),
///         None => "not served by nitro::serve".into(),
///     }
/// }
/// let app: axum::Router = axum::Router::new().route("/", axum::routing::get(handler));
/// # let _ = app;
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientAddr(pub std::net::SocketAddr);

/// Concurrent connections per client address.
#[derive(Clone, Default)]
struct Clients(
    std::sync::Arc<std::sync::Mutex<std::collections::HashMap<std::net::IpAddr, usize>>>,
);

/// One connection of a client; leaves when dropped.
struct ClientGuard(Clients, std::net::IpAddr);

impl Clients {
    fn enter(&self, ip: std::net::IpAddr, cap: usize) -> Option<ClientGuard> {
        let mut map = self.0.lock().unwrap_or_else(|p| p.into_inner());
        let n = map.entry(ip).or_default();
        if *n >= cap {
            return None;
        }
        *n += 1;
        Some(ClientGuard(self.clone(), ip))
    }
}

impl Drop for ClientGuard {
    fn drop(&mut self) {
        let mut map = (self.0).0.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(n) = map.get_mut(&self.1) {
            *n -= 1;
            if *n == 0 {
                map.remove(&self.1);
            }
        }
    }
}

/// Ctrl-c, or SIGTERM on Unix.
async fn terminate() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// An accept that failed: logged and counted; out of file descriptors, accepting pauses so the
/// connections that hold them can finish.
async fn accept_failed(e: &io::Error) {
    crate::stats::ACCEPT_ERRORS.incr();
    // EMFILE (24) and ENFILE (23): the process's or the system's file limit.
    let at_limit = matches!(e.raw_os_error(), Some(23 | 24));
    if at_limit {
        crate::log::warning!(error = %e, "nitro::serve: out of file descriptors; new connections wait (raise the limit with `ulimit -n`, or cap streams per client)");
        tokio::time::sleep(Duration::from_millis(100)).await;
    } else {
        crate::log::debug!(error = %e, "nitro::serve: accept failed");
    }
}
