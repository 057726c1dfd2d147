//! Before the first case: can the run start at all? Missing credentials or an unreachable target
//! are one early error (exit 2), not a hundred failed cases.

use std::collections::BTreeSet;
use std::time::Duration;

use super::runner::RunContext;
use crate::case::Case;

/// How long the reachability probe waits.
const PROBE_TIMEOUT: Duration = Duration::from_secs(10);

/// For each API the runnable cases use: an account can be leased (credentials present; on an
/// emulator with its control API, the control API answers) and the endpoint answers at all.
pub async fn preflight(ctx: &RunContext, cases: &[Case]) -> Result<(), String> {
    let mut seen = BTreeSet::new();
    for case in cases.iter().filter(|c| ctx.target.skip_reason(c).is_none()) {
        if !seen.insert(case.api.name) {
            continue;
        }
        let url = ctx.target.endpoint(case.api)?;
        if let Err(e) = ctx.client.get(url.clone()).timeout(PROBE_TIMEOUT).send().await {
            return Err(format!("cannot reach {url} ({}): {}", case.api.name, cause(&e)));
        }
        let lease = ctx.target.lease(&ctx.client, case).await.map_err(|e| format!("cannot start the run: {e}"))?;
        ctx.target.release(&ctx.client, case, &lease).await.map_err(|e| format!("cannot start the run: {e}"))?;
    }
    Ok(())
}

/// The innermost cause of a transport error (connection refused, timeout, TLS).
pub fn cause(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(inner) = source {
        text = format!("{text}: {inner}");
        source = inner.source();
    }
    text
}
