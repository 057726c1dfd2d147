//! `bench`'s emulator measurements beside the loopback ceiling (issue 11), all in one run:
//! DescribeKeyPairs and ImportKeyPair at 1, 16 and 64 connections as ratios of a bare handler;
//! Describe by id in a 100,000-key account against a one-key account; one account's latency while
//! another floods it with 100-KeyIds Describes; RSS after the imports; and RSS held by unfinished
//! 9 MB bodies, then after they close.
//!
//! Describe requests are signed once (TC3 has no nonce) and replayed; the routes' ImportKeyPairs
//! are signed before the timed window (a unique name and public key each; signing costs the
//! client ≈ 10 µs), the large account's as they are sent. Imported public keys are well-formed `ssh-rsa` keys with random 2048-bit moduli:
//! the emulator stores and fingerprints them like any other, and generating real keys would
//! measure RSA instead of the emulator.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::http::Request;
use base64::Engine;
use http_body_util::Full;
use serde_json::{Value, json};
use tokio::io::AsyncWriteExt;

use super::load::{Load, MakeRequest, drive, rss_mib, start_ceiling};
use crate::apis::{Credentials, build_request, tencent_api3::CVM};
use crate::cli::BenchSection;
use crate::clock::{Clock, SystemClock};
use crate::emulator::accounts::{Account, AccountSettings};
use crate::emulator::{self, Emulator, EmulatorConfig};

/// How long and how big; the defaults keep one run near two minutes on two cores.
#[derive(Debug, Clone)]
pub struct CeilingSettings {
    pub seconds: f64,
    /// Interleaved rounds of each route measurement; each row is the round of median requests/s
    /// (this machine's back-to-back runs of one load differ by up to a quarter).
    pub rounds: usize,
    pub stored_keys: usize,
    pub bodies: usize,
    pub body_bytes: usize,
    /// How long the clients may take to send the bodies: a server that stops reading must not
    /// stall the run.
    pub body_deadline: Duration,
    /// Only this section of `bench` (`--only`); all when `None`.
    pub only: Option<BenchSection>,
}

impl Default for CeilingSettings {
    fn default() -> Self {
        Self {
            seconds: 1.0,
            rounds: 3,
            stored_keys: 100_000,
            bodies: 200,
            body_bytes: 9 * 1024 * 1024,
            body_deadline: Duration::from_secs(5),
            only: None,
        }
    }
}

fn account(emulator: &Emulator) -> Arc<Account> {
    let settings = AccountSettings {
        rate_limits: false,
        quotas: BTreeMap::from([(emulator::tencent_cvm::settings::QUOTA_KEY_PAIRS.to_string(), 10_000_000)]),
        ..AccountSettings::default()
    };
    emulator.accounts.create(settings)
}

/// `action` of `account`, signed now ([`super::cvm_call`]: TC3, which signs no nonce).
fn sign(base: &reqwest::Url, account: &Account, action: &str, params: &Value) -> Request<Full<Bytes>> {
    let credentials = Credentials { id: account.secret_id.clone(), secret: account.secret_key().to_string() };
    build_request(&CVM, base, &super::cvm_call(action, params), &credentials, SystemClock.now_secs(), 0)
        .expect("CVM requests build")
        .to_http()
}

/// A well-formed `ssh-rsa` public key with a random 2048-bit modulus.
fn synthetic_public_key() -> String {
    let mut n = [0u8; 256];
    rand::fill(&mut n[..]);
    n[0] |= 0x80;
    n[255] |= 1;
    let mut blob = Vec::with_capacity(280);
    for part in [&b"ssh-rsa"[..], &[1, 0, 1][..]] {
        blob.extend_from_slice(&(part.len() as u32).to_be_bytes());
        blob.extend_from_slice(part);
    }
    blob.extend_from_slice(&257u32.to_be_bytes());
    blob.push(0);
    blob.extend_from_slice(&n);
    format!("ssh-rsa {}", base64::engine::general_purpose::STANDARD.encode(blob))
}

/// A signed request kept for sending: each send rebuilds it from these (a clone of the URI, the
/// header map and the body handle), the same client work for the ceiling, Describe and Import.
type Parts = (axum::http::Uri, axum::http::HeaderMap, Full<Bytes>);

