//! Reading an XML answer as the JSON value the same answer gives in JSON (Alibaba RPC APIs answer
//! XML with `Format=XML`, apis.md §3.2). The root element is the envelope (`<ActionResponse>` or
//! `<Error>`) and its children are the body's fields; a list is its item element repeated inside
//! the list's element (`<KeyPairs><KeyPair/><KeyPair/></KeyPairs>`). XML does not say which
//! elements are lists or numbers, so each API states it in an [`XmlShape`].

use serde_json::{Map, Value};

/// What the XML of one API leaves unsaid.
#[derive(Debug, Clone, Copy)]
pub struct XmlShape {
    /// (list element, item element): the items are always a JSON array, even one or none of them.
    pub lists: &'static [(&'static str, &'static str)],
    /// Leaf elements holding numbers.
    pub numbers: &'static [&'static str],
}

impl XmlShape {
    /// The document's root element as JSON, or the parser's complaint.
    pub fn parse(&self, text: &str) -> Result<Value, String> {
        let document = roxmltree::Document::parse(text).map_err(|e| e.to_string())?;
        Ok(self.element(document.root_element()))
    }

    fn element(&self, node: roxmltree::Node) -> Value {
        let name = node.tag_name().name();
        let list_item = self.lists.iter().find(|(list, _)| *list == name).map(|(_, item)| *item);
        let children: Vec<roxmltree::Node> = node.children().filter(|c| c.is_element()).collect();
        if children.is_empty() && list_item.is_none() {
            return self.leaf(name, node.text().unwrap_or(""));
        }
        let mut map = Map::new();
        if let Some(item) = list_item {
            map.insert(item.to_string(), Value::Array(Vec::new()));
        }
        for child in children {
            let child_name = child.tag_name().name();
            let value = self.element(child);
            match map.get_mut(child_name) {
                None => {
                    map.insert(child_name.to_string(), value);
                }
                Some(Value::Array(items)) => items.push(value),
                // A repeated element the shape does not call a list still keeps every item.
                Some(first) => *first = Value::Array(vec![first.take(), value]),
            }
        }
        Value::Object(map)
    }

    fn leaf(&self, name: &str, text: &str) -> Value {
        if self.numbers.contains(&name)
            && let Ok(number) = text.trim().parse::<i64>()
        {
            return Value::from(number);
        }
        Value::String(text.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const SHAPE: XmlShape = XmlShape { lists: &[("KeyPairs", "KeyPair"), ("Tags", "Tag")], numbers: &["TotalCount"] };

    #[test]
    fn lists_of_one_and_none_stay_lists_and_numbers_are_numbers() {
        let text = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><DescribeKeyPairsResponse><RequestId>R</RequestId>\
                    <KeyPairs><KeyPair><KeyPairName>a&amp;b</KeyPairName><Tags></Tags></KeyPair></KeyPairs>\
                    <TotalCount>1</TotalCount></DescribeKeyPairsResponse>";
        assert_eq!(
            SHAPE.parse(text).unwrap(),
            json!({"RequestId": "R", "KeyPairs": {"KeyPair": [{"KeyPairName": "a&b", "Tags": {"Tag": []}}]}, "TotalCount": 1})
        );
    }

    #[test]
    fn a_number_field_with_text_stays_text_and_bad_xml_is_refused() {
        assert_eq!(SHAPE.parse("<Error><TotalCount>many</TotalCount></Error>").unwrap(), json!({"TotalCount": "many"}));
        assert!(SHAPE.parse("<Error><Code>x</Error>").is_err());
    }
}
