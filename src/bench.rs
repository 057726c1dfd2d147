//! `keypair-contract bench`: measurements that decide design choices, all in one run so the
//! figures compare as ratios on the same machine and load.
//!
//! - RSA-2048 key generation, the emulator's dominant cost: the `rsa` crate (used) against
//!   aws-lc-rs, interleaved key by key so machine noise hits both alike.
//! - Emulator round trips through the harness's own client on loopback: a cheap signed call
//!   (DescribeKeyPairs) and a key-generating one (CreateKeyPair), sequential and concurrent.
//! - JSON Schema compile against validate, which is why schemas are compiled once per run.
//!
//! Returns data; the command prints it.

pub mod ceiling;
pub mod load;

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::json;

use crate::apis::{Call, Credentials, Signing, build_request, tencent_api3::CVM};
use crate::check::schema::SchemaSet;
use crate::clock::{Clock, SystemClock};
use crate::emulator;

/// Timings of one measured operation.
#[derive(Debug, Clone)]
pub struct Sample {
    pub label: String,
    pub times: Vec<Duration>,
}

impl Sample {
    fn sorted_ms(&self) -> Vec<f64> {
        let mut ms: Vec<f64> = self.times.iter().map(|d| d.as_secs_f64() * 1000.0).collect();
        ms.sort_by(|a, b| a.total_cmp(b));
        ms
    }

    pub fn median_ms(&self) -> f64 {
        let ms = self.sorted_ms();
        if ms.is_empty() { 0.0 } else { ms[ms.len() / 2] }
    }

    pub fn mean_ms(&self) -> f64 {
        let ms = self.sorted_ms();
        if ms.is_empty() { 0.0 } else { ms.iter().sum::<f64>() / ms.len() as f64 }
    }

    /// Nearest-rank 90th percentile.
    pub fn p90_ms(&self) -> f64 {
        let ms = self.sorted_ms();
        if ms.is_empty() { 0.0 } else { ms[((ms.len() * 9).div_ceil(10)).saturating_sub(1)] }
    }
}

/// Every request the bench sends: a TC3-signed POST of `action` to CVM's default region, as a
/// default SDK client sends it. TC3 signs no nonce, so one request can be replayed.
pub(crate) fn cvm_call<'a>(action: &'a str, params: &'a serde_json::Value) -> Call<'a> {
    Call { action, version: CVM.default_version, region: Some(CVM.default_region), method: "POST", signing: Signing::Tc3, params }
}

/// RSA-2048 generation with both backends, `n` keys each, interleaved.
pub fn keygen(n: usize) -> Result<(Sample, Sample), String> {
    let mut rsa = Sample { label: "rsa 0.10 (used)".into(), times: Vec::new() };
    let mut awslc = Sample { label: "aws-lc-rs".into(), times: Vec::new() };
    for _ in 0..n {
        let started = Instant::now();
        crate::keys::generate_rsa(2048).map_err(|e| e.to_string())?;
        rsa.times.push(started.elapsed());
        let started = Instant::now();
        aws_lc_rs::rsa::KeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa2048).map_err(|_| "aws-lc-rs key generation failed".to_string())?;
        awslc.times.push(started.elapsed());
    }
    Ok((rsa, awslc))
}

