//! What a key-pair API holds, for cleanup: listing every key pair (paged), deleting by id, and
//! undoing a create whose answer was lost. Used by teardown's retries and by `sweep`.

use serde_json::Value;

use super::step::{Channel, send_one};
use crate::apis::ApiProfile;
use crate::case::{Expect, Outcome, Step};

/// A key pair as listed: what deleting it takes (`id`: Tencent KeyId, ECS name), its name and
/// its creation time (Unix seconds) when the answer gave one.
#[derive(Debug, Clone)]
pub struct Listed {
    pub id: String,
    pub name: String,
    pub created: Option<i64>,
}

/// Most ids one delete takes (Lighthouse: 10, apis.md §1.6; the others allow more).
const DELETE_CHUNK: usize = 10;
const PAGE: u64 = 50;

/// A request the harness makes itself (not a case's step), with `api`'s defaults.
pub fn internal_step(api: &ApiProfile, action: &str, region: Option<String>) -> Step {
    Step {
        label: "harness".into(),
        pos: Default::default(),
        pointer: String::new(),
        action: action.to_string(),
        version: api.default_version.to_string(),
        region: region.or_else(|| api.regional.then(|| api.default_region.to_string())),
        method: api.default_method.to_string(),
        signing: api.default_signing,
        params: Value::Null,
        burst: None,
        expect: Expect { outcome: Outcome::Success, status: None, schema: String::new(), fields: vec![] },
        capture: Default::default(),
    }
}

/// Every key pair of `api` in `region`, all pages.
pub async fn list(channel: Channel<'_>, region: &str) -> Result<Vec<Listed>, String> {
    let api = channel.api;
    let listing = api.listing.ok_or_else(|| format!("{} lists no key pairs", api.name))?;
    let step = internal_step(api, "DescribeKeyPairs", Some(region.to_string()));
    let mut found = Vec::new();
    let mut page = 0u64;
    loop {
        let params = api.wire.page_params(page, PAGE);
        let answer = send_one(channel, &step, &params, false).await?;
        if let Some(code) = api.error_code(answer.status, &answer.body) {
            return Err(format!("{} DescribeKeyPairs in {region}: {code}", api.name));
        }
        let (items, total) = (answer.body.pointer(listing.items), answer.body.pointer(listing.total));
        let items = items.and_then(Value::as_array).cloned().unwrap_or_default();
        let count = items.len() as u64;
        for item in items {
            let text = |name: &str| item.get(name).and_then(Value::as_str).map(str::to_string);
            let (id, name, time) = (text(listing.id), text(listing.name), text(listing.created));
            if let (Some(id), Some(name)) = (id, name) {
                found.push(Listed { id, name, created: time.as_deref().and_then(parse_time) });
            }
        }
        page += 1;
        let total = total.and_then(|t| t.as_u64().or_else(|| t.as_str().and_then(|s| s.parse().ok()))).unwrap_or(0);
        if count == 0 || page * PAGE >= total {
            return Ok(found);
        }
    }
}

/// Deletes `ids` in chunks; one result per chunk, so a failed delete does not stop the others.
pub async fn delete(channel: Channel<'_>, region: &str, ids: &[String]) -> Vec<(Vec<String>, Result<(), String>)> {
    let api = channel.api;
    let step = internal_step(api, api.delete.0, Some(region.to_string()));
    let mut results = Vec::new();
    for chunk in ids.chunks(DELETE_CHUNK) {
        let params = api.delete_params(chunk);
        let outcome = match send_one(channel, &step, &params, false).await {
            Ok(answer) => match api.error_code(answer.status, &answer.body) {
                None => Ok(()),
                // A retry after a lost answer finds them gone: the goal is met if none is left.
                Some(code) if code.contains("NotFound") => match Box::pin(list(channel, region)).await {
                    Ok(listed) if !listed.iter().any(|k| chunk.contains(&k.id)) => Ok(()),
                    _ => Err(code.to_string()),
                },
                Some(code) => Err(code.to_string()),
            },
            Err(e) => Err(e),
        };
        results.push((chunk.to_vec(), outcome));
    }
    results
}

