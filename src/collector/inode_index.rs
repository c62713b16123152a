//! [`InodeIndex`]: socket inode → owner set id, in about 8 bytes a socket.
//!
//! A hash map of a million `u32 → u32` entries rounds up to 2^21 buckets
//! (19 MiB) and, while a full `/proc` scan builds the next one on its own
//! thread, exists twice. The index keeps most entries in one vector sorted
//! by inode and the recent changes in a small map, folded into the vector
//! in place once the map holds an eighth as many.

use rustc_hash::FxHashMap;

/// In `recent`: the inode left the index since the sorted part was made.
/// Set ids count distinct sets, so none is ever this value.
const GONE: u32 = u32::MAX;

/// Changes kept in `recent` before a fold, at least.
const FOLD_MIN: usize = 4096;

/// Socket inode → owner set id.
#[derive(Debug, Default)]
pub(super) struct InodeIndex {
    /// Entries sorted by inode, each inode once, no [`GONE`].
    sorted: Vec<(u32, u32)>,
    /// Changes newer than `sorted`: a set id, or [`GONE`] for a removal.
    recent: FxHashMap<u32, u32>,
}

impl InodeIndex {
    /// The set id of `inode`.
    pub(super) fn get(&self, inode: u32) -> Option<u32> {
        match self.recent.get(&inode) {
            Some(&GONE) => None,
            Some(&set) => Some(set),
            None => {
                let at = self.sorted.partition_point(|e| e.0 < inode);
                self.sorted.get(at).filter(|e| e.0 == inode).map(|e| e.1)
            }
        }
    }

    /// Makes `set` the set id of `inode`.
    pub(super) fn insert(&mut self, inode: u32, set: u32) {
        debug_assert_ne!(set, GONE, "set id {set} is the removal mark");
        self.recent.insert(inode, set);
        self.fold_when_due();
    }

    /// Takes `inode` out.
    pub(super) fn remove(&mut self, inode: u32) {
        let in_sorted = self.sorted.binary_search_by_key(&inode, |e| e.0).is_ok();
        if in_sorted {
            self.recent.insert(inode, GONE);
            self.fold_when_due();
        } else {
            self.recent.remove(&inode);
        }
    }

    /// A reader for lookups in ascending inode order, each a short forward
    /// search from the one before instead of a search of the whole index.
    pub(super) fn ascending(&self) -> Ascending<'_> {
        Ascending { index: self, at: 0 }
    }

    /// Heap bytes held, by capacity (a map entry costs its 8 bytes and one
    /// control byte).
    pub(super) fn heap_bytes(&self) -> usize {
        self.sorted.capacity() * 8 + self.recent.capacity() * 9
    }

    fn fold_when_due(&mut self) {
        if self.recent.len() >= FOLD_MIN.max(self.sorted.len() / 8) {
            self.fold();
        }
    }

    /// Merges `recent` into `sorted`, from the back into room added at its
    /// end, so that the vector is never copied whole.
    fn fold(&mut self) {
        let mut changes: Vec<(u32, u32)> = self.recent.drain().collect();
        changes.sort_unstable();
        let n = self.sorted.len();
        self.sorted.reserve_exact(changes.len());
        self.sorted.resize(n + changes.len(), (0, GONE));
        // Entries before `i` are unread, changes before `j` unplaced, and
        // `k - i >= j`: a write at `k - 1` never lands on an unread entry.
        let (mut i, mut j, mut k) = (n, changes.len(), n + changes.len());
        while j > 0 {
            let change = changes[j - 1];
            k -= 1;
            if i > 0 && self.sorted[i - 1].0 > change.0 {
                self.sorted[k] = self.sorted[i - 1];
                i -= 1;
            } else {
                if i > 0 && self.sorted[i - 1].0 == change.0 {
                    i -= 1;
                }
                self.sorted[k] = change;
                j -= 1;
            }
        }
        // One slot per replaced entry is left between the two runs.
        self.sorted[i..k].fill((0, GONE));
        self.sorted.retain(|e| e.1 != GONE);
        if self.recent.capacity() > 4 * FOLD_MIN.max(self.sorted.len() / 8) {
            self.recent.shrink_to(0);
        }
    }
}

/// See [`InodeIndex::ascending`]. Lookups out of order are right too, only
/// slower.
pub(super) struct Ascending<'a> {
    index: &'a InodeIndex,
    /// Every entry of `sorted` before it has a smaller inode than the last
    /// lookup.
    at: usize,
}

impl Ascending<'_> {
    /// The set id of `inode`.
    pub(super) fn get(&mut self, inode: u32) -> Option<u32> {
        match self.index.recent.get(&inode) {
            Some(&GONE) => return None,
            Some(&set) => return Some(set),
            None => {}
        }
        let sorted = &self.index.sorted;
        let mut lo = self.at.min(sorted.len());
        if lo > 0 && sorted[lo - 1].0 >= inode {
            lo = sorted[..lo].partition_point(|e| e.0 < inode);
        }
        let (mut hi, mut step) = (lo, 1);
        while hi < sorted.len() && sorted[hi].0 < inode {
            lo = hi + 1;
            hi += step;
            step *= 2;
        }
        let hi = hi.min(sorted.len());
        self.at = lo + sorted[lo..hi].partition_point(|e| e.0 < inode);
        sorted.get(self.at).filter(|e| e.0 == inode).map(|e| e.1)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    /// A deterministic stream of inserts and removals over a small inode
    /// range (so that most hit an inode already there), checked after each
    /// step against a `BTreeMap`, with folds in between.
    #[test]
    fn follows_a_map_through_inserts_removals_and_folds() {
        let mut index = InodeIndex::default();
        let mut want: BTreeMap<u32, u32> = BTreeMap::new();
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut folds = 0;
        for step in 0..60_000u32 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let inode = (x % 20_000) as u32 + 1;
            let before = index.sorted.len();
            if x.is_multiple_of(3) {
                index.remove(inode);
                want.remove(&inode);
            } else {
                index.insert(inode, step);
                want.insert(inode, step);
            }
            if index.recent.is_empty() && index.sorted.len() != before {
                folds += 1;
            }
            assert_eq!(index.get(inode), want.get(&inode).copied(), "step {step}");
            if step.is_multiple_of(5_000) {
                let mut read = index.ascending();
                for probe in 0..=20_001 {
                    assert_eq!(read.get(probe), want.get(&probe).copied(), "{probe}");
                }
            }
        }
        assert!(folds > 3, "{folds} folds");
        assert!(index.sorted.windows(2).all(|w| w[0].0 < w[1].0));
        assert!(index.sorted.iter().all(|e| e.1 != GONE));
    }

    #[test]
    fn ascending_reads_answer_lookups_out_of_order_too() {
        let mut index = InodeIndex::default();
        for inode in (2..40_000).step_by(2) {
            index.insert(inode, inode / 2);
        }
        index.remove(10);
        let mut read = index.ascending();
        for probe in [30_000u32, 3, 4, 10, 39_998, 39_999, 12, 0, 1, 2] {
            let want = (probe.is_multiple_of(2) && probe != 10 && probe != 0 && probe < 40_000)
                .then_some(probe / 2);
            assert_eq!(read.get(probe), want, "{probe}");
        }
    }
}
