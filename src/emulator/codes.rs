//! Documented error codes as enums, so a misspelt code does not compile, and the fact "this code
//! has this message (and HTTP status)" is written once, in the provider's table.
//!
//! ```ignore
//! documented_codes! {
//!     /// CVM's key-pair codes (seed 000 §6).
//!     pub enum CvmCode {
//!         KeyNameTooLong = "InvalidKeyPairNameTooLong" => "The key name cannot exceed 25 characters.",
//!         QuotaExceeded = "QuotaExceed.KeyPair", 403 => "The key pair quota exceeds.",
//!     }
//! }
//! ```

/// A documented error code: its wire spelling, message and HTTP status (400 unless given).
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

/// Declares an enum of documented codes; see the module docs.
macro_rules! documented_codes {
    ($(#[$meta:meta])* $vis:vis enum $name:ident {
        $($(#[$vmeta:meta])* $variant:ident = $code:literal $(, $status:literal)? => $message:literal,)*
    }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        $vis enum $name {
            $($(#[$vmeta])* $variant,)*
        }

        impl $crate::emulator::codes::Documented for $name {
            fn code(self) -> &'static str {
                match self { $(Self::$variant => $code,)* }
            }
            fn message(self) -> &'static str {
                match self { $(Self::$variant => $message,)* }
            }
            fn status(self) -> u16 {
                match self { $(Self::$variant => { let given: &[u16] = &[400 $(, $status)?]; given[given.len() - 1] })* }
            }
            fn all() -> &'static [Self] {
                &[$(Self::$variant,)*]
            }
        }
    };
}
pub(crate) use documented_codes;

#[cfg(test)]
mod tests {
    use super::*;

    documented_codes! {
        enum Sample {
            Plain = "Plain.Code" => "Plain message.",
            Forbidden = "Forbidden.Code", 403 => "Forbidden message.",
        }
    }

    #[test]
    fn codes_carry_their_message_and_status() {
        assert_eq!((Sample::Plain.code(), Sample::Plain.message(), Sample::Plain.status()), ("Plain.Code", "Plain message.", 400));
        assert_eq!(Sample::Forbidden.status(), 403);
        assert_eq!(Sample::from_code("Forbidden.Code"), Some(Sample::Forbidden));
        assert_eq!(Sample::from_code("Forbidden.code"), None);
    }
}
