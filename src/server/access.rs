//! The access log (`mado serve --access-log PATH|-`): one JSON object per request, written
//! when its response body has been sent (or abandoned), off by default.
//!
//! ```text
//! {"time":"2025-01-01T00:00:00.123Z","peer":"127.0.0.1:50312","method":"GET","path":"/v1/availability?function=webcollect","status":200,"bytes":734,"duration_ms":0.412}
//! ```
//!
//! Lines go through a channel to one writer thread, so a request never waits on the disk;
//! the thread flushes whenever the channel is empty. Every string is JSON-escaped, so a
//! request line cannot forge a log line. The file is opened for appending: rotate it with
//! `copytruncate` (or log to stdout, `-`, and let the journal keep it).

use axum::body::Body;
use hyper::body::{Body as HttpBody, Bytes, Frame, SizeHint};
use pin_project_lite::pin_project;
use std::io::Write;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::mpsc;
use std::task::{Context, Poll};

/// The address a request came from, put into its extensions where the connection is
/// accepted (`serve_on`). Absent when a request is made without a connection (tests calling
/// the router directly, or another server embedding it that does not insert it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Peer(pub SocketAddr);

/// Where access log lines go: a handle to the writer thread, cheap to clone.
#[derive(Clone)]
pub struct AccessLog {
    lines: mpsc::Sender<String>,
    target: std::sync::Arc<str>,
}

impl std::fmt::Debug for AccessLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccessLog").field("target", &self.target).finish()
    }
}

impl AccessLog {
    /// Opens `target` for appending (created if missing), or stdout for `-`, and starts the
    /// writer thread.
    ///
    /// # Errors
    /// When the file cannot be opened, or the thread cannot be started.
    pub fn open(target: &str) -> std::io::Result<AccessLog> {
        let out: Box<dyn Write + Send> = if target == "-" {
            Box::new(std::io::stdout())
        } else {
            Box::new(std::fs::OpenOptions::new().create(true).append(true).open(target)?)
        };
        let (lines, rx) = mpsc::channel::<String>();
        std::thread::Builder::new().name("mado-access-log".into()).spawn(move || {
            let mut out = std::io::BufWriter::with_capacity(64 * 1024, out);
            while let Ok(line) = rx.recv() {
                let _ = out.write_all(line.as_bytes());
                while let Ok(more) = rx.try_recv() {
                    let _ = out.write_all(more.as_bytes());
                }
                let _ = out.flush();
            }
        })?;
        Ok(AccessLog { lines, target: target.into() })
    }

    /// A request begins: what the line will say about it.
    pub(crate) fn begin(&self, req: &axum::extract::Request) -> Entry {
        Entry {
            log: self.clone(),
            time: chrono::Utc::now(),
            started: std::time::Instant::now(),
            peer: req.extensions().get::<Peer>().map(|p| p.0),
            method: req.method().as_str().to_string(),
            path: req.uri().path_and_query().map_or_else(|| req.uri().path().to_string(), |p| p.as_str().to_string()),
            status: 0,
            bytes: 0,
        }
    }
}

/// One request on its way through; written when dropped.
pub(crate) struct Entry {
    log: AccessLog,
    time: chrono::DateTime<chrono::Utc>,
    started: std::time::Instant,
    peer: Option<SocketAddr>,
    method: String,
    path: String,
    status: u16,
    bytes: u64,
}

impl Entry {
    /// The response is ready: its status, and its body counted as it is sent.
    pub(crate) fn finish(mut self, response: axum::response::Response) -> axum::response::Response {
        self.status = response.status().as_u16();
        response.map(|body| Body::new(Counted { body, entry: Some(self) }))
    }
}

impl Drop for Entry {
    fn drop(&mut self) {
        let text = |s: &str| serde_json::to_string(s).unwrap_or_else(|_| "null".into());
        let line = format!(
            "{{\"time\":{},\"peer\":{},\"method\":{},\"path\":{},\"status\":{},\"bytes\":{},\"duration_ms\":{}}}",
            text(&self.time.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)),
            self.peer.map_or_else(|| "null".into(), |p| text(&p.to_string())),
            text(&self.method),
            text(&self.path),
            self.status,
            self.bytes,
            (self.started.elapsed().as_secs_f64() * 1e6).round() / 1e3,
        );
        let _ = self.log.lines.send(format!("{line}\n"));
    }
}

pin_project! {
    /// A response body that counts the bytes sent, and logs its request at the end.
    struct Counted {
        #[pin]
        body: Body,
        entry: Option<Entry>,
    }
}

impl HttpBody for Counted {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        let this = self.project();
        let polled = this.body.poll_frame(cx);
        match &polled {
            Poll::Ready(Some(Ok(frame))) => {
                if let (Some(data), Some(entry)) = (frame.data_ref(), this.entry.as_mut()) {
                    entry.bytes += data.len() as u64;
                }
            }
            // The end, or an error: the line is written now rather than when hyper drops it.
            Poll::Ready(_) => drop(this.entry.take()),
            Poll::Pending => {}
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}
