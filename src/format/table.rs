//! Terminal and Markdown tables that never hold more than a block of rows.
//!
//! A table needs its rows to size its columns, so a naive writer keeps the whole result. This
//! one sizes the columns on the first [`BLOCK_ROWS`] rows (a result that fits prints exactly
//! as one table) and prints later rows in blocks of the same widths, wrapping longer cells
//! inside them, so a result of any length streams through a fixed amount of memory.
//! Markdown has no borders to line up, so each later block there is simply its own width.

use super::{Row, TableStyle, WriteError};
use crate::query::Target;
use comfy_table::{presets, ColumnConstraint, ContentArrangement, Table, Width};
use oxigraph::model::Variable;
use std::io::Write;

/// Rows held at a time: the first block sizes the columns.
pub const BLOCK_ROWS: usize = 1000;

/// Writes a terminal table (or a Markdown one) followed, for terminal tables, by the row
/// count; returns how many rows the results had.
pub(super) fn write_table<E>(
    out: &mut dyn Write,
    markdown: bool,
    variables: &[Variable],
    rows: impl Iterator<Item = Result<Row, E>>,
    style: &TableStyle,
    labels_from: Option<Target<'_>>,
) -> Result<usize, WriteError<E>> {
    let mut printer = Printer {
        markdown,
        variables,
        style,
        columns: None,
    };
    let mut block = Vec::new();
    let mut total = 0;
    for row in rows {
        let row = row.map_err(WriteError::Source)?;
        total += 1;
        if style.max_rows.is_some_and(|max| total > max) {
            continue;
        }
        block.push(printer.cells(&row, labels_from));
        if block.len() == BLOCK_ROWS {
            printer.block(out, std::mem::take(&mut block))?;
        }
    }
    printer.finish(out, block)?;
    if !markdown {
        let shown = style.max_rows.map_or(total, |m| m.min(total));
        if shown < total {
            writeln!(out, "({total} rows, first {shown} shown)")?;
        } else {
            writeln!(out, "({total} row{})", if total == 1 { "" } else { "s" })?;
        }
    }
    Ok(total)
}

/// The column widths (padding included) and the closing border, once the first block is out.
struct Columns {
    widths: Vec<u16>,
    bottom: Option<String>,
}

struct Printer<'a> {
    markdown: bool,
    variables: &'a [Variable],
    style: &'a TableStyle,
    columns: Option<Columns>,
}

impl Printer<'_> {
    fn cells(&self, row: &Row, labels_from: Option<Target<'_>>) -> Vec<String> {
        row.iter()
            .map(|t| {
                let text = t
                    .as_ref()
                    .map_or(String::new(), |t| self.style.show(t.as_ref(), labels_from));
                if self.markdown {
                    text.replace('|', "\\|").replace('\n', " ")
                } else {
                    text
                }
            })
            .collect()
    }

    fn table(&self, header: bool, rows: Vec<Vec<String>>) -> Table {
        let mut table = Table::new();
        if self.markdown {
            table.load_preset(presets::ASCII_MARKDOWN);
        } else {
            table.load_preset(presets::UTF8_FULL_CONDENSED);
            table.set_content_arrangement(ContentArrangement::Dynamic);
            if let Some(width) = self.style.width {
                table.set_width(width);
            }
        }
        if header {
            table.set_header(self.variables.iter().map(|v| v.as_str()));
        }
        table.add_rows(rows);
        table
    }

    /// Prints a full block: the first opens the table, later ones continue it.
    fn block(&mut self, out: &mut dyn Write, rows: Vec<Vec<String>>) -> std::io::Result<()> {
        match &self.columns {
            None => {
                let mut lines: Vec<String> = self.table(true, rows).lines().collect();
                let bottom = if self.markdown { None } else { lines.pop() };
                let widths = if self.markdown {
                    Vec::new()
                } else {
                    border_widths(&lines[0])
                };
                for line in &lines {
                    writeln!(out, "{line}")?;
                }
                self.columns = Some(Columns { widths, bottom });
            }
            Some(columns) => {
                let mut table = self.table(false, rows);
                if !self.markdown {
                    table.set_content_arrangement(ContentArrangement::Disabled);
                    table.set_constraints(
                        columns
                            .widths
                            .iter()
                            .map(|w| ColumnConstraint::Absolute(Width::Fixed(*w))),
                    );
                }
                let lines: Vec<String> = table.lines().collect();
                // Between the top and bottom borders of a terminal table; all of Markdown.
                let body = if self.markdown {
                    &lines[..]
                } else {
                    &lines[1..lines.len() - 1]
                };
                for line in body {
                    writeln!(out, "{line}")?;
                }
            }
        }
        Ok(())
    }

    /// Prints what is left: the whole table if it fit in one block, else the last rows and
    /// the closing border.
    fn finish(mut self, out: &mut dyn Write, rows: Vec<Vec<String>>) -> std::io::Result<()> {
        if self.columns.is_none() {
            return writeln!(out, "{}", self.table(true, rows));
        }
        if !rows.is_empty() {
            self.block(out, rows)?;
        }
        if let Some(bottom) = self.columns.and_then(|c| c.bottom) {
            writeln!(out, "{bottom}")?;
        }
        Ok(())
    }
}

