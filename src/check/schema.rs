//! Every response schema under `schemas/`, compiled once per run (compiling costs ~60× a
//! validation; shared/reference/perf-baseline.md §4).

use std::collections::HashMap;
use std::path::Path;

use serde_json::Value;
use walkdir::WalkDir;

/// Compiled validators by path under `schemas/` (e.g. `tencent-cvm/CreateKeyPair.json`).
pub struct SchemaSet {
    validators: HashMap<String, jsonschema::Validator>,
}

impl std::fmt::Debug for SchemaSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SchemaSet").field("schemas", &self.validators.len()).finish()
    }
}

impl SchemaSet {
    /// Compiles every `*.json` under `root/schemas` except the case and report formats.
    pub fn load(root: &Path) -> Result<Self, String> {
        let dir = root.join("schemas");
        let mut validators = HashMap::new();
        for entry in WalkDir::new(&dir).sort_by_file_name().into_iter().filter_map(Result::ok) {
            let path = entry.path();
            if !entry.file_type().is_file() || path.extension().and_then(|e| e.to_str()) != Some("json") {
                continue;
            }
            let rel = path.strip_prefix(&dir).unwrap_or(path).to_string_lossy().replace('\\', "/");
            // The harness's own formats, not response schemas.
            if rel == "case.schema.json" || rel == "report.schema.json" {
                continue;
            }
            let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read schemas/{rel}: {e}"))?;
            let schema: Value = serde_json::from_str(&text).map_err(|e| format!("schemas/{rel} is not JSON: {e}"))?;
            let validator = jsonschema::draft202012::new(&schema).map_err(|e| format!("schemas/{rel} does not compile: {e}"))?;
            validators.insert(rel, validator);
        }
        if validators.is_empty() {
            return Err(format!("no response schemas under {}", dir.display()));
        }
        Ok(Self { validators })
    }

    /// Validates `instance` against the schema `name`; the errors name the failing instance paths.
    pub fn validate(&self, name: &str, instance: &Value) -> Result<(), Vec<String>> {
        let validator = self.validators.get(name).ok_or_else(|| vec![format!("no schema schemas/{name}")])?;
        let errors: Vec<String> = validator
            .iter_errors(instance)
            .map(|e| {
                let path = e.instance_path().to_string();
                // `masked` leaves the offending value out: it may be a private key.
                format!("{}: {}", if path.is_empty() { "(root)".to_string() } else { path }, e.masked())
            })
            .collect();
        if errors.is_empty() { Ok(()) } else { Err(errors) }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// A `schemas/` folder with one response schema beside what load must pass over: the case and
    /// report formats, a README and a folder.
    fn folder() -> std::path::PathBuf {
        let root = std::env::temp_dir().join(format!("kc-schemas-{}", std::process::id()));
        let schemas = root.join("schemas");
        std::fs::create_dir_all(schemas.join("api/nested.json")).unwrap();
        let object = r#"{"type": "object", "required": ["RequestId"]}"#;
        for file in ["api/Answer.json", "case.schema.json", "report.schema.json"] {
            std::fs::write(schemas.join(file), object).unwrap();
        }
        std::fs::write(schemas.join("README.md"), "# not a schema").unwrap();
        root
    }

    #[test]
    fn load_compiles_response_schemas_only_and_validate_names_what_fails() {
        let root = folder();
        let set = SchemaSet::load(&root).unwrap();
        assert_eq!(format!("{set:?}"), "SchemaSet { schemas: 1 }");
        assert_eq!(set.validate("api/Answer.json", &json!({"RequestId": "r"})), Ok(()));
        assert_eq!(set.validate("api/Answer.json", &json!({})).unwrap_err().len(), 1);
        assert_eq!(set.validate("case.schema.json", &json!({})), Err(vec!["no schema schemas/case.schema.json".to_string()]));
        let _ = std::fs::remove_dir_all(&root);
    }
}