fn parts_of(request: Request<Full<Bytes>>) -> Parts {
    let (parts, body) = request.into_parts();
    (parts.uri, parts.headers, body)
}

fn rebuild((uri, headers, body): &Parts) -> Option<Request<Full<Bytes>>> {
    let mut request = Request::builder().method("POST").uri(uri.clone()).body(body.clone()).ok()?;
    *request.headers_mut() = headers.clone();
    Some(request)
}

/// The same signed request, replayed.
fn replay(request: Request<Full<Bytes>>) -> MakeRequest {
    let parts = parts_of(request);
    Arc::new(move |_, _| rebuild(&parts))
}

/// `count` distinct ImportKeyPair requests (fresh names and keys, each signed), built before
/// the timed window on blocking threads so that, as for the ceiling and Describe, the client
/// only sends stored requests while it is measured. Each is sent once; returns the requests and
/// whether they ran out (a run that used them all was cut short, and says so).
async fn presigned_imports(
    base: &reqwest::Url,
    account: &Arc<Account>,
    tag: &str,
    count: usize,
) -> Result<(MakeRequest, Arc<AtomicBool>), String> {
    let workers = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2);
    let mut signers = tokio::task::JoinSet::new();
    for worker in 0..workers {
        let (base, account, tag) = (base.clone(), account.clone(), tag.to_string());
        signers.spawn_blocking(move || {
            (worker..count).step_by(workers).map(|n| parts_of(import_request(&base, &account, &format!("{tag}{n}")))).collect::<Vec<_>>()
        });
    }
    let mut all = Vec::with_capacity(count);
    while let Some(signed) = signers.join_next().await {
        all.extend(signed.map_err(|e| e.to_string())?);
    }
    let (next, ran_out) = (AtomicUsize::new(0), Arc::new(AtomicBool::new(false)));
    let flag = ran_out.clone();
    let make: MakeRequest = Arc::new(move |_, _| {
        let request = all.get(next.fetch_add(1, Ordering::Relaxed)).and_then(rebuild);
        if request.is_none() {
            flag.store(true, Ordering::Relaxed);
        }
        request
    });
    Ok((make, ran_out))
}

/// One signed ImportKeyPair of a fresh synthetic key named `name`.
fn import_request(base: &reqwest::Url, account: &Account, name: &str) -> Request<Full<Bytes>> {
    let params = json!({"KeyName": name, "ProjectId": 0, "PublicKey": synthetic_public_key()});
    sign(base, account, "ImportKeyPair", &params)
}

/// ImportKeyPair with fresh names and keys; stops after `limit` in all when given.
fn imports(base: reqwest::Url, account: Arc<Account>, tag: String, limit: Option<u64>) -> MakeRequest {
    let sent = Arc::new(AtomicU64::new(0));
    Arc::new(move |conn, seq| {
        let n = sent.fetch_add(1, Ordering::Relaxed);
        if limit.is_some_and(|l| n >= l) {
            return None;
        }
        Some(import_request(&base, &account, &format!("{tag}{conn}_{seq}")))
    })
}

fn row(label: &str, load: &Load, ceiling: Option<&Load>) -> String {
    let ratio = ceiling.map(|c| {
        format!(
            "{:>5.2}x rps  {:>5.2}x p99  {:>5.2}x cpu",
            load.rate() / c.rate().max(1e-9),
            load.percentile_ms(0.99) / c.percentile_ms(0.99).max(1e-9),
            load.cpu_us_per_request() / c.cpu_us_per_request().max(1e-9)
        )
    });
    format!(
        "  {label:<34} {:>8.0} req/s  p50 {:>7.3} ms  p99 {:>7.3} ms  cpu {:>6.1} µs/req  errors {:>3}  {}",
        load.rate(),
        load.percentile_ms(0.5),
        load.percentile_ms(0.99),
        load.cpu_us_per_request(),
        load.errors,
        ratio.unwrap_or_default()
    )
}

/// The emulator under measurement and how long each load runs.
struct Rig {
    emulator: Arc<Emulator>,
    addr: SocketAddr,
    base: reqwest::Url,
    warmup: Duration,
    time: Duration,
    rounds: usize,
}

