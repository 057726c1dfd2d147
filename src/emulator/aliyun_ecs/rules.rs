//! The documented validation of ECS key-pair requests, as pure functions of the parameters.
//!
//! When several rules fail at once, the first wins, in the order of `EcsSettings::check_order`
//! (L-ECS-14; by default RegionId (absent, unknown) → KeyPairName (absent, malformed) →
//! PublicKeyBody (absent, malformed; ImportKeyPair) → ResourceGroupId (unknown) → tags (more than
//! 20, then tag by tag in N order: key, value; then repeated keys)) → then, in the model, state:
//! name taken → quota.
//! DescribeKeyPairs: RegionId → PageNumber → PageSize → IncludePublicKey. DeleteKeyPairs:
//! RegionId → KeyPairNames (absent, not a JSON array of names, more than 100).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::LazyLock;

use regex::Regex;

use super::errors::{EcsCode, EcsError};
use super::request::Params;
use super::settings::{ChineseInName, EcsCheck, EcsSettings};
use crate::keys::{self, PublicKey};

/// KeyPairName: 2 to 128 characters (seed 004).
pub const NAME_MIN_CHARS: usize = 2;
pub const NAME_MAX_CHARS: usize = 128;
/// Starts with a letter or, where the settings allow (L-ECS-8), a Chinese character (apis.md §3.4;
/// seed 004 says "a letter"), then letters, Chinese characters, digits, `:`, `_`, `-` (seed 004),
/// and for ImportKeyPair where allowed `.` (apis.md §3.4). Indexed by [`name_rule`].
static NAMES: LazyLock<[Regex; 4]> = LazyLock::new(|| {
    let rule =
        |first: &str, dot: &str| Regex::new(&format!(r"^[A-Za-z{first}][A-Za-z0-9\x{{4e00}}-\x{{9fa5}}{dot}:_-]*$")).expect("valid regex");
    let chinese = r"\x{4e00}-\x{9fa5}";
    [rule(chinese, ""), rule(chinese, "."), rule("", ""), rule("", ".")]
});

/// The KeyPairName rule for the settings' Chinese-character choice, with or without `.`.
fn name_rule(settings: &EcsSettings, dot: bool) -> &'static Regex {
    let chinese_first = settings.chinese_in_name == ChineseInName::Anywhere;
    &NAMES[usize::from(!chinese_first) * 2 + usize::from(dot)]
}

/// Tag.N: keys 1–128 characters, values 0–128 (seed 004, apis.md §7); N up to `EcsSettings::max_tags`.
pub const TAG_KEY_MAX_CHARS: usize = 128;
pub const TAG_VALUE_MAX_CHARS: usize = 128;
/// Reserved tag-value prefixes (apis.md §7), compared case-insensitively; the key prefixes are
/// `EcsSettings::reserved_tag_key_prefixes` (L-ECS-11).
pub const RESERVED_TAG_VALUE_PREFIXES: &[&str] = &["acs:"];
/// DescribeKeyPairs paging: PageSize at most 50, default 10; PageNumber from 1 (apis.md §3.4).
pub const MAX_PAGE_SIZE: usize = 50;
pub const DEFAULT_PAGE_SIZE: usize = 10;
/// DeleteKeyPairs: "a JSON array that consists of up to 100 SSH key pair names" (apis.md §3.4).
pub const MAX_DELETE_NAMES: usize = 100;

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Tag {
    pub key: String,
    pub value: String,
}

/// A validated CreateKeyPair / ImportKeyPair request.
#[derive(Debug, Clone)]
pub struct NewKeyPair {
    pub region_id: String,
    pub key_pair_name: String,
    pub resource_group_id: String,
    pub tags: Vec<Tag>,
    /// ImportKeyPair only: the public key as given (its line trimmed).
    pub public_key: Option<PublicKey>,
}

/// A validated DescribeKeyPairs request.
#[derive(Debug, Clone)]
pub struct DescribeQuery {
    pub region_id: String,
    /// `*` is a wildcard (`*x`, `x*`, `*x*`, exact).
    pub name_pattern: Option<String>,
    /// Compared without colons, lowercase, so either hex form matches.
    pub fingerprint: Option<String>,
    pub resource_group_id: Option<String>,
    /// Key and, if given, value.
    pub tags: Vec<(String, Option<String>)>,
    pub page_number: usize,
    pub page_size: usize,
    pub include_public_key: bool,
}

