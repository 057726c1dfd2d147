//! One snapshot per case: every exchange of its setup and steps in canonical, redacted form
//! ([`super::redact`]), compared with `snapshots/<case id>.snap` without panicking: the result is
//! data (matched, new, differs with one unified diff), never an assertion.
//!
//! Writing (never when `CI` is set, as insta reads it): an answer that differs or is new is left
//! pending as `<id>.snap.new` for `cargo insta review`; `run --accept` or `INSTA_UPDATE=always`
//! write the `.snap` itself (`INSTA_UPDATE=unseen`: new ones only; `INSTA_UPDATE=no`: nothing).
//! A matching answer rewrites nothing. An emulator run never overwrites a snapshot recorded live:
//! its answer is left pending. `INSTA_FORCE_PASS` is not honoured: nothing makes a mismatch pass.

use std::path::{Path, PathBuf};

use serde_json::Value;
use walkdir::WalkDir;

use super::pointer::{Pattern, mask};
use super::redact::{ShapeError, redact};
use super::snapfile::{self, SnapFile};
use crate::apis::ApiProfile;
use crate::run::result::SnapshotState;

/// The provenance of answers the emulator gave (any other names the live target they came from).
pub const EMULATOR: &str = "emulator";

pub use super::redact::{Known, check_shape};

/// What a snapshot records of one request and its answer.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SnapshotExchange {
    pub step: String,
    pub action: String,
    /// How the request was sent, where it differs from the API's defaults (method, signing,
    /// region, version), so variant cases show what makes them variants.
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub sent_as: std::collections::BTreeMap<&'static str, String>,
    /// The parameters as written in the case (templates unrendered).
    pub request: Value,
    pub status: u16,
    pub response: Value,
}

/// When snapshot files may be written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Update {
    /// Leave a differing or new answer pending as `.snap.new` (the default outside CI).
    #[default]
    Pending,
    /// Write the `.snap` (`run --accept`, `INSTA_UPDATE=always`).
    Accept,
    /// Write the `.snap` of new snapshots only, leave differing ones pending (`INSTA_UPDATE=unseen`).
    AcceptNew,
    /// Write nothing (`CI` set, `INSTA_UPDATE=no`).
    Never,
}

impl Update {
    /// The policy from the environment, as insta reads it; `accept` is `run --accept`. CI wins.
    pub fn from_env(accept: bool) -> Self {
        Self::from_vars(accept, |name| std::env::var(name).ok())
    }

    /// The policy from variables looked up by `var`.
    pub fn from_vars(accept: bool, var: impl Fn(&str) -> Option<String>) -> Self {
        let ci = match var("CI").as_deref() {
            Some("false" | "0" | "") => false,
            None => var("TF_BUILD").is_some(),
            Some(_) => true,
        };
        if ci {
            return Update::Never;
        }
        if accept {
            return Update::Accept;
        }
        match var("INSTA_UPDATE").as_deref() {
            Some("always" | "1" | "force") => Update::Accept,
            Some("unseen") => Update::AcceptNew,
            Some("no" | "0") => Update::Never,
            _ => Update::Pending,
        }
    }
}

/// What to compare, and how.
pub struct Comparison<'a> {
    pub root: &'a Path,
    pub id: &'a str,
    pub description: &'a str,
    pub profile: &'a ApiProfile,
    pub known: &'a Known,
    /// Arrays whose order does not count (the case's `unordered`).
    pub unordered: &'a [Pattern],
    /// Places ignored in the comparison (the case's `parity_gaps`; empty on live targets).
    pub gaps: &'a [Pattern],
    /// `emulator`, or the live target's name: the provenance of anything written.
    pub recorded_from: &'a str,
    /// The day the answers were given, when not today (a replayed recording's).
    pub recorded_at: Option<&'a str>,
    pub update: Update,
}

/// The outcome of a comparison.
#[derive(Debug, Clone, Default)]
pub struct SnapshotVerdict {
    /// Volatile values without their shape: contract failures, reported before any diff.
    pub shape_errors: Vec<ShapeError>,
    pub state: SnapshotState,
    /// Recorded vs this run, one unified diff.
    pub diff: Option<String>,
    /// `snapshots/<id>.snap`.
    pub path: String,
    /// The recorded snapshot's provenance, if it states one.
    pub recorded_from: Option<String>,
    /// A snapshot file that could not be read or written.
    pub error: Option<String>,
}

