//! `run --dry-run`: prints each request the run would send, credentials, signatures and tokens
//! redacted, and sends nothing. Values captured from earlier answers cannot be known: such
//! parameters are shown as their `${capture.…}` templates.

use super::exchange::RequestView;
use super::runner::RunContext;
use super::template::Vars;
use crate::apis::{Credentials, build_request_with_token};
use crate::case::Case;

/// The printed plan for `cases`.
pub fn plan(ctx: &RunContext, cases: &[Case]) -> String {
    let mut out = String::new();
    for case in cases {
        if let Some(reason) = ctx.target.skip_reason(case) {
            out.push_str(&format!("skip {}: {reason}\n", case.id));
            continue;
        }
        out.push_str(&format!("case {}\n", case.id));
        let (credentials, token) = match ctx.target.session(case.api) {
            Some(session) => (session.credentials.clone(), session.token.clone()),
            None => (Credentials { id: "DRY-RUN".into(), secret: "DRY-RUN".into() }, None),
        };
        let mut vars = Vars::new(case.api.name_rule, ctx.root.join("cases/fixtures")).for_run(&ctx.run_prefix, &case.id);
        for step in case.setup.iter().chain(&case.steps) {
            let params = vars.render(&step.params).unwrap_or_else(|_| step.params.clone());
            let call = step.call(&params);
            let base = match ctx.target.endpoint_in(case.api, step.region.as_deref()) {
                Ok(base) => base,
                Err(e) => {
                    out.push_str(&format!("  {}: {e}\n", step.action));
                    continue;
                }
            };
            let times = step.burst.map(|n| format!(" (x{n} at once, not paced)")).unwrap_or_default();
            match build_request_with_token(case.api, &base, &call, &credentials, token.as_deref(), ctx.clock.now_secs(), 1) {
                Ok(outgoing) => {
                    let view = RequestView::of(&outgoing);
                    out.push_str(&format!("  {} {} {}{times}\n", step.action, view.method, view.url));
                    for (name, value) in &view.headers {
                        out.push_str(&format!("    {name}: {value}\n"));
                    }
                    if !view.body.is_empty() {
                        out.push_str(&format!("    {}\n", view.body));
                    }
                }
                Err(e) => out.push_str(&format!("  {}: cannot build: {e}\n", step.action)),
            }
        }
    }
    out
}
