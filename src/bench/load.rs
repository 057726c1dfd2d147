//! A lean closed-loop load generator for `bench`: one hyper HTTP/1.1 connection per simulated
//! client, each sending its next request as soon as the previous answer is read, for a fixed time.
//! Requests are built by the caller (signed ahead or just in time); the generator adds nothing
//! but the `Host` header, and records each round trip in microseconds.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::http::Request;
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;

/// Builds request number `seq` of connection `conn`; `None` ends that connection's run.
pub type MakeRequest = Arc<dyn Fn(usize, u64) -> Option<Request<Full<Bytes>>> + Send + Sync>;

/// What one load run measured.
#[derive(Debug, Clone, Default)]
pub struct Load {
    pub requests: u64,
    /// Answers that were not 200 or whose body carried an error code.
    pub errors: u64,
    pub seconds: f64,
    /// CPU time the whole process (clients and server) spent in the measured window, seconds.
    pub cpu_seconds: f64,
    /// Sorted round trips, µs.
    latencies: Vec<u32>,
}

impl Load {
    pub fn rate(&self) -> f64 {
        self.requests as f64 / self.seconds.max(1e-9)
    }

    /// Process CPU time per request, µs: on a machine shared with other work, throughput moves
    /// with whatever else runs, while the CPU a request costs moves much less.
    pub fn cpu_us_per_request(&self) -> f64 {
        self.cpu_seconds * 1e6 / self.requests.max(1) as f64
    }

    /// Nearest-rank percentile in milliseconds.
    pub fn percentile_ms(&self, p: f64) -> f64 {
        if self.latencies.is_empty() {
            return 0.0;
        }
        let rank = ((self.latencies.len() as f64 * p).ceil() as usize).clamp(1, self.latencies.len());
        self.latencies[rank - 1] as f64 / 1000.0
    }
}

/// Runs `connections` clients against `addr` for `duration` after `warmup` (not recorded).
pub async fn drive(addr: SocketAddr, connections: usize, warmup: Duration, duration: Duration, make: MakeRequest) -> Result<Load, String> {
    let started = Instant::now();
    let record_from = started + warmup;
    let stop = record_from + duration;
    // The CPU clock is read when recording starts and when the last client is done.
    let cpu_from = tokio::spawn(async move {
        tokio::time::sleep_until(record_from.into()).await;
        process_cpu_seconds()
    });
    let mut tasks = tokio::task::JoinSet::new();
    for conn in 0..connections.max(1) {
        let make = make.clone();
        tasks.spawn(async move {
            let stream = tokio::net::TcpStream::connect(addr).await.map_err(|e| format!("connect: {e}"))?;
            let _ = stream.set_nodelay(true);
            let (mut sender, connection) =
                hyper::client::conn::http1::handshake(TokioIo::new(stream)).await.map_err(|e| format!("handshake: {e}"))?;
            tokio::spawn(connection);
            let (mut latencies, mut errors, mut seq) = (Vec::new(), 0u64, 0u64);
            loop {
                let Some(request) = make(conn, seq) else { break };
                seq += 1;
                let sent = Instant::now();
                if sent >= stop {
                    break;
                }
                let response = sender.send_request(request).await.map_err(|e| format!("request: {e}"))?;
                let ok = response.status().is_success();
                let body = response.into_body().collect().await.map_err(|e| format!("body: {e}"))?.to_bytes();
                if sent >= record_from {
                    latencies.push(sent.elapsed().as_micros().min(u32::MAX as u128) as u32);
                    if !ok || carries_error(&body) {
                        errors += 1;
                    }
                }
            }
            Ok::<_, String>((latencies, errors))
        });
    }
    let mut load = Load::default();
    while let Some(joined) = tasks.join_next().await {
        let (latencies, errors) = joined.map_err(|e| e.to_string())??;
        load.requests += latencies.len() as u64;
        load.errors += errors;
        load.latencies.extend(latencies);
    }
    load.seconds = duration.as_secs_f64();
    let cpu_to = process_cpu_seconds();
    load.cpu_seconds = if cpu_from.is_finished() {
        cpu_from.await.map_or(0.0, |from| cpu_to - from)
    } else {
        cpu_from.abort();
        0.0
    };
    load.latencies.sort_unstable();
    Ok(load)
}

fn carries_error(body: &Bytes) -> bool {
    body.windows(8).any(|w| w == b"\"Error\":") || body.windows(7).any(|w| w == b"\"Code\":")
}

