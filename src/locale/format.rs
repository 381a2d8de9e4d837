//! Dates, numbers, percentages and file sizes as a language writes them.

use crate::date::Date;

use super::Locale;

impl Locale {
    /// `1 March 2026`, `1. März 2026`, `1er mars 2026`.
    pub fn long_date(&self, date: Date) -> String {
        let month = self.format.months.get(usize::from(date.month().unsigned_abs()).saturating_sub(1));
        let day = match (&self.format.first_day, date.day()) {
            (Some(first), 1) => first.clone(),
            (_, day) => day.to_string(),
        };
        self.format
            .date
            .replace("{day}", &day)
            .replace("{month}", month.map_or("", String::as_str))
            .replace("{year}", &date.year().to_string())
    }

    /// An integer with the language's group separator (`1.234` in German).
    pub fn number(&self, number: i64) -> String {
        let digits = number.unsigned_abs().to_string();
        let mut out = String::with_capacity(digits.len() + 8);
        if number < 0 {
            out.push('-');
        }
        out.push_str(&group_digits(&digits, &self.format.group));
        out
    }

    /// A decimal with one digit after the separator (`12,5`).
    pub fn decimal(&self, value: f64) -> String {
        let text = format!("{value:.1}");
        let (whole, fraction) = text.split_once('.').unwrap_or((&text, "0"));
        let (sign, whole) = whole.strip_prefix('-').map_or(("", whole), |rest| ("-", rest));
        format!("{sign}{}{}{fraction}", group_digits(whole, &self.format.group), self.format.decimal)
    }

    /// `12%`, `12 %`.
    pub fn percent(&self, number: &str) -> String {
        self.format.percent.replace("{number}", number)
    }

    /// `532 bytes`, `1.4 KB`, `12,0 Mo`: powers of 1,024, one decimal, as `size::human_size`.
    pub fn file_size(&self, bytes: u64) -> String {
        let unit = |index: usize| self.format.units.get(index).map_or("", String::as_str);
        if bytes < 1024 {
            let number = self.number(i64::try_from(bytes).unwrap_or(i64::MAX));
            return self.format.size.replace("{number}", &number).replace("{unit}", unit(0));
        }
        let mut value = bytes as f64;
        let mut index = 0;
        while value >= 1024.0 && index < 4 {
            value /= 1024.0;
            index += 1;
        }
        self.format.size.replace("{number}", &self.decimal(value)).replace("{unit}", unit(index))
    }
}

fn group_digits(digits: &str, group: &str) -> String {
    if group.is_empty() || digits.len() < 4 {
        return digits.to_string();
    }
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 * group.len());
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            out.push_str(group);
        }
        out.push(digit);
    }
    out
}
