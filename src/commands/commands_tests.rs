//! What the subcommands share, and their usage errors, without the binary: which folder is the
//! project, which cases a filter keeps, what `--target` names, and the exit 2 that stops sweep,
//! coverage and bench before they start anything. `run` itself is driven through the binary by
//! tests/suite: it installs a process-wide panic hook.

use std::path::{Path, PathBuf};

use super::*;
use crate::report::{EXIT_OK, EXIT_USAGE};
use crate::run::target::TargetKind;
use crate::test_support::{bounded, subcommand_args};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// A folder of its own under the system's temporary one, empty.
fn empty_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kc-commands-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn the_project_is_the_folder_holding_cases_never_another() {
    assert_eq!(project_root(root()).unwrap(), std::fs::canonicalize(root()).unwrap());
    assert!(project_root(root()).unwrap().is_absolute());
    let elsewhere = empty_dir("no-cases");
    let error = project_root(&elsewhere).unwrap_err();
    assert!(error.contains("holds no cases/ folder") && error.contains("--root"), "{error}");
}

#[test]
fn a_filter_keeps_the_cases_whose_id_contains_it_and_an_empty_selection_is_an_error() {
    let all = load_cases(root(), None).unwrap();
    let ecs = load_cases(root(), Some("aliyun-ecs/")).unwrap();
    assert!(!ecs.is_empty() && ecs.len() < all.len(), "{} of {}", ecs.len(), all.len());
    assert!(ecs.iter().all(|c| c.id.contains("aliyun-ecs/")));
    assert_eq!(all.iter().filter(|c| c.id.contains("aliyun-ecs/")).count(), ecs.len());
    assert_eq!(load_cases(root(), Some("no-such-case")).unwrap_err(), "no case matches the filter `no-such-case`");
}

#[test]
fn a_case_file_that_does_not_load_stops_the_whole_selection() {
    let project = empty_dir("bad-case");
    std::fs::create_dir_all(project.join("schemas")).unwrap();
    std::fs::copy(root().join("schemas/case.schema.json"), project.join("schemas/case.schema.json")).unwrap();
    std::fs::create_dir_all(project.join("cases/tencent-cvm")).unwrap();
    std::fs::write(project.join("cases/tencent-cvm/broken.yaml"), "id: [unclosed\n").unwrap();
    let error = load_cases(&project, None).unwrap_err();
    assert!(error.starts_with("error: ") && error.ends_with("\n1 case file(s) could not be loaded"), "{error}");
    assert!(load_cases(&empty_dir("no-format"), None).unwrap_err().contains("case.schema.json"));
}

#[tokio::test]
async fn a_target_is_a_recording_a_name_from_targets_yaml_or_a_url() {
    let transport = |args: &[&str]| subcommand_args!(Run, &[&["run"], args].concat()).transport;
    let plain = transport(&[]);
    let (target, handle) = resolve_target(root(), "replay:recorded", false, &plain).await.unwrap();
    assert!(matches!(target.kind, TargetKind::Replay(ref dir) if dir == Path::new("recorded")) && handle.is_none());
    let (target, handle) = resolve_target(root(), "emulator", false, &plain).await.unwrap();
    assert!(matches!(target.kind, TargetKind::Emulator { control: true }), "{target:?}");
    assert!(handle.is_some(), "the embedded emulator runs as long as its handle");
    let (target, handle) = resolve_target(root(), "local", false, &plain).await.unwrap();
    assert_eq!((target.label.as_str(), handle.is_none()), ("local", true));
    assert!(matches!(target.kind, TargetKind::Emulator { control: true }));
    let (target, _) = resolve_target(root(), "http://127.0.0.1:1", false, &plain).await.unwrap();
    assert_eq!((target.label.as_str(), &target.kind), ("http://127.0.0.1:1", &TargetKind::Live));
    let (target, _) = resolve_target(root(), "http://127.0.0.1:1", true, &plain).await.unwrap();
    assert_eq!(target.kind, TargetKind::Emulator { control: true });
    let error = resolve_target(root(), "nowhere", false, &plain).await.unwrap_err();
    assert!(
        error.starts_with("no target `nowhere` in ") && error.contains("(targets: aliyun, aliyun-regional, emulator, live, local, "),
        "{error}"
    );
    // Without a targets file only `emulator` is a name.
    let missing = transport(&["--targets", "/nonexistent/targets.yaml"]);
    assert!(resolve_target(root(), "local", false, &missing).await.is_err());
    assert!(resolve_target(root(), "emulator", false, &missing).await.is_ok());
}

#[tokio::test]
async fn sweep_and_coverage_and_bench_stop_with_exit_2_on_a_usage_error() {
    let nowhere = empty_dir("usage");
    let nowhere = nowhere.to_str().unwrap();
    let sweep_args = |args: &[&str]| subcommand_args!(Sweep, &[&["sweep"], args].concat());
    let root = root().to_str().unwrap();
    assert_eq!(bounded(sweep(sweep_args(&["--target", "emulator", "--root", nowhere]))).await, Some(EXIT_USAGE));
    assert_eq!(bounded(sweep(sweep_args(&["--target", "emulator", "--root", root, "--older-than", "soon"]))).await, Some(EXIT_USAGE));
    assert_eq!(bounded(sweep(sweep_args(&["--target", "emulator", "--root", root, "--prefix", ""]))).await, Some(EXIT_USAGE));
    assert_eq!(bounded(sweep(sweep_args(&["--target", "nowhere", "--root", root]))).await, Some(EXIT_USAGE));
    let coverage_args = |args: &[&str]| subcommand_args!(Coverage, &[&["coverage"], args].concat());
    assert_eq!(coverage(coverage_args(&["--root", nowhere])), EXIT_USAGE);
    let bench_args = |args: &[&str]| subcommand_args!(Bench, &[&["bench"], args].concat());
    assert_eq!(bounded(bench(bench_args(&["--root", nowhere]))).await, Some(EXIT_USAGE));
}

#[test]
fn coverage_passes_on_this_project_for_every_api_and_for_one() {
    let coverage_args = |args: &[&str]| subcommand_args!(Coverage, &[&["coverage", "--root", root().to_str().unwrap()], args].concat());
    assert_eq!(coverage(coverage_args(&[])), EXIT_OK);
    assert_eq!(coverage(coverage_args(&["--api", "aliyun-ecs", "--json"])), EXIT_OK);
}
