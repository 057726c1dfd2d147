//! Where requests go: the embedded emulator, an external one, or live endpoints; and which
//! account each case uses. On an emulator with its control API, every case gets an account of its
//! own (so parallel cases cannot interfere), set up as the case's `emulator:` section says.

use std::collections::HashMap;

use serde_json::{Value, json};

use crate::case::Case;
use crate::providers::{ApiProfile, Credentials};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TargetKind {
    /// An emulator; `control` when its control API can be used.
    Emulator { control: bool },
    /// A real cloud account.
    Live,
}

#[derive(Debug, Clone)]
pub struct Target {
    pub kind: TargetKind,
    /// One endpoint for every API, or `None` for each API's documented live endpoint.
    base: Option<reqwest::Url>,
    /// Credentials by the SDK variable naming them (e.g. `TENCENTCLOUD_SECRET_ID`).
    credentials: HashMap<String, Credentials>,
    pub label: String,
}

/// The account a case runs as.
#[derive(Debug, Clone)]
pub struct Lease {
    pub credentials: Credentials,
    /// Set when the account was made for this case and must be removed afterwards.
    pub emulator_account: Option<String>,
}

impl Target {
    /// An emulator with its control API at `base` (e.g. the embedded one).
    pub fn emulator(base: &str) -> Result<Self, String> {
        Ok(Self {
            kind: TargetKind::Emulator { control: true },
            base: Some(parse(base)?),
            credentials: HashMap::new(),
            label: format!("emulator at {base}"),
        })
    }

    /// An endpoint URL: an emulator (`control`), or a live endpoint used for every API.
    pub fn url(url: &str, control: bool, credentials: HashMap<String, Credentials>) -> Result<Self, String> {
        let kind = if control { TargetKind::Emulator { control: true } } else { TargetKind::Live };
        Ok(Self { kind, base: Some(parse(url)?), credentials, label: url.to_string() })
    }

    /// Each API's documented live endpoint.
    pub fn live(credentials: HashMap<String, Credentials>) -> Self {
        Self { kind: TargetKind::Live, base: None, credentials, label: "live endpoints".into() }
    }

    pub fn endpoint(&self, profile: &ApiProfile) -> Result<reqwest::Url, String> {
        match &self.base {
            Some(url) => Ok(url.clone()),
            None => parse(profile.live_endpoint),
        }
    }

    /// Why `case` cannot run here, if it cannot.
    pub fn skip_reason(&self, case: &Case) -> Option<String> {
        match self.kind {
            TargetKind::Live => case.live_skip.as_ref().map(|why| format!("not for live accounts: {why}")),
            TargetKind::Emulator { control: false } if !case.emulator.is_empty() => {
                Some("needs the emulator's control API (serve --control, run --control)".into())
            }
            TargetKind::Emulator { .. } => None,
        }
    }

    /// The account for one case: a fresh emulator account, or the configured credentials.
    pub async fn lease(&self, client: &reqwest::Client, case: &Case) -> Result<Lease, String> {
        if self.kind != (TargetKind::Emulator { control: true }) {
            let (id_var, key_var) = case.api.credential_env;
            let credentials = self
                .credentials
                .get(id_var)
                .cloned()
                .ok_or_else(|| format!("no credentials for {}: set {id_var} and {key_var}", case.api.name))?;
            return Ok(Lease { credentials, emulator_account: None });
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
        Ok(Lease { credentials: Credentials { id: id.clone(), secret }, emulator_account: Some(id) })
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
