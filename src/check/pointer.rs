//! JSON pointers with wildcards (`/Response/KeyPairSet/*/Tags`): how a case names places in a
//! step's response for `unordered` and `parity_gaps`. `*` matches any one key or index.

use serde_json::Value;

/// A parsed pointer pattern: its segments, `None` for `*`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern {
    pub text: String,
    segments: Vec<Option<String>>,
}

impl Pattern {
    /// Parses `/a/*/b` (RFC 6901 escapes `~0`, `~1` in segments); the empty pattern is the whole
    /// response.
    pub fn parse(text: &str) -> Result<Self, String> {
        if text.is_empty() {
            return Ok(Self { text: String::new(), segments: Vec::new() });
        }
        let Some(rest) = text.strip_prefix('/') else {
            return Err(format!("`{text}` is not a JSON pointer (it must start with /)"));
        };
        let segments = rest.split('/').map(|s| if s == "*" { None } else { Some(s.replace("~1", "/").replace("~0", "~")) }).collect();
        Ok(Self { text: text.to_string(), segments })
    }
}

/// Calls `f` on every node of `value` that `pattern` matches.
pub fn for_each_match(value: &mut Value, pattern: &Pattern, f: &mut dyn FnMut(&mut Value)) {
    walk(value, &pattern.segments, f);
}

fn walk(value: &mut Value, segments: &[Option<String>], f: &mut dyn FnMut(&mut Value)) {
    let Some((first, rest)) = segments.split_first() else {
        f(value);
        return;
    };
    match (value, first) {
        (Value::Object(map), Some(key)) => {
            if let Some(child) = map.get_mut(key) {
                walk(child, rest, f);
            }
        }
        (Value::Object(map), None) => map.values_mut().for_each(|child| walk(child, rest, f)),
        (Value::Array(items), Some(index)) => {
            if let Some(child) = index.parse::<usize>().ok().and_then(|i| items.get_mut(i)) {
                walk(child, rest, f);
            }
        }
        (Value::Array(items), None) => items.iter_mut().for_each(|child| walk(child, rest, f)),
        _ => {}
    }
}

/// Replaces every node `pattern` matches in each exchange's `response` with `[parity-gap]`;
/// returns how many it replaced.
pub fn mask(exchanges: &mut Value, pattern: &Pattern) -> usize {
    let mut count = 0;
    if let Value::Array(items) = exchanges {
        for item in items {
            if let Some(response) = item.get_mut("response") {
                for_each_match(response, pattern, &mut |node| {
                    *node = Value::String("[parity-gap]".into());
                    count += 1;
                });
            }
        }
    }
    count
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn wildcards_match_any_key_or_index() {
        let mut v = json!({"Response": {"Set": [{"Tags": [1]}, {"Tags": [2]}], "Error": {"Message": "m"}}});
        let mut seen = Vec::new();
        for_each_match(&mut v, &Pattern::parse("/Response/Set/*/Tags").unwrap(), &mut |n| seen.push(n.clone()));
        assert_eq!(seen, vec![json!([1]), json!([2])]);
        let mut exchanges = json!([{"response": v}]);
        assert_eq!(mask(&mut exchanges, &Pattern::parse("/Response/Error/Message").unwrap()), 1);
        assert_eq!(exchanges[0]["response"]["Response"]["Error"]["Message"], "[parity-gap]");
        assert!(Pattern::parse("Response").is_err());
    }

    #[test]
    fn a_wildcard_takes_every_value_of_an_object_and_a_number_one_item_of_a_list() {
        let mut v = json!({"A": {"x": {"M": 1}, "y": {"M": 2}}, "L": [{"M": 3}, {"M": 4}]});
        let mut seen = |pattern: &str| {
            let mut seen = Vec::new();
            for_each_match(&mut v, &Pattern::parse(pattern).unwrap(), &mut |n| seen.push(n.clone()));
            seen
        };
        assert_eq!(seen("/A/*/M"), [json!(1), json!(2)]);
        assert_eq!(seen("/L/1/M"), [json!(4)]);
        assert_eq!(seen("/L/2/M"), Vec::<Value>::new());
    }
}
