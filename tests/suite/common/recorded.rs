//! A request recorded from an official SDK (tests/vectors/…): method, path, query, headers and the
//! exact body bytes, as the vector files store them. Shared by the tests that replay, verify or
//! rebuild those requests, so each reads the files the same way.

use std::path::Path;

use base64::Engine as _;
use keypair_contract::sign::HttpParts;
use serde_json::Value;

#[derive(Debug, Clone)]
pub struct Recorded {
    /// The vector file it came from, for failure messages.
    pub file: String,
    pub method: String,
    pub path: String,
    pub query: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Recorded {
    /// A vector's `request` object (`method`, `target`, `headers` as pairs, `body_base64`).
    pub fn from_json(file: &str, request: &Value) -> Self {
        let field = |name: &str| request[name].as_str().unwrap_or_else(|| panic!("{file}: request.{name} is not a string"));
        let target = field("target");
        let (path, query) = target.split_once('?').unwrap_or((target, ""));
        let headers = request["headers"]
            .as_array()
            .unwrap_or_else(|| panic!("{file}: request.headers is not a list"))
            .iter()
            .map(|pair| (pair[0].as_str().unwrap().to_string(), pair[1].as_str().unwrap().to_string()))
            .collect();
        let body = base64::engine::general_purpose::STANDARD
            .decode(request["body_base64"].as_str().unwrap_or(""))
            .unwrap_or_else(|e| panic!("{file}: body_base64: {e}"));
        Recorded { file: file.into(), method: field("method").into(), path: path.into(), query: query.into(), headers, body }
    }

    /// A file of tests/vectors/sdk-requests: the whole vector, and its request.
    pub fn load_sdk_request(file: &str) -> (Value, Self) {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors/sdk-requests").join(file);
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{file}: {e}"));
        let vector: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{file}: {e}"));
        let request = Self::from_json(file, &vector["request"]);
        (vector, request)
    }

    /// `path?query`, as on the request line.
    pub fn target(&self) -> String {
        if self.query.is_empty() { self.path.clone() } else { format!("{}?{}", self.path, self.query) }
    }

    pub fn parts(&self) -> HttpParts<'_> {
        HttpParts { method: &self.method, path: &self.path, query: &self.query, headers: &self.headers, body: &self.body }
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    pub fn required_header(&self, name: &str) -> &str {
        self.header(name).unwrap_or_else(|| panic!("{}: header {name} absent", self.file))
    }

    /// Every parameter the SDK sent, from the query and a form body.
    pub fn params(&self) -> Vec<(String, String)> {
        self.parts().form_params()
    }

    pub fn param(&self, name: &str) -> String {
        self.params().into_iter().find(|(k, _)| k == name).map(|(_, v)| v).unwrap_or_else(|| panic!("{}: no {name}", self.file))
    }

    /// The SDK's parameters minus `protocol` ones, as call parameters (all strings, as on the wire).
    pub fn business_params(&self, protocol: &[&str]) -> Value {
        let map: serde_json::Map<String, Value> =
            self.params().into_iter().filter(|(k, _)| !protocol.contains(&k.as_str())).map(|(k, v)| (k, Value::String(v))).collect();
        Value::Object(map)
    }
}