/// Compares the case's exchanges with its snapshot.
pub fn check(cmp: &Comparison, exchanges: &[SnapshotExchange]) -> SnapshotVerdict {
    let (file, shown) = location(cmp.root, cmp.id);
    let mut verdict = SnapshotVerdict { path: shown.clone(), ..Default::default() };
    let mut value = serde_json::to_value(exchanges).unwrap_or(Value::Null);
    verdict.shape_errors = redact(cmp.profile, &mut value, cmp.known, cmp.unordered);
    let body = snapfile::yaml(&value).trim_end().to_string();

    let recorded = match snapfile::read(&file) {
        Ok(recorded) => recorded,
        Err(e) => {
            verdict.error = Some(e);
            return verdict;
        }
    };
    let pending = file.with_extension("snap.new");
    let Some(recorded) = recorded else {
        let written = match cmp.update {
            Update::Accept | Update::AcceptNew => write(cmp, &file, &body).map(|_| SnapshotState::Written),
            Update::Pending => write(cmp, &pending, &body).map(|_| SnapshotState::New { pending: Some(display(cmp.root, &pending)) }),
            Update::Never => Ok(SnapshotState::New { pending: None }),
        };
        return finish(verdict, written);
    };
    verdict.recorded_from = recorded.recorded_from().map(str::to_string);
    let (expected, actual) = compared_texts(&recorded, &value, &body, cmp.gaps);
    if expected == actual {
        // Matching rewrites nothing, except to add the provenance an old-format file lacks.
        if verdict.recorded_from.is_none() && cmp.update == Update::Accept {
            return finish(verdict, write(cmp, &file, &body).map(|_| SnapshotState::Matched));
        }
        if cmp.update != Update::Never {
            let _ = std::fs::remove_file(&pending);
        }
        verdict.state = SnapshotState::Matched;
        return verdict;
    }
    verdict.diff = Some(unified_diff(&expected, &actual, &shown));
    let recorded_live = verdict.recorded_from.as_deref().is_some_and(|from| from != EMULATOR);
    let protect = recorded_live && cmp.recorded_from == EMULATOR;
    let written = match cmp.update {
        Update::Accept if !protect => write(cmp, &file, &body).map(|_| SnapshotState::Written),
        Update::Never => Ok(SnapshotState::Differs { pending: None }),
        _ => write(cmp, &pending, &body).map(|_| SnapshotState::Differs { pending: Some(display(cmp.root, &pending)) }),
    };
    finish(verdict, written)
}

fn finish(mut verdict: SnapshotVerdict, written: Result<SnapshotState, String>) -> SnapshotVerdict {
    match written {
        Ok(state) => verdict.state = state,
        Err(e) => verdict.error = Some(e),
    }
    verdict
}

/// The two texts compared: the files' bodies as they are, or with the parity gaps masked in both.
fn compared_texts(recorded: &SnapFile, current: &Value, body: &str, gaps: &[Pattern]) -> (String, String) {
    if gaps.is_empty() {
        return (recorded.body.clone(), body.to_string());
    }
    let Ok(mut old) = serde_saphyr::from_str::<Value>(&recorded.body) else {
        return (recorded.body.clone(), body.to_string());
    };
    let mut new = current.clone();
    for gap in gaps {
        mask(&mut old, gap);
        mask(&mut new, gap);
    }
    (snapfile::yaml(&old).trim_end().to_string(), snapfile::yaml(&new).trim_end().to_string())
}

