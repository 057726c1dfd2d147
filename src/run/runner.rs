//! Running cases: each case leases an account, runs setup and steps, checks its snapshot, and
//! always tears down what it created — on failure and on panic too, since the steps run in a task
//! of their own and the record of created resources lives outside it.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use super::result::{CaseResult, Failure, Status, SuiteResult};
use super::step::{Answer, judge, send};
use super::target::{Lease, Target};
use super::template::Vars;
use crate::case::{Case, Outcome, Step};
use crate::check::schema::SchemaSet;
use crate::check::secrets::scrub_text;
use crate::check::snapshot::{self, Known, SnapshotExchange};
use crate::clock::Clock;

/// Everything a run shares: built once, passed in (no global state).
#[derive(Clone)]
pub struct RunContext {
    pub root: PathBuf,
    pub target: Target,
    pub client: reqwest::Client,
    pub schemas: Arc<SchemaSet>,
    pub clock: Arc<dyn Clock>,
    /// Compare each case with its snapshot.
    pub snapshots: bool,
    /// What every name this run generates starts with (see `template::new_run_prefix`).
    pub run_prefix: String,
    /// Paces requests per product and action (transport: `pace`).
    pub pacer: Arc<super::pace::Pacer>,
    /// Records every exchange (`run --record DIR`).
    pub recorder: Option<Arc<super::record::Recorder>>,
    /// Answers from a recording (`--target replay:DIR`).
    pub replay: Option<Arc<super::replay::Replay>>,
    /// How long a case's steps may take before they are stopped and torn down.
    pub case_timeout: std::time::Duration,
    /// Set on Ctrl-C or SIGTERM: running cases stop and tear down, no new case starts.
    pub interrupt: Arc<tokio::sync::watch::Sender<bool>>,
}

/// The default of `run --case-timeout`.
pub const CASE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(300);

impl RunContext {
    pub fn new(root: PathBuf, target: Target, schemas: Arc<SchemaSet>, clock: Arc<dyn Clock>) -> Result<Self, String> {
        let client = reqwest::Client::builder().build().map_err(|e| format!("cannot build the HTTP client: {e}"))?;
        let replay = match &target.kind {
            super::target::TargetKind::Replay(dir) => Some(Arc::new(super::replay::Replay::new(dir)?)),
            _ => None,
        };
        let pacer = Arc::new(super::pace::Pacer::new(1, super::pace::DEFAULT_ECS_RATE));
        let run_prefix = super::template::new_run_prefix();
        let interrupt = Arc::new(tokio::sync::watch::channel(false).0);
        Ok(Self {
            root,
            target,
            client,
            schemas,
            clock,
            snapshots: true,
            run_prefix,
            pacer,
            recorder: None,
            replay,
            case_timeout: CASE_TIMEOUT,
            interrupt,
        })
    }

    /// The run prefix of `case`: the recorded one when replaying, else this run's.
    pub fn prefix_for(&self, case: &Case) -> String {
        self.replay.as_ref().and_then(|r| r.run_prefix(&case.id)).unwrap_or_else(|| self.run_prefix.clone())
    }
}

/// Runs every case, `jobs` at a time; `progress` hears of each case as it ends.
pub async fn run_suite(ctx: &RunContext, cases: Vec<Case>, jobs: usize, progress: impl Fn(&CaseResult)) -> SuiteResult {
    let started = Instant::now();
    let semaphore = Arc::new(tokio::sync::Semaphore::new(jobs.max(1)));
    let mut tasks = tokio::task::JoinSet::new();
    for (index, case) in cases.into_iter().enumerate() {
        let ctx = ctx.clone();
        let semaphore = semaphore.clone();
        tasks.spawn(async move {
            let _permit = semaphore.acquire_owned().await;
            (index, run_case(&ctx, &case).await)
        });
    }
    let mut results = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        if let Ok((index, result)) = joined {
            progress(&result);
            results.push((index, result));
        }
    }
    results.sort_by_key(|(i, _)| *i);
    SuiteResult { cases: results.into_iter().map(|(_, r)| r).collect(), duration: started.elapsed() }
}

