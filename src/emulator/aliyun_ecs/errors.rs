//! ECS error codes with their HTTP statuses and messages, verbatim where a document gives them:
//! seed 004 (CreateKeyPair), the ImportKeyPair and DeleteKeyPairs error tables (apis.md §3.4), and
//! the gateway codes of apis.md §3.3. Codes whose message no document gives are marked `(ours)`.

use std::fmt;

use crate::emulator::codes::{Documented, documented_codes};

/// An ECS API error: the documented code, HTTP status and message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EcsError {
    pub code: String,
    pub status: u16,
    pub message: String,
    /// Which value failed, for the emulator's log only: never appended to the documented message.
    pub detail: Option<String>,
}

documented_codes! {
    /// Code, HTTP status and message of every error the emulator answers with. Rows: `errors.tsv`.
    pub enum EcsCode in "errors.tsv" {
        KeyPairNameMalformed, KeyPairAlreadyExist, DuplicateTagKey, TagKeyMalformed, TagValueMalformed, KeyPairQuotaExceed,
        TagsQuotaExceed, RegionIdNotFound, ResourceGroupNotFound, PublicKeyBodyMalformed, InternalError, KeyPairNamesValueNotSupported,
        KeypairAlreadyAttachedInstance, InstanceKeyPairLimitExceeded, MissingParameter, InvalidParameter, InvalidFormat,
        IncompleteSignature, SignatureDoesNotMatch, InvalidSignatureMethod, InvalidTimeStampFormat, InvalidTimeStampExpired,
        SignatureNonceUsed, AccessKeyIdNotFound, InvalidVersion, ApiNotFound, UnsupportedHttpMethod, Throttling, ThrottlingUser,
        ForbiddenRam, ServiceUnavailable,
    }
}

impl EcsError {
    /// The error `code` with its documented status and message.
    pub fn new(code: EcsCode) -> Self {
        Self { code: code.code().into(), status: code.status(), message: code.message().into(), detail: None }
    }

    /// The same error, with `detail` (which value failed) for the log.
    pub fn with_detail(self, detail: impl Into<String>) -> Self {
        Self { detail: Some(detail.into()), ..self }
    }

    /// An injected fault's code: documented status and message if known; otherwise the code with
    /// 400 (4xx: the SDKs raise a client error) and a message saying it was injected.
    pub fn injected(code: &str) -> Self {
        match EcsCode::from_code(code) {
            Some(known) => Self::new(known),
            None => Self { code: code.into(), status: 400, message: "Injected error.".into(), detail: None },
        }
    }

    /// A code whose message is a `%s` template, filled with `value`.
    fn templated(code: EcsCode, value: &str) -> Self {
        let mut error = Self::new(code);
        error.message = error.message.replacen("%s", value, 1);
        error
    }

    pub fn missing_parameter(name: &str) -> Self {
        Self::templated(EcsCode::MissingParameter, name)
    }

    pub fn invalid_parameter(name: &str) -> Self {
        Self::templated(EcsCode::InvalidParameter, name)
    }

    /// `QuotaExceed.Tags`, whose documented message is `%s` "returned based on call conditions" (ours).
    pub fn too_many_tags(max: usize) -> Self {
        Self::templated(EcsCode::TagsQuotaExceed, &format!("The number of tags exceeds the upper limit of {max}."))
    }

    /// `SignatureDoesNotMatch`, with the string to sign the emulator computed after a colon:
    /// aliyun-python-sdk-core splits this message on `:` and fails if there is none (apis.md §6).
    pub fn signature_does_not_match(string_to_sign: &str) -> Self {
        let mut error = Self::new(EcsCode::SignatureDoesNotMatch);
        error.message = format!("{} server string to sign is:{string_to_sign}", error.message);
        error
    }
}

impl fmt::Display for EcsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({}): {}", self.code, self.status, self.message)
    }
}

impl std::error::Error for EcsError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_codes_keep_their_status_and_message() {
        let e = EcsError::new(EcsCode::KeyPairQuotaExceed);
        assert_eq!((e.status, e.message.as_str()), (403, "The key pair quota exceeds."));
        assert_eq!(EcsError::new(EcsCode::InternalError).status, 500);
        assert_eq!(EcsError::injected("SomethingInjected").status, 400);
        assert_eq!(
            EcsError::missing_parameter("RegionId").message,
            "The input parameter \"RegionId\" that is mandatory for processing this request is not supplied."
        );
    }

    #[test]
    fn signature_mismatch_carries_the_string_to_sign_after_a_colon() {
        let e = EcsError::signature_does_not_match("GET&%2F&A%3D1");
        let (_, after) = e.message.split_once(':').unwrap();
        assert_eq!(after, "GET&%2F&A%3D1");
        assert_eq!(e.status, 400);
    }

    #[test]
    fn codes_are_unique() {
        let mut codes: Vec<_> = EcsCode::all().iter().map(|c| c.code()).collect();
        codes.sort_unstable();
        let before = codes.len();
        codes.dedup();
        assert_eq!(before, codes.len());
    }
}
