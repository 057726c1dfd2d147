//! The documented validation of CVM key-pair requests, as pure functions of the parameters. The
//! rules CVM shares with Lighthouse are [`crate::emulator::tencent::rules`]; this file passes in
//! CVM's codes and adds its own (ProjectId, TagSpecification, reserved tag keys).
//!
//! When several rules fail at once, the first wins: Region, then the groups in the order of
//! `CvmSettings::check_order` (ledger L-CVM-10; by default KeyName (absent, empty, too long, illegal
//! characters) → ProjectId (absent, not an integer, unknown project) → PublicKey (absent,
//! malformed) → TagSpecification (shape, reserved keys)), then, in the model, state: duplicate
//! name → duplicate public key → tag quota → key quota.

use std::collections::BTreeSet;
use std::sync::LazyLock;

use regex::Regex;
use serde_json::Value;

use super::errors::CvmCode;
use super::settings::{CvmDeleteSettings, CvmProjectIdSettings, CvmSettings, RequestCheck};
use crate::emulator::tencent::error::TencentError;
use crate::emulator::tencent::params::as_integer;
use crate::emulator::tencent::rules::{self as shared, IdListRule, KeyNameRule};
pub use crate::emulator::tencent::rules::{DescribeQuery, KEY_NAME_MAX_CHARS, Tag};
use crate::emulator::tencent::store;

/// `skey-` + 8 characters (apis.md §1.6; `skey-1122` is the documented malformed example).
pub static KEY_ID: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^skey-[0-9a-z]{8}$").expect("valid regex"));

/// What a CVM key pair has and a Lighthouse one does not.
#[derive(Debug, Clone, Default)]
pub struct CvmFields {
    pub project_id: i64,
    /// No request sets it: a key pair is created with none (the data type's `Description`).
    pub description: String,
}

/// A validated CreateKeyPair / ImportKeyPair request.
pub type NewKeyPair = store::NewKeyPair<CvmFields>;

pub fn check_region(region: Option<&str>, settings: &CvmSettings) -> Result<(), TencentError> {
    let region = region.ok_or_else(|| settings.absent_region_code.error("Region", "`Region` is required."))?;
    if settings.regions.iter().any(|r| r == region) { Ok(()) } else { Err(TencentError::unsupported_region(region)) }
}

/// CreateKeyPair's parameters (seed 000 §2). `typed`: they came as JSON (see `Call::typed`).
pub fn parse_create(params: &Value, typed: bool, settings: &CvmSettings, projects: &BTreeSet<i64>) -> Result<NewKeyPair, TencentError> {
    parse_new(params, Request { typed, import: false }, settings, projects)
}

/// ImportKeyPair's parameters (seed 003 §2).
pub fn parse_import(params: &Value, typed: bool, settings: &CvmSettings, projects: &BTreeSet<i64>) -> Result<NewKeyPair, TencentError> {
    parse_new(params, Request { typed, import: true }, settings, projects)
}

/// What kind of request [`parse_new`] reads.
#[derive(Clone, Copy)]
struct Request {
    typed: bool,
    import: bool,
}

/// The rule groups in the order of `settings.check_order` (L-CVM-10): the first failing one wins.
fn parse_new(params: &Value, request: Request, settings: &CvmSettings, projects: &BTreeSet<i64>) -> Result<NewKeyPair, TencentError> {
    let mut new = NewKeyPair { key_name: String::new(), tags: Vec::new(), public_key: None, own: CvmFields::default() };
    let reject_reserved = !request.import || settings.tags.import_rejects_reserved;
    for check in &settings.check_order {
        match check {
            RequestCheck::KeyName => new.key_name = key_name(params, settings)?,
            RequestCheck::ProjectId => new.own.project_id = project_id(params, request.typed, &settings.project_id, projects)?,
            RequestCheck::PublicKey if request.import => {
                new.public_key = Some(shared::public_key(params, &settings.public_key_types, || CvmCode::PublicKeyMalformed.into())?);
            }
            RequestCheck::PublicKey => {}
            RequestCheck::Tags => new.tags = tag_specification(params, settings, reject_reserved)?,
        }
    }
    Ok(new)
}

