//! Where requests go: the embedded emulator, an external one, or live endpoints; and which
//! account each case uses. On an emulator with its control API, every case gets an account of its
//! own (so parallel cases cannot interfere), set up as the case's `emulator:` section says.

use std::collections::HashMap;

use serde_json::{Value, json};

use super::targets::Session;
use crate::apis::{ApiProfile, Credentials};
use crate::case::Case;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TargetKind {
    /// An emulator; `control` when its control API can be used.
    Emulator { control: bool },
    /// A real cloud account (or anything without a control API that needs credentials).
    Live,
    /// A recording made with `run --record DIR`; nothing is sent.
    Replay(std::path::PathBuf),
}

#[derive(Debug, Clone)]
pub struct Target {
    pub kind: TargetKind,
    /// One endpoint for every API, or `None` for the endpoints of `spec` (or each API's documented one).
    base: Option<reqwest::Url>,
    /// The named target this was made from, if any.
    pub spec: Option<super::targets::TargetSpec>,
    /// The region whose endpoint is used where an endpoint names `{region}` (`--region`; default:
    /// the target's first region for each API).
    pub region: Option<String>,
    /// Credentials by the SDK variable naming their id (e.g. `TENCENTCLOUD_SECRET_ID`).
    sessions: HashMap<String, Session>,
    pub label: String,
}

/// The account a case runs as.
#[derive(Debug, Clone)]
pub struct Lease {
    pub credentials: Credentials,
    /// The session token of temporary credentials.
    pub token: Option<String>,
    /// Set when the account was made for this case and must be removed afterwards.
    pub emulator_account: Option<String>,
    /// What the case has created and not deleted yet, with the region it was created in: the
    /// runner tears it down, and a lost create never mistakes it for what the lost request made.
    pub held: Held,
}

/// Resources a case holds: (region, id).
pub type Held = std::sync::Arc<std::sync::Mutex<Vec<(Option<String>, String)>>>;

impl Target {
    /// An emulator with its control API at `base` (e.g. the embedded one).
    pub fn emulator(base: &str) -> Result<Self, String> {
        Ok(Self {
            kind: TargetKind::Emulator { control: true },
            base: Some(parse(base)?),
            spec: None,
            region: None,
            sessions: HashMap::new(),
            label: format!("emulator at {base}"),
        })
    }

    /// An endpoint URL: an emulator (`control`), or an endpoint without a control API used for
    /// every API with the credentials of the environment.
    pub fn url(url: &str, control: bool, sessions: HashMap<String, Session>) -> Result<Self, String> {
        let kind = if control { TargetKind::Emulator { control: true } } else { TargetKind::Live };
        Ok(Self { kind, base: Some(parse(url)?), spec: None, region: None, sessions, label: url.to_string() })
    }

    /// A named target from targets.yaml.
    pub fn named(
        name: &str,
        spec: &super::targets::TargetSpec,
        region: Option<String>,
        sessions: HashMap<String, Session>,
    ) -> Result<Self, String> {
        use super::targets::SpecKind;
        let (kind, base) = match spec.kind {
            SpecKind::Emulator => return Err("the embedded emulator is started by the caller".into()),
            SpecKind::Url => {
                let url = spec.url.as_deref().unwrap_or_default();
                (if spec.control { TargetKind::Emulator { control: true } } else { TargetKind::Live }, Some(parse(url)?))
            }
            SpecKind::Live => (TargetKind::Live, None),
        };
        Ok(Self { kind, base, spec: Some(spec.clone()), region, sessions, label: name.to_string() })
    }

    /// A recording made with `run --record DIR`.
    pub fn replay(dir: &std::path::Path) -> Self {
        Self {
            kind: TargetKind::Replay(dir.to_path_buf()),
            base: Some(parse("http://replay.invalid/").expect("a valid URL")),
            spec: None,
            region: None,
            sessions: HashMap::new(),
            label: format!("replay of {}", dir.display()),
        }
    }

    /// Account ids the run may use; empty when the target names none (emulators, bare URLs).
    pub fn allowed_accounts(&self) -> &[String] {
        self.spec.as_ref().map(|s| s.accounts.as_slice()).unwrap_or(&[])
    }

    /// The regions `sweep` searches for `api`: `--region`, else the target's, else the API's default.
    pub fn regions(&self, api: &ApiProfile) -> Vec<String> {
        if let Some(region) = &self.region {
            return vec![region.clone()];
        }
        let listed = self.spec.as_ref().map(|s| s.regions.of(api.name)).unwrap_or_default();
        if listed.is_empty() { vec![api.default_region.to_string()] } else { listed }
    }

    /// Whether the target has an endpoint for `profile`.
    pub fn serves(&self, profile: &ApiProfile) -> bool {
        self.base.is_some() || self.spec.as_ref().is_none_or(|s| s.endpoint_template(profile.name).is_some())
    }