/// The loopback ceiling: a bare axum handler that parses the JSON body and answers a small JSON
/// object, served by the emulator's own HTTP layer on this runtime. With `work`, the handler first
/// spends that much CPU time on its thread: what any handler costing that much could reach on this
/// machine. CPU time, not wall time: a thread preempted mid-spin would otherwise cost less than
/// `work` (and the per-request CPU figure would fall short of it on a busy machine).
pub async fn start_ceiling(work: Duration) -> std::io::Result<(SocketAddr, tokio::sync::oneshot::Sender<()>)> {
    let app = axum::Router::new().fallback(move |body: Bytes| async move {
        if !work.is_zero() {
            let until = thread_cpu_seconds() + work.as_secs_f64();
            while thread_cpu_seconds() < until {
                std::hint::spin_loop();
            }
        }
        let parsed: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
        axum::Json(serde_json::json!({"Response": {"TotalCount": 0, "KeyPairSet": [], "RequestId": "6ef60bec-0242-43af-bb20-270359fb54a7", "Echo": parsed.is_object()}}))
    });
    let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0))).await?;
    let addr = listener.local_addr()?;
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(crate::emulator::server::serve(listener, app, Default::default(), async move { drop(rx.await) }));
    Ok((addr, tx))
}

/// CPU time of the calling thread so far, seconds.
fn thread_cpu_seconds() -> f64 {
    // SAFETY: clock_gettime writes only the struct it is given.
    let mut now: libc::timespec = unsafe { std::mem::zeroed() };
    if unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut now) } != 0 {
        return f64::INFINITY;
    }
    now.tv_sec as f64 + now.tv_nsec as f64 * 1e-9
}

/// User and system CPU time of this process so far, seconds.
fn process_cpu_seconds() -> f64 {
    // SAFETY: getrusage writes only the struct it is given.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    if unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) } != 0 {
        return 0.0;
    }
    let seconds = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 * 1e-6;
    seconds(usage.ru_utime) + seconds(usage.ru_stime)
}