impl Rig {
    /// A closed-loop load of `connections` clients against the emulator, after the warm-up; `what`
    /// names it if it fails.
    async fn drive(&self, connections: usize, make: MakeRequest, what: &str) -> Result<Load, String> {
        self.drive_at(self.addr, connections, make, what).await
    }

    /// The same against `addr` (a ceiling).
    async fn drive_at(&self, addr: SocketAddr, connections: usize, make: MakeRequest, what: &str) -> Result<Load, String> {
        measured(drive(addr, connections, self.warmup, self.time, make).await?, what)
    }

    /// The CVM key pairs stored in `account`.
    fn stored(&self, account: &Account) -> Result<Vec<crate::emulator::tencent_cvm::model::KeyPairRecord>, String> {
        Ok(self.emulator.provider::<crate::emulator::tencent_cvm::Cvm>().ok_or("no CVM provider")?.store.list(&account.id))
    }
}

/// A load whose answers were errors timed the error path (a refused signature, a throttle), not
/// the route it names, and one with no answer timed nothing: either figure would mislead, so the
/// run fails instead.
fn measured(load: Load, what: &str) -> Result<Load, String> {
    if load.requests == 0 {
        return Err(format!(
            "{what}: no request was sent in the measured window (none could be built, or one answer outlasted the window; a longer --seconds helps)"
        ));
    }
    if load.errors == 0 {
        return Ok(load);
    }
    Err(format!(
        "{what}: {} of {} answers were errors, so its figure would time the error path; `cargo run --release -- run` shows whether the emulator fails these calls",
        load.errors, load.requests
    ))
}

/// The warm-up before each load: 300 ms, or 0.3 of a shorter measurement (a test's).
fn warmup_for(seconds: f64) -> Duration {
    Duration::from_secs_f64((seconds * 0.3).min(0.3))
}

/// Pre-signed imports for a load of `window` (warm-up and measurement): as many as the bare
/// handler answered in the same time (`ceiling_rate`), and half as many again, plus 1,000.
fn imports_needed(ceiling_rate: f64, window: Duration) -> usize {
    (ceiling_rate * window.as_secs_f64() * 1.5) as usize + 1000
}

/// Runs every measurement `settings.only` selects and returns the lines to print.
pub async fn run(settings: &CeilingSettings) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let rss_start = rss_mib();
    let emulator = Emulator::new(EmulatorConfig::default());
    let handle = emulator::start(emulator.clone(), SocketAddr::from(([127, 0, 0, 1], 0))).await.map_err(|e| e.to_string())?;
    let rig = Rig {
        emulator: emulator.clone(),
        addr: handle.addr,
        base: handle.base_url().parse().map_err(|e| format!("{e}"))?,
        warmup: warmup_for(settings.seconds),
        time: Duration::from_secs_f64(settings.seconds),
        rounds: settings.rounds.max(1),
    };
    let quiet = account(&emulator);
    let quiet_describe = replay(sign(&rig.base, &quiet, "DescribeKeyPairs", &json!({})));
    // The memory measurements first: the routes' pre-signed imports, once freed, would stay in
    // the allocator's heap and hide what the stored keys and the held bodies take.
    if BenchSection::LargeAccount.selected(settings.only) {
        out.extend(large_account(&rig, settings.stored_keys, quiet_describe.clone()).await?);
    }
    if BenchSection::Bodies.selected(settings.only) {
        out.push(bodies(handle.addr, settings).await?);
    }
    if BenchSection::Routes.selected(settings.only) {
        out.extend(routes(&rig, quiet_describe).await?);
    }
    if settings.only.is_none() {
        out.push(format!("RSS at start {rss_start:.0} MiB, at end {:.0} MiB", rss_mib()));
    }
    Ok(out)
}

/// How long the calibration ceiling's handler works a request: a fraction of what a route's handler
/// costs served (at 16 connections Describe ≈ 7 µs, Import ≈ 20 µs; BENCHMARKS.md), so its row
/// shows what so little work already costs on this machine, where at 1 connection each µs a
/// handler runs has cost 2–3 µs of round trip (the idle worker parks, and waking it again costs
/// more than the work).
const CALIBRATION_WORK: Duration = Duration::from_micros(5);

