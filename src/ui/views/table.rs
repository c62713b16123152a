//! Drawing a virtualised table: the caller builds only the visible rows.

use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Cell, HighlightSpacing, Paragraph, Row, Table, TableState, Wrap};

use crate::ui::columns::{self, Shown};
use crate::ui::nav::{Sort, TableNav};
use crate::ui::theme::Theme;

/// The fixed parts of a table.
pub struct Columns<'a> {
    /// Header cells.
    pub header: Vec<Cell<'a>>,
    /// Column widths.
    pub widths: Vec<Constraint>,
    /// What to say when there are no rows.
    pub empty: &'a str,
}

impl<'a> Columns<'a> {
    /// The header and widths of the columns on screen, the sorted one
    /// marked with its direction.
    pub fn of<C: columns::Columns>(shown: &[Shown<C>], sort: Sort, empty: &'a str) -> Columns<'a> {
        let header = shown
            .iter()
            .map(|s| {
                let title = columns::title(s.column, sort);
                let line = if s.column.spec().right {
                    Line::from(title).right_aligned()
                } else {
                    Line::from(title)
                };
                Cell::from(line)
            })
            .collect();
        Columns {
            header,
            widths: shown.iter().map(|s| s.width).collect(),
            empty,
        }
    }
}

/// Draws the columns' header and the visible rows of `nav` (built by `build`
/// for each row index in the visible window), or `empty` when there are no rows.
pub fn render<'a>(
    frame: &mut Frame,
    area: Rect,
    theme: &Theme,
    nav: &TableNav,
    columns: Columns<'a>,
    build: impl Fn(u32) -> Row<'a>,
) {
    let Columns {
        header,
        widths,
        empty,
    } = columns;
    let visible = crate::ui::layout::table_rows(area);
    let rows: Vec<Row> = nav.window(visible).iter().map(|&r| build(r)).collect();
    let table = Table::new(rows, widths)
        .header(Row::new(header).style(theme.table_header()))
        .column_spacing(1)
        .flex(Flex::Start)
        .row_highlight_style(theme.selected())
        .highlight_symbol("▶")
        .highlight_spacing(HighlightSpacing::Always);
    let mut state = TableState::default();
    if !nav.rows.is_empty() {
        state.select(Some(nav.selected - nav.offset));
    }
    frame.render_stateful_widget(table, area, &mut state);
    if nav.rows.is_empty() && area.height > 1 {
        let msg = Rect {
            y: area.y + 1,
            height: area.height - 1,
            ..area
        };
        // Wrapped: a filter's problem lists what is valid.
        frame.render_widget(
            Paragraph::new(Line::styled(empty.to_owned(), theme.dim())).wrap(Wrap { trim: true }),
            msg,
        );
    }
}
