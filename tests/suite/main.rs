//! The integration tests, one binary: each file below was its own test crate. One binary links the
//! library once instead of 29 times, which makes a clean `cargo test` build and every mutant of
//! `scripts/mutants.sh` cheaper. Run one file's tests with `cargo test --test suite <file>::`.
//! (tests/contract.rs stays apart: it is the libtest-mimic runner of the case files.)

mod common;
mod transport_support;

mod auth_windows;
mod bench_command;
mod case_errors;
mod cvm_describe;
mod cvm_rules_edges;
mod documented_examples;
mod drift;
mod ecs_xml;
mod emulator_ecs_vectors;
mod emulator_http;
mod emulator_limits;
mod emulator_state;
mod emulator_vectors;
mod error_tables_vs_seeds;
mod fuzz_cases;
mod fuzz_requests;
mod hostile_run;
mod key_oracles;
mod ledger;
mod ledger_settings;
mod pacing;
mod regional_hosts;
mod replay;
mod request_builders_vs_sdk;
mod retry;
mod shards;
mod signing_vectors;
mod sts;
mod sweep;
mod targets;
mod tc3_edges;
