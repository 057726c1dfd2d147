//! The documented validation of Lighthouse key-pair requests, as pure functions of the parameters
//! (apis.md §1.5, seed 001 §2).
//!
//! When several rules fail at once, the first wins (ledger L-LH-7): Region (only when required) →
//! unknown parameters → the groups in the order of `LighthouseSettings::check_order` (by default
//! KeyName (absent, empty, too long, illegal characters) → PublicKey (absent, malformed) → Tags
//! (shape, count)) → then, in the model, state: duplicate name → duplicate public key → key quota.
//! DescribeKeyPairs: KeyIds with Filters → KeyIds → Filters → Offset → Limit.
//! DeleteKeyPairs: absent → count → each id's shape → duplicates.

use std::sync::LazyLock;

use regex::Regex;
use serde_json::Value;

use super::errors::LighthouseCode;
use super::settings::{LighthouseSettings, RequestCheck};
use crate::emulator::tencent::error::TencentError;
use crate::emulator::tencent::rules::{self as shared, IdListRule, KeyNameRule};
pub use crate::emulator::tencent::rules::{DescribeQuery, KEY_NAME_MAX_CHARS, Tag};
use crate::emulator::tencent::store;

/// `lhkp-` + 8 characters `[0-9a-z]` (apis.md §1.6; seed 001 §4 `lhkp-hfenegt1`).
pub static KEY_ID: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^lhkp-[0-9a-z]{8}$").expect("valid regex"));
/// DescribeKeyPairs: "KeyIds.N (<=100)", "<=10 filters, <=5 values each", Limit max 100 (apis.md §1.5).
pub const DESCRIBE_MAX_IDS: usize = 100;
pub const MAX_FILTERS: usize = 10;
pub const MAX_FILTER_VALUES: usize = 5;
pub const MAX_LIMIT: i64 = 100;
pub const DEFAULT_LIMIT: usize = 20;
/// DeleteKeyPairs: at most 10 ids per request (apis.md §1.5).
pub const DELETE_MAX_IDS: usize = 10;
/// Filter names DescribeKeyPairs documents; `tag:<key>` is also accepted (apis.md §1.5).
pub const FILTER_NAMES: &[&str] = &["key-id", "key-name", "tag-key", "tag-value"];

/// What a Lighthouse key pair has and a CVM one does not: nothing (its `AssociatedInstanceIds`
/// are always empty here).
#[derive(Debug, Clone, Copy, Default)]
pub struct LighthouseFields;

/// A validated CreateKeyPair / ImportKeyPair request.
pub type NewKeyPair = store::NewKeyPair<LighthouseFields>;

/// Region is accepted present or absent unless the settings require it (L-LH-3).
pub fn check_region(region: Option<&str>, settings: &LighthouseSettings) -> Result<(), TencentError> {
    if settings.region_required && region.is_none() {
        return Err(TencentError::missing_parameter("Region"));
    }
    Ok(())
}

/// CreateKeyPair's parameters (seed 001 §2; Tags.N from apis.md §1.5).
pub fn parse_create(params: &Value, settings: &LighthouseSettings) -> Result<NewKeyPair, TencentError> {
    parse_new(params, false, settings)
}

/// ImportKeyPair's parameters (apis.md §1.5); "PublicKey (req, OpenSSH RSA)".
pub fn parse_import(params: &Value, settings: &LighthouseSettings) -> Result<NewKeyPair, TencentError> {
    parse_new(params, true, settings)
}

/// The documented key type: "PublicKey (req, OpenSSH RSA)" (apis.md §1.5).
const PUBLIC_KEY_TYPES: &[&str] = &["ssh-rsa"];

