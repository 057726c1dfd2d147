//! Case-file errors, drawn like rustc and Hurl draw theirs: what is wrong, `--> file:line:col`,
//! the source line with a caret, what was expected, and "did you mean" for near misses.

use std::fmt;
use std::path::PathBuf;

use super::tree::Pos;

/// A case-file error; boxed, because it travels through every `Result` of the loader.
#[derive(Debug, Clone)]
pub struct CaseError(Box<Detail>);

/// What a [`CaseError`] says.
#[derive(Debug, Clone)]
pub struct Detail {
    /// The file, as the user would type it (relative to the project root when possible).
    pub file: PathBuf,
    pub pos: Pos,
    /// The file's line at `pos`, for the frame.
    pub source_line: String,
    pub message: String,
    /// What was expected there.
    pub expected: Option<String>,
    pub help: Option<String>,
}

impl CaseError {
    pub fn new(file: PathBuf, text: &str, pos: Pos, message: impl Into<String>) -> Self {
        let source_line = super::tree::line_of(text, pos.line).to_string();
        Self(Box::new(Detail { file, pos, source_line, message: message.into(), expected: None, help: None }))
    }

    /// An error about a whole file (unreadable, no cases found).
    pub fn file(file: PathBuf, message: impl Into<String>) -> Self {
        Self(Box::new(Detail {
            file,
            pos: Pos::default(),
            source_line: String::new(),
            message: message.into(),
            expected: None,
            help: None,
        }))
    }

    pub fn expected(mut self, expected: impl Into<String>) -> Self {
        self.0.expected = Some(expected.into());
        self
    }

    pub fn help(mut self, help: Option<String>) -> Self {
        self.0.help = help;
        self
    }

    pub fn detail(&self) -> &Detail {
        &self.0
    }
}

impl fmt::Display for CaseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let this = &self.0;
        writeln!(f, "{}", this.message)?;
        if this.pos.line == 0 {
            write!(f, "  --> {}", this.file.display())?;
        } else {
            let gutter = this.pos.line.to_string().len();
            let pad = " ".repeat(gutter);
            writeln!(f, "{pad}--> {}:{}:{}", this.file.display(), this.pos.line, this.pos.col)?;
            writeln!(f, "{pad} |")?;
            writeln!(f, "{} | {}", this.pos.line, this.source_line)?;
            let caret_pad = " ".repeat(this.pos.col.saturating_sub(1) as usize);
            let label = this.expected.as_deref().map(|e| format!(" expected {e}")).unwrap_or_default();
            write!(f, "{pad} | {caret_pad}^{label}")?;
        }
        if let Some(help) = &this.help {
            write!(f, "\n  = help: {help}")?;
        }
        Ok(())
    }
}

impl std::error::Error for CaseError {}

/// The candidate closest to `word`, if close enough to be a likely typo.
pub fn did_you_mean<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
    candidates
        .into_iter()
        .map(|c| (strsim::levenshtein(&word.to_lowercase(), &c.to_lowercase()), c))
        .filter(|(d, c)| *d <= (c.len() / 3).max(2))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| format!("did you mean `{c}`?"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_a_frame_with_a_caret() {
        let text = "api: tencent-cvm\nsteps:\n  - acton: CreateKeyPair\n";
        let err = CaseError::new("cases/x.yaml".into(), text, Pos { line: 3, col: 5 }, "unknown field `acton`")
            .expected("one of `action`, `params`")
            .help(did_you_mean("acton", ["action", "params"]));
        let shown = err.to_string();
        assert_eq!(
            shown,
            "unknown field `acton`\n --> cases/x.yaml:3:5\n  |\n3 |   - acton: CreateKeyPair\n  |     ^ expected one of `action`, `params`\n  = help: did you mean `action`?"
        );
    }

    #[test]
    fn suggests_only_near_misses() {
        assert_eq!(did_you_mean("CreateKeyPairs", ["CreateKeyPair", "ImportKeyPair"]).unwrap(), "did you mean `CreateKeyPair`?");
        assert!(did_you_mean("Reboot", ["CreateKeyPair", "ImportKeyPair"]).is_none());
        // A long name tolerates more typos: a third of its length (5 for these 16 letters), at least 2.
        assert_eq!(did_you_mean("DscribKeyPar", ["DescribeKeyPairs"]).as_deref(), Some("did you mean `DescribeKeyPairs`?"));
        assert!(did_you_mean("DscrbKyPar", ["DescribeKeyPairs"]).is_none(), "6 edits are too many");
        assert_eq!(did_you_mean("ap", ["api"]).as_deref(), Some("did you mean `api`?"), "a short name still allows 2");
    }
}
