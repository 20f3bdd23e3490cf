//! CSV files that people upload or import — bulk lists, history files, the numbering
//! registry, imports — read by the `csv` crate, the way spreadsheets write them: UTF-8 with or
//! without a byte-order mark, `,` or `;` (whichever the header uses), RFC 4180 quoting with
//! separators, doubled quotes and newlines inside quoted fields. Rows are named by the line
//! they start on, as an editor shows it.

/// A header and the rows under it.
pub struct CsvFile<'a> {
    /// The header's names, trimmed, lower-cased, without the byte-order mark.
    pub header: Vec<String>,
    records: csv::StringRecordsIntoIter<&'a [u8]>,
    text: &'a [u8],
    /// A byte offset whose line is known, for counting lines forward.
    counted: (usize, u64),
}

/// A row: the line it starts on, and its cells, trimmed.
#[derive(Debug, Clone)]
pub struct CsvRow {
    pub line: u64,
    record: csv::StringRecord,
}

impl CsvRow {
    /// The cell in column `i`, trimmed; empty when the row is shorter.
    pub fn get(&self, i: usize) -> &str {
        self.record.get(i).map(str::trim).unwrap_or_default()
    }

    /// The cell of an optional column.
    pub fn cell(&self, column: Option<usize>) -> &str {
        column.map(|i| self.get(i)).unwrap_or_default()
    }

    pub fn len(&self) -> usize {
        self.record.len()
    }

    pub fn is_empty(&self) -> bool {
        self.record.iter().all(|c| c.trim().is_empty())
    }
}

/// A row the CSV reader could not read (an unclosed quote runs to the end of the file).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct CsvError {
    pub line: u64,
    pub message: String,
}

/// The separator the header line uses: `;` if it has one outside quotes, else `,`.
fn separator(text: &str) -> u8 {
    let mut quoted = false;
    for c in text.chars() {
        match c {
            '"' => quoted = !quoted,
            ';' if !quoted => return b';',
            ',' if !quoted => return b',',
            '\n' if !quoted => break,
            _ => {}
        }
    }
    b','
}

impl<'a> CsvFile<'a> {
    /// Reads the header; the rows follow through the iterator.
    pub fn open(text: &'a str) -> Result<Self, CsvError> {
        Self::open_with(text, separator(text.trim_start_matches('\u{feff}')), true)
    }

    /// Reads the header with a fixed separator; without `quoting`, a quote is an ordinary
    /// character (formats that never quote, such as the numbering registry).
    pub fn open_with(text: &'a str, separator: u8, quoting: bool) -> Result<Self, CsvError> {
        let text = text.trim_start_matches('\u{feff}');
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(separator)
            .has_headers(true)
            .flexible(true)
            .quoting(quoting)
            .from_reader(text.as_bytes());
        let header = reader
            .headers()
            .map_err(|e| CsvError { line: 1, message: reason(&e) })?
            .iter()
            .map(|h| h.trim().trim_start_matches('\u{feff}').to_lowercase())
            .collect();
        Ok(CsvFile { header, records: reader.into_records(), text: text.as_bytes(), counted: (0, 1) })
    }

    /// The line a record starting at byte `at` starts on. The reader's own line count lags by
    /// one after a CRLF (it places a record before the `\n` that ends the previous one).
    fn line_at(&mut self, at: usize) -> u64 {
        let mut start = at.min(self.text.len());
        while start < self.text.len() && matches!(self.text[start], b'\r' | b'\n') {
            start += 1;
        }
        let (from, mut line) = self.counted;
        if start >= from {
            line += self.text[from..start].iter().filter(|&&b| b == b'\n').count() as u64;
            self.counted = (start, line);
        } else {
            line = 1 + self.text[..start].iter().filter(|&&b| b == b'\n').count() as u64;
        }
        line
    }

    /// The first column whose name is one of `aliases` (compared lower-cased, trimmed).
    pub fn column(&self, aliases: &[&str]) -> Option<usize> {
        self.header.iter().position(|h| aliases.contains(&h.as_str()))
    }

    /// The first column whose name, with its spaces removed, is one of `aliases`.
    pub fn column_squeezed(&self, aliases: &[&str]) -> Option<usize> {
        self.header.iter().position(|h| {
            let squeezed: String = h.chars().filter(|c| !c.is_whitespace()).collect();
            aliases.contains(&squeezed.as_str())
        })
    }
}

fn reason(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::Utf8 { .. } => "the text is not UTF-8".into(),
        _ => "the row is not valid CSV".into(),
    }
}

impl Iterator for CsvFile<'_> {
    type Item = Result<CsvRow, CsvError>;

    /// The next row that has something in it; blank rows are skipped.
    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let record = match self.records.next()? {
                Ok(r) => r,
                Err(e) => {
                    let line = e.position().map(|p| self.line_at(usize::try_from(p.byte()).unwrap_or(usize::MAX)));
                    return Some(Err(CsvError { line: line.unwrap_or_default(), message: reason(&e) }));
                }
            };
            let at = record.position().map(|p| usize::try_from(p.byte()).unwrap_or(usize::MAX)).unwrap_or_default();
            let line = self.line_at(at);
            let row = CsvRow { line, record };
            if !row.is_empty() {
                return Some(Ok(row));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(text: &str) -> (Vec<String>, Vec<(u64, Vec<String>)>) {
        let file = CsvFile::open(text).unwrap();
        let header = file.header.clone();
        let rows = file
            .map(|r| {
                let r = r.unwrap();
                (r.line, (0..r.len()).map(|i| r.get(i).to_owned()).collect())
            })
            .collect();
        (header, rows)
    }

    #[test]
    fn a_spreadsheet_export_with_quoted_separators_newlines_and_a_bom() {
        let text = "\u{feff}MSISDN;Name;Note\r\n+79161234567;\"Иванов; Иван, Иванович\";\"two\nlines\"\r\n\r\n\
                    +79161234568;\"He said \"\"hi\"\"\";\r\n";
        let (header, rows) = rows(text);
        assert_eq!(header, ["msisdn", "name", "note"]);
        assert_eq!(rows.len(), 2, "the blank row is skipped: {rows:?}");
        assert_eq!(rows[0].0, 2);
        assert_eq!(rows[0].1[1], "Иванов; Иван, Иванович");
        assert_eq!(rows[0].1[2], "two\nlines");
        assert_eq!(rows[1].0, 5, "the quoted newline counts: the second row starts on line 5");
        assert_eq!(rows[1].1[1], "He said \"hi\"");
    }

    #[test]
    fn rows_are_named_by_the_line_they_start_on_whatever_the_line_ends() {
        for text in ["a;b\n1;2\n\n3;4\n", "a;b\r\n1;2\r\n\r\n3;4\r\n", "a;b\r\n1;2\r\n  \r\n3;4"] {
            let lines: Vec<u64> = rows(text).1.iter().map(|r| r.0).collect();
            assert_eq!(lines, [2, 4], "{text:?}");
        }
    }

    #[test]
    fn a_comma_header_with_a_quoted_semicolon_is_comma_separated() {
        let (header, rows) = rows("\"a;b\",c\n1,2\n");
        assert_eq!(header, ["a;b", "c"]);
        assert_eq!(rows[0].1, ["1", "2"]);
    }

    #[test]
    fn short_rows_read_as_empty_cells() {
        let file = CsvFile::open("a,b,c\n1\n").unwrap();
        let row = file.into_iter().next().unwrap().unwrap();
        assert_eq!((row.get(0), row.get(2)), ("1", ""));
    }
}
