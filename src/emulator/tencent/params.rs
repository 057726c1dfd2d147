//! Request parameters in one shape whatever the wire form: TC3 POST sends JSON, GET and form POST
//! send flat `Name.N.Field=value` pairs (lists counted from 0). Flat pairs are nested here into the
//! JSON shape with string leaves; models accept a number or its decimal string where the docs
//! type a parameter as Integer (the v1 forms can only send strings).

use serde_json::{Map, Value};

use super::error::TencentError;

/// Nests flat parameters. Fails on contradictory keys (`A=1` and `A.0=2`).
pub fn unflatten(pairs: &[(String, String)]) -> Result<Value, TencentError> {
    let mut root = Value::Object(Map::new());
    for (key, value) in pairs {
        insert(&mut root, &key.split('.').collect::<Vec<_>>(), value)
            .map_err(|why| TencentError::invalid_parameter(format!("parameter `{key}`: {why}")))?;
    }
    Ok(compact(root))
}

fn insert(node: &mut Value, path: &[&str], value: &str) -> Result<(), &'static str> {
    let Some((head, rest)) = path.split_first() else { return Err("empty parameter name") };
    if head.is_empty() {
        return Err("empty segment in the name");
    }
    let map = node.as_object_mut().ok_or("conflicts with another parameter")?;
    if rest.is_empty() {
        if map.contains_key(*head) {
            return Err("given twice or conflicts with another parameter");
        }
        map.insert((*head).to_string(), Value::String(value.to_string()));
        return Ok(());
    }
    let child = map.entry((*head).to_string()).or_insert_with(|| Value::Object(Map::new()));
    insert(child, rest, value)
}

/// Turns objects whose keys are all indices into arrays, in index order.
fn compact(value: Value) -> Value {
    match value {
        Value::Object(map) => {
            let all_indices = !map.is_empty() && map.keys().all(|k| k.parse::<usize>().is_ok());
            if all_indices {
                let mut items: Vec<(usize, Value)> = map.into_iter().map(|(k, v)| (k.parse().unwrap_or(usize::MAX), compact(v))).collect();
                items.sort_by_key(|(i, _)| *i);
                Value::Array(items.into_iter().map(|(_, v)| v).collect())
            } else {
                Value::Object(map.into_iter().map(|(k, v)| (k, compact(v))).collect())
            }
        }
        other => other,
    }
}

/// An Integer parameter: a JSON integer or (v1 forms, and seed 003's example) its decimal string.
pub fn as_integer(value: &Value) -> Option<i64> {
    match value {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    use crate::test_support::owned_pairs as pairs;

    #[test]
    fn nests_lists_and_objects() {
        let nested = unflatten(&pairs(&[
            ("KeyIds.1", "skey-b"),
            ("KeyIds.0", "skey-a"),
            ("TagSpecification.0.ResourceType", "keypair"),
            ("TagSpecification.0.Tags.0.Key", "env"),
            ("ProjectId", "0"),
        ]))
        .unwrap();
        assert_eq!(
            nested,
            json!({"KeyIds": ["skey-a", "skey-b"], "TagSpecification": [{"ResourceType": "keypair", "Tags": [{"Key": "env"}]}], "ProjectId": "0"})
        );
    }

    #[test]
    fn refuses_contradictions() {
        assert!(unflatten(&pairs(&[("A", "1"), ("A.0", "2")])).is_err());
        assert!(unflatten(&pairs(&[("A..B", "1")])).is_err());
    }

    #[test]
    fn integers_from_numbers_or_strings() {
        assert_eq!(as_integer(&json!(0)), Some(0));
        assert_eq!(as_integer(&json!("0")), Some(0));
        assert_eq!(as_integer(&json!("zero")), None);
        assert_eq!(as_integer(&json!(1.5)), None);
    }
}
