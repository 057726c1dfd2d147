//! Small helpers for the unit tests.

/// `(name, value)` pairs as the owned pairs request parsers produce.
pub fn owned_pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}
