//! The account guard: before a live run's first request, ask STS GetCallerIdentity whose
//! credentials these are, and refuse (exit 2) unless the account is on the target's list.

use std::collections::BTreeMap;

use super::inventory::internal_step;
use super::runner::RunContext;
use super::step::{Channel, send_one};
use super::target::Lease;
use crate::apis::{ApiProfile, sts};

/// Checks the caller of every provider family in `apis` against the target's account list; the
/// error is the one message to print. Ok with nothing to check when the target lists no accounts.
pub async fn check(ctx: &RunContext, apis: &[&'static ApiProfile]) -> Result<Vec<String>, String> {
    let allowed = ctx.target.allowed_accounts();
    if allowed.is_empty() {
        return Ok(Vec::new());
    }
    let mut families: BTreeMap<&str, &'static ApiProfile> = BTreeMap::new();
    for api in apis {
        let profile = sts::for_api(api);
        families.entry(profile.name).or_insert(profile);
    }
    let mut seen = Vec::new();
    for profile in families.values().copied() {
        let session = ctx.target.session(profile).ok_or_else(|| format!("no credentials for {}", profile.name))?;
        let lease = Lease {
            credentials: session.credentials.clone(),
            token: session.token.clone(),
            emulator_account: None,
            held: Default::default(),
        };
        let base = ctx.target.endpoint(profile)?;
        let step = internal_step(profile, "GetCallerIdentity", None);
        let answer =
            send_one(Channel { ctx, tag: "account-guard", api: profile, base: &base, lease: &lease }, &step, &serde_json::json!({}), false)
                .await
                .map_err(|e| format!("account guard: cannot ask {} who the caller is: {e}", profile.name))?;
        if let Some(code) = profile.error_code(answer.status, &answer.body) {
            return Err(format!("account guard: {} GetCallerIdentity answered {code}", profile.name));
        }
        let account =
            sts::account_id(profile, &answer.body).ok_or_else(|| format!("account guard: {} named no AccountId", profile.name))?;
        if !allowed.contains(&account) {
            return Err(format!(
                "account guard: these credentials belong to account {account}, which target {} does not list (accounts: {}); nothing was sent",
                ctx.target.label,
                allowed.join(", ")
            ));
        }
        seen.push(format!("{}: account {account}", profile.name));
    }
    Ok(seen)
}
