//! Rendering `${name.ID}`, `${name.ID:LENGTH}`, `${capture.ID}` and `${fixture.ID}` in parameters
//! and expectations. A string that is exactly one capture template takes the captured value with
//! its JSON type (a number stays a number).

use std::collections::HashMap;
use std::path::PathBuf;

use rand::RngExt;
use serde_json::Value;

use crate::apis::NameRule;
use crate::case::load::TEMPLATE;

/// What every generated name of every run starts with; `sweep` looks for it. Four characters,
/// the shortest prefix `sweep` accepts.
pub const FAMILY_PREFIX: &str = "kctx";

/// A fresh run prefix: [`FAMILY_PREFIX`] and four random lowercase letters or digits. It fits
/// every API's naming rule (lowercase ASCII starting with a letter; 8 of Tencent's 25 characters).
pub fn new_run_prefix() -> String {
    let mut rng = rand::rng();
    let tail: String = (0..4).map(|_| base36(rng.random_range(0..36u8))).collect();
    format!("{FAMILY_PREFIX}{tail}")
}

fn base36(n: u8) -> char {
    (if n < 10 { b'0' + n } else { b'a' + n - 10 }) as char
}

/// Values of one case run.
#[derive(Debug)]
pub struct Vars {
    /// The run prefix and the case id: names are the prefix and a digest of (case, template id),
    /// unique per run and per case, and the same again when a recording of the run is replayed.
    run: Option<(String, String)>,
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
        Self { run: None, rule, fixtures_dir, names: HashMap::new(), captures: HashMap::new(), fixtures: HashMap::new() }
    }

    /// Names of case `case_id` in the run with prefix `run_prefix` (see [`new_run_prefix`]).
    pub fn for_run(mut self, run_prefix: &str, case_id: &str) -> Self {
        self.run = Some((run_prefix.to_string(), case_id.to_string()));
        self
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

    /// The unique name for `id`, generated on first use: the run prefix, then lowercase letters
    /// and digits, which every API's naming rule accepts; `len` characters (default: the API's).
    /// A name shorter than the prefix is the prefix's first characters (it cannot carry more).
    fn name(&mut self, id: &str, len: Option<usize>) -> String {
        let len = len.unwrap_or(self.rule.default_len).max(2);
        let run = self.run.get_or_insert_with(|| (new_run_prefix(), format!("{:x}", rand::random::<u64>()))).clone();
        self.names.entry(id.to_string()).or_insert_with(|| name_for(&run.0, &run.1, id, len)).clone()
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

/// `len` characters: `prefix`, then base-36 digits of SHA-256(case, id), repeated as needed.
fn name_for(prefix: &str, case_id: &str, id: &str, len: usize) -> String {
    use sha2::Digest;
    if len <= prefix.len() {
        return prefix[..len].to_string();
    }
    let mut tail = String::new();
    let mut round = 0u32;
    while tail.len() < len - prefix.len() {
        let digest = sha2::Sha256::digest(format!("{case_id}\0{id}\0{round}").as_bytes());
        tail.extend(digest.iter().map(|b| base36(b % 36)));
        round += 1;
    }
    format!("{prefix}{}", &tail[..len - prefix.len()])
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
    fn names_carry_the_run_prefix_and_differ_per_case_and_per_run() {
        let name = |prefix: &str, case: &str| {
            let mut v = vars().for_run(prefix, case);
            v.render(&json!("${name.key}")).unwrap().as_str().unwrap().to_string()
        };
        let prefix = new_run_prefix();
        assert!(prefix.starts_with(FAMILY_PREFIX) && prefix.len() == 8 && prefix.starts_with(|c: char| c.is_ascii_lowercase()));
        let a = name(&prefix, "tencent-cvm/a");
        assert!(a.starts_with(&prefix) && a.len() == 16, "{a}");
        assert_eq!(a, name(&prefix, "tencent-cvm/a"), "a replay with the recorded prefix makes the same names");
        assert_ne!(a, name(&prefix, "tencent-cvm/b"));
        assert_ne!(a, name("kctxzzzz", "tencent-cvm/a"));
        let mut v = vars().for_run(&prefix, "c");
        assert_eq!(v.render(&json!("${name.x:25}")).unwrap().as_str().unwrap().len(), 25);
        assert_eq!(v.render(&json!("${name.y:2}")).unwrap(), json!("kc"));
    }

    #[test]
    fn fixtures_are_read_once_and_names_map_back_to_their_templates() {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        let mut v = Vars::new(NameRule { max_len: 25, default_len: 16 }, root.join("cases/fixtures")).for_run("kctxabcd", "c");
        let line = std::fs::read_to_string(root.join("cases/fixtures/rsa_a.pub")).unwrap();
        assert_eq!(v.render(&json!("${fixture.rsa_a}")).unwrap(), json!(line.trim()));
        assert_eq!(v.fixtures.len(), 1);
        let error = v.render(&json!("${fixture.no_such_key}")).unwrap_err();
        assert!(error.starts_with("cannot read") && error.contains("no_such_key.pub"), "{error}");
        let name = v.render(&json!("${name.key}")).unwrap();
        let name = name.as_str().unwrap();
        assert_eq!(v.name_templates(), HashMap::from([(name.to_string(), "${name.key}".to_string())]));
    }

    #[test]
    fn name_characters_are_base36_digits_then_letters() {
        let digits: String = (0..36).map(base36).collect();
        assert_eq!(digits, "0123456789abcdefghijklmnopqrstuvwxyz");
        // Past the 32 characters of one digest, further rounds extend the name, each its own.
        let long = name_for("kctx", "case", "id", 80);
        assert_eq!(long.len(), 80);
        assert_ne!(&long[4..36], &long[36..68]);
        assert_eq!(name_for("kctx", "case", "id", 20), long[..20], "a shorter name is the longer one's start");
        assert_eq!(name_for("kctxabcd", "case", "id", 8), "kctxabcd", "a name the prefix's length is the prefix");
    }

    /// The same names from another implementation (Python's hashlib: each byte of
    /// SHA-256("case\0id\0round") mod 36 as a base-36 digit), so a name a recording or a live
    /// account holds can be traced back to its case by hand.
    #[test]
    fn names_match_an_independent_computation() {
        let case = "tencent-cvm/create-key-pair/example";
        assert_eq!(name_for("kctx0a1b", case, "key", 16), "kctx0a1bueaxvo7b");
        assert_eq!(name_for("kctx0a1b", case, "key", 50), "kctx0a1bueaxvo7bvvi0ddsoqqk4cc8u4ny0k6y0fe2tai4vp5");
    }

    #[test]
    fn whole_captures_keep_their_type() {
        let mut v = vars();
        v.captures.insert("n".into(), json!(7));
        assert_eq!(v.render(&json!({"Limit": "${capture.n}", "Text": "n=${capture.n}"})).unwrap(), json!({"Limit": 7, "Text": "n=7"}));
        assert!(v.render(&json!("${capture.missing}")).is_err());
    }
}