/// After a create or import got no answer: if it made the key pair anyway, delete it, so the
/// retry neither duplicates nor orphans it. A key pair of that name the case already holds (made by
/// an earlier step, e.g. before a duplicate-name step; for ECS, in the same region: `is_held`) is not
/// the lost request's and is kept. Keys
/// made through another API's front door are listed and deleted through its cleanup API (the legacy
/// endpoint's keys are CVM keys, in CVM's region names).
pub async fn undo_lost_create(channel: Channel<'_>, step: &Step, params: &Value) -> Result<(), String> {
    let Channel { ctx, api, base, lease, .. } = channel;
    let Some(name) = params.get(api.name_field).and_then(Value::as_str) else {
        return Ok(());
    };
    let cleanup = api.cleanup_profile();
    let (base, region) = if std::ptr::eq(cleanup, api) {
        (base.clone(), step.region.clone().unwrap_or_else(|| api.default_region.to_string()))
    } else {
        (ctx.target.endpoint_in(cleanup, Some(cleanup.default_region))?, cleanup.default_region.to_string())
    };
    let ids_are_names = cleanup.listing.is_some_and(|l| l.id == l.name);
    let held = lease.held.lock().unwrap_or_else(|e| e.into_inner()).clone();
    // A listing the API refuses (a region a case sends on purpose that does not exist) holds
    // nothing the lost request could have made; transient failures were already retried by `list`.
    let cleanup_channel = Channel { api: cleanup, base: &base, ..channel };
    let Ok(listed) = list(cleanup_channel, &region).await else {
        return Ok(());
    };
    let made: Vec<String> = listed
        .into_iter()
        .filter(|k| k.name == name && !is_held(&held, &k.id, &region, cleanup.default_region, ids_are_names))
        .map(|k| k.id)
        .collect();
    for (ids, outcome) in delete(cleanup_channel, &region, &made).await {
        outcome.map_err(|e| format!("a lost {} may have made {}; deleting it failed: {e}", step.action, ids.join(", ")))?;
    }
    Ok(())
}

/// Whether the key pair `id`, listed in `region`, is one the case holds (`held`: region and id of
/// each, no region meaning `default_region`). A Tencent KeyId names one key pair wherever it is
/// listed; an ECS key pair is deleted by its name (`ids_are_names`), which is unique only within a
/// region, so a name the case holds in another region (an earlier step's key there, as in
/// `aliyun-ecs/key-pairs/regional`) is not the key listed here.
fn is_held(held: &[(Option<String>, String)], id: &str, region: &str, default_region: &str, ids_are_names: bool) -> bool {
    held.iter()
        .any(|(held_region, held_id)| held_id == id && (!ids_are_names || held_region.as_deref().unwrap_or(default_region) == region))
}

/// `2025-01-01T00:00:00Z` or `2025-01-01T00:00Z` as Unix seconds.
pub fn parse_time(text: &str) -> Option<i64> {
    let with_seconds = if text.len() == 17 { format!("{}:00Z", &text[..16]) } else { text.to_string() };
    time::OffsetDateTime::parse(&with_seconds, &time::format_description::well_known::Rfc3339).ok().map(|t| t.unix_timestamp())
}

#[cfg(test)]
mod tests {
    use super::{is_held, parse_time};

    #[test]
    fn a_name_held_in_another_region_is_not_the_key_listed_here() {
        let held = vec![(Some("cn-hangzhou".to_string()), "shared".to_string()), (None, "plain".to_string())];
        // ECS: ids are names, unique per region.
        assert!(is_held(&held, "shared", "cn-hangzhou", "cn-hangzhou", true));
        assert!(!is_held(&held, "shared", "cn-shanghai", "cn-hangzhou", true), "the regional case's second key");
        assert!(is_held(&held, "plain", "cn-hangzhou", "cn-hangzhou", true), "no region is the default region");
        assert!(!is_held(&held, "plain", "cn-shanghai", "cn-hangzhou", true));
        assert!(!is_held(&held, "other", "cn-hangzhou", "cn-hangzhou", true));
        // Tencent: a KeyId is the same key pair in any region's listing.
        let held = vec![(Some("ap-guangzhou".to_string()), "skey-1".to_string())];
        assert!(is_held(&held, "skey-1", "ap-shanghai", "ap-guangzhou", false));
        assert!(!is_held(&held, "skey-2", "ap-guangzhou", "ap-guangzhou", false));
    }

    #[test]
    fn listing_times_with_and_without_seconds() {
        assert_eq!(parse_time("2025-01-01T00:00:59Z"), Some(1_735_689_659), "seconds are kept");
        assert_eq!(parse_time("2025-01-01T00:01Z"), Some(1_735_689_660), "ECS writes none");
        assert_eq!(parse_time("2025-01-01 00:00:00"), None);
    }
}
