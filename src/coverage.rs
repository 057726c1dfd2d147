//! The documented surface (docs/documented.yaml, taken from the seeds by hand) against the cases'
//! `source`: every documented example, error code and rule must have a case.
//!
//! A case covers an example (`source.example`), an error code (`source.error`) and any rule it
//! cites by id (`source.rule`, `source.rules`). A `rule` that is free text rather than an id names
//! a rule from outside the seeds (shared/reference/apis.md) and covers nothing here; an id-shaped
//! citation that docs/documented.yaml does not list is reported, so a typo cannot hide a gap.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::Path;
use std::sync::LazyLock;

use regex::Regex;
use serde::{Deserialize, Serialize};

use crate::case::Case;

#[derive(Debug, Deserialize)]
pub struct Documented {
    pub seeds: Vec<SeedSurface>,
}

#[derive(Debug, Deserialize)]
pub struct SeedSurface {
    pub seed: String,
    pub api: String,
    pub action: String,
    pub version: Option<String>,
    #[serde(default)]
    pub examples: Vec<String>,
    #[serde(default)]
    pub errors: Vec<DocumentedError>,
    #[serde(default)]
    pub rules: Vec<DocumentedRule>,
}

#[derive(Debug, Deserialize)]
pub struct DocumentedError {
    pub code: String,
    pub status: Option<u16>,
}

/// One rule a seed states: a parameter-table row or a sentence constraining a request or answer.
#[derive(Debug, Deserialize)]
pub struct DocumentedRule {
    /// Stable id, e.g. `cvm-create.key-name.max-len`; cases cite it.
    pub id: String,
    /// The seed's section, e.g. `§2`.
    pub section: String,
    /// The seed's own words the rule rests on.
    pub says: String,
}

/// The shape of a rule id: lowercase dotted words (`cvm-create.key-name.max-len`).
static RULE_ID: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^[a-z0-9-]+(\.[a-z0-9-]+)+$").expect("valid regex"));

/// Whether a citation is meant as a rule id (rather than free text naming an undocumented rule).
pub fn is_rule_id(text: &str) -> bool {
    RULE_ID.is_match(text)
}

pub fn load(root: &Path) -> Result<Documented, String> {
    let path = root.join("docs/documented.yaml");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    serde_saphyr::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// What kind of documented item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Example,
    Error,
    Rule,
}

/// One documented item and the cases covering it.
#[derive(Debug, Serialize)]
pub struct Item {
    pub seed: String,
    pub kind: Kind,
    /// The example name, the error code or the rule id.
    pub name: String,
    /// `example Example1`, `error MissingParameter`, `rule cvm-create.key-name.max-len`.
    #[serde(skip)]
    pub label: String,
    /// Rules only: the seed's section and words.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub section: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub says: Option<String>,
    pub cases: Vec<String>,
}

impl Kind {
    fn word(self) -> &'static str {
        match self {
            Kind::Example => "example",
            Kind::Error => "error",
            Kind::Rule => "rule",
        }
    }
}

/// A case citing a rule id that docs/documented.yaml does not list for the case's seed.
#[derive(Debug, Serialize)]
pub struct UnknownCitation {
    pub case: String,
    pub seed: String,
    pub rule: String,
}

/// The whole comparison.
#[derive(Debug, Serialize)]
pub struct Coverage {
    pub items: Vec<Item>,
    pub unknown: Vec<UnknownCitation>,
}

impl Coverage {
    pub fn covered(&self) -> usize {
        self.items.iter().filter(|i| !i.cases.is_empty()).count()
    }

    /// Every item covered and no citation unknown.
    pub fn complete(&self) -> bool {
        self.unknown.is_empty() && self.items.iter().all(|i| !i.cases.is_empty())
    }
}