/// RegionId: required and one of the configured regions (seed 004 InvalidRegionId.NotFound).
pub fn region(params: &Params, settings: &EcsSettings) -> Result<String, EcsError> {
    let region = params.get("RegionId").ok_or_else(|| EcsError::missing_parameter("RegionId"))?;
    if settings.regions.iter().any(|r| r == region) { Ok(region.to_string()) } else { Err(EcsError::new(EcsCode::RegionIdNotFound)) }
}

/// CreateKeyPair (seed 004). `groups` are the account's resource groups, default included.
pub fn parse_create(params: &Params, settings: &EcsSettings, groups: &BTreeSet<String>) -> Result<NewKeyPair, EcsError> {
    parse_new(params, false, settings, groups)
}

/// ImportKeyPair (apis.md §3.4).
pub fn parse_import(params: &Params, settings: &EcsSettings, groups: &BTreeSet<String>) -> Result<NewKeyPair, EcsError> {
    parse_new(params, true, settings, groups)
}

/// The rule groups in the order of `settings.check_order` (L-ECS-14): the first failing one wins.
fn parse_new(params: &Params, import: bool, settings: &EcsSettings, groups: &BTreeSet<String>) -> Result<NewKeyPair, EcsError> {
    let mut new = NewKeyPair {
        region_id: String::new(),
        key_pair_name: String::new(),
        resource_group_id: settings.default_resource_group.clone(),
        tags: Vec::new(),
        public_key: None,
    };
    for check in &settings.check_order {
        match check {
            EcsCheck::RegionId => new.region_id = region(params, settings)?,
            EcsCheck::KeyPairName => {
                new.key_pair_name = key_pair_name(params, name_rule(settings, import && settings.import_name_allows_dot))?
            }
            EcsCheck::PublicKeyBody if import => new.public_key = Some(public_key_body(params, settings)?),
            EcsCheck::PublicKeyBody => {}
            EcsCheck::ResourceGroupId => new.resource_group_id = resource_group(params, settings, groups)?,
            EcsCheck::Tags => new.tags = tags(params, settings)?,
        }
    }
    Ok(new)
}

fn key_pair_name(params: &Params, rule: &Regex) -> Result<String, EcsError> {
    let name = params.get("KeyPairName").ok_or_else(|| EcsError::missing_parameter("KeyPairName"))?;
    let chars = name.chars().count();
    let url = ["http://", "https://"].iter().any(|p| name.to_ascii_lowercase().starts_with(p));
    if !(NAME_MIN_CHARS..=NAME_MAX_CHARS).contains(&chars) || url || !rule.is_match(name) {
        return Err(EcsError::new(EcsCode::KeyPairNameMalformed));
    }
    Ok(name.to_string())
}

fn public_key_body(params: &Params, settings: &EcsSettings) -> Result<PublicKey, EcsError> {
    let body = params.get("PublicKeyBody").ok_or_else(|| EcsError::missing_parameter("PublicKeyBody"))?;
    let parsed = keys::parse_openssh_public(body).map_err(|_| EcsError::new(EcsCode::PublicKeyBodyMalformed))?;
    if !settings.import_key_types.contains(&parsed.algorithm) {
        return Err(EcsError::new(EcsCode::PublicKeyBodyMalformed));
    }
    Ok(PublicKey::new(body.trim(), parsed.blob))
}

fn resource_group(params: &Params, settings: &EcsSettings, groups: &BTreeSet<String>) -> Result<String, EcsError> {
    match params.get("ResourceGroupId") {
        None => Ok(settings.default_resource_group.clone()),
        Some(id) if groups.contains(id) => Ok(id.to_string()),
        Some(_) => Err(EcsError::new(EcsCode::ResourceGroupNotFound)),
    }
}

/// `Tag.N` by N: its key and value, each if given.
type TagEntries<'a> = BTreeMap<usize, (Option<&'a str>, Option<&'a str>)>;

