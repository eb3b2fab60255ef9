//! Nearing the process's open-file limit: [`serve`](crate::serve()) checks, at most every
//! [`FdWatch::EVERY`] while it accepts connections, how many files the process has open
//! against its limit (`RLIMIT_NOFILE`, soft), and says so before new connections start
//! failing: a `WARN` and `stats` `fd_limit_near` when the count reaches
//! [`NEAR`](FdWatch::NEAR) of the limit, once until it falls below
//! [`CLEAR`](FdWatch::CLEAR) again. Read from `/proc/self` (Linux); elsewhere nothing is checked.

use std::time::{Duration, Instant};

/// Watches the open-file count on accept; see the module docs.
pub(crate) struct FdWatch {
    last: Option<Instant>,
    near: bool,
}

impl FdWatch {
    /// The least time between two checks (a check lists `/proc/self/fd`).
    pub(crate) const EVERY: Duration = Duration::from_millis(500);
    /// The share of the limit, in percent, at which it warns.
    pub(crate) const NEAR: u64 = 90;
    /// The share below which it warns again next time.
    pub(crate) const CLEAR: u64 = 80;

    pub(crate) fn new() -> FdWatch {
        FdWatch {
            last: None,
            near: false,
        }
    }

    /// A connection was accepted: checks if the last check is old enough.
    pub(crate) fn on_accept(&mut self) {
        let now = Instant::now();
        if self
            .last
            .is_some_and(|t| now.duration_since(t) < Self::EVERY)
        {
            return;
        }
        self.last = Some(now);
        if let (Some(open), Some(limit)) = (open_files(), file_limit()) {
            self.observe(open, limit);
        }
    }

    /// `open` files of at most `limit`: warns and counts on reaching [`Self::NEAR`] percent.
    /// Returns whether it warned.
    fn observe(&mut self, open: u64, limit: u64) -> bool {
        let percent = open.saturating_mul(100) / limit.max(1);
        if self.near {
            self.near = percent >= Self::CLEAR;
            return false;
        }
        if percent < Self::NEAR {
            return false;
        }
        self.near = true;
        crate::stats::FD_LIMIT_NEAR.incr();
        crate::log::warning!(
            open,
            limit,
            "nitro::serve: the process nears its open-file limit; new connections will soon fail (raise it with `ulimit -n` / LimitNOFILE, or cap streams per client)"
        );
        true
    }
}

/// How many files the process has open (entries of `/proc/self/fd`).
fn open_files() -> Option<u64> {
    // The listing itself holds one descriptor while it runs.
    let n = std::fs::read_dir("/proc/self/fd").ok()?.count() as u64;
    Some(n.saturating_sub(1))
}

/// The soft limit on open files (`Max open files` in `/proc/self/limits`); `None` if unlimited
/// or unknown.
fn file_limit() -> Option<u64> {
    let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = limits.lines().find(|l| l.starts_with("Max open files"))?;
    line["Max open files".len()..]
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn warns_once_near_the_limit_and_again_after_falling_below() {
        let mut w = FdWatch::new();
        let before = crate::stats::snapshot().fd_limit_near;
        assert!(!w.observe(899, 1000));
        assert!(w.observe(900, 1000));
        assert!(!w.observe(990, 1000), "once per episode");
        assert!(!w.observe(850, 1000), "still near: above the clear mark");
        assert!(!w.observe(790, 1000));
        assert!(w.observe(950, 1000), "a new episode");
        assert!(crate::stats::snapshot().fd_limit_near >= before + 2);
    }

    #[test]
    fn reads_this_process() {
        if cfg!(target_os = "linux") {
            let (open, limit) = (open_files().unwrap(), file_limit().unwrap());
            assert!(open >= 3 && limit >= open, "{open} of {limit}");
        }
    }
}