/// Every documented item with its covering cases, in document order, and the unknown citations.
pub fn compare(documented: &Documented, cases: &[Case]) -> Coverage {
    let mut by_key: BTreeMap<(String, Kind, String), Vec<String>> = BTreeMap::new();
    let mut unknown = Vec::new();
    let known_rules: BTreeMap<(&str, &str), ()> =
        documented.seeds.iter().flat_map(|s| s.rules.iter().map(move |r| ((s.seed.as_str(), r.id.as_str()), ()))).collect();
    let known_seeds: Vec<&str> = documented.seeds.iter().map(|s| s.seed.as_str()).collect();
    for case in cases {
        let source = &case.source;
        let mut cite = |kind: Kind, name: &str| {
            by_key.entry((source.seed.clone(), kind, name.to_string())).or_default().push(case.id.clone());
        };
        if let Some(example) = &source.example {
            cite(Kind::Example, example);
        }
        if let Some(code) = &source.error {
            cite(Kind::Error, code);
        }
        let rule_ids = source.rule.iter().filter(|r| is_rule_id(r)).chain(&source.rules);
        for id in rule_ids {
            cite(Kind::Rule, id);
            let listed = known_rules.contains_key(&(source.seed.as_str(), id.as_str()));
            if !listed && known_seeds.contains(&source.seed.as_str()) {
                unknown.push(UnknownCitation { case: case.id.clone(), seed: source.seed.clone(), rule: id.clone() });
            }
        }
    }
    let mut items = Vec::new();
    for seed in &documented.seeds {
        let mut push = |kind: Kind, name: &str, section: Option<&str>, says: Option<&str>| {
            let cases = by_key.get(&(seed.seed.clone(), kind, name.to_string())).cloned().unwrap_or_default();
            items.push(Item {
                seed: seed.seed.clone(),
                kind,
                name: name.to_string(),
                label: format!("{} {name}", kind.word()),
                section: section.map(str::to_string),
                says: says.map(str::to_string),
                cases,
            });
        };
        for example in &seed.examples {
            push(Kind::Example, example, None, None);
        }
        for error in &seed.errors {
            push(Kind::Error, &error.code, None, None);
        }
        for rule in &seed.rules {
            push(Kind::Rule, &rule.id, Some(&rule.section), Some(&rule.says));
        }
    }
    Coverage { items, unknown }
}

/// Every documented item with its covering cases, in document order.
pub fn items(documented: &Documented, cases: &[Case]) -> Vec<Item> {
    compare(documented, cases).items
}

/// The coverage table as text.
pub fn render(coverage: &Coverage, documented: &Documented) -> String {
    let mut out = String::new();
    for seed in &documented.seeds {
        let _ = writeln!(out, "{} — {} {} ({})", seed.seed, seed.api, seed.action, seed.version.as_deref().unwrap_or("?"));
        for item in coverage.items.iter().filter(|i| i.seed == seed.seed) {
            if item.cases.is_empty() {
                let _ = writeln!(out, "  MISSING  {}", item.label);
            } else {
                let _ = writeln!(out, "  covered  {:<48} {}", item.label, item.cases.join(", "));
            }
        }
    }
    for unknown in &coverage.unknown {
        let _ = writeln!(
            out,
            "UNKNOWN  {} cites rule `{}`, which docs/documented.yaml does not list for {}",
            unknown.case, unknown.rule, unknown.seed
        );
    }
    let count = |kind: Kind| {
        let of_kind = coverage.items.iter().filter(|i| i.kind == kind);
        let total = of_kind.clone().count();
        (of_kind.filter(|i| !i.cases.is_empty()).count(), total)
    };
    let (examples, errors, rules) = (count(Kind::Example), count(Kind::Error), count(Kind::Rule));
    let _ = write!(
        out,
        "{} of {} documented items covered (examples {} of {}, error codes {} of {}, rules {} of {})",
        coverage.covered(),
        coverage.items.len(),
        examples.0,
        examples.1,
        errors.0,
        errors.1,
        rules.0,
        rules.1
    );
    out
}

