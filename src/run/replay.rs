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

/// One case's recording, read once, and what the replay has done with it so far.
#[derive(Debug, Default)]
struct CaseState {
    /// The run prefix it was recorded with; `None` when the case has no recording.
    run_prefix: Option<String>,
    /// Who gave the answers and when, where the recording says both.
    provenance: Option<(String, String)>,
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

    /// `f` over `case`'s state, its recording read on first use: the run prefix, the answers and
    /// the provenance all come from one read. A file that cannot be read is not remembered, so
    /// each use reports it.
    fn with_case<R>(&self, case: &str, f: impl FnOnce(&mut CaseState) -> R) -> Result<R, String> {
        let mut cases = self.cases.lock().unwrap_or_else(|e| e.into_inner());
        if !cases.contains_key(case) {
            let recording = self.load(case)?;
            let state = match recording {
                None => CaseState::default(),
                Some(recording) => CaseState {
                    provenance: (!recording.recorded_from.is_empty() && !recording.recorded_at.is_empty())
                        .then_some((recording.recorded_from, recording.recorded_at)),
                    run_prefix: Some(recording.run_prefix),
                    used: vec![false; recording.exchanges.len()],
                    entries: recording.exchanges,
                    swaps: HashMap::new(),
                },
            };
            cases.insert(case.to_string(), state);
        }
        Ok(f(cases.get_mut(case).expect("inserted above")))
    }

    /// Who gave `case`'s recorded answers and when (`emulator` or a live target; `YYYY-MM-DD`),
    /// if the recording says.
    pub fn provenance(&self, case: &str) -> Option<(String, String)> {
        self.with_case(case, |state| state.provenance.clone()).ok().flatten()
    }

    /// The run prefix `case` was recorded with.
    pub fn run_prefix(&self, case: &str) -> Option<String> {
        self.with_case(case, |state| state.run_prefix.clone()).ok().flatten()
    }

