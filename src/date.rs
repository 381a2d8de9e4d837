//! Calendar dates (`YYYY-MM-DD`) and timestamps (RFC 3339) as they appear in content, and
//! the build date that every "expired", "overdue" and "stale" is computed against.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A calendar date written `YYYY-MM-DD`. Any other spelling is an error, so that
/// `03/01/2026` is never silently read as a different day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(jiff::civil::Date);

impl Date {
    pub fn new(year: i16, month: i8, day: i8) -> Option<Date> {
        jiff::civil::Date::new(year, month, day).ok().map(Date)
    }

    /// Parses exactly `YYYY-MM-DD`.
    pub fn parse(text: &str) -> Result<Date, String> {
        let bytes = text.as_bytes();
        let shape_ok = bytes.len() == 10
            && bytes[4] == b'-'
            && bytes[7] == b'-'
            && bytes.iter().enumerate().all(|(i, b)| i == 4 || i == 7 || b.is_ascii_digit());
        if !shape_ok {
            return Err(format!("invalid date `{text}`: expected YYYY-MM-DD"));
        }
        let year: i16 = text[0..4].parse().map_err(|_| format!("invalid year in `{text}`"))?;
        let month: i8 = text[5..7].parse().map_err(|_| format!("invalid month in `{text}`"))?;
        let day: i8 = text[8..10].parse().map_err(|_| format!("invalid day in `{text}`"))?;
        Date::new(year, month, day)
            .ok_or_else(|| format!("invalid date `{text}`: no such day in the calendar"))
    }

    /// The build dates every output can hold, first and last: from the Unix epoch (what
    /// `SOURCE_DATE_EPOCH` counts from; the questionnaire workbook holds no date before
    /// 1900) to the end of year 9999.
    pub fn build_range() -> (Date, Date) {
        (Date(jiff::civil::date(1970, 1, 1)), Date(jiff::civil::date(9999, 12, 31)))
    }

    /// The largest Unix time a build date can come from (`SOURCE_DATE_EPOCH`).
    pub fn max_unix_seconds() -> i64 {
        jiff::Timestamp::MAX.as_second()
    }

    /// The UTC calendar day of a Unix time, as `SOURCE_DATE_EPOCH` gives it.
    pub fn from_unix_seconds(seconds: i64) -> Option<Date> {
        let timestamp = jiff::Timestamp::from_second(seconds).ok()?;
        Some(Date(timestamp.to_zoned(jiff::tz::TimeZone::UTC).date()))
    }

    /// Today's UTC date from the system clock: used only when neither `--today` nor
    /// `SOURCE_DATE_EPOCH` pins the build date.
    pub fn today_from_clock() -> Date {
        let now = jiff::Timestamp::now();
        Date(now.to_zoned(jiff::tz::TimeZone::UTC).date())
    }

    pub fn add_months(self, months: i32) -> Date {
        Date(self.0.saturating_add(jiff::Span::new().months(months)))
    }

    /// Whole days from `self` to `later` (negative when `later` is earlier).
    pub fn days_until(self, later: Date) -> i64 {
        // Dates span at most ±9999 years, so `until` in days cannot overflow.
        self.0.until(later.0).map(|span| i64::from(span.get_days())).unwrap_or(0)
    }

    pub fn year(self) -> i16 {
        self.0.year()
    }

    /// 1 to 12.
    pub fn month(self) -> i8 {
        self.0.month()
    }

    /// 1 to 31.
    pub fn day(self) -> i8 {
        self.0.day()
    }

    /// "1 March 2026", in English whatever the site's language: command output and files for
    /// tools. Pages write dates in the site's language (`Locale::long_date`).
    pub fn long(self) -> String {
        const MONTHS: [&str; 12] = [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ];
        let month = MONTHS[(self.0.month() - 1) as usize];
        format!("{} {} {}", self.0.day(), month, self.0.year())
    }

    /// Midnight UTC of this day as an RFC 3339 timestamp (feeds, sitemaps).
    pub fn rfc3339_midnight(self) -> String {
        format!("{self}T00:00:00Z")
    }
}

impl Date {
    /// `YYYY-MM-DD` in ten bytes, for years 0 to 9999 (every year `parse` reads), written
    /// without the formatting machinery: page keys and caches write dates by the thousand.
    fn ascii(self) -> Option<[u8; 10]> {
        let year = u16::try_from(self.0.year()).ok().filter(|year| *year <= 9999)?;
        let (month, day) = (self.0.month() as u8, self.0.day() as u8);
        let digit = |n: u16| b'0' + (n % 10) as u8;
        Some([
            digit(year / 1000),
            digit(year / 100),
            digit(year / 10),
            digit(year),
            b'-',
            b'0' + month / 10,
            b'0' + month % 10,
            b'-',
            b'0' + day / 10,
            b'0' + day % 10,
        ])
    }
}

