//! The documented surface (docs/documented.yaml, taken from the seeds by hand) against the cases'
//! `source`: every documented example and error code must have a case.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::Path;

use serde::Deserialize;

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
    #[serde(default)]
    pub version: Option<String>,
    #[serde(default)]
    pub examples: Vec<String>,
    #[serde(default)]
    pub errors: Vec<DocumentedError>,
}

#[derive(Debug, Deserialize)]
pub struct DocumentedError {
    pub code: String,
    #[serde(default)]
    pub status: Option<u16>,
}

pub fn load(root: &Path) -> Result<Documented, String> {
    let path = root.join("docs/documented.yaml");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    serde_saphyr::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// One documented item and the cases covering it.
#[derive(Debug)]
pub struct Item {
    pub seed: String,
    pub label: String,
    pub cases: Vec<String>,
}

/// Every documented item with its covering cases, in document order.
pub fn items(documented: &Documented, cases: &[Case]) -> Vec<Item> {
    let mut by_key: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    for case in cases {
        let source = &case.source;
        if let Some(example) = &source.example {
            by_key.entry((source.seed.clone(), format!("example {example}"))).or_default().push(case.id.clone());
        }
        if let Some(code) = &source.error {
            by_key.entry((source.seed.clone(), format!("error {code}"))).or_default().push(case.id.clone());
        }
    }
    let mut out = Vec::new();
    for seed in &documented.seeds {
        let labels = seed.examples.iter().map(|e| format!("example {e}")).chain(seed.errors.iter().map(|e| format!("error {}", e.code)));
        for label in labels {
            let cases = by_key.get(&(seed.seed.clone(), label.clone())).cloned().unwrap_or_default();
            out.push(Item { seed: seed.seed.clone(), label, cases });
        }
    }
    out
}

/// The coverage table as text, and whether every item is covered.
pub fn render(items: &[Item], documented: &Documented) -> (String, bool) {
    let mut out = String::new();
    let mut complete = true;
    for seed in &documented.seeds {
        let _ = writeln!(out, "{} — {} {} ({})", seed.seed, seed.api, seed.action, seed.version.as_deref().unwrap_or("?"));
        for item in items.iter().filter(|i| i.seed == seed.seed) {
            if item.cases.is_empty() {
                complete = false;
                let _ = writeln!(out, "  MISSING  {}", item.label);
            } else {
                let _ = writeln!(out, "  covered  {:<48} {}", item.label, item.cases.join(", "));
            }
        }
    }
    let covered = items.iter().filter(|i| !i.cases.is_empty()).count();
    let _ = write!(out, "{covered} of {} documented items covered", items.len());
    (out, complete)
}