/// The same comparison as data, for `coverage --json`.
pub fn to_json(coverage: &Coverage) -> serde_json::Value {
    serde_json::json!({
        "complete": coverage.complete(),
        "covered": coverage.covered(),
        "total": coverage.items.len(),
        "items": coverage.items,
        "unknown_citations": coverage.unknown,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn documented() -> Documented {
        serde_saphyr::from_str(
            "seeds:\n  - seed: 000_x.txt\n    api: tencent-cvm\n    action: CreateKeyPair\n    examples: [Example1]\n    errors: [{code: MissingParameter}]\n    rules:\n      - {id: cvm-create.key-name.max-len, section: \"§2\", says: \"at most 25\"}\n",
        )
        .expect("valid documented surface")
    }

    #[test]
    fn rule_ids_are_dotted_lowercase_words_and_free_text_is_not() {
        assert!(is_rule_id("cvm-create.key-name.max-len"));
        assert!(!is_rule_id("§2 KeyName: at most 25 characters"));
        assert!(!is_rule_id("nodots"));
        assert!(!is_rule_id("Upper.case"));
    }

    /// A case `id` whose `source` is the given citations of `seed`.
    fn citing(id: &str, seed: &str, example: Option<&str>, error: Option<&str>, rule: Option<&str>, rules: &[&str]) -> Case {
        let mut case = crate::case::load::checked_in("cases/tencent-cvm/create-key-pair/example.yaml");
        case.id = id.to_string();
        case.source = crate::case::Source {
            seed: seed.to_string(),
            example: example.map(str::to_string),
            error: error.map(str::to_string),
            rule: rule.map(str::to_string),
            rules: rules.iter().map(|r| r.to_string()).collect(),
        };
        case
    }

    #[test]
    fn cases_cover_what_they_cite_and_a_mistyped_rule_id_is_reported() {
        let documented = documented();
        let mut cases = vec![
            citing("a", "000_x.txt", Some("Example1"), None, None, &[]),
            citing("b", "000_x.txt", None, Some("MissingParameter"), Some("cvm-create.key-name.max-len"), &[]),
            citing("c", "000_x.txt", None, None, Some("apis.md §1.3: a rule from outside the seeds"), &["cvm-create.key-name.max-len"]),
            citing("other-seed", "999_y.txt", Some("Example1"), None, None, &["cvm-create.key-name.max-len"]),
        ];
        let coverage = compare(&documented, &cases);
        let covering: Vec<&[String]> = coverage.items.iter().map(|i| i.cases.as_slice()).collect();
        assert_eq!(covering, [&["a".to_string()][..], &["b".to_string()], &["b".to_string(), "c".to_string()]]);
        assert!(coverage.unknown.is_empty(), "a seed the surface does not list is not checked: {:?}", coverage.unknown);
        assert!(coverage.complete());
        assert_eq!(coverage.covered(), 3);
        let text = render(&coverage, &documented);
        assert!(text.starts_with("000_x.txt — tencent-cvm CreateKeyPair (?)\n  covered  example Example1"), "{text}");
        assert!(text.ends_with("3 of 3 documented items covered (examples 1 of 1, error codes 1 of 1, rules 1 of 1)"), "{text}");
        assert_eq!(to_json(&coverage)["complete"], true);

        cases.push(citing("typo", "000_x.txt", None, None, None, &["cvm-create.key-name.max-lenn"]));
        let coverage = compare(&documented, &cases);
        assert_eq!(coverage.unknown.len(), 1);
        assert_eq!((coverage.unknown[0].case.as_str(), coverage.unknown[0].rule.as_str()), ("typo", "cvm-create.key-name.max-lenn"));
        assert!(!coverage.complete(), "an unknown citation leaves the surface incomplete");
        assert!(render(&coverage, &documented).contains("UNKNOWN  typo cites rule `cvm-create.key-name.max-lenn`"));
        assert_eq!(items(&documented, &cases).len(), 3);
    }

    #[test]
    fn the_documented_surface_loads_and_a_missing_one_is_named() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        assert!(load(root).expect("docs/documented.yaml").seeds.len() >= 5, "a surface per seed");
        let error = load(&root.join("nowhere")).unwrap_err();
        assert!(error.starts_with("cannot read") && error.contains("nowhere/docs/documented.yaml"), "{error}");
    }

    #[test]
    fn without_cases_every_item_is_missing_and_the_json_says_so() {
        let documented = documented();
        let coverage = compare(&documented, &[]);
        let labels: Vec<&str> = coverage.items.iter().map(|i| i.label.as_str()).collect();
        assert_eq!(labels, ["example Example1", "error MissingParameter", "rule cvm-create.key-name.max-len"]);
        assert!(!coverage.complete());
        let text = render(&coverage, &documented);
        assert!(text.contains("MISSING  rule cvm-create.key-name.max-len"), "{text}");
        assert!(text.ends_with("0 of 3 documented items covered (examples 0 of 1, error codes 0 of 1, rules 0 of 1)"), "{text}");
        let json = to_json(&coverage);
        assert_eq!(json["complete"], false);
        assert_eq!(json["total"], 3);
        assert_eq!(json["items"][2]["kind"], "rule");
        assert_eq!(json["items"][2]["says"], "at most 25");
        assert_eq!(json["items"][2]["cases"], serde_json::json!([]));
    }
}