    /// The endpoint of `profile` for requests that name no region (probes, control, STS).
    pub fn endpoint(&self, profile: &ApiProfile) -> Result<reqwest::Url, String> {
        self.endpoint_in(profile, None)
    }

    /// The endpoint of `profile` for a request naming `region`. Where the target's endpoint names
    /// `{region}`, a request goes to the host of its own region when the target lists that region
    /// (or it is `--region`): the cloud's regional hosts may refuse another region's request, and
    /// a case that works in two regions must reach both. Any other region (none, or one a case
    /// sends on purpose that does not exist) goes to the run's region's host (`--region`, else the
    /// target's first, else the API's default), never to a host the target does not name.
    pub fn endpoint_in(&self, profile: &ApiProfile, region: Option<&str>) -> Result<reqwest::Url, String> {
        if let Some(url) = &self.base {
            return Ok(url.clone());
        }
        let Some(spec) = &self.spec else { return parse(profile.live_endpoint) };
        let listed = spec.regions.of(profile.name);
        let run_region = self.region.as_deref().or(listed.first().map(String::as_str)).unwrap_or(profile.default_region);
        let host_region = region.filter(|r| Some(*r) == self.region.as_deref() || listed.iter().any(|l| l == r)).unwrap_or(run_region);
        match spec.endpoint(profile.name, host_region) {
            Some(url) => parse(&url),
            None => Err(format!("target {} has no endpoint for {}", self.label, profile.name)),
        }
    }

    /// Whether the target's endpoint for `profile` names `{region}` (so `--region` picks its host).
    pub fn names_region(&self, profile: &ApiProfile) -> bool {
        self.base.is_none() && self.spec.as_ref().and_then(|s| s.endpoint_template(profile.name)).is_some_and(|u| u.contains("{region}"))
    }

    /// The credentials for `api` from the environment, if set.
    pub fn session(&self, api: &ApiProfile) -> Option<&Session> {
        self.sessions.get(super::targets::credential_vars(api).0)
    }

    /// Whether requests need credentials from the environment (no control API to make accounts).
    pub fn needs_credentials(&self) -> bool {
        self.kind == TargetKind::Live
    }

    /// Why `case` cannot run here, if it cannot.
    pub fn skip_reason(&self, case: &Case) -> Option<String> {
        if !self.serves(case.api) {
            return Some(format!("target {} has no endpoint for {}", self.label, case.api.name));
        }
        match self.kind {
            TargetKind::Live => case.live_skip.as_ref().map(|why| format!("not for live accounts: {why}")),
            TargetKind::Replay(_) => None,
            TargetKind::Emulator { control: false } if !case.emulator.is_empty() => {
                Some("needs the emulator's control API (serve --control, run --control)".into())
            }
            TargetKind::Emulator { .. } => None,
        }
    }

    /// The account for one case: a fresh emulator account, or the configured credentials.
    pub async fn lease(&self, client: &reqwest::Client, case: &Case) -> Result<Lease, String> {
        if let TargetKind::Replay(_) = self.kind {
            let credentials = Credentials { id: "replay".into(), secret: "replay".into() };
            return Ok(Lease { credentials, token: None, emulator_account: None, held: Held::default() });
        }
        if self.kind != (TargetKind::Emulator { control: true }) {
            let (id_var, key_var, _) = super::targets::credential_vars(case.api);
            let session =
                self.session(case.api).ok_or_else(|| format!("no credentials for {}: set {id_var} and {key_var}", case.api.name))?;
            return Ok(Lease {
                credentials: session.credentials.clone(),
                token: session.token.clone(),
                emulator_account: None,
                held: Held::default(),
            });
        }
        let base = self.endpoint(case.api)?;
        let settings = case.emulator.account.clone().map(Value::Object).unwrap_or_else(|| json!({}));
        let created: Value = control(client, "POST", base.join("/_emulator/accounts"), Some(settings)).await?;
        let id = created["secret_id"].as_str().unwrap_or_default().to_string();
        let secret = created["secret_key"].as_str().unwrap_or_default().to_string();
        for fault in &case.emulator.faults {
            let body = json!({"api": case.api.name, "action": fault.action, "code": fault.code});
            control(client, "POST", base.join(&format!("/_emulator/accounts/{id}/faults")), Some(body)).await?;
        }
        Ok(Lease { credentials: Credentials { id: id.clone(), secret }, token: None, emulator_account: Some(id), held: Held::default() })
    }

    /// Removes an account made for a case.
    pub async fn release(&self, client: &reqwest::Client, case: &Case, lease: &Lease) -> Result<(), String> {
        if let Some(id) = &lease.emulator_account {
            let base = self.endpoint(case.api)?;
            control(client, "DELETE", base.join(&format!("/_emulator/accounts/{id}")), None).await?;
        }
        Ok(())
    }
}

