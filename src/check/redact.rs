//! The canonical, redacted form of a case's exchanges: what its snapshot holds.
//!
//! * Object keys are sorted, so the order a server writes its fields in never shows as a
//!   difference; arrays keep their order unless the case declares them unordered.
//! * Each volatile response field (the API profile's `.**.Field` selectors) has its shape checked,
//!   then becomes a numbered token: the same value twice is the same `[key-id:1]`. Tokens carry the
//!   facts a live run must settle: `[private-key:1 rsa-2048 pkcs1]`, `[fingerprint:1 md5-hex-colon]`,
//!   `[request-id:1 upper]`. Times are not references: always `[time]`.
//! * Generated names show as the `${name.ID}` that made them; what derives from a fixture key is
//!   left as it is. Redaction is by field, never a global text replace, so short or numeric
//!   values are never touched.
//! * Numbering follows the canonical order (steps in order, keys sorted), so it does not depend on
//!   the server's field order either.

use std::collections::HashMap;

use serde_json::{Map, Value};

use super::pointer::{Pattern, for_each_match};
use super::secrets::{looks_like_private_key, scrub_text};
use crate::apis::{ApiProfile, Shape};
use crate::keys::{parse_openssh_public, public_half_of_pem};

/// Values that stay as they are: fixture public keys are fixed, so what derives from them is
/// asserted exactly.
#[derive(Debug, Default, Clone)]
pub struct Known {
    /// Generated name → its template (`${name.key}`).
    pub names: HashMap<String, String>,
    /// Fixture public-key lines.
    pub fixtures: Vec<String>,
}

/// A volatile value whose shape is wrong: where (`steps[0] CreateKeyPair /Response/KeyId`) and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShapeError {
    pub step: String,
    pub pointer: String,
    pub message: String,
}

/// Numbered tokens for volatile values, shared by all exchanges of one case.
#[derive(Debug, Default)]
pub(crate) struct Tokens {
    numbers: HashMap<(String, String), usize>,
    next: HashMap<String, usize>,
}

impl Tokens {
    pub(crate) fn token(&mut self, kind: &str, value: &str, facts: Option<String>) -> String {
        let key = (kind.to_string(), value.to_string());
        let n = match self.numbers.get(&key) {
            Some(n) => *n,
            None => {
                let n = self.next.entry(kind.to_string()).or_insert(0);
                *n += 1;
                self.numbers.insert(key, *n);
                *n
            }
        };
        match facts {
            Some(facts) => format!("[{kind}:{n} {facts}]"),
            None => format!("[{kind}:{n}]"),
        }
    }
}

/// Sorts every object's keys, recursively.
pub fn canonical(value: &Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            Value::Object(keys.into_iter().map(|k| (k.clone(), canonical(&map[k]))).collect::<Map<String, Value>>())
        }
        Value::Array(items) => Value::Array(items.iter().map(canonical).collect()),
        other => other.clone(),
    }
}

/// Sorts and redacts the `response` of each exchange in `exchanges` (a JSON array of the
/// snapshot's exchange objects, whose own fields keep their fixed order), then sorts the arrays
/// `unordered` names.
pub fn redact(profile: &ApiProfile, exchanges: &mut Value, known: &Known, unordered: &[Pattern]) -> Vec<ShapeError> {
    let mut redactor = Redactor { profile, known, fixture_prints: fixture_fingerprints(&known.fixtures), tokens: Tokens::default() };
    let mut errors = Vec::new();
    if let Value::Array(items) = exchanges {
        for item in items.iter_mut() {
            let step = format!("{} {}", item["step"].as_str().unwrap_or(""), item["action"].as_str().unwrap_or(""));
            if let Some(response) = item.get_mut("response") {
                *response = canonical(response);
                redactor.walk(response, "", &step, &mut errors);
                for pattern in unordered {
                    for_each_match(response, pattern, &mut |node| {
                        if let Value::Array(list) = node {
                            list.sort_by_cached_key(|v| v.to_string());
                        }
                    });
                }
                // The last guard: no private key reaches a snapshot, whatever a profile declares.
                guard(response);
            }
        }
    }
    errors
}

/// Replaces any string still holding a PEM private key with `[private-key]`.
fn guard(value: &mut Value) {
    match value {
        Value::String(s) if looks_like_private_key(s) => *value = Value::String("[private-key]".into()),
        Value::Object(map) => map.values_mut().for_each(guard),
        Value::Array(items) => items.iter_mut().for_each(guard),
        _ => {}
    }
}

struct Redactor<'a> {
    profile: &'a ApiProfile,
    known: &'a Known,
    fixture_prints: Vec<String>,
    tokens: Tokens,
}

