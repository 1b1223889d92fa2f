//! One connection's watchdog: how slow clients are closed without a timer per request.
//!
//! hyper's own header timeout arms a timer for every request head, which cost about 6 % of a
//! cached answer's throughput (docs/engineering.md, "HTTP load test"). Instead each connection has an
//! `Activity` (is a request being answered; when did the connection last get something done)
//! and one ticker, a few times per timeout, that closes it when it has been waiting too long:
//!
//! - a request head (or the next one, on a kept-alive connection) that has not fully arrived
//!   `timeout` after the connection opened or its last response was written: slow heads
//!   (a client sending a byte every few seconds gains nothing) and idle connections;
//! - a response whose writing has made no progress for `timeout`: a client that does not read.
//!
//! - a request not answered `request_timeout` after its head arrived (the whole-request
//!   deadline): the connection is closed and the request counted as a `503`.

use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

/// Milliseconds since the first call: a clock that fits in an atomic.
fn clock() -> u64 {
    static EPOCH: OnceLock<Instant> = OnceLock::new();
    u64::try_from(EPOCH.get_or_init(Instant::now).elapsed().as_millis()).unwrap_or(u64::MAX)
}

/// What a connection is doing, shared by its IO, its service and its watchdog.
#[derive(Debug)]
pub(crate) struct Activity {
    /// Requests being answered (more than one only when pipelined).
    busy: AtomicU32,
    /// When the connection opened, a response was handed over, or bytes were written.
    last: AtomicU64,
    /// When the request being answered arrived (its head was read).
    since: AtomicU64,
}

impl Activity {
    pub(crate) fn new() -> Arc<Activity> {
        Arc::new(Activity { busy: AtomicU32::new(0), last: AtomicU64::new(clock()), since: AtomicU64::new(0) })
    }

    fn touch(&self) {
        self.last.store(clock(), Ordering::Relaxed);
    }

    /// A request is being answered until the guard is dropped (answered, or abandoned).
    pub(crate) fn begin(self: &Arc<Activity>) -> Busy {
        if self.busy.fetch_add(1, Ordering::Relaxed) == 0 {
            self.since.store(clock(), Ordering::Relaxed);
        }
        Busy(self.clone())
    }

    /// Whether a request has been in service longer than `deadline` (the whole-request
    /// deadline, kept by the same watchdog: no timer per request).
    pub(crate) fn past_deadline(&self, deadline: Duration) -> bool {
        self.busy.load(Ordering::Relaxed) > 0
            && clock().saturating_sub(self.since.load(Ordering::Relaxed)) > u64::try_from(deadline.as_millis()).unwrap_or(u64::MAX)
    }

    /// Whether the connection has waited longer than `timeout` for a request head or for
    /// its client to take a response.
    pub(crate) fn overdue(&self, timeout: Duration) -> bool {
        self.busy.load(Ordering::Relaxed) == 0
            && clock().saturating_sub(self.last.load(Ordering::Relaxed)) > u64::try_from(timeout.as_millis()).unwrap_or(u64::MAX)
    }

    /// How long the connection has been waiting for its next request, or `None` while a
    /// request is being answered.
    pub(crate) fn idle_for(&self) -> Option<u64> {
        (self.busy.load(Ordering::Relaxed) == 0).then(|| clock().saturating_sub(self.last.load(Ordering::Relaxed)))
    }

    /// How often a watchdog with this timeout looks: a tenth of it, from 10 ms to 1 s, so a
    /// connection is closed at most that late.
    pub(crate) fn period(timeout: Duration) -> Duration {
        (timeout / 10).clamp(Duration::from_millis(10), Duration::from_secs(1))
    }
}

/// The open connections, so that a full server can close the one idle longest, and the
/// count per client address.
#[derive(Default)]
pub(crate) struct Registry {
    inner: std::sync::Mutex<RegistryInner>,
}

#[derive(Default)]
struct RegistryInner {
    next: u64,
    open: std::collections::HashMap<u64, (std::net::IpAddr, Arc<Activity>, Arc<tokio::sync::Notify>)>,
    per_client: std::collections::HashMap<std::net::IpAddr, usize>,
}

/// A connection's place in the registry; leaving it when dropped.
pub(crate) struct Registered {
    registry: Arc<Registry>,
    id: u64,
    pub(crate) close: Arc<tokio::sync::Notify>,
}

