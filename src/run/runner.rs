//! Running cases: each case leases an account, runs setup and steps, checks its snapshot, and
//! always tears down what it created — on failure and on panic too, since the steps run in a task
//! of their own and the record of created resources lives outside it.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use super::judge::{judge, position, step_name};
use super::result::{CaseResult, Failure, Kind, SnapshotState, Status, SuiteResult};
use super::step::{Answer, Channel, send};
use super::target::{Lease, Target, TargetKind};
use super::template::Vars;
use super::verdict::{DriftMode, compare_snapshot, status_of};
use crate::case::tree::escape;
use crate::case::{Case, Outcome, Step};
use crate::check::schema::SchemaSet;
use crate::check::secrets::{scrub_text, scrub_urls};
use crate::check::snapshot::{SnapshotExchange, Update};
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
    pub drift: DriftMode,
    /// When snapshot files may be written (default: from `CI` and `INSTA_UPDATE`).
    pub update: Update,
    /// The provenance written into snapshots: `emulator`, or the live target's name.
    pub recorded_from: String,
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
        let recorded_from = match target.kind {
            TargetKind::Emulator { .. } => crate::check::snapshot::EMULATOR.to_string(),
            _ => target.label.clone(),
        };
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
            drift: DriftMode::Fail,
            update: Update::from_env(false),
            recorded_from,
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

/// Runs every case, `jobs` at a time; `progress` hears of each case as it ends. Every case has a
/// result: one whose task panics is a failure carrying the panic's message.
pub async fn run_suite(ctx: &RunContext, cases: Vec<Case>, jobs: usize, progress: impl Fn(&CaseResult)) -> SuiteResult {
    let started = Instant::now();
    let expected = cases.len();
    let semaphore = Arc::new(tokio::sync::Semaphore::new(jobs.max(1)));
    let runs = cases.into_iter().map(|case| {
        let (ctx, semaphore) = (ctx.clone(), semaphore.clone());
        let shell = CaseResult::empty(&case);
        let run = async move {
            let _permit = semaphore.acquire_owned().await;
            run_case(&ctx, &case).await
        };
        (shell, run)
    });
    let cases = run_all(runs.collect(), progress).await;
    SuiteResult {
        target: ctx.target.label.clone(),
        root: ctx.root.display().to_string(),
        cases,
        expected,
        problems: Vec::new(),
        duration: started.elapsed(),
    }
}

/// Runs each future in a task of its own and returns one result per future, in order: a task
/// that panics or is cancelled gives its shell, failed, with the reason.
pub async fn run_all<F>(runs: Vec<(CaseResult, F)>, progress: impl Fn(&CaseResult)) -> Vec<CaseResult>
where
    F: std::future::Future<Output = CaseResult> + Send + 'static,
{
    let mut tasks = tokio::task::JoinSet::new();
    let mut shells = std::collections::HashMap::new();
    let mut slots: Vec<Option<CaseResult>> = Vec::new();
    for (index, (shell, run)) in runs.into_iter().enumerate() {
        let handle = tasks.spawn(async move { (index, run.await) });
        shells.insert(handle.id(), (index, shell));
        slots.push(None);
    }
    while let Some(joined) = tasks.join_next_with_id().await {
        let (index, result) = match joined {
            Ok((_, (index, result))) => (index, result),
            Err(error) => {
                let Some((index, mut shell)) = shells.remove(&error.id()) else { continue };
                let why = if error.is_panic() { panic_message(error.into_panic()) } else { "the case was cancelled".into() };
                shell.failures.push(Failure::new("case", Kind::Panic, format!("the case panicked: {}", scrub_text(&why))));
                shell.status = Status::Failed;
                (index, shell)
            }
        };
        progress(&result);
        slots[index] = Some(result);
    }
    slots.into_iter().flatten().collect()
}

fn panic_message(payload: Box<dyn std::any::Any + Send>) -> String {
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_else(|| "no message".into())
}

/// What a case created and has not deleted yet, with the region it was created in (ECS key
/// pairs are regional; Tencent's are not, and the region does not matter to their delete).
type Created = super::target::Held;

/// Runs one case.
pub async fn run_case(ctx: &RunContext, case: &Case) -> CaseResult {
    let started = Instant::now();
    let mut result = CaseResult::empty(case);
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
            result.failures.push(Failure::new("account", Kind::Account, e));
            result.status = Status::Failed;
            return result;
        }
    };
    let created: Created = lease.held.clone();
    // A step whose answer may only reflect a lost earlier try (see `Answer::after_unknown_outcome`)
    // proves nothing either way: its case is torn down and run once more, and says so.
    for run in 1..=2 {
        let steps = run_steps_bounded(ctx, case, &lease, &created, &mut interrupted).await;
        result.requests += steps.requests;
        if steps.inconclusive && run == 1 {
            result.notes.push(format!(
                "run again: {} (the answer of an earlier try was lost, so the step's answer may describe what that try did)",
                steps.failures.first().map(|f| f.step.as_str()).unwrap_or("a step")
            ));
            result.failures.extend(teardown(ctx, case, &lease, &created).await);
            continue;
        }
        result.failures.extend(steps.failures);
        result.snapshot = steps.snapshot;
        break;
    }
    result.failures.extend(teardown(ctx, case, &lease, &created).await);
    if let Err(e) = ctx.target.release(&ctx.client, case, &lease).await {
        result.failures.push(Failure::new("account", Kind::Account, e));
    }
    // The last guard for reports: no private key, and no signed query (credential id, signature)
    // quoted by a transport error, reaches a message.
    for failure in &mut result.failures {
        failure.message = scrub_urls(&scrub_text(&failure.message));
    }
    result.status = status_of(ctx, &result);
    result.duration = started.elapsed();
    result
}

