//! CVM DescribeKeyPairs, through the router with requests the harness builds: paging (`Offset`,
//! the default `Limit` of 20, `Limit` 0 and above 100, a negative `Offset`, an `Offset` past the end)
//! and the filters `project-id`, `key-name`, `tag-key`, `tag-value` and `tag:<key>` (values of one
//! filter OR, different filters AND; apis.md §1.4).

use std::sync::Arc;

use crate::common::{SECRET_ID, call, emulator};
use keypair_contract::apis;
use keypair_contract::emulator::Emulator;
use serde_json::{Value, json};

const CVM: &keypair_contract::apis::ApiProfile = &apis::tencent_api3::CVM;

/// An emulator without rate limits, with projects 0 and 7.
fn quiet_emulator() -> Arc<Emulator> {
    let (emulator, _clock) = emulator();
    let account = emulator.accounts.get(SECRET_ID).unwrap();
    let mut settings = account.settings();
    settings.rate_limits = false;
    settings.projects.insert(7);
    account.update_settings(settings);
    emulator
}

struct Cvm {
    emulator: Arc<Emulator>,
    nonce: std::cell::Cell<u64>,
}

impl Cvm {
    fn new() -> Self {
        Self { emulator: quiet_emulator(), nonce: std::cell::Cell::new(1) }
    }

    async fn call(&self, action: &str, params: Value) -> Value {
        self.nonce.set(self.nonce.get() + 1);
        call(&self.emulator, CVM, action, params, self.nonce.get()).await.body["Response"].clone()
    }

    async fn create(&self, name: &str, project: i64, tags: &[(&str, &str)]) -> String {
        let tags: Vec<Value> = tags.iter().map(|(k, v)| json!({"Key": k, "Value": v})).collect();
        let mut params = json!({"KeyName": name, "ProjectId": project});
        if !tags.is_empty() {
            params["TagSpecification"] = json!([{"ResourceType": "keypair", "Tags": tags}]);
        }
        let response = self.call("CreateKeyPair", params).await;
        response["KeyPair"]["KeyId"].as_str().unwrap_or_else(|| panic!("create {name}: {response}")).to_string()
    }

    /// (TotalCount, the KeyNames listed) or the error code.
    async fn describe(&self, params: Value) -> Result<(u64, Vec<String>), String> {
        let response = self.call("DescribeKeyPairs", params.clone()).await;
        if let Some(code) = response.pointer("/Error/Code").and_then(Value::as_str) {
            return Err(code.to_string());
        }
        let total = response["TotalCount"].as_u64().unwrap_or_else(|| panic!("{params}: {response}"));
        let names = response["KeyPairSet"].as_array().unwrap().iter().map(|k| k["KeyName"].as_str().unwrap().to_string()).collect();
        Ok((total, names))
    }

    async fn names_with(&self, filters: Value) -> Vec<String> {
        let (total, mut names) =
            self.describe(json!({"Filters": filters, "Limit": 100})).await.unwrap_or_else(|code| panic!("{filters}: {code}"));
        assert_eq!(total as usize, names.len(), "{filters}");
        names.sort();
        names
    }
}

fn names(range: std::ops::Range<usize>) -> Vec<String> {
    range.map(|i| format!("page_{i:02}")).collect()
}

#[tokio::test]
async fn paging_offset_default_limit_and_bounds() {
    let cvm = Cvm::new();
    for i in 0..22 {
        cvm.create(&format!("page_{i:02}"), 0, &[]).await;
    }
    let ok = |total: u64, range: std::ops::Range<usize>| Ok((total, names(range)));
    assert_eq!(cvm.describe(json!({"Limit": 100})).await, ok(22, 0..22), "every key, in creation order");
    assert_eq!(cvm.describe(json!({})).await, ok(22, 0..20), "the default Limit is 20");
    assert_eq!(cvm.describe(json!({"Offset": 5, "Limit": 3})).await, ok(22, 5..8));
    assert_eq!(cvm.describe(json!({"Offset": 20})).await, ok(22, 20..22), "Offset with the default Limit");
    assert_eq!(cvm.describe(json!({"Offset": 21, "Limit": 1})).await, ok(22, 21..22));
    assert_eq!(cvm.describe(json!({"Offset": 22})).await, ok(22, 0..0), "an Offset at the end lists nothing");
    assert_eq!(cvm.describe(json!({"Offset": 1000})).await, ok(22, 0..0));
    assert_eq!(cvm.describe(json!({"Offset": 0, "Limit": 1})).await, ok(22, 0..1));
    assert_eq!(cvm.describe(json!({"Limit": 0})).await, Err("InvalidParameterValueLimit".into()), "Limit is 1-100");
    assert_eq!(cvm.describe(json!({"Limit": 101})).await, Err("InvalidParameterValueLimit".into()));
    assert_eq!(cvm.describe(json!({"Limit": -1})).await, Err("InvalidParameterValueLimit".into()));
    assert_eq!(cvm.describe(json!({"Offset": -1})).await, Err("InvalidParameterValueOffset".into()), "a negative Offset");
    assert_eq!(cvm.describe(json!({"Offset": -1, "Limit": 5})).await, Err("InvalidParameterValueOffset".into()));
    // Paging applies after filtering: TotalCount counts the matches, not the account's keys.
    let four = json!([{"Name": "key-name", "Values": ["page_03", "page_07", "page_11", "page_15"]}]);
    let filtered = cvm.describe(json!({"Filters": four, "Offset": 1, "Limit": 2})).await;
    assert_eq!(filtered, Ok((4, vec!["page_07".into(), "page_11".into()])));
}

