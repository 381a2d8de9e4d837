//! A questionnaire kept as CSV, read so that it can be written back with only the touched
//! cells changed: every record keeps its fields' raw text (quotes and all), its line ending,
//! and the file its byte-order mark and delimiter. A changed record is written again from
//! its raw fields, with only the new values quoted as needed.

/// A CSV file, parsed without losing its form.
#[derive(Debug, Clone, PartialEq)]
pub struct CsvFile {
    pub bom: bool,
    pub delimiter: u8,
    pub records: Vec<Record>,
    /// Text after the last record's line ending that is not a record (normally empty).
    pub tail: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// Each field as written, quotes included.
    pub raw: Vec<String>,
    /// Each field's value.
    pub values: Vec<String>,
    /// `\n`, `\r\n`, or empty for a last line without one.
    pub ending: String,
}

/// Why a CSV file cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CsvError {
    #[error("the file is empty")]
    Empty,
    #[error("the file is not UTF-8 text (byte {0}): save it as CSV UTF-8 and try again")]
    NotUtf8(usize),
    #[error("line {0}: a quoted field is never closed")]
    UnclosedQuote(usize),
}

impl CsvFile {
    pub fn parse(bytes: &[u8]) -> Result<CsvFile, CsvError> {
        let (bom, bytes) = match bytes.strip_prefix(b"\xEF\xBB\xBF") {
            Some(rest) => (true, rest),
            None => (false, bytes),
        };
        let text = std::str::from_utf8(bytes).map_err(|e| CsvError::NotUtf8(e.valid_up_to()))?;
        if text.trim().is_empty() {
            return Err(CsvError::Empty);
        }
        let delimiter = detect_delimiter(text);
        let mut records = Vec::new();
        let mut rest = text;
        let mut line = 1;
        while !rest.is_empty() {
            let (record, used) = parse_record(rest, delimiter).ok_or(CsvError::UnclosedQuote(line))?;
            line += record.raw.iter().map(|f| f.matches('\n').count()).sum::<usize>() + 1;
            rest = &rest[used..];
            records.push(record);
        }
        Ok(CsvFile { bom, delimiter, records, tail: String::new() })
    }

    /// The file's bytes: equal to what was parsed when nothing was set.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = String::new();
        if self.bom {
            out.push('\u{feff}');
        }
        let delimiter = char::from(self.delimiter);
        for record in &self.records {
            for (index, field) in record.raw.iter().enumerate() {
                if index > 0 {
                    out.push(delimiter);
                }
                out.push_str(field);
            }
            out.push_str(&record.ending);
        }
        out.push_str(&self.tail);
        out.into_bytes()
    }

    /// Sets the value of one cell, quoting it as CSV needs; a record shorter than `column`
    /// gets empty fields up to it.
    pub fn set(&mut self, row: usize, column: usize, value: &str) {
        let delimiter = self.delimiter;
        let Some(record) = self.records.get_mut(row) else { return };
        while record.raw.len() <= column {
            record.raw.push(String::new());
            record.values.push(String::new());
        }
        record.raw[column] = quote(value, delimiter);
        record.values[column] = value.to_string();
    }

    /// The values, row by row.
    pub fn rows(&self) -> Vec<Vec<String>> {
        self.records.iter().map(|r| r.values.clone()).collect()
    }
}

/// `,`, `;` or a tab: whichever the first line has most of, outside quotes (`,` on a tie).
fn detect_delimiter(text: &str) -> u8 {
    let first = text.lines().next().unwrap_or("");
    let mut counts = [(b',', 0), (b';', 0), (b'\t', 0)];
    let mut quoted = false;
    for byte in first.bytes() {
        if byte == b'"' {
            quoted = !quoted;
        } else if !quoted {
            for (delimiter, count) in &mut counts {
                if byte == *delimiter {
                    *count += 1;
                }
            }
        }
    }
    counts.iter().max_by_key(|(d, c)| (*c, *d == b',')).map_or(b',', |(d, _)| *d)
}

