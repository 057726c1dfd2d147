//! The emulator as a hostile cloud (`serve --hostile`): throttling, server errors, connections
//! dropped mid-answer and added latency, injected at rates, so a client's pacing, retries and
//! cleanup are proven against the behaviours a live account shows under stress.
//!
//! A tower layer in front of the router ([`middleware`]), added only when a setting injects
//! something (off, the router has no such layer); the accounts, quotas, rules and the
//! documented rate limits behind it are exactly those of the default mode (rate limits are on for
//! every account unless the control API turns them off). The control API is never hostile. In the
//! order applied to a request:
//! 1. latency: a uniform delay in `0..=latency` before anything else;
//! 2. throttling at `throttle_rate`: the product's own throttling answer, the action not run —
//!    Tencent (API 3.0 and the legacy endpoint): HTTP 200 `RequestLimitExceeded`; Alibaba ECS:
//!    HTTP 400 `Throttling.User` (apis.md §1.3, §3.3);
//! 3. a server error at `error_rate`: HTTP 503 with a plain-text body, as a gateway answers, the
//!    action not run;
//! 4. a dropped connection at `drop_rate`: the action runs, then the connection is cut halfway
//!    through the answer (the client cannot know the outcome — it must describe before retrying).

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, Bytes, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use hyper::body::Frame;

use super::wire::{RawRequest, new_request_id};
use super::{Emulator, aliyun_ecs, control, tencent};

/// Rates are probabilities per request, 0.0 to 1.0; all zero (the default) is off.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct HostileSettings {
    pub throttle_rate: f64,
    pub error_rate: f64,
    pub drop_rate: f64,
    /// Up to this much delay before each request (uniform).
    pub latency: Duration,
}

impl HostileSettings {
    /// `serve --hostile`: 10 % throttled, 3 % server errors, 2 % dropped answers, up to 50 ms
    /// added — hostile enough that an unpaced, non-retrying client fails within a few dozen
    /// requests, mild enough that a client with bounded retries finishes.
    pub fn mix() -> Self {
        Self { throttle_rate: 0.10, error_rate: 0.03, drop_rate: 0.02, latency: Duration::from_millis(50) }
    }

    pub fn is_off(&self) -> bool {
        self.throttle_rate <= 0.0 && self.error_rate <= 0.0 && self.drop_rate <= 0.0 && self.latency.is_zero()
    }
}

fn roll(rate: f64) -> bool {
    rate > 0.0 && rand::random::<f64>() < rate
}

/// The middleware, hooked into [`super::router`] as `axum::middleware::from_fn_with_state`.
pub async fn middleware(State(emulator): State<Arc<Emulator>>, request: Request, next: Next) -> Response {
    let settings = &emulator.config.server.hostile;
    if settings.is_off() || request.uri().path().starts_with(control::PREFIX) {
        return next.run(request).await;
    }
    if !settings.latency.is_zero() {
        let nanos = settings.latency.as_nanos() as u64;
        tokio::time::sleep(Duration::from_nanos(rand::random::<u64>() % (nanos + 1))).await;
    }
    if roll(settings.throttle_rate) {
        return throttled(&emulator, &buffered(request, emulator.config.max_body_bytes).await);
    }
    if roll(settings.error_rate) {
        let mut response = (StatusCode::SERVICE_UNAVAILABLE, "503 Service Unavailable (injected by serve --hostile)\n").into_response();
        response.headers_mut().insert(header::CONNECTION, HeaderValue::from_static("close"));
        return response;
    }
    let response = next.run(request).await;
    if roll(settings.drop_rate) { cut_short(response).await } else { response }
}

/// The request as a [`RawRequest`], to tell its product: read as the front door reads it (the same
/// header copies, the same body limit and body problems).
async fn buffered(request: Request, limit: usize) -> RawRequest {
    let (mut raw, body) = super::http::head_of(request, limit);
    super::http::read_body(&mut raw, body, limit).await;
    raw
}

/// The product's own throttling answer; a request no product claims gets Tencent's. Tencent's
/// message names a rate: the injected answer names CVM's documented 10 per second.
fn throttled(emulator: &Emulator, raw: &RawRequest) -> Response {
    let request_id = new_request_id();
    if emulator.providers.route(raw).is_some_and(|p| p.name() == aliyun_ecs::API)
        && let Some(ecs) = emulator.provider::<aliyun_ecs::Ecs>()
    {
        // Answered as ECS itself would throttle: its Format reading and its HostId.
        let params = aliyun_ecs::request::Params::of(raw);
        let (format, _) = aliyun_ecs::request::format(&params, raw, ecs.settings.gateway.format_without_parameter);
        let host = aliyun_ecs::host_id(&params, &ecs.settings);
        let error = aliyun_ecs::errors::EcsError::new(aliyun_ecs::errors::EcsCode::ThrottlingUser);
        return aliyun_ecs::render::error("hostile".into(), &request_id, &host, &error, format).response;
    }
    tencent::render(&emulator.config.tencent, "hostile".into(), &request_id, Err(tencent::error::TencentError::request_limit_exceeded(10)))
        .response
}