impl Redactor<'_> {
    fn walk(&mut self, value: &mut Value, pointer: &str, step: &str, errors: &mut Vec<ShapeError>) {
        match value {
            Value::Object(map) => {
                for (key, child) in map.iter_mut() {
                    let here = format!("{pointer}/{}", crate::case::tree::escape(key));
                    if let Some(text) = child.as_str().map(str::to_string) {
                        if let Some(volatile) = self.profile.volatile.iter().find(|v| field_of(v.selector) == Some(key.as_str())) {
                            *child = Value::String(self.volatile(volatile.token, volatile.shape, &text, &here, step, errors));
                            continue;
                        }
                        if key == self.profile.name_field {
                            *child = Value::String(show_names(&text, &self.known.names));
                            continue;
                        }
                    }
                    self.walk(child, &here, step, errors);
                }
            }
            Value::Array(items) => {
                for (i, item) in items.iter_mut().enumerate() {
                    self.walk(item, &format!("{pointer}/{i}"), step, errors);
                }
            }
            _ => {}
        }
    }

    fn volatile(&mut self, token: &str, shape: Shape, value: &str, pointer: &str, step: &str, errors: &mut Vec<ShapeError>) -> String {
        if self.known.fixtures.iter().any(|f| same_key_text(f, value))
            || self.fixture_prints.contains(&value.replace(':', "").to_ascii_lowercase())
        {
            return value.to_string();
        }
        let shaped = check_shape(shape, value);
        if let Err(why) = &shaped {
            errors.push(ShapeError { step: step.to_string(), pointer: pointer.to_string(), message: why.clone() });
        }
        match shape {
            Shape::Time(_) => format!("[{token}]"),
            _ => {
                let facts = if shaped.is_ok() { facts(token, value) } else { None };
                self.tokens.token(token, value, facts)
            }
        }
    }
}

/// The field a `.**.Field` selector names (every profile's selectors have that form).
pub fn field_of(selector: &str) -> Option<&str> {
    selector.strip_prefix(".**.").filter(|f| !f.is_empty() && !f.contains(['.', '[', '*']))
}

/// What a token states about its value, for the facts a live run must settle.
fn facts(token: &str, value: &str) -> Option<String> {
    match token {
        "private-key" => Some(private_key_facts(value)),
        "fingerprint" => Some(fingerprint_form(value)),
        "request-id" => Some(letter_case(value).to_string()),
        _ => None,
    }
}

/// `rsa-2048 pkcs1`: algorithm, bits and PEM framing (PKCS#1 `BEGIN RSA PRIVATE KEY`, PKCS#8
/// `BEGIN PRIVATE KEY`).
pub fn private_key_facts(pem: &str) -> String {
    let framing = if pem.contains("BEGIN RSA PRIVATE KEY") {
        "pkcs1"
    } else if pem.contains("BEGIN PRIVATE KEY") {
        "pkcs8"
    } else {
        "unknown-framing"
    };
    let bits = public_half_of_pem(pem).ok().and_then(|line| parse_openssh_public(&line).ok()).and_then(|k| k.rsa_bits);
    match bits {
        Some(bits) => format!("rsa-{bits} {framing}"),
        None => format!("unknown {framing}"),
    }
}

/// `md5-hex-colon` (`aa:bb:…`), `md5-hex` (32 hex digits), `sha256-base64` (`SHA256:…`); `-upper`
/// when the hex is upper case.
pub fn fingerprint_form(value: &str) -> String {
    let hex: String = value.chars().filter(|c| *c != ':').collect();
    if value.starts_with("SHA256:") {
        return "sha256-base64".into();
    }
    let upper = if hex.chars().any(|c| c.is_ascii_uppercase()) { "-upper" } else { "" };
    match (hex.len(), value.contains(':')) {
        (32, true) => format!("md5-hex{upper}-colon"),
        (32, false) => format!("md5-hex{upper}"),
        _ => "other".into(),
    }
}

/// `lower`, `upper` or `mixed`: the case of a value's letters.
pub fn letter_case(value: &str) -> &'static str {
    let lower = value.chars().any(|c| c.is_ascii_lowercase());
    let upper = value.chars().any(|c| c.is_ascii_uppercase());
    match (lower, upper) {
        (true, true) => "mixed",
        (false, true) => "upper",
        _ => "lower",
    }
}

/// A name field with every generated name shown as its template: whole values always, names
/// inside longer values only when they are long enough (8+ characters) not to match by chance.
pub fn show_names(value: &str, names: &HashMap<String, String>) -> String {
    if let Some(template) = names.get(value) {
        return template.clone();
    }
    let mut shown = value.to_string();
    let mut long: Vec<(&String, &String)> = names.iter().filter(|(name, _)| name.len() >= 8).collect();
    long.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then(a.0.cmp(b.0)));
    for (name, template) in long {
        shown = shown.replace(name.as_str(), template);
    }
    shown
}

