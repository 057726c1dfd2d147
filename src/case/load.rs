//! Finding and loading case files. Discovery is sorted and loud (finding no case is an error);
//! loading validates each file against schemas/case.schema.json, then checks what a schema cannot
//! (known API and actions, existing schema files and fixtures, captures defined before use),
//! reporting file:line:col for every problem.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use regex::Regex;
use serde_json::Value;
use walkdir::WalkDir;

use super::error::{CaseError, did_you_mean};
use super::model::{Case, CaseFile, Expect, ExpectFile, Outcome, Step, StepFile};
use super::tree::{self, Document, Pos, escape};
use crate::apis::{self, ApiProfile};
use crate::check::pointer::Pattern;

/// The pointer of one step (`/steps/2`).
static STEP_POINTER: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^/(setup|steps)/[0-9]+$").expect("valid regex"));

/// `${kind.id}` or `${kind.id:length}` inside a string value.
pub static TEMPLATE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\$\{([a-z]+)\.([A-Za-z0-9_]+)(?::([0-9]+))?\}").expect("valid regex"));

/// The compiled case-format schema, compiled once per run.
pub struct CaseFormat {
    validator: jsonschema::Validator,
    schema: Value,
    /// Every property name the format knows, for "did you mean".
    known_keys: BTreeSet<String>,
}

impl CaseFormat {
    pub fn load(root: &Path) -> Result<Self, CaseError> {
        let path = root.join("schemas/case.schema.json");
        let text =
            std::fs::read_to_string(&path).map_err(|e| CaseError::file(path.clone(), format!("cannot read the case format: {e}")))?;
        let schema: Value =
            serde_json::from_str(&text).map_err(|e| CaseError::file(path.clone(), format!("the case format is not JSON: {e}")))?;
        let validator = jsonschema::draft202012::new(&schema)
            .map_err(|e| CaseError::file(path.clone(), format!("the case format does not compile: {e}")))?;
        let mut known_keys = BTreeSet::new();
        collect_property_names(&schema, &mut known_keys);
        Ok(Self { validator, schema, known_keys })
    }
}

fn collect_property_names(schema: &Value, out: &mut BTreeSet<String>) {
    match schema {
        Value::Object(map) => {
            if let Some(Value::Object(props)) = map.get("properties") {
                out.extend(props.keys().cloned());
            }
            map.values().for_each(|v| collect_property_names(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| collect_property_names(v, out)),
        _ => {}
    }
}

/// Every case file under `root/cases`, sorted; fixtures and READMEs are not cases.
pub fn discover(root: &Path) -> Result<Vec<PathBuf>, CaseError> {
    let cases = root.join("cases");
    if !cases.is_dir() {
        return Err(CaseError::file(cases, "no cases folder here; run from the project root or pass --root"));
    }
    let mut files: Vec<PathBuf> = WalkDir::new(&cases)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| e.into_path())
        .filter(|p| matches!(p.extension().and_then(|e| e.to_str()), Some("yaml" | "yml")))
        .filter(|p| !p.strip_prefix(&cases).is_ok_and(|rel| rel.starts_with("fixtures")))
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(CaseError::file(cases, "no case files (*.yaml) found; a run that tests nothing is an error"));
    }
    Ok(files)
}

/// The case id of a file: its path under `cases/` without extension, with `/`.
pub fn case_id(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root.join("cases")).unwrap_or(path);
    let rel = rel.with_extension("");
    rel.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect::<Vec<_>>().join("/")
}

/// Loads every case; the errors of all bad files, not just the first.
pub fn load_all(root: &Path, format: &CaseFormat) -> Result<(Vec<Case>, Vec<CaseError>), CaseError> {
    let mut cases = Vec::new();
    let mut errors = Vec::new();
    for path in discover(root)? {
        match load_case(root, &path, format) {
            Ok(case) => cases.push(case),
            Err(e) => errors.push(e),
        }
    }
    Ok((cases, errors))
}

/// A case file of this repository, by its path from the project root, loaded as `run` loads it
/// (for unit tests).
#[cfg(test)]
pub fn checked_in(path: &str) -> Case {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    load_case(root, &root.join(path), &CaseFormat::load(root).unwrap()).unwrap()
}

