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
    /// Who gave the answers (`emulator` or the live target's name) and on which day
    /// (`YYYY-MM-DD`): a snapshot accepted from a replay names them, not the replay. Empty in
    /// recordings made before they were kept.
    #[serde(default)]
    pub recorded_from: String,
    #[serde(default)]
    pub recorded_at: String,
    pub exchanges: Vec<Entry>,
}

/// Collects a run's exchanges; [`Recorder::write`] saves them.
#[derive(Debug)]
pub struct Recorder {
    dir: PathBuf,
    run_prefix: String,
    recorded_from: String,
    recorded_at: String,
    cases: Mutex<BTreeMap<String, Vec<Entry>>>,
}

impl Recorder {
    /// Records into `dir` the answers of `recorded_from` (the run's provenance), dated today.
    pub fn new(dir: &Path, run_prefix: &str, recorded_from: &str) -> Self {
        Self {
            dir: dir.to_path_buf(),
            run_prefix: run_prefix.to_string(),
            recorded_from: recorded_from.to_string(),
            recorded_at: crate::check::snapfile::today(),
            cases: Mutex::default(),
        }
    }

    pub fn add(&self, case: &str, entry: Entry) {
        self.cases.lock().unwrap_or_else(|e| e.into_inner()).entry(case.to_string()).or_default().push(entry);
    }

    /// Writes one file per case that sent anything.
    pub fn write(&self) -> Result<usize, String> {
        let cases = self.cases.lock().unwrap_or_else(|e| e.into_inner());
        for (case, exchanges) in cases.iter() {
            let recording = CaseRecording {
                case: case.clone(),
                run_prefix: self.run_prefix.clone(),
                recorded_from: self.recorded_from.clone(),
                recorded_at: self.recorded_at.clone(),
                exchanges: exchanges.clone(),
            };
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

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const PKCS1: &str = "-----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY-----\n";
    const PKCS8: &str = "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n";

    fn entry(action: &str) -> Entry {
        Entry {
            api: "tencent-cvm".into(),
            action: action.into(),
            request: request_key(Some("ap-guangzhou"), "POST", "tc3", "2017-03-12", &json!({"KeyName": "k"})),
            status: 200,
            body: "{}".into(),
            exchange: Exchange::default(),
        }
    }

    #[test]
    fn private_keys_anywhere_become_markers_of_their_framing() {
        let body = json!({"Response": {"KeyPair": {"PrivateKey": PKCS1, "KeyName": "k"}, "Keys": [PKCS8, 7]}});
        let marked = mark_private_keys(&body);
        assert_eq!(
            marked,
            json!({"Response": {"KeyPair": {"PrivateKey": "[private-key:pkcs1]", "KeyName": "k"}, "Keys": ["[private-key:pkcs8]", 7]}})
        );
        assert_eq!(mark_private_keys(&json!("PRIVATE KEY, said in prose")), json!("PRIVATE KEY, said in prose"));
    }

    #[test]
    fn a_request_key_changes_with_each_part_it_matches_on() {
        let params = json!({"KeyName": "k"});
        let key = request_key(Some("ap-guangzhou"), "POST", "tc3", "2017-03-12", &params);
        assert_eq!(key, r#"{"region":"ap-guangzhou","method":"POST","signing":"tc3","version":"2017-03-12","params":{"KeyName":"k"}}"#);
        let others = [
            request_key(None, "POST", "tc3", "2017-03-12", &params),
            request_key(Some("ap-guangzhou"), "GET", "tc3", "2017-03-12", &params),
            request_key(Some("ap-guangzhou"), "POST", "hmac-sha256", "2017-03-12", &params),
            request_key(Some("ap-guangzhou"), "POST", "tc3", "2020-03-24", &params),
            request_key(Some("ap-guangzhou"), "POST", "tc3", "2017-03-12", &json!({"KeyName": "other"})),
        ];
        assert!(others.iter().all(|other| *other != key), "{others:?}");
    }

    #[test]
    fn write_saves_one_file_per_case_that_sent_anything_in_order() {
        let dir = std::env::temp_dir().join(format!("kc-record-{}", std::process::id()));
        let recorder = Recorder::new(&dir, "kc1a2b", "emulator");
        recorder.add("tencent-cvm/create-key-pair/example", entry("CreateKeyPair"));
        recorder.add("tencent-cvm/create-key-pair/example", entry("DeleteKeyPairs"));
        recorder.add("aliyun-ecs/create-key-pair/example", entry("CreateKeyPair"));
        assert_eq!(recorder.write(), Ok(2));

        let path = file_of(&dir, "tencent-cvm/create-key-pair/example");
        assert_eq!(path, dir.join("tencent-cvm/create-key-pair/example.yaml"));
        let text = std::fs::read_to_string(&path).unwrap();
        let recording: CaseRecording = serde_saphyr::from_str(&text).unwrap();
        assert_eq!((recording.case.as_str(), recording.run_prefix.as_str()), ("tencent-cvm/create-key-pair/example", "kc1a2b"));
        let actions: Vec<&str> = recording.exchanges.iter().map(|e| e.action.as_str()).collect();
        assert_eq!(actions, ["CreateKeyPair", "DeleteKeyPairs"]);
        assert!(file_of(&dir, "aliyun-ecs/create-key-pair/example").exists());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