/// `requests` signed calls of `action` against an embedded emulator, `concurrency` at a time;
/// returns per-request latencies and the wall time.
pub async fn round_trips(action: &str, requests: usize, concurrency: usize) -> Result<(Sample, Duration), String> {
    let handle = emulator::start_for_tests().await.map_err(|e| e.to_string())?;
    let base: reqwest::Url = handle.base_url().parse().map_err(|e| format!("{e}"))?;
    let client = reqwest::Client::new();
    // An account without rate limits: this measures the emulator, not its throttle.
    let created: serde_json::Value = client
        .post(format!("{}/_emulator/accounts", handle.base_url()))
        .json(&json!({"rate_limits": false}))
        .send()
        .await
        .map_err(|e| e.to_string())?
        .json()
        .await
        .map_err(|e| e.to_string())?;
    let credentials = Credentials {
        id: created["secret_id"].as_str().unwrap_or_default().into(),
        secret: created["secret_key"].as_str().unwrap_or_default().into(),
    };
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let semaphore = Arc::new(tokio::sync::Semaphore::new(concurrency.max(1)));
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..requests {
        let (client, base, credentials, clock, semaphore) =
            (client.clone(), base.clone(), credentials.clone(), clock.clone(), semaphore.clone());
        let action = action.to_string();
        tasks.spawn(async move {
            let _permit = semaphore.acquire_owned().await;
            let params = if action == "CreateKeyPair" { json!({"KeyName": format!("bench_{i}"), "ProjectId": 0}) } else { json!({}) };
            let outgoing = build_request(&CVM, &base, &cvm_call(&action, &params), &credentials, clock.now_secs(), 0)?;
            let t = Instant::now();
            let mut request = client.post(&outgoing.url).body(outgoing.body);
            for (name, value) in &outgoing.headers {
                request = request.header(name, value);
            }
            let body: serde_json::Value = request.send().await.map_err(|e| e.to_string())?.json().await.map_err(|e| e.to_string())?;
            if let Some(code) = body.pointer("/Response/Error/Code") {
                return Err(format!("{action} failed: {code}"));
            }
            Ok::<_, String>(t.elapsed())
        });
    }
    let mut sample = Sample { label: format!("{action} ×{requests}, {concurrency} at a time"), times: Vec::new() };
    while let Some(joined) = tasks.join_next().await {
        sample.times.push(joined.map_err(|e| e.to_string())??);
    }
    Ok((sample, started.elapsed()))
}

/// A burst of `n` CreateKeyPair (4 at a time) from a pool of `n` pre-generated keys, beside the
/// same burst generated on request; the pool is configured for this measurement only.
pub async fn key_pool_burst(n: usize) -> Result<String, String> {
    use crate::emulator::keypool::{self, KeyPoolSettings};
    let (cold, cold_wall) = round_trips("CreateKeyPair", n, 4).await?;
    keypool::configure(KeyPoolSettings { pregenerate: n, ..KeyPoolSettings::default() });
    let pool = keypool::global();
    pool.wait_ready(n, Duration::from_secs(120)).await;
    let (warm, warm_wall) = round_trips("CreateKeyPair", n, 4).await?;
    let stats = pool.stats();
    // Back to no background generation for whatever runs next.
    keypool::configure(KeyPoolSettings::default());
    served_in_full(stats.from_pool, n)?;
    Ok(format!(
        "key pool: {n} CreateKeyPair, 4 at a time: generated on request {:.0}/s (median {:.1} ms); from the pool {:.0}/s (median {:.2} ms); {} from the pool, {} generated",
        n as f64 / cold_wall.as_secs_f64(),
        cold.median_ms(),
        n as f64 / warm_wall.as_secs_f64(),
        warm.median_ms(),
        stats.from_pool,
        stats.generated
    ))
}

/// A burst the pool did not serve in full (it had not filled) timed generated keys too, so its
/// figure is refused.
fn served_in_full(from_pool: u64, n: usize) -> Result<(), String> {
    if from_pool >= n as u64 {
        return Ok(());
    }
    Err(format!(
        "the key pool served {from_pool} of the {n} CreateKeyPair (it had not filled in 120 s), so the 'from the pool' figure would time generated keys"
    ))
}