/// A file that is not UTF-8, refused at its first byte that is not (YAML files are UTF-8).
fn not_utf8(display: &Path, error: std::string::FromUtf8Error) -> CaseError {
    let bytes = error.as_bytes();
    let valid = error.utf8_error().valid_up_to();
    // Up to the bad byte, the lossy text is the file's own.
    let text = String::from_utf8_lossy(bytes);
    CaseError::new(display.to_path_buf(), &text, Pos::at(&text, valid), format!("not UTF-8: byte 0x{:02X}", bytes[valid]))
        .expected("UTF-8 text")
        .help(Some("save the file as UTF-8".into()))
}

/// Loads and checks one case file.
pub fn load_case(root: &Path, path: &Path, format: &CaseFormat) -> Result<Case, CaseError> {
    let display = path.strip_prefix(root).unwrap_or(path).to_path_buf();
    let bytes = std::fs::read(path).map_err(|e| CaseError::file(display.clone(), format!("cannot read: {e}")))?;
    let text = String::from_utf8(bytes).map_err(|e| not_utf8(&display, e))?;
    let doc = tree::parse(&text).map_err(|e| CaseError::new(display.clone(), &text, e.pos, format!("invalid YAML: {}", e.message)))?;
    let at = |pointer: &str, message: String| CaseError::new(display.clone(), &text, doc.value_pos(pointer), message);

    if let Some(error) = format.validator.iter_errors(&doc.value).next() {
        return Err(schema_error(&display, &text, &doc, format, &error));
    }
    let file: CaseFile = serde_json::from_value(doc.value.clone()).map_err(|e| at("", format!("invalid case: {e}")))?;

    let api = apis::profile(&file.api).ok_or_else(|| {
        at("/api", format!("unknown api `{}`", file.api))
            .expected(format!("one of {}", quoted(apis::profile_names())))
            .help(did_you_mean(&file.api, apis::profile_names()))
    })?;
    let expected_folder = format!("{}/", api.name);
    let id = case_id(root, path);
    if !id.starts_with(&expected_folder) {
        return Err(at("/api", format!("a case for `{}` must live under cases/{}", api.name, expected_folder)));
    }
    let live_skip = match &file.live {
        Value::Bool(true) => None,
        other => Some(other.get("skip").and_then(Value::as_str).unwrap_or("").to_string()),
    };
    if !file.emulator.is_empty() && live_skip.is_none() {
        return Err(at("/emulator", "a case that sets up the emulator cannot run live".into())
            .help(Some("add `live: {skip: <why>}`, e.g. the code can only be provoked through the control API".into())));
    }
    if !root.join("docs/seeds").join(&file.source.seed).is_file() {
        return Err(at("/source/seed", format!("no seed document docs/seeds/{}", file.source.seed)));
    }
    for (i, fault) in file.emulator.faults.iter().enumerate() {
        check_action(api, &fault.action).map_err(|(m, h)| at(&format!("/emulator/faults/{i}/action"), m).help(h))?;
    }

    let ctx = StepContext { root, display: &display, text: &text, doc: &doc, api };
    let mut captures = BTreeSet::new();
    let setup = resolve_steps(&ctx, "setup", file.setup, &mut captures)?;
    let steps = resolve_steps(&ctx, "steps", file.steps, &mut captures)?;
    let pattern = |pointer: String, text: &str| {
        Pattern::parse(text).map_err(|e| at(&pointer, e).expected("a JSON pointer such as /Response/KeyPairSet/*/Tags"))
    };
    let unordered = file.unordered.iter().enumerate().map(|(i, p)| pattern(format!("/unordered/{i}"), p)).collect::<Result<Vec<_>, _>>()?;
    let parity_gaps = file
        .parity_gaps
        .iter()
        .enumerate()
        .map(|(i, g)| pattern(format!("/parity_gaps/{i}/path"), &g.path).map(|p| (p, g.reason.clone())))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Case {
        id,
        path: display,
        description: file.description,
        source: file.source,
        api,
        live_skip,
        emulator: file.emulator,
        setup,
        steps,
        unordered,
        parity_gaps,
        document: doc.clone(),
    })
}

