//! `run --shard K/N`: the cases split as `cargo nextest run --partition count:K/N` splits tests:
//! by index in the sorted list, case i going to shard (i mod N) + 1. Deterministic, so N machines
//! together run every case exactly once.

/// A shard, 1-based: `K/N` with 1 ≤ K ≤ N.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: u32,
    pub count: u32,
}

impl std::str::FromStr for Shard {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, String> {
        let bad = || format!("--shard takes K/N with 1 <= K <= N (e.g. 1/2), got `{text}`");
        let (k, n) = text.split_once('/').ok_or_else(bad)?;
        let (index, count): (u32, u32) = (k.trim().parse().map_err(|_| bad())?, n.trim().parse().map_err(|_| bad())?);
        if index == 0 || count == 0 || index > count {
            return Err(bad());
        }
        Ok(Self { index, count })
    }
}

impl Shard {
    /// The items of this shard, taken from `items` sorted by `key`.
    pub fn select<T>(&self, mut items: Vec<T>, key: impl Fn(&T) -> String) -> Vec<T> {
        items.sort_by_key(|item| key(item));
        items.into_iter().enumerate().filter(|(i, _)| (*i as u32) % self.count == self.index - 1).map(|(_, item)| item).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_cover_everything_once() {
        let items: Vec<String> = (0..13).map(|i| format!("case-{i:02}")).collect();
        let mut seen: Vec<String> = Vec::new();
        for k in 1..=3 {
            seen.extend(Shard { index: k, count: 3 }.select(items.clone(), |s| s.clone()));
        }
        seen.sort();
        assert_eq!(seen, items);
        for refused in ["0/2", "3/2", "1/0", "0/0", "x", "1/x"] {
            assert!(refused.parse::<Shard>().is_err(), "{refused}");
        }
        assert_eq!("1/2".parse(), Ok(Shard { index: 1, count: 2 }));
        assert_eq!(" 2 / 2 ".trim().parse(), Ok(Shard { index: 2, count: 2 }), "the last shard");
    }
}
