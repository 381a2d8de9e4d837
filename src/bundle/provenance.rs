//! Where a bundle comes from: the content folder's git commit and whether its tree was
//! dirty, and the build date every timestamp in the archive is pinned to.

use std::path::Path;
use std::process::{Command, Stdio};

use serde::Serialize;

use crate::date::Date;

/// The git state of the content folder. Every field is `None` when git is not installed or
/// the folder is not in a repository: provenance is reported, never required.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GitState {
    /// The commit checked out (`HEAD`), 40 hex digits.
    pub commit: Option<String>,
    /// Whether anything inside the content folder differs from that commit (modified,
    /// staged, deleted or untracked files; ignored files do not count).
    pub dirty: Option<bool>,
    /// The commit's date, in Unix seconds.
    pub commit_time: Option<i64>,
}

impl GitState {
    /// Asks git about the folder `content`, by running it as a subprocess.
    pub fn of(content: &Path) -> GitState {
        let commit = git(content, &["rev-parse", "--verify", "--quiet", "HEAD"])
            .filter(|hash| hash.len() >= 40 && hash.chars().all(|c| c.is_ascii_hexdigit()));
        // `-- .` limits the status to the content folder: a change elsewhere in the
        // repository does not make this content dirty.
        let dirty = git(content, &["status", "--porcelain", "--untracked-files=normal", "--", "."])
            .map(|status| !status.is_empty());
        let commit_time = commit
            .as_ref()
            .and_then(|_| git(content, &["log", "-1", "--format=%ct", "HEAD"]))
            .and_then(|seconds| seconds.parse().ok());
        GitState { commit, dirty, commit_time }
    }
}

/// Runs `git -C content args…` and returns its trimmed output when it succeeded.
fn git(content: &Path, args: &[&str]) -> Option<String> {
    let output = Command::new("git")
        .arg("-C")
        .arg(content)
        .args(args)
        // A bundle must not change the repository: no index refresh written by `status`.
        .env("GIT_OPTIONAL_LOCKS", "0")
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    if !output.status.success() {
        return None;
    }
    String::from_utf8(output.stdout).ok().map(|text| text.trim().to_string())
}

/// Where the build date came from, in order of preference.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum BuildDateSource {
    /// The `SOURCE_DATE_EPOCH` environment variable.
    #[serde(rename = "SOURCE_DATE_EPOCH")]
    SourceDateEpoch,
    /// The date of the content folder's git commit.
    #[serde(rename = "git-commit")]
    GitCommit,
    /// The system clock: the bundle is then not reproducible.
    #[serde(rename = "clock")]
    Clock,
}

/// The instant a bundle is dated: its manifest's `built_at`, every zip entry's timestamp,
/// and the day validity and staleness on its pages are computed against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BuildDate {
    pub unix_seconds: i64,
    pub source: BuildDateSource,
}

impl BuildDate {
    /// `SOURCE_DATE_EPOCH` when given, else the content's commit date, else the clock.
    pub fn resolve(source_date_epoch: Option<i64>, git: &GitState) -> BuildDate {
        if let Some(seconds) = source_date_epoch.filter(|s| jiff::Timestamp::from_second(*s).is_ok()) {
            return BuildDate { unix_seconds: seconds, source: BuildDateSource::SourceDateEpoch };
        }
        if let Some(seconds) = git.commit_time.filter(|s| jiff::Timestamp::from_second(*s).is_ok()) {
            return BuildDate { unix_seconds: seconds, source: BuildDateSource::GitCommit };
        }
        BuildDate { unix_seconds: jiff::Timestamp::now().as_second(), source: BuildDateSource::Clock }
    }

    fn timestamp(self) -> jiff::Timestamp {
        // `resolve` only keeps seconds jiff accepts.
        jiff::Timestamp::from_second(self.unix_seconds).unwrap_or(jiff::Timestamp::UNIX_EPOCH)
    }

    /// RFC 3339 in UTC: `2026-11-21T00:00:00Z`.
    pub fn rfc3339(self) -> String {
        self.timestamp().to_string()
    }

    /// The UTC calendar day.
    pub fn day(self) -> Date {
        Date::from_unix_seconds(self.unix_seconds).unwrap_or_else(Date::today_from_clock)
    }

