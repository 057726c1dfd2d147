//! `sweep`: deletes what earlier runs left on a target.

use std::sync::Arc;

use super::{project_root, resolve_target};
use crate::check::schema::SchemaSet;
use crate::clock::SystemClock;
use crate::report::{EXIT_FAILED, EXIT_OK, EXIT_USAGE};
use crate::run::RunContext;

/// `sweep`: deletes leftovers of earlier runs on a target; 1 when a delete failed.
pub async fn sweep(args: crate::cli::SweepArgs) -> u8 {
    let root = match project_root(&args.root) {
        Ok(root) => root,
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_USAGE;
        }
    };
    let older_than = match crate::run::sweep::parse_duration(&args.older_than) {
        Ok(secs) => secs,
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_USAGE;
        }
    };
    // Checked before anything is resolved or started (sweep checks it again, for library callers).
    if let Err(e) = crate::run::sweep::check_prefix(&args.prefix) {
        eprintln!("error: {e}");
        return EXIT_USAGE;
    }
    let (target, _embedded) = match resolve_target(&root, &args.target, false, &args.transport).await {
        Ok(resolved) => resolved,
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_USAGE;
        }
    };
    let mut apis: Vec<&'static crate::apis::ApiProfile> =
        crate::apis::PROFILES.iter().copied().filter(|p| p.cleanup_profile().name == p.name && target.serves(p)).collect();
    // A named target is swept whole; a bare URL for the providers whose credentials are set.
    if target.spec.is_none() {
        let with_credentials: Vec<_> = apis.iter().copied().filter(|api| target.session(api).is_some()).collect();
        if !with_credentials.is_empty() {
            apis = with_credentials;
        }
    }
    let sessions = crate::run::targets::sessions_from_env();
    if let Some(message) = crate::run::targets::missing_credentials(&apis, &sessions) {
        eprintln!("error: {message}");
        return EXIT_USAGE;
    }
    let schemas = match SchemaSet::load(&root) {
        Ok(schemas) => Arc::new(schemas),
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_USAGE;
        }
    };
    let ctx = match RunContext::new(root, target, schemas, Arc::new(SystemClock)) {
        Ok(ctx) => ctx,
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_USAGE;
        }
    };
    if let Err(e) = crate::run::guard::check(&ctx, &apis).await {
        eprintln!("error: {e}");
        return EXIT_USAGE;
    }
    let lease_of = |api: &crate::apis::ApiProfile| {
        ctx.target.session(api).map(|s| crate::run::target::Lease {
            credentials: s.credentials.clone(),
            token: s.token.clone(),
            emulator_account: None,
            held: Default::default(),
        })
    };
    match crate::run::sweep::sweep(&ctx, &apis, lease_of, &args.prefix, older_than, args.dry_run).await {
        Ok(report) => {
            report.lines.iter().for_each(|line| println!("{line}"));
            println!("sweep: {} deleted, {} failed{}", report.deleted, report.failed, if args.dry_run { " (dry run)" } else { "" });
            if report.failed > 0 { EXIT_FAILED } else { EXIT_OK }
        }
        Err(e) => {
            eprintln!("error: {e}");
            EXIT_USAGE
        }
    }
}