struct StepContext<'a> {
    root: &'a Path,
    display: &'a Path,
    text: &'a str,
    doc: &'a Document,
    api: &'static ApiProfile,
}

impl StepContext<'_> {
    fn error(&self, pointer: &str, message: String) -> CaseError {
        CaseError::new(self.display.to_path_buf(), self.text, self.doc.value_pos(pointer), message)
    }
}

fn resolve_steps(ctx: &StepContext, list: &str, files: Vec<StepFile>, captures: &mut BTreeSet<String>) -> Result<Vec<Step>, CaseError> {
    let mut steps = Vec::new();
    for (i, file) in files.into_iter().enumerate() {
        let base = format!("/{list}/{i}");
        let api = ctx.api;
        check_action(api, &file.action).map_err(|(m, h)| ctx.error(&format!("{base}/action"), m).help(h))?;
        let signing = file.signing.unwrap_or(api.default_signing);
        if !api.signings.contains(&signing) {
            let names: Vec<&str> = api.signings.iter().map(|s| s.as_str()).collect();
            return Err(ctx
                .error(&format!("{base}/signing"), format!("{} does not sign with `{}`", api.name, signing.as_str()))
                .expected(format!("one of {}", quoted(names))));
        }
        let params = file.params.unwrap_or(Value::Object(Default::default()));
        check_templates(ctx, &format!("{base}/params"), &params, captures)?;
        let expect = resolve_expect(ctx, &base, &file.action, file.expect, captures)?;
        for (name, pointer) in &file.capture {
            if pointer.contains("PrivateKey") {
                return Err(ctx.error(&format!("{base}/capture/{}", escape(name)), "a private key must never be captured".into()));
            }
            captures.insert(name.clone());
        }
        steps.push(Step {
            label: format!("{list}[{i}]"),
            pos: ctx.doc.value_pos(&base),
            pointer: base.clone(),
            action: file.action,
            version: file.version.unwrap_or_else(|| api.default_version.to_string()),
            region: match file.region {
                Some(explicit) => explicit,
                None => Some(api.default_region.to_string()),
            },
            method: file.method.unwrap_or_else(|| api.default_method.to_string()),
            signing,
            params,
            burst: file.burst,
            expect,
            capture: file.capture,
        });
    }
    Ok(steps)
}

fn resolve_expect(
    ctx: &StepContext,
    base: &str,
    action: &str,
    expect: Option<ExpectFile>,
    captures: &BTreeSet<String>,
) -> Result<Expect, CaseError> {
    let expect = expect.unwrap_or(ExpectFile { success: Some(true), error: None, status: None, schema: None, fields: Default::default() });
    let outcome = match expect.error {
        Some(code) => Outcome::Error(code),
        None => Outcome::Success,
    };
    let schema = expect.schema.unwrap_or_else(|| match &outcome {
        Outcome::Success => format!("{}/{action}.json", ctx.api.name),
        Outcome::Error(_) => format!("{}/error.json", ctx.api.name),
    });
    if !ctx.root.join("schemas").join(&schema).is_file() {
        return Err(ctx
            .error(&format!("{base}/expect"), format!("no schema file schemas/{schema}"))
            .help(Some("write the schema from the docs, or name an existing one with `expect.schema`".into())));
    }
    let mut fields = Vec::new();
    for (pointer, value) in expect.fields {
        let at = format!("{base}/expect/fields/{}", escape(&pointer));
        if !pointer.starts_with('/') {
            return Err(ctx
                .error(&at, format!("`{pointer}` is not a JSON pointer"))
                .expected("a pointer such as /Response/KeyPair/KeyName"));
        }
        check_templates(ctx, &at, &value, captures)?;
        fields.push((pointer, value));
    }
    Ok(Expect { outcome, status: expect.status, schema, fields })
}

fn check_action(api: &ApiProfile, action: &str) -> Result<(), (String, Option<String>)> {
    if api.actions.contains(&action) {
        return Ok(());
    }
    Err((
        format!("unknown action `{action}` for {} (expected one of {})", api.name, quoted(api.actions.to_vec())),
        did_you_mean(action, api.actions.iter().copied()),
    ))
}

