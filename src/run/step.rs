//! One step on the wire: sign and send (once, paced and retried; or a burst at once). Judging the
//! answers is [`super::judge`]'s.

use std::time::Duration;

use serde_json::Value;

use super::exchange::{Exchange, RequestView, ResponseView};
use super::runner::RunContext;
use super::target::Lease;
use super::{record, retry};
use crate::apis::{ApiProfile, build_request_with_token};
use crate::case::Step;

/// How long one request may take before it counts as failed (nothing hangs).
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);

/// One answer. (`--verbose` shows it through `judge::exchange_text`; the redacted HTTP exchange
/// goes only to a recording, so a replayed answer carries none.)
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: u16,
    pub body: Value,
    /// An earlier try of this delete was lost (no answer, or a 5xx) and may have acted: then this
    /// answer may describe the state that try left (the retry finds nothing to delete), not what
    /// the step meant to test. Creates are undone before their retry and reads change nothing,
    /// so their answers never carry it.
    pub after_unknown_outcome: bool,
}

/// What every request of one conversation shares: the run, whose request it is (a case id, or
/// `sweep`, `account-guard`: where recordings and replays file it), the API, its endpoint and the
/// account's lease.
#[derive(Clone, Copy)]
pub struct Channel<'a> {
    pub ctx: &'a RunContext,
    pub tag: &'a str,
    pub api: &'static ApiProfile,
    pub base: &'a reqwest::Url,
    pub lease: &'a Lease,
}

/// Sends `params` for `step`: once, paced and retried ([`send_one`]); or, in a case that probes a
/// rate limit (`probe`), `times` at once with neither pacer nor retry.
pub async fn send(channel: Channel<'_>, step: &Step, params: &Value, times: u32, probe: bool) -> Result<Vec<Answer>, String> {
    if !probe {
        return Ok(vec![send_one(channel, step, params, true).await?]);
    }
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..times {
        let (ctx, tag, api, base, lease) =
            (channel.ctx.clone(), channel.tag.to_string(), channel.api, channel.base.clone(), channel.lease.clone());
        let (step, params) = (step.clone(), params.clone());
        tasks.spawn(async move {
            let channel = Channel { ctx: &ctx, tag: &tag, api, base: &base, lease: &lease };
            // The probe is of the rate limit: a throttling answer is the result, never retried. A
            // lost request or a 5xx says nothing of the limit, so it is tried again (bounded).
            let mut try_number = 1;
            loop {
                let outcome = attempt(channel, &step, &params).await?;
                let last = try_number >= retry::MAX_ATTEMPTS || ctx.replay.is_some();
                match outcome {
                    Ok(answer) if answer.status < 500 || last => return Ok::<_, String>((i, answer)),
                    Err(lost) if last => return Err(lost.message),
                    _ => tokio::time::sleep(retry::backoff(try_number)).await,
                }
                try_number += 1;
            }
        });
    }
    let mut answers = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        answers.push(joined.map_err(|e| format!("request task failed: {e}"))??);
    }
    answers.sort_by_key(|(i, _)| *i);
    Ok(answers.into_iter().map(|(_, a)| a).collect())
}

/// One request, paced per product and action and retried on throttling and transient failures.
/// A create or import whose outcome is unknown (no answer, or a 5xx) is not re-sent blindly: the key pair
/// is looked up by name first and, if the lost request made it, deleted, so the retry makes
/// neither a duplicate nor an orphan (`resolve_unknown`). The last try's lost or 5xx answer is
/// looked up too: giving up leaves nothing behind.
pub async fn send_one(channel: Channel<'_>, step: &Step, params: &Value, resolve_unknown_creates: bool) -> Result<Answer, String> {
    let Channel { ctx, api: profile, lease, .. } = channel;
    let mut last_problem = String::new();
    let mut unknown_before = false;
    for try_number in 1..=retry::MAX_ATTEMPTS {
        if let Some(wait) = retry::wait_before(try_number) {
            tokio::time::sleep(wait).await;
        }
        if ctx.replay.is_none() {
            ctx.pacer.wait(&lease.credentials.id, profile.name, &step.action).await;
        }
        let creates = resolve_unknown_creates && profile.creates.iter().any(|(action, _)| *action == step.action);
        // Whether the cloud may have acted although the answer says nothing of it.
        let outcome_unknown = match attempt(channel, step, params).await? {
            Ok(answer) => match retry::retry_reason(profile, answer.status, &answer.body) {
                Some(reason) if try_number < retry::MAX_ATTEMPTS && ctx.replay.is_none() => {
                    last_problem = reason;
                    answer.status >= 500
                }
                _ => {
                    // The last try of a create answered 5xx: the cloud may still have made the key
                    // pair. It is undone before the case judges the answer, so none is left behind.
                    if creates && answer.status >= 500 && ctx.replay.is_none() {
                        Box::pin(super::inventory::undo_lost_create(channel, step, params)).await?;
                    }
                    return Ok(Answer { after_unknown_outcome: unknown_before, ..answer });
                }
            },
            // (A replay never loses an answer: it answers from the recording or fails outright.)
            Err(lost) => {
                last_problem = lost.message.clone();
                true
            }
        };
        if creates && outcome_unknown {
            // Boxed: the lookup sends requests of its own through this function.
            Box::pin(super::inventory::undo_lost_create(channel, step, params)).await?;
        } else if outcome_unknown && step.action == profile.delete.0 {
            // A delete cannot be undone: the next answer may describe what the lost try did.
            unknown_before = true;
        }
    }
    Err(format!("{} {}: gave up after {} tries: {last_problem}", profile.name, step.action, retry::MAX_ATTEMPTS))
}

