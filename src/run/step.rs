//! One step: render, sign, send (once, or a burst at once), and judge the answers.

use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;

use crate::case::Step;
use crate::clock::Clock;
use crate::providers::{ApiProfile, Call, Credentials, build_request};

/// How long one request may take before it counts as failed (nothing hangs).
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);

/// One answer.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: u16,
    pub body: Value,
}

/// Sends `params` for `step` `times` times at once.
#[allow(clippy::too_many_arguments)]
pub async fn send(
    client: &reqwest::Client,
    profile: &'static ApiProfile,
    base: &reqwest::Url,
    step: &Step,
    params: &Value,
    credentials: &Credentials,
    clock: &Arc<dyn Clock>,
    times: u32,
) -> Result<Vec<Answer>, String> {
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..times {
        let call = Call {
            action: &step.action,
            version: &step.version,
            region: step.region.as_deref(),
            method: &step.method,
            signing: step.signing,
            params,
        };
        let nonce: u64 = rand::random::<u32>() as u64 + 1;
        let outgoing = build_request(profile, base, &call, credentials, clock.now_secs(), nonce)?;
        let client = client.clone();
        tasks.spawn(async move {
            let method = reqwest::Method::from_bytes(outgoing.method.as_bytes()).map_err(|e| e.to_string())?;
            let mut request = client.request(method, &outgoing.url).timeout(REQUEST_TIMEOUT).body(outgoing.body);
            for (name, value) in &outgoing.headers {
                request = request.header(name, value);
            }
            let response = request.send().await.map_err(|e| format!("request failed: {e}"))?;
            let status = response.status().as_u16();
            let text = response.text().await.map_err(|e| format!("reading the response failed: {e}"))?;
            let body = serde_json::from_str(&text).map_err(|_| {
                let shown: String = crate::check::secrets::scrub_text(&text).chars().take(300).collect();
                format!("the response (HTTP {status}) is not JSON: {shown}")
            })?;
            Ok::<_, String>((i, Answer { status, body }))
        });
    }
    let mut answers = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        answers.push(joined.map_err(|e| format!("request task failed: {e}"))??);
    }
    answers.sort_by_key(|(i, _)| *i);
    Ok(answers.into_iter().map(|(_, a)| a).collect())
}
