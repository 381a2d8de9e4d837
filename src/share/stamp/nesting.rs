//! The content scanner: how a content stream nests marked-content sections.

use super::GUARD_LIMIT;

/// How content changes the depth of marked-content sections (`BMC`/`BDC` … `EMC`), relative to
/// where it starts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Nesting {
    /// The lowest depth reached: minus the number of `EMC`s closing sections opened before it.
    pub(super) lowest: i64,
    /// The depth at the end: the sections left open, less the `EMC`s too many.
    pub(super) end: i64,
}

impl Nesting {
    /// This content followed by `next` (a page's content streams are one sequence).
    pub(super) fn then(self, next: Nesting) -> Nesting {
        Nesting {
            lowest: self.lowest.min(self.end.saturating_add(next.lowest)),
            end: self.end.saturating_add(next.end),
        }
    }

    /// How many guard sections to open before the content and close after it so that, in a
    /// reader that lets sections outlive the form that opens them, the `EMC`s after it close
    /// every section the content leaves open and no more: as many as it closes too many plus as
    /// many as it leaves open. (A reader that ends them with the form sees them balanced.)
    pub(super) fn guards(self) -> i64 {
        (self.end.max(0).saturating_sub(self.lowest)).clamp(0, GUARD_LIMIT)
    }
}

fn is_blank(byte: u8) -> bool {
    matches!(byte, b'\0' | b'\t' | b'\n' | b'\x0c' | b'\r' | b' ')
}

fn is_delimiter(byte: u8) -> bool {
    matches!(byte, b'(' | b')' | b'<' | b'>' | b'[' | b']' | b'{' | b'}' | b'/' | b'%')
}

/// Counts the `BMC`, `BDC` and `EMC` operators of a content stream, stepping over strings,
/// comments, names and inline image data, where those letters are not operators.
pub(super) fn nesting(content: &[u8]) -> Nesting {
    let mut nesting = Nesting::default();
    let mut at = 0;
    while let Some(&byte) = content.get(at) {
        match byte {
            b'%' => {
                while content.get(at).is_some_and(|&byte| byte != b'\n' && byte != b'\r') {
                    at += 1;
                }
            }
            b'(' => {
                let mut depth = 0usize;
                while let Some(&byte) = content.get(at) {
                    at += 1;
                    match byte {
                        b'\\' => at += 1,
                        b'(' => depth += 1,
                        b')' => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                }
            }
            b'<' if content.get(at + 1) == Some(&b'<') => at += 2,
            b'<' => {
                while content.get(at).is_some_and(|&byte| byte != b'>') {
                    at += 1;
                }
                at += 1;
            }
            b'/' => {
                at += 1;
                while content.get(at).is_some_and(|&byte| !is_blank(byte) && !is_delimiter(byte)) {
                    at += 1;
                }
            }
            _ if is_blank(byte) || is_delimiter(byte) => at += 1,
            _ => {
                let start = at;
                while content.get(at).is_some_and(|&byte| !is_blank(byte) && !is_delimiter(byte)) {
                    at += 1;
                }
                match &content[start..at] {
                    b"BMC" | b"BDC" => nesting.end = nesting.end.saturating_add(1),
                    b"EMC" => {
                        nesting.end = nesting.end.saturating_sub(1);
                        nesting.lowest = nesting.lowest.min(nesting.end);
                    }
                    // Inline image data runs to an `EI` between blanks.
                    b"ID" => {
                        at += 1;
                        while at < content.len() {
                            let ends = content[at..].starts_with(b"EI")
                                && content.get(at.wrapping_sub(1)).is_some_and(|&byte| is_blank(byte))
                                && content
                                    .get(at + 2)
                                    .is_none_or(|&byte| is_blank(byte) || is_delimiter(byte));
                            at += if ends { 2 } else { 1 };
                            if ends {
                                break;
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
    }
    nesting
}