/// What a case's steps came to.
struct StepsOutcome {
    failures: Vec<Failure>,
    requests: usize,
    snapshot: SnapshotState,
    /// A step failed on an answer that may only describe a lost earlier try.
    inconclusive: bool,
}

/// The steps in a task of their own, stopped by the case timeout or an interrupt (a failure of
/// the case, which teardown follows), a panic turned into a failure with its message.
async fn run_steps_bounded(
    ctx: &RunContext,
    case: &Case,
    lease: &Lease,
    created: &Created,
    interrupted: &mut tokio::sync::watch::Receiver<bool>,
) -> StepsOutcome {
    let mut body = {
        let (ctx, case, lease, created) = (ctx.clone(), case.clone(), lease.clone(), created.clone());
        tokio::spawn(async move { run_steps(&ctx, &case, &lease, &created).await })
    };
    let stopped = tokio::select! {
        joined = &mut body => Ok(joined),
        _ = tokio::time::sleep(ctx.case_timeout) => Err(format!("the case timed out after {} s", ctx.case_timeout.as_secs())),
        _ = interrupted.wait_for(|stop| *stop) => Err("interrupted (Ctrl-C or SIGTERM)".to_string()),
    };
    let nothing = |failures| StepsOutcome { failures, requests: 0, snapshot: SnapshotState::NotCompared, inconclusive: false };
    match stopped {
        Err(why) => {
            body.abort();
            nothing(vec![Failure::new("case", Kind::Stopped, format!("{why}; tearing down"))])
        }
        Ok(Ok(outcome)) => outcome,
        Ok(Err(e)) => {
            let why = if e.is_panic() { panic_message(e.into_panic()) } else { "the case was cancelled".into() };
            nothing(vec![Failure::new("case", Kind::Panic, format!("the case panicked: {}", scrub_text(&why)))])
        }
    }
}

async fn run_steps(ctx: &RunContext, case: &Case, lease: &Lease, created: &Created) -> StepsOutcome {
    let mut failures = Vec::new();
    let mut requests = 0;
    let mut vars = Vars::new(case.api.name_rule, ctx.root.join("cases/fixtures")).for_run(&ctx.prefix_for(case), &case.id);
    let mut exchanges = Vec::new();
    let mut inconclusive = false;
    for step in case.setup.iter().chain(&case.steps) {
        let fail =
            |kind: Kind, suffix: &str, message: String| Failure::new(step_name(step), kind, message).at(position(case, step, suffix));
        let base = match ctx.target.endpoint_in(case.api, step.region.as_deref()) {
            Ok(base) => base,
            Err(e) => {
                failures.push(fail(Kind::Setup, "", e));
                break;
            }
        };
        let params = match vars.render(&step.params) {
            Ok(params) => params,
            Err(e) => {
                failures.push(fail(Kind::Setup, "/params", e));
                break;
            }
        };
        let times = step.burst.unwrap_or(1);
        requests += times as usize;
        let answers =
            match send(Channel { ctx, tag: &case.id, api: case.api, base: &base, lease }, step, &params, times, case.probes_rate_limit())
                .await
            {
                Ok(answers) => answers,
                Err(e) => {
                    failures.push(fail(Kind::Transport, "", e));
                    break;
                }
            };
        track(case, step, &params, &answers, created);
        let verdict = judge(case, step, &params, &answers, &ctx.schemas, &mut vars);
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
        failures.extend(verdict.failures);
        if !ok {
            inconclusive = answer.after_unknown_outcome;
            break;
        }
        if step.expect.outcome == Outcome::Success {
            for (name, pointer) in &step.capture {
                match answer.body.pointer(pointer) {
                    Some(value) => {
                        vars.captures.insert(name.clone(), value.clone());
                    }
                    None => failures.push(fail(
                        Kind::Capture,
                        &format!("/capture/{}", escape(name)),
                        format!("capture `{name}`: nothing at {pointer}"),
                    )),
                }
            }
        }
    }
    let mut state = SnapshotState::NotCompared;
    if ctx.snapshots && failures.is_empty() {
        let (verdict_failures, verdict_state) = compare_snapshot(ctx, case, &vars, &exchanges);
        failures.extend(verdict_failures);
        state = verdict_state;
    }
    StepsOutcome { failures, requests, snapshot: state, inconclusive }
}

