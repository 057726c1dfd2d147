//! Recognising an error from the legacy CVM v2 endpoint. A `Version=2017-03-12` call is answered
//! in the API 3.0 envelope (seed 002 §5), but the endpoint's older answers are flat JSON
//! `{"code": <int>, "message": "...", "codeDesc": "..."}` with `code` 0 on success (apis.md §2).
//! Such a failure must be judged an error, not a success that merely lacks fields.

use serde_json::Value;

/// The numeric codes apis.md §2 lists for flat answers, as text (a flat answer without
/// `codeDesc` is reported by its number). Any other non-zero number is `LegacyError`.
const NUMERIC_CODES: &[&str] = &[
    "4000", "4100", "4101", "4102", "4103", "4104", "4110", "4200", "4300", "4400", "4500", "4600", "5000", "5100", "5200", "5300", "5400",
    "5500", "6000", "6100", "6200",
];

/// The error code of a legacy answer, if it is an error: the API 3.0 envelope's `Error.Code`; else
/// for a flat answer whose `code` is not 0, its `codeDesc` (the Go SDK's error code), else the
/// `code` itself as text.
pub fn error_code(body: &Value) -> Option<&str> {
    if let Some(code) = body.pointer("/Response/Error/Code").and_then(Value::as_str) {
        return Some(code);
    }
    let code = body.get("code")?;
    let text = match code {
        Value::Number(n) if n.as_i64() == Some(0) => return None,
        Value::String(s) if s.trim() == "0" => return None,
        Value::String(s) => Some(s.as_str()),
        Value::Number(n) => n.as_i64().and_then(|n| NUMERIC_CODES.iter().copied().find(|c| c.parse() == Ok(n))),
        _ => return None,
    };
    let described = body.get("codeDesc").and_then(Value::as_str).filter(|d| !d.is_empty() && *d != "Success");
    Some(described.or(text).unwrap_or("LegacyError"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_api3_envelope_is_read_first() {
        let body = json!({"Response": {"Error": {"Code": "MissingParameter", "Message": "m"}, "RequestId": "r"}});
        assert_eq!(error_code(&body), Some("MissingParameter"));
        assert_eq!(error_code(&json!({"Response": {"KeyPair": {}, "RequestId": "r"}})), None);
    }

    #[test]
    fn a_flat_failure_is_an_error_named_by_code_desc_or_number() {
        let body = json!({"code": 4000, "message": "(100004)projectId不正确", "codeDesc": "InvalidProjectId"});
        assert_eq!(error_code(&body), Some("InvalidProjectId"));
        assert_eq!(error_code(&json!({"code": 4100, "message": "鉴权失败"})), Some("4100"));
        assert_eq!(error_code(&json!({"code": 4999, "message": "?"})), Some("LegacyError"));
        assert_eq!(error_code(&json!({"code": "4500", "message": "replay"})), Some("4500"));
        // An empty or "Success" codeDesc names nothing: the number does.
        assert_eq!(error_code(&json!({"code": 4100, "message": "m", "codeDesc": ""})), Some("4100"));
        assert_eq!(error_code(&json!({"code": 4100, "message": "m", "codeDesc": "Success"})), Some("4100"));
    }

    #[test]
    fn a_flat_success_is_not_an_error() {
        assert_eq!(error_code(&json!({"code": 0, "message": "", "codeDesc": "Success", "data": {}})), None);
        assert_eq!(error_code(&json!({"code": "0", "message": ""})), None);
        assert_eq!(error_code(&json!({"unrelated": 1})), None);
    }
}
