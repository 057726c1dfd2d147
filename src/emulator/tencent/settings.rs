//! The Tencent behaviours the documents leave open that are not one product's: the API 3.0
//! envelope and front doors (`TencentSettings`, held once in `EmulatorConfig::tencent`), and the
//! types of choices CVM and Lighthouse both make, defined once here. Each is a ledger row
//! (docs/discrepancies.md, L-TC-*, L-CVM-*, L-LH-*).

use super::error::TencentError;

/// Which common code a parameter fault answers with, where the documents name none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommonCode {
    MissingParameter,
    InvalidParameter,
    InvalidParameterValue,
}

impl CommonCode {
    /// The error for parameter `name`, `why` being our message for the two "bad value" codes.
    pub fn error(self, name: &str, why: &str) -> TencentError {
        match self {
            Self::MissingParameter => TencentError::missing_parameter(name),
            Self::InvalidParameter => TencentError::invalid_parameter(why),
            Self::InvalidParameterValue => TencentError::invalid_parameter_value(why),
        }
    }
}

/// Which code an absent `KeyName` gets (L-CVM-1, L-LH-2): both products list `MissingParameter`
/// and an "empty key name" code, and neither says which an absent name gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AbsentName {
    /// The common `MissingParameter` (both products' default).
    MissingParameter,
    /// The product's empty-name code, as if KeyName were sent empty.
    Empty,
}

/// How the `key-name` filter of DescribeKeyPairs compares (L-CVM-18, L-LH-9).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameFilter {
    /// The whole name, case-sensitively.
    Exact,
    /// A substring of the name, case-sensitively.
    Fuzzy,
}

impl NameFilter {
    pub fn matches(self, name: &str, value: &str) -> bool {
        match self {
            Self::Exact => name == value,
            Self::Fuzzy => name.contains(value),
        }
    }
}

/// What DeleteKeyPairs does with the other ids when one is unknown (L-CVM-17, L-LH-10).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeleteMode {
    /// The request fails and nothing is deleted.
    AllOrNone,
    /// The known ids are deleted, then the request fails naming the unknown one.
    DeleteFound,
}

/// A group of the request rules of CreateKeyPair / ImportKeyPair; a product's `check_order` runs
/// them in its order, so the first failing group wins (L-CVM-10, L-LH-7).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestCheck {
    KeyName,
    /// CVM only; Lighthouse key pairs have no project.
    ProjectId,
    /// ImportKeyPair only.
    PublicKey,
    Tags,
}

/// A check of a `KeyIds` list; DeleteKeyPairs runs them in its product's order (L-CVM-19).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdCheck {
    /// Absent or empty → `MissingParameter`.
    Missing,
    /// Over the product's maximum.
    Count,
    /// Each id's form, in the order sent.
    Shape,
}

/// How the RequestId UUID is written (L-CVM-12).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestIdCase {
    Lower,
    Upper,
}

/// Tag lengths: the key-pair pages give none, so CVM and Lighthouse take the tag service's
/// (apis.md §7; L-CVM-16, L-LH-13). A key of 1 to `key_max_chars` characters and a value of at
/// most `value_max_chars`; outside them is `InvalidParameterValue`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TagLength {
    pub key_max_chars: usize,
    pub value_max_chars: usize,
}

impl TagLength {
    /// Tencent's tag service: keys up to 127 characters, values up to 255.
    pub const TAG_SERVICE: TagLength = TagLength { key_max_chars: 127, value_max_chars: 255 };

    /// The rule, as a refused tag's detail states it.
    pub fn rule(self) -> String {
        format!("key must be 1-{} characters, value at most {}", self.key_max_chars, self.value_max_chars)
    }
}

/// The documented request-size limits of the API 3.0 front door (L-TC-9); over them is
/// `RequestSizeLimitExceeded`. TC3 POST is bounded by `EmulatorConfig::max_body_bytes` (10 MB).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SizeLimits {
    pub get_bytes: usize,
    pub v1_post_bytes: usize,
}

/// The API 3.0 front doors' choices (the API 3.0 one and the legacy one), one field per ledger row.
#[derive(Debug, Clone)]
pub struct TencentSettings {
    /// L-TC-1: the HTTP status of an error answer; 200, as the SDKs expect (inferred, not stated).
    pub error_status: u16,
    /// L-TC-2: the code of a JSON body that does not parse or is not an object; none is documented.
    pub malformed_body_code: CommonCode,
    /// L-TC-3: false answers each code's documented wording alone (which value failed goes to the
    /// log); true appends it in parentheses, should a live run show the cloud does.
    pub append_detail: bool,
    /// L-TC-4: `Response.DeprecatedWarning` on every success; never seen on the key-pair pages.
    pub deprecated_warning: Option<String>,
    /// L-TC-5: the rate limits' sliding window, in milliseconds: the pages say "per second".
    pub rate_window_millis: i64,
    /// L-TC-6: true refuses a TC3 request whose SignedHeaders omit an `X-TC-Action`,
    /// `X-TC-Region` or `X-TC-Version` it carries; false takes them unsigned, as the cloud does.
    pub require_signed_tc_headers: bool,
    /// L-TC-7: true refuses a TC3 signature seen before (within the skew window); TC3 has no nonce,
    /// so false (the cloud's behaviour) serves a replay again.
    pub remember_tc3_signatures: bool,
    /// L-TC-8: true refuses a credential scope whose date is not the UTC date of `X-TC-Timestamp`.
    pub check_scope_date: bool,
    /// L-TC-9: GET 32 KB, signature v1 POST 1 MB (apis.md §1.1).
    pub size_limits: SizeLimits,
    /// L-CVM-12: seed 000's example RequestId is lowercase, seed 003's uppercase.
    pub request_id_case: RequestIdCase,
}

impl Default for TencentSettings {
    fn default() -> Self {
        Self {
            error_status: 200,
            malformed_body_code: CommonCode::InvalidParameter,
            append_detail: false,
            deprecated_warning: None,
            rate_window_millis: 1000,
            require_signed_tc_headers: false,
            remember_tc3_signatures: false,
            check_scope_date: true,
            size_limits: SizeLimits { get_bytes: 32 * 1024, v1_post_bytes: 1024 * 1024 },
            request_id_case: RequestIdCase::Lower,
        }
    }
}

impl TencentSettings {
    /// A new RequestId in the configured case.
    pub fn request_id(&self) -> String {
        let id = crate::emulator::wire::new_request_id();
        match self.request_id_case {
            RequestIdCase::Lower => id,
            RequestIdCase::Upper => id.to_ascii_uppercase(),
        }
    }
}