fn key_name(params: &Value, settings: &CvmSettings) -> Result<String, TencentError> {
    shared::key_name(
        params,
        KeyNameRule {
            absent: settings.absent_name,
            check_chars: true,
            empty: || CvmCode::KeyPairNameEmpty.into(),
            too_long: || CvmCode::KeyPairNameTooLong.into(),
            illegal: || CvmCode::KeyPairNameIncludeIllegalChar.into(),
        },
    )
}

fn project_id(params: &Value, typed: bool, rules: &CvmProjectIdSettings, projects: &BTreeSet<i64>) -> Result<i64, TencentError> {
    let value = match params.get("ProjectId") {
        None | Some(Value::Null) if rules.required => return Err(TencentError::missing_parameter("ProjectId")),
        // The default project (L-CVM-24).
        None | Some(Value::Null) => &Value::from(0),
        Some(value) => value,
    };
    let not_integer = || rules.type_code.error("ProjectId", "`ProjectId` must be an integer.");
    // Only a JSON body can send a number; in GET and form requests every value is a string.
    if typed && value.is_string() && !rules.accepts_string {
        return Err(not_integer());
    }
    let id = as_integer(value).ok_or_else(not_integer)?;
    if !projects.contains(&id) {
        return Err(TencentError::documented(CvmCode::ProjectIdNotFound, format!("ProjectId {id}")));
    }
    Ok(id)
}

fn tag_specification(params: &Value, settings: &CvmSettings, reject_reserved: bool) -> Result<Vec<Tag>, TencentError> {
    let specs = match params.get("TagSpecification") {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(specs)) => specs,
        Some(_) => return Err(TencentError::invalid_parameter("`TagSpecification` must be a list.")),
    };
    let mut tags = Vec::new();
    for (i, spec) in specs.iter().enumerate() {
        let resource_type = spec.get("ResourceType").and_then(Value::as_str).unwrap_or("");
        if resource_type != settings.tags.resource_type {
            let detail = format!("TagSpecification.{i}.ResourceType must be `{}`, got `{resource_type}`", settings.tags.resource_type);
            return Err(TencentError::documented(CvmCode::InvalidParameterValue, detail));
        }
        let list = match spec.get("Tags") {
            None | Some(Value::Null) => continue,
            Some(Value::Array(list)) => list,
            Some(_) => return Err(TencentError::invalid_parameter(format!("`TagSpecification.{i}.Tags` must be a list."))),
        };
        for tag in list {
            let length = settings.tags.length;
            let tag = shared::tag(tag, length)
                .ok_or_else(|| TencentError::documented(CvmCode::InvalidParameterValue, format!("tag {}", length.rule())))?;
            let lower = tag.key.to_ascii_lowercase();
            if reject_reserved && settings.tags.reserved_prefixes.iter().any(|p| lower.starts_with(p.as_str())) {
                return Err(TencentError::documented(CvmCode::TagKeyReserved, format!("`{}`", tag.key)));
            }
            tags.push(tag);
        }
    }
    Ok(tags)
}

/// Filter names DescribeKeyPairs documents; `tag:<key>` is also accepted.
pub const FILTER_NAMES: &[&str] = &["project-id", "key-name", "tag-key", "tag-value"];

pub fn parse_describe(params: &Value) -> Result<DescribeQuery, TencentError> {
    let key_ids = id_list(params)?;
    let mut filters = Vec::new();
    if let Some(list) = params.get("Filters").filter(|v| !v.is_null()) {
        let list = list.as_array().ok_or_else(|| TencentError::invalid_parameter("`Filters` must be a list."))?;
        for filter in list {
            let name = filter.get("Name").and_then(Value::as_str).unwrap_or("");
            if !FILTER_NAMES.contains(&name) && !name.starts_with("tag:") {
                return Err(TencentError::documented(CvmCode::InvalidFilter, format!("`{name}`")));
            }
            let values = match filter.get("Values") {
                Some(Value::Array(values)) => values.iter().map(shared::as_text).collect(),
                _ => return Err(TencentError::invalid_parameter(format!("filter `{name}` needs a list of Values."))),
            };
            filters.push((name.to_string(), values));
        }
    }
    if !key_ids.is_empty() && !filters.is_empty() {
        return Err(TencentError::invalid_parameter("`KeyIds` and `Filters` cannot be given together."));
    }
    let offset = match params.get("Offset") {
        None | Some(Value::Null) => 0,
        Some(v) => as_integer(v).and_then(|n| usize::try_from(n).ok()).ok_or_else(|| TencentError::from(CvmCode::InvalidOffset))?,
    };
    let limit = match params.get("Limit") {
        None | Some(Value::Null) => 20,
        Some(v) => as_integer(v)
            .and_then(|n| usize::try_from(n).ok())
            .filter(|n| (1..=100).contains(n))
            .ok_or_else(|| TencentError::documented(CvmCode::InvalidLimit, "Limit must be 1-100"))?,
    };
    Ok(DescribeQuery { key_ids, filters, offset, limit })
}

