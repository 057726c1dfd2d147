//! Named targets (`targets.yaml` at the project root) and live credentials from the environment.
//!
//! `--target` takes a name from the file, `emulator` (always there), a URL, or `replay:DIR`.
//! Credentials are read only from the official SDKs' variables, session tokens included; a live
//! target whose credentials are missing is one early error naming the variables (exit 2), never a
//! fallback to the emulator.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::apis::{ApiProfile, Credentials};

/// The file of named targets.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TargetsFile {
    pub targets: BTreeMap<String, TargetSpec>,
}

/// What a target is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SpecKind {
    Emulator,
    Url,
    Live,
}

/// One named target.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TargetSpec {
    pub kind: SpecKind,
    #[serde(default)]
    pub description: String,
    /// One endpoint for every API (kind `url`, or a live target behind a single gateway).
    pub url: Option<String>,
    /// The emulator at `url` has its control API on.
    #[serde(default)]
    pub control: bool,
    /// API name (`tencent-cvm`, …, `tencent-sts`, `aliyun-sts`) → endpoint; `{region}` is replaced.
    #[serde(default)]
    pub endpoints: BTreeMap<String, String>,
    /// Where `sweep` looks, the first being the default of `{region}`: one list, or a list per API.
    #[serde(default)]
    pub regions: Regions,
    /// Account ids a live target may run against.
    #[serde(default)]
    pub accounts: Vec<String>,
}

/// A target's regions: one list for every API, or one per API name.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Regions {
    All(Vec<String>),
    ByApi(BTreeMap<String, Vec<String>>),
}

impl Default for Regions {
    fn default() -> Self {
        Regions::All(Vec::new())
    }
}

impl Regions {
    /// The regions of `api` (empty when the target names none for it).
    pub fn of(&self, api: &str) -> Vec<String> {
        match self {
            Regions::All(list) => list.clone(),
            Regions::ByApi(map) => map.get(api).cloned().unwrap_or_default(),
        }
    }
}

impl TargetsFile {
    /// Reads `path`; a missing file is an empty list (only `emulator` and URLs then).
    pub fn load(path: &Path) -> Result<Self, String> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Self { targets: BTreeMap::new() }),
            Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
        };
        let file: Self = serde_saphyr::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        for (name, spec) in &file.targets {
            spec.check(name).map_err(|e| format!("{}: target `{name}`: {e}", path.display()))?;
        }
        Ok(file)
    }

    /// The targets file of a project: `--targets`, else `<root>/targets.yaml`.
    pub fn path(root: &Path, given: Option<&Path>) -> PathBuf {
        given.map(Path::to_path_buf).unwrap_or_else(|| root.join("targets.yaml"))
    }
}

impl TargetSpec {
    fn check(&self, _name: &str) -> Result<(), String> {
        match self.kind {
            SpecKind::Url if self.url.is_none() => Err("kind `url` needs `url:`".into()),
            SpecKind::Live if self.url.is_none() && self.endpoints.is_empty() => Err("kind `live` needs `endpoints:` or `url:`".into()),
            SpecKind::Live if self.accounts.is_empty() => Err("kind `live` needs `accounts:` (the account ids it may run against)".into()),
            _ => Ok(()),
        }
    }

    /// The endpoint of `api` as written, `{region}` and all, if the target serves it.
    pub fn endpoint_template(&self, api: &str) -> Option<&str> {
        self.endpoints.get(api).or(self.url.as_ref()).map(String::as_str)
    }

    /// The endpoint of `api` with `{region}` standing for `region`, if the target serves it (which
    /// region a request's host is, `Target::endpoint_in` decides).
    pub fn endpoint(&self, api: &str, region: &str) -> Option<String> {
        self.endpoint_template(api).map(|url| url.replace("{region}", region))
    }
}

/// Live credentials of one provider family, with the session token of temporary credentials.
#[derive(Clone, Debug)]
pub struct Session {
    pub credentials: Credentials,
    pub token: Option<String>,
}