/// The rule groups in the order of `settings.check_order` (L-LH-7): the first failing one wins.
fn parse_new(params: &Value, import: bool, settings: &LighthouseSettings) -> Result<NewKeyPair, TencentError> {
    let mut new = NewKeyPair { key_name: String::new(), tags: Vec::new(), public_key: None, own: LighthouseFields };
    let check_chars = !import || settings.import_checks_name_chars;
    for check in &settings.check_order {
        match check {
            RequestCheck::KeyName => new.key_name = key_name(params, settings, check_chars)?,
            RequestCheck::PublicKey if import => {
                new.public_key = Some(shared::public_key(params, PUBLIC_KEY_TYPES, || LighthouseCode::PublicKeyMalformed.into())?);
            }
            RequestCheck::PublicKey | RequestCheck::ProjectId => {}
            RequestCheck::Tags => new.tags = tags(params, settings)?,
        }
    }
    Ok(new)
}

fn key_name(params: &Value, settings: &LighthouseSettings, check_chars: bool) -> Result<String, TencentError> {
    shared::key_name(
        params,
        KeyNameRule {
            absent: settings.absent_name,
            check_chars,
            empty: || LighthouseCode::KeyPairNameEmpty.into(),
            too_long: || LighthouseCode::KeyPairNameTooLong.into(),
            illegal: || LighthouseCode::KeyPairNameIncludeIllegalChar.into(),
        },
    )
}

/// `Tags.N` of `{Key, Value}`, at most `max_tags` (apis.md §1.5, §7). No reserved-prefix rule:
/// none is documented for Lighthouse (apis.md §7 names CVM's only). Too many tags answer
/// `InvalidParameterValue.LimitExceeded`, the Lighthouse code for "too many values" (L-LH-8).
fn tags(params: &Value, settings: &LighthouseSettings) -> Result<Vec<Tag>, TencentError> {
    let list = match params.get("Tags") {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(list)) => list,
        Some(_) => return Err(TencentError::invalid_parameter("`Tags` must be a list.")),
    };
    if list.len() > settings.max_tags {
        return Err(TencentError::documented(LighthouseCode::ValueLimitExceeded, format!("at most {} Tags", settings.max_tags)));
    }
    let length = settings.tag_length;
    let invalid = |i| TencentError::documented(LighthouseCode::InvalidParameterValue, format!("Tags.{i}: {}", length.rule()));
    list.iter().enumerate().map(|(i, tag)| shared::tag(tag, length).ok_or_else(|| invalid(i))).collect()
}

pub fn parse_describe(params: &Value) -> Result<DescribeQuery, TencentError> {
    let has = |name: &str| params.get(name).is_some_and(|v| !v.is_null() && v.as_array().is_none_or(|a| !a.is_empty()));
    if has("KeyIds") && has("Filters") {
        return Err(TencentError::documented(LighthouseCode::ParameterConflict, "`KeyIds` and `Filters` cannot be given together"));
    }
    let key_ids = id_list(params, DESCRIBE_MAX_IDS)?;
    let filters = filters(params)?;
    let offset = match shared::integer_param(params, "Offset")? {
        None => 0,
        Some(n) if n < 0 => return Err(TencentError::documented(LighthouseCode::Negative, "Offset")),
        Some(n) => usize::try_from(n).unwrap_or(usize::MAX),
    };
    let limit = match shared::integer_param(params, "Limit")? {
        None => DEFAULT_LIMIT,
        Some(n) if n < 0 => return Err(TencentError::documented(LighthouseCode::Negative, "Limit")),
        Some(n) if n == 0 || n > MAX_LIMIT => {
            return Err(TencentError::documented(LighthouseCode::OutOfRange, format!("Limit must be 1-{MAX_LIMIT}")));
        }
        Some(n) => n as usize,
    };
    Ok(DescribeQuery { key_ids, filters, offset, limit })
}

