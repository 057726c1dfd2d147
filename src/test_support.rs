//! Small helpers for the unit tests.

/// `(name, value)` pairs as the owned pairs request parsers produce.
pub fn owned_pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

/// Fails unless `text` holds every one of `parts`, naming the first one missing.
pub fn assert_contains_all(text: &str, parts: &[&str]) {
    for part in parts {
        assert!(text.contains(part), "`{part}` not in:\n{text}");
    }
}
