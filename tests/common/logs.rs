//! The log lines nitro writes through `tracing`, captured for assertions.

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};

/// Everything logged by any thread of this test binary since it started, at every level
/// (debug included), one formatted line per event.
#[derive(Clone)]
pub struct Logs(Arc<Mutex<Vec<u8>>>);

impl Logs {
    /// The captured text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }

    /// The lines that contain every one of `needles`.
    pub fn lines_with(&self, needles: &[&str]) -> Vec<String> {
        self.text()
            .lines()
            .filter(|l| needles.iter().all(|n| l.contains(n)))
            .map(str::to_owned)
            .collect()
    }

    /// Waits up to 5 s for a line that contains every one of `needles`; returns it.
    pub async fn wait_for(&self, needles: &[&str]) -> String {
        let start = std::time::Instant::now();
        loop {
            if let Some(l) = self.lines_with(needles).pop() {
                return l;
            }
            assert!(
                start.elapsed() < std::time::Duration::from_secs(5),
                "no log line with {needles:?} within 5 s; the log:\n{}",
                self.text()
            );
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
    }
}

impl Write for Logs {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Installs the capturing subscriber for the whole test binary (once) and returns its buffer.
pub fn capture() -> Logs {
    static LOGS: OnceLock<Logs> = OnceLock::new();
    LOGS.get_or_init(|| {
        let logs = Logs(Arc::default());
        let writer = logs.clone();
        tracing_subscriber::fmt()
            .with_max_level(tracing::Level::DEBUG)
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .init();
        logs
    })
    .clone()
}
