//! # keypair-contract
//!
//! Contract tests for the cloud SSH key-pair APIs (Tencent Cloud CVM API 3.0, Lighthouse, the legacy
//! CVM v2 endpoint, Alibaba Cloud ECS), and a local emulator of the same APIs to run them against.
//!
//! ## How the parts fit
//!
//! ```text
//!  cases/<api>/**.yaml ──► case      (load, validate against schemas/case.schema.json, spans for errors)
//!                            │
//!                            ▼
//!                          run       (target, templates, signing, sending, captures, teardown)
//!                            │ returns a result tree, prints nothing
//!              ┌─────────────┼──────────────┐
//!              ▼             ▼              ▼
//!            check         report        coverage
//!   (JSON Schemas compiled  (text lines,  (docs/documented.yaml vs the
//!    once; insta snapshots   summary)      cases' `source`)
//!    with shape-checked
//!    redactions)
//!
//!  emulator  (axum on one loopback port; one module tree per provider: model · handlers · errors)
//!    └─ uses sign (verify) and providers (API facts), never the harness modules, so it can be served alone
//! ```
//!
//! * [`sign`] — one file per signing scheme, pure functions (the clock is a parameter), tested
//!   against the vendors' published vectors and raw requests recorded from the official SDKs.
//! * [`providers`] — what the harness needs to know about each API: defaults (version, region,
//!   method, signing), how to build and sign a request, which response fields are volatile.
//! * [`emulator`] — a stateful emulator: [`emulator::start`] embeds it in any Rust test and returns
//!   its address; `keypair-contract serve` runs it on its own.
//! * [`case`], [`run`], [`check`], [`report`] — the harness. `tests/contract.rs` turns each case
//!   file into one libtest-mimic trial; `keypair-contract run` runs the same cases from the CLI.
//!
//! Start reading at [`run::run_suite`] (the harness) or [`emulator::router`] (the emulator).

pub mod bench;
pub mod case;
pub mod check;
pub mod cli;
pub mod clock;
pub mod commands;
pub mod coverage;
pub mod emulator;
pub mod keys;
pub mod providers;
pub mod report;
pub mod run;
pub mod sign;