/// Compiling every response schema against validating one answer `n` times.
pub fn schemas(root: &std::path::Path, n: usize) -> Result<(Duration, Duration), String> {
    const SCHEMA: &str = "tencent-cvm/CreateKeyPair.json";
    let started = Instant::now();
    let set = SchemaSet::load(root)?;
    let compile = started.elapsed();
    let answer = json!({"Response": {"KeyPair": {"KeyId": "skey-mv9yzyjj", "KeyName": "Tencent", "ProjectId": 0,
        "PublicKey": "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQDP0Yw2T4itUKOJQIK69c1Asy1UO88cxEbujR5Jbr0e skey_112168",
        "PrivateKey": "-----BEGIN RSA PRIVATE KEY-----\nMIICXgIBAAKBgQDP0Yw2T4itUKOJQIK69c1Asy1UO88cxEbujR5Jbr0e\n-----END RSA PRIVATE KEY-----\n"},
        "RequestId": "6ef60bec-0242-43af-bb20-270359fb54a7"}});
    // An answer the schema refused would time the refusal: the figure is of a valid answer.
    set.validate(SCHEMA, &answer).map_err(|errors| format!("the bench's answer does not pass schemas/{SCHEMA}: {}", errors.join("; ")))?;
    let started = Instant::now();
    for _ in 0..n {
        let _ = set.validate(SCHEMA, &answer);
    }
    Ok((compile, started.elapsed() / n.max(1) as u32))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statistics_use_nearest_rank() {
        let sample =
            Sample { label: "x".into(), times: [5, 1, 4, 2, 3, 10, 6, 7, 8, 9].iter().map(|ms| Duration::from_millis(*ms)).collect() };
        assert_eq!(sample.median_ms(), 6.0);
        assert_eq!(sample.p90_ms(), 9.0);
        assert_eq!(sample.mean_ms(), 5.5);
        assert_eq!(Sample { label: "empty".into(), times: vec![] }.median_ms(), 0.0);
        assert_eq!(Sample { label: "empty".into(), times: vec![] }.mean_ms(), 0.0);
        assert_eq!(Sample { label: "empty".into(), times: vec![] }.p90_ms(), 0.0);
        // Microseconds come out as fractions of a millisecond.
        assert_eq!(Sample { label: "µs".into(), times: vec![Duration::from_micros(1500)] }.median_ms(), 1.5);
    }

    #[test]
    fn the_bench_sends_tc3_signed_posts_to_cvm() {
        let params = json!({"KeyName": "k"});
        let call = cvm_call("CreateKeyPair", &params);
        assert_eq!(
            (call.action, call.version, call.region, call.method, call.signing, call.params),
            ("CreateKeyPair", "2017-03-12", Some("ap-guangzhou"), "POST", Signing::Tc3, &params)
        );
    }

    #[test]
    fn a_burst_the_pool_did_not_serve_in_full_is_refused() {
        assert_eq!(served_in_full(32, 32), Ok(()));
        let refused = served_in_full(31, 32).unwrap_err();
        assert!(refused.starts_with("the key pool served 31 of the 32 CreateKeyPair"), "{refused}");
    }

    #[test]
    fn keygen_times_each_backend_once_a_key() {
        let (rsa, awslc) = keygen(2).unwrap();
        assert_eq!((rsa.times.len(), awslc.times.len()), (2, 2));
        assert!(rsa.times.iter().chain(&awslc.times).all(|t| !t.is_zero()));
    }

    /// Every call is answered with success (an error would end the run), one time each.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn round_trips_time_each_answered_call() {
        for (action, requests) in [("DescribeKeyPairs", 12), ("CreateKeyPair", 3)] {
            let (sample, wall) = round_trips(action, requests, 2).await.unwrap();
            assert_eq!(sample.times.len(), requests, "{action}");
            assert!(sample.times.iter().all(|t| *t <= wall), "{action}: a call took longer than the run");
            assert_eq!(sample.label, format!("{action} ×{requests}, 2 at a time"));
        }
    }

    #[test]
    fn schemas_time_a_valid_answer() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let started = Instant::now();
        let (compile, validate) = schemas(root, 50).unwrap();
        let wall = started.elapsed();
        assert!(!validate.is_zero() && compile > validate, "compile {compile:?}, validate {validate:?}");
        // One validation's time, not the loop's: 50 of them fit in the call.
        assert!(compile + validate * 50 <= wall, "compile {compile:?}, validate {validate:?}, the whole call {wall:?}");
    }
}
