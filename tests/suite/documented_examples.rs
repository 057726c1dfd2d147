//! The documented examples against the schemas written from the same documents.
//!
//! The JSON Schemas under `schemas/` are written by hand from the seeds (`docs/seeds/`) and from
//! `shared/reference/apis.md`, never generated from Rust types. This test keeps them honest:
//!
//! * every schema file compiles on its own (draft 2020-12, no reference outside the file) and says
//!   where it comes from (`$schema`, `$id`, `title`, `description`);
//! * every example output of the seeds (`tests/fixtures/documented/*.json`, copied verbatim)
//!   validates against its schema. Where a seed masks a value (`"xxxxxx"`, `****`), the fixture
//!   lists the field under `masked`: the example must fail on exactly those fields, and validate
//!   once they hold a realistic value of the documented shape (so the masking is real and the
//!   schema is strict there);
//! * hand-made realistic bodies validate, and mutations of them that break a documented rule
//!   (wrong ID shape, missing `RequestId`, an extra field on a strict object, ...) fail at the
//!   expected instance path, for every schema (so no schema is vacuous);
//! * `docs/documented.yaml` (the documented surface used by `keypair-contract coverage`) agrees
//!   with the seeds, their README and the fixtures, and every rule it lists quotes words its seed
//!   really contains.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use base64::Engine as _;
use md5::{Digest as _, Md5};
use serde::Deserialize;
use serde_json::{Value, json};

// ---------------------------------------------------------------------------------------------
// Throwaway key material: generated once for this test with openssl/ssh-keygen, used nowhere
// else, never registered with any cloud. It stands in for the values the seeds mask.

/// `ssh-keygen -y` of the key below, with a comment added.
const THROWAWAY_PUBLIC_KEY: &str = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC2mz/9UdkoGJriNS3N657coa0MvH+zB5FZYSRkL+2crEyZ2UCDfop0zTUKtWNdC3BlaVFjD8Qhd77qvN5WGEzkU7ZKd5JHqpPuGayEr1+yh08KhMjgca9P0AycJdKN8W1AspiMqEcCt2IwQZEW0lawGggYCFDB573/Z3bUTv915EN3sf/MVmKns2u/zZMxL3YocUjQ5kWVnMs5fu5gGgeHlEnuD7FT+nUV0EDbMRFA1mrl9E5KmI4hZ1/IBDKouCpPdbSBBYBBJCfP96zFxlHgh0iUtPSF/48Cb+43FhPiFoJEdDhIcJHYJ39fj8spfWzk0LjPKF691c+w7nd8UnuR throwaway@keypair-contract";

/// The same key as PKCS#1 PEM (`openssl genrsa -traditional 2048`).
const THROWAWAY_PRIVATE_KEY_PKCS1: &str = "-----BEGIN RSA PRIVATE KEY-----
MIIEowIBAAKCAQEAtps//VHZKBia4jUtzeue3KGtDLx/sweRWWEkZC/tnKxMmdlA
g36KdM01CrVjXQtwZWlRYw/EIXe+6rzeVhhM5FO2SneSR6qT7hmshK9fsodPCoTI
4HGvT9AMnCXSjfFtQLKYjKhHArdiMEGRFtJWsBoIGAhQwee9/2d21E7/deRDd7H/
zFZip7Nrv82TMS92KHFI0OZFlZzLOX7uYBoHh5RJ7g+xU/p1FdBA2zERQNZq5fRO
SpiOIWdfyAQyqLgqT3W0gQWAQSQnz/esxcZR4IdIlLT0hf+PAm/uNxYT4haCRHQ4
SHCR2Cd/X4/LKX1s5NC4zyhevdXPsO53fFJ7kQIDAQABAoIBAAXWWqpPZoC4oKLg
jlFJ2e81n+GLWQ2xDT1tNIubWJ4sh9pXLo/FiMmJEcwA1mdQCUzEnBxtkZh8SncY
iIb6CeM2pdoljmCKHGZ9HZ20OXvshWNRsVYzbCZCAVUwhFWTRSnPS78bVgHJOPNP
9UJkgO7qNh4GjgZU0ScL+Kl6yQHMt0LDwFK1rOkE8XSKV7+3L8nn0MPy8uir1VmW
fd9YRpnnMU9bRWSZ+zO/Xct7qrNQq9KlYFII+5TxJi4TWqJqrL3Ux0+17ypb97b3
cylRqixtwQiQuUxzZ91zezikKAK26Vne14iiGNPzlc6c7hy6W5zxX9rGFMDHkohh
NaNEFZ0CgYEA+EU1oLOmqAW5TNSks81yJQ1w4k+vwgRUf8f61zWpjPE4yI0/zTwN
2KOA81RPYrsZi8Sd2dLphkkKhHzZwQ9Ao+z0lVgueeWmQaSvTmihl6h0a2x7jGl4
YLcpJZDwIt94zUk6SCeoAZ5Gh4HCJLe/Tvl7JzSsL6pwUCRQSaaGLV8CgYEAvEqt
2Zo2zT5ny2ZbjGleTyOah4a/JWaq52+Uh9mmX66zF/p2mLba6q9WkXxwQv4OHWlJ
YlUQtjpGPEofe0fssPghbNDzgvYNl5rzD3QjM2z+R05hA8R2COtuyCUvg+e+FK/u
IJTqHGDuUSrRmBEmjXJ79oTdQ922ec/bZZ7YDQ8CgYA5PoQB/MpVfZRfMbyUNK+3
+WRo2iTVYHg3Sl39F0Nz2v7TxzXJ1an/pJuL/4maYzedsYUP/4CW1OqW586xpBms
cmtmsAFvW9M82YMOWjPAKzhEuKu4EW2PJ0xWfBfSgqJw+wx0LKihTuRGRFYGb1Ou
GvoZbRyylOL2p5jXkoznkwKBgQCwbck4fCedaTwYenCNwK19uf6xvrCcevbopMSo
Bmi+fxORBD7cGXpHLMQQzmjiXOsc4+q/GLXwCeqF025sNZiyuc2YCLIjpCpYQ/g8
IrZZGWepqOd+gDeZZAEJyM4c6qhQ+ghGv0IeFTU5GMYLlwZowz0kYJpzXOv+d6U8
Mvp+QQKBgHbJYybrVK5ctUwrzekJFNA2pUIaa0vQgh1IT8vwGU2RMmX/ZSoR0s6d
38fkCdnJvlK65OQOaxygoKlHlYPpMFi9dtLQqV2NO6oeuavz+EmxS59bye+PgCH/
ZkGOlOSZZTe+fbdbFmGdyCqAktxdHjxZ3biP55yQ5dyrCzjFE2AO
-----END RSA PRIVATE KEY-----
";

