//! Checks applied to responses: JSON Schemas written from the docs (compiled once per run),
//! key-pair consistency, secret scrubbing for anything shown to people, and snapshots in insta's
//! format whose volatile fields are shape-checked before they are redacted.

pub mod keys;
pub mod pointer;
pub mod redact;
pub mod schema;
pub mod secrets;
pub mod snapfile;
pub mod snapshot;
