//! `--target replay:DIR`: answers each request from a recording made with `run --record DIR`,
//! matched on API, action, region, method, signing, version and parameters (names are the
//! recording's own, since the run reuses its prefix), in recorded order. A request with no
//! recording is an error naming it, never a guess.
//!
//! Recordings hold no private keys. Where one was, the replay puts a freshly generated key and
//! swaps its public half (public key or fingerprint) into this and every later answer of the
//! case, so key checks hold and answers stay consistent with each other.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde_json::{Map, Value};

use super::record::{CaseRecording, Entry, file_of};
use crate::keys::{generate_rsa_off_runtime, md5_fingerprint};

#[derive(Debug, Default)]
struct CaseState {
    entries: Vec<Entry>,
    used: Vec<bool>,
    /// Recorded public key / fingerprint → the one replacing it.
    swaps: HashMap<String, String>,
}

/// The recordings of one directory.
#[derive(Debug)]
pub struct Replay {
    dir: PathBuf,
    cases: Mutex<HashMap<String, CaseState>>,
}

impl Replay {
    pub fn new(dir: &Path) -> Result<Self, String> {
        if !dir.is_dir() {
            return Err(format!("no recording at {} (make one with `run --record {}`)", dir.display(), dir.display()));
        }
        Ok(Self { dir: dir.to_path_buf(), cases: Mutex::default() })
    }

    /// The recording of `case`, if there is one.
    pub fn load(&self, case: &str) -> Result<Option<CaseRecording>, String> {
        let path = file_of(&self.dir, case);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
        };
        serde_saphyr::from_str(&text).map(Some).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// The run prefix `case` was recorded with.
    pub fn run_prefix(&self, case: &str) -> Option<String> {
        self.load(case).ok().flatten().map(|r| r.run_prefix)
    }

    /// The recorded answer to a request: status and body.
    pub async fn answer(&self, case: &str, api: &str, action: &str, request: &str) -> Result<(u16, Value), String> {
        let entry = {
            let mut cases = self.cases.lock().unwrap_or_else(|e| e.into_inner());
            if !cases.contains_key(case) {
                let recording = self.load(case)?.unwrap_or_default();
                let used = vec![false; recording.exchanges.len()];
                cases.insert(case.to_string(), CaseState { entries: recording.exchanges, used, swaps: HashMap::new() });
            }
            let state = cases.get_mut(case).expect("inserted above");
            // A request may carry a value the replay swapped in (a captured fingerprint): match
            // it as the recording's own value.
            let mut request = request.to_string();
            for (old, new) in &state.swaps {
                request = request.replace(new.as_str(), old);
            }
            let found = (0..state.entries.len()).find(|&i| {
                !state.used[i] && state.entries[i].api == api && state.entries[i].action == action && state.entries[i].request == request
            });
            let Some(i) = found else {
                return Err(format!("replay: no recorded answer for {api} {action} {request} in {}", file_of(&self.dir, case).display()));
            };
            state.used[i] = true;
            state.entries[i].clone()
        };
        let mut body: Value = serde_json::from_str(&entry.body).map_err(|e| format!("replay: recorded body is not JSON: {e}"))?;
        let mut new_swaps = HashMap::new();
        rekey(&mut body, &mut new_swaps).await?;
        let mut cases = self.cases.lock().unwrap_or_else(|e| e.into_inner());
        let state = cases.get_mut(case).expect("loaded above");
        state.swaps.extend(new_swaps);
        swap_strings(&mut body, &state.swaps);
        Ok((entry.status, body))
    }
}

/// Puts a fresh key wherever a private-key marker is, remembering which public half it replaced.
async fn rekey(value: &mut Value, swaps: &mut HashMap<String, String>) -> Result<(), String> {
    let mut stack = vec![value];
    while let Some(value) = stack.pop() {
        match value {
            Value::Object(map) => {
                rekey_object(map, swaps).await?;
                stack.extend(map.values_mut());
            }
            Value::Array(items) => stack.extend(items.iter_mut()),
            _ => {}
        }
    }
    Ok(())
}

async fn rekey_object(map: &mut Map<String, Value>, swaps: &mut HashMap<String, String>) -> Result<(), String> {
    for (private_field, public_field) in [("PrivateKey", "PublicKey"), ("PrivateKeyBody", "KeyPairFingerPrint")] {
        let Some(marker) = map.get(private_field).and_then(Value::as_str).filter(|s| s.starts_with("[private-key:")) else {
            continue;
        };
        let pkcs1 = marker.contains("pkcs1");
        let key = generate_rsa_off_runtime(2048).await.map_err(|e| format!("replay: {e}"))?;
        map.insert(private_field.into(), Value::String(if pkcs1 { key.private_pkcs1_pem.clone() } else { key.private_pkcs8_pem.clone() }));
        if let Some(old) = map.get(public_field).and_then(Value::as_str).map(str::to_string) {
            let new = if public_field == "PublicKey" {
                let comment = old.splitn(3, ' ').nth(2).map(|c| format!(" {c}")).unwrap_or_default();
                format!("{}{comment}", key.public_openssh)
            } else {
                let fingerprint = md5_fingerprint(&key.public_blob);
                if old.contains(':') { fingerprint } else { fingerprint.replace(':', "") }
            };
            map.insert(public_field.into(), Value::String(new.clone()));
            swaps.insert(old, new);
        }
    }
    Ok(())
}

fn swap_strings(value: &mut Value, swaps: &HashMap<String, String>) {
    match value {
        Value::String(s) => {
            if let Some(new) = swaps.get(s.as_str()) {
                *s = new.clone();
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| swap_strings(v, swaps)),
        Value::Object(map) => map.values_mut().for_each(|v| swap_strings(v, swaps)),
        _ => {}
    }
}
