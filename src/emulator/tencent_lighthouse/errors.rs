//! Lighthouse's key-pair error codes with their documented messages: CreateKeyPair's verbatim from
//! seed 001 §6; the other actions' codes from apis.md §1.5 (Go intl SDK `lighthouse/v20200324/
//! client.go`), with the descriptions of the same SDK family's Lighthouse error-code list.

use crate::emulator::tencent::TencentError;

/// Code and message of every business error the Lighthouse key-pair actions document.
pub const TABLE: &[(&str, &str)] = &[
    // Seed 001 §6 (CreateKeyPair), verbatim.
    ("FailedOperation.CreateKeyPairFailed", "Failed to create the key pair."),
    ("InvalidParameterValue.DuplicateParameterValue", "The parameter KeyName already exists and is duplicate."),
    ("InvalidParameterValue.InvalidKeyPairNameEmpty", "Invalid parametric value."),
    ("InvalidParameterValue.InvalidKeyPairNameIncludeIllegalChar", "The key pair name is invalid."),
    ("InvalidParameterValue.InvalidKeyPairNameTooLong", "The parameter length is invalid."),
    ("LimitExceeded.KeyPairLimitExceeded", "The key pair quota is exceeded."),
    ("UnauthorizedOperation.NoPermission", "No permission."),
    // ImportKeyPair, DescribeKeyPairs, DeleteKeyPairs (apis.md §1.5).
    ("FailedOperation.DeleteKeyPairFailed", "Failed to delete the key pair."),
    ("FailedOperation.ImportKeyPairFailed", "Failed to import the key pair."),
    (
        "InvalidParameterValue.KeyPairPublicKeyDuplicated",
        "The public key of this key pair already exists in the system and cannot be reused.",
    ),
    ("InvalidParameterValue.KeyPairPublicKeyMalformed", "The format of the specified public key is incorrect."),
    ("FailedOperation", "Operation failed."),
    ("InvalidParameter.InvalidFilter", "Invalid parameter: the `Filter` parameter is invalid."),
    ("InvalidParameter.ParameterConflict", "Invalid parameter: the parameters conflict."),
    ("InvalidParameterValue.Duplicated", "Invalid parameter value: duplicate values are not allowed."),
    ("InvalidParameterValue.KeyPairIdMalformed", "Invalid parametric value: the key pair ID format is invalid."),
    ("InvalidParameterValue.LimitExceeded", "Invalid parametric value: the number of parameter values exceeds the upper limit."),
    ("InvalidParameterValue.Negative", "Invalid parametric value: it cannot be negative."),
    ("InvalidParameterValue.OutOfRange", "Invalid parametric value: it is not within the valid range."),
    ("ResourceInUse.KeyPairInUse", "The key pair is in use."),
    ("ResourceNotFound.KeyIdNotFound", "The key pair ID does not exist."),
    (
        "UnsupportedOperation.KeyPairBindToBlueprints",
        "Unsupported operation: the `KeyPair` has a binding relationship with the image. Before performing this operation, please delete the custom image bound to the key pair.",
    ),
    // Common codes used by the rules.
    ("InvalidParameterValue", "Incorrect parameter value."),
    ("InvalidParameter", "Incorrect parameter."),
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
    let detail = detail.as_ref();
    if !detail.is_empty() {
        error.message = format!("{} {detail}", error.message);
    }
    error
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_messages_verbatim() {
        let mut codes: Vec<&str> = TABLE.iter().map(|(c, _)| *c).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), TABLE.len());
        assert_eq!(by_code("LimitExceeded.KeyPairLimitExceeded").message, "The key pair quota is exceeded.");
        assert_eq!(by_code("Made.Up").message, "Injected error.");
        assert_eq!(with_detail("InvalidParameterValue.InvalidKeyPairNameEmpty", "").message, "Invalid parametric value.");
    }
}
