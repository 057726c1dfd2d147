//! Lighthouse's key-pair error codes with their documented messages: CreateKeyPair's verbatim from
//! seed 001 §6; the other actions' codes from apis.md §1.5 (Go intl SDK `lighthouse/v20200324/
//! client.go`), with the descriptions of the same SDK family's Lighthouse error-code list.

use crate::emulator::codes::documented_codes;

documented_codes! {
    /// Every business error the Lighthouse key-pair actions document.
    pub enum LighthouseCode {
        // Seed 001 §6 (CreateKeyPair), verbatim.
        CreateKeyPairFailed = "FailedOperation.CreateKeyPairFailed" => "Failed to create the key pair.",
        DuplicateParameterValue = "InvalidParameterValue.DuplicateParameterValue" => "The parameter KeyName already exists and is duplicate.",
        KeyPairNameEmpty = "InvalidParameterValue.InvalidKeyPairNameEmpty" => "Invalid parametric value.",
        KeyPairNameIncludeIllegalChar = "InvalidParameterValue.InvalidKeyPairNameIncludeIllegalChar" => "The key pair name is invalid.",
        KeyPairNameTooLong = "InvalidParameterValue.InvalidKeyPairNameTooLong" => "The parameter length is invalid.",
        KeyPairLimitExceeded = "LimitExceeded.KeyPairLimitExceeded" => "The key pair quota is exceeded.",
        NoPermission = "UnauthorizedOperation.NoPermission" => "No permission.",
        // ImportKeyPair, DescribeKeyPairs, DeleteKeyPairs (apis.md §1.5).
        DeleteKeyPairFailed = "FailedOperation.DeleteKeyPairFailed" => "Failed to delete the key pair.",
        ImportKeyPairFailed = "FailedOperation.ImportKeyPairFailed" => "Failed to import the key pair.",
        PublicKeyDuplicated = "InvalidParameterValue.KeyPairPublicKeyDuplicated"
            => "The public key of this key pair already exists in the system and cannot be reused.",
        PublicKeyMalformed = "InvalidParameterValue.KeyPairPublicKeyMalformed" => "The format of the specified public key is incorrect.",
        FailedOperation = "FailedOperation" => "Operation failed.",
        InvalidFilter = "InvalidParameter.InvalidFilter" => "Invalid parameter: the `Filter` parameter is invalid.",
        ParameterConflict = "InvalidParameter.ParameterConflict" => "Invalid parameter: the parameters conflict.",
        Duplicated = "InvalidParameterValue.Duplicated" => "Invalid parameter value: duplicate values are not allowed.",
        KeyPairIdMalformed = "InvalidParameterValue.KeyPairIdMalformed" => "Invalid parametric value: the key pair ID format is invalid.",
        ValueLimitExceeded = "InvalidParameterValue.LimitExceeded"
            => "Invalid parametric value: the number of parameter values exceeds the upper limit.",
        Negative = "InvalidParameterValue.Negative" => "Invalid parametric value: it cannot be negative.",
        OutOfRange = "InvalidParameterValue.OutOfRange" => "Invalid parametric value: it is not within the valid range.",
        KeyPairInUse = "ResourceInUse.KeyPairInUse" => "The key pair is in use.",
        KeyIdNotFound = "ResourceNotFound.KeyIdNotFound" => "The key pair ID does not exist.",
        KeyPairBindToBlueprints = "UnsupportedOperation.KeyPairBindToBlueprints"
            => "Unsupported operation: the `KeyPair` has a binding relationship with the image. Before performing this operation, please delete the custom image bound to the key pair.",
        // Common codes used by the rules.
        InvalidParameterValue = "InvalidParameterValue" => "Incorrect parameter value.",
        InvalidParameter = "InvalidParameter" => "Incorrect parameter.",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emulator::codes::Documented;
    use crate::emulator::tencent::TencentError;

    #[test]
    fn codes_are_unique_and_messages_verbatim() {
        let mut codes: Vec<&str> = LighthouseCode::all().iter().map(|c| c.code()).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), LighthouseCode::all().len());
        assert_eq!(TencentError::from(LighthouseCode::KeyPairLimitExceeded).message, "The key pair quota is exceeded.");
        assert_eq!(TencentError::injected::<LighthouseCode>("Made.Up").message, "Injected error.");
        assert_eq!(TencentError::from(LighthouseCode::KeyPairNameEmpty).message, "Invalid parametric value.");
    }
}
