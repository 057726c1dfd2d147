//! The case-file model, after validation: every step resolved against its API's defaults.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::Deserialize;
use serde_json::{Map, Value};

use super::tree::{Document, Pos};
use crate::apis::{ApiProfile, Call, Signing};
use crate::check::pointer::Pattern;

/// One case file.
#[derive(Debug, Clone)]
pub struct Case {
    /// The path under `cases/` without extension, with `/`; also the trial and snapshot name.
    pub id: String,
    /// The file, relative to the project root.
    pub path: PathBuf,
    pub description: String,
    pub source: Source,
    pub api: &'static ApiProfile,
    /// `None` if the case may run against a live account, else why not.
    pub live_skip: Option<String>,
    pub emulator: EmulatorSetup,
    pub setup: Vec<Step>,
    pub steps: Vec<Step>,
    /// Response arrays whose order does not count (`unordered:`), JSON pointers with `*`.
    pub unordered: Vec<Pattern>,
    /// Places where the emulator is known to differ from the recorded cloud answer, with why
    /// (`parity_gaps:`); ignored on emulator targets only, reported as parity debt.
    pub parity_gaps: Vec<(Pattern, String)>,
    /// The parsed file, for positions in run-time errors.
    pub document: Document,
}

impl Case {
    /// Whether the case probes a rate limit on purpose (it has a `burst:` step): then none of its
    /// requests is paced or retried, or the limit it probes would never be reached.
    pub fn probes_rate_limit(&self) -> bool {
        self.setup.iter().chain(&self.steps).any(|s| s.burst.is_some())
    }

    /// The file position of the node at `pointer` (a key's position when it names one, so a
    /// `fields` entry points at its own line).
    pub fn position(&self, pointer: &str) -> Pos {
        self.document.key_pos(pointer)
    }
}

/// Where in the source documents the case comes from.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    pub seed: String,
    pub example: Option<String>,
    pub error: Option<String>,
    pub rule: Option<String>,
    /// Further documented rules the case covers, by id (docs/documented.yaml), besides its
    /// `example`, `error` or `rule`.
    #[serde(default)]
    pub rules: Vec<String>,
}

/// Control-API set-up applied to the case's emulator account.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmulatorSetup {
    /// Account settings (`emulator::accounts::AccountSettings` fields), passed through.
    pub account: Option<Map<String, Value>>,
    #[serde(default)]
    pub faults: Vec<FaultSpec>,
}

impl EmulatorSetup {
    pub fn is_empty(&self) -> bool {
        self.account.is_none() && self.faults.is_empty()
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultSpec {
    pub action: String,
    pub code: String,
}

/// One request and what must come back.
#[derive(Debug, Clone)]
pub struct Step {
    /// `setup[0]`, `steps[2]`: how errors name the step.
    pub label: String,
    /// Where the step starts in the file.
    pub pos: Pos,
    /// The step's JSON pointer in the file (`/steps/2`), for positions of its parts.
    pub pointer: String,
    pub action: String,
    pub version: String,
    pub region: Option<String>,
    pub method: String,
    pub signing: Signing,
    /// Parameters with templates unrendered.
    pub params: Value,
    pub burst: Option<u32>,
    pub expect: Expect,
    /// Name → JSON pointer.
    pub capture: BTreeMap<String, String>,
}

impl Step {
    /// The API call this step makes with `params` (its parameters, templates rendered).
    pub fn call<'a>(&'a self, params: &'a Value) -> Call<'a> {
        Call {
            action: &self.action,
            version: &self.version,
            region: self.region.as_deref(),
            method: &self.method,
            signing: self.signing,
            params,
        }
    }
}

/// The expected outcome of a step.
#[derive(Debug, Clone)]
pub struct Expect {
    pub outcome: Outcome,
    pub status: Option<u16>,
    /// Schema path under `schemas/`.
    pub schema: String,
    /// JSON pointer → expected value (templates unrendered).
    pub fields: Vec<(String, Value)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Success,
    Error(String),
}

impl Outcome {
    pub fn describe(&self) -> String {
        match self {
            Outcome::Success => "success".into(),
            Outcome::Error(code) => format!("error {code}"),
        }
    }
}

/// The raw file shape (already validated against schemas/case.schema.json).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct CaseFile {
    pub description: String,
    pub source: Source,
    pub api: String,
    pub live: Value,
    #[serde(default)]
    pub emulator: EmulatorSetup,
    #[serde(default)]
    pub setup: Vec<StepFile>,
    pub steps: Vec<StepFile>,
    #[serde(default)]
    pub unordered: Vec<String>,
    #[serde(default)]
    pub parity_gaps: Vec<ParityGapFile>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ParityGapFile {
    pub path: String,
    pub reason: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct StepFile {
    pub action: String,
    pub version: Option<String>,
    #[serde(default, deserialize_with = "present")]
    pub region: Option<Option<String>>,
    pub method: Option<String>,
    pub signing: Option<Signing>,
    pub params: Option<Value>,
    pub burst: Option<u32>,
    pub expect: Option<ExpectFile>,
    #[serde(default)]
    pub capture: BTreeMap<String, String>,
}

/// Distinguishes `region: null` (send none) from an absent key (use the default).
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ExpectFile {
    /// Only `true` is valid (the case format says so); its presence picks the success outcome.
    #[allow(dead_code)]
    pub success: Option<bool>,
    pub error: Option<String>,
    pub status: Option<u16>,
    pub schema: Option<String>,
    #[serde(default)]
    pub fields: Map<String, Value>,
}
