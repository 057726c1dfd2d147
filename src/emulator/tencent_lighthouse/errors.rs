//! Lighthouse's key-pair error codes with their documented messages: CreateKeyPair's verbatim from
//! seed 001 §6; the other actions' codes from apis.md §1.5 (Go intl SDK `lighthouse/v20200324/
//! client.go`), with the descriptions of the same SDK family's Lighthouse error-code list.

use crate::emulator::codes::documented_codes;

documented_codes! {
    /// Every business error the Lighthouse key-pair actions document. Rows: `errors.tsv`.
    pub enum LighthouseCode in "errors.tsv" {
        CreateKeyPairFailed, DuplicateParameterValue, KeyPairNameEmpty, KeyPairNameIncludeIllegalChar, KeyPairNameTooLong,
        KeyPairLimitExceeded, NoPermission, DeleteKeyPairFailed, ImportKeyPairFailed, PublicKeyDuplicated, PublicKeyMalformed,
        FailedOperation, InvalidFilter, ParameterConflict, Duplicated, KeyPairIdMalformed, ValueLimitExceeded, Negative, OutOfRange,
        KeyPairInUse, KeyIdNotFound, KeyPairBindToBlueprints, InvalidParameterValue, InvalidParameter,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emulator::tencent::error::TencentError;

    /// Unique codes: the table's own test (`documented_codes!`).
    #[test]
    fn messages_are_verbatim() {
        assert_eq!(TencentError::from(LighthouseCode::KeyPairLimitExceeded).message, "The key pair quota is exceeded.");
        assert_eq!(TencentError::injected::<LighthouseCode>("Made.Up").message, "Injected error.");
        assert_eq!(TencentError::from(LighthouseCode::KeyPairNameEmpty).message, "Invalid parametric value.");
    }
}