fn write(cmp: &Comparison, path: &Path, body: &str) -> Result<(), String> {
    let input = format!("cases/{}.yaml", cmp.id);
    let text = snapfile::render(cmp.description, &input, &snapfile::provenance(cmp.recorded_from, cmp.recorded_at), body);
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// One unified diff, recorded (`-`) vs this run (`+`).
pub fn unified_diff(expected: &str, actual: &str, path: &str) -> String {
    let (expected, actual) = (format!("{}\n", expected.trim_end()), format!("{}\n", actual.trim_end()));
    similar::TextDiff::from_lines(&expected, &actual).unified_diff().context_radius(3).header(path, "this run").to_string()
}

fn location(root: &Path, id: &str) -> (PathBuf, String) {
    (root.join("snapshots").join(format!("{id}.snap")), format!("snapshots/{id}.snap"))
}

fn display(root: &Path, path: &Path) -> String {
    path.strip_prefix(root).unwrap_or(path).display().to_string()
}

/// Every `.snap` file under `root/snapshots`, sorted.
pub fn snapshot_files(root: &Path) -> Vec<PathBuf> {
    WalkDir::new(root.join("snapshots"))
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .map(|e| e.into_path())
        .filter(|p| p.extension().and_then(|e| e.to_str()) == Some("snap"))
        .collect()
}

/// Snapshot files with no case behind them (as `cargo insta test --unreferenced=reject` would find).
pub fn unreferenced(root: &Path, case_ids: &[String]) -> Vec<PathBuf> {
    let dir = root.join("snapshots");
    snapshot_files(root)
        .into_iter()
        .filter(|p| {
            let rel = p.strip_prefix(&dir).unwrap_or(p).with_extension("");
            let id = rel.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect::<Vec<_>>().join("/");
            !case_ids.contains(&id)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn exchange(message: &str) -> Vec<SnapshotExchange> {
        vec![SnapshotExchange {
            step: "steps[0]".into(),
            action: "CreateKeyPair".into(),
            sent_as: Default::default(),
            request: json!({"KeyName": "x"}),
            status: 200,
            response: json!({"Response": {"Error": {"Code": "InvalidParameterValue", "Message": message},
                "RequestId": "6ce5a2d4-0b8c-4d71-9c0e-1a2b3c4d5e6f"}}),
        }]
    }

    fn root(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("kc-snapshot-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("snapshots/api")).unwrap();
        dir
    }

    fn compare(root: &Path, update: Update, recorded_from: &str, gaps: &[Pattern], message: &str) -> SnapshotVerdict {
        let known = Known::default();
        let cmp = Comparison {
            root,
            id: "api/case",
            description: "A case.",
            profile: &crate::apis::tencent_api3::CVM,
            known: &known,
            unordered: &[],
            gaps,
            recorded_from,
            recorded_at: None,
            update,
        };
        check(&cmp, &exchange(message))
    }

    #[test]
    fn new_then_matched_then_differs_with_a_diff() {
        let root = root("cycle");
        let v = compare(&root, Update::Never, "emulator", &[], "a");
        assert_eq!(v.state, SnapshotState::New { pending: None });
        assert!(!root.join("snapshots/api/case.snap").exists());
        let v = compare(&root, Update::Accept, "emulator", &[], "a");
        assert_eq!(v.state, SnapshotState::Written);
        let written = std::fs::read_to_string(root.join("snapshots/api/case.snap")).unwrap();
        assert!(written.contains("recorded_from: emulator"), "{written}");
        assert!(written.contains("[request-id:1 lower]"), "{written}");
        assert_eq!(compare(&root, Update::Never, "emulator", &[], "a").state, SnapshotState::Matched);
        let v = compare(&root, Update::Never, "emulator", &[], "b");
        assert_eq!(v.state, SnapshotState::Differs { pending: None });
        let diff = v.diff.unwrap();
        let changed: Vec<&str> =
            diff.lines().filter(|l| l.starts_with(['-', '+']) && !l.starts_with("---") && !l.starts_with("+++")).collect();
        assert_eq!(changed.len(), 2, "{diff}");
        assert!(changed[0].starts_with('-') && changed[0].ends_with("Message: a"), "{diff}");
        assert!(changed[1].starts_with('+') && changed[1].ends_with("Message: b"), "{diff}");
        assert!(diff.starts_with("--- snapshots/api/case.snap\n+++ this run\n"), "{diff}");
        let v = compare(&root, Update::Pending, "emulator", &[], "b");
        assert_eq!(v.state, SnapshotState::Differs { pending: Some("snapshots/api/case.snap.new".into()) });
        assert!(root.join("snapshots/api/case.snap.new").exists());
        let _ = std::fs::remove_dir_all(&root);
    }

    #[test]
    fn emulator_never_overwrites_a_live_recording_and_gaps_count_on_emulators_only() {
        let root = root("live");
        assert_eq!(compare(&root, Update::Accept, "tencent-live", &[], "cloud words").state, SnapshotState::Written);
        let v = compare(&root, Update::Accept, "emulator", &[], "emulator words");
        assert!(matches!(v.state, SnapshotState::Differs { pending: Some(_) }), "{v:?}");
        assert!(std::fs::read_to_string(root.join("snapshots/api/case.snap")).unwrap().contains("cloud words"));
        let gap = [Pattern::parse("/Response/Error/Message").unwrap()];
        assert_eq!(compare(&root, Update::Never, "emulator", &gap, "emulator words").state, SnapshotState::Matched);
        let _ = std::fs::remove_dir_all(&root);
    }

    #[test]
    fn a_match_rewrites_nothing_but_missing_provenance_and_only_when_accepting() {
        let root = root("provenance");
        let file = root.join("snapshots/api/case.snap");
        assert_eq!(compare(&root, Update::Accept, "emulator", &[], "a").state, SnapshotState::Written);
        let today = std::fs::read_to_string(&file).unwrap();
        let dated = today.lines().find(|l| l.trim_start().starts_with("recorded_at:")).unwrap().to_string();
        // A match keeps the file as it is, recorded date included, even when accepting.
        let old = today.replace(&dated, "  recorded_at: 2020-01-01");
        std::fs::write(&file, &old).unwrap();
        assert_eq!(compare(&root, Update::Accept, "emulator", &[], "a").state, SnapshotState::Matched);
        assert_eq!(std::fs::read_to_string(&file).unwrap(), old);
        // An old-format file without provenance is left alone unless accepting, which adds it.
        let bare = old.replace("info:\n  recorded_at: 2020-01-01\n  recorded_from: emulator\n", "");
        assert_ne!(bare, old, "the provenance block was found");
        std::fs::write(&file, &bare).unwrap();
        for update in [Update::Never, Update::Pending, Update::AcceptNew] {
            assert_eq!(compare(&root, update, "emulator", &[], "a").state, SnapshotState::Matched);
            assert_eq!(std::fs::read_to_string(&file).unwrap(), bare, "{update:?}");
        }
        assert_eq!(compare(&root, Update::Accept, "emulator", &[], "a").state, SnapshotState::Matched);
        assert!(std::fs::read_to_string(&file).unwrap().contains("recorded_from: emulator"));
        let _ = std::fs::remove_dir_all(&root);
    }

    #[test]
    fn an_emulator_run_may_overwrite_what_an_emulator_recorded() {
        let root = root("emulator-over-emulator");
        assert_eq!(compare(&root, Update::Accept, "emulator", &[], "first").state, SnapshotState::Written);
        assert_eq!(compare(&root, Update::Accept, "emulator", &[], "second").state, SnapshotState::Written);
        assert!(std::fs::read_to_string(root.join("snapshots/api/case.snap")).unwrap().contains("Message: second"));
        let _ = std::fs::remove_dir_all(&root);
    }

    #[test]
    fn update_policy_follows_ci_then_accept_then_insta_update() {
        let vars = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| pairs.iter().find(|(k, _)| *k == name).map(|(_, v)| v.to_string())
        };
        assert_eq!(Update::from_vars(false, vars(&[])), Update::Pending);
        assert_eq!(Update::from_vars(true, vars(&[])), Update::Accept);
        assert_eq!(Update::from_vars(true, vars(&[("CI", "true")])), Update::Never, "CI wins over --accept");
        assert_eq!(Update::from_vars(false, vars(&[("CI", "false"), ("INSTA_UPDATE", "always")])), Update::Accept);
        assert_eq!(Update::from_vars(false, vars(&[("TF_BUILD", "True")])), Update::Never);
        assert_eq!(Update::from_vars(false, vars(&[("INSTA_UPDATE", "unseen")])), Update::AcceptNew);
        assert_eq!(Update::from_vars(false, vars(&[("INSTA_UPDATE", "no")])), Update::Never);
        assert_eq!(Update::from_vars(false, vars(&[("INSTA_FORCE_PASS", "1")])), Update::Pending, "nothing forces a pass");
    }

    #[test]
    fn accept_new_writes_new_snapshots_and_leaves_differing_ones_pending() {
        let root = root("unseen");
        assert_eq!(compare(&root, Update::AcceptNew, "emulator", &[], "a").state, SnapshotState::Written);
        let v = compare(&root, Update::AcceptNew, "emulator", &[], "b");
        assert_eq!(v.state, SnapshotState::Differs { pending: Some("snapshots/api/case.snap.new".into()) });
        assert!(std::fs::read_to_string(root.join("snapshots/api/case.snap")).unwrap().contains("Message: a"));
        // A matching run removes the stale pending answer and rewrites nothing.
        let before = std::fs::metadata(root.join("snapshots/api/case.snap")).unwrap().modified().unwrap();
        assert_eq!(compare(&root, Update::Pending, "emulator", &[], "a").state, SnapshotState::Matched);
        assert!(!root.join("snapshots/api/case.snap.new").exists());
        assert_eq!(std::fs::metadata(root.join("snapshots/api/case.snap")).unwrap().modified().unwrap(), before);
        let _ = std::fs::remove_dir_all(&root);
    }

    #[test]
    fn finds_a_planted_orphan() {
        let root = root("orphans");
        std::fs::write(root.join("snapshots/api/case.snap"), "---\n---\n").unwrap();
        std::fs::write(root.join("snapshots/api/orphan.snap"), "---\n---\n").unwrap();
        let orphans = unreferenced(&root, &["api/case".to_string()]);
        assert_eq!(orphans, vec![root.join("snapshots/api/orphan.snap")]);
        let _ = std::fs::remove_dir_all(&root);
    }
}
