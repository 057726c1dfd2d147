//! Validation rules CVM and Lighthouse share, written once; where the products differ (their codes,
//! limits, whether a rule applies) the difference is data the product passes in. Messages are the
//! documented ones; which value failed goes to the error's `detail`, for the log.

use std::sync::LazyLock;

use regex::Regex;
use serde_json::Value;

use super::error::TencentError;
use super::settings::{AbsentName, IdCheck, TagLength};
use crate::emulator::actions::{self, ActionSpec};
use crate::keys;

/// "can contain numbers, letters, and underscores, with a maximum length of 25 characters"
/// (seed 000 §2; seed 001 §2 says the same for Lighthouse).
pub const KEY_NAME_MAX_CHARS: usize = 25;
static KEY_NAME_CHARS: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^[0-9A-Za-z_]+$").expect("valid regex"));

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Tag {
    pub key: String,
    pub value: String,
}

/// A validated DescribeKeyPairs request.
#[derive(Debug, Clone, Default)]
pub struct DescribeQuery {
    pub key_ids: Vec<String>,
    pub filters: Vec<(String, Vec<String>)>,
    pub offset: usize,
    pub limit: usize,
}

/// A parameter `spec`'s action does not define is `UnknownParameter` (apis.md §1.3), when the
/// product's setting says so.
pub fn check_known_parameters(spec: &ActionSpec, params: &Value, reject: bool) -> Result<(), TencentError> {
    let names = params.as_object().into_iter().flat_map(|map| map.keys().map(String::as_str));
    match actions::unknown_parameter(spec, names) {
        Some(name) if reject => Err(TencentError::unknown_parameter(name)),
        _ => Ok(()),
    }
}

pub fn string_param<'a>(params: &'a Value, name: &str) -> Result<Option<&'a str>, TencentError> {
    match params.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(TencentError::invalid_parameter(format!("`{name}` must be a string."))),
    }
}

/// An Integer parameter, absent or null as `None`.
pub fn integer_param(params: &Value, name: &str) -> Result<Option<i64>, TencentError> {
    match params.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(value) => super::params::as_integer(value)
            .map(Some)
            .ok_or_else(|| TencentError::invalid_parameter(format!("`{name}` must be an integer."))),
    }
}

/// The KeyName rule of a product: its codes, and the choices its settings make. The errors are
/// made only when the rule fails (a code's error copies its message; most requests pass).
pub struct KeyNameRule {
    /// What an absent KeyName is (L-CVM-1, L-LH-2).
    pub absent: AbsentName,
    /// Whether the character rule applies (Lighthouse's ImportKeyPair may skip it).
    pub check_chars: bool,
    pub empty: fn() -> TencentError,
    pub too_long: fn() -> TencentError,
    pub illegal: fn() -> TencentError,
}

/// KeyName: absent → empty → too long → illegal characters.
pub fn key_name(params: &Value, rule: KeyNameRule) -> Result<String, TencentError> {
    let name = match string_param(params, "KeyName")? {
        Some(name) => name,
        None if rule.absent == AbsentName::MissingParameter => return Err(TencentError::missing_parameter("KeyName")),
        None => "",
    };
    if name.is_empty() {
        return Err((rule.empty)());
    }
    let chars = name.chars().count();
    if chars > KEY_NAME_MAX_CHARS {
        return Err((rule.too_long)().with_detail(format!("got {chars} characters, at most {KEY_NAME_MAX_CHARS}")));
    }
    if rule.check_chars && !KEY_NAME_CHARS.is_match(name) {
        return Err((rule.illegal)().with_detail("digits, letters and underscores only"));
    }
    Ok(name.to_string())
}

/// PublicKey: required, an OpenSSH public key of one of `types` (`ssh-rsa` only, as documented,
/// unless a product's settings say otherwise); its line as given (trimmed) and its wire blob.
/// `malformed` makes the product's error, only when the key is refused.
pub fn public_key<S: AsRef<str>>(params: &Value, types: &[S], malformed: fn() -> TencentError) -> Result<keys::PublicKey, TencentError> {
    let line = string_param(params, "PublicKey")?.ok_or_else(|| TencentError::missing_parameter("PublicKey"))?;
    let parsed = match keys::parse_openssh_public(line) {
        Ok(parsed) => parsed,
        Err(e) => return Err(malformed().with_detail(e.to_string())),
    };
    if !types.iter().any(|t| t.as_ref() == parsed.algorithm) {
        return Err(malformed().with_detail(format!("the key type is {}", parsed.algorithm)));
    }
    Ok(keys::PublicKey::new(line.trim(), parsed.blob))
}

