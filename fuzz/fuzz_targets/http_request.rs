//! A whole HTTP/1.1 request (head and body, as the seed corpus stores them) through the
//! emulator's router: no panic, and no 5xx (only `serve --hostile` answers one). Requests the
//! `http` crate cannot represent are skipped (hyper refuses them before the router sees them).
#![no_main]

use std::sync::{Arc, LazyLock};

use axum::body::Body;
use keypair_contract::emulator::{self, Emulator, EmulatorConfig};
use libfuzzer_sys::fuzz_target;
use tower::ServiceExt;

static RUNTIME: LazyLock<tokio::runtime::Runtime> =
    LazyLock::new(|| tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap());
static EMULATOR: LazyLock<Arc<Emulator>> = LazyLock::new(|| Emulator::new(EmulatorConfig::default()).with_default_account());

fn parse(data: &[u8]) -> Option<axum::http::Request<Body>> {
    let split = data.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = std::str::from_utf8(&data[..split]).ok()?;
    let body = data[split + 4..].to_vec();
    let mut lines = head.split("\r\n");
    let mut first = lines.next()?.split(' ');
    let (method, target) = (first.next()?, first.next()?);
    let mut request = axum::http::Request::builder().method(method).uri(target);
    for line in lines {
        let (name, value) = line.split_once(':')?;
        request = request.header(name.trim(), value.trim());
    }
    request.body(Body::from(body)).ok()
}

fuzz_target!(|data: &[u8]| {
    if let Some(request) = parse(data) {
        RUNTIME.block_on(async {
            let response = emulator::router(EMULATOR.clone()).oneshot(request).await.expect("the router is infallible");
            assert!(response.status().as_u16() < 500, "answered {}", response.status());
        });
    }
});