/// DeleteKeyPairs' `KeyIds` (required, at most 100), checked in `rules.check_order` (L-CVM-19).
pub fn parse_delete(params: &Value, rules: &CvmDeleteSettings) -> Result<Vec<String>, TencentError> {
    shared::checked_id_list(params, id_rule(), &rules.check_order)
}

/// `KeyIds`, at most 100 of the `skey-` shape.
fn id_list(params: &Value) -> Result<Vec<String>, TencentError> {
    shared::id_list(params, id_rule())
}

fn id_rule() -> IdListRule<'static> {
    IdListRule {
        name: "KeyIds",
        max: 100,
        shape: &KEY_ID,
        too_many: || CvmCode::ValueLimitExceeded.into(),
        malformed: || CvmCode::KeyPairIdMalformed.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emulator::tencent::settings::AbsentName;
    use serde_json::json;

    fn projects() -> BTreeSet<i64> {
        BTreeSet::from([0])
    }

    fn create_code(params: Value) -> String {
        parse_create(&params, true, &CvmSettings::default(), &projects()).map(|_| "ok".into()).unwrap_or_else(|e| e.code)
    }

    #[test]
    fn key_name_rules_in_order() {
        assert_eq!(create_code(json!({"ProjectId": 0})), "MissingParameter");
        assert_eq!(create_code(json!({"KeyName": "", "ProjectId": 0})), "InvalidKeyPairNameEmpty");
        assert_eq!(create_code(json!({"KeyName": "a".repeat(25), "ProjectId": 0})), "ok");
        assert_eq!(create_code(json!({"KeyName": "a".repeat(26), "ProjectId": 0})), "InvalidKeyPairNameTooLong");
        assert_eq!(create_code(json!({"KeyName": "bad-name", "ProjectId": 0})), "InvalidKeyPairNameIncludeIllegalChar");
        // Too long and illegal at once: the length rule comes first.
        assert_eq!(create_code(json!({"KeyName": "-".repeat(26), "ProjectId": 0})), "InvalidKeyPairNameTooLong");
        // Both name and project wrong: the name rule comes first.
        assert_eq!(create_code(json!({"KeyName": ""})), "InvalidKeyPairNameEmpty");
    }

    #[test]
    fn absent_name_setting_switches_the_code() {
        let settings = CvmSettings { absent_name: AbsentName::Empty, ..CvmSettings::default() };
        let code = parse_create(&json!({"ProjectId": 0}), true, &settings, &projects()).unwrap_err().code;
        assert_eq!(code, "InvalidKeyPairNameEmpty");
    }

    #[test]
    fn project_rules() {
        assert_eq!(create_code(json!({"KeyName": "k"})), "MissingParameter");
        assert_eq!(create_code(json!({"KeyName": "k", "ProjectId": "0"})), "ok");
        assert_eq!(create_code(json!({"KeyName": "k", "ProjectId": true})), "InvalidParameter");
        assert_eq!(create_code(json!({"KeyName": "k", "ProjectId": 42})), "InvalidProjectId.NotFound");
    }

    #[test]
    fn the_string_setting_governs_json_bodies_only() {
        let strict = CvmSettings::from(CvmProjectIdSettings { accepts_string: false, ..Default::default() });
        let params = json!({"KeyName": "k", "ProjectId": "0"});
        assert_eq!(parse_create(&params, true, &strict, &projects()).unwrap_err().code, "InvalidParameter");
        assert!(parse_create(&params, false, &strict, &projects()).is_ok(), "a form or GET request can only send strings");
    }

    #[test]
    fn an_optional_project_id_defaults_to_the_default_project() {
        let optional = CvmSettings::from(CvmProjectIdSettings { required: false, ..Default::default() });
        for params in [json!({"KeyName": "k"}), json!({"KeyName": "k", "ProjectId": null})] {
            assert_eq!(parse_create(&params, true, &optional, &projects()).unwrap().own.project_id, 0, "{params}");
        }
    }

    #[test]
    fn tag_rules() {
        let spec = |rt: &str, key: &str| json!({"KeyName": "k", "ProjectId": 0, "TagSpecification": [{"ResourceType": rt, "Tags": [{"Key": key, "Value": "v"}]}]});
        assert_eq!(create_code(spec("keypair", "env")), "ok");
        assert_eq!(create_code(spec("instance", "env")), "InvalidParameterValue");
        assert_eq!(create_code(spec("keypair", "qcloud:team")), "FailedOperation.TagKeyReserved");
        assert_eq!(create_code(spec("keypair", "Tencent-x")), "FailedOperation.TagKeyReserved");
        assert_eq!(create_code(spec("keypair", "")), "InvalidParameterValue");
    }

    #[test]
    fn import_needs_an_openssh_rsa_key() {
        let code = |pk: Value| {
            parse_import(&json!({"KeyName": "k", "ProjectId": 0, "PublicKey": pk}), true, &CvmSettings::default(), &projects())
                .map(|_| "ok".to_string())
                .unwrap_or_else(|e| e.code)
        };
        assert_eq!(code(json!("ssh-rsa XXXXXXXXXXXX== skey_45071")), "InvalidPublicKey.Malformed");
        assert_eq!(
            code(json!("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIG5vdCBhIHJlYWwga2V5IGF0IGFsbCBqdXN0IDMy")),
            "InvalidPublicKey.Malformed"
        );
        assert_eq!(code(Value::Null), "MissingParameter");
    }

    #[test]
    fn describe_and_delete_rules() {
        assert_eq!(parse_describe(&json!({"KeyIds": ["skey-1122"]})).unwrap_err().code, "InvalidKeyPairId.Malformed");
        assert_eq!(parse_describe(&json!({"Filters": [{"Name": "colour", "Values": ["x"]}]})).unwrap_err().code, "InvalidFilter");
        assert_eq!(parse_describe(&json!({"Limit": 101})).unwrap_err().code, "InvalidParameterValueLimit");
        assert_eq!(parse_describe(&json!({"Limit": "5"})).unwrap().limit, 5);
        let rules = CvmDeleteSettings::default();
        assert_eq!(parse_delete(&json!({}), &rules).unwrap_err().code, "MissingParameter");
        assert_eq!(parse_delete(&json!({"KeyIds": ["skey-11112222"]}), &rules).unwrap(), vec!["skey-11112222"]);
    }

    #[test]
    fn unknown_parameters_are_refused_unless_the_setting_is_off() {
        use crate::emulator::actions::find;
        use crate::emulator::tencent::rules::check_known_parameters;
        let settings = CvmSettings::default();
        let table = super::super::ACTIONS;
        let create = find(table, "CreateKeyPair").unwrap();
        let describe = find(table, "DescribeKeyPairs").unwrap();
        assert!(check_known_parameters(create, &json!({"KeyName": "k", "ProjectId": 0}), settings.reject_unknown_parameters).is_ok());
        let err = check_known_parameters(describe, &json!({"Bogus": 1}), settings.reject_unknown_parameters).unwrap_err();
        assert_eq!(err.code, "UnknownParameter");
        let lenient = CvmSettings { reject_unknown_parameters: false, ..CvmSettings::default() };
        assert!(check_known_parameters(describe, &json!({"Bogus": 1}), lenient.reject_unknown_parameters).is_ok());
    }

    #[test]
    fn messages_are_the_documents_own() {
        let error =
            parse_create(&json!({"KeyName": "a".repeat(26), "ProjectId": 0}), true, &CvmSettings::default(), &projects()).unwrap_err();
        assert_eq!(error.message, "The key name cannot exceed 25 characters.");
    }

    #[test]
    fn region_rule() {
        let settings = CvmSettings::default();
        assert!(check_region(Some("ap-guangzhou"), &settings).is_ok());
        assert_eq!(check_region(Some("ap-mumbai"), &settings).unwrap_err().code, "UnsupportedRegion");
        assert_eq!(check_region(None, &settings).unwrap_err().code, "MissingParameter");
    }
}
