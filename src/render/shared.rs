//! What every page of one build shares, made once: the site's facts (`site`), the model
//! (`model`, its policies handed out item by item), and the navigation, rendered once per
//! distinct place in the site instead of once per page.

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};

use minijinja::value::{Enumerator, Object, ObjectRepr, Serde};
use minijinja::{context, Environment, Value};
use serde::Serialize;

use crate::audience::Audience;
use crate::date::Date;
use crate::diagnostic::Diagnostic;
use crate::model::Isms;
use crate::render::environment::template_error;
use crate::render::view::SiteModel;
use crate::render::RenderOptions;
use crate::site::{pages, RenderTarget};

#[derive(Debug, Clone, Serialize)]
pub(crate) struct NavItem {
    pub(crate) path: &'static str,
    pub(crate) label: String,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct SiteInfo<'a> {
    pub(crate) name: &'a str,
    pub(crate) legal_name: Option<&'a str>,
    pub(crate) description: Option<&'a str>,
    pub(crate) website: Option<&'a str>,
    pub(crate) base_url: String,
    pub(crate) security_email: &'a str,
    pub(crate) contact_website: Option<&'a str>,
    pub(crate) request_access_url: String,
    pub(crate) audience: Audience,
    pub(crate) internal: bool,
    /// Rendering the auditor bundle (the banner and the evidence index depend on it).
    pub(crate) bundle: bool,
    pub(crate) today: Date,
    pub(crate) generator: String,
    pub(crate) nav: Vec<NavItem>,
    pub(crate) frameworks: Vec<String>,
    /// A logo is set (`site.brand.logo`): kept for themes written before `brand`.
    pub(crate) has_logo: bool,
    #[serde(flatten)]
    pub(crate) language: crate::render::language::LanguageInfo,
    pub(crate) brand: BrandView,
}

/// The brand's files as site paths, for templates.
#[derive(Debug, Clone, Default, Serialize)]
pub(crate) struct BrandView {
    pub(crate) logo: Option<String>,
    pub(crate) logo_dark: Option<String>,
    pub(crate) favicon: Option<String>,
    pub(crate) favicon_type: Option<&'static str>,
    pub(crate) hero: Option<String>,
    pub(crate) hero_alt: Option<String>,
    /// `assets/palette.css`, when a brand colour is set.
    pub(crate) palette: Option<String>,
}

fn brand_view(brand: &crate::config::Brand) -> BrandView {
    use crate::brand::{asset_path, mime, PALETTE_ASSET};
    let asset =
        |file, path: &Option<String>| path.as_deref().map(|p| asset_path(file, std::path::Path::new(p)));
    let favicon = asset(crate::brand::FAVICON, &brand.favicon);
    BrandView {
        logo: asset(crate::brand::LOGO, &brand.logo),
        logo_dark: asset(crate::brand::LOGO_DARK, &brand.logo_dark),
        favicon_type: favicon.as_deref().map(mime),
        favicon,
        hero: asset(crate::brand::HERO, &brand.hero),
        hero_alt: brand.hero_alt.clone(),
        palette: brand.color.as_ref().map(|_| format!("assets/{PALETTE_ASSET}")),
    }
}

pub(crate) fn site_info<'a>(
    isms: &'a Isms,
    options: &RenderOptions,
    locale: &crate::locale::Locale,
) -> SiteInfo<'a> {
    let site = &isms.site;
    let internal = isms.audience >= Audience::Internal;
    let bundle = options.target == RenderTarget::AuditorBundle;
    let nav = pages::nav_of(isms.audience, options.target)
        .map(|(path, key)| NavItem { path, label: locale.text(key) })
        .collect();
    SiteInfo {
        name: &site.organization.name,
        legal_name: site.organization.legal_name.as_deref(),
        description: site.organization.description.as_deref(),
        website: site.organization.website.as_deref(),
        base_url: options.base_url.clone(),
        security_email: &site.contact.security_email,
        contact_website: site.contact.website.as_deref(),
        request_access_url: site.request_access_url(),
        audience: isms.audience,
        internal,
        bundle,
        today: options.today,
        generator: format!("trustpress {}", env!("CARGO_PKG_VERSION")),
        nav,
        frameworks: isms.catalogs.soa_catalogs().map(|c| c.name.clone()).collect(),
        has_logo: site.brand.logo.is_some(),
        brand: brand_view(&site.brand),
        language: crate::render::language::language_info(site, &options.base_url, locale),
    }
}