/// `Tag.N.Key` / `Tag.N.Value` pairs by N; a name whose N is not a positive integer is
/// `InvalidParameter`.
fn tag_entries(params: &Params) -> Result<TagEntries<'_>, EcsError> {
    let mut entries = TagEntries::new();
    for (name, value) in params.iter() {
        let Some(rest) = name.strip_prefix("Tag.") else { continue };
        let Some((n, field)) = rest.split_once('.') else { return Err(EcsError::invalid_parameter(name)) };
        let n: usize = n.parse().ok().filter(|n| *n >= 1).ok_or_else(|| EcsError::invalid_parameter(name))?;
        let entry = entries.entry(n).or_default();
        match field {
            "Key" => entry.0 = Some(value),
            "Value" => entry.1 = Some(value),
            _ => return Err(EcsError::invalid_parameter(name)),
        }
    }
    Ok(entries)
}

fn tags(params: &Params, settings: &EcsSettings) -> Result<Vec<Tag>, EcsError> {
    let entries = tag_entries(params)?;
    let max = settings.max_tags;
    if entries.len() > max || entries.keys().any(|n| *n > max) {
        return Err(EcsError::too_many_tags(max));
    }
    let mut tags: Vec<Tag> = Vec::new();
    for (key, value) in entries.values() {
        let key = key.unwrap_or("");
        let value = value.unwrap_or("");
        if key.is_empty()
            || key.chars().count() > TAG_KEY_MAX_CHARS
            || starts_with_any(key, &settings.reserved_tag_key_prefixes)
            || has_url(key)
        {
            return Err(EcsError::new(EcsCode::TagKeyMalformed));
        }
        if value.chars().count() > TAG_VALUE_MAX_CHARS || starts_with_any(value, RESERVED_TAG_VALUE_PREFIXES) || has_url(value) {
            return Err(EcsError::new(EcsCode::TagValueMalformed));
        }
        tags.push(Tag { key: key.to_string(), value: value.to_string() });
    }
    let keys: BTreeSet<&str> = tags.iter().map(|t| t.key.as_str()).collect();
    if keys.len() != tags.len() {
        return Err(EcsError::new(EcsCode::DuplicateTagKey));
    }
    Ok(tags)
}

fn starts_with_any<S: AsRef<str>>(text: &str, prefixes: &[S]) -> bool {
    let lower = text.to_lowercase();
    prefixes.iter().any(|p| lower.starts_with(&p.as_ref().to_lowercase()))
}

fn has_url(text: &str) -> bool {
    let lower = text.to_lowercase();
    lower.contains("http://") || lower.contains("https://")
}

/// DescribeKeyPairs (apis.md §3.4).
pub fn parse_describe(params: &Params, settings: &EcsSettings) -> Result<DescribeQuery, EcsError> {
    let region_id = region(params, settings)?;
    let page_number = positive(params, "PageNumber", 1, usize::MAX)?;
    let page_size = positive(params, "PageSize", DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)?;
    let include_public_key = match params.get("IncludePublicKey") {
        None => false,
        // tea-openapi sends Python's `True` (apis.md §6).
        Some(v) if v.eq_ignore_ascii_case("true") => true,
        Some(v) if v.eq_ignore_ascii_case("false") => false,
        Some(_) => return Err(EcsError::invalid_parameter("IncludePublicKey")),
    };
    let tags =
        tag_entries(params)?.into_values().filter_map(|(key, value)| key.map(|k| (k.to_string(), value.map(str::to_string)))).collect();
    Ok(DescribeQuery {
        region_id,
        name_pattern: params.get("KeyPairName").map(str::to_string),
        fingerprint: params.get("KeyPairFingerPrint").map(normalize_fingerprint),
        resource_group_id: params.get("ResourceGroupId").map(str::to_string),
        tags,
        page_number,
        page_size,
        include_public_key,
    })
}

fn positive(params: &Params, name: &str, default: usize, max: usize) -> Result<usize, EcsError> {
    match params.get(name) {
        None => Ok(default),
        Some(v) => v.trim().parse::<usize>().ok().filter(|n| (1..=max).contains(n)).ok_or_else(|| EcsError::invalid_parameter(name)),
    }
}

