//! One insta snapshot per case: every exchange of its setup and steps, with volatile values
//! redacted by insta redactions that first check the value's shape. Each distinct volatile value
//! becomes a numbered token (`[key-id:1]`), so a KeyId created in setup and listed again later
//! shows as the same token; generated names show as the `${name.ID}` that made them. Redaction is
//! by selector, never a global text replace, so short or numeric values are never touched.
//!
//! Snapshots live in `snapshots/<case id>.snap`. A mismatch fails the case with insta's diff; off
//! CI insta writes a `.snap.new` for `cargo insta review`; on CI (CI=true) it writes nothing.

use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use insta::internals::Content;
use regex::Regex;
use serde_json::Value;
use walkdir::WalkDir;

use super::secrets::scrub_text;
use crate::keys::{parse_openssh_public, public_half_of_pem};
use crate::providers::{ApiProfile, Shape};

/// What a snapshot records of one request and its answer.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SnapshotExchange {
    pub step: String,
    pub action: String,
    /// How the request was sent, where it differs from the API's defaults (method, signing,
    /// region, version), so variant cases show what makes them variants.
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub sent_as: std::collections::BTreeMap<&'static str, String>,
    /// The parameters as written in the case (templates unrendered).
    pub request: Value,
    pub status: u16,
    pub response: Value,
}

/// Numbered tokens for volatile values, shared by all redactions of one case.
#[derive(Debug, Default)]
struct Tokens {
    numbers: HashMap<(String, String), usize>,
    next: HashMap<String, usize>,
    shape_errors: Vec<String>,
}

impl Tokens {
    fn token(&mut self, kind: &str, value: &str) -> String {
        let key = (kind.to_string(), value.to_string());
        if let Some(n) = self.numbers.get(&key) {
            return format!("[{kind}:{n}]");
        }
        let n = self.next.entry(kind.to_string()).or_insert(0);
        *n += 1;
        self.numbers.insert(key, *n);
        format!("[{kind}:{n}]")
    }
}

/// Values that stay as they are: fixture public keys are fixed, so what derives from them is
/// asserted exactly.
#[derive(Debug, Default, Clone)]
pub struct Known {
    /// Generated name → its template (`${name.key}`).
    pub names: HashMap<String, String>,
    /// Fixture public-key lines.
    pub fixtures: Vec<String>,
}

/// Compares the case's exchanges with its snapshot; returns the failures (shape errors first).
pub fn check(root: &Path, id: &str, description: &str, profile: &ApiProfile, exchanges: &[SnapshotExchange], known: &Known) -> Vec<String> {
    let tokens = Arc::new(Mutex::new(Tokens::default()));
    let (dir, name) = location(root, id);
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(dir);
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.set_description(description);
    settings.set_input_file(Path::new("cases").join(format!("{id}.yaml")));
    for volatile in profile.volatile {
        let tokens = tokens.clone();
        let fixtures = known.fixtures.clone();
        let fixture_prints = fixture_fingerprints(&known.fixtures);
        let (token, shape) = (volatile.token, volatile.shape);
        settings.add_dynamic_redaction(&in_responses(volatile.selector), move |content: Content, path| {
            let Some(value) = content.as_str() else {
                // Null (e.g. a documented "may be null" time) is not volatile.
                return content;
            };
            if fixtures.iter().any(|f| same_key_text(f, value)) || fixture_prints.contains(&value.replace(':', "").to_ascii_lowercase()) {
                return content;
            }
            let mut tokens = tokens.lock().unwrap_or_else(|e| e.into_inner());
            if let Err(why) = check_shape(shape, value) {
                tokens.shape_errors.push(format!("{path}: {why}"));
            }
            match shape {
                Shape::Time(_) => Content::from(format!("[{token}]")),
                _ => Content::from(tokens.token(token, value)),
            }
        });
    }
    let names = known.names.clone();
    settings.add_dynamic_redaction(&in_responses(&format!(".**.{}", profile.name_field)), move |content: Content, _| {
        match content.as_str() {
            Some(value) => Content::from(show_names(value, &names)),
            None => content,
        }
    });

    let outcome = catch_unwind(AssertUnwindSafe(|| {
        settings.bind(|| insta::assert_yaml_snapshot!(name.as_str(), exchanges));
    }));
    let mut failures = std::mem::take(&mut tokens.lock().unwrap_or_else(|e| e.into_inner()).shape_errors);
    failures.iter_mut().for_each(|f| *f = format!("shape check failed at {f}"));
    if let Err(panic) = outcome {
        let message = panic
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_else(|| "snapshot assertion failed".into());
        failures.push(format!(
            "snapshot snapshots/{id}.snap does not match (insta printed the diff above; review with `cargo insta review`): {}",
            scrub_text(message.lines().next().unwrap_or(""))
        ));
    }
    failures
}

