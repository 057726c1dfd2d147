//! Caller identity: Tencent STS and Alibaba STS `GetCallerIdentity` (apis.md §8), so a run's
//! account guard can be tested against the emulator. Signed and verified like the key-pair APIs;
//! the answer names the emulated account the credentials belong to (its numeric id, like a UIN).
//! Session tokens are accepted as sent: the emulator issues no temporary credentials.
//!
//! Registered first: it claims only requests that are unmistakably STS calls (TC3 scope service
//! `sts` or v1 `Version=2018-08-13`; Alibaba `Version=2015-04-01` with `Action=GetCallerIdentity`),
//! so it never takes another product's call.

mod aliyun;
mod tencent;
#[cfg(test)]
#[path = "sts_tests.rs"]
mod tests;

use std::sync::Arc;

use super::Emulator;
use super::registry::{Handling, Provider};
use super::wire::{Outcome, RawRequest, Served};

/// Both clouds' caller-identity calls.
#[derive(Debug, Default)]
pub struct Sts;

impl Provider for Sts {
    fn name(&self) -> &'static str {
        "sts"
    }

    fn claims(&self, raw: &RawRequest) -> bool {
        tencent::claims(raw) || aliyun::claims(raw)
    }

    fn handle<'a>(&'a self, emulator: &'a Arc<Emulator>, raw: &'a RawRequest) -> Handling<'a, Served> {
        Box::pin(async move {
            let (route, response) = if tencent::claims(raw) {
                ("tencent-sts", tencent::handle(emulator, raw))
            } else {
                ("aliyun-sts", aliyun::handle(emulator, raw))
            };
            let outcome = Outcome::error(response.status().as_str(), None);
            Served { route: route.into(), outcome, response }
        })
    }
}
