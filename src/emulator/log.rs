//! The emulator's request log: one line per request, redacted — never a body, a signature, a
//! secret, a session token or a key. On a signature failure it shows what the emulator expected to
//! be signed, so a user can see why their client's signature differs.
//!
//! Every value that came from a request is escaped before it is written ([`escape`]): a client
//! cannot start a forged log line with CR or LF, move the cursor with ESC sequences, or hide text
//! with bidirectional overrides. Credential-bearing fields are redacted in the signature dump
//! whatever the client chose to sign ([`redact`]), and secret ids are shortened ([`mask_id`]).

use std::sync::{LazyLock, Mutex};

use regex::Regex;

use crate::sign::Expected;

#[derive(Debug)]
pub struct Log {
    enabled: bool,
    /// When set, lines are kept here instead of written to stderr (tests).
    captured: Mutex<Option<Vec<String>>>,
}

impl Log {
    pub fn new(enabled: bool) -> Self {
        Self { enabled, captured: Mutex::new(None) }
    }

    /// Keeps every later line in memory instead of writing it (tests read them with [`Log::lines`]).
    pub fn capture(&self) {
        *self.captured.lock().unwrap_or_else(|e| e.into_inner()) = Some(Vec::new());
    }

    /// The lines kept since [`Log::capture`].
    pub fn lines(&self) -> Vec<String> {
        self.captured.lock().unwrap_or_else(|e| e.into_inner()).clone().unwrap_or_default()
    }

    fn write(&self, line: String) {
        let mut captured = self.captured.lock().unwrap_or_else(|e| e.into_inner());
        match captured.as_mut() {
            Some(lines) => lines.push(line),
            None => eprintln!("{line}"),
        }
    }

    /// One request: method, path, the product and action it was routed to, and the outcome (shown
    /// only when the log is enabled, so a quiet emulator formats nothing per request).
    pub fn request(&self, method: &str, path: &str, route: &str, outcome: &dyn std::fmt::Display, millis: u128) {
        if self.enabled {
            let outcome = outcome.to_string();
            self.write(format!("{} {} {} -> {} ({millis} ms)", escape(method), escape(path), escape(route), escape(&outcome)));
        }
    }

    /// What the emulator computed when a signature did not match.
    pub fn signature_mismatch(&self, secret_id: &str, expected: &Expected) {
        if self.enabled {
            self.write(format!("  signature mismatch for {}; the emulator expected:", mask_id(secret_id)));
            if let Some(canonical) = &expected.canonical_request {
                self.write("  canonical request:".into());
                self.indented(canonical);
            }
            self.write("  string to sign:".into());
            self.indented(&expected.string_to_sign);
        }
    }

    fn indented(&self, text: &str) {
        // One log line per dump: a line break inside a signed value cannot be told from the
        // canonical request's own, so every LF is escaped (`\u{a}`) rather than started anew.
        self.write(format!("    {}", escape(&text.split('\n').map(redact).collect::<Vec<_>>().join("\n"))));
    }

    /// Anything else worth a line (start-up, control API use). Escaped like the rest.
    pub fn note(&self, text: &str) {
        if self.enabled {
            self.write(escape(text));
        }
    }
}

/// `text` with every character outside printable ASCII written as `\u{…}`, and `\` as `\\`:
/// no control character (CR, LF, ESC, DEL, C1), no bidirectional override and no look-alike can
/// reach the terminal or the log file raw.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ' '..='~' => out.push(c),
            _ => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
        }
    }
    out
}

static CREDENTIAL: LazyLock<Regex> = LazyLock::new(|| {
    // A credential-bearing name, then `=`, `%3D` (percent-encoded query in an RPC string to sign)
    // or `:` (a canonical header line); its value runs to the next `&`, `%26` or the end.
    Regex::new(
        r"(?i)(authorization|securitytoken|security-token|x-tc-token|token|accesskeysecret|secretkey|signature)(=|%3D|:)(.*?)(&|%26|$)",
    )
    .expect("the credential pattern is valid")
});

/// `line` with the value of every credential-bearing field (Authorization, session tokens,
/// signatures, secrets) replaced by `<redacted>`.
pub fn redact(line: &str) -> String {
    CREDENTIAL.replace_all(line, "$1$2<redacted>$4").into_owned()
}