fn filters(params: &Value) -> Result<Vec<(String, Vec<String>)>, TencentError> {
    let invalid = |detail: String| TencentError::documented(LighthouseCode::InvalidFilter, detail);
    let list = match params.get("Filters") {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(list)) => list,
        Some(_) => return Err(invalid("`Filters` must be a list".into())),
    };
    if list.len() > MAX_FILTERS {
        return Err(TencentError::documented(LighthouseCode::ValueLimitExceeded, format!("at most {MAX_FILTERS} Filters")));
    }
    let mut out = Vec::new();
    for filter in list {
        let name = filter.get("Name").and_then(Value::as_str).unwrap_or("");
        let tag_filter = name.strip_prefix("tag:").is_some_and(|k| !k.is_empty());
        if !FILTER_NAMES.contains(&name) && !tag_filter {
            return Err(invalid(format!("`{name}`")));
        }
        let values = match filter.get("Values") {
            Some(Value::Array(values)) => values,
            _ => return Err(invalid(format!("filter `{name}` needs a list of Values"))),
        };
        if values.len() > MAX_FILTER_VALUES {
            let detail = format!("at most {MAX_FILTER_VALUES} Values per filter");
            return Err(TencentError::documented(LighthouseCode::ValueLimitExceeded, detail));
        }
        out.push((name.to_string(), values.iter().map(shared::as_text).collect()));
    }
    Ok(out)
}

/// DeleteKeyPairs' `KeyIds` (required, at most 10).
pub fn parse_delete(params: &Value) -> Result<Vec<String>, TencentError> {
    let ids = id_list(params, DELETE_MAX_IDS)?;
    if ids.is_empty() {
        return Err(TencentError::missing_parameter("KeyIds"));
    }
    Ok(ids)
}