    /// The zip timestamp of every entry: the build instant in UTC, clamped to the years a
    /// zip can hold (1980–2107). Zip stores local time without a zone and in two-second
    /// steps; UTC keeps the archive the same wherever it is built.
    pub fn zip_time(self) -> zip::DateTime {
        let civil = self.timestamp().to_zoned(jiff::tz::TimeZone::UTC).datetime();
        let clamped = if civil.year() < 1980 {
            return zip::DateTime::default();
        } else if civil.year() > 2107 {
            jiff::civil::datetime(2107, 12, 31, 23, 59, 58, 0)
        } else {
            civil
        };
        let to_u8 = |value: i8| u8::try_from(value).unwrap_or(0);
        zip::DateTime::from_date_and_time(
            u16::try_from(clamped.year()).unwrap_or(1980),
            to_u8(clamped.month()),
            to_u8(clamped.day()),
            to_u8(clamped.hour()),
            to_u8(clamped.minute()),
            to_u8(clamped.second()),
        )
        .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_date_epoch_wins_over_the_commit_date() {
        let git =
            GitState { commit: Some("a".repeat(40)), dirty: Some(false), commit_time: Some(1_700_000_000) };
        let pinned = BuildDate::resolve(Some(1_795_000_000), &git);
        assert_eq!(
            pinned,
            BuildDate { unix_seconds: 1_795_000_000, source: BuildDateSource::SourceDateEpoch }
        );
        let from_commit = BuildDate::resolve(None, &git);
        assert_eq!(from_commit.source, BuildDateSource::GitCommit);
        assert_eq!(from_commit.rfc3339(), "2023-11-14T22:13:20Z");
        assert_eq!(BuildDate::resolve(None, &GitState::default()).source, BuildDateSource::Clock);
    }

    #[test]
    fn zip_time_is_utc_and_clamped_to_the_zip_range() {
        let date = BuildDate { unix_seconds: 1_795_219_201, source: BuildDateSource::SourceDateEpoch };
        let time = date.zip_time();
        assert_eq!(date.rfc3339(), "2026-11-21T00:00:01Z");
        assert_eq!(
            (time.year(), time.month(), time.day(), time.hour(), time.second()),
            (2026, 11, 21, 0, 0),
            "two-second steps"
        );
        let early = BuildDate { unix_seconds: 0, source: BuildDateSource::SourceDateEpoch };
        assert_eq!(early.zip_time().year(), 1980);
        let late = BuildDate { unix_seconds: 5_000_000_000, source: BuildDateSource::SourceDateEpoch };
        assert_eq!((late.zip_time().year(), late.zip_time().month()), (2107, 12));
    }

    #[test]
    fn reads_commit_date_and_dirty_state_from_git() {
        let dir = tempfile::tempdir().unwrap();
        let repo = dir.path();
        assert_eq!(GitState::of(repo), GitState::default(), "a folder outside git has no provenance");
        let run = |args: &[&str]| {
            let status = Command::new("git")
                .arg("-C")
                .arg(repo)
                .args(args)
                .env("GIT_COMMITTER_DATE", "1700000000 +0000")
                .env("GIT_AUTHOR_DATE", "1700000000 +0000")
                .stdout(Stdio::null())
                .status()
                .expect("git is installed (CI needs it)");
            assert!(status.success(), "git {args:?}");
        };
        run(&["init", "--quiet"]);
        std::fs::create_dir(repo.join("content")).unwrap();
        std::fs::write(repo.join("content/site.yaml"), "x: 1\n").unwrap();
        run(&["add", "."]);
        run(&["-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "--quiet", "-m", "c"]);
        let clean = GitState::of(&repo.join("content"));
        assert_eq!(clean.commit.as_ref().map(String::len), Some(40));
        assert_eq!((clean.dirty, clean.commit_time), (Some(false), Some(1_700_000_000)));

        std::fs::write(repo.join("outside.txt"), "not content").unwrap();
        assert_eq!(GitState::of(&repo.join("content")).dirty, Some(false), "only the content folder counts");
        std::fs::write(repo.join("content/new.md"), "untracked").unwrap();
        assert_eq!(GitState::of(&repo.join("content")).dirty, Some(true));
    }
}
