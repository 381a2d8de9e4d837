//! `site.yaml`: who the organisation is, where the site lives, whom to contact, which
//! frameworks to show, and what `security.txt` says. Unknown keys are errors.

use serde::{Deserialize, Serialize};

use crate::catalog::ISO27001_2022;
use crate::date::{Date, Timestamp};

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Organization {
    pub name: String,
    #[serde(default)]
    pub legal_name: Option<String>,
    #[serde(default)]
    pub website: Option<String>,
    /// A logo file, relative to `site.yaml`: the same as `brand.logo` (kept for sites that
    /// set it here first). Setting both is an error.
    #[serde(default)]
    pub logo: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    pub security_email: String,
    #[serde(default)]
    pub website: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Access {
    /// Where "request access" links of teaser items point. Without it they are a mailto to
    /// the security contact.
    #[serde(default)]
    pub request_url: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecurityTxt {
    pub expires: Timestamp,
    #[serde(default)]
    pub preferred_languages: Vec<String>,
    #[serde(default)]
    pub policy: Option<String>,
    #[serde(default)]
    pub encryption: Option<String>,
    #[serde(default)]
    pub acknowledgments: Option<String>,
    #[serde(default)]
    pub hiring: Option<String>,
    #[serde(default)]
    pub canonical: Option<String>,
    /// The URL of the organisation's CSAF `provider-metadata.json`, published as `CSAF:`.
    #[serde(default)]
    pub csaf: Option<String>,
}

/// How the site looks without a theme of its own: files are relative to `site.yaml`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Brand {
    /// The logo shown in the header, on a light background (SVG or PNG).
    #[serde(default)]
    pub logo: Option<String>,
    /// The logo for dark mode; without it, the light one is shown there too.
    #[serde(default)]
    pub logo_dark: Option<String>,
    /// The brand colour, `#rrggbb`: buttons, links and accents are derived from it, and a
    /// colour whose derived shades fail WCAG AA contrast is an error with a suggestion.
    #[serde(default)]
    pub color: Option<String>,
    /// The browser tab's icon (SVG, PNG or ICO); without it, the theme's.
    #[serde(default)]
    pub favicon: Option<String>,
    /// A wide image shown beside the overview's introduction (PNG, JPEG or WebP).
    #[serde(default)]
    pub hero: Option<String>,
    /// The hero image's text alternative; required with `hero`.
    #[serde(default)]
    pub hero_alt: Option<String>,
}

/// One "security at a glance" card on the overview: a short fact and the record behind it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Highlight {
    /// A few words: "Hosting".
    pub title: String,
    /// The fact, in one line: "EU only: AWS Frankfurt and Ireland".
    pub text: String,
    /// What backs it: a policy id (`POL-CRYPTO`), a control id (`A.8.24`), an answer id
    /// (`FAQ-012`), a certification id, or a site path (`subprocessors/`). `check` verifies
    /// it leads to a page the card's readers can open.
    pub link: String,
}

/// Site-wide defaults for the monitored control checks.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChecksConfig {
    /// Days after which a check's last result counts as stale, unless the check sets its
    /// own `stale_after`. Default 7.
    #[serde(default)]
    pub stale_after: Option<u32>,
}

fn default_frameworks() -> Vec<String> {
    vec![ISO27001_2022.to_string()]
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteConfig {
    pub organization: Organization,
    pub base_url: String,
    pub contact: Contact,
    #[serde(default)]
    pub access: Access,
    #[serde(default = "default_frameworks")]
    pub frameworks: Vec<String>,
    #[serde(default)]
    pub security_txt: Option<SecurityTxt>,
    /// A theme folder, relative to `site.yaml`, whose files override the default theme's.
    #[serde(default)]
    pub theme: Option<String>,
    #[serde(default)]
    pub brand: Brand,
    /// The overview's "security at a glance" cards, in order.
    #[serde(default)]
    pub overview: Vec<Highlight>,
    #[serde(default)]
    pub checks: ChecksConfig,
    /// The day the content describes, for a snapshot such as the fictional example: every
    /// date-based state (stale, expiring, overdue) is computed against it instead of the
    /// clock, and the site says so. `--today` still wins.
    #[serde(default)]
    pub as_of: Option<Date>,
    /// Write a markdown copy of every public page for AI agents (`index.md` beside each
    /// `index.html`), listed in `llms.txt`. Off by default: converting every page costs
    /// about a second per 7,000 pages.
    #[serde(default)]
    pub markdown_copies: bool,
    /// The interface language (`en`, `de`, `fr`, or one a theme adds); see `crate::locale`.
    #[serde(default = "default_language")]
    pub language: String,
    /// Other language editions of this trust center: language → its base URL.
    #[serde(default)]
    pub translations: std::collections::BTreeMap<String, String>,
    /// The CAIQ version the answers' `caiq` ids are written in (4.0.3 or 4.1): v4.1
    /// renumbered controls, so the same id can name another question in each.
    #[serde(default)]
    pub caiq_version: crate::caiq::Version,
}

fn default_language() -> String {
    crate::locale::DEFAULT_LANGUAGE.to_string()
}

impl Default for SiteConfig {
    fn default() -> Self {
        SiteConfig {
            organization: Organization::default(),
            base_url: String::new(),
            contact: Contact::default(),
            access: Access::default(),
            frameworks: default_frameworks(),
            security_txt: None,
            theme: None,
            brand: Brand::default(),
            overview: Vec::new(),
            checks: ChecksConfig::default(),
            as_of: None,
            markdown_copies: false,
            language: default_language(),
            translations: Default::default(),
            caiq_version: Default::default(),
        }
    }
}

impl SiteConfig {
    /// The header logo: `brand.logo`, else `organization.logo`.
    pub fn logo(&self) -> Option<&str> {
        self.brand.logo.as_deref().or(self.organization.logo.as_deref())
    }

    /// Days after which a check's result is stale, for a check that sets none.
    pub fn check_stale_after(&self) -> u32 {
        self.checks.stale_after.unwrap_or(crate::freshness::STALE_AFTER_DAYS)
    }

    /// Where "request access" links point.
    pub fn request_access_url(&self) -> String {
        match &self.access.request_url {
            Some(url) => url.clone(),
            None => format!("mailto:{}", self.contact.security_email),
        }
    }
}