/// The same key as PKCS#8 PEM (`openssl pkcs8 -topk8 -nocrypt`).
const THROWAWAY_PRIVATE_KEY_PKCS8: &str = "-----BEGIN PRIVATE KEY-----
MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC2mz/9UdkoGJri
NS3N657coa0MvH+zB5FZYSRkL+2crEyZ2UCDfop0zTUKtWNdC3BlaVFjD8Qhd77q
vN5WGEzkU7ZKd5JHqpPuGayEr1+yh08KhMjgca9P0AycJdKN8W1AspiMqEcCt2Iw
QZEW0lawGggYCFDB573/Z3bUTv915EN3sf/MVmKns2u/zZMxL3YocUjQ5kWVnMs5
fu5gGgeHlEnuD7FT+nUV0EDbMRFA1mrl9E5KmI4hZ1/IBDKouCpPdbSBBYBBJCfP
96zFxlHgh0iUtPSF/48Cb+43FhPiFoJEdDhIcJHYJ39fj8spfWzk0LjPKF691c+w
7nd8UnuRAgMBAAECggEABdZaqk9mgLigouCOUUnZ7zWf4YtZDbENPW00i5tYniyH
2lcuj8WIyYkRzADWZ1AJTMScHG2RmHxKdxiIhvoJ4zal2iWOYIocZn0dnbQ5e+yF
Y1GxVjNsJkIBVTCEVZNFKc9LvxtWAck480/1QmSA7uo2HgaOBlTRJwv4qXrJAcy3
QsPAUrWs6QTxdIpXv7cvyefQw/Ly6KvVWZZ931hGmecxT1tFZJn7M79dy3uqs1Cr
0qVgUgj7lPEmLhNaomqsvdTHT7XvKlv3tvdzKVGqLG3BCJC5THNn3XN7OKQoArbp
Wd7XiKIY0/OVzpzuHLpbnPFf2sYUwMeSiGE1o0QVnQKBgQD4RTWgs6aoBblM1KSz
zXIlDXDiT6/CBFR/x/rXNamM8TjIjT/NPA3Yo4DzVE9iuxmLxJ3Z0umGSQqEfNnB
D0Cj7PSVWC555aZBpK9OaKGXqHRrbHuMaXhgtyklkPAi33jNSTpIJ6gBnkaHgcIk
t79O+XsnNKwvqnBQJFBJpoYtXwKBgQC8Sq3ZmjbNPmfLZluMaV5PI5qHhr8lZqrn
b5SH2aZfrrMX+naYttrqr1aRfHBC/g4daUliVRC2OkY8Sh97R+yw+CFs0POC9g2X
mvMPdCMzbP5HTmEDxHYI627IJS+D574Ur+4glOocYO5RKtGYESaNcnv2hN1D3bZ5
z9tlntgNDwKBgDk+hAH8ylV9lF8xvJQ0r7f5ZGjaJNVgeDdKXf0XQ3Pa/tPHNcnV
qf+km4v/iZpjN52xhQ//gJbU6pbnzrGkGaxya2awAW9b0zzZgw5aM8ArOES4q7gR
bY8nTFZ8F9KConD7DHQsqKFO5EZEVgZvU64a+hltHLKU4vanmNeSjOeTAoGBALBt
yTh8J51pPBh6cI3ArX25/rG+sJx69uikxKgGaL5/E5EEPtwZekcsxBDOaOJc6xzj
6r8YtfAJ6oXTbmw1mLK5zZgIsiOkKlhD+DwitlkZZ6mo536AN5lkAQnIzhzqqFD6
CEa/Qh4VNTkYxguXBmjDPSRgmnNc6/53pTwy+n5BAoGAdsljJutUrly1TCvN6QkU
0DalQhprS9CCHUhPy/AZTZEyZf9lKhHSzp3fx+QJ2cm+Urrk5A5rHKCgqUeVg+kw
WL120tCpXY07qh65q/P4SbFLn1vJ74+AIf9mQY6U5JllN759t1sWYZ3IKoCS3F0e
PFnduI/nnJDl3KsLOMUTYA4=
-----END PRIVATE KEY-----
";

/// `ssh-keygen -E md5 -lf` of [`THROWAWAY_PUBLIC_KEY`]: the RFC 4716 MD5 fingerprint.
const THROWAWAY_MD5_FINGERPRINT: &str = "47:41:b0:b9:4d:11:f8:ca:3d:6e:d8:0b:74:47:ae:e5";

/// The public key of seed 000 §4 Example1 (a real 1024-bit key), for hand-made Tencent bodies.
const SEED_000_PUBLIC_KEY: &str = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQDP0Yw2T4itUKOJQIK69c1Asy1UO88cxEbujR5Jbr0e/Ey1v4ZKAUzDnsBnFlf4hKPA1YvMB8RBYj4GcLtM7PrKnBNNram8rgl73X/klOO8oqKv+J/XUA7KHH1Y6wcn1RTRTMdDHbGhW1q/UpfeylNTbf+wEIWhEfaL5FKQm4hqCw== skey_112168";

// ---------------------------------------------------------------------------------------------
// Files

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn schemas_dir() -> PathBuf {
    root().join("schemas")
}

/// The case-file and run-report schemas live in `schemas/` too but describe the harness's own
/// formats, not responses.
const NOT_RESPONSE_SCHEMAS: &[&str] = &["case.schema.json", "report.schema.json"];

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&read(path)).unwrap_or_else(|e| panic!("{}: not valid JSON: {e}", path.display()))
}

/// Files under `dir` (recursively) whose name ends with `suffix`, as sorted paths relative to
/// `dir` with `/` separators. Finding none is an error, never a vacuous pass.
fn files_under(dir: &Path, suffix: &str) -> Vec<String> {
    fn walk(base: &Path, dir: &Path, suffix: &str, out: &mut Vec<String>) {
        let entries = fs::read_dir(dir).unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()));
        for entry in entries {
            let path = entry.expect("directory entry").path();
            if path.is_dir() {
                walk(base, &path, suffix, out);
            } else if path.to_string_lossy().ends_with(suffix) {
                let rel = path.strip_prefix(base).expect("under base");
                out.push(rel.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/"));
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, suffix, &mut out);
    out.sort();
    assert!(!out.is_empty(), "no *{suffix} file found under {}", dir.display());
    out
}

/// Every response schema: `<api>/<shape>.json` relative to `schemas/`.
fn response_schema_paths() -> Vec<String> {
    files_under(&schemas_dir(), ".json").into_iter().filter(|p| !NOT_RESPONSE_SCHEMAS.contains(&p.as_str())).collect()
}

// ---------------------------------------------------------------------------------------------
// Schemas, compiled once

/// Every response schema, compiled once per test binary (a schema that does not compile is kept
/// as its error, which `every_schema_compiles_alone_and_cites_its_sources` reports).
fn validators() -> &'static BTreeMap<String, Result<jsonschema::Validator, String>> {
    static VALIDATORS: OnceLock<BTreeMap<String, Result<jsonschema::Validator, String>>> = OnceLock::new();
    VALIDATORS.get_or_init(|| {
        response_schema_paths()
            .into_iter()
            .map(|rel| {
                let schema = read_json(&schemas_dir().join(&rel));
                let validator = jsonschema::draft202012::new(&schema).map_err(|e| format!("schemas/{rel}: does not compile: {e}"));
                (rel, validator)
            })
            .collect()
    })
}

fn validator(rel: &str) -> &'static jsonschema::Validator {
    match validators().get(rel) {
        Some(Ok(validator)) => validator,
        Some(Err(e)) => panic!("{e}"),
        None => panic!("no schema schemas/{rel}"),
    }
}

/// The validation errors of `instance`, as `(instance path, message)`, sorted.
fn errors(schema: &str, instance: &Value) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> =
        validator(schema).iter_errors(instance).map(|e| (e.instance_path().as_str().to_owned(), e.to_string())).collect();
    out.sort();
    out
}

fn show(errors: &[(String, String)]) -> String {
    if errors.is_empty() {
        return "    (no error)".to_owned();
    }
    errors.iter().map(|(path, message)| format!("    at {:?}: {}", path, shorten(message))).collect::<Vec<_>>().join("\n")
}

fn shorten(message: &str) -> String {
    const MAX: usize = 300;
    if message.chars().count() <= MAX { message.to_owned() } else { format!("{}…", message.chars().take(MAX).collect::<String>()) }
}

/// Collects failures so that one run reports all of them, then fails once.
#[derive(Default)]
struct Failures(Vec<String>);

impl Failures {
    fn check(&mut self, ok: bool, message: impl FnOnce() -> String) {
        if !ok {
            self.0.push(message());
        }
    }