/// A secret id shortened to its first and last four characters: enough to tell accounts apart.
pub fn mask_id(id: &str) -> String {
    let chars: Vec<char> = id.chars().collect();
    if chars.len() <= 10 {
        return "…".into();
    }
    let head: String = chars[..4].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{}…{}", escape(&head), escape(&tail))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn has_raw_control(line: &str) -> bool {
        line.chars().any(|c| c.is_control())
    }

    #[test]
    fn request_values_are_escaped() {
        let log = Log::new(true);
        log.capture();
        log.request("GET\r\nFAKE", "/\x1b[2J\u{202e}x\\", "cvm\nDescribeKeyPairs", &"200\x07", 1);
        let lines = log.lines();
        assert_eq!(lines.len(), 1);
        assert!(!has_raw_control(&lines[0]), "{:?}", lines[0]);
        assert_eq!(lines[0], "GET\\u{d}\\u{a}FAKE /\\u{1b}[2J\\u{202e}x\\\\ cvm\\u{a}DescribeKeyPairs -> 200\\u{7} (1 ms)");
    }

    #[test]
    fn the_signature_dump_redacts_credentials_and_escapes() {
        let log = Log::new(true);
        log.capture();
        let expected = Expected {
            canonical_request: Some(
                "POST\n/\nAction=X&SecurityToken=tok123&Signature=sig456\nauthorization:TC3-HMAC-SHA256 Credential=AKID/x, Signature=abc\nx-tc-token:tok789\rINJECT\nhost:h".into(),
            ),
            string_to_sign: "GET&%2F&AccessKeyId%3DAKID%26SecurityToken%3Dtok000%26Timestamp%3D1".into(),
        };
        log.signature_mismatch("AKIDabcdefghijklmnop", &expected);
        let text = log.lines().join("\n");
        for secret in ["tok123", "sig456", "Credential=AKID/x", "tok789", "tok000", "abcdefghijkl"] {
            assert!(!text.contains(secret), "{secret} leaked: {text}");
        }
        assert!(text.contains("Timestamp%3D1") && text.contains("Action=X") && text.contains("host:h"), "{text}");
        assert!(log.lines().iter().all(|l| !has_raw_control(l)), "{text}");
        assert!(text.contains("AKID…mnop"));
    }

    #[test]
    fn notes_are_escaped_and_disabled_logs_write_nothing() {
        let log = Log::new(true);
        log.capture();
        log.note("created\naccount");
        assert_eq!(log.lines(), vec!["created\\u{a}account".to_string()]);
        let quiet = Log::new(false);
        quiet.capture();
        quiet.request("GET", "/", "x", &"200", 0);
        assert!(quiet.lines().is_empty());
    }

    /// Through the router: hostile percent-decoded values (the action of an unsigned v1 request,
    /// an ECS Action) reach the log line escaped.
    #[tokio::test]
    async fn hostile_parameters_reach_the_log_escaped() {
        use crate::clock::Clock;
        use tower::ServiceExt;
        let config = crate::emulator::EmulatorConfig { log_requests: true, ..Default::default() };
        let emulator = crate::emulator::Emulator::new(config).with_default_account();
        emulator.log.capture();
        let id = crate::emulator::accounts::DEFAULT_SECRET_ID;
        let now = crate::clock::SystemClock.now_secs();
        let iso = crate::clock::iso8601_utc(now);
        let bodies = [
            format!(
                "Action=DescribeKeyPairs%0D%0AGET%20%2F%20FORGED%1B%5B2J&SecretId={id}&Signature=x%0D&Nonce=1&Timestamp={now}&Region=ap-guangzhou&Version=2017-03-12"
            ),
            format!(
                "Action=DescribeKeyPairs%0D%0AFORGED%1B&AccessKeyId={id}&Signature=x&SignatureMethod=HMAC-SHA1&SignatureVersion=1.0&SignatureNonce=n1&Timestamp={iso}&Version=2014-05-26&Format=JSON"
            ),
        ];
        for body in bodies {
            let request = axum::http::Request::post(format!("/?Action=Q%0D%0A{}", "%1B%5B31m"))
                .header("content-type", "application/x-www-form-urlencoded")
                .body(axum::body::Body::from(body))
                .unwrap();
            let _ = crate::emulator::router(emulator.clone()).oneshot(request).await.unwrap();
        }
        let lines = emulator.log.lines();
        assert!(lines.len() >= 2, "{lines:?}");
        assert!(
            lines.iter().any(|l| l.contains("\\u{d}\\u{a}")),
            "no hostile value reached the log, so this test proves nothing: {lines:?}"
        );
        for line in &lines {
            assert!(!has_raw_control(line), "raw control character in {line:?}");
        }
    }
}