/// The environment variables of a provider family: (id, secret, token).
pub fn credential_vars(api: &ApiProfile) -> (&'static str, &'static str, &'static str) {
    api.credential_env
}

/// Credentials found in `env` (the process environment, or a map in tests), keyed by the id
/// variable's name. An empty variable counts as unset.
pub fn sessions_from(env: impl Fn(&str) -> Option<String>) -> HashMap<String, Session> {
    let mut found = HashMap::new();
    for api in [&crate::apis::tencent_api3::CVM, &crate::apis::aliyun_rpc::ECS] {
        let (id_var, secret_var, token_var) = credential_vars(api);
        let get = |name: &str| env(name).filter(|v| !v.is_empty());
        if let (Some(id), Some(secret)) = (get(id_var), get(secret_var)) {
            found.insert(id_var.to_string(), Session { credentials: Credentials { id, secret }, token: get(token_var) });
        }
    }
    found
}

/// Credentials from the process environment.
pub fn sessions_from_env() -> HashMap<String, Session> {
    sessions_from(|name| std::env::var(name).ok())
}

/// One message naming every variable missing for `apis`, or `None` when all are set.
pub fn missing_credentials(apis: &[&ApiProfile], sessions: &HashMap<String, Session>) -> Option<String> {
    let mut missing: Vec<String> = Vec::new();
    for api in apis {
        let (id_var, secret_var, token_var) = credential_vars(api);
        if !sessions.contains_key(id_var) {
            let line = format!("{id_var} and {secret_var} (and {token_var} for temporary credentials)");
            if !missing.contains(&line) {
                missing.push(line);
            }
        }
    }
    (!missing.is_empty()).then(|| format!("no credentials in the environment: set {}", missing.join("; ")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::apis::{aliyun_rpc::ECS, tencent_api3::CVM};

    /// The variables the official SDKs and CLIs read (tccli, aliyun), written out here rather than
    /// taken from the profiles: an id and a secret make a session, a token joins it, and an empty
    /// variable counts as unset.
    #[test]
    fn sessions_come_from_the_sdks_variables_and_empty_ones_are_unset() {
        let env: HashMap<&str, &str> = HashMap::from([
            ("TENCENTCLOUD_SECRET_ID", "AKIDexample"),
            ("TENCENTCLOUD_SECRET_KEY", "tencent-secret"),
            ("TENCENTCLOUD_SESSION_TOKEN", "tencent-token"),
            ("ALIBABA_CLOUD_ACCESS_KEY_ID", "LTAIexample"),
            ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", ""),
        ]);
        let sessions = sessions_from(|name| env.get(name).map(|v| v.to_string()));
        assert_eq!(sessions.keys().collect::<Vec<_>>(), ["TENCENTCLOUD_SECRET_ID"], "an empty secret is no session");
        let tencent = &sessions["TENCENTCLOUD_SECRET_ID"];
        assert_eq!((tencent.credentials.id.as_str(), tencent.credentials.secret.as_str()), ("AKIDexample", "tencent-secret"));
        assert_eq!(tencent.token.as_deref(), Some("tencent-token"));

        let aliyun = sessions_from(|name| match name {
            "ALIBABA_CLOUD_ACCESS_KEY_ID" => Some("LTAIexample".into()),
            "ALIBABA_CLOUD_ACCESS_KEY_SECRET" => Some("aliyun-secret".into()),
            "ALIBABA_CLOUD_SECURITY_TOKEN" => Some(String::new()),
            _ => None,
        });
        let session = &aliyun["ALIBABA_CLOUD_ACCESS_KEY_ID"];
        assert_eq!((session.credentials.secret.as_str(), session.token.as_deref()), ("aliyun-secret", None), "an empty token is none");
        assert_eq!(
            credential_vars(&ECS),
            ("ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALIBABA_CLOUD_SECURITY_TOKEN")
        );
        assert_eq!(credential_vars(&CVM).2, "TENCENTCLOUD_SESSION_TOKEN");
    }

    #[test]
    fn the_checked_in_file_loads_and_names_every_live_host() {
        let file = TargetsFile::load(&PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("targets.yaml")).unwrap();
        let tencent = &file.targets["tencent"];
        assert_eq!(tencent.endpoint("tencent-cvm", "ap-guangzhou").unwrap(), "https://cvm.tencentcloudapi.com");
        assert_eq!(
            file.targets["tencent-intl"].endpoint("tencent-lighthouse", "ap-singapore").unwrap(),
            "https://lighthouse.intl.tencentcloudapi.com"
        );
        assert_eq!(file.targets["aliyun-regional"].endpoint("aliyun-ecs", "cn-shanghai").unwrap(), "https://ecs.cn-shanghai.aliyuncs.com");
        assert!(tencent.endpoint("aliyun-ecs", "cn-hangzhou").is_none() && tencent.endpoint_template("aliyun-ecs").is_none());
        assert!(file.targets.values().all(|t| t.kind != SpecKind::Live || !t.accounts.is_empty()));
        let live = &file.targets["live"];
        assert_eq!(
            (live.regions.of("tencent-cvm"), live.regions.of("aliyun-ecs")),
            (vec!["ap-guangzhou".to_string(), "sa-saopaulo".to_string()], vec!["cn-hangzhou".to_string(), "cn-shanghai".to_string()])
        );
    }

    #[test]
    fn a_target_lacking_what_its_kind_needs_is_refused_with_the_file_and_name() {
        let dir = std::env::temp_dir().join(format!("kc-targets-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let load = |text: &str| {
            let path = dir.join("targets.yaml");
            std::fs::write(&path, text).unwrap();
            TargetsFile::load(&path).map(|file| file.targets.len())
        };
        let refused = [
            ("targets:\n  a:\n    kind: url\n", "target `a`: kind `url` needs `url:`"),
            ("targets:\n  b:\n    kind: live\n    accounts: [\"1\"]\n", "target `b`: kind `live` needs `endpoints:` or `url:`"),
            ("targets:\n  c:\n    kind: live\n    url: https://x\n", "target `c`: kind `live` needs `accounts:`"),
        ];
        for (text, expected) in refused {
            let error = load(text).unwrap_err();
            assert!(error.contains("targets.yaml") && error.contains(expected), "{error}");
        }
        assert_eq!(load("targets:\n  d:\n    kind: live\n    url: https://x\n    accounts: [\"1\"]\n  e:\n    kind: emulator\n"), Ok(2));
        assert_eq!(TargetsFile::load(&dir.join("absent.yaml")).map(|f| f.targets.len()), Ok(0), "no file: no named targets");
        assert!(TargetsFile::load(&dir).unwrap_err().starts_with("cannot read"), "a folder is not a file");
        assert_eq!(TargetsFile::path(&dir, None), dir.join("targets.yaml"));
        assert_eq!(TargetsFile::path(&dir, Some(Path::new("other.yaml"))), PathBuf::from("other.yaml"));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn credentials_and_tokens_come_from_the_sdk_variables() {
        let env: HashMap<&str, &str> = [
            ("TENCENTCLOUD_SECRET_ID", "AKIDx"),
            ("TENCENTCLOUD_SECRET_KEY", "k"),
            ("TENCENTCLOUD_SESSION_TOKEN", "tok"),
            ("ALIBABA_CLOUD_ACCESS_KEY_ID", "LTAI"),
        ]
        .into();
        let sessions = sessions_from(|n| env.get(n).map(|v| v.to_string()));
        assert_eq!(sessions["TENCENTCLOUD_SECRET_ID"].token.as_deref(), Some("tok"));
        let message = missing_credentials(&[&CVM, &ECS], &sessions).unwrap();
        assert!(message.contains("ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET"), "{message}");
        assert!(!message.contains("TENCENTCLOUD_SECRET_ID"), "{message}");
        assert!(missing_credentials(&[&CVM], &sessions).is_none());
    }
}