/// The width of each column, padding included, read off a top border like `┌──┬───┐`.
fn border_widths(top: &str) -> Vec<u16> {
    let inner: Vec<char> = top.chars().collect();
    inner[1..inner.len().saturating_sub(1)]
        .split(|c| *c == '┬')
        .map(|segment| segment.len() as u16)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::{write_solutions, Format};
    use oxigraph::model::Literal;
    use std::convert::Infallible;

    /// A table of `n` rows: a counter and a text that grows long after the first block.
    fn render(format: Format, n: usize) -> String {
        let variables = vec![
            Variable::new_unchecked("i"),
            Variable::new_unchecked("text"),
        ];
        let rows = (1..=n).map(|i| {
            let text = if i > BLOCK_ROWS + 10 {
                "a long cell that the first block never saw, so it wraps".to_owned()
            } else {
                format!("row {i}")
            };
            Ok::<Row, Infallible>(vec![
                Some(Literal::from(i as i64).into()),
                Some(Literal::new_simple_literal(text).into()),
            ])
        });
        let mut out = Vec::new();
        let style = TableStyle::default();
        write_solutions(&mut out, format, &variables, rows, &style, None).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn a_long_table_keeps_its_column_widths_across_blocks() {
        let n = 2 * BLOCK_ROWS + 500;
        let text = render(Format::Table, n);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.last(), Some(&format!("({n} rows)").as_str()));
        let table = &lines[..lines.len() - 1];
        let width = table[0].chars().count();
        assert!(
            table.iter().all(|l| l.chars().count() == width),
            "every line of the table is as wide as its top border"
        );
        assert_eq!(table.iter().filter(|l| l.starts_with('┌')).count(), 1);
        assert_eq!(table.iter().filter(|l| l.starts_with('└')).count(), 1);
        assert!(table[1].contains(" i ") && table[1].contains(" text "));
        assert!(table[3].contains("row 1 "));
        assert!(table[3 + BLOCK_ROWS].contains(&format!(" {} ", BLOCK_ROWS + 1)));
        assert!(
            table.len() > 3 + n + 1,
            "long cells after the first block wrap inside their column"
        );
        assert!(table[table.len() - 2].contains("wraps") || table[table.len() - 2].contains('│'));
    }

    #[test]
    fn a_table_that_fits_one_block_is_one_table() {
        let text = render(Format::Table, BLOCK_ROWS);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines.len(),
            BLOCK_ROWS + 5,
            "borders, header, separator, count"
        );
        assert!(lines[BLOCK_ROWS + 3].starts_with('└'));
    }

    #[test]
    fn a_long_markdown_table_has_one_header() {
        let n = BLOCK_ROWS + 20;
        let text = render(Format::Markdown, n);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), n + 2);
        assert_eq!(lines.iter().filter(|l| l.contains("---")).count(), 1);
        assert!(lines.iter().all(|l| l.starts_with('|') && l.ends_with('|')));
        assert!(lines[n + 1].contains("wraps"));
    }
}