fn parse(url: &str) -> Result<reqwest::Url, String> {
    reqwest::Url::parse(url).map_err(|e| format!("`{url}` is not a URL: {e}"))
}

async fn control(
    client: &reqwest::Client,
    method: &str,
    url: Result<reqwest::Url, url_error::ParseError>,
    body: Option<Value>,
) -> Result<Value, String> {
    let url = url.map_err(|e| format!("bad control URL: {e}"))?;
    let method = reqwest::Method::from_bytes(method.as_bytes()).map_err(|e| e.to_string())?;
    let mut request = client.request(method, url.clone());
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.map_err(|e| format!("control API {url}: {e}"))?;
    let status = response.status();
    let value: Value = response.json().await.map_err(|e| format!("control API {url}: {e}"))?;
    if !status.is_success() {
        return Err(format!("control API {url} answered {status}: {}", value["error"].as_str().unwrap_or("")));
    }
    Ok(value)
}

mod url_error {
    pub use reqwest::Url;
    pub type ParseError = <Url as std::str::FromStr>::Err;
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::apis::{aliyun_rpc::ECS, tencent_api3::CVM};
    use crate::case::load::checked_in as case;
    use crate::run::targets::{Regions, SpecKind, TargetSpec, sessions_from};

    fn root() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
    }

    fn live_spec(endpoints: &[(&str, &str)], regions: Regions) -> TargetSpec {
        TargetSpec {
            kind: SpecKind::Live,
            description: String::new(),
            url: None,
            control: false,
            endpoints: endpoints.iter().map(|(api, url)| (api.to_string(), url.to_string())).collect(),
            regions,
            accounts: vec!["100000000000".into()],
        }
    }

    fn tencent_session() -> HashMap<String, Session> {
        sessions_from(|name| match name {
            "TENCENTCLOUD_SECRET_ID" => Some("AKIDtest".into()),
            "TENCENTCLOUD_SECRET_KEY" => Some("secret".into()),
            "TENCENTCLOUD_SESSION_TOKEN" => Some("token".into()),
            _ => None,
        })
    }

    #[test]
    fn a_named_live_target_serves_only_the_apis_it_has_endpoints_for_in_its_regions() {
        let regions = Regions::ByApi([("tencent-cvm".to_string(), vec!["ap-shanghai".to_string(), "ap-beijing".to_string()])].into());
        let spec = live_spec(&[("tencent-cvm", "https://cvm.{region}.example")], regions);
        let target = Target::named("tencent", &spec, None, tencent_session()).unwrap();
        assert_eq!((target.kind.clone(), target.label.as_str()), (TargetKind::Live, "tencent"));
        assert_eq!(target.allowed_accounts(), ["100000000000"]);
        assert!(target.serves(&CVM) && !target.serves(&ECS));
        assert_eq!(target.endpoint(&CVM).unwrap().as_str(), "https://cvm.ap-shanghai.example/", "the first region stands for {{region}}");
        assert!(target.endpoint(&ECS).unwrap_err().contains("has no endpoint for aliyun-ecs"));
        assert_eq!(target.regions(&CVM), ["ap-shanghai", "ap-beijing"]);
        assert_eq!(target.regions(&ECS), [ECS.default_region], "a target naming no region for an API searches its default");
        let pinned = Target::named("tencent", &spec, Some("ap-chengdu".into()), HashMap::new()).unwrap();
        assert_eq!(pinned.regions(&CVM), ["ap-chengdu"]);
        assert_eq!(pinned.endpoint(&CVM).unwrap().as_str(), "https://cvm.ap-chengdu.example/");
        assert!(pinned.names_region(&CVM) && !pinned.names_region(&ECS));
        // A request's own region picks the host when the target lists it or it is --region;
        // an unlisted one (or none) goes to the run's region's host.
        let host = |target: &Target, region: Option<&str>| target.endpoint_in(&CVM, region).unwrap().host_str().unwrap().to_string();
        assert_eq!(host(&target, Some("ap-beijing")), "cvm.ap-beijing.example");
        assert_eq!(host(&target, Some("ap-atlantis")), "cvm.ap-shanghai.example");
        assert_eq!(host(&target, None), "cvm.ap-shanghai.example");
        assert_eq!(host(&pinned, Some("ap-beijing")), "cvm.ap-beijing.example");
        assert_eq!(host(&pinned, Some("ap-chengdu")), "cvm.ap-chengdu.example");
        assert_eq!(host(&pinned, Some("ap-atlantis")), "cvm.ap-chengdu.example");
        let unlisted = live_spec(&[("tencent-cvm", "https://cvm.{region}.example")], Regions::default());
        let bare = Target::named("bare", &unlisted, None, HashMap::new()).unwrap();
        assert_eq!(host(&bare, Some("ap-beijing")), format!("cvm.{}.example", CVM.default_region), "no regions listed: the API's default");
        assert!(target.needs_credentials());
        assert_eq!(target.session(&CVM).map(|s| s.credentials.id.as_str()), Some("AKIDtest"));
        assert!(target.session(&ECS).is_none());

        let url = TargetSpec { kind: SpecKind::Url, url: Some("http://127.0.0.1:9000".into()), control: true, ..spec.clone() };
        let local = Target::named("local", &url, None, HashMap::new()).unwrap();
        assert_eq!(local.kind, TargetKind::Emulator { control: true });
        assert!(local.serves(&ECS) && !local.needs_credentials());
        assert_eq!(local.endpoint(&ECS).unwrap().as_str(), "http://127.0.0.1:9000/", "one URL serves every API");
        let embedded = TargetSpec { kind: SpecKind::Emulator, ..spec };
        assert!(Target::named("emulator", &embedded, None, HashMap::new()).is_err());
        assert!(Target::emulator("not a url").unwrap_err().contains("is not a URL"));
    }

    #[test]
    fn why_a_case_is_skipped_depends_on_the_target() {
        let example = case("cases/tencent-cvm/create-key-pair/example.yaml");
        let faulted = case("cases/tencent-cvm/create-key-pair/internal-server-error.yaml");
        assert!(!faulted.emulator.is_empty() && faulted.live_skip.is_some());
        let embedded = Target::emulator("http://127.0.0.1:9000").unwrap();
        assert_eq!((embedded.skip_reason(&example), embedded.skip_reason(&faulted)), (None, None));
        let no_control = Target::url("http://127.0.0.1:9000", true, HashMap::new()).unwrap();
        let no_control = Target { kind: TargetKind::Emulator { control: false }, ..no_control };
        assert_eq!(no_control.skip_reason(&example), None);
        assert!(no_control.skip_reason(&faulted).unwrap().contains("control API"));
        let live = Target::url("https://cvm.tencentcloudapi.com", false, HashMap::new()).unwrap();
        assert_eq!(live.skip_reason(&example), None);
        assert!(live.skip_reason(&faulted).unwrap().starts_with("not for live accounts: "));
        let replay = Target::replay(&root().join("recordings"));
        assert_eq!(replay.skip_reason(&faulted), None, "a replay answers whatever was recorded");
        let ecs_only =
            Target::named("aliyun", &live_spec(&[("aliyun-ecs", "https://ecs.aliyuncs.com")], Regions::default()), None, HashMap::new());
        assert!(ecs_only.unwrap().skip_reason(&example).unwrap().contains("has no endpoint for tencent-cvm"));
    }

    #[tokio::test]
    async fn a_live_case_runs_as_the_environments_credentials_and_a_replay_as_nobody() {
        let client = reqwest::Client::new();
        let example = case("cases/tencent-cvm/create-key-pair/example.yaml");
        let live = Target::url("https://cvm.tencentcloudapi.com", false, tencent_session()).unwrap();
        let lease = live.lease(&client, &example).await.unwrap();
        assert_eq!(
            (lease.credentials.id.as_str(), lease.token.as_deref(), lease.emulator_account.clone()),
            ("AKIDtest", Some("token"), None)
        );
        live.release(&client, &example, &lease).await.unwrap();
        let bare = Target::url("https://cvm.tencentcloudapi.com", false, HashMap::new()).unwrap();
        let error = bare.lease(&client, &example).await.unwrap_err();
        assert!(error.contains("set TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY"), "{error}");
        let replay = Target::replay(&root().join("recordings")).lease(&client, &example).await.unwrap();
        assert_eq!((replay.credentials.id.as_str(), replay.emulator_account), ("replay", None));
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn an_emulator_case_gets_an_account_of_its_own_with_its_faults_and_gives_it_back() {
        let handle = crate::emulator::start_for_tests().await.unwrap();
        let client = reqwest::Client::new();
        let target = Target::emulator(&handle.base_url()).unwrap();
        let faulted = case("cases/tencent-cvm/create-key-pair/internal-server-error.yaml");
        let (first, second) = (target.lease(&client, &faulted).await.unwrap(), target.lease(&client, &faulted).await.unwrap());
        let id = first.emulator_account.clone().expect("an account made for the case");
        assert_eq!(first.credentials.id, id);
        assert_ne!(first.credentials.id, second.credentials.id, "each case its own account");
        let account = handle.emulator.accounts.get(&id).expect("the account exists");
        assert_eq!(account.faults().len(), faulted.emulator.faults.len());
        target.release(&client, &faulted, &first).await.unwrap();
        assert!(handle.emulator.accounts.get(&id).is_none(), "released");
        assert!(target.release(&client, &faulted, &first).await.unwrap_err().contains("control API"), "an unknown account is refused");
    }
}