/// What a case created and has not deleted yet, with the region it was created in (ECS key
/// pairs are regional; Tencent's are not, and the region does not matter to their delete).
type Created = Arc<Mutex<Vec<(Option<String>, String)>>>;

/// Runs one case.
pub async fn run_case(ctx: &RunContext, case: &Case) -> CaseResult {
    let started = Instant::now();
    let mut result = CaseResult {
        id: case.id.clone(),
        path: case.path.display().to_string(),
        status: Status::Passed,
        failures: Vec::new(),
        requests: 0,
        duration: Default::default(),
    };
    if let Some(reason) = ctx.target.skip_reason(case) {
        result.status = Status::Skipped(reason);
        return result;
    }
    let mut interrupted = ctx.interrupt.subscribe();
    if *interrupted.borrow() {
        result.status = Status::Skipped("not started: the run was interrupted".into());
        return result;
    }
    let lease = match ctx.target.lease(&ctx.client, case).await {
        Ok(lease) => lease,
        Err(e) => {
            result.failures.push(Failure { step: "account".into(), message: e, diff: None });
            result.status = Status::Failed;
            return result;
        }
    };
    let created: Created = Arc::default();
    let mut body = {
        let (ctx, case, lease, created) = (ctx.clone(), case.clone(), lease.clone(), created.clone());
        tokio::spawn(async move { run_steps(&ctx, &case, &lease, &created).await })
    };
    // The steps end, or are stopped by the case timeout or an interrupt; teardown runs after all three.
    let stopped = tokio::select! {
        joined = &mut body => Ok(joined),
        _ = tokio::time::sleep(ctx.case_timeout) => Err(format!("the case timed out after {} s", ctx.case_timeout.as_secs())),
        _ = interrupted.wait_for(|stop| *stop) => Err("interrupted (Ctrl-C or SIGTERM)".to_string()),
    };
    let joined = match stopped {
        Ok(joined) => joined,
        Err(why) => {
            body.abort();
            result.failures.push(Failure { step: "case".into(), message: format!("{why}; tearing down"), diff: None });
            Ok((Vec::new(), 0))
        }
    };
    match joined {
        Ok((failures, requests)) => {
            result.failures.extend(failures);
            result.requests = requests;
        }
        Err(e) => result.failures.push(Failure {
            step: "case".into(),
            message: format!("the case panicked: {}", scrub_text(&e.to_string())),
            diff: None,
        }),
    }
    result.failures.extend(teardown(ctx, case, &lease, &created).await);
    if let Err(e) = ctx.target.release(&ctx.client, case, &lease).await {
        result.failures.push(Failure { step: "account".into(), message: e, diff: None });
    }
    if !result.failures.is_empty() {
        result.status = Status::Failed;
    }
    result.duration = started.elapsed();
    result
}

async fn run_steps(ctx: &RunContext, case: &Case, lease: &Lease, created: &Created) -> (Vec<Failure>, usize) {
    let mut failures = Vec::new();
    let mut requests = 0;
    let mut vars = Vars::new(case.api.name_rule, ctx.root.join("cases/fixtures")).for_run(&ctx.prefix_for(case), &case.id);
    let mut exchanges = Vec::new();
    let base = match ctx.target.endpoint(case.api) {
        Ok(base) => base,
        Err(e) => return (vec![Failure { step: "target".into(), message: e, diff: None }], 0),
    };
    for step in case.setup.iter().chain(&case.steps) {
        let label = format!("{} {} (line {})", step.label, step.action, step.pos.line);
        let fail = |message: String, diff: Option<String>| Failure { step: label.clone(), message, diff };
        let params = match vars.render(&step.params) {
            Ok(params) => params,
            Err(e) => {
                failures.push(fail(e, None));
                break;
            }
        };
        let times = step.burst.unwrap_or(1);
        requests += times as usize;
        let answers = match send(ctx, &case.id, case.api, &base, step, &params, lease, times).await {
            Ok(answers) => answers,
            Err(e) => {
                failures.push(fail(e, None));
                break;
            }
        };
        track(case, step, &params, &answers, created);
        let verdict = judge(step, case.api, &answers, &ctx.schemas, &mut vars);
        let answer = &answers[verdict.chosen];
        exchanges.push(SnapshotExchange {
            step: step.label.clone(),
            action: step.action.clone(),
            sent_as: sent_as(case.api, step),
            request: step.params.clone(),
            status: answer.status,
            response: answer.body.clone(),
        });
        let ok = verdict.failures.is_empty();
        let mut diff = verdict.diff;
        for message in verdict.failures {
            failures.push(fail(message, diff.take()));
        }
        if !ok {
            break;
        }
        if step.expect.outcome == Outcome::Success {
            for (name, pointer) in &step.capture {
                match answer.body.pointer(pointer) {
                    Some(value) => {
                        vars.captures.insert(name.clone(), value.clone());
                    }
                    None => failures.push(fail(format!("capture `{name}`: nothing at {pointer}"), None)),
                }
            }
        }
    }
    if ctx.snapshots && failures.is_empty() {
        let known = Known { names: vars.name_templates(), fixtures: vars.fixtures.values().cloned().collect() };
        for message in snapshot::check(&ctx.root, &case.id, &case.description, case.api, &exchanges, &known) {
            failures.push(Failure { step: "snapshot".into(), message, diff: None });
        }
    }
    (failures, requests)
}