impl Registry {
    /// Registers a connection from `ip`, unless `ip` already has `cap` open.
    pub(crate) fn enter(self: &Arc<Registry>, ip: std::net::IpAddr, activity: Arc<Activity>, cap: usize) -> Option<Registered> {
        let mut r = self.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let n = r.per_client.entry(ip).or_insert(0);
        if *n >= cap {
            return None;
        }
        *n += 1;
        r.next += 1;
        let (id, close) = (r.next, Arc::new(tokio::sync::Notify::new()));
        r.open.insert(id, (ip, activity, close.clone()));
        Some(Registered { registry: self.clone(), id, close })
    }

    /// Asks the connection idle longest to close; false when every connection is busy.
    pub(crate) fn close_idlest(&self) -> bool {
        let r = self.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let idlest = r.open.values().filter_map(|(_, a, close)| a.idle_for().map(|t| (t, close))).max_by_key(|(t, _)| *t);
        match idlest {
            Some((_, close)) => {
                close.notify_one();
                true
            }
            None => false,
        }
    }
}

impl Drop for Registered {
    fn drop(&mut self) {
        let mut r = self.registry.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some((ip, _, _)) = r.open.remove(&self.id) {
            if let Some(n) = r.per_client.get_mut(&ip) {
                *n -= 1;
                if *n == 0 {
                    r.per_client.remove(&ip);
                }
            }
        }
    }
}

/// A request in service.
pub(crate) struct Busy(Arc<Activity>);

impl Drop for Busy {
    fn drop(&mut self) {
        self.0.touch();
        self.0.busy.fetch_sub(1, Ordering::Relaxed);
    }
}

/// A connection's IO, noting every write that makes progress.
pub(crate) struct Watched<I> {
    pub(crate) io: I,
    pub(crate) activity: Arc<Activity>,
}

impl<I: hyper::rt::Read + Unpin> hyper::rt::Read for Watched<I> {
    fn poll_read(mut self: std::pin::Pin<&mut Self>, cx: &mut Context<'_>, buf: hyper::rt::ReadBufCursor<'_>) -> Poll<std::io::Result<()>> {
        // Reads do not count: a head that trickles in must still arrive within the timeout.
        std::pin::Pin::new(&mut self.io).poll_read(cx, buf)
    }
}

impl<I: hyper::rt::Write + Unpin> hyper::rt::Write for Watched<I> {
    fn poll_write(mut self: std::pin::Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<std::io::Result<usize>> {
        let r = std::pin::Pin::new(&mut self.io).poll_write(cx, buf);
        if matches!(r, Poll::Ready(Ok(n)) if n > 0) {
            self.activity.touch();
        }
        r
    }

    fn poll_write_vectored(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        let r = std::pin::Pin::new(&mut self.io).poll_write_vectored(cx, bufs);
        if matches!(r, Poll::Ready(Ok(n)) if n > 0) {
            self.activity.touch();
        }
        r
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_flush(mut self: std::pin::Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.io).poll_flush(cx)
    }

    fn poll_shutdown(mut self: std::pin::Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.io).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overdue_only_when_idle_past_the_timeout() {
        let a = Activity::new();
        let t = Duration::from_millis(30);
        assert!(!a.overdue(t), "just opened");
        std::thread::sleep(Duration::from_millis(60));
        assert!(a.overdue(t), "no request head within the timeout");
        let busy = a.begin();
        assert!(!a.overdue(t), "a request being answered is never overdue");
        std::thread::sleep(Duration::from_millis(60));
        assert!(!a.overdue(t), "however long it takes");
        drop(busy);
        assert!(!a.overdue(t), "the timeout starts again when the response is handed over");
        std::thread::sleep(Duration::from_millis(60));
        assert!(a.overdue(t));
        assert_eq!(Activity::period(Duration::from_secs(10)), Duration::from_secs(1));
        // The whole-request deadline counts from the head, only while a request is in service.
        let b = Activity::new();
        assert!(!b.past_deadline(t), "no request");
        let busy = b.begin();
        assert!(!b.past_deadline(t));
        std::thread::sleep(Duration::from_millis(60));
        assert!(b.past_deadline(t), "in service past the deadline");
        drop(busy);
        assert!(!b.past_deadline(t), "answered");
        assert_eq!(Activity::period(Duration::from_millis(20)), Duration::from_millis(10));
    }
}
