//! Small helpers for the unit tests.

/// `(name, value)` pairs as the owned pairs request parsers produce.
pub fn owned_pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

/// A request as the front door hands it over: headers in the order given, the body read whole.
pub fn raw_request(method: &str, path: &str, query: &str, headers: &[(&str, &str)], body: &[u8]) -> crate::emulator::wire::RawRequest {
    crate::emulator::wire::RawRequest {
        method: method.into(),
        path: path.into(),
        query: query.into(),
        headers: owned_pairs(headers),
        body: body.to_vec(),
        body_problem: None,
    }
}

/// Fails unless `text` holds every one of `parts`, naming the first one missing.
pub fn assert_contains_all(text: &str, parts: &[&str]) {
    for part in parts {
        assert!(text.contains(part), "`{part}` not in:\n{text}");
    }
}