/// The response with its full `Content-Length` but only the first half of its body, then an
/// error, so hyper aborts the connection mid-answer.
async fn cut_short(response: Response) -> Response {
    let (mut parts, body) = response.into_parts();
    let bytes = to_bytes(body, usize::MAX).await.unwrap_or_default();
    // hyper keeps to a Content-Length the response sets, whatever its body's size hint.
    parts.headers.insert(header::CONTENT_LENGTH, HeaderValue::from(bytes.len()));
    let half = bytes.slice(..bytes.len() / 2);
    let pause = Box::pin(tokio::time::sleep(Duration::from_millis(20)));
    Response::from_parts(parts, Body::new(CutShort { first: Some(half), pause }))
}

/// Half a body, a pause (so hyper flushes the head and that half), then an error.
struct CutShort {
    first: Option<Bytes>,
    pause: Pin<Box<tokio::time::Sleep>>,
}

impl hyper::body::Body for CutShort {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        if let Some(half) = self.first.take() {
            return Poll::Ready(Some(Ok(Frame::data(half))));
        }
        match self.pause.as_mut().poll(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(()) => {
                Poll::Ready(Some(Err(std::io::Error::new(std::io::ErrorKind::ConnectionReset, "dropped by serve --hostile"))))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::apis::{ApiProfile, Call, Credentials, aliyun_rpc::ECS, build_request, tencent_api3::CVM};
    use crate::clock::{Clock, SystemClock};
    use crate::emulator::{EmulatorConfig, accounts};
    use serde_json::{Value, json};
    use tower::ServiceExt;

    fn emulator(hostile: HostileSettings) -> Arc<Emulator> {
        let mut config = EmulatorConfig { control_api: true, ..EmulatorConfig::default() };
        config.server.hostile = hostile;
        Emulator::new(config).with_default_account()
    }

    fn signed(profile: &ApiProfile, action: &str, params: Value, nonce: u64) -> axum::http::Request<Body> {
        signed_for("http://127.0.0.1:9/", profile, action, params, nonce)
    }

    fn signed_for(base: &str, profile: &ApiProfile, action: &str, params: Value, nonce: u64) -> axum::http::Request<Body> {
        let credentials = Credentials { id: accounts::DEFAULT_SECRET_ID.into(), secret: accounts::DEFAULT_SECRET_KEY.into() };
        let call = Call { region: Some(profile.default_region), method: "POST", ..Call::defaults(profile, action, &params) };
        let base: reqwest::Url = base.parse().unwrap();
        build_request(profile, &base, &call, &credentials, SystemClock.now_secs(), nonce).unwrap().to_http()
    }

    async fn send(emulator: &Arc<Emulator>, request: axum::http::Request<Body>) -> (StatusCode, Value) {
        let response = crate::emulator::router(emulator.clone()).oneshot(request).await.unwrap();
        let status = response.status();
        let bytes = to_bytes(response.into_body(), usize::MAX).await.unwrap();
        (status, serde_json::from_slice(&bytes).unwrap_or(Value::String(String::from_utf8_lossy(&bytes).into_owned())))
    }

    fn public_key() -> String {
        crate::keys::generate_rsa(2048).unwrap().public.openssh
    }

    #[tokio::test]
    async fn throttling_answers_in_each_products_envelope_and_runs_nothing() {
        let emulator = emulator(HostileSettings { throttle_rate: 1.0, ..Default::default() });
        let import = json!({"KeyName": "hostile_1", "ProjectId": 0, "PublicKey": public_key()});
        let (status, body) = send(&emulator, signed(&CVM, "ImportKeyPair", import, 1)).await;
        assert_eq!((status, body.pointer("/Response/Error/Code")), (StatusCode::OK, Some(&json!("RequestLimitExceeded"))), "{body}");
        let params = json!({"RegionId": "cn-hangzhou", "KeyPairName": "hostile-1", "PublicKeyBody": public_key(), "Format": "JSON"});
        let (status, body) = send(&emulator, signed(&ECS, "ImportKeyPair", params, 2)).await;
        assert_eq!((status, body.get("Code")), (StatusCode::BAD_REQUEST, Some(&json!("Throttling.User"))), "{body}");
        let account = emulator.accounts.get(accounts::DEFAULT_SECRET_ID).unwrap();
        assert!(
            emulator.provider::<crate::emulator::tencent_cvm::Cvm>().unwrap().store.list(&account.id).is_empty()
                && emulator.provider::<crate::emulator::aliyun_ecs::Ecs>().unwrap().store.list(&account.id).is_empty(),
            "a throttled call ran"
        );
        // The control API is never hostile.
        let (status, body) = send(&emulator, axum::http::Request::post("/_emulator/accounts").body(Body::from("{}")).unwrap()).await;
        assert!(status == StatusCode::OK && body.get("secret_id").is_some(), "the control API was throttled: {status} {body}");
    }

    #[test]
    fn the_default_injects_nothing_and_the_mix_every_fault() {
        assert!(HostileSettings::default().is_off());
        let mix = HostileSettings::mix();
        assert!(!mix.is_off());
        for rate in [mix.throttle_rate, mix.error_rate, mix.drop_rate] {
            assert!(rate > 0.0 && rate < 0.5, "a rate of {rate} would fail most clients");
        }
        assert!(!mix.latency.is_zero());
        assert!(!HostileSettings { latency: Duration::from_millis(1), ..Default::default() }.is_off());
    }

    #[test]
    fn a_rate_is_a_probability() {
        assert!((0..1000).all(|_| !roll(0.0)));
        assert!((0..1000).all(|_| roll(1.0)));
        let rolls: Vec<bool> = (0..1000).map(|_| roll(0.5)).collect();
        assert!(rolls.contains(&true) && rolls.contains(&false), "1,000 rolls at one half came out all the same");
    }

    #[tokio::test]
    async fn a_cut_answer_declares_its_full_length_and_sends_half() {
        use http_body_util::BodyExt;
        let response = cut_short((StatusCode::OK, "0123456789").into_response()).await;
        assert_eq!(response.headers()[header::CONTENT_LENGTH], "10");
        let mut body = response.into_body();
        let first = body.frame().await.expect("a first frame").expect("data");
        assert_eq!(first.into_data().expect("data"), "01234");
        assert!(body.frame().await.expect("an end").is_err(), "the rest is an error, not data");
    }

    #[tokio::test]
    async fn server_errors_are_503_and_off_means_the_default_mode() {
        let failing = emulator(HostileSettings { error_rate: 1.0, ..Default::default() });
        let (status, _) = send(&failing, signed(&CVM, "DescribeKeyPairs", json!({}), 1)).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        let calm = emulator(HostileSettings::default());
        let (status, body) = send(&calm, signed(&CVM, "DescribeKeyPairs", json!({}), 1)).await;
        assert_eq!((status, body.pointer("/Response/TotalCount")), (StatusCode::OK, Some(&json!(0))), "{body}");
    }

    #[tokio::test]
    async fn a_dropped_answer_is_cut_mid_body_after_the_action_ran() {
        let emulator = emulator(HostileSettings { drop_rate: 1.0, ..Default::default() });
        let handle = crate::emulator::start(emulator.clone(), std::net::SocketAddr::from(([127, 0, 0, 1], 0))).await.unwrap();
        let import = json!({"KeyName": "dropped_1", "ProjectId": 0, "PublicKey": public_key()});
        let request = signed_for(&handle.base_url(), &CVM, "ImportKeyPair", import, 3);
        let (parts, body) = request.into_parts();
        let body = to_bytes(body, usize::MAX).await.unwrap();
        let mut outgoing = reqwest::Client::new().post(format!("{}{}", handle.base_url(), parts.uri)).body(body.to_vec());
        for (name, value) in &parts.headers {
            outgoing = outgoing.header(name.as_str(), value.as_bytes());
        }
        let response = outgoing.send().await.expect("the head arrives");
        assert!(response.bytes().await.is_err(), "the body was read whole");
        let account = emulator.accounts.get(accounts::DEFAULT_SECRET_ID).unwrap();
        assert_eq!(
            emulator.provider::<crate::emulator::tencent_cvm::Cvm>().unwrap().store.list(&account.id).len(),
            1,
            "the action ran before the answer was cut"
        );
    }

    #[tokio::test]
    async fn latency_is_added_up_to_the_setting() {
        let emulator = emulator(HostileSettings { latency: Duration::from_millis(100), ..Default::default() });
        let started = std::time::Instant::now();
        let five = async {
            for _ in 0..5 {
                let _ = send(&emulator, axum::http::Request::get("/nowhere").body(Body::empty()).unwrap()).await;
            }
        };
        tokio::time::timeout(Duration::from_secs(5), five).await.expect("5 requests of up to 100 ms each took over 5 s");
        let took = started.elapsed();
        assert!(took >= Duration::from_millis(25) && took <= Duration::from_millis(2000), "{took:?}");
    }
}
