//! The command line as clap reads it: `--report FORMAT=PATH`, the defaults `run` documents, and
//! `bench --only`.

use std::path::PathBuf;

use clap::Parser;

use super::*;

/// The command `keypair-contract SUBCOMMAND ARGS…` parses to, or clap's error text.
fn command(subcommand: &str, args: &[&str]) -> Result<Command, String> {
    let argv = ["keypair-contract", subcommand].into_iter().chain(args.iter().copied());
    Cli::try_parse_from(argv).map(|cli| cli.command).map_err(|e| e.to_string())
}

fn run_args(args: &[&str]) -> Result<RunArgs, String> {
    command("run", args).map(|parsed| match parsed {
        Command::Run(args) => args,
        other => panic!("not run: {other:?}"),
    })
}

fn bench_args(args: &[&str]) -> Result<BenchArgs, String> {
    command("bench", args).map(|parsed| match parsed {
        Command::Bench(args) => args,
        other => panic!("not bench: {other:?}"),
    })
}

#[test]
fn a_report_is_a_known_format_and_a_file() {
    let reports = run_args(&["--report", "junit=out/r.xml", "--report", "md=s.md", "--report", "json=r.json"]).unwrap().reports;
    let formats: Vec<_> = reports.iter().map(|r| (r.format, r.path.clone())).collect();
    assert_eq!(
        formats,
        [
            (ReportFormat::Junit, PathBuf::from("out/r.xml")),
            (ReportFormat::Markdown, PathBuf::from("s.md")),
            (ReportFormat::Json, PathBuf::from("r.json"))
        ]
    );
    assert_eq!(parse_report("markdown=a").map(|r| r.format), Ok(ReportFormat::Markdown));
    let refused = |text: &str| parse_report(text).unwrap_err();
    assert!(refused("junit").contains("is not FORMAT=PATH"), "{}", refused("junit"));
    assert!(refused("yaml=r.yaml").contains("unknown report format `yaml`"), "{}", refused("yaml=r.yaml"));
    assert!(refused("json=").contains("names no file"), "{}", refused("json="));
    assert!(run_args(&["--report", "html=r.html"]).unwrap_err().contains("unknown report format"));
}

#[test]
fn run_defaults_to_the_embedded_emulator_four_at_a_time_with_drift_failing() {
    let args = run_args(&[]).unwrap();
    assert_eq!((args.target.as_str(), args.jobs, args.drift, args.root), ("emulator", 4, DriftArg::Fail, PathBuf::from(".")));
    assert!(!args.dry_run && !args.accept && args.filter.is_none() && args.reports.is_empty());
}

#[test]
fn bench_only_selects_one_section_and_without_it_every_section_runs() {
    assert!(BenchSection::Routes.selected(None) && BenchSection::Schemas.selected(None));
    assert!(BenchSection::Routes.selected(Some(BenchSection::Routes)));
    assert!(!BenchSection::Keygen.selected(Some(BenchSection::Routes)));
}

#[test]
fn the_ecs_rate_is_a_number_above_zero() {
    assert_eq!(run_args(&[]).unwrap().ecs_rate, crate::run::pace::DEFAULT_ECS_RATE);
    assert_eq!(run_args(&["--ecs-rate", "0.5"]).unwrap().ecs_rate, 0.5);
    for bad in ["0", "-1", "NaN", "inf", "fast"] {
        let error = run_args(&[&format!("--ecs-rate={bad}")]).unwrap_err();
        assert!(error.contains(&format!("`{bad}` is not a number of requests per second above 0")), "{bad}: {error}");
    }
}

#[test]
fn counts_of_nothing_are_refused_not_taken_as_one() {
    let run = run_args(&["--jobs", "1", "--case-timeout", "1"]).unwrap();
    assert_eq!((run.jobs, run.case_timeout), (1, 1));
    for (flag, bad) in [("--jobs", "0"), ("--jobs", "-2"), ("--case-timeout", "0"), ("--case-timeout", "1.5"), ("--jobs", "many")] {
        let error = run_args(&[&format!("{flag}={bad}")]).unwrap_err();
        assert!(error.contains(&format!("`{bad}` is not a whole number of at least 1")), "{flag} {bad}: {error}");
    }
    let bench = bench_args(&["--keys", "1", "--requests", "1", "--seconds", "0.1", "--rounds", "25"]).unwrap();
    assert_eq!((bench.keys, bench.requests, bench.seconds, bench.rounds), (1, 1, 0.1, 25));
    assert_eq!(bench_args(&["--seconds", "60", "--rounds", "1"]).map(|b| (b.seconds, b.rounds)), Ok((60.0, 1)));
    for (flag, bad, says) in [
        ("--keys", "0", "is not a whole number of at least 1"),
        ("--requests", "0", "is not a whole number of at least 1"),
        ("--seconds", "0.09", "is not a number of seconds from 0.1 to 60"),
        ("--seconds", "60.5", "is not a number of seconds from 0.1 to 60"),
        ("--seconds", "NaN", "is not a number of seconds from 0.1 to 60"),
        ("--rounds", "0", "is not a whole number of rounds from 1 to 25"),
        ("--rounds", "26", "is not a whole number of rounds from 1 to 25"),
    ] {
        let error = bench_args(&[&format!("{flag}={bad}")]).unwrap_err();
        assert!(error.contains(&format!("`{bad}` {says}")), "{flag} {bad}: {error}");
    }
}

#[test]
fn a_key_pool_is_at_most_ten_thousand_keys() {
    let pool = |args: &[&str]| {
        command("serve", args).map(|parsed| match parsed {
            Command::Serve(args) => args.key_pool,
            other => panic!("not serve: {other:?}"),
        })
    };
    assert_eq!(pool(&[]), Ok(0));
    assert_eq!(pool(&["--key-pool", "10000"]), Ok(10_000));
    for bad in ["10001", "-1", "lots"] {
        let error = pool(&[&format!("--key-pool={bad}")]).unwrap_err();
        assert!(error.contains(&format!("`{bad}` is not a number of keys from 0 to 10000")), "{bad}: {error}");
    }
    assert_eq!(bench_args(&["--key-pool", "0"]).map(|b| b.key_pool), Ok(0));
    assert!(bench_args(&["--key-pool", "10001"]).unwrap_err().contains("is not a number of keys from 0 to 10000"));
}
