//! The emulator's HTTP server: hyper's HTTP/1.1 connection with its timeouts, a cap on open
//! connections, a request deadline and a budget for request bytes held in memory.
//!
//! A hostile or broken client must not hold the emulator: one that sends nothing, or a byte a
//! second, is closed by a timeout; many at once are held back by the connection cap (the kernel's
//! accept backlog holds the rest, so a descriptor limit is not reached); and many large unfinished
//! bodies wait for the body budget instead of growing memory. Every limit is a hyper or tower
//! setting; the accept loop only waits for a connection slot.
//!
//! Timeouts (defaults in [`ServerSettings::default`]):
//! - `header_read_timeout`: hyper's; it runs from the moment a connection waits for a request head,
//!   so it is also the idle keep-alive timeout (hyper has no separate one for HTTP/1.1).
//! - `request_timeout`: tower-http's; a request must be read whole and answered within it, or the
//!   client gets 408 and the connection closes. This is the body read timeout.

use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, Request, StatusCode};
use hyper::body::{Frame, Incoming};
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tower::{Layer, ServiceExt};

/// Limits of the HTTP layer. Tests shorten the timeouts.
#[derive(Debug, Clone)]
pub struct ServerSettings {
    /// Time allowed for a request head, and for an idle keep-alive connection (default 10 s).
    pub header_read_timeout: Duration,
    /// Time allowed to read a request's body and answer it (default 30 s); 408 after it.
    pub request_timeout: Duration,
    /// Connections served at once (default 512); more wait in the accept backlog.
    pub max_connections: usize,
    /// Request-body bytes held in memory across all requests in flight (default 128 MiB). A body
    /// with a `Content-Length` reserves its share (up to 16 MiB) before it is read, and waits in
    /// line while the budget is spent; a chunked body reserves frame by frame. Nothing is refused:
    /// waiting requests are bounded by the connection cap and every holder by `request_timeout`.
    pub in_flight_body_bytes: u32,
    /// Injected throttling, errors, drops and latency (`serve --hostile`); off by default.
    pub hostile: super::hostile::HostileSettings,
}

impl Default for ServerSettings {
    fn default() -> Self {
        Self {
            header_read_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
            max_connections: 512,
            in_flight_body_bytes: 128 * 1024 * 1024,
            hostile: super::hostile::HostileSettings::default(),
        }
    }
}

/// Serves `app` on `listener` until `shutdown` resolves.
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: Router,
    settings: ServerSettings,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) {
    return_freed_memory();
    let connections = Arc::new(Semaphore::new(settings.max_connections.max(1)));
    let budget = BodyBudget::new(settings.in_flight_body_bytes);
    let timeout = tower_http::timeout::TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, settings.request_timeout);
    let app = timeout.layer(app);
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new()).header_read_timeout(settings.header_read_timeout).keep_alive(true);
    tokio::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            _ = &mut shutdown => return,
            permit = connections.clone().acquire_owned() => match permit { Ok(p) => p, Err(_) => return },
        };
        let (stream, _peer): (tokio::net::TcpStream, SocketAddr) = tokio::select! {
            _ = &mut shutdown => return,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                // Out of descriptors or a reset before accept: back off briefly, keep serving.
                Err(_) => { tokio::time::sleep(Duration::from_millis(20)).await; continue; }
            },
        };
        let _ = stream.set_nodelay(true);
        let app = app.clone();
        let budget = budget.clone();
        let service = tower::service_fn(move |request: Request<Incoming>| {
            let (parts, incoming) = request.into_parts();
            let app = app.clone();
            let budget = budget.clone();
            async move {
                let (body, held) = budget.admit(&parts.headers, incoming).await;
                let response = app.oneshot(Request::from_parts(parts, Body::new(body))).await;
                // The body's bytes are released once the answer is made, not when it is sent.
                drop(held);
                response
            }
        });
        let connection = http.serve_connection(TokioIo::new(stream), TowerToHyperService::new(service));
        tokio::spawn(async move {
            let _ = connection.await;
            drop(permit);
        });
    }
}

/// The most a request reserves up front: above every front door's body limit (10 MB), so a
/// request within the limits never waits halfway through its body.
const MAX_PREPAID_BODY: u32 = 16 * 1024 * 1024;

/// glibc keeps freed large blocks in its heap and raises its mmap threshold after each large free,
/// so 2 GB of finished bodies stayed resident. A fixed threshold makes every block of 256 KiB or
/// more a mapping of its own, given back to the system when freed (process-wide; glibc only). It
/// also stops glibc raising its trim threshold, so the heap's top is trimmed past the default 128 KiB.
/// The binary allocates with mimalloc (src/main.rs); this is for the library embedded in tests.
fn return_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        static ONCE: std::sync::Once = std::sync::Once::new();
        // SAFETY: mallopt only changes an allocator tunable; it is called once, before serving.
        ONCE.call_once(|| unsafe {
            libc::mallopt(libc::M_MMAP_THRESHOLD, 256 * 1024);
        });
    }
}