fn check_templates(ctx: &StepContext, pointer: &str, value: &Value, captures: &BTreeSet<String>) -> Result<(), CaseError> {
    match value {
        Value::String(s) => {
            let matched: usize = TEMPLATE.find_iter(s).count();
            if s.matches("${").count() != matched {
                return Err(ctx
                    .error(pointer, format!("malformed template in `{s}`"))
                    .expected("${name.ID}, ${name.ID:LENGTH}, ${capture.ID} or ${fixture.ID}"));
            }
            for m in TEMPLATE.captures_iter(s) {
                let (kind, id) = (&m[1], &m[2]);
                match kind {
                    "name" => {}
                    "capture" if captures.contains(id) => {}
                    "capture" => {
                        return Err(ctx.error(pointer, format!("unknown capture `{id}`")).expected(format!(
                            "a capture defined by an earlier step: {}",
                            quoted(captures.iter().map(String::as_str).collect())
                        )));
                    }
                    "fixture" => {
                        let file = ctx.root.join("cases/fixtures").join(format!("{id}.pub"));
                        if !file.is_file() {
                            return Err(ctx.error(pointer, format!("no fixture cases/fixtures/{id}.pub")));
                        }
                    }
                    other => {
                        return Err(ctx
                            .error(pointer, format!("unknown template kind `{other}`"))
                            .help(did_you_mean(other, ["name", "capture", "fixture"])));
                    }
                }
            }
            Ok(())
        }
        Value::Array(items) => items.iter().enumerate().try_for_each(|(i, v)| check_templates(ctx, &format!("{pointer}/{i}"), v, captures)),
        Value::Object(map) => map.iter().try_for_each(|(k, v)| check_templates(ctx, &format!("{pointer}/{}", escape(k)), v, captures)),
        _ => Ok(()),
    }
}

fn schema_error(display: &Path, text: &str, doc: &Document, format: &CaseFormat, error: &jsonschema::ValidationError) -> CaseError {
    let pointer = error.instance_path().to_string();
    match error.kind() {
        jsonschema::error::ValidationErrorKind::AdditionalProperties { unexpected } => {
            let key = unexpected.first().cloned().unwrap_or_default();
            let child = format!("{pointer}/{}", escape(&key));
            let allowed: Vec<&str> = allowed_keys(doc, format, &pointer);
            CaseError::new(display.to_path_buf(), text, doc.key_pos(&child), format!("unknown field `{key}`"))
                .expected(if allowed.is_empty() { "a known field".to_string() } else { format!("one of {}", quoted(allowed)) })
                .help(did_you_mean(&key, format.known_keys.iter().map(String::as_str)))
        }
        _ => {
            let place = if pointer.is_empty() { "the file".to_string() } else { format!("`{pointer}`") };
            CaseError::new(display.to_path_buf(), text, doc.value_pos(&pointer), format!("invalid case at {place}: {}", error.masked()))
                .help(Some("the case format is schemas/case.schema.json, explained in cases/README.md".into()))
        }
    }
}

/// Keys the format allows at `pointer`, found by position: top level, a step, an expectation.
fn allowed_keys<'a>(_doc: &Document, format: &'a CaseFormat, pointer: &str) -> Vec<&'a str> {
    let schema = Some(&format.schema);
    let path = if pointer.is_empty() {
        "/properties".to_string()
    } else if pointer.ends_with("/expect") {
        "/$defs/expect/properties".to_string()
    } else if STEP_POINTER.is_match(pointer) {
        "/$defs/step/properties".to_string()
    } else {
        let mut p = String::new();
        for seg in pointer.split('/').skip(1) {
            p.push_str(&format!("/properties/{seg}"));
        }
        p.push_str("/properties");
        p
    };
    schema.and_then(|s| s.pointer(&path)).and_then(Value::as_object).map(|m| m.keys().map(String::as_str).collect()).unwrap_or_default()
}

fn quoted(names: Vec<&str>) -> String {
    names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
}

// The tests link the repository's schemas and seeds into scratch projects (Unix symlinks).
#[cfg(all(test, unix))]
#[path = "load_tests.rs"]
mod tests;
