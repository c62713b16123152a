//! Table columns as data: one enum per table binds each column's header,
//! width, priority and sort order, so a column is added in one place. A
//! narrow terminal drops the lowest-priority columns first; the sorted
//! column's header carries its direction (▼ largest or Z first, ▲ smallest
//! or A first); `s` cycles through the sortable columns on screen and a
//! click on a header sorts by it.

use ratatui::layout::{Constraint, Flex, Layout, Rect};

use super::nav::Sort;

/// A column's natural sort order (what `s` or a click gives first).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Natural {
    /// Largest first: every count and gauge (worst first).
    Desc,
    /// Smallest first: addresses and names, A to Z.
    Asc,
}

/// What a table needs to know about one of its columns.
#[derive(Clone, Copy, Debug)]
pub struct Spec {
    /// Header title.
    pub title: &'static str,
    /// Right-aligned (counts) or left-aligned (names).
    pub right: bool,
    /// Width in cells; for `fill` columns the least width worth showing.
    pub width: u16,
    /// Takes the room left over (PROCESS, REMOTE).
    pub fill: bool,
    /// Lower is kept longer on a narrow terminal.
    pub priority: u8,
    /// `None` when the column does not sort.
    pub sort: Option<Natural>,
}

/// The columns of one table, in display order.
pub trait Columns: Copy + PartialEq + 'static {
    /// Every column, left to right.
    const ALL: &'static [Self];
    /// Name of the table's default order (sort column 0): `trouble`.
    const DEFAULT_SORT: &'static str;
    /// This column's header, width, priority and sort.
    fn spec(self) -> Spec;

    /// Its sort column number ([`Sort::column`]): 1 + its index in `ALL`.
    fn sort_number(self) -> usize {
        1 + Self::ALL.iter().position(|c| *c == self).unwrap_or(0)
    }
}

/// The sort's name for the tab bar and the drill-down title.
pub fn sort_name<C: Columns>(sort: Sort) -> &'static str {
    match sort.column.checked_sub(1).and_then(|i| C::ALL.get(i)) {
        Some(c) => c.spec().title.trim(),
        None => C::DEFAULT_SORT,
    }
}

/// The column a sort is by, if not the default order.
pub fn sorted_by<C: Columns>(sort: Sort) -> Option<C> {
    sort.column
        .checked_sub(1)
        .and_then(|i| C::ALL.get(i))
        .copied()
}

/// Whether `sort` puts largest (or Z) first.
pub fn descending<C: Columns>(sort: Sort) -> bool {
    let natural = sorted_by::<C>(sort)
        .and_then(|c| c.spec().sort)
        .unwrap_or(Natural::Desc);
    (natural == Natural::Desc) != sort.reverse
}

/// `▼` when largest or Z comes first, `▲` when smallest or A does.
pub fn arrow<C: Columns>(sort: Sort) -> &'static str {
    if descending::<C>(sort) { "▼" } else { "▲" }
}

/// The columns shown in `room` cells (one cell goes to the selection
/// marker, one between columns), with their widths: taken by priority
/// until the next one does not fit, shown in table order. `width_of` gives a column's width for the rows
/// shown (`None`: not in this table now, as NETNS with one namespace).
/// The sorted column gets one more cell for its arrow.
pub fn fit<C: Columns>(
    room: u16,
    sort: Sort,
    width_of: impl Fn(C) -> Option<u16>,
) -> Vec<Shown<C>> {
    let sorted = sorted_by::<C>(sort);
    let mut candidates: Vec<(C, u16)> = C::ALL
        .iter()
        .filter_map(|&c| {
            let w = width_of(c)?;
            let title = c.spec().title.chars().count() as u16 + u16::from(sorted == Some(c));
            Some((c, w.max(title)))
        })
        .collect();
    candidates.sort_by_key(|(c, _)| c.spec().priority);
    let mut used = 1u16;
    let mut chosen: Vec<(C, u16)> = Vec::new();
    for (c, w) in candidates {
        let need = w + u16::from(!chosen.is_empty());
        if used + need > room {
            break;
        }
        used += need;
        chosen.push((c, w));
    }
    C::ALL
        .iter()
        .filter_map(|c| chosen.iter().find(|(k, _)| k == c))
        .map(|&(column, w)| Shown {
            column,
            width: if column.spec().fill {
                Constraint::Fill(1)
            } else {
                Constraint::Length(w)
            },
            min: w,
        })
        .collect()
}

/// A column on screen.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Shown<C> {
    /// Which column.
    pub column: C,
    /// Its constraint in the table.
    pub width: Constraint,
    /// Its least width.
    pub min: u16,
}

/// The header title of `column` as drawn: with the sort arrow when the
/// table is sorted by it.
pub fn title<C: Columns>(column: C, sort: Sort) -> String {
    let spec = column.spec();
    if sorted_by::<C>(sort) != Some(column) {
        return spec.title.to_owned();
    }
    let a = arrow::<C>(sort);
    if spec.right {
        format!("{a}{}", spec.title)
    } else {
        format!("{} {a}", spec.title)
    }
}

