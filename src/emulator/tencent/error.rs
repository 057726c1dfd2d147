//! Tencent's error envelope and the common error codes of every API 3.0 product
//! (shared/reference/apis.md §1.2, §1.3): `{"Response": {"Error": {"Code", "Message"}, "RequestId"}}`,
//! delivered with HTTP 200.

use std::fmt;

use crate::emulator::codes::Documented;

/// A Tencent API error: a documented code and its message. Product codes come from the product's
/// [`Documented`] enum; the common codes from the constructors here, each written once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TencentError {
    pub code: String,
    pub message: String,
    /// Which value failed, for the emulator's log only: never appended to the documented message.
    pub detail: Option<String>,
}

impl<C: Documented> From<C> for TencentError {
    fn from(code: C) -> Self {
        Self::new(code.code(), code.message())
    }
}

impl TencentError {
    fn new(code: &str, message: impl Into<String>) -> Self {
        Self { code: code.to_string(), message: message.into(), detail: None }
    }

    /// The documented error `code`, with `detail` for the log (the answer keeps the documented message).
    pub fn documented(code: impl Documented, detail: impl Into<String>) -> Self {
        let detail = detail.into();
        Self { detail: (!detail.is_empty()).then_some(detail), ..Self::from(code) }
    }

    /// The same error, with `detail` (which value failed) for the log.
    pub fn with_detail(self, detail: impl Into<String>) -> Self {
        Self { detail: Some(detail.into()), ..self }
    }

    /// An injected fault's code: its documented message if `C` knows the code, else a message
    /// saying it was injected (any code can be injected through the control API).
    pub fn injected<C: Documented>(code: &str) -> Self {
        match C::from_code(code) {
            Some(known) => Self::from(known),
            None => Self::new(code, "Injected error."),
        }
    }

    pub fn unknown_parameter(name: &str) -> Self {
        Self::new("UnknownParameter", format!("The parameter `{name}` is not recognized."))
    }

    pub fn missing_parameter(name: &str) -> Self {
        Self::new("MissingParameter", format!("The request is missing a required parameter `{name}`."))
    }

    pub fn invalid_parameter(message: impl Into<String>) -> Self {
        Self::new("InvalidParameter", message)
    }

    pub fn invalid_parameter_value(message: impl Into<String>) -> Self {
        Self::new("InvalidParameterValue", message)
    }

    pub fn invalid_authorization(why: &str) -> Self {
        Self::new("AuthFailure.InvalidAuthorization", format!("Authorization header format error: {why}."))
    }

    pub fn secret_id_not_found() -> Self {
        Self::new("AuthFailure.SecretIdNotFound", "The SecretId is not found, please ensure that your SecretId is correct.")
    }

    pub fn signature_expire(request: i64, server: i64) -> Self {
        Self::new("AuthFailure.SignatureExpire", format!("Signature expired. Timestamp date is {request}, server date is {server}."))
    }

    pub fn signature_failure() -> Self {
        Self::new(
            "AuthFailure.SignatureFailure",
            "The provided credentials could not be validated. Please check your signature is correct.",
        )
    }

    pub fn invalid_action(action: &str) -> Self {
        Self::new("InvalidAction", format!("The action `{action}` is not supported."))
    }

    pub fn no_such_version(version: &str) -> Self {
        Self::new("NoSuchVersion", format!("The API version `{version}` does not exist."))
    }

    pub fn no_such_product(service: &str) -> Self {
        Self::new("NoSuchProduct", format!("The product `{service}` does not exist."))
    }

    /// `per_second`: the action's documented limit, which the message names.
    pub fn request_limit_exceeded(per_second: u32) -> Self {
        Self::new(
            "RequestLimitExceeded",
            format!(
                "Your current request times equals to `{per_second}` in a second, which exceeds the frequency limit `{per_second}` for a second. Please reduce the frequency of calls."
            ),
        )
    }

    pub fn request_size_limit_exceeded() -> Self {
        Self::new("RequestSizeLimitExceeded", "The request size exceeds the upper limit.")
    }

    /// A body that could not be read (a malformed chunk size); the message is ours.
    pub fn invalid_request() -> Self {
        Self::new("InvalidRequest", "The request could not be read.")
    }

    pub fn unsupported_protocol(method: &str) -> Self {
        Self::new("UnsupportedProtocol", format!("HTTP method `{method}` is not supported; use GET or POST."))
    }

    pub fn unauthorized_operation() -> Self {
        Self::new("AuthFailure.UnauthorizedOperation", "The request is not authorized by CAM.")
    }

    pub fn unsupported_region(region: &str) -> Self {
        Self::new("UnsupportedRegion", format!("The action is not supported in region `{region}`."))
    }
}

impl fmt::Display for TencentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for TencentError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_throttling_message_names_the_actions_limit() {
        let message = TencentError::request_limit_exceeded(20).message;
        assert!(message.contains("frequency limit `20` for a second"), "{message}");
    }
}
