//! `sweep`: deletes what earlier runs left behind on a target: every key pair whose name starts
//! with the prefix (default: every run's, `template::FAMILY_PREFIX`) and is older than a given
//! age, in each of the target's regions, all pages. Keeps going past a failed delete and reports
//! it; never touches a key pair without the prefix; refuses a prefix shorter than 4 characters.

use super::inventory::{delete, list};
use super::runner::RunContext;
use super::step::Channel;
use super::target::Lease;
use crate::apis::ApiProfile;

/// The shortest prefix `sweep` accepts: a shorter one could match key pairs of other people.
pub const MIN_PREFIX: usize = 4;

/// What one sweep did.
#[derive(Debug, Default)]
pub struct SweepReport {
    pub lines: Vec<String>,
    pub deleted: usize,
    pub failed: usize,
}

/// Refuses a prefix shorter than [`MIN_PREFIX`]: it could match key pairs this tool did not make.
pub fn check_prefix(prefix: &str) -> Result<(), String> {
    if prefix.chars().count() < MIN_PREFIX {
        return Err(format!(
            "--prefix `{prefix}` is shorter than {MIN_PREFIX} characters: it could match key pairs this tool did not make"
        ));
    }
    Ok(())
}

/// `older_than` is in seconds; a key pair whose creation time is unknown counts as old.
pub async fn sweep(
    ctx: &RunContext,
    apis: &[&'static ApiProfile],
    lease_of: impl Fn(&ApiProfile) -> Option<Lease>,
    prefix: &str,
    older_than: i64,
    dry_run: bool,
) -> Result<SweepReport, String> {
    check_prefix(prefix)?;
    let now = ctx.clock.now_secs();
    let mut report = SweepReport::default();
    for api in apis {
        let Some(lease) = lease_of(api) else { continue };
        for region in ctx.target.regions(api) {
            let base = ctx.target.endpoint_in(api, Some(&region))?;
            let channel = Channel { ctx, tag: "sweep", api, base: &base, lease: &lease };
            let listed = match list(channel, &region).await {
                Ok(listed) => listed,
                Err(e) => {
                    report.failed += 1;
                    report.lines.push(format!("FAILED {} {region}: cannot list: {e}", api.name));
                    continue;
                }
            };
            let old: Vec<_> =
                listed.into_iter().filter(|k| k.name.starts_with(prefix) && k.created.is_none_or(|t| now - t >= older_than)).collect();
            if old.is_empty() {
                continue;
            }
            let ids: Vec<String> = old.iter().map(|k| k.id.clone()).collect();
            if dry_run {
                for k in &old {
                    report.lines.push(format!("would delete {} {region} {} ({})", api.name, k.name, k.id));
                }
                continue;
            }
            for (chunk, outcome) in delete(channel, &region, &ids).await {
                match outcome {
                    Ok(()) => {
                        report.deleted += chunk.len();
                        report.lines.push(format!("deleted {} {region} {}", api.name, chunk.join(", ")));
                    }
                    Err(e) => {
                        report.failed += chunk.len();
                        report.lines.push(format!("FAILED {} {region} could not delete {}: {e}", api.name, chunk.join(", ")));
                    }
                }
            }
        }
    }
    Ok(report)
}

/// `90s`, `15m`, `6h`, `2d` (or plain seconds) as seconds.
pub fn parse_duration(text: &str) -> Result<i64, String> {
    let text = text.trim();
    let (number, unit) = text.split_at(text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len()));
    let n: i64 = number.parse().map_err(|_| format!("`{text}` is not a duration (e.g. 30m, 6h, 2d)"))?;
    let scale = match unit {
        "" | "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => return Err(format!("`{text}` is not a duration (e.g. 30m, 6h, 2d)")),
    };
    Ok(n * scale)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("90").unwrap(), 90);
        assert_eq!(parse_duration("15m").unwrap(), 900);
        assert_eq!(parse_duration("6h").unwrap(), 21_600);
        assert_eq!(parse_duration("2d").unwrap(), 172_800);
        assert!(parse_duration("soon").is_err());
    }

    #[test]
    fn a_prefix_needs_four_characters() {
        assert!(check_prefix("kct").unwrap_err().contains("shorter than 4 characters"));
        assert_eq!(check_prefix("kctx"), Ok(()));
        assert_eq!(check_prefix("kctxsweep"), Ok(()));
        // Characters, not bytes: two two-byte characters are still too short.
        assert!(check_prefix("éé").is_err());
    }
}
