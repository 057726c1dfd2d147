//! `run --shard K/N` splits the cases by index in the sorted list: shards 1/2 and 2/2 together
//! run every case exactly once. Checked on the dry-run plan, which lists each case it would run.

use crate::transport_support::*;

async fn planned(shard: Option<&str>) -> Vec<String> {
    let mut list = args(&["run", "--dry-run"]);
    if let Some(shard) = shard {
        list.extend(args(&["--shard", shard]));
    }
    let output = run_bin(list, vec![]).await;
    assert_eq!(output.status.code(), Some(0), "{:?}", text(&output));
    text(&output)
        .0
        .lines()
        .filter_map(|l| l.strip_prefix("case ").or_else(|| l.strip_prefix("skip ")))
        .map(|l| l.split(':').next().unwrap().to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn two_shards_run_every_case_exactly_once() {
    let all = planned(None).await;
    let first = planned(Some("1/2")).await;
    let second = planned(Some("2/2")).await;
    assert!(!first.is_empty() && !second.is_empty());
    assert_eq!(first.len() + second.len(), all.len());
    let mut together: Vec<String> = first.iter().chain(&second).cloned().collect();
    together.sort();
    let mut all_sorted = all.clone();
    all_sorted.sort();
    assert_eq!(together, all_sorted);
    let mut sorted = all_sorted.clone();
    sorted.dedup();
    assert_eq!(sorted.len(), all.len(), "no case twice");
    // By index in the sorted list, as nextest's count:K/N.
    assert_eq!(first, all_sorted.iter().step_by(2).cloned().collect::<Vec<_>>());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_bad_shard_is_a_usage_error() {
    for bad in ["0/2", "3/2", "two"] {
        let output = run_bin(args(&["run", "--dry-run", "--shard", bad]), vec![]).await;
        assert_eq!(output.status.code(), Some(2), "{bad}: {:?}", text(&output));
    }
}
