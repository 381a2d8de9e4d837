//! Cell references as a spreadsheet writes them (`C5`) and column letters (`AA`).

/// `C5` → (4, 2).
pub fn parse_reference(reference: &str) -> Option<(usize, usize)> {
    let letters: String = reference.chars().take_while(|c| c.is_ascii_alphabetic()).collect();
    let digits = &reference[letters.len()..];
    if letters.is_empty() || letters.len() > 3 || digits.is_empty() {
        return None;
    }
    let column = letters.to_ascii_uppercase().bytes().fold(0usize, |n, b| n * 26 + usize::from(b - b'A') + 1);
    let row: usize = digits.parse().ok()?;
    Some((row.checked_sub(1)?, column - 1))
}

/// (0, 2) → `C1`.
pub fn reference(row: usize, column: usize) -> String {
    format!("{}{}", column_letter(column), row + 1)
}

/// A column's letters: 0 → `A`, 25 → `Z`, 26 → `AA`.
pub fn column_letter(column: usize) -> String {
    let mut n = column + 1;
    let mut letters = String::new();
    while n > 0 {
        letters.insert(0, char::from(b'A' + ((n - 1) % 26) as u8));
        n = (n - 1) / 26;
    }
    letters
}
