//! The emulator's request log: one line per request, redacted — never a body, a signature, a
//! secret or a key. On a signature failure it shows what the emulator expected to be signed, so a
//! user can see why their client's signature differs.

use crate::sign::Expected;

#[derive(Debug)]
pub struct Log {
    enabled: bool,
}

impl Log {
    pub fn new(enabled: bool) -> Self {
        Self { enabled }
    }

    /// One request: method, path, the product and action it was routed to, and the outcome.
    pub fn request(&self, method: &str, path: &str, route: &str, outcome: &str, millis: u128) {
        if self.enabled {
            eprintln!("{method} {path} {route} -> {outcome} ({millis} ms)");
        }
    }

    /// What the emulator computed when a signature did not match.
    pub fn signature_mismatch(&self, secret_id: &str, expected: &Expected) {
        if self.enabled {
            eprintln!("  signature mismatch for {secret_id}; the emulator expected:");
            if let Some(canonical) = &expected.canonical_request {
                eprintln!("  canonical request:\n{}", indent(canonical));
            }
            eprintln!("  string to sign:\n{}", indent(&expected.string_to_sign));
        }
    }

    /// Anything else worth a line (start-up, control API use).
    pub fn note(&self, text: &str) {
        if self.enabled {
            eprintln!("{text}");
        }
    }
}

fn indent(text: &str) -> String {
    text.lines().map(|l| format!("    {l}")).collect::<Vec<_>>().join("\n")
}