/// One tag `{Key, Value}` with a non-empty key of at most `key_max` characters and a value of at
/// most `value_max` (the product's settings), or `None`.
pub fn tag(tag: &Value, length: TagLength) -> Option<Tag> {
    let key = tag.get("Key").and_then(Value::as_str).unwrap_or("");
    let value = tag.get("Value").and_then(Value::as_str).unwrap_or("");
    let fits = !key.is_empty() && key.chars().count() <= length.key_max_chars && value.chars().count() <= length.value_max_chars;
    fits.then(|| Tag { key: key.to_string(), value: value.to_string() })
}

/// A list parameter of key-pair ids: the product's id shape, count limit and codes (made only
/// when the list is refused).
pub struct IdListRule<'r> {
    pub name: &'static str,
    pub max: usize,
    pub shape: &'r Regex,
    pub too_many: fn() -> TencentError,
    pub malformed: fn() -> TencentError,
}

/// The ids of `rule.name`, empty when absent: count first, then each id's shape.
pub fn id_list(params: &Value, rule: IdListRule) -> Result<Vec<String>, TencentError> {
    checked_id_list(params, rule, &[IdCheck::Count, IdCheck::Shape])
}

/// The ids of `rule.name`, running `checks` in their order (L-CVM-19); a check left out is not made.
pub fn checked_id_list(params: &Value, rule: IdListRule, checks: &[IdCheck]) -> Result<Vec<String>, TencentError> {
    let name = rule.name;
    let list: &[Value] = match params.get(name) {
        None | Some(Value::Null) => &[],
        Some(Value::Array(list)) => list,
        Some(_) => return Err(TencentError::invalid_parameter(format!("`{name}` must be a list."))),
    };
    let not_text = || TencentError::invalid_parameter(format!("`{name}` must hold strings."));
    for check in checks {
        match check {
            IdCheck::Missing if list.is_empty() => return Err(TencentError::missing_parameter(name)),
            IdCheck::Count if list.len() > rule.max => return Err((rule.too_many)().with_detail(format!("at most {} {name}", rule.max))),
            IdCheck::Shape => {
                // Each item in turn: a string, then of the product's shape.
                for item in list {
                    let id = item.as_str().ok_or_else(not_text)?;
                    if !rule.shape.is_match(id) {
                        return Err((rule.malformed)().with_detail(format!("`{id}`")));
                    }
                }
            }
            _ => {}
        }
    }
    list.iter().map(|item| item.as_str().map(str::to_string).ok_or_else(not_text)).collect()
}

/// A filter value as text (the docs type them as strings; numbers are accepted as written).
pub fn as_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emulator::actions::KeyPairAction;
    use serde_json::json;

    fn rule() -> KeyNameRule {
        KeyNameRule {
            absent: AbsentName::MissingParameter,
            check_chars: true,
            empty: || TencentError::unknown_parameter("empty"),
            too_long: || TencentError::unknown_parameter("long"),
            illegal: || TencentError::unknown_parameter("illegal"),
        }
    }

    #[test]
    fn a_too_long_name_keeps_the_documented_message_and_logs_the_count() {
        let error = key_name(&json!({"KeyName": "a".repeat(26)}), rule()).unwrap_err();
        assert_eq!(error.message, TencentError::unknown_parameter("long").message, "nothing appended");
        assert_eq!(error.detail.as_deref(), Some("got 26 characters, at most 25"));
    }

    #[test]
    fn unknown_parameters_follow_the_action_table() {
        let spec = ActionSpec { action: KeyPairAction::Delete, params: &["KeyIds"], per_second: None };
        assert!(check_known_parameters(&spec, &json!({"KeyIds": []}), true).is_ok());
        assert_eq!(check_known_parameters(&spec, &json!({"Bogus": 1}), true).unwrap_err().code, "UnknownParameter");
        assert!(check_known_parameters(&spec, &json!({"Bogus": 1}), false).is_ok());
    }
}