/// The path part of the base URL, with a trailing slash (`https://x.example/trust` → `/trust/`).
pub(crate) fn base_path(base_url: &str) -> String {
    let without_scheme = base_url.split_once("://").map_or(base_url, |(_, rest)| rest);
    let path = without_scheme.find('/').map_or("", |index| &without_scheme[index..]);
    format!("{}/", path.trim_end_matches('/'))
}

/// The model as templates see it. Policies are the one list that grows with the ISMS:
/// templates get them item by item.
pub(crate) fn model_value(model: &SiteModel) -> Value {
    context! {
        policies => Value::from_object(LazyList(Arc::clone(&model.policies))),
        ..Value::from(Serde(model))
    }
}

/// A list handed to templates item by item: each item becomes a template value when a
/// template reads it, so a list of thousands is never converted whole, nor held twice.
#[derive(Debug)]
pub(crate) struct LazyList<T>(pub(crate) Arc<[T]>);

impl<T: Serialize + fmt::Debug + Send + Sync + 'static> Object for LazyList<T> {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Seq
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        let index = i64::try_from(key.clone()).ok()?;
        let len = i64::try_from(self.0.len()).ok()?;
        let index = usize::try_from(if index < 0 { index + len } else { index }).ok()?;
        self.0.get(index).map(|item| Value::from(Serde(item)))
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::Seq(self.0.len())
    }
}

pub(crate) struct Shared {
    pub(crate) search: Value,
    pub(crate) site: Value,
    pub(crate) model: Value,
    pub(crate) explicit_index: bool,
    pub(crate) base_path: String,
    /// The paths of `site.nav`'s items.
    pub(crate) nav_paths: Vec<&'static str>,
    /// `nav.html` as rendered for each [`NavKey`] met so far.
    pub(crate) navs: Mutex<std::collections::HashMap<NavKey, Value>>,
}

/// Everything `nav.html` sees of a page. Pages that agree on it share one rendering of the
/// navigation: a few dozen renderings for a site of any size, instead of one per page.
#[derive(Clone, PartialEq, Eq, Hash)]
pub(crate) struct NavKey {
    /// What `url()` puts before a site path: `../` once per folder of the page's path.
    pub(crate) url_prefix: String,
    /// The 404 page's root, which its links start from instead.
    pub(crate) absolute_root: Option<String>,
    /// The page's first folder (`policies/`), empty for the overview.
    pub(crate) section: String,
    /// The page's path when the page itself is in the navigation.
    pub(crate) current: Option<String>,
}

impl Shared {
    /// The site navigation for a page, rendered from `nav.html` on first use of its key.
    pub(crate) fn nav(&self, environment: &Environment<'static>, key: &NavKey) -> Result<Value, Diagnostic> {
        if let Some(nav) = self.navs.lock().unwrap_or_else(PoisonError::into_inner).get(key) {
            return Ok(nav.clone());
        }
        let template = environment.get_template("nav.html").map_err(template_error)?;
        let html = template
            .render(context! {
                site => self.site.clone(),
                model => self.model.clone(),
                section => key.section.as_str(),
                current => key.current.as_deref(),
                url_prefix => key.url_prefix.as_str(),
                absolute_root => key.absolute_root.as_deref(),
                explicit_index => self.explicit_index,
            })
            .map_err(template_error)?;
        let nav = Value::from_safe_string(html);
        // Two threads may render the same key at once: both results are the same bytes.
        self.navs.lock().unwrap_or_else(PoisonError::into_inner).insert(key.clone(), nav.clone());
        Ok(nav)
    }
}
