//! ECS error codes with their HTTP statuses and messages, verbatim where a document gives them:
//! seed 004 (CreateKeyPair), the ImportKeyPair and DeleteKeyPairs error tables (apis.md §3.4), and
//! the gateway codes of apis.md §3.3. Codes whose message no document gives are marked `(ours)`.

use std::fmt;

/// An ECS API error: the documented code, HTTP status and message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EcsError {
    pub code: String,
    pub status: u16,
    pub message: String,
}

/// Code, HTTP status and message of every error the emulator answers with.
pub const TABLE: &[(&str, u16, &str)] = &[
    // Seed 004 "Error codes" (CreateKeyPair).
    ("InvalidKeyPairName.Malformed", 400, "Specified Key Pair name is not valid."),
    ("KeyPair.AlreadyExist", 400, "The key pair already exist."),
    ("Duplicate.TagKey", 400, "The Tag.N.Key contain duplicate key."),
    ("InvalidTagKey.Malformed", 400, "The specified Tag.n.Key is not valid."),
    ("InvalidTagValue.Malformed", 400, "The specified Tag.n.Value is not valid."),
    ("QuotaExceed.KeyPair", 403, "The key pair quota exceeds."),
    ("QuotaExceed.Tags", 403, "%s"),
    ("InvalidRegionId.NotFound", 404, "The RegionId provided does not exist in our records."),
    ("InvalidResourceGroup.NotFound", 404, "The ResourceGroup provided does not exist in our records."),
    // ImportKeyPair error table.
    ("InvalidPublicKeyBody.Malformed", 400, "The PublicKeyBody format is not supported."),
    ("InternalError", 500, "The request processing has failed due to some unknown error."),
    // DeleteKeyPairs error table.
    ("InvalidKeyPairNames.ValueNotSupported", 400, "The specified parameter \"KeyPairNames\" is not valid."),
    (
        "InvalidParameter.KeypairAlreadyAttachedInstance",
        400,
        "The specified parameter \"KeyPairNames\" attached to instances can not be deleted.",
    ),
    ("InstanceKeyPairLimitExceeded", 403, "Exceeding the allowed amount of instance which will be deleted."),
    // Gateway codes (apis.md §3.3).
    ("MissingParameter", 400, "The input parameter \"%s\" that is mandatory for processing this request is not supplied."),
    ("InvalidParameter", 400, "The specified parameter \"%s\" is not valid."),
    ("InvalidParameter.Format", 400, "Specified parameter Format is not valid."),
    ("IncompleteSignature", 400, "The request signature does not conform to Aliyun standards."),
    ("SignatureDoesNotMatch", 400, "Specified signature is not matched with our calculation."),
    ("InvalidSignatureMethod", 400, "Specified signature method is not supported."),
    ("InvalidTimeStamp.Format", 400, "Specified time stamp or date value is not well formatted."),
    ("InvalidTimeStamp.Expired", 400, "Specified time stamp or date value is expired."),
    ("SignatureNonceUsed", 400, "Specified signature nonce was used already."),
    ("InvalidAccessKeyId.NotFound", 404, "Specified access key is not found."),
    ("InvalidVersion", 400, "Specified parameter Version is not valid."),
    ("InvalidApi.NotFound", 404, "Specified api is not found, please check your url and method."),
    ("UnsupportedHTTPMethod", 400, "This http method is not supported."),
    ("Throttling", 400, "Request was denied due to request throttling."),
    ("Throttling.User", 400, "Request was denied due to user flow control."),
    ("Forbidden.RAM", 403, "User not authorized to operate on the specified resource, or this API doesn't support RAM."),
    ("ServiceUnavailable", 503, "The request has failed due to a temporary failure of the server."),
];

impl EcsError {
    /// The error `code` with its documented status and message. An unknown code (an injected
    /// fault) keeps the code and gets 400 (4xx: the SDKs raise a client error) and a generic message.
    pub fn new(code: &str) -> Self {
        match TABLE.iter().find(|(c, _, _)| *c == code) {
            Some((_, status, message)) => Self { code: code.into(), status: *status, message: (*message).into() },
            None => Self { code: code.into(), status: 400, message: "Injected error.".into() },
        }
    }

    /// A code whose message is a `%s` template, filled with `value`.
    fn templated(code: &str, value: &str) -> Self {
        let mut error = Self::new(code);
        error.message = error.message.replacen("%s", value, 1);
        error
    }

    pub fn missing_parameter(name: &str) -> Self {
        Self::templated("MissingParameter", name)
    }

    pub fn invalid_parameter(name: &str) -> Self {
        Self::templated("InvalidParameter", name)
    }

    /// `QuotaExceed.Tags`, whose documented message is `%s` "returned based on call conditions" (ours).
    pub fn too_many_tags(max: usize) -> Self {
        Self::templated("QuotaExceed.Tags", &format!("The number of tags exceeds the upper limit of {max}."))
    }

    /// `SignatureDoesNotMatch`, with the string to sign the emulator computed after a colon:
    /// aliyun-python-sdk-core splits this message on `:` and fails if there is none (apis.md §6).
    pub fn signature_does_not_match(string_to_sign: &str) -> Self {
        let mut error = Self::new("SignatureDoesNotMatch");
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
        let e = EcsError::new("QuotaExceed.KeyPair");
        assert_eq!((e.status, e.message.as_str()), (403, "The key pair quota exceeds."));
        assert_eq!(EcsError::new("InternalError").status, 500);
        assert_eq!(EcsError::new("SomethingInjected").status, 400);
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
        let mut codes: Vec<_> = TABLE.iter().map(|(c, _, _)| *c).collect();
        codes.sort_unstable();
        let before = codes.len();
        codes.dedup();
        assert_eq!(before, codes.len());
    }
}
