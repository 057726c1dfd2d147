//! Rendering `${name.ID}`, `${name.ID:LENGTH}`, `${capture.ID}` and `${fixture.ID}` in parameters
//! and expectations. A string that is exactly one capture template takes the captured value with
//! its JSON type (a number stays a number).

use std::collections::HashMap;
use std::path::PathBuf;

use rand::RngExt;
use serde_json::Value;

use crate::case::load::TEMPLATE;
use crate::providers::NameRule;

/// Values of one case run.
#[derive(Debug)]
pub struct Vars {
    rule: NameRule,
    fixtures_dir: PathBuf,
    /// Template id → generated name.
    pub names: HashMap<String, String>,
    pub captures: HashMap<String, Value>,
    /// Fixture id → public-key line.
    pub fixtures: HashMap<String, String>,
}

impl Vars {
    pub fn new(rule: NameRule, fixtures_dir: PathBuf) -> Self {
        Self { rule, fixtures_dir, names: HashMap::new(), captures: HashMap::new(), fixtures: HashMap::new() }
    }

    pub fn render(&mut self, value: &Value) -> Result<Value, String> {
        Ok(match value {
            Value::String(s) => self.render_str(s)?,
            Value::Array(items) => Value::Array(items.iter().map(|v| self.render(v)).collect::<Result<_, _>>()?),
            Value::Object(map) => Value::Object(map.iter().map(|(k, v)| Ok((k.clone(), self.render(v)?))).collect::<Result<_, String>>()?),
            other => other.clone(),
        })
    }

    fn render_str(&mut self, text: &str) -> Result<Value, String> {
        if let Some(m) = TEMPLATE.captures(text)
            && m.get(0).is_some_and(|whole| whole.as_str() == text)
            && &m[1] == "capture"
        {
            return self.captures.get(&m[2]).cloned().ok_or_else(|| format!("capture `{}` has no value", &m[2]));
        }
        let mut out = String::new();
        let mut last = 0;
        for m in TEMPLATE.captures_iter(text) {
            let whole = m.get(0).expect("group 0 exists");
            out.push_str(&text[last..whole.start()]);
            let id = &m[2];
            let piece = match &m[1] {
                "name" => {
                    let len = m.get(3).and_then(|l| l.as_str().parse().ok());
                    self.name(id, len)
                }
                "capture" => match self.captures.get(id) {
                    Some(Value::String(s)) => s.clone(),
                    Some(other) => other.to_string(),
                    None => return Err(format!("capture `{id}` has no value")),
                },
                "fixture" => self.fixture(id)?,
                other => return Err(format!("unknown template kind `{other}`")),
            };
            out.push_str(&piece);
            last = whole.end();
        }
        out.push_str(&text[last..]);
        Ok(Value::String(out))
    }

    /// The unique name for `id`, generated on first use: `kc` and random lowercase letters and
    /// digits, which every API's naming rule accepts; `len` characters (default: the API's).
    fn name(&mut self, id: &str, len: Option<usize>) -> String {
        let len = len.unwrap_or(self.rule.default_len).max(2);
        self.names
            .entry(id.to_string())
            .or_insert_with(|| {
                let mut rng = rand::rng();
                let tail: String = (0..len - 2)
                    .map(|_| {
                        let n = rng.random_range(0..36u8);
                        (if n < 10 { b'0' + n } else { b'a' + n - 10 }) as char
                    })
                    .collect();
                format!("kc{tail}")
            })
            .clone()
    }

    fn fixture(&mut self, id: &str) -> Result<String, String> {
        if let Some(line) = self.fixtures.get(id) {
            return Ok(line.clone());
        }
        let path = self.fixtures_dir.join(format!("{id}.pub"));
        let line = std::fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?.trim().to_string();
        self.fixtures.insert(id.to_string(), line.clone());
        Ok(line)
    }

    /// Generated name → the template that made it, for snapshots.
    pub fn name_templates(&self) -> HashMap<String, String> {
        self.names.iter().map(|(id, name)| (name.clone(), format!("${{name.{id}}}"))).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn vars() -> Vars {
        Vars::new(NameRule { max_len: 25, default_len: 16 }, PathBuf::from("cases/fixtures"))
    }

    #[test]
    fn names_are_stable_within_a_case_and_obey_length() {
        let mut v = vars();
        let a = v.render(&json!("${name.a}")).unwrap();
        assert_eq!(v.render(&json!("${name.a}")).unwrap(), a);
        assert_eq!(a.as_str().unwrap().len(), 16);
        assert_eq!(v.render(&json!("${name.long:26}")).unwrap().as_str().unwrap().len(), 26);
        assert!(regex::Regex::new("^[0-9a-z]+$").unwrap().is_match(a.as_str().unwrap()));
    }

    #[test]
    fn whole_captures_keep_their_type() {
        let mut v = vars();
        v.captures.insert("n".into(), json!(7));
        assert_eq!(v.render(&json!({"Limit": "${capture.n}", "Text": "n=${capture.n}"})).unwrap(), json!({"Limit": 7, "Text": "n=7"}));
        assert!(v.render(&json!("${capture.missing}")).is_err());
    }
}