/// The parts of how `step` is sent that differ from `api`'s defaults.
fn sent_as(api: &crate::apis::ApiProfile, step: &Step) -> std::collections::BTreeMap<&'static str, String> {
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
    // Deleting through another API (legacy → CVM API 3.0) uses that API's region names.
    let region = region.filter(|_| std::ptr::eq(api, case.api)).unwrap_or_else(|| api.default_region.to_string());
    let base = match ctx.target.endpoint_in(api, Some(&region)) {
        Ok(base) => base,
        Err(e) => return vec![Failure::new("teardown", Kind::Teardown, e)],
    };
    let mut failures = Vec::new();
    for (ids, outcome) in super::inventory::delete(Channel { ctx, tag: &case.id, api, base: &base, lease }, &region, &ids).await {
        if let Err(e) = outcome {
            failures.push(Failure::new("teardown", Kind::Teardown, format!("could not delete {}: {e}", ids.join(", "))));
        }
    }
    failures
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shell(id: &str) -> CaseResult {
        CaseResult { id: id.into(), api: "tencent-cvm".into(), path: format!("cases/{id}.yaml"), ..CaseResult::default() }
    }

    #[test]
    fn a_run_names_where_its_answers_come_from() {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        let schemas = Arc::new(SchemaSet::load(&root).unwrap());
        let clock: Arc<dyn Clock> = Arc::new(crate::clock::SystemClock);
        let context = |target| RunContext::new(root.clone(), target, schemas.clone(), clock.clone()).unwrap();
        let emulator = context(Target::emulator("http://127.0.0.1:9000").unwrap());
        assert_eq!(emulator.recorded_from, "emulator");
        let live = context(Target::url("https://cvm.tencentcloudapi.com", false, Default::default()).unwrap());
        assert_eq!(live.recorded_from, live.target.label, "a live snapshot names the target it came from");
        assert_ne!(live.recorded_from, "emulator");
    }

    /// `run_suite` is what `run` calls (the contract suite runs case by case): every case gets its
    /// result in order, and a case that failed has no snapshot compared (nor written).
    #[tokio::test(flavor = "multi_thread")]
    async fn a_suite_gives_each_case_its_result_and_a_failed_case_compares_no_snapshot() {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        let handle = crate::emulator::start_for_tests().await.unwrap();
        let schemas = Arc::new(SchemaSet::load(&root).unwrap());
        let target = Target::emulator(&handle.base_url()).unwrap();
        let mut ctx = RunContext::new(root.clone(), target, schemas, Arc::new(crate::clock::SystemClock)).unwrap();
        ctx.update = crate::check::snapshot::Update::Never;
        let example = crate::case::load::checked_in("cases/tencent-cvm/create-key-pair/example.yaml");
        let mut wrong = example.clone();
        wrong.steps[0].expect.outcome = Outcome::Error("InvalidParameterValue".into());
        let seen = std::sync::Mutex::new(Vec::new());
        let suite = run_suite(&ctx, vec![example, wrong], 2, |r| seen.lock().unwrap().push(r.status.clone())).await;
        assert_eq!((suite.expected, suite.cases.len(), seen.lock().unwrap().len()), (2, 2, 2));
        assert_eq!(suite.target, ctx.target.label);
        let (passed, failed) = (&suite.cases[0], &suite.cases[1]);
        assert_eq!((&passed.status, &passed.snapshot), (&Status::Passed, &SnapshotState::Matched), "{:?}", passed.failures);
        assert!(passed.requests >= 1, "{passed:?}");
        assert_eq!(failed.status, Status::Failed);
        assert_eq!(failed.failures.iter().map(|f| f.kind).collect::<Vec<_>>(), [Kind::Outcome], "{:?}", failed.failures);
        assert_eq!(failed.snapshot, SnapshotState::NotCompared);
        assert!(!suite.ok());
    }

    #[tokio::test]
    async fn a_panicking_case_is_a_failure_with_its_message_and_keeps_its_place() {
        let ok = shell("a/ok");
        let done = ok.clone();
        type Run = std::pin::Pin<Box<dyn std::future::Future<Output = CaseResult> + Send>>;
        let runs: Vec<(CaseResult, Run)> = vec![
            (ok, Box::pin(async move { done })),
            (shell("a/boom"), Box::pin(async { panic!("index out of bounds: the len is 0") })),
            (shell("a/last"), Box::pin(async { shell("a/last") })),
        ];
        let seen = std::sync::Mutex::new(0);
        let results = run_all(runs, |_| *seen.lock().unwrap() += 1).await;
        assert_eq!(results.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(), ["a/ok", "a/boom", "a/last"]);
        assert_eq!(*seen.lock().unwrap(), 3);
        assert_eq!(results[1].status, Status::Failed);
        assert_eq!(results[1].failures[0].kind, Kind::Panic);
        assert!(results[1].failures[0].message.contains("index out of bounds"), "{:?}", results[1].failures);
        let suite = SuiteResult { cases: results[..2].to_vec(), expected: 3, ..Default::default() };
        assert!(!suite.ok(), "fewer results than cases is a failed run");
    }
}
