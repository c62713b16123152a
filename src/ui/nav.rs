//! Scrolling and selection of one virtualised table: the rows are indices
//! into the shown sample, and only `offset..offset + visible` are ever built.

/// Which column a table is sorted by, and in which direction.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Sort {
    /// 1 + the index of the sorted column in its table's column enum
    /// ([`super::columns::Columns::sort_number`]); 0 is the table's default order.
    pub column: usize,
    /// Opposite of the column's natural order.
    pub reverse: bool,
}

/// Selection, scroll position, sort and the (sorted, filtered) rows of a table.
#[derive(Clone, Debug, Default)]
pub struct TableNav {
    /// Index into `rows` of the selected row.
    pub selected: usize,
    /// Index into `rows` of the first visible row.
    pub offset: usize,
    /// Current sort.
    pub sort: Sort,
    /// Row indices into the shown sample's list, in display order.
    pub rows: Vec<u32>,
    /// Identity of the selected row, so selection follows it across refreshes.
    selected_key: Option<u64>,
}

impl TableNav {
    /// The selected row's index into the sample's list.
    pub fn selected_row(&self) -> Option<u32> {
        self.rows.get(self.selected).copied()
    }

    /// Replaces the rows, keeping the selection on the row with the same key
    /// (as given by `key_of`) when it is still there.
    pub fn set_rows(&mut self, rows: Vec<u32>, key_of: impl Fn(u32) -> u64, visible: usize) {
        self.rows = rows;
        if let Some(key) = self.selected_key
            && let Some(pos) = self.rows.iter().position(|&r| key_of(r) == key)
        {
            self.selected = pos;
        }
        self.clamp(visible);
        self.selected_key = self.selected_row().map(key_of);
    }

    /// Moves the selection by `delta` rows (clamped).
    pub fn move_by(&mut self, delta: isize, visible: usize, key_of: impl Fn(u32) -> u64) {
        let last = self.rows.len().saturating_sub(1);
        self.selected = self.selected.saturating_add_signed(delta).min(last);
        self.clamp(visible);
        self.selected_key = self.selected_row().map(key_of);
    }

    /// Selects row `pos` (clamped).
    pub fn select(&mut self, pos: usize, visible: usize, key_of: impl Fn(u32) -> u64) {
        self.selected = pos;
        self.move_by(0, visible, key_of);
    }

    /// Keeps `selected` inside the rows and the visible window.
    fn clamp(&mut self, visible: usize) {
        let visible = visible.max(1);
        self.selected = self.selected.min(self.rows.len().saturating_sub(1));
        if self.selected < self.offset {
            self.offset = self.selected;
        } else if self.selected >= self.offset + visible {
            self.offset = self.selected + 1 - visible;
        }
        let max_offset = self.rows.len().saturating_sub(visible);
        self.offset = self.offset.min(max_offset);
    }

    /// The visible slice of rows.
    pub fn window(&self, visible: usize) -> &[u32] {
        let end = (self.offset + visible).min(self.rows.len());
        &self.rows[self.offset.min(end)..end]
    }

    /// Flips the direction (`S`).
    pub fn reverse_sort(&mut self) {
        self.sort.reverse = !self.sort.reverse;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selection_scrolls_and_follows_its_row() {
        let mut nav = TableNav::default();
        let id = |r: u32| u64::from(r);
        nav.set_rows((0..100).collect(), id, 10);
        nav.move_by(15, 10, id);
        assert_eq!((nav.selected, nav.offset), (15, 6));
        assert_eq!(nav.window(10), (6..16).collect::<Vec<u32>>());
        nav.move_by(-100, 10, id);
        assert_eq!((nav.selected, nav.offset), (0, 0));
        nav.select(42, 10, id);
        nav.set_rows((0..100).rev().collect(), id, 10);
        assert_eq!(nav.selected_row(), Some(42));
        assert_eq!(nav.selected, 57);
        nav.set_rows(vec![], id, 10);
        assert_eq!((nav.selected, nav.offset, nav.selected_row()), (0, 0, None));
    }
}
