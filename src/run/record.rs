//! `run --record DIR`: every exchange of a run, one YAML file per case (`DIR/<case id>.yaml`),
//! in order, redacted: no credentials, signatures or tokens; private keys replaced by a marker
//! saying their PEM framing, so a replay can put a fresh key of the same framing in their place.
//! Each file names the run prefix its generated names were made from, so a replay makes the
//! same names and matches requests exactly.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::exchange::Exchange;

/// One recorded request and its answer.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Entry {
    pub api: String,
    pub action: String,
    /// What a replay matches on: region, method, signing, version and the parameters, as JSON.
    pub request: String,
    pub status: u16,
    /// The answer's body, private keys replaced by [`private_key_marker`]s.
    pub body: String,
    /// The exchange as sent and received, redacted, for review.
    pub exchange: Exchange,
}

/// One case's recording.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct CaseRecording {
    pub case: String,
    pub run_prefix: String,
    pub exchanges: Vec<Entry>,
}

/// Collects a run's exchanges; [`Recorder::write`] saves them.
#[derive(Debug)]
pub struct Recorder {
    dir: PathBuf,
    run_prefix: String,
    cases: Mutex<BTreeMap<String, Vec<Entry>>>,
}

impl Recorder {
    pub fn new(dir: &Path, run_prefix: &str) -> Self {
        Self { dir: dir.to_path_buf(), run_prefix: run_prefix.to_string(), cases: Mutex::default() }
    }

    pub fn add(&self, case: &str, entry: Entry) {
        self.cases.lock().unwrap_or_else(|e| e.into_inner()).entry(case.to_string()).or_default().push(entry);
    }

    /// Writes one file per case that sent anything.
    pub fn write(&self) -> Result<usize, String> {
        let cases = self.cases.lock().unwrap_or_else(|e| e.into_inner());
        for (case, exchanges) in cases.iter() {
            let recording = CaseRecording { case: case.clone(), run_prefix: self.run_prefix.clone(), exchanges: exchanges.clone() };
            let path = file_of(&self.dir, case);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
            }
            let text = serde_saphyr::to_string(&recording).map_err(|e| format!("cannot encode the recording of {case}: {e}"))?;
            std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        }
        Ok(cases.len())
    }
}

/// The recording file of `case` under `dir`.
pub fn file_of(dir: &Path, case: &str) -> PathBuf {
    dir.join(format!("{case}.yaml"))
}

/// The key a request is matched on.
pub fn request_key(region: Option<&str>, method: &str, signing: &str, version: &str, params: &Value) -> String {
    serde_json::json!({"region": region, "method": method, "signing": signing, "version": version, "params": params}).to_string()
}

/// The marker standing for a private key: `[private-key:pkcs1]` or `[private-key:pkcs8]`.
pub fn private_key_marker(pem: &str) -> String {
    format!("[private-key:{}]", if pem.contains("BEGIN RSA PRIVATE KEY") { "pkcs1" } else { "pkcs8" })
}

/// `value` with every PEM private key replaced by its marker.
pub fn mark_private_keys(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(map.iter().map(|(k, v)| (k.clone(), mark_private_keys(v))).collect()),
        Value::Array(items) => Value::Array(items.iter().map(mark_private_keys).collect()),
        Value::String(s) if crate::check::secrets::looks_like_private_key(s) => Value::String(private_key_marker(s)),
        other => other.clone(),
    }
}
