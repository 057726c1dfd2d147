//! CVM's key-pair error codes with their documented messages, verbatim from the error tables of
//! seed 000 §6 and seed 003 §6; DescribeKeyPairs/DeleteKeyPairs codes from apis.md §1.4.

use crate::emulator::tencent::TencentError;

/// Code and message of every business error the CVM key-pair actions document.
pub const TABLE: &[(&str, &str)] = &[
    ("FailedOperation.TagKeyReserved", "The tag key specified in the request is reserved for the system."),
    ("InternalServerError", "Internal error."),
    ("InvalidKeyPair.LimitExceeded", "The number of key pairs exceeds the limit."),
    ("InvalidKeyPairName.Duplicate", "Key pair name already exists."),
    ("InvalidKeyPairNameEmpty", "The key name cannot be empty."),
    (
        "InvalidKeyPairNameIncludeIllegalChar",
        "The key name contains invalid characters. Key names can only contain letters, numbers and underscores.",
    ),
    ("InvalidKeyPairNameTooLong", "The key name cannot exceed 25 characters."),
    ("InvalidParameterValue", "Incorrect parameter value."),
    ("InvalidProjectId.NotFound", "Invalid project ID: the specified project ID does not exist."),
    ("LimitExceeded.TagResourceQuota", "Exceeded the upper limit of resources bound to the tag."),
    ("MissingParameter", "Missing parameter."),
    ("InvalidPublicKey.Duplicate", "Invalid public key: the specified key already exists."),
    ("InvalidPublicKey.Malformed", "Invalid public key: the specified public key does not meet the OpenSSH RSA format requirements."),
    ("InvalidKeyPairId.Malformed", "Invalid key pair ID. The specified key pair ID has an invalid format."),
    ("InvalidKeyPairId.NotFound", "Invalid key pair ID. The specified key pair ID does not exist."),
    ("InvalidFilter", "Invalid filter."),
    ("InvalidParameterValue.LimitExceeded", "The number of parameter values exceeds the limit."),
    ("InvalidParameterValueLimit", "Invalid parameter value: Limit."),
    ("InvalidParameterValueOffset", "Invalid parameter value: Offset."),
    ("InvalidParameter", "Invalid parameter."),
];

/// The error for `code` with its documented message (an unknown code keeps the code and gets a
/// generic message, so any code can be injected as a fault).
pub fn by_code(code: &str) -> TencentError {
    let message = TABLE.iter().find(|(c, _)| *c == code).map(|(_, m)| *m).unwrap_or("Injected error.");
    TencentError::new(code, message)
}

/// The documented error `code`, with `detail` appended to its message to say which value failed.
pub fn with_detail(code: &str, detail: impl AsRef<str>) -> TencentError {
    let mut error = by_code(code);
    if !detail.as_ref().is_empty() {
        error.message = format!("{} {}", error.message, detail.as_ref());
    }
    error
}
