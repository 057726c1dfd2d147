//! Tencent's error envelope and the common error codes of every API 3.0 product
//! (shared/reference/apis.md §1.2, §1.3): `{"Response": {"Error": {"Code", "Message"}, "RequestId"}}`,
//! delivered with HTTP 200.

use std::fmt;

/// A Tencent API error: a documented code and its message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TencentError {
    pub code: String,
    pub message: String,
}

impl TencentError {
    pub fn new(code: &str, message: impl Into<String>) -> Self {
        Self { code: code.to_string(), message: message.into() }
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

    pub fn request_limit_exceeded() -> Self {
        Self::new(
            "RequestLimitExceeded",
            "Your current request times equals to `10` in a second, which exceeds the frequency limit `10` for a second. Please reduce the frequency of calls.",
        )
    }

    pub fn request_size_limit_exceeded() -> Self {
        Self::new("RequestSizeLimitExceeded", "The request size exceeds the upper limit.")
    }

    pub fn unsupported_protocol(method: &str) -> Self {
        Self::new("UnsupportedProtocol", format!("HTTP method `{method}` is not supported; use GET or POST."))
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
