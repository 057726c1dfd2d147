//! Documented error codes as enums, so a misspelt code does not compile, with each code's wire
//! spelling, HTTP status and message written once, in the provider's table: a tab-separated file
//! beside its `errors.rs` (`variant`, `code`, status or empty for 400, message verbatim from the
//! documents), which a reviewer can hold against the seed line by line.
//!
//! ```ignore
//! documented_codes! {
//!     /// CVM's key-pair codes (seed 000 §6).
//!     pub enum CvmCode in "errors.tsv" { KeyPairNameTooLong, InternalServerError }
//! }
//! ```
//!
//! The macro also writes a test that every variant has exactly one row and every row a variant.

use std::collections::HashMap;

/// A documented error code: its wire spelling, message and HTTP status.
pub trait Documented: Copy + Sized + 'static {
    fn code(self) -> &'static str;
    fn message(self) -> &'static str;
    fn status(self) -> u16;
    fn all() -> &'static [Self];

    /// The documented code spelt `code` (an injected fault names its code as text).
    fn from_code(code: &str) -> Option<Self> {
        Self::all().iter().copied().find(|c| c.code() == code)
    }
}

/// One row of a code table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Row {
    pub code: &'static str,
    pub status: u16,
    pub message: &'static str,
}

/// The rows of a table by variant name. Comment (`#`) and blank lines are skipped; a line that is
/// not four tab-separated fields with a valid status is left out (and fails the table's test).
pub fn parse_table(text: &'static str) -> HashMap<&'static str, Row> {
    text.lines()
        .filter(|line| !line.trim().is_empty() && !line.starts_with('#'))
        .filter_map(|line| {
            let mut fields = line.split('\t');
            let (variant, code, status, message) = (fields.next()?, fields.next()?, fields.next()?, fields.next()?);
            let status = if status.is_empty() { 400 } else { status.parse().ok()? };
            fields.next().is_none().then_some((variant, Row { code, status, message }))
        })
        .collect()
}

/// The row of `variant`; a variant without one (which the table's test reports) answers as an
/// internal error rather than panicking.
pub fn row(table: &HashMap<&'static str, Row>, variant: &str) -> Row {
    table.get(variant).copied().unwrap_or(Row { code: "InternalError", status: 500, message: "The error table has no row for this code." })
}

/// Declares an enum of documented codes whose rows are in a table file; see the module docs.
macro_rules! documented_codes {
    ($(#[$meta:meta])* $vis:vis enum $name:ident in $file:literal { $($variant:ident),* $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        $vis enum $name {
            $($variant,)*
        }

        static TABLE: std::sync::LazyLock<std::collections::HashMap<&'static str, $crate::emulator::codes::Row>> =
            std::sync::LazyLock::new(|| $crate::emulator::codes::parse_table(include_str!($file)));

        /// The rows in variant order, so a code's row is found by its discriminant: codes are
        /// read on the request path (a rule's error), where a hashed lookup by name cost more
        /// than the rule itself.
        static ROWS: std::sync::LazyLock<Vec<$crate::emulator::codes::Row>> = std::sync::LazyLock::new(|| {
            <$name as $crate::emulator::codes::Documented>::all()
                .iter()
                .map(|variant| $crate::emulator::codes::row(&TABLE, variant.variant_name()))
                .collect()
        });

        impl $name {
            fn variant_name(self) -> &'static str {
                match self { $(Self::$variant => stringify!($variant),)* }
            }

            fn row(self) -> $crate::emulator::codes::Row {
                ROWS[self as usize]
            }
        }

        impl $crate::emulator::codes::Documented for $name {
            fn code(self) -> &'static str {
                self.row().code
            }
            fn message(self) -> &'static str {
                self.row().message
            }
            fn status(self) -> u16 {
                self.row().status
            }
            fn all() -> &'static [Self] {
                &[$(Self::$variant,)*]
            }
        }

        #[cfg(test)]
        mod documented_codes_table {
            use super::*;
            use $crate::emulator::codes::Documented;

            #[test]
            fn every_variant_has_one_row_and_every_row_a_variant() {
                let text = include_str!($file);
                let rows = text.lines().filter(|l| !l.trim().is_empty() && !l.starts_with('#')).count();
                assert_eq!(TABLE.len(), rows, "a row of {} is malformed or repeated", $file);
                let variants: Vec<&str> = $name::all().iter().map(|v| v.variant_name()).collect();
                for variant in &variants {
                    assert!(TABLE.contains_key(variant), "{} has no row for {variant}", $file);
                }
                assert_eq!(variants.len(), rows, "{} has rows without a variant", $file);
                let mut codes: Vec<&str> = $name::all().iter().map(|v| v.code()).collect();
                codes.sort_unstable();
                codes.dedup();
                assert_eq!(codes.len(), rows, "{} spells a code twice", $file);
            }
        }
    };
}
pub(crate) use documented_codes;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_parse_rows_and_default_the_status() {
        let table = parse_table(
            "# comment\n#\tCommented.Code\t400\ta commented-out row\n\nPlain\tPlain.Code\t\tPlain message.\nForbidden\tForbidden.Code\t403\tForbidden \"x\".\nBad\tonly two\n",
        );
        assert_eq!(table.len(), 2, "a comment is skipped even with a row's four fields: {table:?}");
        assert_eq!(table["Plain"], Row { code: "Plain.Code", status: 400, message: "Plain message." });
        assert_eq!(table["Forbidden"].status, 403);
        assert_eq!(table["Forbidden"].message, "Forbidden \"x\".");
        assert!(!table.contains_key("Bad"));
        assert_eq!(row(&table, "Missing").status, 500);
    }
}