    fn finish(self, what: &str) {
        if !self.0.is_empty() {
            panic!("{} {what} failed:\n\n{}\n", self.0.len(), self.0.join("\n\n"));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// JSON pointer helpers

fn unescape(token: &str) -> String {
    token.replace("~1", "/").replace("~0", "~")
}

/// Sets the value at `pointer`; the parent must exist (an object gains the key if absent).
fn set(doc: &mut Value, pointer: &str, value: Value) {
    let (parent, last) = pointer.rsplit_once('/').unwrap_or_else(|| panic!("bad pointer {pointer:?}"));
    let last = unescape(last);
    match doc.pointer_mut(parent) {
        Some(Value::Object(map)) => {
            map.insert(last, value);
        }
        Some(Value::Array(items)) => {
            let index: usize = last.parse().unwrap_or_else(|_| panic!("bad index in {pointer:?}"));
            items[index] = value;
        }
        _ => panic!("no object or array at {parent:?} (setting {pointer:?})"),
    }
}

fn remove(doc: &mut Value, pointer: &str) {
    let (parent, last) = pointer.rsplit_once('/').unwrap_or_else(|| panic!("bad pointer {pointer:?}"));
    match doc.pointer_mut(parent) {
        Some(Value::Object(map)) => {
            map.remove(&unescape(last)).unwrap_or_else(|| panic!("nothing to remove at {pointer:?}"));
        }
        _ => panic!("no object at {parent:?} (removing {pointer:?})"),
    }
}

// ---------------------------------------------------------------------------------------------
// Fixtures: the documented example outputs

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Fixture {
    /// File name under `docs/seeds/`.
    seed: String,
    /// Where in the seed the example is, e.g. `§4 Example1`.
    section: String,
    /// Schema path relative to `schemas/`.
    schema: String,
    /// JSON pointer of each masked field in `output` => why it is masked and how it is handled.
    masked: BTreeMap<String, String>,
    /// The example output, copied verbatim from the seed.
    output: Value,
}

fn fixtures() -> Vec<(String, Fixture)> {
    let dir = root().join("tests/fixtures/documented");
    files_under(&dir, ".json")
        .into_iter()
        .map(|name| {
            let path = dir.join(&name);
            let fixture: Fixture =
                serde_json::from_str(&read(&path)).unwrap_or_else(|e| panic!("{}: not a documented-example fixture: {e}", path.display()));
            (format!("tests/fixtures/documented/{name}"), fixture)
        })
        .collect()
}

/// The RFC 4716 MD5 fingerprint of an OpenSSH public key line: MD5 of the decoded key blob,
/// as colon-separated lowercase hex bytes (seed 004 KeyPairFingerPrint; apis.md §3.5).
fn md5_fingerprint(public_key_line: &str) -> String {
    let blob = public_key_line.split(' ').nth(1).expect("key blob");
    let bytes = base64::engine::general_purpose::STANDARD.decode(blob).expect("base64 key blob");
    Md5::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect::<Vec<_>>().join(":")
}

/// A realistic value of the documented shape for a masked field, chosen by the field's name.
fn realistic_value(pointer: &str, masked: &Value) -> Result<Value, String> {
    let field = pointer.rsplit('/').next().unwrap_or_default();
    Ok(match field {
        "PublicKey" => json!(THROWAWAY_PUBLIC_KEY),
        "PrivateKey" | "PrivateKeyBody" => json!(THROWAWAY_PRIVATE_KEY_PKCS1),
        "KeyPairFingerPrint" => json!(md5_fingerprint(THROWAWAY_PUBLIC_KEY)),
        "KeyPairId" => {
            let masked = masked.as_str().ok_or("masked KeyPairId is not a string")?;
            if !masked.ends_with("****") {
                return Err(format!("masked KeyPairId {masked:?} does not end with ****"));
            }
            json!(masked.replace("****", "9k2x"))
        }
        _ => {
            return Err(format!("no realistic value known for a masked {field:?}; add one to realistic_value()"));
        }
    })
}

#[test]
fn the_throwaway_fingerprint_is_the_md5_of_the_key_blob() {
    assert_eq!(md5_fingerprint(THROWAWAY_PUBLIC_KEY), THROWAWAY_MD5_FINGERPRINT);
}

#[test]
fn every_schema_compiles_alone_and_cites_its_sources() {
    let mut failures = Failures::default();
    for rel in response_schema_paths() {
        let schema = read_json(&schemas_dir().join(&rel));
        if let Some(Err(e)) = validators().get(&rel) {
            failures.0.push(e.clone());
            continue;
        }
        failures.check(schema["$schema"] == "https://json-schema.org/draft/2020-12/schema", || {
            format!("schemas/{rel}: $schema must be draft 2020-12, is {}", schema["$schema"])
        });
        let id = schema["$id"].as_str().unwrap_or_default();
        failures.check(id.ends_with(&format!("/schemas/{rel}")), || format!("schemas/{rel}: $id {id:?} should end with /schemas/{rel}"));
        for key in ["title", "description"] {
            failures.check(schema[key].as_str().is_some_and(|s| !s.trim().is_empty()), || format!("schemas/{rel}: no {key}"));
        }
        let description = schema["description"].as_str().unwrap_or_default();
        failures.check(description.contains("apis.md") || description.contains(".txt"), || {
            format!("schemas/{rel}: the description should cite a seed file or apis.md")
        });
        let mut refs = Vec::new();
        collect_refs(&schema, &mut refs);
        for r in refs {
            failures
                .check(r.starts_with("#/$defs/"), || format!("schemas/{rel}: $ref {r:?} leaves the file (each schema must compile alone)"));
        }
    }
    failures.finish("schema checks");
}

fn collect_refs(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, item) in map {
                match (key.as_str(), item) {
                    ("$ref" | "$dynamicRef", Value::String(target)) => out.push(target.clone()),
                    _ => collect_refs(item, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| collect_refs(item, out)),
        _ => {}
    }
}

#[test]
fn documented_examples_validate_against_their_schemas() {
    let mut failures = Failures::default();
    for (name, fixture) in fixtures() {
        let schema = fixture.schema.as_str();
        match validators().get(schema) {
            Some(Ok(_)) => {}
            Some(Err(e)) => {
                failures.0.push(format!("{name}: {e}"));
                continue;
            }
            None => {
                failures.0.push(format!("{name}: schema {schema:?} does not exist under schemas/"));
                continue;
            }
        }
        for pointer in fixture.masked.keys() {
            failures.check(fixture.output.pointer(pointer).is_some(), || {
                format!("{name}: masked pointer {pointer:?} names no field of the output")
            });
        }

        // 1. The example as published fails on exactly its masked fields (none: it validates).
        let as_published = errors(schema, &fixture.output);
        let failing: BTreeSet<&str> = as_published.iter().map(|(path, _)| path.as_str()).collect();
        let masked: BTreeSet<&str> = fixture.masked.keys().map(String::as_str).collect();
        failures.check(failing == masked, || {
            format!(
                "{name} ({} {}) against schemas/{schema}: the example as published should fail on exactly \
                 its masked fields {masked:?}, but the errors are:\n{}",
                fixture.seed,
                fixture.section,
                show(&as_published)
            )
        });

        // 2. Realistic values for the masked fields.
        let mut substitutes = BTreeMap::new();
        for pointer in fixture.masked.keys() {
            let Some(original) = fixture.output.pointer(pointer) else {
                continue;
            };
            match realistic_value(pointer, original) {
                Ok(value) => {
                    substitutes.insert(pointer.clone(), value);
                }
                Err(e) => failures.0.push(format!("{name}: masked field {pointer}: {e}")),
            }
        }

        // 3. With every other masked field filled in, each masked field is on its own the cause.
        for pointer in substitutes.keys() {
            let mut doc = fixture.output.clone();
            for (other, value) in &substitutes {
                if other != pointer {
                    set(&mut doc, other, value.clone());
                }
            }
            let errs = errors(schema, &doc);
            failures.check(!errs.is_empty() && errs.iter().all(|(path, _)| path == pointer), || {
                format!("{name}: with only {pointer} left masked the example should fail there and nowhere else; errors:\n{}", show(&errs))
            });
        }

        // 4. All masked fields filled in: the example validates.
        if !substitutes.is_empty() {
            let mut doc = fixture.output.clone();
            for (pointer, value) in &substitutes {
                set(&mut doc, pointer, value.clone());
            }
            let errs = errors(schema, &doc);
            failures.check(errs.is_empty(), || {
                format!(
                    "{name}: with realistic values for {masked:?} the example should validate against \
                     schemas/{schema}; errors:\n{}",
                    show(&errs)
                )
            });
        }
    }
    failures.finish("documented examples");
}

/// Each fixture's output is a verbatim copy: every `"key": value` leaf appears as such in the seed.
#[test]
fn fixtures_are_verbatim_copies_of_the_seeds() {
    fn leaves<'a>(value: &'a Value, out: &mut Vec<(&'a str, &'a Value)>) {
        if let Value::Object(map) = value {
            for (key, item) in map {
                match item {
                    Value::Object(_) => leaves(item, out),
                    Value::Array(items) if items.iter().any(|i| i.is_object()) => items.iter().for_each(|i| leaves(i, out)),
                    _ => out.push((key, item)),
                }
            }
        }
    }
    let mut failures = Failures::default();
    for (name, fixture) in fixtures() {
        let seed_text = read(&root().join("docs/seeds").join(&fixture.seed));
        let mut found = Vec::new();
        leaves(&fixture.output, &mut found);
        failures.check(!found.is_empty(), || format!("{name}: empty output"));
        for (key, value) in found {
            let text = format!("\"{key}\": {}", serde_json::to_string(value).expect("serialise"));
            failures.check(seed_text.contains(&text), || format!("{name}: {} does not contain {}", fixture.seed, shorten(&text)));
        }
        let section = fixture.section.trim_start_matches(|c: char| c == '§' || c.is_ascii_digit()).trim();
        for part in section.split(": ") {
            failures.check(seed_text.contains(part), || {
                format!("{name}: section {:?}: {:?} does not occur in {}", fixture.section, part, fixture.seed)
            });
        }
    }
    failures.finish("fixture checks");
}

// ---------------------------------------------------------------------------------------------
// Hand-made bodies: realistic ones must validate, broken ones must fail where expected

#[derive(Clone)]
enum Edit {
    Set(&'static str, Value),
    Remove(&'static str),
    Replace(Value),
}

struct Broken {
    what: &'static str,
    edit: Edit,
    /// The instance path an error must be reported at ("" = the document itself).
    fails_at: &'static str,
}

fn broken(what: &'static str, edit: Edit, fails_at: &'static str) -> Broken {
    Broken { what, edit, fails_at }
}

use Edit::{Remove, Replace, Set};

/// `doc` with `edits` made, in order.
fn edited(doc: &Value, edits: Vec<Edit>) -> Value {
    let mut doc = doc.clone();
    for edit in edits {
        match edit {
            Set(pointer, value) => set(&mut doc, pointer, value),
            Remove(pointer) => remove(&mut doc, pointer),
            Replace(value) => doc = value,
        }
    }
    doc
}

struct Body {
    schema: &'static str,
    valid: Vec<(&'static str, Value)>,
    broken: Vec<Broken>,
}

fn fixture_output(seed_prefix: &str) -> Value {
    fixtures()
        .into_iter()
        .find(|(_, f)| f.seed.starts_with(seed_prefix))
        .map(|(_, f)| f.output)
        .unwrap_or_else(|| panic!("no fixture for seed {seed_prefix}"))
}

fn fixture_output_unmasked(seed_prefix: &str) -> Value {
    let (_, fixture) = fixtures().into_iter().find(|(_, f)| f.seed.starts_with(seed_prefix)).expect("fixture");
    let mut doc = fixture.output.clone();
    for pointer in fixture.masked.keys() {
        let value = realistic_value(pointer, fixture.output.pointer(pointer).expect("masked field")).expect("realistic value");
        set(&mut doc, pointer, value);
    }
    doc
}

const TC_LOWER_ID: &str = "6ef60bec-0242-43af-bb20-270359fb54a7";
const TC_UPPER_ID: &str = "6EF60BEC-0242-43AF-BB20-270359FB54A7";
const TC_MIXED_ID: &str = "6EF60BEC-0242-43af-bb20-270359fb54a7";
const ALI_ID: &str = "473469C7-AA6F-4DC5-B3DB-A3DC0DE3C83E";

fn tencent_error(code: &str, request_id: &str) -> Value {
    json!({"Response": {"Error": {"Code": code, "Message": "The key name cannot exceed 25 characters."}, "RequestId": request_id}})
}

/// Broken variants shared by every API 3.0 envelope: a missing RequestId, a malformed one, an
/// extra field in Response, and no Response at all.
#[rustfmt::skip]
fn tencent_envelope_breaks() -> Vec<Broken> {
    vec![
        broken("RequestId missing", Remove("/Response/RequestId"), "/Response"),
        broken("RequestId not a UUID", Set("/Response/RequestId", json!("req-1")), "/Response/RequestId"),
        broken("RequestId of mixed case", Set("/Response/RequestId", json!(TC_MIXED_ID)), "/Response/RequestId"),
        broken("an undocumented field in Response", Set("/Response/Extra", json!(1)), "/Response"),
        broken("the body not wrapped in Response", Replace(json!({"RequestId": TC_LOWER_ID})), ""),
    ]
}

/// Broken variants of the API 3.0 error envelope, which CVM and Lighthouse share (apis.md §1.2):
/// each of its required parts missing or malformed, an extra field, Alibaba's error shape.
#[rustfmt::skip]
fn tencent_error_breaks() -> Vec<Broken> {
    vec![
        broken("RequestId missing", Remove("/Response/RequestId"), "/Response"),
        broken("RequestId of mixed case", Set("/Response/RequestId", json!(TC_MIXED_ID)), "/Response/RequestId"),
        broken("Error.Code missing", Remove("/Response/Error/Code"), "/Response/Error"),
        broken("Error.Message missing", Remove("/Response/Error/Message"), "/Response/Error"),
        broken("Error without Response.Error", Remove("/Response/Error"), "/Response"),
        broken("an extra field in Error", Set("/Response/Error/Detail", json!("x")), "/Response/Error"),
        broken("a code with spaces", Set("/Response/Error/Code", json!("Invalid key name")), "/Response/Error/Code"),
        broken("a numeric code", Set("/Response/Error/Code", json!(4100)), "/Response/Error/Code"),
        broken("the Alibaba error shape", Replace(json!({"RequestId": ALI_ID, "Code": "X", "Message": "m"})), ""),
    ]
}

/// The realistic and broken bodies of every response schema. The first valid body of each is the
/// base the broken ones edit. Kept as a table, one line per body, hence no rustfmt.
#[rustfmt::skip]
fn bodies() -> Vec<Body> {
    let cvm_describe = json!({"Response": {
        "TotalCount": 1,
        "KeyPairSet": [{
            "KeyId": "skey-mv9yzyjj", "KeyName": "Tencent", "ProjectId": 0, "Description": "",
            "PublicKey": SEED_000_PUBLIC_KEY, "AssociatedInstanceIds": ["ins-r8hr2upy"],
            "CreatedTime": "2016-12-02T00:22:40Z", "Tags": [{"Key": "env", "Value": "test"}]
        }],
        "RequestId": TC_LOWER_ID
    }});
    let lighthouse_describe = json!({"Response": {
        "TotalCount": 1,
        "KeyPairSet": [{
            "KeyId": "lhkp-omd12oc1", "KeyName": "test", "PublicKey": THROWAWAY_PUBLIC_KEY,
            "PrivateKey": null, "AssociatedInstanceIds": ["lhins-8bx5cmdp"],
            "AssociatedInstanceSet": [{"InstanceId": "lhins-8bx5cmdp", "Username": "root"}],
            "CreatedTime": "2020-04-28T23:01:47Z", "Tags": []
        }],
        "RequestId": "9abb999a-53d6-4534-9b49-00e53b5c0fea"
    }});
    let ecs_describe = json!({
        "RequestId": ALI_ID, "TotalCount": 1, "PageNumber": 1, "PageSize": 10,
        "KeyPairs": {"KeyPair": [{
            "KeyPairName": "testKeyPairName", "KeyPairFingerPrint": THROWAWAY_MD5_FINGERPRINT,
            "CreationTime": "2023-09-04T08:33Z", "ResourceGroupId": "rg-acfmzw2jz2z3ewq",
            "PublicKey": THROWAWAY_PUBLIC_KEY,
            "Tags": {"Tag": [{"TagKey": "TestKey", "TagValue": "TestValue"}]}
        }]}
    });
    let ecs_error = json!({
        "RequestId": ALI_ID, "HostId": "ecs.cn-hangzhou.aliyuncs.com",
        "Code": "InvalidKeyPairName.Malformed", "Message": "Specified Key Pair name is not valid.",
        "Recommend": format!("https://api.aliyun.com/troubleshoot?q=InvalidKeyPairName.Malformed&product=Ecs&requestId={ALI_ID}")
    });

    let mut cvm_create_breaks = vec![
        broken("KeyId of the documented malformed shape skey-1122", Set("/Response/KeyPair/KeyId", json!("skey-1122")), "/Response/KeyPair/KeyId"),
        broken("KeyId of Lighthouse", Set("/Response/KeyPair/KeyId", json!("lhkp-mv9yzyjj")), "/Response/KeyPair/KeyId"),
        broken("KeyName of 26 characters", Set("/Response/KeyPair/KeyName", json!("a".repeat(26))), "/Response/KeyPair/KeyName"),
        broken("KeyName with a hyphen", Set("/Response/KeyPair/KeyName", json!("my-key")), "/Response/KeyPair/KeyName"),
        broken("ProjectId as a string", Set("/Response/KeyPair/ProjectId", json!("0")), "/Response/KeyPair/ProjectId"),
        broken("PrivateKey missing", Remove("/Response/KeyPair/PrivateKey"), "/Response/KeyPair"),
        broken("PrivateKey as PKCS#8", Set("/Response/KeyPair/PrivateKey", json!(THROWAWAY_PRIVATE_KEY_PKCS8)), "/Response/KeyPair/PrivateKey"),
        broken("PublicKey not ssh-rsa", Set("/Response/KeyPair/PublicKey", json!("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl x")), "/Response/KeyPair/PublicKey"),
        broken("CreatedTime not ISO8601 UTC", Set("/Response/KeyPair/CreatedTime", json!("2016-12-02 00:22:40")), "/Response/KeyPair/CreatedTime"),
        broken("CreateTime, the older doc spelling", Set("/Response/KeyPair/CreateTime", json!("2016-12-02T00:22:40Z")), "/Response/KeyPair"),
        broken("DeprecatedWarning inside KeyPair, not Response", Set("/Response/KeyPair/DeprecatedWarning", json!("deprecated")), "/Response/KeyPair"),
        broken("a tag without Value", Set("/Response/KeyPair/Tags", json!([{"Key": "env"}])), "/Response/KeyPair/Tags/0"),
    ];
    cvm_create_breaks.extend(tencent_envelope_breaks());
    let mut legacy_create_breaks = vec![
        broken("KeyId of the documented malformed shape skey-1122", Set("/Response/KeyPair/KeyId", json!("skey-1122")), "/Response/KeyPair/KeyId"),
        broken("an undocumented KeyPair field", Set("/Response/KeyPair/secretkey", json!("x")), "/Response/KeyPair"),
        broken("the legacy v2 success shape", Replace(json!({"code": 0, "message": "", "codeDesc": "Success", "data": {"keyId": "skey-mv9yzyjj"}})), ""),
    ];
    legacy_create_breaks.extend(tencent_envelope_breaks());

    vec![
        Body {
            schema: "tencent-cvm/CreateKeyPair.json",
            valid: vec![
                ("seed 000 §4 Example1", fixture_output("000_")),
                ("the throwaway 2048-bit key, all optional fields", edited(&fixture_output("000_"), vec![Set("/Response/KeyPair/PublicKey", json!(THROWAWAY_PUBLIC_KEY)), Set("/Response/KeyPair/PrivateKey", json!(THROWAWAY_PRIVATE_KEY_PKCS1)), Set("/Response/KeyPair/Description", json!("")), Set("/Response/KeyPair/AssociatedInstanceIds", json!([])), Set("/Response/KeyPair/CreatedTime", json!("2025-01-01T00:00:00Z")), Set("/Response/KeyPair/Tags", json!([{"Key": "env", "Value": ""}])), Set("/Response/RequestId", json!(TC_UPPER_ID))])),
            ],
            broken: cvm_create_breaks,
        },
        Body {
            schema: "tencent-cvm/ImportKeyPair.json",
            valid: vec![("seed 003 §4 Example1", fixture_output("003_"))],
            broken: {
                let mut b = vec![
                    broken("KeyId of Lighthouse", Set("/Response/KeyId", json!("lhkp-4e5ty7i8")), "/Response/KeyId"),
                    broken("KeyId too short", Set("/Response/KeyId", json!("skey-4e5ty7")), "/Response/KeyId"),
                    broken("KeyId missing", Remove("/Response/KeyId"), "/Response"),
                    broken("a whole KeyPair instead of KeyId", Set("/Response/KeyPair", json!({"KeyId": "skey-4e5ty7i8"})), "/Response"),
                ];
                b.extend(tencent_envelope_breaks());
                b
            },
        },
        Body {
            schema: "tencent-cvm/DescribeKeyPairs.json",
            valid: vec![
                ("one key with every field", cvm_describe.clone()),
                ("an empty page", json!({"Response": {"TotalCount": 0, "KeyPairSet": [], "RequestId": TC_UPPER_ID}})),
            ],
            broken: {
                let mut b = vec![
                    broken("a PrivateKey in a listing", Set("/Response/KeyPairSet/0/PrivateKey", json!(THROWAWAY_PRIVATE_KEY_PKCS1)), "/Response/KeyPairSet/0"),
                    broken("KeyId of the documented malformed shape skey-1122", Set("/Response/KeyPairSet/0/KeyId", json!("skey-1122")), "/Response/KeyPairSet/0/KeyId"),
                    broken("KeyName missing", Remove("/Response/KeyPairSet/0/KeyName"), "/Response/KeyPairSet/0"),
                    broken("an undocumented KeyPair field", Set("/Response/KeyPairSet/0/Status", json!(0)), "/Response/KeyPairSet/0"),
                    broken("TotalCount missing", Remove("/Response/TotalCount"), "/Response"),
                    broken("TotalCount negative", Set("/Response/TotalCount", json!(-1)), "/Response/TotalCount"),
                    broken("a tag with an extra field", Set("/Response/KeyPairSet/0/Tags/0/Type", json!("x")), "/Response/KeyPairSet/0/Tags/0"),
                ];
                b.extend(tencent_envelope_breaks());
                b
            },
        },
        Body {
            schema: "tencent-cvm/DeleteKeyPairs.json",
            valid: vec![("RequestId only", json!({"Response": {"RequestId": TC_LOWER_ID}}))],
            broken: {
                let mut b = vec![broken("the deleted KeyIds echoed", Set("/Response/KeyIds", json!(["skey-mv9yzyjj"])), "/Response")];
                b.extend(tencent_envelope_breaks());
                b
            },
        },
        Body {
            schema: "tencent-cvm/error.json",
            valid: vec![
                ("a seed 000 §6 code", tencent_error("InvalidKeyPairNameTooLong", TC_LOWER_ID)),
                ("a common code", tencent_error("AuthFailure.SignatureFailure", TC_UPPER_ID)),
            ],
            broken: tencent_error_breaks(),
        },
        Body {
            schema: "tencent-lighthouse/CreateKeyPair.json",
            valid: vec![("seed 001 §4 Example1 with its masked fields filled in", fixture_output_unmasked("001_")), (
                "CreatedTime set, tags and bound instances",
                edited(&fixture_output_unmasked("001_"), vec![Set("/Response/KeyPair/CreatedTime", json!("2025-01-01T00:00:00Z")), Set("/Response/KeyPair/Tags", json!([{"Key": "env", "Value": "test"}])), Set("/Response/KeyPair/AssociatedInstanceSet", json!([]))]),
            )],
            broken: {
                let mut b = vec![
                    broken("KeyId of CVM", Set("/Response/KeyPair/KeyId", json!("skey-hfenegt1")), "/Response/KeyPair/KeyId"),
                    broken("a ProjectId (CVM only)", Set("/Response/KeyPair/ProjectId", json!(0)), "/Response/KeyPair"),
                    broken("PrivateKey null on create", Set("/Response/KeyPair/PrivateKey", json!(null)), "/Response/KeyPair/PrivateKey"),
                    broken("PublicKey masked as in the seed", Set("/Response/KeyPair/PublicKey", json!("xxxxxx")), "/Response/KeyPair/PublicKey"),
                    broken("CreatedTime missing", Remove("/Response/KeyPair/CreatedTime"), "/Response/KeyPair"),
                    broken("CreatedTime with an offset", Set("/Response/KeyPair/CreatedTime", json!("2020-04-28T23:01:47+08:00")), "/Response/KeyPair/CreatedTime"),
                    broken("AssociatedInstanceIds missing", Remove("/Response/KeyPair/AssociatedInstanceIds"), "/Response/KeyPair"),
                    broken("a bound instance without Username", Set("/Response/KeyPair/AssociatedInstanceSet", json!([{"InstanceId": "lhins-8bx5cmdp"}])), "/Response/KeyPair/AssociatedInstanceSet/0"),
                ];
                b.extend(tencent_envelope_breaks());
                b
            },
        },
        Body {
            schema: "tencent-lighthouse/ImportKeyPair.json",
            valid: vec![("apis.md §1.5 example KeyId", json!({"Response": {"KeyId": "lhkp-2xsmy15f", "RequestId": TC_LOWER_ID}}))],
            broken: {
                let mut b = vec![
                    broken("KeyId of CVM", Set("/Response/KeyId", json!("skey-2xsmy15f")), "/Response/KeyId"),
                    broken("KeyId too short", Set("/Response/KeyId", json!("lhkp-2xsmy15")), "/Response/KeyId"),
                    broken("KeyId missing", Remove("/Response/KeyId"), "/Response"),
                ];
                b.extend(tencent_envelope_breaks());
                b
            },
        },
        Body {
            schema: "tencent-lighthouse/DescribeKeyPairs.json",
            valid: vec![
                ("one key with every field", lighthouse_describe),
                ("an empty page", json!({"Response": {"TotalCount": 0, "KeyPairSet": [], "RequestId": TC_LOWER_ID}})),
            ],
            broken: {
                let mut b = vec![
                    broken("a PrivateKey in a listing", Set("/Response/KeyPairSet/0/PrivateKey", json!(THROWAWAY_PRIVATE_KEY_PKCS1)), "/Response/KeyPairSet/0/PrivateKey"),
                    broken("KeyId of CVM", Set("/Response/KeyPairSet/0/KeyId", json!("skey-omd12oc1")), "/Response/KeyPairSet/0/KeyId"),
                    broken("a ProjectId (CVM only)", Set("/Response/KeyPairSet/0/ProjectId", json!(0)), "/Response/KeyPairSet/0"),
                    broken("KeyPairSet missing", Remove("/Response/KeyPairSet"), "/Response"),
                ];
                b.extend(tencent_envelope_breaks());
                b
            },
        },
        Body {
            schema: "tencent-lighthouse/DeleteKeyPairs.json",
            valid: vec![("RequestId only", json!({"Response": {"RequestId": TC_LOWER_ID}}))],
            broken: tencent_envelope_breaks(),
        },
        Body {
            schema: "tencent-lighthouse/error.json",
            valid: vec![("a seed 001 §6 code", tencent_error("InvalidParameterValue.InvalidKeyPairNameTooLong", TC_LOWER_ID))],
            broken: tencent_error_breaks(),
        },
        Body {
            schema: "tencent-cvm-legacy/CreateKeyPair.json",
            valid: vec![("seed 002 §5 示例", fixture_output("002_"))],
            broken: legacy_create_breaks,
        },
        Body {
            schema: "tencent-cvm-legacy/error.json",
            valid: vec![
                ("an API 3.0 error with a seed 002 §4 code", tencent_error("InvalidKeyPairName.Duplicate", TC_UPPER_ID)),
                ("a legacy v2 failure", json!({"code": 4100, "message": "鉴权失败", "codeDesc": "AuthFailure"})),
                ("a legacy v2 failure without codeDesc", json!({"code": 6000, "message": "internal error"})),
            ],
            broken: vec![
                broken("RequestId missing", Remove("/Response/RequestId"), ""),
                broken("an extra field in Error", Set("/Response/Error/Detail", json!("x")), ""),
                broken("a legacy success (code 0)", Replace(json!({"code": 0, "message": ""})), ""),
                broken("a legacy failure with a string code", Replace(json!({"code": "4100", "message": "x"})), ""),
                broken("a legacy failure with a payload", Replace(json!({"code": 4000, "message": "x", "data": {}})), ""),
            ],
        },
        Body {
            schema: "aliyun-ecs/CreateKeyPair.json",
            valid: vec![
                ("seed 004 success response with its masked fields filled in", fixture_output_unmasked("004_")),
                ("KeyPairFingerPrint as bare hex (ledger L-ECS-6)", edited(&fixture_output_unmasked("004_"), vec![Set("/KeyPairFingerPrint", json!(THROWAWAY_MD5_FINGERPRINT.replace(':', "")))])),
                ("PrivateKeyBody as PKCS#8, a Chinese name", edited(&fixture_output_unmasked("004_"), vec![Set("/PrivateKeyBody", json!(THROWAWAY_PRIVATE_KEY_PKCS8)), Set("/KeyPairName", json!("密钥_key:1-a"))])),
            ],
            broken: vec![
                broken("KeyPairId of Tencent", Set("/KeyPairId", json!("skey-mv9yzyjj")), "/KeyPairId"),
                broken("KeyPairId masked as in the seed", Set("/KeyPairId", json!("ssh-bp67acfmxazb4p****")), "/KeyPairId"),
                broken("a 20-byte fingerprint as in the seed", Set("/KeyPairFingerPrint", json!("89:f0:ba:62:ac:b8:aa:e1:61:5e:fd:81:69:86:6d:6b:f0:c0:5a:d7")), "/KeyPairFingerPrint"),
                broken("an uppercase fingerprint", Set("/KeyPairFingerPrint", json!(THROWAWAY_MD5_FINGERPRINT.to_uppercase())), "/KeyPairFingerPrint"),
                broken("a bare fingerprint of 31 characters", Set("/KeyPairFingerPrint", json!(&THROWAWAY_MD5_FINGERPRINT.replace(':', "")[1..])), "/KeyPairFingerPrint"),
                broken("a bare fingerprint in upper case", Set("/KeyPairFingerPrint", json!(THROWAWAY_MD5_FINGERPRINT.replace(':', "").to_uppercase())), "/KeyPairFingerPrint"),
                broken("a fingerprint with some colons", Set("/KeyPairFingerPrint", json!(THROWAWAY_MD5_FINGERPRINT.replacen(':', "", 3))), "/KeyPairFingerPrint"),
                broken("PrivateKeyBody without PEM framing", Set("/PrivateKeyBody", json!("MIIEpAIBAAKCAQEAtReyMzLIcBH78EV2zj")), "/PrivateKeyBody"),
                broken("PrivateKeyBody with mismatched BEGIN and END", Set("/PrivateKeyBody", json!(THROWAWAY_PRIVATE_KEY_PKCS1.replace("END RSA PRIVATE", "END PRIVATE"))), "/PrivateKeyBody"),
                broken("KeyPairName starting with a digit", Set("/KeyPairName", json!("1key")), "/KeyPairName"),
                broken("KeyPairName of one character", Set("/KeyPairName", json!("k")), "/KeyPairName"),
                broken("KeyPairName of 129 characters", Set("/KeyPairName", json!("k".repeat(129))), "/KeyPairName"),
                broken("RequestId in lowercase", Set("/RequestId", json!(TC_LOWER_ID)), "/RequestId"),
                broken("RequestId missing", Remove("/RequestId"), ""),
                broken("PrivateKeyBody missing", Remove("/PrivateKeyBody"), ""),
                broken("an undocumented field", Set("/PublicKeyBody", json!(THROWAWAY_PUBLIC_KEY)), ""),
                broken("wrapped in a Tencent Response", Replace(json!({"Response": {"RequestId": ALI_ID}})), ""),
            ],
        },
        Body {
            schema: "aliyun-ecs/ImportKeyPair.json",
            valid: vec![
                ("a name with a dot", json!({"RequestId": ALI_ID, "KeyPairName": "imported.key", "KeyPairFingerPrint": THROWAWAY_MD5_FINGERPRINT})),
                ("a bare-hex fingerprint (ledger L-ECS-6)", json!({"RequestId": ALI_ID, "KeyPairName": "imported.key", "KeyPairFingerPrint": THROWAWAY_MD5_FINGERPRINT.replace(':', "")})),
            ],
            broken: vec![
                broken("a KeyPairId (not in the documented outputs)", Set("/KeyPairId", json!("ssh-bp67acfmxazb4p9k2x")), ""),
                broken("KeyPairFingerPrint missing", Remove("/KeyPairFingerPrint"), ""),
                broken("RequestId missing", Remove("/RequestId"), ""),
                broken("KeyPairName starting with a digit", Set("/KeyPairName", json!("1key")), "/KeyPairName"),
                broken("a 20-byte fingerprint", Set("/KeyPairFingerPrint", json!("89:f0:ba:62:ac:b8:aa:e1:61:5e:fd:81:69:86:6d:6b:f0:c0:5a:d7")), "/KeyPairFingerPrint"),
            ],
        },
        Body {
            schema: "aliyun-ecs/DescribeKeyPairs.json",
            valid: vec![
                ("one key with every field", ecs_describe.clone()),
                ("seconds in CreationTime, no PublicKey", edited(&ecs_describe, vec![Set("/KeyPairs/KeyPair/0/CreationTime", json!("2023-09-04T08:33:27Z")), Remove("/KeyPairs/KeyPair/0/PublicKey")])),
                ("an empty page", json!({"RequestId": ALI_ID, "TotalCount": 0, "PageNumber": 1, "PageSize": 50, "KeyPairs": {"KeyPair": []}})),
            ],
            broken: vec![
                broken("PageSize over 50", Set("/PageSize", json!(51)), "/PageSize"),
                broken("PageNumber 0", Set("/PageNumber", json!(0)), "/PageNumber"),
                broken("KeyPairs as a bare array", Set("/KeyPairs", json!([])), "/KeyPairs"),
                broken("Tags as a bare array", Set("/KeyPairs/KeyPair/0/Tags", json!([])), "/KeyPairs/KeyPair/0/Tags"),
                broken("a tag with Key/Value names", Set("/KeyPairs/KeyPair/0/Tags/Tag/0", json!({"Key": "k", "Value": "v"})), "/KeyPairs/KeyPair/0/Tags/Tag/0"),
                broken("CreationTime missing", Remove("/KeyPairs/KeyPair/0/CreationTime"), "/KeyPairs/KeyPair/0"),
                broken("CreationTime not UTC", Set("/KeyPairs/KeyPair/0/CreationTime", json!("2023-09-04 08:33:27")), "/KeyPairs/KeyPair/0/CreationTime"),
                broken("an undocumented KeyPair field", Set("/KeyPairs/KeyPair/0/PrivateKeyBody", json!(THROWAWAY_PRIVATE_KEY_PKCS1)), "/KeyPairs/KeyPair/0"),
                broken("ResourceGroupId of another shape", Set("/KeyPairs/KeyPair/0/ResourceGroupId", json!("default")), "/KeyPairs/KeyPair/0/ResourceGroupId"),
                broken("RequestId missing", Remove("/RequestId"), ""),
                broken("TotalCount missing", Remove("/TotalCount"), ""),
            ],
        },
        Body {
            schema: "aliyun-ecs/DeleteKeyPairs.json",
            valid: vec![("RequestId only", json!({"RequestId": ALI_ID}))],
            broken: vec![
                broken("RequestId missing", Remove("/RequestId"), ""),
                broken("RequestId in lowercase", Set("/RequestId", json!(TC_LOWER_ID)), "/RequestId"),
                broken("an undocumented field", Set("/KeyPairNames", json!("[\"a\"]")), ""),
            ],
        },
        Body {
            schema: "aliyun-ecs/error.json",
            valid: vec![
                ("a seed 004 code", ecs_error.clone()),
                ("a regionless HostId and a template message", edited(&ecs_error, vec![Set("/HostId", json!("ecs.aliyuncs.com")), Set("/Code", json!("QuotaExceed.Tags")), Set("/Message", json!("%s"))])),
            ],
            broken: vec![
                broken("Code missing", Remove("/Code"), ""),
                broken("Recommend missing", Remove("/Recommend"), ""),
                broken("RequestId missing", Remove("/RequestId"), ""),
                broken("HostId of another product", Set("/HostId", json!("cvm.tencentcloudapi.com")), "/HostId"),
                broken("Recommend of another shape", Set("/Recommend", json!("see the docs")), "/Recommend"),
                broken("a code with spaces", Set("/Code", json!("Invalid name")), "/Code"),
                broken("the Tencent error shape", Replace(tencent_error("InvalidKeyPairNameTooLong", TC_LOWER_ID)), ""),
            ],
        },
    ]
}

#[test]
fn hand_made_bodies_validate_or_fail_where_expected() {
    let mut failures = Failures::default();
    let bodies = bodies();

    // Every response schema is exercised, both ways.
    let covered: BTreeSet<&str> = bodies.iter().map(|b| b.schema).collect();
    for rel in response_schema_paths() {
        failures
            .check(covered.contains(rel.as_str()), || format!("schemas/{rel}: no hand-made bodies in bodies(); add valid and broken ones"));
    }

    for body in &bodies {
        let schema = body.schema;
        failures.check(!body.valid.is_empty() && !body.broken.is_empty(), || {
            format!("schemas/{schema}: needs at least one valid and one broken body")
        });
        for (what, doc) in &body.valid {
            let errs = errors(schema, doc);
            failures.check(errs.is_empty(), || format!("schemas/{schema}: valid body '{what}' fails:\n{}", show(&errs)));
        }
        let base = &body.valid[0].1;
        // An optional DeprecatedWarning in any Tencent API 3.0 envelope (apis.md §1.2; ledger
        // L-TC-4): its form is undocumented, so a live one must not fail the schema.
        if base.pointer("/Response/RequestId").is_some() {
            let doc = edited(base, vec![Set("/Response/DeprecatedWarning", json!("This action is deprecated."))]);
            let errs = errors(schema, &doc);
            failures.check(errs.is_empty(), || format!("schemas/{schema}: a DeprecatedWarning in Response is refused:\n{}", show(&errs)));
        }
        for case in &body.broken {
            let doc = edited(base, vec![case.edit.clone()]);
            let errs = errors(schema, &doc);
            failures.check(errs.iter().any(|(path, _)| path == case.fails_at), || {
                format!("schemas/{schema}: broken body '{}' should fail at {:?}; errors:\n{}", case.what, case.fails_at, show(&errs))
            });
        }
    }
    failures.finish("hand-made body checks");
}

// ---------------------------------------------------------------------------------------------
// docs/documented.yaml: the documented surface

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Documented {
    seeds: Vec<DocumentedSeed>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DocumentedSeed {
    seed: String,
    api: String,
    action: String,
    version: String,
    examples: Vec<String>,
    errors: Vec<DocumentedError>,
    rules: Vec<DocumentedRule>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DocumentedRule {
    id: String,
    section: String,
    says: String,
}

/// Whitespace folded to single spaces, so a quote may span the seed's line breaks and table cells.
fn folded(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DocumentedError {
    code: String,
    status: Option<u16>,
}

/// The seeds' README table: file => (version, documented examples, documented error codes).
fn readme_table() -> BTreeMap<String, (String, usize, usize)> {
    let readme = read(&root().join("docs/seeds/README.md"));
    let leading_number = |cell: &str| -> usize {
        cell.split(|c: char| !c.is_ascii_digit())
            .next()
            .unwrap_or_default()
            .parse()
            .unwrap_or_else(|_| panic!("docs/seeds/README.md: expected a count, found {cell:?}"))
    };
    readme
        .lines()
        .filter(|line| line.starts_with("| 0"))
        .map(|line| {
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            // | file | product and API | version | signing | examples | error codes |
            (cells[1].to_owned(), (cells[3].to_owned(), leading_number(cells[5]), leading_number(cells[6])))
        })
        .collect()
}

/// Where `code` (with `status`, for tables that give one) sits in the seed's error table: the
/// line number of the table row, if any. Tencent rows start with the code (`Code Description`,
/// `|Code| 描述|`); seed 004 rows are `| status | Code | message | description |`.
fn error_row(seed_text: &str, code: &str, status: Option<u16>) -> Option<usize> {
    seed_text.lines().position(|line| {
        let cells: Vec<&str> = line.split('|').map(str::trim).filter(|c| !c.is_empty()).collect();
        match status {
            Some(status) => cells.len() >= 2 && cells[0] == status.to_string() && cells[1] == code,
            None => {
                let first = line.trim_start().trim_start_matches('|');
                first.split(|c: char| c.is_whitespace() || c == '|').next() == Some(code)
            }
        }
    })
}

#[test]
fn documented_yaml_agrees_with_the_seeds() {
    let path = root().join("docs/documented.yaml");
    let documented: Documented =
        serde_saphyr::from_str(&read(&path)).unwrap_or_else(|e| panic!("{}: not the documented-surface format: {e}", path.display()));
    let readme = readme_table();
    let seed_files: BTreeSet<String> = files_under(&root().join("docs/seeds"), ".txt").into_iter().collect();
    let fixtures = fixtures();
    let mut failures = Failures::default();
    let mut all_rule_ids = BTreeSet::new();

    let listed: Vec<&str> = documented.seeds.iter().map(|s| s.seed.as_str()).collect();
    let listed_set: BTreeSet<String> = listed.iter().map(|s| s.to_string()).collect();
    failures.check(listed.len() == listed_set.len(), || format!("docs/documented.yaml: a seed is listed twice: {listed:?}"));
    failures.check(listed_set == seed_files, || format!("docs/documented.yaml lists {listed_set:?}, docs/seeds/ holds {seed_files:?}"));

    for entry in &documented.seeds {
        let at = format!("docs/documented.yaml: {}", entry.seed);
        let Some((version, example_count, error_count)) = readme.get(&entry.seed) else {
            failures.0.push(format!("{at}: not in the table of docs/seeds/README.md"));
            continue;
        };
        let seed_path = root().join("docs/seeds").join(&entry.seed);
        if !seed_path.exists() {
            failures.0.push(format!("{at}: no such seed file"));
            continue;
        }
        let seed_text = read(&seed_path);

        // API, action, version.
        let schema = format!("{}/{}.json", entry.api, entry.action);
        failures.check(validators().contains_key(&schema), || format!("{at}: no schema schemas/{schema}"));
        failures.check(seed_text.contains(&entry.action), || format!("{at}: the seed never names {}", entry.action));
        failures.check(&entry.version == version, || format!("{at}: version {}, docs/seeds/README.md says {version}", entry.version));

        // Examples: as many as the README says, each with one fixture using the action's schema.
        failures.check(entry.examples.len() == *example_count, || {
            format!("{at}: {} examples listed, docs/seeds/README.md counts {example_count}", entry.examples.len())
        });
        let seed_fixtures: Vec<&(String, Fixture)> = fixtures.iter().filter(|(_, f)| f.seed == entry.seed).collect();
        failures.check(seed_fixtures.len() == entry.examples.len(), || {
            format!("{at}: {} examples listed but {} fixtures in tests/fixtures/documented/", entry.examples.len(), seed_fixtures.len())
        });
        for (name, fixture) in &seed_fixtures {
            failures.check(fixture.schema == schema, || format!("{name}: schema {} but the seed documents {schema}", fixture.schema));
            let is_example_name =
                |w: &&str| w.strip_prefix("Example").is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()));
            if let Some(example) = fixture.section.split_whitespace().find(is_example_name) {
                failures.check(entry.examples.iter().any(|e| e == example), || {
                    format!("{name}: section {:?} names {example}, which {at} does not list", fixture.section)
                });
            }
        }

        // Errors: as many as the README says, each a row of the seed's table, in the seed's order.
        failures.check(entry.errors.len() == *error_count, || {
            format!("{at}: {} error codes listed, docs/seeds/README.md counts {error_count}", entry.errors.len())
        });
        let with_status = entry.api == "aliyun-ecs";
        let mut previous_row = None;
        let mut seen = BTreeSet::new();
        for error in &entry.errors {
            failures.check(seen.insert(&error.code), || format!("{at}: {} listed twice", error.code));
            failures.check(error.status.is_some() == with_status, || {
                format!(
                    "{at}: {}: status {}",
                    error.code,
                    if with_status { "missing (the seed's table gives one)" } else { "given, but the seed's table has none" }
                )
            });
            match error_row(&seed_text, &error.code, error.status) {
                None => failures.0.push(format!(
                    "{at}: {}{} is not a row of the seed's error table",
                    error.code,
                    error.status.map(|s| format!(" (HTTP {s})")).unwrap_or_default()
                )),
                Some(row) => {
                    failures.check(previous_row.is_none_or(|p| p < row), || format!("{at}: {} is out of the seed's order", error.code));
                    previous_row = Some(row);
                }
            }
        }
        // Rules: each id unique and dotted, with a section, resting on words the seed really has.
        let folded_seed = folded(&seed_text);
        failures.check(!entry.rules.is_empty(), || format!("{at}: no rules listed"));
        let prefix = entry.rules.first().and_then(|r| r.id.split('.').next()).unwrap_or_default().to_owned();
        for rule in &entry.rules {
            let id_shape = rule.id.split('.').count() >= 2
                && rule.id.split('.').all(|w| !w.is_empty() && w.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'));
            failures.check(id_shape, || format!("{at}: rule id {:?} is not dotted lowercase words", rule.id));
            failures.check(rule.id.split('.').next() == Some(prefix.as_str()), || {
                format!("{at}: rule {} does not start with the seed's prefix {prefix}", rule.id)
            });
            failures.check(all_rule_ids.insert(rule.id.clone()), || format!("{at}: rule {} listed twice", rule.id));
            failures.check(!rule.section.trim().is_empty(), || format!("{at}: rule {} has no section", rule.id));
            failures.check(rule.says.trim().len() >= 8, || format!("{at}: rule {} quotes too little to find", rule.id));
            failures.check(folded_seed.contains(&folded(&rule.says)), || {
                format!("{at}: rule {}: the seed does not say {:?}", rule.id, rule.says)
            });
        }
    }
    failures.finish("documented.yaml checks");
}