/// The request-body bytes held in memory by every request in flight, as semaphore permits.
#[derive(Clone)]
struct BodyBudget {
    permits: Arc<Semaphore>,
    total: u32,
}

impl BodyBudget {
    fn new(total: u32) -> Self {
        let total = total.max(1);
        Self { permits: Arc::new(Semaphore::new(total as usize)), total }
    }

    /// What a request reserves before its body is read: its `Content-Length`, up to
    /// [`MAX_PREPAID_BODY`] and the whole budget. A body of unknown length reserves nothing.
    fn prepay(&self, headers: &HeaderMap) -> u32 {
        headers
            .get(axum::http::header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok()?.parse::<u64>().ok())
            .map_or(0, |n| n.min(u64::from(MAX_PREPAID_BODY.min(self.total))) as u32)
    }

    /// Admits one request's body: reserves its prepaid share (waiting in line while the budget is
    /// spent), then pays for whatever it reads beyond that frame by frame. A body of known length
    /// reserves its budget whole before any of it is read: requests that each hold part of a body
    /// and wait for more could otherwise deadlock. The permits come back when both the body and
    /// the returned [`Held`] are dropped.
    async fn admit<B>(&self, headers: &HeaderMap, body: B) -> (Budgeted<B>, Arc<Held>) {
        let held = Arc::new(Held { budget: self.permits.clone(), permits: AtomicU32::new(0) });
        let prepay = self.prepay(headers);
        if prepay > 0
            && let Ok(permit) = self.permits.clone().acquire_many_owned(prepay).await
        {
            held.take(permit);
        }
        (Budgeted { inner: body, held: held.clone(), total: self.total, prepaid: prepay, waiting: None }, held)
    }
}

/// The budget permits one request holds; returned when the request and its body are both gone.
struct Held {
    budget: Arc<Semaphore>,
    permits: AtomicU32,
}

impl Held {
    /// Keeps `permit`'s bytes spent until this request is gone.
    fn take(&self, permit: OwnedSemaphorePermit) {
        self.permits.fetch_add(permit.num_permits() as u32, Ordering::Relaxed);
        permit.forget();
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        self.budget.add_permits(*self.permits.get_mut() as usize);
    }
}

type Acquire = Pin<Box<dyn std::future::Future<Output = Result<OwnedSemaphorePermit, tokio::sync::AcquireError>> + Send>>;

/// A request body that takes budget permits for each data frame before handing it on.
struct Budgeted<B> {
    inner: B,
    held: Arc<Held>,
    total: u32,
    /// Bytes reserved up front (from `Content-Length`) not yet received.
    prepaid: u32,
    waiting: Option<(Frame<Bytes>, Acquire)>,
}

impl<B: hyper::body::Body<Data = Bytes> + Unpin> hyper::body::Body for Budgeted<B> {
    type Data = Bytes;
    type Error = B::Error;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        let this = &mut *self;
        if let Some((_, acquire)) = &mut this.waiting {
            return match acquire.as_mut().poll(cx) {
                Poll::Pending => Poll::Pending,
                Poll::Ready(result) => {
                    let (frame, _) = this.waiting.take().expect("waiting was just polled");
                    if let Ok(permit) = result {
                        this.held.take(permit);
                    }
                    Poll::Ready(Some(Ok(frame)))
                }
            };
        }
        let frame = match Pin::new(&mut this.inner).poll_frame(cx) {
            Poll::Ready(Some(Ok(frame))) => frame,
            other => return other,
        };
        let Some(len) = frame.data_ref().map(|d| (d.len() as u32).clamp(1, this.total)) else {
            return Poll::Ready(Some(Ok(frame)));
        };
        let paid = len.min(this.prepaid);
        this.prepaid -= paid;
        let len = len - paid;
        if len == 0 {
            return Poll::Ready(Some(Ok(frame)));
        }
        match this.held.budget.clone().try_acquire_many_owned(len) {
            Ok(permit) => {
                this.held.take(permit);
                Poll::Ready(Some(Ok(frame)))
            }
            Err(_) => {
                let acquire: Acquire = Box::pin(this.held.budget.clone().acquire_many_owned(len));
                this.waiting = Some((frame, acquire));
                // Poll once so the waker is registered.
                Pin::new(this).poll_frame(cx)
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.waiting.is_none() && self.inner.is_end_stream()
    }

    fn size_hint(&self) -> hyper::body::SizeHint {
        self.inner.size_hint()
    }
}

#[cfg(test)]
#[path = "server_tests.rs"]
mod tests;