/// Resident memory of this process, MiB (Linux; 0 elsewhere).
pub fn rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmRSS:")).and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok()))
        .map(|kb| kb / 1024.0)
        .unwrap_or(0.0)
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU64, Ordering};

    use super::*;

    fn post(addr: SocketAddr, body: &'static [u8]) -> MakeRequest {
        Arc::new(move |_, _| {
            Request::builder()
                .method("POST")
                .uri("/")
                .header("host", addr.to_string())
                .header("content-type", "application/json")
                .body(Full::new(Bytes::from_static(body)))
                .ok()
        })
    }

    /// Counts the requests built: the warm-up's and the last one built after the window are not recorded.
    fn counted(make: MakeRequest) -> (MakeRequest, Arc<AtomicU64>) {
        let built = Arc::new(AtomicU64::new(0));
        let counter = built.clone();
        (
            Arc::new(move |conn, seq| {
                counter.fetch_add(1, Ordering::Relaxed);
                make(conn, seq)
            }),
            built,
        )
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_run_records_each_answered_round_trip_of_its_window_only() {
        let (addr, _stop) = start_ceiling(Duration::ZERO).await.unwrap();
        let (make, built) = counted(post(addr, b"{}"));
        let started = Instant::now();
        let load = drive(addr, 2, Duration::from_millis(100), Duration::from_millis(200), make).await.unwrap();
        let wall = started.elapsed().as_secs_f64();
        assert!(load.requests > 0 && load.errors == 0, "{load:?}");
        assert_eq!(load.latencies.len() as u64, load.requests);
        assert!(load.latencies.windows(2).all(|w| w[0] <= w[1]), "latencies are sorted");
        // The warm-up's requests and the one each connection built past the window were not recorded.
        assert!(built.load(Ordering::Relaxed) > load.requests + 2, "{} built, {} recorded", built.load(Ordering::Relaxed), load.requests);
        assert_eq!(load.seconds, 0.2);
        assert_eq!(load.rate(), load.requests as f64 / 0.2);
        assert!(load.cpu_seconds > 0.0 && load.cpu_us_per_request() > 0.0, "{load:?}");
        // The window's CPU, not the process's since it started: no more than every core for the whole call.
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get()) as f64;
        assert!(load.cpu_seconds <= wall * cores, "{} s of CPU in {wall} s on {cores} cores", load.cpu_seconds);
        assert!(0.0 < load.percentile_ms(0.5) && load.percentile_ms(0.5) <= load.percentile_ms(0.99));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_connection_ends_when_its_requests_do() {
        let (addr, _stop) = start_ceiling(Duration::ZERO).await.unwrap();
        let once = post(addr, b"{}");
        let make: MakeRequest = Arc::new(move |conn, seq| if seq < 3 { once(conn, seq) } else { None });
        let load = drive(addr, 2, Duration::ZERO, Duration::from_secs(30), make).await.unwrap();
        assert_eq!(load.requests, 6);
    }

    /// The calibration ceiling's handler keeps its thread busy for the time it is given.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_working_ceiling_works_each_request() {
        let (addr, _stop) = start_ceiling(Duration::from_millis(3)).await.unwrap();
        let load = drive(addr, 1, Duration::ZERO, Duration::from_millis(100), post(addr, b"{}")).await.unwrap();
        assert!(load.requests > 0 && load.percentile_ms(0.0) >= 3.0, "{load:?}");
        assert!(load.cpu_us_per_request() >= 3000.0, "{load:?}");
    }

    /// The emulator's error answers (an unsigned request) count as errors, every one.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn error_answers_are_counted() {
        let handle = crate::emulator::start_for_tests().await.unwrap();
        let load = drive(handle.addr, 1, Duration::ZERO, Duration::from_millis(100), post(handle.addr, b"{}")).await.unwrap();
        assert!(load.requests > 0 && load.errors == load.requests, "{load:?}");
    }

    #[test]
    fn an_error_is_a_tencent_error_object_or_an_alibaba_code() {
        assert!(carries_error(&Bytes::from_static(br#"{"Response":{"Error":{"Code":"AuthFailure"},"RequestId":"x"}}"#)));
        assert!(carries_error(&Bytes::from_static(br#"{"RequestId":"x","Code":"InvalidKeyPairName.Malformed"}"#)));
        assert!(!carries_error(&Bytes::from_static(br#"{"Response":{"TotalCount":0,"KeyPairSet":[],"RequestId":"x"}}"#)));
    }

    #[test]
    fn percentiles_are_nearest_rank_in_milliseconds() {
        let load = Load { requests: 4, seconds: 2.0, cpu_seconds: 0.001, latencies: vec![100, 200, 300, 4000], ..Load::default() };
        assert_eq!(
            [load.percentile_ms(0.0), load.percentile_ms(0.5), load.percentile_ms(0.75), load.percentile_ms(0.99)],
            [0.1, 0.2, 0.3, 4.0]
        );
        assert_eq!((load.rate(), load.cpu_us_per_request()), (2.0, 250.0));
        assert_eq!(Load::default().percentile_ms(0.5), 0.0);
    }

    /// Our CPU time agrees with the kernel's other account of it, /proc/self/stat's user and system
    /// clock ticks, once the process has spent some of each.
    #[test]
    fn process_cpu_time_is_user_plus_system() {
        // SAFETY: sysconf reads a constant of the system.
        let ticks_per_second = unsafe { libc::sysconf(libc::_SC_CLK_TCK) } as f64;
        let from_stat = || {
            let stat = std::fs::read_to_string("/proc/self/stat").unwrap();
            // Fields after the command's closing parenthesis: utime is the 14th field, stime the 15th.
            let fields: Vec<f64> =
                stat.rsplit_once(')').unwrap().1.split_whitespace().skip(11).take(2).map(|f| f.parse().unwrap()).collect();
            (fields[0] / ticks_per_second, fields[1] / ticks_per_second)
        };
        let started = Instant::now();
        while from_stat().1 < 0.1 && started.elapsed() < Duration::from_secs(10) {
            let _ = std::fs::metadata("/proc/self/stat");
        }
        let (user, system) = from_stat();
        let ours = process_cpu_seconds();
        let (_, system_after) = from_stat();
        assert!(system >= 0.1, "no system time to tell apart: {system} s");
        assert!((ours - (user + system)).abs() <= 0.05 + (system_after - system), "ours {ours} s, /proc {user} s user + {system} s system");
    }

    #[test]
    fn resident_memory_is_read_in_mib() {
        // The same figure from another file of the kernel's: resident pages in statm.
        let statm = std::fs::read_to_string("/proc/self/statm").unwrap();
        let pages: f64 = statm.split_whitespace().nth(1).unwrap().parse().unwrap();
        // SAFETY: sysconf reads a constant of the system.
        let page_bytes = unsafe { libc::sysconf(libc::_SC_PAGESIZE) } as f64;
        let (rss, other) = (rss_mib(), pages * page_bytes / 1048576.0);
        assert!(rss > 1.0 && (rss - other).abs() < 0.1 * other + 4.0, "status says {rss} MiB, statm {other} MiB");
    }
}
