//! # keypair-contract
//!
//! Contract tests for the cloud SSH key-pair APIs (Tencent Cloud CVM API 3.0, Lighthouse, the legacy
//! CVM v2 endpoint, Alibaba Cloud ECS), and a local emulator of the same APIs to run them against.
//!
//! ## How the parts fit
//!
//! ```text
//!  commands / cli   (run, serve, coverage, sweep, bench)
//!        │
//!        ▼
//!  cases/<api>/**.yaml ──► case   (load, validate against schemas/case.schema.json, spans for errors)
//!                            │
//!                            ▼
//!                          run    targets · target (where, whose credentials) · guard (whose account)
//!                            │    runner · step (send) · pace · retry · shard · dry_run
//!                            │    judge · verdict (expectations → result) · template · inventory
//!                            │    record · replay · sweep
//!                            │ returns a result tree, prints nothing
//!              ┌─────────────┼──────────────┐
//!              ▼             ▼              ▼
//!            check         report         coverage
//!   (schemas, snapshots,  (text, json,    (docs/documented.yaml vs
//!    redaction, key        junit,          the cases' `source`)
//!    pairs, secrets)       markdown,
//!                          console)
//!
//!  apis      what the harness knows of each API: an ApiProfile (data) + its Wire (request style)
//!    └─ uses sign (to sign requests)
//!
//!  emulator  http (front door) · registry (the registered providers) · wire (shared request and
//!            response types) · actions · codes · control · ratelimit · keystore · accounts · log · server
//!            tencent/ · tencent_cvm/ · tencent_lighthouse/ · tencent_legacy/ · aliyun_ecs/ · sts/
//!    └─ uses sign (verify), never the harness modules, so it can be served alone
//! ```
//!
//! * [`sign`] — one file per signing scheme, pure functions (the clock is a parameter), tested
//!   against the vendors' published vectors and raw requests recorded from the official SDKs.
//! * [`apis`] — what the harness needs to know about each API: defaults (version, region,
//!   method, signing), how to build and sign a request and read its answer, which response fields
//!   are volatile or secret, how to list and delete what a case left behind.
//! * [`emulator`] — a stateful emulator: [`emulator::start`] embeds it in any Rust test and returns
//!   its address; `keypair-contract serve` runs it on its own.
//! * [`case`], [`run`], [`check`], [`report`] — the harness. `tests/contract.rs` turns each case
//!   file into one libtest-mimic trial; `keypair-contract run` runs the same cases from the CLI.
//!
//! Start reading at [`run::run_suite`] (the harness) or [`emulator::router`] (the emulator).
//!
//! ## Adding an API
//!
//! 1. The emulator: its folder under `src/emulator/` (a type implementing
//!    [`emulator::registry::Provider`], its action table and error table) and one line in
//!    [`emulator::registered`].
//! 2. The harness: its [`apis::ApiProfile`] (data: defaults, volatile and private-key fields,
//!    listing, cleanup) and one line in [`apis::PROFILES`]; a module implementing [`apis::Wire`]
//!    only if its request style is new.
//! 3. A signer under `src/sign/` only if its signing scheme is new, plus its name in
//!    [`apis::Signing::ALL`] and in the `signing` enum of `schemas/case.schema.json` (a test
//!    compares the two).
//! 4. Its cases under `cases/<api>/` and the response schemas under `schemas/<api>/`.
//!
//! No `match` on the API or the provider needs a new arm.

pub mod apis;
pub mod bench;
pub mod case;
pub mod check;
pub mod cli;
pub mod clock;
pub mod commands;
pub mod coverage;
pub mod emulator;
pub mod keys;
pub mod report;
pub mod run;
pub mod sign;
#[cfg(test)]
mod test_support;
