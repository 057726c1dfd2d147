//! A YAML document as a tree whose every key and value knows its line and column, so errors found
//! after parsing (by the case-format schema, or by semantic checks) still point into the file.

use std::collections::HashMap;
use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};
use serde_saphyr::Spanned;

/// A 1-based line and column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Pos {
    pub line: u32,
    pub col: u32,
}

impl Pos {
    /// The position of byte `offset` of `text`, its column in characters, its lines counted as
    /// YAML (and so the parser) counts them: CR LF, LF and a lone CR each end one.
    pub fn at(text: &str, offset: usize) -> Pos {
        let mut pos = Pos { line: 1, col: 1 };
        let mut chars = text[..offset].chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '\r' if chars.peek() == Some(&'\n') => {}
                '\r' | '\n' => pos = Pos { line: pos.line + 1, col: 1 },
                _ => pos.col += 1,
            }
        }
        pos
    }
}

/// Line `line` (1-based) of `text`, its lines ended as [`Pos::at`] ends them; empty past the end.
pub fn line_of(text: &str, line: u32) -> &str {
    let mut lines = text.split('\n').flat_map(|l| l.strip_suffix('\r').unwrap_or(l).split('\r'));
    lines.nth(line.saturating_sub(1) as usize).unwrap_or("")
}

enum Node {
    Map(Vec<(Spanned<String>, Spanned<Node>)>),
    Seq(Vec<Spanned<Node>>),
    Scalar(Value),
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(NodeVisitor)
    }
}