/// Scopes a profile selector (`.**.KeyId`) to the responses: requests hold templates, not values.
fn in_responses(selector: &str) -> String {
    format!("[].response{}", selector.strip_prefix(".**").map(|rest| format!(".**{rest}")).unwrap_or_else(|| selector.to_string()))
}

fn location(root: &Path, id: &str) -> (PathBuf, String) {
    let path = root.join("snapshots").join(id);
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    (path.parent().map(Path::to_path_buf).unwrap_or_else(|| root.join("snapshots")), name)
}

/// A name field with every generated name shown as its template: whole values always, names
/// inside longer values only when they are long enough (8+ characters) not to match by chance.
fn show_names(value: &str, names: &HashMap<String, String>) -> String {
    if let Some(template) = names.get(value) {
        return template.clone();
    }
    let mut shown = value.to_string();
    for (name, template) in names.iter().filter(|(name, _)| name.len() >= 8) {
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

/// Checks a volatile value before it is redacted; the message never holds a private key.
pub fn check_shape(shape: Shape, value: &str) -> Result<(), String> {
    match shape {
        Shape::OpenSshRsa => match parse_openssh_public(value) {
            Ok(key) if key.algorithm == "ssh-rsa" => Ok(()),
            Ok(key) => Err(format!("expected an ssh-rsa key, got {}", key.algorithm)),
            Err(e) => Err(e.to_string()),
        },
        Shape::PemRsaPrivate => public_half_of_pem(value).map(|_| ()).map_err(|e| e.to_string()),
        Shape::Pattern(pattern) | Shape::Time(pattern) => match Regex::new(pattern) {
            Ok(re) if re.is_match(value) => Ok(()),
            Ok(_) => Err(format!("`{}` does not match {pattern}", scrub_text(value))),
            Err(e) => Err(format!("bad pattern {pattern}: {e}")),
        },
    }
}

/// Snapshot files with no case behind them (as `cargo insta test --unreferenced=reject` would find).
pub fn unreferenced(root: &Path, case_ids: &[String]) -> Vec<PathBuf> {
    let dir = root.join("snapshots");
    WalkDir::new(&dir)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .map(|e| e.into_path())
        .filter(|p| p.extension().and_then(|e| e.to_str()) == Some("snap"))
        .filter(|p| {
            let rel = p.strip_prefix(&dir).unwrap_or(p).with_extension("");
            let id = rel.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect::<Vec<_>>().join("/");
            !case_ids.contains(&id)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_numbered_per_kind_and_stable_per_value() {
        let mut t = Tokens::default();
        assert_eq!(t.token("key-id", "skey-aaaaaaaa"), "[key-id:1]");
        assert_eq!(t.token("key-id", "skey-bbbbbbbb"), "[key-id:2]");
        assert_eq!(t.token("key-id", "skey-aaaaaaaa"), "[key-id:1]");
        assert_eq!(t.token("request-id", "x"), "[request-id:1]");
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
    }
}