/// The ceiling, DescribeKeyPairs (of `describe`'s empty account) and ImportKeyPair at 1, 16 and
/// 64 connections; beside them the ceiling again with each route's request bytes (the Describe
/// replayed, one Import replayed: the bare handler only parses) and with [`CALIBRATION_WORK`] a
/// request. All six loads are interleaved, `rig.rounds` times per connection count, and each row
/// is its median round.
async fn routes(rig: &Rig, describe: MakeRequest) -> Result<Vec<String>, String> {
    let (ceiling_addr, _stop_ceiling) = start_ceiling(Duration::ZERO).await.map_err(|e| e.to_string())?;
    let (working_addr, _stop_working) = start_ceiling(CALIBRATION_WORK).await.map_err(|e| e.to_string())?;
    let importer = account(&rig.emulator);
    let mut out = vec![format!(
        "ceiling and routes, {:.1} s each after {} ms warm-up, {} interleaved rounds, the median round shown (ratios: route / ceiling):",
        rig.time.as_secs_f64(),
        rig.warmup.as_millis(),
        rig.rounds
    )];
    let ceiling_request = Request::builder()
        .method("POST")
        .uri("/")
        .header("host", ceiling_addr.to_string())
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from_static(b"{}")))
        .map_err(|e| e.to_string())?;
    let ceiling_make = replay(ceiling_request);
    // The routes' own request bytes sent to the bare handler: what hyper and the kernel cost for
    // a request of that size, so the rows can tell the protocol's share from the emulator's.
    let describe_bytes = describe.clone();
    let import_bytes = replay(import_request(&rig.base, &importer, "ceiling_bytes"));
    for connections in [1usize, 16, 64] {
        let mut runs: [Vec<Load>; 6] = Default::default();
        for round in 0..rig.rounds {
            let at = |what: &str| format!("{what} x{connections}, round {}", round + 1);
            runs[0].push(rig.drive_at(ceiling_addr, connections, ceiling_make.clone(), &at("the ceiling")).await?);
            runs[5].push(rig.drive_at(working_addr, connections, ceiling_make.clone(), &at("the working ceiling")).await?);
            runs[1].push(rig.drive_at(ceiling_addr, connections, describe_bytes.clone(), &at("the ceiling with Describe's bytes")).await?);
            runs[2].push(rig.drive(connections, describe.clone(), &at("DescribeKeyPairs")).await?);
            runs[3].push(rig.drive_at(ceiling_addr, connections, import_bytes.clone(), &at("the ceiling with Import's bytes")).await?);
            let enough = imports_needed(runs[0][round].rate(), rig.warmup + rig.time);
            let (signed, ran_out) = presigned_imports(&rig.base, &importer, &format!("i{connections}_{round}_"), enough).await?;
            runs[4].push(rig.drive(connections, signed, &at("ImportKeyPair")).await?);
            if ran_out.load(Ordering::Relaxed) {
                return Err(format!("the {enough} pre-signed imports ran out at {connections} connections; the figure would be cut short"));
            }
        }
        let [ceiling, describe_sized, described, import_sized, imported, working] = runs.map(Median::of);
        out.push(ceiling.row(&format!("ceiling (bare handler) x{connections}"), None));
        out.push(describe_sized.row(&format!("  ceiling, Describe's bytes x{connections}"), Some(&ceiling)));
        out.push(import_sized.row(&format!("  ceiling, Import's bytes x{connections}"), Some(&ceiling)));
        out.push(working.row(&format!("  ceiling, {} µs of work x{connections}", CALIBRATION_WORK.as_micros()), Some(&ceiling)));
        out.push(
            described.row(&format!("DescribeKeyPairs x{connections}"), Some(&ceiling)) + &same_bytes(&described.load, &describe_sized.load),
        );
        out.push(imported.row(&format!("ImportKeyPair x{connections}"), Some(&ceiling)) + &same_bytes(&imported.load, &import_sized.load));
    }
    Ok(out)
}

/// The round of median requests/s among interleaved rounds of one load, with the others' range:
/// the median keeps one round's rate, latencies and CPU together, which a mean of each would not.
struct Median {
    load: Load,
    slowest: f64,
    fastest: f64,
    rounds: usize,
}

