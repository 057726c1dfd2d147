//! The JUnit reporter: one `<testsuite>` per API, one `<testcase>` per case, valid against the
//! common Ant JUnit XSD (tests/fixtures/junit/JUnit.xsd): a failed case has one `<failure>`
//! holding all its failures with their diffs, a skipped one `<skipped>` with the reason. Drift
//! does not fail a case, so a drifting case passes and its diff goes to the suite's `<system-out>`.

use std::collections::BTreeMap;
use std::fmt::Write;

use crate::run::{CaseResult, Status, SuiteResult};

use super::text::failure_text;

/// The report as XML text.
pub fn render(suite: &SuiteResult) -> String {
    let timestamp = {
        let now = time::OffsetDateTime::now_utc();
        format!("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}", now.year(), now.month() as u8, now.day(), now.hour(), now.minute(), now.second())
    };
    let mut by_api: BTreeMap<&str, Vec<&CaseResult>> = BTreeMap::new();
    for case in &suite.cases {
        by_api.entry(&case.api).or_default().push(case);
    }
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n");
    for (id, (api, cases)) in by_api.iter().enumerate() {
        let count = |status: fn(&Status) -> bool| cases.iter().filter(|c| status(&c.status)).count();
        let time: f64 = cases.iter().map(|c| c.duration.as_secs_f64()).sum();
        let _ = writeln!(
            out,
            "  <testsuite name=\"{api}\" package=\"keypair-contract\" id=\"{id}\" timestamp=\"{timestamp}\" hostname=\"localhost\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"{}\" time=\"{time:.3}\">",
            cases.len(),
            count(|s| *s == Status::Failed),
            count(|s| matches!(s, Status::Skipped(_))),
        );
        let _ = writeln!(out, "    <properties>\n      <property name=\"target\" value=\"{}\"/>\n    </properties>", escape(&suite.target));
        let mut drift = String::new();
        for case in cases {
            let _ = write!(
                out,
                "    <testcase name=\"{}\" classname=\"{}\" time=\"{:.3}\"",
                escape(&case.id),
                escape(&case.api),
                case.duration.as_secs_f64()
            );
            match &case.status {
                Status::Failed => {
                    let first = case.contract_failures().chain(case.drift_failures()).next();
                    let message = first.map(|f| f.message.lines().next().unwrap_or("").to_string()).unwrap_or_default();
                    let kind = first.map(|f| f.kind.as_str()).unwrap_or("failure");
                    let body: String = case.contract_failures().chain(case.drift_failures()).map(|f| failure_text(f, false)).collect();
                    let _ = writeln!(
                        out,
                        ">\n      <failure message=\"{}\" type=\"{kind}\">{}</failure>\n    </testcase>",
                        escape(&message),
                        text(&body)
                    );
                }
                Status::Skipped(why) => {
                    let _ = writeln!(out, ">\n      <skipped message=\"{}\"/>\n    </testcase>", escape(why));
                }
                Status::Drift => {
                    let _ = writeln!(out, "/>");
                    let _ = writeln!(drift, "drift: {}", case.id);
                    for f in case.drift_failures() {
                        drift.push_str(&failure_text(f, false));
                    }
                }
                Status::Passed => {
                    let _ = writeln!(out, "/>");
                }
            }
        }
        // Run-level problems (not one case's) go to the first suite's system-err.
        let problems = if id == 0 { suite.problems.join("\n") } else { String::new() };
        let _ = writeln!(
            out,
            "    <system-out>{}</system-out>\n    <system-err>{}</system-err>\n  </testsuite>",
            text(&drift),
            text(&problems)
        );
    }
    out.push_str("</testsuites>\n");
    out
}

/// Text as XML character data or an attribute value; characters XML 1.0 cannot hold are dropped.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\n' => out.push_str("&#10;"),
            '\t' | '\r' => out.push(c),
            c if (c as u32) < 0x20 => {}
            c => out.push(c),
        }
    }
    out
}

/// Text as XML character data, newlines kept.
fn text(text: &str) -> String {
    escape(text).replace("&#10;", "\n")
}