/// A request that got no usable answer.
#[derive(Debug)]
pub struct Lost {
    pub message: String,
}

/// One try: the recorded answer when replaying, else build, sign and send. The outer error is a
/// setup problem (nothing to retry), the inner one a lost request.
async fn attempt(channel: Channel<'_>, step: &Step, params: &Value) -> Result<Result<Answer, Lost>, String> {
    let Channel { ctx, tag: case_id, api: profile, base, lease } = channel;
    let key = record::request_key(step.region.as_deref(), &step.method, step.signing.as_str(), &step.version, params);
    if let Some(replay) = &ctx.replay {
        let (status, body) = replay.answer(case_id, profile.name, &step.action, &key).await?;
        return Ok(Ok(Answer { status, body, after_unknown_outcome: false }));
    }
    let call = step.call(params);
    let nonce: u64 = rand::random::<u32>() as u64 + 1;
    let outgoing = build_request_with_token(profile, base, &call, &lease.credentials, lease.token.as_deref(), ctx.clock.now_secs(), nonce)?;
    // What a recording keeps of the request, redacted (made only when recording).
    let sent = ctx.recorder.as_ref().map(|_| RequestView::of(&outgoing));
    let method = reqwest::Method::from_bytes(outgoing.method.as_bytes()).map_err(|e| e.to_string())?;
    let mut request = ctx.client.request(method, &outgoing.url).timeout(REQUEST_TIMEOUT).body(outgoing.body);
    for (name, value) in &outgoing.headers {
        request = request.header(name, value);
    }
    let response = match request.send().await {
        Ok(response) => response,
        Err(e) => return Ok(Err(Lost { message: format!("request failed: {}", cause(&e)) })),
    };
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let text = match response.text().await {
        Ok(text) => text,
        Err(e) => return Ok(Err(Lost { message: format!("reading the response failed: {}", cause(&e)) })),
    };
    let content_type = headers.get(reqwest::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let body: Value = match profile.wire.parse_body(content_type, &text) {
        Ok(body) => body,
        Err(_) if status >= 500 => Value::Null,
        Err(format) => {
            let shown: String = crate::check::secrets::scrub_text(&text).chars().take(300).collect();
            return Err(format!("the response (HTTP {status}) is not {format}: {shown}"));
        }
    };
    if let (Some(recorder), Some(request)) = (&ctx.recorder, sent) {
        let marked = record::mark_private_keys(&body);
        // The body is recorded once, above the exchange.
        let response = ResponseView { body: "(the body above)".into(), ..ResponseView::of(status, &headers, &text) };
        let exchange = Exchange { request, response: Some(response) };
        recorder.add(
            case_id,
            record::Entry {
                api: profile.name.to_string(),
                action: step.action.clone(),
                request: key,
                status,
                body: serde_json::to_string_pretty(&marked).unwrap_or_default(),
                exchange,
            },
        );
    }
    Ok(Ok(Answer { status, body, after_unknown_outcome: false }))
}

/// An error with its causes (connection refused, timeout, TLS), without the URL's query.
fn cause(error: &reqwest::Error) -> String {
    // reqwest's own text names the URL, whose query may hold a signature: say the kind instead.
    let mut text = if error.is_timeout() {
        "timed out".to_string()
    } else if error.is_connect() {
        "could not connect".to_string()
    } else {
        "transport error".to_string()
    };
    let mut source = std::error::Error::source(error);
    while let Some(inner) = source {
        text.push_str(&format!(": {inner}"));
        source = inner.source();
    }
    text
}