/// MD5 fingerprints of the fixture keys, hex without colons: what derives from a fixture key is
/// asserted exactly, never redacted.
fn fixture_fingerprints(fixtures: &[String]) -> Vec<String> {
    fixtures
        .iter()
        .filter_map(|line| parse_openssh_public(line).ok())
        .map(|key| crate::keys::md5_fingerprint(&key.blob).replace(':', ""))
        .collect()
}

fn same_key_text(a: &str, b: &str) -> bool {
    let fields = |s: &str| s.split_whitespace().take(2).collect::<Vec<_>>().join(" ");
    fields(a) == fields(b)
}

/// `pattern` compiled, once per pattern and process (the patterns are the profiles' static data,
/// checked on every volatile value of every answer).
fn compiled(pattern: &'static str) -> Result<regex::Regex, regex::Error> {
    static COMPILED: std::sync::LazyLock<std::sync::Mutex<std::collections::HashMap<&'static str, regex::Regex>>> =
        std::sync::LazyLock::new(Default::default);
    let mut compiled = COMPILED.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(re) = compiled.get(pattern) {
        return Ok(re.clone());
    }
    let re = regex::Regex::new(pattern)?;
    compiled.insert(pattern, re.clone());
    Ok(re)
}

/// Checks a volatile value before it is redacted; the message never holds a private key.
pub fn check_shape(shape: Shape, value: &str) -> Result<(), String> {
    match shape {
        Shape::OpenSshRsa => match parse_openssh_public(value) {
            Ok(key) if key.algorithm == "ssh-rsa" => Ok(()),
            Ok(key) => Err(format!("expected an ssh-rsa key, got {}", key.algorithm)),
            Err(e) => Err(e.to_string()),
        },
        Shape::PemRsaPrivate => public_half_of_pem(value).map(|_| ()).map_err(|e| e.to_string()),
        Shape::Pattern(pattern) | Shape::Time(pattern) => match compiled(pattern) {
            Ok(re) if re.is_match(value) => Ok(()),
            Ok(_) => Err(format!("`{}` does not match {pattern}", scrub_text(value))),
            Err(e) => Err(format!("bad pattern {pattern}: {e}")),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn tokens_are_numbered_per_kind_and_stable_per_value() {
        let mut t = Tokens::default();
        assert_eq!(t.token("key-id", "skey-aaaaaaaa", None), "[key-id:1]");
        assert_eq!(t.token("key-id", "skey-bbbbbbbb", None), "[key-id:2]");
        assert_eq!(t.token("key-id", "skey-aaaaaaaa", None), "[key-id:1]");
        assert_eq!(t.token("request-id", "x", Some("lower".into())), "[request-id:1 lower]");
    }

    #[test]
    fn generated_names_show_as_templates_even_inside_longer_names() {
        let names =
            HashMap::from([("kcabcdef123456".to_string(), "${name.key}".to_string()), ("kc".to_string(), "${name.short:2}".to_string())]);
        assert_eq!(show_names("kcabcdef123456", &names), "${name.key}");
        assert_eq!(show_names("密钥kcabcdef123456.pub", &names), "密钥${name.key}.pub");
        assert_eq!(show_names("kc", &names), "${name.short:2}");
        assert_eq!(show_names("kcx", &names), "kcx", "short names are never replaced inside others");
    }

    #[test]
    fn shapes() {
        assert!(check_shape(Shape::Pattern(r"^skey-[0-9a-z]{8}$"), "skey-mv9yzyjj").is_ok());
        assert!(check_shape(Shape::Pattern(r"^skey-[0-9a-z]{8}$"), "skey-1122").is_err());
        assert!(check_shape(Shape::Time(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$"), "2026-11-24T08:00:00Z").is_ok());
        assert!(check_shape(Shape::PemRsaPrivate, "-----BEGIN RSA PRIVATE KEY-----\nAA\n-----END RSA PRIVATE KEY-----").is_err());
        let err = check_shape(Shape::Pattern("^x$"), "-----BEGIN RSA PRIVATE KEY-----\nsecret\n-----END RSA PRIVATE KEY-----").unwrap_err();
        assert!(!err.contains("secret"));
        // An OpenSSH key of another algorithm is not the RSA key the shape asks for.
        let ed25519 = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKJf0U51hhGQWzsrVuZE7IB2/hU2Kl0srebnNBHyoyh7 c";
        assert_eq!(check_shape(Shape::OpenSshRsa, ed25519), Err("expected an ssh-rsa key, got ssh-ed25519".into()));
    }

    #[test]
    fn every_profile_selector_names_one_field() {
        for profile in crate::apis::PROFILES {
            for v in profile.volatile {
                assert!(field_of(v.selector).is_some(), "{}: {}", profile.name, v.selector);
            }
        }
    }

    #[test]
    fn facts_state_algorithm_bits_framing_and_forms() {
        let key = crate::keys::generate_rsa(1024).unwrap();
        assert_eq!(private_key_facts(&key.private_pkcs1_pem), "rsa-1024 pkcs1");
        assert_eq!(private_key_facts(&key.private_pkcs8_pem), "rsa-1024 pkcs8");
        let forms = [
            (fingerprint_form("0a:1b:2c:3d:4e:5f:60:71:82:93:a4:b5:c6:d7:e8:f9"), "md5-hex-colon"),
            (fingerprint_form("0A1B2C3D4E5F60718293A4B5C6D7E8F9"), "md5-hex-upper"),
            (letter_case("6CE5A2D4-0B8C-4D71-9C0E-1A2B3C4D5E6F").to_string(), "upper"),
            (letter_case("6ce5a2d4-0b8c-4d71-9c0e-1a2b3c4d5e6f").to_string(), "lower"),
        ];
        for (found, expected) in forms {
            assert_eq!(found, expected);
        }
    }

    #[test]
    fn a_selector_names_one_plain_field_or_none() {
        assert_eq!(field_of(".**.KeyId"), Some("KeyId"));
        for not_one in [".**.", ".**.a.b", ".**.a[0]", ".**.*", "KeyId", ".KeyId"] {
            assert_eq!(field_of(not_one), None, "{not_one}");
        }
    }

    #[test]
    fn letter_case_tells_lower_upper_and_mixed() {
        let cases = [("6ce5a2d4-0b8c", "lower"), ("6CE5A2D4-0B8C", "upper"), ("6cE5a2d4", "mixed"), ("1234-5678", "lower")];
        for (value, case) in cases {
            assert_eq!(letter_case(value), case, "{value}");
        }
    }

    /// The last guard: a private key in a field no profile declares (here nested in an object and
    /// a list) is still cut out before the answer can reach a snapshot.
    #[test]
    fn a_private_key_in_an_undeclared_field_never_reaches_a_snapshot() {
        let pem = "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA\n-----END RSA PRIVATE KEY-----\n";
        let mut exchanges = json!([{"step": "steps[0]", "action": "DescribeKeyPairs", "response": {"Response": {
            "Debug": pem, "Nested": {"Inner": [pem, "plain"]}}}}]);
        redact(&crate::apis::tencent_api3::CVM, &mut exchanges, &Known::default(), &[]);
        let response = &exchanges[0]["response"]["Response"];
        assert_eq!(response["Debug"], "[private-key]");
        assert_eq!(response["Nested"]["Inner"], json!(["[private-key]", "plain"]));
    }

    #[test]
    fn redaction_is_canonical_and_independent_of_field_order() {
        let profile = &crate::apis::tencent_api3::CVM;
        let a = json!([{"step": "steps[0]", "action": "DescribeKeyPairs", "response": {"Response": {
            "RequestId": "6ce5a2d4-0b8c-4d71-9c0e-1a2b3c4d5e6f",
            "KeyPairSet": [{"KeyId": "skey-aaaaaaaa", "Tags": [{"Key": "b"}, {"Key": "a"}]}, {"KeyId": "skey-bbbbbbbb", "Tags": []}]}}}]);
        let b = json!([{"step": "steps[0]", "action": "DescribeKeyPairs", "response": {"Response": {
            "KeyPairSet": [{"Tags": [{"Key": "a"}, {"Key": "b"}], "KeyId": "skey-aaaaaaaa"}, {"Tags": [], "KeyId": "skey-bbbbbbbb"}],
            "RequestId": "6ce5a2d4-0b8c-4d71-9c0e-1a2b3c4d5e6f"}}}]);
        let unordered = [Pattern::parse("/Response/KeyPairSet/*/Tags").unwrap()];
        let (mut a, mut b) = (a, b);
        assert!(redact(profile, &mut a, &Known::default(), &unordered).is_empty());
        assert!(redact(profile, &mut b, &Known::default(), &unordered).is_empty());
        assert_eq!(serde_json::to_string(&a).unwrap(), serde_json::to_string(&b).unwrap());
        assert_eq!(a[0]["response"]["Response"]["KeyPairSet"][1]["KeyId"], "[key-id:2]");
        assert_eq!(a[0]["response"]["Response"]["RequestId"], "[request-id:1 lower]");
        let mut bad = json!([{"step": "steps[0]", "action": "X", "response": {"Response": {"KeyId": "skey-1"}}}]);
        let errors = redact(profile, &mut bad, &Known::default(), &[]);
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].pointer, "/Response/KeyId");
    }
}
