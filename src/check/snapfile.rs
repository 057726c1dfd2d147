//! Snapshot files in insta's `.snap` format, so `cargo insta review` keeps working on them: a YAML
//! header (`source`, `description`, `info`, `input_file`, in insta's order) between `---` lines,
//! then the snapshot as YAML written by insta's own serialiser. `info` holds the provenance:
//! `recorded_from` (`emulator` or the live target's name) and `recorded_at` (YYYY-MM-DD).

use std::path::Path;

use insta::_macro_support::{SerializationFormat, serialize_value};
use serde_json::{Map, Value, json};

/// The `source` insta would write: the file that produced the snapshot.
pub const SOURCE: &str = "src/check/snapshot.rs";

/// A snapshot file, read back.
#[derive(Debug, Clone, PartialEq)]
pub struct SnapFile {
    /// The header's `info`, if any.
    pub info: Option<Value>,
    /// The snapshot itself, trailing whitespace trimmed (as insta compares it).
    pub body: String,
}

impl SnapFile {
    /// Where the snapshot was recorded from (`emulator`, a live target's name), if it says.
    pub fn recorded_from(&self) -> Option<&str> {
        self.info.as_ref().and_then(|i| i.get("recorded_from")).and_then(Value::as_str)
    }
}

/// `value` as insta writes YAML (without the leading `---`).
pub fn yaml(value: &Value) -> String {
    serialize_value(value, SerializationFormat::Yaml)
}

/// Reads `path`; `Ok(None)` when there is no such file.
pub fn read(path: &Path) -> Result<Option<SnapFile>, String> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
    };
    parse(&text).map(Some).map_err(|e| format!("{}: {e}", path.display()))
}

/// Parses a `.snap` file's text.
pub fn parse(text: &str) -> Result<SnapFile, String> {
    let text = text.replace("\r\n", "\n");
    let Some(rest) = text.strip_prefix("---\n") else {
        return Err("not an insta snapshot (no `---` header)".into());
    };
    let Some(end) = rest.find("\n---\n").map(|i| i + 1).or_else(|| rest.starts_with("---\n").then_some(0)) else {
        return Err("not an insta snapshot (the header has no closing `---`)".into());
    };
    let header: Value = if end == 0 {
        Value::Null
    } else {
        serde_saphyr::from_str(&rest[..end]).map_err(|e| format!("the snapshot header is not YAML: {e}"))?
    };
    let body = rest[end + 4..].trim_end().to_string();
    Ok(SnapFile { info: header.get("info").cloned(), body })
}

/// The text of a snapshot file.
pub fn render(description: &str, input_file: &str, info: &Value, body: &str) -> String {
    let mut header = Map::new();
    header.insert("source".into(), json!(SOURCE));
    header.insert("description".into(), json!(description));
    header.insert("info".into(), info.clone());
    header.insert("input_file".into(), json!(input_file));
    let mut text = String::from("---\n");
    text.push_str(&yaml(&Value::Object(header)));
    if !text.ends_with('\n') {
        text.push('\n');
    }
    text.push_str("---\n");
    text.push_str(body.trim_end());
    text.push('\n');
    text
}

/// The provenance `info` of a snapshot recorded now from `recorded_from`.
pub fn provenance(recorded_from: &str, recorded_at: Option<&str>) -> Value {
    json!({ "recorded_at": recorded_at.map_or_else(today, str::to_string), "recorded_from": recorded_from })
}

/// Today's date (UTC), as snapshot headers and recordings write it: `YYYY-MM-DD`.
pub fn today() -> String {
    let today = time::OffsetDateTime::now_utc().date();
    format!("{:04}-{:02}-{:02}", today.year(), today.month() as u8, today.day())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `YYYY-MM-DD`, this century (the tests' machines' clocks are set).
    #[test]
    fn today_is_a_date() {
        let today = today();
        let digits = |range: std::ops::Range<usize>| today[range].chars().all(|c| c.is_ascii_digit());
        assert!(today.len() == 10 && digits(0..4) && digits(5..7) && digits(8..10), "{today}");
        assert!(today.starts_with("20") && &today[4..5] == "-" && &today[7..8] == "-", "{today}");
        assert!(provenance("tencent", Some("2026-11-30")) == json!({"recorded_at": "2026-11-30", "recorded_from": "tencent"}));
        assert_eq!(provenance("emulator", None)["recorded_at"], today);
    }

    /// No file is no snapshot yet; a file that cannot be read is an error, never "no snapshot".
    #[test]
    fn only_a_missing_file_reads_as_no_snapshot() {
        let dir = std::env::temp_dir();
        assert_eq!(read(&dir.join(format!("kc-no-such-{}.snap", std::process::id()))), Ok(None));
        assert!(read(&dir).unwrap_err().starts_with("cannot read "), "a folder is not a snapshot");
    }

    #[test]
    fn writes_what_it_reads_and_insta_reads_it() {
        let body = yaml(&json!([{"step": "steps[0]", "request": {"KeyName": "${name.key}", "ProjectId": "0"}, "status": 200}]));
        let text = render("A case.", "cases/x.yaml", &provenance("emulator", None), &body);
        assert!(text.starts_with("---\nsource: src/check/snapshot.rs\ndescription: A case.\ninfo:\n"), "{text}");
        assert!(text.contains("\ninput_file: cases/x.yaml\n---\n- step:"), "no blank line around the header's end: {text}");
        let back = parse(&text).unwrap();
        assert_eq!(back.body, body.trim_end());
        assert_eq!(back.recorded_from(), Some("emulator"));
        let dir = std::env::temp_dir().join(format!("kc-snapfile-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("x.snap");
        std::fs::write(&path, &text).unwrap();
        let insta = insta::Snapshot::from_file(&path).unwrap();
        assert_eq!(insta.metadata().input_file(), Some("cases/x.yaml"));
        assert_eq!(insta.contents().as_text().unwrap().to_string(), back.body);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn rejects_what_is_not_a_snapshot() {
        assert!(parse("- step: x\n").is_err());
        assert!(parse("---\nsource: x\n").is_err());
    }
}
