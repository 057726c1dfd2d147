//! Where `run` prints: plain lines, or on a terminal (and not under CI) a progress bar with counts
//! that shows only the cases that did not pass. A closed pipe (`run | head`) ends the printing
//! quietly: no panic, no exit 101; the run itself still finishes and cleans up.

use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::run::{CaseResult, Status};

use super::text;

pub struct Console {
    closed: AtomicBool,
    bar: Option<ProgressBar>,
    failed: AtomicUsize,
    drift: AtomicUsize,
}

impl Console {
    /// A bar when stdout is a terminal and `CI` is unset; plain lines otherwise.
    pub fn new(cases: usize) -> Self {
        let ci = std::env::var("CI").is_ok_and(|v| !matches!(v.as_str(), "" | "0" | "false"));
        let bar = (std::io::stdout().is_terminal() && !ci).then(|| {
            let bar = ProgressBar::with_draw_target(Some(cases as u64), ProgressDrawTarget::stdout());
            let style = ProgressStyle::with_template("{bar:40} {pos}/{len} cases  {msg}  {elapsed}")
                .unwrap_or_else(|_| ProgressStyle::default_bar());
            bar.set_style(style);
            bar
        });
        Self { closed: AtomicBool::new(false), bar, failed: AtomicUsize::new(0), drift: AtomicUsize::new(0) }
    }

    /// Prints a line to stdout (above the bar, if there is one).
    pub fn line(&self, text: &str) {
        if let Some(bar) = &self.bar {
            bar.suspend(|| self.write(text));
        } else {
            self.write(text);
        }
    }

    fn write(&self, text: &str) {
        if self.closed.load(Ordering::Relaxed) {
            return;
        }
        let mut out = std::io::stdout().lock();
        if writeln!(out, "{text}").and_then(|_| out.flush()).is_err() {
            self.closed.store(true, Ordering::Relaxed);
        }
    }

    /// A case ended: its line (on a terminal, only if it did not pass) and the bar's counts.
    pub fn case(&self, result: &CaseResult) {
        match result.status {
            Status::Failed => self.failed.fetch_add(1, Ordering::Relaxed),
            Status::Drift => self.drift.fetch_add(1, Ordering::Relaxed),
            _ => 0,
        };
        match &self.bar {
            Some(bar) => {
                if result.status != Status::Passed {
                    self.line(&text::case_line(result));
                }
                bar.set_message(format!("{} failed, {} drift", self.failed.load(Ordering::Relaxed), self.drift.load(Ordering::Relaxed)));
                bar.inc(1);
            }
            None => self.line(&text::case_line(result)),
        }
    }

    /// Clears the bar before the summary.
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// Prints an error to stderr; a closed stderr is ignored.
pub fn error(text: &str) {
    let _ = writeln!(std::io::stderr().lock(), "{text}");
}