/// The parts of how `step` is sent that differ from `api`'s defaults.
fn sent_as(api: &crate::providers::ApiProfile, step: &Step) -> std::collections::BTreeMap<&'static str, String> {
    let mut differs = std::collections::BTreeMap::new();
    if step.method != api.default_method {
        differs.insert("method", step.method.clone());
    }
    if step.signing != api.default_signing {
        differs.insert("signing", step.signing.as_str().to_string());
    }
    if step.region.as_deref() != Some(api.default_region) {
        differs.insert("region", step.region.clone().unwrap_or_else(|| "(none)".into()));
    }
    if step.version != api.default_version {
        differs.insert("version", step.version.clone());
    }
    differs
}

/// Remembers what a step created and forgets what it deleted.
fn track(case: &Case, step: &Step, params: &serde_json::Value, answers: &[Answer], created: &Created) {
    let mut created = created.lock().unwrap_or_else(|e| e.into_inner());
    for answer in answers.iter().filter(|a| case.api.error_code(a.status, &a.body).is_none()) {
        created.extend(case.api.created_ids(&step.action, &answer.body).into_iter().map(|id| (step.region.clone(), id)));
        let deleted = case.api.deleted_ids(&step.action, params);
        created.retain(|(region, id)| !(deleted.contains(id) && *region == step.region));
    }
}

/// Deletes everything the case created and did not delete itself, region by region.
async fn teardown(ctx: &RunContext, case: &Case, lease: &Lease, created: &Created) -> Vec<Failure> {
    let all: Vec<(Option<String>, String)> = std::mem::take(&mut *created.lock().unwrap_or_else(|e| e.into_inner()));
    let mut by_region: std::collections::BTreeMap<Option<String>, Vec<String>> = Default::default();
    for (region, id) in all {
        by_region.entry(region).or_default().push(id);
    }
    let mut failures = Vec::new();
    for (region, ids) in by_region {
        failures.extend(delete_all(ctx, case, lease, region, ids).await);
    }
    failures
}

async fn delete_all(ctx: &RunContext, case: &Case, lease: &Lease, region: Option<String>, ids: Vec<String>) -> Vec<Failure> {
    // Some APIs delete through another (the legacy endpoint's keys are CVM keys).
    let api = case.api.cleanup_profile();
    let base = match ctx.target.endpoint(api) {
        Ok(base) => base,
        Err(e) => return vec![Failure { step: "teardown".into(), message: e, diff: None }],
    };
    // Deleting through another API (legacy → CVM API 3.0) uses that API's region names.
    let region = region.filter(|_| std::ptr::eq(api, case.api)).unwrap_or_else(|| api.default_region.to_string());
    let mut failures = Vec::new();
    for (ids, outcome) in super::inventory::delete(ctx, &case.id, api, &base, &region, &ids, lease).await {
        if let Err(e) = outcome {
            failures.push(Failure { step: "teardown".into(), message: format!("could not delete {}: {e}", ids.join(", ")), diff: None });
        }
    }
    failures
}
