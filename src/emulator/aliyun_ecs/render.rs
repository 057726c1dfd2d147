//! The ECS envelopes (apis.md §3.2): a flat object with `RequestId` on success (HTTP 200),
//! `{RequestId, HostId, Code, Message, Recommend}` with the code's HTTP status on error; as JSON,
//! or as XML rooted at `<ActionResponse>` / `<Error>`.

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Map, Value};

use super::errors::EcsError;
use super::request::Format;
use crate::emulator::wire::{Outcome, Served, text_response};

pub const JSON_CONTENT_TYPE: &str = "application/json;charset=utf-8";
pub const XML_CONTENT_TYPE: &str = "text/xml;charset=utf-8";

/// A successful answer: `RequestId` first, then the action's fields.
pub fn success(route: String, action: &str, request_id: &str, fields: Map<String, Value>, format: Format) -> Served {
    let mut body = Map::new();
    body.insert("RequestId".into(), Value::String(request_id.into()));
    body.extend(fields);
    let response = respond(StatusCode::OK, &format!("{action}Response"), &Value::Object(body), format);
    Served { route, outcome: Outcome::ok(), response }
}

/// An error answer. `host_id` is the endpoint that answered, e.g. `ecs.cn-hangzhou.aliyuncs.com`.
pub fn error(route: String, request_id: &str, host_id: &str, error: &EcsError, format: Format) -> Served {
    let body = serde_json::json!({
        "RequestId": request_id,
        "HostId": host_id,
        "Code": error.code,
        "Message": error.message,
        "Recommend": format!("https://api.aliyun.com/troubleshoot?q={}&product=Ecs&requestId={request_id}", error.code),
    });
    let status = StatusCode::from_u16(error.status).unwrap_or(StatusCode::BAD_REQUEST);
    let response = respond(status, "Error", &body, format);
    Served { route, outcome: Outcome::error(&error.code, error.detail.as_deref()), response }
}

fn respond(status: StatusCode, root: &str, body: &Value, format: Format) -> Response {
    match format {
        Format::Json => text_response(status, JSON_CONTENT_TYPE, serde_json::to_string(body).unwrap_or_else(|_| "{}".into())),
        Format::Xml => text_response(status, XML_CONTENT_TYPE, to_xml(root, body)),
    }
}

/// XML the way the RPC gateway writes it: objects become child elements, and a list becomes one
/// element per item named after the list (`"KeyPair": [a, b]` → `<KeyPair>a</KeyPair><KeyPair>b</KeyPair>`).
pub fn to_xml(root: &str, value: &Value) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>");
    element(&mut out, root, value);
    out
}

fn element(out: &mut String, name: &str, value: &Value) {
    match value {
        Value::Array(items) => items.iter().for_each(|item| element(out, name, item)),
        Value::Object(map) => {
            out.push_str(&format!("<{name}>"));
            map.iter().for_each(|(k, v)| element(out, k, v));
            out.push_str(&format!("</{name}>"));
        }
        Value::Null => out.push_str(&format!("<{name}/>")),
        Value::String(s) => out.push_str(&format!("<{name}>{}</{name}>", escape(s))),
        other => out.push_str(&format!("<{name}>{other}</{name}>")),
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&apos;")
}

#[cfg(test)]
mod tests {
    use super::super::errors::EcsCode;
    use super::*;
    use axum::http::header;
    use serde_json::json;

    #[test]
    fn xml_repeats_list_items_under_the_list_name() {
        let body = json!({"RequestId": "R", "KeyPairs": {"KeyPair": [{"KeyPairName": "a&b"}, {"KeyPairName": "c"}]}, "TotalCount": 2});
        assert_eq!(
            to_xml("DescribeKeyPairsResponse", &body),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><DescribeKeyPairsResponse><RequestId>R</RequestId><KeyPairs>\
             <KeyPair><KeyPairName>a&amp;b</KeyPairName></KeyPair><KeyPair><KeyPairName>c</KeyPairName></KeyPair>\
             </KeyPairs><TotalCount>2</TotalCount></DescribeKeyPairsResponse>"
        );
    }

    #[tokio::test]
    async fn errors_carry_their_status_and_the_five_fields() {
        let response = error("ecs".into(), "ID-1", "ecs.aliyuncs.com", &EcsError::new(EcsCode::KeyPairQuotaExceed), Format::Json).response;
        assert_eq!(response.status(), 403);
        assert_eq!(response.headers()[header::CONTENT_TYPE], JSON_CONTENT_TYPE);
        let bytes = axum::body::to_bytes(response.into_body(), 10_000).await.unwrap();
        let body: Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(body["Code"], "QuotaExceed.KeyPair");
        assert_eq!(body["Recommend"], "https://api.aliyun.com/troubleshoot?q=QuotaExceed.KeyPair&product=Ecs&requestId=ID-1");
        let xml = error("ecs".into(), "ID-1", "ecs.aliyuncs.com", &EcsError::new(EcsCode::InternalError), Format::Xml).response;
        assert_eq!(
            (xml.status().as_u16(), &xml.headers()[header::CONTENT_TYPE]),
            (500, &XML_CONTENT_TYPE.parse::<axum::http::HeaderValue>().unwrap())
        );
    }
}