impl Median {
    fn of(mut loads: Vec<Load>) -> Self {
        loads.sort_by(|a, b| a.rate().total_cmp(&b.rate()));
        let (slowest, fastest, rounds) = (loads.first().map_or(0.0, Load::rate), loads.last().map_or(0.0, Load::rate), loads.len());
        let load = if loads.is_empty() { Load::default() } else { loads.swap_remove(loads.len() / 2) };
        Self { load, slowest, fastest, rounds }
    }

    /// [`row`] of the median round, then the rounds' range of requests/s when there were several.
    fn row(&self, label: &str, ceiling: Option<&Median>) -> String {
        let line = row(label, &self.load, ceiling.map(|c| &c.load));
        if self.rounds < 2 {
            return line;
        }
        format!("{line}  [{} rounds {:.0}–{:.0} req/s]", self.rounds, self.slowest, self.fastest)
    }
}

/// A route's requests/s as a ratio of the bare handler's with the same request bytes.
fn same_bytes(route: &Load, sized: &Load) -> String {
    format!("  ({:.2}x of the same bytes)", route.rate() / sized.rate().max(1e-9))
}

/// `stored_keys` imports into one account (time and RSS), Describe by id there against a one-key
/// account, and the quiet account's Describe (`quiet_describe`) while the large one is flooded.
async fn large_account(rig: &Rig, stored_keys: usize, quiet_describe: MakeRequest) -> Result<Vec<String>, String> {
    let (big, one) = (account(&rig.emulator), account(&rig.emulator));
    let mut out = Vec::new();
    let rss_before = rss_mib();
    let started = Instant::now();
    let filled = measured(
        drive(
            rig.addr,
            64,
            Duration::ZERO,
            Duration::from_secs(600),
            imports(rig.base.clone(), big.clone(), "b".into(), Some(stored_keys as u64)),
        )
        .await?,
        "the large account's imports",
    )?;
    let fill_secs = started.elapsed().as_secs_f64();
    let stored = rig.stored(&big)?;
    out.push(format!(
        "{} imports into one account at 64 connections: {:.1} s ({:.0}/s, {} errors); RSS {:.0} MiB before, {:.0} MiB after (+{:.0} MiB, {:.0} B a key)",
        stored.len(),
        fill_secs,
        filled.requests as f64 / fill_secs.max(1e-9),
        filled.errors,
        rss_before,
        rss_mib(),
        rss_mib() - rss_before,
        (rss_mib() - rss_before) * 1024.0 * 1024.0 / stored.len().max(1) as f64
    ));

    let one_import =
        drive(rig.addr, 1, Duration::ZERO, Duration::from_secs(60), imports(rig.base.clone(), one.clone(), "o".into(), Some(1)));
    measured(one_import.await?, "the one-key account's import")?;
    let one_id = rig.stored(&one)?.first().map(|k| k.key_id.clone()).ok_or("the one-key account has no key")?;
    let big_id = spread(&stored, 1).pop().map(|k| k.key_id.clone()).ok_or("the big account has no key")?;
    let small =
        rig.drive(1, replay(sign(&rig.base, &one, "DescribeKeyPairs", &json!({"KeyIds": [one_id]}))), "Describe by id, one key").await?;
    let large =
        rig.drive(1, replay(sign(&rig.base, &big, "DescribeKeyPairs", &json!({"KeyIds": [big_id]}))), "Describe by id, many keys").await?;
    out.push("DescribeKeyPairs by id, 1 connection:".into());
    out.push(row("account with 1 key", &small, None));
    out.push(row(&format!("account with {} keys", stored.len()), &large, None));
    out.push(format!("  median ratio large / small: {:.2}", large.percentile_ms(0.5) / small.percentile_ms(0.5).max(1e-9)));

    let hundred: Vec<String> = spread(&stored, 100).into_iter().map(|k| k.key_id.clone()).collect();
    let flood = replay(sign(&rig.base, &big, "DescribeKeyPairs", &json!({"KeyIds": hundred, "Limit": 100})));
    let quiet_alone = rig.drive(1, quiet_describe.clone(), "the quiet account alone").await?;
    let (quiet_flooded, flooding) =
        tokio::join!(rig.drive(1, quiet_describe, "the quiet account under the flood"), rig.drive(16, flood, "the flood"));
    out.push(format!("isolation: a quiet account's Describe (1 connection) while another runs 100-KeyIds Describes in its {}-key account at 16 connections:", stored.len()));
    out.push(row("quiet account alone", &quiet_alone, None));
    out.push(row("quiet account under the flood", &quiet_flooded?, None));
    out.push(row("the flood (100 KeyIds) x16", &flooding?, None));
    Ok(out)
}