/// The text of [`Date::ascii`]'s bytes, which are ASCII digits and dashes.
fn ascii_text(bytes: &[u8; 10]) -> &str {
    std::str::from_utf8(bytes).unwrap_or("0000-00-00")
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.ascii() {
            Some(bytes) => f.pad(ascii_text(&bytes)),
            None => write!(f, "{:04}-{:02}-{:02}", self.0.year(), self.0.month(), self.0.day()),
        }
    }
}

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.ascii() {
            Some(bytes) => serializer.serialize_str(ascii_text(&bytes)),
            None => serializer.collect_str(self),
        }
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // A visitor, so a date read from a buffer is parsed where it is, not copied first.
        struct Text;
        impl serde::de::Visitor<'_> for Text {
            type Value = Date;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a date written YYYY-MM-DD")
            }
            fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<Date, E> {
                Date::parse(text).map_err(E::custom)
            }
        }
        deserializer.deserialize_str(Text)
    }
}

/// An instant written in RFC 3339 (`2026-11-19T06:00:00Z`), kept in UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(jiff::Timestamp);

impl Timestamp {
    pub fn parse(text: &str) -> Result<Timestamp, String> {
        // RFC 3339 requires the date, the time and an offset; jiff also accepts looser
        // ISO 8601 forms, so the shape is checked first.
        let has_time = text.len() >= 20
            && text.as_bytes().get(10).is_some_and(|b| *b == b'T' || *b == b't' || *b == b' ');
        if !has_time {
            return Err(format!("invalid timestamp `{text}`: expected RFC 3339, like 2026-11-19T06:00:00Z"));
        }
        text.parse::<jiff::Timestamp>()
            .map(Timestamp)
            .map_err(|_| format!("invalid timestamp `{text}`: expected RFC 3339, like 2026-11-19T06:00:00Z"))
    }

    pub fn date(self) -> Date {
        Date(self.0.to_zoned(jiff::tz::TimeZone::UTC).date())
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Timestamp::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The ten-byte writing of a date is the formatted one, for every kind of year and for
    /// the years it leaves to the formatter; JSON reads back what it wrote.
    #[test]
    fn dates_are_written_as_the_formatter_writes_them() {
        let days = [
            (1970, 1, 1),
            (2026, 2, 28),
            (2024, 12, 31),
            (1, 9, 9),
            (0, 1, 1),
            (999, 10, 10),
            (9999, 12, 31),
        ];
        for (year, month, day) in days {
            let date = Date::new(year, month, day).unwrap();
            let formatted = format!("{:04}-{:02}-{:02}", year, month, day);
            assert_eq!(date.to_string(), formatted);
            assert_eq!(format!("{date:>12}"), format!("{formatted:>12}"), "padding is kept");
            let json = serde_json::to_string(&date).unwrap();
            assert_eq!(json, format!("\"{formatted}\""));
            assert_eq!(serde_json::from_str::<Date>(&json).unwrap(), date);
        }
        let before_year_zero = Date::new(-1, 6, 1).unwrap();
        assert_eq!(before_year_zero.to_string(), "-001-06-01");
        assert_eq!(serde_json::to_string(&before_year_zero).unwrap(), "\"-001-06-01\"");
        assert!(serde_json::from_str::<Date>("\"2026-2-28\"").is_err());
        assert!(serde_json::from_str::<Date>("20260228").is_err());
    }

    #[test]
    fn parses_only_iso_dates() {
        assert_eq!(Date::parse("2026-03-01").unwrap().to_string(), "2026-03-01");
        assert!(Date::parse("2026-02-30").is_err());
        assert!(Date::parse("03/01/2026").is_err());
        assert!(Date::parse("2026-3-1").is_err());
    }

    #[test]
    fn month_arithmetic_clamps_to_month_end() {
        let date = Date::parse("2026-01-31").unwrap();
        assert_eq!(date.add_months(1).to_string(), "2026-02-28");
        assert_eq!(date.add_months(12).to_string(), "2027-01-31");
    }

    #[test]
    fn counts_days_between_dates() {
        let a = Date::parse("2026-11-01").unwrap();
        let b = Date::parse("2026-11-21").unwrap();
        assert_eq!(a.days_until(b), 20);
        assert_eq!(b.days_until(a), -20);
    }

    #[test]
    fn timestamps_need_time_and_offset() {
        let stamp = Timestamp::parse("2026-11-19T06:00:00Z").unwrap();
        assert_eq!(stamp.date().to_string(), "2026-11-19");
        assert!(Timestamp::parse("2026-11-19").is_err());
        assert!(Timestamp::parse("2026-11-19T06:00:00").is_err());
    }

    #[test]
    fn epoch_seconds_give_utc_day() {
        assert_eq!(Date::from_unix_seconds(0).unwrap().to_string(), "1970-01-01");
        assert_eq!(Date::long(Date::parse("2026-03-01").unwrap()), "1 March 2026");
    }
}
