//! `site.yaml`: who the organisation is, where the site lives, whom to contact, which
//! frameworks to show, and what `security.txt` says. Unknown keys are errors.

use serde::{Deserialize, Serialize};

use crate::catalog::ISO27001_2022;
use crate::date::Timestamp;

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Organization {
    pub name: String,
    #[serde(default)]
    pub legal_name: Option<String>,
    #[serde(default)]
    pub website: Option<String>,
    /// A logo file, relative to `site.yaml`; copied into the site as `assets/logo.<ext>`.
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
    /// The interface language (`en`, `de`, `fr`, or one a theme adds); see `crate::locale`.
    #[serde(default = "default_language")]
    pub language: String,
    /// Other language editions of this trust center: language → its base URL.
    #[serde(default)]
    pub translations: std::collections::BTreeMap<String, String>,
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
            language: default_language(),
            translations: Default::default(),
        }
    }
}

impl SiteConfig {
    /// Where "request access" links point.
    pub fn request_access_url(&self) -> String {
        match &self.access.request_url {
            Some(url) => url.clone(),
            None => format!("mailto:{}", self.contact.security_email),
        }
    }
}