/// `n` of the stored keys spread evenly over them (the middle one for one), so a lookup is timed
/// at no favoured end of the account; all of them when there are no more than `n`.
fn spread<T>(stored: &[T], n: usize) -> Vec<&T> {
    let n = n.min(stored.len());
    (0..n).map(|i| &stored[(2 * i + 1) * stored.len() / (2 * n)]).collect()
}

/// `n` connections each send the head and most of a `body_bytes` body, then stall; RSS is read
/// while they are held and after they close.
async fn bodies(addr: SocketAddr, settings: &CeilingSettings) -> Result<String, String> {
    let before = rss_mib();
    let chunk = Bytes::from(vec![b' '; 64 * 1024]);
    let mut streams = Vec::new();
    for _ in 0..settings.bodies {
        let mut stream = tokio::net::TcpStream::connect(addr).await.map_err(|e| e.to_string())?;
        let head =
            format!("POST / HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n", settings.body_bytes);
        stream.write_all(head.as_bytes()).await.map_err(|e| e.to_string())?;
        streams.push(stream);
    }
    let deadline = Instant::now() + settings.body_deadline;
    let sent = Arc::new(AtomicU64::new(0));
    let mut writers = tokio::task::JoinSet::new();
    for mut stream in streams {
        let (chunk, sent, total) = (chunk.clone(), sent.clone(), settings.body_bytes - 1);
        writers.spawn(async move {
            let mut written = 0;
            while written < total {
                let n = chunk.len().min(total - written);
                let left = deadline.saturating_duration_since(Instant::now());
                match tokio::time::timeout(left, stream.write_all(&chunk[..n])).await {
                    Ok(Ok(())) => written += n,
                    _ => break,
                }
            }
            sent.fetch_add(written as u64, Ordering::Relaxed);
            stream
        });
    }
    let mut streams = Vec::new();
    while let Some(stream) = writers.join_next().await {
        streams.push(stream.map_err(|e| e.to_string())?);
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    // A body the emulator answered (one over its limit gets 413 at once) is not held: the RSS
    // would not be the bodies'.
    let answered = streams
        .iter()
        .filter(|stream| !matches!(stream.try_read(&mut [0u8; 1]), Err(e) if e.kind() == std::io::ErrorKind::WouldBlock))
        .count();
    if answered > 0 {
        return Err(format!(
            "{answered} of {} connections were answered (or closed) before their {} B body was complete, so the RSS held would not be theirs (the emulator's body limit is {} B)",
            streams.len(),
            settings.body_bytes,
            EmulatorConfig::default().max_body_bytes
        ));
    }
    let held = rss_mib();
    drop(streams);
    tokio::time::sleep(Duration::from_secs(2)).await;
    let after = rss_mib();
    Ok(format!(
        "{} unfinished {:.0} MiB bodies ({:.0} MiB sent by the clients within {:.1} s): RSS {before:.0} MiB before, {held:.0} MiB held (+{:.0}), {after:.0} MiB 2 s after they closed (+{:.0})",
        settings.bodies,
        settings.body_bytes as f64 / 1048576.0,
        sent.load(Ordering::Relaxed) as f64 / 1048576.0,
        settings.body_deadline.as_secs_f64(),
        held - before,
        after - before
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(requests: u64) -> Load {
        let mut load = Load::default();
        (load.requests, load.seconds) = (requests, 1.0);
        load
    }

    #[test]
    fn synthetic_public_keys_are_distinct_2048_bit_rsa_keys() {
        let (a, b) = (synthetic_public_key(), synthetic_public_key());
        assert_ne!(a, b);
        for line in (0..20).map(|_| synthetic_public_key()).chain([a, b]) {
            let key = crate::keys::parse_openssh_public(&line).unwrap_or_else(|e| panic!("{e}: {line}"));
            assert_eq!((key.algorithm.as_str(), key.rsa_bits), ("ssh-rsa", Some(2048)), "{line}");
            // An RSA modulus is odd: the blob ends with the modulus.
            assert_eq!(key.blob.last().map(|byte| byte & 1), Some(1), "{line}");
        }
    }

    #[test]
    fn the_warm_up_is_300_ms_or_less_for_a_short_measurement() {
        assert_eq!(
            [warmup_for(1.0), warmup_for(5.0), warmup_for(0.1)],
            [Duration::from_millis(300), Duration::from_millis(300), Duration::from_secs_f64(0.1 * 0.3)]
        );
    }

    #[test]
    fn enough_imports_are_signed_for_half_as_many_again_as_the_ceiling_answered() {
        assert_eq!(imports_needed(10_000.0, Duration::from_millis(1300)), 20_500);
        assert_eq!(imports_needed(0.0, Duration::from_secs(1)), 1000);
    }

    /// Each pre-signed import is sent once; the one asked for past the last ends its connection and
    /// says they ran out.
    #[tokio::test]
    async fn pre_signed_imports_are_handed_out_once_and_say_when_they_run_out() {
        let emulator = Emulator::new(EmulatorConfig::default());
        let base: reqwest::Url = "http://127.0.0.1:9/".parse().unwrap();
        let (make, ran_out) = presigned_imports(&base, &account(&emulator), "t", 3).await.unwrap();
        let mut bodies = Vec::new();
        for seq in 0..3 {
            let request = make(0, seq).expect("three were signed");
            bodies.push(http_body_util::BodyExt::collect(request.into_body()).await.unwrap().to_bytes());
            assert!(!ran_out.load(Ordering::Relaxed));
        }
        bodies.sort();
        bodies.dedup();
        assert_eq!(bodies.len(), 3, "three distinct imports");
        assert!(make(1, 0).is_none());
        assert!(ran_out.load(Ordering::Relaxed));
    }

    /// The bench's accounts measure the emulator, not its throttle, and hold the 100,000 keys of the
    /// large account (CVM's default quota would refuse them).
    #[test]
    fn bench_accounts_have_no_rate_limits_and_room_for_the_large_account() {
        let emulator = Emulator::new(EmulatorConfig::default());
        let account = account(&emulator);
        let key_pairs = emulator::tencent_cvm::settings::QUOTA_KEY_PAIRS;
        assert_eq!(account.quota(key_pairs, 0), 10_000_000);
        assert!(account.quota(key_pairs, 0) >= CeilingSettings::default().stored_keys as u64);
        assert!(!account.with_settings(|s| s.rate_limits));
    }

    #[test]
    fn a_load_with_an_error_answer_or_none_is_refused_and_named() {
        let mut failed = load(10);
        failed.errors = 1;
        let refused = measured(failed, "DescribeKeyPairs x16, round 2").unwrap_err();
        assert!(refused.starts_with("DescribeKeyPairs x16, round 2: 1 of 10 answers were errors"), "{refused}");
        assert_eq!(
            measured(load(0), "the flood").unwrap_err(),
            "the flood: no request was sent in the measured window (none could be built, or one answer outlasted the window; a longer --seconds helps)"
        );
        assert_eq!(measured(load(10), "x").unwrap().requests, 10);
    }

    /// The whole of `bench`'s emulator measurements, small: every load is answered without an
    /// error (or the run fails), and each section prints its lines.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn every_measurement_runs_small_and_is_answered() {
        let settings =
            CeilingSettings { seconds: 0.2, rounds: 1, stored_keys: 30, bodies: 2, body_bytes: 1 << 20, ..CeilingSettings::default() };
        let lines = run(&settings).await.unwrap();
        let text = lines.join("\n");
        crate::test_support::assert_contains_all(
            &text,
            &[
                "30 imports into one account at 64 connections",
                "0 errors); RSS",
                "account with 30 keys",
                "median ratio large / small",
                "quiet account under the flood",
                "2 unfinished 1 MiB bodies (2 MiB sent by the clients within 5.0 s)",
                "ms warm-up, 1 interleaved rounds",
                "RSS at start",
            ],
        );
        for connections in [1, 16, 64] {
            for label in [
                "ceiling (bare handler)",
                "ceiling, Describe's bytes",
                "ceiling, Import's bytes",
                "ceiling, 5 µs of work",
                "DescribeKeyPairs",
                "ImportKeyPair",
            ] {
                let row = lines
                    .iter()
                    .find(|l| l.contains(&format!("{label} x{connections} ")))
                    .unwrap_or_else(|| panic!("no {label} x{connections} in:\n{text}"));
                assert!(row.contains("errors   0"), "{row}");
                assert!(rate_of(row) > 0.0, "{row}");
            }
        }
        let only = run(&CeilingSettings { only: Some(BenchSection::Bodies), ..settings }).await.unwrap();
        assert_eq!(only.len(), 1, "{only:?}");
    }

    #[test]
    fn keys_are_picked_evenly_over_the_account() {
        let stored: Vec<usize> = (0..10).collect();
        assert_eq!(spread(&stored, 1), [&5]);
        assert_eq!(spread(&stored, 5), [&1, &3, &5, &7, &9]);
        assert_eq!(spread(&stored, 100).len(), 10);
        assert!(spread(&stored[..0], 1).is_empty());
    }

    /// A body over the emulator's limit is answered at once, so nothing is held to measure.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn bodies_the_emulator_answers_are_not_measured_as_held() {
        let handle = crate::emulator::start_for_tests().await.unwrap();
        let settings =
            CeilingSettings { bodies: 1, body_bytes: EmulatorConfig::default().max_body_bytes + 2, ..CeilingSettings::default() };
        let refused = bodies(handle.addr, &settings).await.unwrap_err();
        assert!(refused.starts_with("1 of 1 connections were answered (or closed) before their"), "{refused}");
    }

    /// A server that reads slower than the clients write blocks their writes now and then: they go
    /// on until the body is sent or the deadline passes, so the bodies are whole (less the byte that
    /// keeps them unfinished), not what the socket buffers took at once.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn clients_keep_sending_bodies_to_a_slow_reader_until_the_deadline() {
        use tokio::io::AsyncReadExt;
        let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0))).await.unwrap();
        let addr = listener.local_addr().unwrap();
        // Reads 64 KiB a millisecond at most, and never answers.
        let reader = tokio::spawn(async move {
            let (mut stream, _) = listener.accept().await.unwrap();
            let mut buffer = vec![0u8; 64 << 10];
            while stream.read(&mut buffer).await.is_ok_and(|n| n > 0) {
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
        });
        let settings =
            CeilingSettings { bodies: 1, body_bytes: 64 << 20, body_deadline: Duration::from_secs(20), ..CeilingSettings::default() };
        let line = bodies(addr, &settings).await.unwrap();
        assert!(line.starts_with("1 unfinished 64 MiB bodies (64 MiB sent by the clients within 20.0 s)"), "{line}");
        reader.abort();
    }

    /// The requests/s a row shows.
    fn rate_of(row: &str) -> f64 {
        row.split(" req/s")
            .next()
            .and_then(|head| head.split_whitespace().last())
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("no rate in {row}"))
    }

    #[test]
    fn a_route_is_compared_with_the_bare_handler_sent_its_bytes() {
        assert_eq!(same_bytes(&load(50), &load(100)), "  (0.50x of the same bytes)");
    }

    #[test]
    fn the_median_round_is_the_middle_rate_with_the_range_beside_it() {
        let median = Median::of(vec![load(300), load(100), load(200)]);
        assert_eq!((median.load.requests, median.slowest, median.fastest, median.rounds), (200, 100.0, 300.0, 3));
        let line = median.row("x", None);
        assert!(line.ends_with("[3 rounds 100–300 req/s]"), "{line}");
        assert!(Median::of(vec![load(1), load(2)]).row("x", None).ends_with("[2 rounds 1–2 req/s]"));
        // One round has no range to show.
        assert!(!Median::of(vec![load(5)]).row("x", None).contains("rounds"));
    }
}