    /// The recorded answer to a request: status and body.
    pub async fn answer(&self, case: &str, api: &str, action: &str, request: &str) -> Result<(u16, Value), String> {
        let entry = self.with_case(case, |state| {
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
            Ok(state.entries[i].clone())
        })??;
        let mut body: Value = serde_json::from_str(&entry.body).map_err(|e| format!("replay: recorded body is not JSON: {e}"))?;
        let mut new_swaps = HashMap::new();
        rekey(&mut body, &mut new_swaps).await?;
        self.with_case(case, |state| {
            state.swaps.extend(new_swaps);
            swap_strings(&mut body, &state.swaps);
        })?;
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
                format!("{}{comment}", key.public.openssh)
            } else {
                let fingerprint = md5_fingerprint(&key.public.blob);
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

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::run::exchange::Exchange;
    use crate::run::record::{Recorder, request_key};

    const CASE: &str = "tencent-cvm/create-key-pair/example";
    const API: &str = "tencent-cvm";

    fn key_of(params: &Value) -> String {
        request_key(Some("ap-guangzhou"), "POST", "tc3", "2017-03-12", params)
    }

    fn entry(action: &str, params: Value, body: Value) -> Entry {
        Entry {
            api: API.into(),
            action: action.into(),
            request: key_of(&params),
            status: 200,
            body: body.to_string(),
            exchange: Exchange::default(),
        }
    }

    /// A recording of `entries` for `CASE`, written by the recorder into a folder of its own.
    fn recorded(tag: &str, entries: Vec<Entry>) -> (PathBuf, Replay) {
        let dir = std::env::temp_dir().join(format!("kc-replay-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let recorder = Recorder::new(&dir, "kc1a2b", "emulator");
        for entry in entries {
            recorder.add(CASE, entry);
        }
        recorder.write().unwrap();
        let replay = Replay::new(&dir).unwrap();
        (dir, replay)
    }

    #[test]
    fn a_recording_loads_a_missing_one_is_none_and_an_unreadable_one_is_an_error() {
        let (dir, replay) = recorded("load", vec![entry("DescribeKeyPairs", json!({}), json!({}))]);
        let loaded = replay.load(CASE).unwrap().expect("recorded");
        assert_eq!((loaded.run_prefix.as_str(), loaded.exchanges.len()), ("kc1a2b", 1));
        assert_eq!(replay.run_prefix(CASE).as_deref(), Some("kc1a2b"));
        assert!(replay.load("tencent-cvm/never-recorded").unwrap().is_none());
        assert_eq!(replay.run_prefix("tencent-cvm/never-recorded"), None);
        // A folder where the file should be cannot be read: that is an error, not "no recording".
        std::fs::create_dir_all(file_of(&dir, "tencent-cvm/a-folder")).unwrap();
        let error = replay.load("tencent-cvm/a-folder").unwrap_err();
        assert!(error.starts_with("cannot read") && error.contains("a-folder.yaml"), "{error}");
        assert!(Replay::new(&dir.join("nowhere")).unwrap_err().contains("run --record"));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_recording_names_who_answered_and_when_only_if_it_says_both() {
        let (dir, replay) = recorded("provenance", vec![entry("DescribeKeyPairs", json!({}), json!({}))]);
        let (from, at) = replay.provenance(CASE).expect("the recorder writes both");
        assert_eq!((from.as_str(), at.len(), &at[4..5]), ("emulator", 10, "-"), "{at}");
        // A recording made before they were kept, or with one of them only, names neither.
        let file = file_of(&dir, CASE);
        let text = std::fs::read_to_string(&file).unwrap();
        for (kept, line) in
            [("neither", String::new()), ("no day", "recorded_from: tencent\n".into()), ("no target", format!("recorded_at: {at}\n"))]
        {
            let stripped: String = text.lines().filter(|l| !l.starts_with("recorded_")).map(|l| format!("{l}\n")).collect();
            std::fs::write(&file, format!("{line}{stripped}")).unwrap();
            // A replay reads a case's recording once; a new one reads the edited file.
            let replay = Replay::new(&dir).unwrap();
            assert!(replay.load(CASE).unwrap().is_some(), "{kept}: the file still reads");
            assert_eq!(replay.provenance(CASE), None, "{kept}");
        }
        assert_eq!(replay.provenance("tencent-cvm/never-recorded"), None);
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// The run prefix, the answers and the provenance come from one read of the file.
    #[tokio::test]
    async fn a_case_s_recording_is_read_once() {
        let (dir, replay) = recorded("once", vec![entry("DescribeKeyPairs", json!({}), json!({"TotalCount": 0}))]);
        assert_eq!(replay.run_prefix(CASE).as_deref(), Some("kc1a2b"));
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(replay.provenance(CASE).map(|(from, _)| from).as_deref(), Some("emulator"));
        let (status, body) = replay.answer(CASE, API, "DescribeKeyPairs", &key_of(&json!({}))).await.unwrap();
        assert_eq!((status, body), (200, json!({"TotalCount": 0})));
        assert_eq!(replay.run_prefix("tencent-cvm/never-recorded"), None);
    }

    #[tokio::test]
    async fn answers_come_in_recorded_order_once_each_matched_on_api_action_and_request() {
        let params = json!({"Limit": 1});
        let first = entry("DescribeKeyPairs", params.clone(), json!({"Response": {"TotalCount": 1}}));
        let second = entry("DescribeKeyPairs", params.clone(), json!({"Response": {"TotalCount": 2}}));
        let (dir, replay) = recorded("order", vec![first, second]);
        let key = key_of(&params);
        // Another API or action with the same request, or the same action with other parameters: no answer.
        for (api, action, request) in [
            ("tencent-lighthouse", "DescribeKeyPairs", key.as_str()),
            (API, "DeleteKeyPairs", &key),
            (API, "DescribeKeyPairs", &key_of(&json!({}))),
        ] {
            let error = replay.answer(CASE, api, action, request).await.unwrap_err();
            assert!(error.starts_with(&format!("replay: no recorded answer for {api} {action}")), "{error}");
        }
        assert_eq!(replay.answer(CASE, API, "DescribeKeyPairs", &key).await, Ok((200, json!({"Response": {"TotalCount": 1}}))));
        assert_eq!(replay.answer(CASE, API, "DescribeKeyPairs", &key).await, Ok((200, json!({"Response": {"TotalCount": 2}}))));
        assert!(replay.answer(CASE, API, "DescribeKeyPairs", &key).await.is_err(), "each recorded answer is used once");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[tokio::test]
    async fn a_recorded_private_key_becomes_a_fresh_one_whose_public_half_replaces_the_recorded_one_everywhere() {
        let old_public = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQDold kctx-comment";
        let old_fingerprint = "aa:bb:cc:dd:ee:ff:00:11:22:33:44:55:66:77:88:99";
        let create = entry(
            "CreateKeyPair",
            json!({"KeyName": "k"}),
            json!({"Response": {"KeyPair": {"PrivateKey": "[private-key:pkcs1]", "PublicKey": old_public, "KeyId": "skey-1"}}}),
        );
        // The public key as a later request sends it (e.g. captured), and a later answer listing it.
        let import = entry("ImportKeyPair", json!({"PublicKey": old_public}), json!({"Response": {"KeyId": "skey-2"}}));
        let describe =
            entry("DescribeKeyPairs", json!({}), json!({"Response": {"KeyPairSet": [{"PublicKey": old_public}, {"PublicKey": "other"}]}}));
        // ECS's shape, inside a list: a PKCS#8 body and a fingerprint with colons, then one without.
        let ecs = entry(
            "CreateKeyPair",
            json!({"KeyPairName": "e"}),
            json!({"Pairs": [
                {"PrivateKeyBody": "[private-key:pkcs8]", "KeyPairFingerPrint": old_fingerprint},
                {"PrivateKeyBody": "[private-key:pkcs8]", "KeyPairFingerPrint": old_fingerprint.replace(':', "")},
            ]}),
        );
        let (dir, replay) = recorded("rekey", vec![create, import, describe, ecs]);

        let (_, created) = replay.answer(CASE, API, "CreateKeyPair", &key_of(&json!({"KeyName": "k"}))).await.unwrap();
        let pair = &created["Response"]["KeyPair"];
        assert!(pair["PrivateKey"].as_str().unwrap().starts_with("-----BEGIN RSA PRIVATE KEY-----"), "{pair}");
        let new_public = pair["PublicKey"].as_str().unwrap().to_string();
        assert!(
            new_public.starts_with("ssh-rsa AAAA") && new_public.ends_with(" kctx-comment") && new_public != old_public,
            "{new_public}"
        );
        assert_eq!(pair["KeyId"], "skey-1");

        let (_, imported) = replay.answer(CASE, API, "ImportKeyPair", &key_of(&json!({"PublicKey": new_public}))).await.unwrap();
        assert_eq!(imported["Response"]["KeyId"], "skey-2", "a request carrying the swapped-in key matches the recorded one");
        let (_, described) = replay.answer(CASE, API, "DescribeKeyPairs", &key_of(&json!({}))).await.unwrap();
        assert_eq!(described["Response"]["KeyPairSet"], json!([{"PublicKey": new_public}, {"PublicKey": "other"}]));

        let (_, ecs) = replay.answer(CASE, API, "CreateKeyPair", &key_of(&json!({"KeyPairName": "e"}))).await.unwrap();
        let pairs = ecs["Pairs"].as_array().unwrap();
        for pair in pairs {
            assert!(pair["PrivateKeyBody"].as_str().unwrap().starts_with("-----BEGIN PRIVATE KEY-----"), "{pair}");
        }
        let (with_colons, bare) = (pairs[0]["KeyPairFingerPrint"].as_str().unwrap(), pairs[1]["KeyPairFingerPrint"].as_str().unwrap());
        assert!(with_colons.len() == 47 && with_colons != old_fingerprint, "{with_colons}");
        assert!(bare.len() == 32 && !bare.contains(':'), "{bare}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