#[tokio::test]
async fn project_and_tag_filters() {
    let cvm = Cvm::new();
    cvm.create("alpha", 0, &[("env", "prod"), ("team", "core")]).await;
    cvm.create("bravo", 7, &[("env", "dev")]).await;
    cvm.create("charlie", 7, &[]).await;
    cvm.create("delta", 0, &[("owner", "prod")]).await;
    let list = |names: &[&str]| names.iter().map(|n| n.to_string()).collect::<Vec<_>>();

    let filter = |name: &str, values: Value| json!([{"Name": name, "Values": values}]);
    assert_eq!(cvm.names_with(filter("project-id", json!(["7"]))).await, list(&["bravo", "charlie"]));
    assert_eq!(cvm.names_with(filter("project-id", json!(["0"]))).await, list(&["alpha", "delta"]));
    assert_eq!(cvm.names_with(filter("project-id", json!(["0", "7"]))).await, list(&["alpha", "bravo", "charlie", "delta"]));
    assert_eq!(cvm.names_with(filter("project-id", json!(["8"]))).await, list(&[]));

    assert_eq!(cvm.names_with(filter("tag-key", json!(["env"]))).await, list(&["alpha", "bravo"]));
    assert_eq!(cvm.names_with(filter("tag-key", json!(["owner", "team"]))).await, list(&["alpha", "delta"]));
    assert_eq!(cvm.names_with(filter("tag-key", json!(["prod"]))).await, list(&[]), "a value is not a key");

    assert_eq!(cvm.names_with(filter("tag-value", json!(["prod"]))).await, list(&["alpha", "delta"]));
    assert_eq!(cvm.names_with(filter("tag-value", json!(["dev"]))).await, list(&["bravo"]));
    assert_eq!(cvm.names_with(filter("tag-value", json!(["env"]))).await, list(&[]), "a key is not a value");

    assert_eq!(cvm.names_with(filter("tag:env", json!(["prod"]))).await, list(&["alpha"]));
    assert_eq!(cvm.names_with(filter("tag:env", json!(["prod", "dev"]))).await, list(&["alpha", "bravo"]));
    assert_eq!(cvm.names_with(filter("tag:owner", json!(["prod"]))).await, list(&["delta"]), "key and value must match together");
    assert_eq!(cvm.names_with(filter("tag:env", json!(["core"]))).await, list(&[]));
    assert_eq!(cvm.names_with(filter("tag:team", json!(["core"]))).await, list(&["alpha"]));

    // Different filters AND.
    let both = json!([{"Name": "project-id", "Values": ["0"]}, {"Name": "tag-key", "Values": ["env"]}]);
    assert_eq!(cvm.names_with(both).await, list(&["alpha"]));
    let none = json!([{"Name": "project-id", "Values": ["7"]}, {"Name": "tag-value", "Values": ["prod"]}]);
    assert_eq!(cvm.names_with(none).await, list(&[]));
    let name_and_tag = json!([{"Name": "key-name", "Values": ["alpha", "bravo"]}, {"Name": "tag:env", "Values": ["dev"]}]);
    assert_eq!(cvm.names_with(name_and_tag).await, list(&["bravo"]));
    assert_eq!(cvm.describe(json!({"Filters": filter("colour", json!(["x"]))})).await, Err("InvalidFilter".into()));
}