/// A fingerprint in either hex form, as lowercase hex without colons.
pub fn normalize_fingerprint(text: &str) -> String {
    text.chars().filter(|c| *c != ':').collect::<String>().to_ascii_lowercase()
}

/// DeleteKeyPairs' `KeyPairNames`: a JSON array string of 1 to 100 names (apis.md §3.4).
pub fn parse_delete(params: &Params, settings: &EcsSettings) -> Result<(String, Vec<String>), EcsError> {
    let region_id = region(params, settings)?;
    let text = params.get("KeyPairNames").ok_or_else(|| EcsError::missing_parameter("KeyPairNames"))?;
    let names: Vec<String> = serde_json::from_str(text).map_err(|_| EcsError::new(EcsCode::KeyPairNamesValueNotSupported))?;
    if names.is_empty() {
        return Err(EcsError::new(EcsCode::KeyPairNamesValueNotSupported));
    }
    if names.len() > MAX_DELETE_NAMES {
        return Err(EcsError::new(EcsCode::InstanceKeyPairLimitExceeded));
    }
    Ok((region_id, names))
}

/// DescribeKeyPairs' name match: `*` stands for any run of characters.
pub fn name_matches(pattern: &str, name: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == name;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !name.starts_with(first) || name.len() < first.len() + last.len() || !name.ends_with(last) {
        return false;
    }
    let mut rest = &name[first.len()..name.len() - last.len()];
    for middle in &parts[1..parts.len() - 1] {
        match rest.find(middle) {
            Some(i) => rest = &rest[i + middle.len()..],
            None => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::test_support::public_keys::{DSA, ECDSA, ED25519, RSA};

    fn params(list: &[(&str, &str)]) -> Params {
        Params::new(crate::test_support::owned_pairs(list))
    }

    fn groups() -> BTreeSet<String> {
        BTreeSet::from(["rg-default".to_string(), "rg-team".to_string()])
    }

    fn create(list: &[(&str, &str)]) -> String {
        let mut all = vec![("RegionId", "cn-hangzhou")];
        all.extend_from_slice(list);
        parse_create(&params(&all), &EcsSettings::default(), &groups()).map(|_| "ok".into()).unwrap_or_else(|e| e.code)
    }

    fn import(name: &str, key: &str) -> String {
        let p = params(&[("RegionId", "cn-hangzhou"), ("KeyPairName", name), ("PublicKeyBody", key)]);
        parse_import(&p, &EcsSettings::default(), &groups()).map(|_| "ok".into()).unwrap_or_else(|e| e.code)
    }

    #[test]
    fn region_comes_first() {
        let settings = EcsSettings::default();
        assert_eq!(parse_create(&params(&[("KeyPairName", "!")]), &settings, &groups()).unwrap_err().code, "MissingParameter");
        let p = params(&[("RegionId", "cn-atlantis"), ("KeyPairName", "!")]);
        assert_eq!(parse_create(&p, &settings, &groups()).unwrap_err().code, "InvalidRegionId.NotFound");
        assert_eq!(parse_create(&p, &settings, &groups()).unwrap_err().status, 404);
    }

    #[test]
    fn key_pair_name_rules() {
        assert_eq!(create(&[]), "MissingParameter");
        assert_eq!(create(&[("KeyPairName", "ab")]), "ok");
        assert_eq!(create(&[("KeyPairName", "a")]), "InvalidKeyPairName.Malformed");
        assert_eq!(create(&[("KeyPairName", &"a".repeat(128))]), "ok");
        assert_eq!(create(&[("KeyPairName", &"a".repeat(129))]), "InvalidKeyPairName.Malformed");
        assert_eq!(create(&[("KeyPairName", "1abc")]), "InvalidKeyPairName.Malformed");
        assert_eq!(create(&[("KeyPairName", "a:b_c-d9")]), "ok");
        assert_eq!(create(&[("KeyPairName", "密钥对-1")]), "ok");
        assert_eq!(create(&[("KeyPairName", "a.b")]), "InvalidKeyPairName.Malformed");
        assert_eq!(create(&[("KeyPairName", "a b")]), "InvalidKeyPairName.Malformed");
        assert_eq!(create(&[("KeyPairName", "http://x")]), "InvalidKeyPairName.Malformed");
        assert_eq!(import("a.b", RSA), "ok", "ImportKeyPair also allows '.'");
    }

    #[test]
    fn import_accepts_the_documented_key_types() {
        assert_eq!(import("k1", RSA), "ok");
        assert_eq!(import("k1", ECDSA), "ok");
        assert_eq!(import("k1", DSA), "ok");
        assert_eq!(import("k1", ED25519), "InvalidPublicKeyBody.Malformed");
        assert_eq!(import("k1", "ABC1234567"), "InvalidPublicKeyBody.Malformed");
        let p = params(&[("RegionId", "cn-hangzhou"), ("KeyPairName", "k1")]);
        assert_eq!(parse_import(&p, &EcsSettings::default(), &groups()).unwrap_err().code, "MissingParameter");
        // Name before key.
        assert_eq!(import("1", "ABC"), "InvalidKeyPairName.Malformed");
    }

    #[test]
    fn resource_group_must_exist() {
        assert_eq!(create(&[("KeyPairName", "ab"), ("ResourceGroupId", "rg-team")]), "ok");
        assert_eq!(create(&[("KeyPairName", "ab"), ("ResourceGroupId", "rg-nope")]), "InvalidResourceGroup.NotFound");
        let p = params(&[("RegionId", "cn-hangzhou"), ("KeyPairName", "ab")]);
        assert_eq!(parse_create(&p, &EcsSettings::default(), &groups()).unwrap().resource_group_id, "rg-default");
    }

    #[test]
    fn tag_rules_in_order() {
        let name = ("KeyPairName", "ab");
        assert_eq!(create(&[name, ("Tag.1.Key", "env"), ("Tag.1.Value", "ci")]), "ok");
        assert_eq!(create(&[name, ("Tag.1.Key", "env")]), "ok", "the value may be empty");
        assert_eq!(create(&[name, ("Tag.1.Value", "ci")]), "InvalidTagKey.Malformed");
        assert_eq!(create(&[name, ("Tag.1.Key", "aliyun-x")]), "InvalidTagKey.Malformed");
        assert_eq!(create(&[name, ("Tag.1.Key", "ACS:x")]), "InvalidTagKey.Malformed");
        assert_eq!(create(&[name, ("Tag.1.Key", "see https://x")]), "InvalidTagKey.Malformed");
        assert_eq!(create(&[name, ("Tag.1.Key", &"k".repeat(129))]), "InvalidTagKey.Malformed");
        // 128 characters is the longest allowed, counted in characters: 128 three-byte ones fit.
        assert_eq!(create(&[name, ("Tag.1.Key", &"k".repeat(128))]), "ok");
        assert_eq!(create(&[name, ("Tag.1.Key", &"键".repeat(128))]), "ok");
        assert_eq!(create(&[name, ("Tag.1.Key", "k"), ("Tag.1.Value", &"v".repeat(128))]), "ok");
        assert_eq!(create(&[name, ("Tag.1.Key", "k"), ("Tag.1.Value", &"值".repeat(128))]), "ok");
        assert_eq!(create(&[name, ("Tag.1.Key", "k"), ("Tag.1.Value", "acs:v")]), "InvalidTagValue.Malformed");
        assert_eq!(create(&[name, ("Tag.1.Key", "k"), ("Tag.1.Value", &"v".repeat(129))]), "InvalidTagValue.Malformed");
        assert_eq!(create(&[name, ("Tag.1.Key", "k"), ("Tag.2.Key", "k")]), "Duplicate.TagKey");
        assert_eq!(create(&[name, ("Tag.0.Key", "k")]), "InvalidParameter");
        assert_eq!(create(&[name, ("Tag.21.Key", "k")]), "QuotaExceed.Tags");
        let many: Vec<(String, String)> = (1..=21).map(|n| (format!("Tag.{n}.Key"), format!("k{n}"))).collect();
        let mut all: Vec<(&str, &str)> = vec![("RegionId", "cn-hangzhou"), name];
        all.extend(many.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        let err = parse_create(&params(&all), &EcsSettings::default(), &groups()).unwrap_err();
        assert_eq!((err.code.as_str(), err.status), ("QuotaExceed.Tags", 403));
        // Twenty is fine.
        let p = params(&all[..22]);
        assert_eq!(parse_create(&p, &EcsSettings::default(), &groups()).unwrap().tags.len(), 20);
        // A malformed name wins over a malformed tag.
        assert_eq!(create(&[("KeyPairName", "1"), ("Tag.1.Key", "aliyun")]), "InvalidKeyPairName.Malformed");
    }

    #[test]
    fn describe_rules() {
        let settings = EcsSettings::default();
        let q = parse_describe(&params(&[("RegionId", "cn-hangzhou")]), &settings).unwrap();
        assert_eq!((q.page_number, q.page_size, q.include_public_key), (1, 10, false));
        let q = parse_describe(
            &params(&[("RegionId", "cn-hangzhou"), ("PageSize", "50"), ("IncludePublicKey", "True"), ("KeyPairFingerPrint", "AB:cd")]),
            &settings,
        )
        .unwrap();
        assert_eq!((q.page_size, q.include_public_key, q.fingerprint.as_deref()), (50, true, Some("abcd")));
        let q = parse_describe(&params(&[("RegionId", "cn-hangzhou"), ("IncludePublicKey", "False")]), &settings).unwrap();
        assert!(!q.include_public_key, "Python's `False`, as tea-openapi sends it");
        let code = |list: &[(&str, &str)]| parse_describe(&params(list), &settings).unwrap_err().code;
        assert_eq!(code(&[("RegionId", "cn-hangzhou"), ("PageSize", "51")]), "InvalidParameter");
        assert_eq!(code(&[("RegionId", "cn-hangzhou"), ("PageNumber", "0")]), "InvalidParameter");
        assert_eq!(code(&[("RegionId", "cn-hangzhou"), ("IncludePublicKey", "yes")]), "InvalidParameter");
        assert_eq!(code(&[("PageSize", "51")]), "MissingParameter");
    }

    #[test]
    fn delete_rules() {
        let settings = EcsSettings::default();
        let code = |list: &[(&str, &str)]| parse_delete(&params(list), &settings).unwrap_err().code;
        assert_eq!(code(&[("RegionId", "cn-hangzhou")]), "MissingParameter");
        assert_eq!(code(&[("RegionId", "cn-hangzhou"), ("KeyPairNames", "a,b")]), "InvalidKeyPairNames.ValueNotSupported");
        assert_eq!(code(&[("RegionId", "cn-hangzhou"), ("KeyPairNames", "[]")]), "InvalidKeyPairNames.ValueNotSupported");
        let many = serde_json::to_string(&(0..101).map(|i| format!("k{i}")).collect::<Vec<_>>()).unwrap();
        assert_eq!(code(&[("RegionId", "cn-hangzhou"), ("KeyPairNames", &many)]), "InstanceKeyPairLimitExceeded");
        let hundred = serde_json::to_string(&(0..100).map(|i| format!("k{i}")).collect::<Vec<_>>()).unwrap();
        assert!(
            parse_delete(&params(&[("RegionId", "cn-hangzhou"), ("KeyPairNames", &hundred)]), &settings).is_ok(),
            "100 names are allowed"
        );
        let (_, names) = parse_delete(&params(&[("RegionId", "cn-hangzhou"), ("KeyPairNames", r#"["a", "b c"]"#)]), &settings).unwrap();
        assert_eq!(names, ["a", "b c"]);
    }

    #[test]
    fn wildcards() {
        assert!(name_matches("SshKey", "SshKey"));
        assert!(!name_matches("SshKey", "SshKey2"));
        assert!(name_matches("SshKey*", "SshKey2"));
        assert!(name_matches("*SshKey", "MySshKey"));
        assert!(name_matches("*SshKey*", "SshKey"));
        assert!(name_matches("*Ssh*Key*", "aSshbKeyc"));
        assert!(!name_matches("a*a", "a"));
        assert!(name_matches("a*b", "ab"), "`*` may stand for nothing");
        assert!(!name_matches("*a*a*", "xa"), "each part is found after the one before");
        assert!(name_matches("*a*a*", "xaya"));
        assert!(name_matches("vector-key-*", "vector-key-1"));
    }
}