/// `KeyIds`: count → each id's shape → duplicates.
fn id_list(params: &Value, max: usize) -> Result<Vec<String>, TencentError> {
    let rule = IdListRule {
        name: "KeyIds",
        max,
        shape: &KEY_ID,
        too_many: || LighthouseCode::ValueLimitExceeded.into(),
        malformed: || LighthouseCode::KeyPairIdMalformed.into(),
    };
    let ids = shared::id_list(params, rule)?;
    // The message names no id: ids are often captured from earlier steps and vary between runs.
    if ids.iter().enumerate().any(|(i, id)| ids[..i].contains(id)) {
        return Err(TencentError::documented(LighthouseCode::Duplicated, "KeyIds"));
    }
    Ok(ids)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emulator::tencent::settings::AbsentName;
    use serde_json::json;

    fn create_code(params: Value) -> String {
        parse_create(&params, &LighthouseSettings::default()).map(|_| "ok".into()).unwrap_or_else(|e| e.code)
    }

    #[test]
    fn key_name_rules_in_order() {
        assert_eq!(create_code(json!({})), "MissingParameter");
        assert_eq!(create_code(json!({"KeyName": ""})), "InvalidParameterValue.InvalidKeyPairNameEmpty");
        assert_eq!(create_code(json!({"KeyName": "test_create_1"})), "ok");
        assert_eq!(create_code(json!({"KeyName": "a".repeat(25)})), "ok");
        assert_eq!(create_code(json!({"KeyName": "a".repeat(26)})), "InvalidParameterValue.InvalidKeyPairNameTooLong");
        assert_eq!(create_code(json!({"KeyName": "bad-name"})), "InvalidParameterValue.InvalidKeyPairNameIncludeIllegalChar");
        assert_eq!(create_code(json!({"KeyName": "名字"})), "InvalidParameterValue.InvalidKeyPairNameIncludeIllegalChar");
        // Too long and illegal at once: the length rule comes first.
        assert_eq!(create_code(json!({"KeyName": "-".repeat(26)})), "InvalidParameterValue.InvalidKeyPairNameTooLong");
        assert_eq!(create_code(json!({"KeyName": 7})), "InvalidParameter");
    }

    #[test]
    fn absent_name_setting_switches_the_code() {
        let settings = LighthouseSettings { absent_name: AbsentName::Empty, ..LighthouseSettings::default() };
        assert_eq!(parse_create(&json!({}), &settings).unwrap_err().code, "InvalidParameterValue.InvalidKeyPairNameEmpty");
    }

    #[test]
    fn region_is_optional_unless_required() {
        let settings = LighthouseSettings::default();
        assert!(check_region(None, &settings).is_ok());
        assert!(check_region(Some("ap-guangzhou"), &settings).is_ok());
        let strict = LighthouseSettings { region_required: true, ..settings };
        assert_eq!(check_region(None, &strict).unwrap_err().code, "MissingParameter");
    }

    #[test]
    fn unknown_parameters_are_refused_unless_the_setting_is_off() {
        use crate::emulator::actions::find;
        use crate::emulator::tencent::rules::check_known_parameters;
        let reject = LighthouseSettings::default().reject_unknown_parameters;
        let create = find(super::super::ACTIONS, "CreateKeyPair").unwrap();
        let describe = find(super::super::ACTIONS, "DescribeKeyPairs").unwrap();
        assert!(check_known_parameters(create, &json!({"KeyName": "k", "Tags": []}), reject).is_ok());
        assert!(check_known_parameters(describe, &json!({"Filters": [], "Limit": 5}), reject).is_ok());
        let err = check_known_parameters(create, &json!({"KeyName": "k", "ProjectId": 0}), reject).unwrap_err();
        assert_eq!(err.code, "UnknownParameter");
        let lenient = LighthouseSettings { reject_unknown_parameters: false, ..LighthouseSettings::default() };
        assert!(check_known_parameters(create, &json!({"ProjectId": 0}), lenient.reject_unknown_parameters).is_ok());
    }

    #[test]
    fn messages_are_the_documents_own() {
        let error = parse_create(&json!({"KeyName": "a".repeat(26)}), &LighthouseSettings::default()).unwrap_err();
        assert_eq!(error.message, "The parameter length is invalid.");
    }

    #[test]
    fn tag_rules() {
        let tags =
            |n: usize| json!({"KeyName": "k", "Tags": (0..n).map(|i| json!({"Key": format!("k{i}"), "Value": "v"})).collect::<Vec<_>>()});
        assert_eq!(create_code(tags(10)), "ok");
        assert_eq!(create_code(tags(11)), "InvalidParameterValue.LimitExceeded");
        assert_eq!(create_code(json!({"KeyName": "k", "Tags": [{"Key": "", "Value": "v"}]})), "InvalidParameterValue");
        // No reserved prefixes are documented for Lighthouse.
        assert_eq!(create_code(json!({"KeyName": "k", "Tags": [{"Key": "qcloud:x", "Value": "v"}]})), "ok");
        // The name rule comes before the tag rule.
        assert_eq!(create_code(json!({"KeyName": "", "Tags": "x"})), "InvalidParameterValue.InvalidKeyPairNameEmpty");
    }

    #[test]
    fn import_rules() {
        let code =
            |params: Value| parse_import(&params, &LighthouseSettings::default()).map(|_| "ok".to_string()).unwrap_or_else(|e| e.code);
        assert_eq!(code(json!({"KeyName": "k"})), "MissingParameter");
        assert_eq!(code(json!({"KeyName": "k", "PublicKey": "ssh-rsa XXXX"})), "InvalidParameterValue.KeyPairPublicKeyMalformed");
        assert_eq!(
            code(json!({"KeyName": "k", "PublicKey": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIG5vdCBhIHJlYWwga2V5IGF0IGFsbCBqdXN0IDMy"})),
            "InvalidParameterValue.KeyPairPublicKeyMalformed"
        );
        assert_eq!(code(json!({"KeyName": "bad-name", "PublicKey": "x"})), "InvalidParameterValue.InvalidKeyPairNameIncludeIllegalChar");
        let lax = LighthouseSettings { import_checks_name_chars: false, ..LighthouseSettings::default() };
        let err = parse_import(&json!({"KeyName": "bad-name", "PublicKey": "x"}), &lax).unwrap_err();
        assert_eq!(err.code, "InvalidParameterValue.KeyPairPublicKeyMalformed");
    }

    #[test]
    fn describe_rules() {
        let code = |params: Value| parse_describe(&params).map(|_| "ok".to_string()).unwrap_or_else(|e| e.code);
        assert_eq!(code(json!({})), "ok");
        assert_eq!(parse_describe(&json!({})).unwrap().limit, 20);
        assert_eq!(
            code(json!({"KeyIds": ["lhkp-1234abcd"], "Filters": [{"Name": "key-name", "Values": ["a"]}]})),
            "InvalidParameter.ParameterConflict"
        );
        // An empty or null list is not given: no conflict.
        let filters = json!([{"Name": "key-name", "Values": ["a"]}]);
        assert_eq!(code(json!({"KeyIds": [], "Filters": filters})), "ok");
        assert_eq!(code(json!({"KeyIds": null, "Filters": filters})), "ok");
        assert_eq!(code(json!({"KeyIds": ["skey-1234abcd"]})), "InvalidParameterValue.KeyPairIdMalformed");
        assert_eq!(code(json!({"KeyIds": ["lhkp-1234abcd", "lhkp-1234abcd"]})), "InvalidParameterValue.Duplicated");
        let many: Vec<String> = (0..101).map(|i| format!("lhkp-{i:08}")).collect();
        assert_eq!(code(json!({"KeyIds": many})), "InvalidParameterValue.LimitExceeded");
        assert_eq!(code(json!({"Filters": [{"Name": "colour", "Values": ["x"]}]})), "InvalidParameter.InvalidFilter");
        assert_eq!(code(json!({"Filters": [{"Name": "tag:env", "Values": ["x"]}]})), "ok");
        assert_eq!(
            code(json!({"Filters": [{"Name": "key-name", "Values": ["1", "2", "3", "4", "5", "6"]}]})),
            "InvalidParameterValue.LimitExceeded"
        );
        let filters: Vec<Value> = (0..11).map(|_| json!({"Name": "key-id", "Values": ["x"]})).collect();
        assert_eq!(code(json!({"Filters": filters})), "InvalidParameterValue.LimitExceeded");
        assert_eq!(code(json!({"Filters": filters[..10]})), "ok", "10 filters are allowed");
        let five = json!([{"Name": "key-name", "Values": ["1", "2", "3", "4", "5"]}]);
        assert_eq!(code(json!({"Filters": five})), "ok", "5 values are allowed");
        assert_eq!(code(json!({"Offset": -1})), "InvalidParameterValue.Negative");
        assert_eq!(code(json!({"Offset": 0})), "ok");
        assert_eq!(code(json!({"Limit": -1})), "InvalidParameterValue.Negative");
        assert_eq!(code(json!({"Limit": 0})), "InvalidParameterValue.OutOfRange");
        assert_eq!(code(json!({"Limit": 101})), "InvalidParameterValue.OutOfRange");
        assert_eq!(code(json!({"Limit": "abc"})), "InvalidParameter");
        assert_eq!(parse_describe(&json!({"Limit": "5", "Offset": "2"})).unwrap().offset, 2);
    }

    #[test]
    fn delete_rules() {
        let code = |params: Value| parse_delete(&params).map(|_| "ok".to_string()).unwrap_or_else(|e| e.code);
        assert_eq!(code(json!({})), "MissingParameter");
        assert_eq!(code(json!({"KeyIds": []})), "MissingParameter");
        assert_eq!(code(json!({"KeyIds": ["lhkp-1234abcd"]})), "ok");
        let eleven: Vec<String> = (0..11).map(|i| format!("lhkp-{i:08}")).collect();
        assert_eq!(code(json!({"KeyIds": eleven})), "InvalidParameterValue.LimitExceeded");
        assert_eq!(code(json!({"KeyIds": ["lhkp-1234"]})), "InvalidParameterValue.KeyPairIdMalformed");
    }
}