/// One record from the start of `text`, and how many bytes it used (its line ending
/// included); `None` when a quoted field is never closed.
fn parse_record(text: &str, delimiter: u8) -> Option<(Record, usize)> {
    let bytes = text.as_bytes();
    let (mut raw, mut values) = (Vec::new(), Vec::new());
    let mut at = 0;
    loop {
        let start = at;
        let mut value = String::new();
        if bytes.get(at) == Some(&b'"') {
            at += 1;
            loop {
                let next = text[at..].find('"')? + at;
                value.push_str(&text[at..next]);
                if bytes.get(next + 1) == Some(&b'"') {
                    value.push('"');
                    at = next + 2;
                } else {
                    at = next + 1;
                    break;
                }
            }
            // Anything between the closing quote and the delimiter is kept as written. The
            // delimiter and line breaks are ASCII, so the stops are character boundaries.
            let tail = at;
            while at < bytes.len() && bytes[at] != delimiter && bytes[at] != b'\n' && bytes[at] != b'\r' {
                at += 1;
            }
            value.push_str(&text[tail..at]);
        } else {
            while at < bytes.len() && bytes[at] != delimiter && bytes[at] != b'\n' && bytes[at] != b'\r' {
                at += 1;
            }
            value.push_str(&text[start..at]);
        }
        raw.push(text[start..at].to_string());
        values.push(value);
        match bytes.get(at) {
            Some(&b) if b == delimiter => at += 1,
            Some(b'\r') if bytes.get(at + 1) == Some(&b'\n') => {
                return Some((Record { raw, values, ending: "\r\n".into() }, at + 2));
            }
            Some(b'\n') => return Some((Record { raw, values, ending: "\n".into() }, at + 1)),
            Some(b'\r') => return Some((Record { raw, values, ending: "\r".into() }, at + 1)),
            _ => return Some((Record { raw, values, ending: String::new() }, at)),
        }
    }
}

/// A value as a CSV field: quoted when it holds the delimiter, a quote, a line break or
/// starts or ends with a space; a leading `=`, `+`, `-` or `@` (a formula to a spreadsheet)
/// gets a `'` first, so no answer runs as a formula.
fn quote(value: &str, delimiter: u8) -> String {
    let mut value = value.to_string();
    if value.starts_with(['=', '+', '-', '@']) {
        value.insert(0, '\'');
    }
    let needs = value.contains(['"', '\n', '\r'])
        || value.as_bytes().contains(&delimiter)
        || value.starts_with(' ')
        || value.ends_with(' ');
    if needs {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_reads_back_byte_for_byte() {
        for text in [
            "a,b,c\n1,2,3\n",
            "\u{feff}Id;Question;Answer\r\nQ1;\"Do you; or not?\";\r\nQ2;\"Say \"\"yes\"\"\";No",
            "x\ty\n\"multi\nline\"\tz\n\n",
            "only one line without ending",
        ] {
            let file = CsvFile::parse(text.as_bytes()).unwrap();
            assert_eq!(String::from_utf8(file.to_bytes()).unwrap(), text);
        }
    }

    #[test]
    fn text_after_a_closing_quote_is_read_as_the_characters_written() {
        let file = CsvFile::parse("Question,Answer\n\"Encrypted\" at rest — ä,Oui\n".as_bytes()).unwrap();
        assert_eq!(file.rows()[1], ["Encrypted at rest — ä", "Oui"]);
    }

    #[test]
    fn setting_a_cell_changes_only_that_cell() {
        let text = "\u{feff}Id;Question;Answer;Comment\r\nQ1;\"Is it; true?\";;\r\nQ2;Other;Yes;kept\r\n";
        let mut file = CsvFile::parse(text.as_bytes()).unwrap();
        assert_eq!(file.delimiter, b';');
        file.set(1, 2, "Yes");
        file.set(1, 3, "We do; always \"so\".");
        let out = String::from_utf8(file.to_bytes()).unwrap();
        assert_eq!(
            out,
            "\u{feff}Id;Question;Answer;Comment\r\nQ1;\"Is it; true?\";Yes;\"We do; always \"\"so\"\".\"\r\nQ2;Other;Yes;kept\r\n"
        );
    }

    #[test]
    fn formulas_are_defused_and_bad_files_are_named() {
        assert_eq!(quote("=1+1", b','), "'=1+1");
        assert_eq!(CsvFile::parse(b""), Err(CsvError::Empty));
        assert_eq!(CsvFile::parse(b"a,b\n\xff\n"), Err(CsvError::NotUtf8(4)));
        assert_eq!(CsvFile::parse(b"a,\"b\n"), Err(CsvError::UnclosedQuote(1)));
    }
}