struct NodeVisitor;

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = Node;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a YAML value")
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Node, E> {
        Ok(Node::Scalar(Value::Bool(v)))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Node, E> {
        Ok(Node::Scalar(Value::Number(v.into())))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Node, E> {
        Ok(Node::Scalar(Value::Number(v.into())))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Node, E> {
        Ok(Node::Scalar(Number::from_f64(v).map(Value::Number).unwrap_or(Value::Null)))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Node, E> {
        Ok(Node::Scalar(Value::String(v.to_string())))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Node, E> {
        Ok(Node::Scalar(Value::String(v)))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Node, E> {
        Ok(Node::Scalar(Value::Null))
    }
    fn visit_none<E: de::Error>(self) -> Result<Node, E> {
        Ok(Node::Scalar(Value::Null))
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Node, D::Error> {
        Node::deserialize(d)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Spanned<Node>>()? {
            items.push(item);
        }
        Ok(Node::Seq(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
        let mut entries = Vec::new();
        while let Some(key) = map.next_key::<Spanned<String>>()? {
            let value = map.next_value::<Spanned<Node>>()?;
            entries.push((key, value));
        }
        Ok(Node::Map(entries))
    }
}

/// A parsed document: its JSON value and where each part of it stands in the file.
#[derive(Debug, Clone)]
pub struct Document {
    pub value: Value,
    /// JSON pointer → position of the value.
    values: HashMap<String, Pos>,
    /// JSON pointer → position of the mapping key naming it.
    keys: HashMap<String, Pos>,
}

impl Document {
    /// Where the value at `pointer` starts (or the nearest enclosing value).
    pub fn value_pos(&self, pointer: &str) -> Pos {
        nearest(&self.values, pointer)
    }

    /// Where the key naming `pointer` starts (or the value, for list items and the root).
    pub fn key_pos(&self, pointer: &str) -> Pos {
        self.keys.get(pointer).copied().unwrap_or_else(|| self.value_pos(pointer))
    }
}

fn nearest(map: &HashMap<String, Pos>, pointer: &str) -> Pos {
    let mut p = pointer.to_string();
    loop {
        if let Some(pos) = map.get(&p) {
            return *pos;
        }
        match p.rfind('/') {
            Some(i) => p.truncate(i),
            None => return map.get("").copied().unwrap_or(Pos { line: 1, col: 1 }),
        }
    }
}

/// A YAML syntax error with its position.
#[derive(Debug, Clone)]
pub struct SyntaxError {
    pub pos: Pos,
    pub message: String,
}

/// Parses `text` as one YAML document.
pub fn parse(text: &str) -> Result<Document, SyntaxError> {
    let root: Spanned<Node> = serde_saphyr::from_str(text).map_err(|e| {
        let pos = e.location().map(|l| Pos { line: l.line() as u32, col: l.column() as u32 }).unwrap_or(Pos { line: 1, col: 1 });
        let message = e.to_string().lines().next().unwrap_or("invalid YAML").to_string();
        SyntaxError { pos, message }
    })?;
    let mut doc = Document { value: Value::Null, values: HashMap::new(), keys: HashMap::new() };
    doc.value = walk(&root, String::new(), &mut doc);
    Ok(doc)
}

fn pos_of<T>(s: &Spanned<T>) -> Pos {
    Pos { line: s.referenced.line() as u32, col: s.referenced.column() as u32 }
}

fn walk(node: &Spanned<Node>, pointer: String, doc: &mut Document) -> Value {
    doc.values.insert(pointer.clone(), pos_of(node));
    match &node.value {
        Node::Scalar(v) => v.clone(),
        Node::Seq(items) => Value::Array(items.iter().enumerate().map(|(i, item)| walk(item, format!("{pointer}/{i}"), doc)).collect()),
        Node::Map(entries) => {
            let mut map = Map::new();
            for (key, value) in entries {
                let child = format!("{pointer}/{}", escape(&key.value));
                doc.keys.insert(child.clone(), pos_of(key));
                let v = walk(value, child, doc);
                map.insert(key.value.clone(), v);
            }
            Value::Object(map)
        }
    }
}

/// Escapes a key for a JSON pointer (RFC 6901).
pub fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_positions_of_keys_and_values() {
        let doc = parse("api: tencent-cvm\nsteps:\n  - action: CreateKeyPair\n    params:\n      KeyName: x\n").unwrap();
        assert_eq!(doc.value["steps"][0]["params"]["KeyName"], "x");
        assert_eq!(doc.key_pos("/steps/0/params/KeyName"), Pos { line: 5, col: 7 });
        assert_eq!(doc.value_pos("/steps/0/params/KeyName"), Pos { line: 5, col: 16 });
        assert_eq!(doc.value_pos("/steps/0/action"), Pos { line: 3, col: 13 });
        assert_eq!(doc.value_pos("/steps/0/nothing/here"), Pos { line: 3, col: 5 });
    }

    #[test]
    fn scalars_keep_their_yaml_types() {
        let doc =
            parse("t: true\nf: false\nneg: -3\nbig: 18446744073709551615\nhalf: 1.5\nnothing: null\ntilde: ~\nquoted: '12'\n").unwrap();
        assert_eq!(
            doc.value,
            serde_json::json!({"t": true, "f": false, "neg": -3, "big": 18446744073709551615u64, "half": 1.5, "nothing": null, "tilde": null, "quoted": "12"})
        );
    }

    #[test]
    fn keys_with_pointer_characters_are_escaped_and_unknown_places_fall_back_to_the_root() {
        let doc = parse("fields:\n  /Response/a~b: 1\n").unwrap();
        assert_eq!(doc.value["fields"]["/Response/a~b"], 1);
        assert_eq!(doc.key_pos("/fields/~1Response~1a~0b"), Pos { line: 2, col: 3 });
        assert_eq!(doc.value_pos("/fields/~1Response~1a~0b"), Pos { line: 2, col: 18 });
        assert_eq!(doc.value_pos("/elsewhere"), doc.value_pos(""), "the nearest enclosing value is the document");
        assert_eq!(doc.key_pos("/fields/missing"), Pos { line: 2, col: 3 }, "no key: the nearest value");
        let empty = Document { value: Value::Null, values: HashMap::new(), keys: HashMap::new() };
        assert_eq!(empty.value_pos("/a/b"), Pos { line: 1, col: 1 });
        assert_eq!(escape("a/b~c"), "a~1b~0c");
    }

    #[test]
    fn positions_and_lines_are_counted_as_the_parser_counts_them() {
        for end in ["\n", "\r\n", "\r"] {
            let text = "api: tencent-cvm\nsteps:\n\n  - action: Créer\n".replace('\n', end);
            let doc = parse(&text).unwrap();
            let offset = text.find("Créer").unwrap();
            assert_eq!(Pos::at(&text, offset), doc.value_pos("/steps/0/action"), "lines ended by {end:?}");
            assert_eq!(Pos::at(&text, text.len()), Pos { line: 5, col: 1 });
            assert_eq!((line_of(&text, 3), line_of(&text, 4), line_of(&text, 9)), ("", "  - action: Créer", ""));
        }
    }

    #[test]
    fn syntax_errors_have_positions() {
        let err = parse("api: [unclosed\nsteps: 1\n").unwrap_err();
        assert!(err.pos.line >= 1, "{err:?}");
    }
}
