//! CVM's key-pair error codes with their documented messages, verbatim from the error tables of
//! seed 000 §6 and seed 003 §6; DescribeKeyPairs/DeleteKeyPairs codes from apis.md §1.4.

use crate::emulator::codes::documented_codes;

documented_codes! {
    /// Every business error the CVM key-pair actions document. Rows: `errors.tsv`.
    pub enum CvmCode in "errors.tsv" {
        TagKeyReserved, InternalServerError, KeyPairLimitExceeded, KeyPairNameDuplicate, KeyPairNameEmpty, KeyPairNameIncludeIllegalChar,
        KeyPairNameTooLong, InvalidParameterValue, ProjectIdNotFound, TagResourceQuota, MissingParameter, PublicKeyDuplicate,
        PublicKeyMalformed, KeyPairIdMalformed, KeyPairIdNotFound, InvalidFilter, ValueLimitExceeded, InvalidLimit, InvalidOffset,
        InvalidParameter,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emulator::tencent::error::TencentError;

    /// Unique codes: the table's own test (`documented_codes!`).
    #[test]
    fn faults_get_their_documented_message() {
        assert_eq!(TencentError::injected::<CvmCode>("InternalServerError").message, "Internal error.");
    }
}
