//! CVM's key-pair error codes with their documented messages, verbatim from the error tables of
//! seed 000 §6 and seed 003 §6; DescribeKeyPairs/DeleteKeyPairs codes from apis.md §1.4.

use crate::emulator::codes::documented_codes;

documented_codes! {
    /// Every business error the CVM key-pair actions document.
    pub enum CvmCode {
        TagKeyReserved = "FailedOperation.TagKeyReserved" => "The tag key specified in the request is reserved for the system.",
        InternalServerError = "InternalServerError" => "Internal error.",
        KeyPairLimitExceeded = "InvalidKeyPair.LimitExceeded" => "The number of key pairs exceeds the limit.",
        KeyPairNameDuplicate = "InvalidKeyPairName.Duplicate" => "Key pair name already exists.",
        KeyPairNameEmpty = "InvalidKeyPairNameEmpty" => "The key name cannot be empty.",
        KeyPairNameIncludeIllegalChar = "InvalidKeyPairNameIncludeIllegalChar"
            => "The key name contains invalid characters. Key names can only contain letters, numbers and underscores.",
        KeyPairNameTooLong = "InvalidKeyPairNameTooLong" => "The key name cannot exceed 25 characters.",
        InvalidParameterValue = "InvalidParameterValue" => "Incorrect parameter value.",
        ProjectIdNotFound = "InvalidProjectId.NotFound" => "Invalid project ID: the specified project ID does not exist.",
        TagResourceQuota = "LimitExceeded.TagResourceQuota" => "Exceeded the upper limit of resources bound to the tag.",
        MissingParameter = "MissingParameter" => "Missing parameter.",
        PublicKeyDuplicate = "InvalidPublicKey.Duplicate" => "Invalid public key: the specified key already exists.",
        PublicKeyMalformed = "InvalidPublicKey.Malformed"
            => "Invalid public key: the specified public key does not meet the OpenSSH RSA format requirements.",
        KeyPairIdMalformed = "InvalidKeyPairId.Malformed" => "Invalid key pair ID. The specified key pair ID has an invalid format.",
        KeyPairIdNotFound = "InvalidKeyPairId.NotFound" => "Invalid key pair ID. The specified key pair ID does not exist.",
        InvalidFilter = "InvalidFilter" => "Invalid filter.",
        ValueLimitExceeded = "InvalidParameterValue.LimitExceeded" => "The number of parameter values exceeds the limit.",
        InvalidLimit = "InvalidParameterValueLimit" => "Invalid parameter value: Limit.",
        InvalidOffset = "InvalidParameterValueOffset" => "Invalid parameter value: Offset.",
        InvalidParameter = "InvalidParameter" => "Invalid parameter.",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emulator::codes::Documented;
    use crate::emulator::tencent::TencentError;

    #[test]
    fn codes_are_unique_and_faults_get_their_documented_message() {
        let mut codes: Vec<&str> = CvmCode::all().iter().map(|c| c.code()).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), CvmCode::all().len());
        assert_eq!(TencentError::injected::<CvmCode>("InternalServerError").message, "Internal error.");
    }
}