/// Where each column of a table drawn in `area` lands (as
/// [`super::views::table::render`] draws it: a one-cell selection marker,
/// one cell between columns, packed to the left).
pub fn rects(area: Rect, widths: &[Constraint]) -> Vec<Rect> {
    let columns = Rect {
        x: area.x.saturating_add(1),
        width: area.width.saturating_sub(1),
        ..area
    };
    Layout::horizontal(widths.to_vec())
        .flex(Flex::Start)
        .spacing(1)
        .split(columns)
        .to_vec()
}

/// The column at cell `x` of a table drawn in `area` with `shown`.
pub fn at<C: Columns>(area: Rect, shown: &[Shown<C>], x: u16) -> Option<C> {
    let widths: Vec<Constraint> = shown.iter().map(|s| s.width).collect();
    rects(area, &widths)
        .iter()
        .zip(shown)
        .find(|(r, _)| x >= r.x && x < r.right())
        .map(|(_, s)| s.column)
}

/// `s`: the next sortable column among those on screen, after the one
/// sorted by now; after the last, the default order again.
pub fn next_sort<C: Columns>(sort: Sort, shown: &[Shown<C>]) -> Sort {
    let numbers: Vec<usize> = shown
        .iter()
        .filter(|s| s.column.spec().sort.is_some())
        .map(|s| s.column.sort_number())
        .collect();
    let column = numbers
        .iter()
        .copied()
        .find(|&n| n > sort.column)
        .unwrap_or(0);
    Sort {
        column,
        reverse: false,
    }
}

/// A click on `column`'s header: sort by it, or reverse when already sorted by it.
pub fn clicked<C: Columns>(sort: Sort, column: C) -> Sort {
    if column.spec().sort.is_none() {
        return sort;
    }
    let n = column.sort_number();
    Sort {
        column: n,
        reverse: sort.column == n && !sort.reverse,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Clone, Copy, Debug, PartialEq)]
    enum T {
        Name,
        Big,
        Small,
        Label,
    }

    impl Columns for T {
        const ALL: &'static [T] = &[T::Name, T::Big, T::Small, T::Label];
        const DEFAULT_SORT: &'static str = "trouble";
        fn spec(self) -> Spec {
            let (title, width, priority, fill, sort) = match self {
                T::Name => ("NAME", 10, 0, false, Some(Natural::Asc)),
                T::Big => ("BIG", 8, 2, false, Some(Natural::Desc)),
                T::Small => ("SMALL", 5, 3, false, Some(Natural::Desc)),
                T::Label => ("LABEL", 6, 1, true, None),
            };
            Spec {
                title,
                right: matches!(self, T::Big | T::Small),
                width,
                fill,
                priority,
                sort,
            }
        }
    }

    fn fitted(room: u16, sort: Sort) -> Vec<T> {
        fit(room, sort, |c: T| Some(c.spec().width))
            .iter()
            .map(|s| s.column)
            .collect()
    }

    #[test]
    fn narrow_tables_drop_the_lowest_priority_first_and_keep_the_order() {
        let none = Sort::default();
        // 1 marker + 10 + 1 + 6 + 1 + 8 + 1 + 5 = 33
        assert_eq!(fitted(33, none), [T::Name, T::Big, T::Small, T::Label]);
        assert_eq!(fitted(32, none), [T::Name, T::Big, T::Label]);
        assert_eq!(fitted(18, none), [T::Name, T::Label]);
        assert_eq!(fitted(11, none), [T::Name]);
        // Sorted by SMALL: its arrow needs a sixth cell.
        let by_small = Sort {
            column: T::Small.sort_number(),
            reverse: false,
        };
        assert_eq!(fitted(33, by_small), [T::Name, T::Big, T::Label]);
        assert_eq!(title(T::Small, by_small), "▼SMALL");
    }

    #[test]
    fn sorting_cycles_visible_columns_and_clicks_reverse() {
        let shown = fit(32, Sort::default(), |c: T| Some(c.spec().width));
        let mut s = Sort::default();
        let mut names = vec![sort_name::<T>(s)];
        for _ in 0..3 {
            s = next_sort(s, &shown);
            names.push(sort_name::<T>(s));
        }
        assert_eq!(
            names,
            ["trouble", "NAME", "BIG", "trouble"],
            "SMALL is not shown, LABEL does not sort"
        );
        let by_name = clicked(Sort::default(), T::Name);
        assert_eq!(
            (arrow::<T>(by_name), title(T::Name, by_name).as_str()),
            ("▲", "NAME ▲")
        );
        let again = clicked(by_name, T::Name);
        assert!(again.reverse);
        assert_eq!(arrow::<T>(again), "▼");
        assert_eq!(clicked(again, T::Label), again, "LABEL does not sort");
        assert_eq!(arrow::<T>(Sort::default()), "▼", "trouble first");
    }

    #[test]
    fn clicks_land_on_the_drawn_column() {
        let area = Rect::new(0, 5, 40, 10);
        let shown = fit(area.width, Sort::default(), |c: T| Some(c.spec().width));
        // marker at 0, NAME 1..11, BIG 12..20, SMALL 21..26, LABEL 27..
        assert_eq!(at(area, &shown, 0), None);
        assert_eq!(at(area, &shown, 1), Some(T::Name));
        assert_eq!(at(area, &shown, 11), None, "the gap");
        assert_eq!(at(area, &shown, 12), Some(T::Big));
        assert_eq!(at(area, &shown, 30), Some(T::Label));
    }
}
