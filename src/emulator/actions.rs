//! The key-pair actions every provider here serves, and the shape of a product's action table:
//! per action its parameters and documented rate limit. Each product writes its table once;
//! dispatch (the action's name), the unknown-parameter check and rate limits all read it.

/// The four key-pair actions, as each product names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyPairAction {
    Create,
    Import,
    Describe,
    Delete,
}

impl KeyPairAction {
    pub fn name(self) -> &'static str {
        match self {
            KeyPairAction::Create => "CreateKeyPair",
            KeyPairAction::Import => "ImportKeyPair",
            KeyPairAction::Describe => "DescribeKeyPairs",
            KeyPairAction::Delete => "DeleteKeyPairs",
        }
    }
}

/// One row of a product's action table.
#[derive(Debug, Clone, Copy)]
pub struct ActionSpec {
    pub action: KeyPairAction,
    /// The parameters the action defines (its own, not the common ones).
    pub params: &'static [&'static str],
    /// Requests per second per account, where the action's page documents a limit.
    pub per_second: Option<u32>,
}

impl ActionSpec {
    pub fn name(&self) -> &'static str {
        self.action.name()
    }
}

/// The row of `table` for the action called `name`.
pub fn find(table: &'static [ActionSpec], name: &str) -> Option<&'static ActionSpec> {
    table.iter().find(|spec| spec.name() == name)
}

/// The first parameter in `params` that the action does not define.
pub fn unknown_parameter<'p>(spec: &ActionSpec, params: impl IntoIterator<Item = &'p str>) -> Option<&'p str> {
    params.into_iter().find(|name| !spec.params.contains(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    static TABLE: &[ActionSpec] = &[ActionSpec { action: KeyPairAction::Delete, params: &["KeyIds"], per_second: Some(10) }];

    #[test]
    fn actions_are_found_by_their_wire_name() {
        assert_eq!(find(TABLE, "DeleteKeyPairs").map(|s| s.action), Some(KeyPairAction::Delete));
        assert!(find(TABLE, "deletekeypairs").is_none());
        assert_eq!(unknown_parameter(&TABLE[0], ["KeyIds", "Bogus"]), Some("Bogus"));
        assert_eq!(unknown_parameter(&TABLE[0], ["KeyIds"]), None);
    }
}
