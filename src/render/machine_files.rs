//! The machine-readable files: `sitemap.xml`, `robots.txt`, `/.well-known/security.txt`
//! (RFC 9116) and `trust.json`. Each is built from the cut model, like the pages.

use serde::Serialize;

use crate::audience::Audience;
use crate::markdown::escape_text;
use crate::model::Isms;
use crate::output::OutputFile;
use crate::render::view::{CertificationState, SiteModel};
use crate::render::RenderOptions;
use crate::site::routes;

/// `trust.json`: every policy, control and certification of the build for machines. It
/// needs none of the pages, so it is made while they render.
pub fn trust_json_file(isms: &Isms, model: &SiteModel, options: &RenderOptions) -> OutputFile {
    OutputFile::new(routes::TRUST_JSON, trust_json(isms, model, options), Audience::Public)
}

/// The sitemap, robots.txt and security.txt. `pages` is every HTML file the build writes
/// (`policies/pol-ac/index.html`): the sitemap lists exactly those, so no page can be
/// missing from it.
pub fn machine_files(isms: &Isms, options: &RenderOptions, pages: &[&str]) -> Vec<OutputFile> {
    let mut files = vec![
        OutputFile::new(routes::SITEMAP, sitemap(pages, options), Audience::Public),
        OutputFile::new(routes::ROBOTS, robots(isms, options), Audience::Public),
    ];
    if let Some(text) = security_txt(isms, options) {
        files.push(OutputFile::new(routes::SECURITY_TXT, text, Audience::Public));
    }
    if options.target == crate::site::RenderTarget::Site {
        files.push(OutputFile::new(routes::HEADERS, headers(isms), Audience::Public));
    }
    files
}

/// The Content-Security-Policy every page is served with, where the host reads `_headers`.
/// The default theme needs nothing more: its scripts and stylesheets are files of the site,
/// it has no inline script or style attribute, and it fetches only its own files (the
/// search page's index). A theme that needs more edits `_headers` after the build, or serves
/// its own headers.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; manifest-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/// `_headers`, in the format Netlify and Cloudflare Pages read: the security headers a trust
/// center should be served with. Other hosts ignore the file (DEPLOYING.md shows their
/// equivalents).
fn headers(isms: &Isms) -> String {
    let mut text = String::from("/*\n");
    text.push_str(&format!("  Content-Security-Policy: {CONTENT_SECURITY_POLICY}\n"));
    text.push_str("  Strict-Transport-Security: max-age=63072000; includeSubDomains\n");
    text.push_str("  X-Content-Type-Options: nosniff\n");
    text.push_str("  Referrer-Policy: strict-origin-when-cross-origin\n");
    text.push_str("  Permissions-Policy: camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()\n");
    text.push_str("  Cross-Origin-Opener-Policy: same-origin\n");
    if isms.audience >= Audience::Internal {
        // Never indexed, even if exposed by mistake (as robots.txt and each page say too).
        text.push_str("  X-Robots-Tag: noindex, nofollow\n");
    }
    text
}

fn absolute(options: &RenderOptions, path: &str) -> String {
    format!("{}/{}", options.base_url.trim_end_matches('/'), path)
}

fn sitemap(pages: &[&str], options: &RenderOptions) -> String {
    let mut paths: Vec<&str> = pages
        .iter()
        .filter(|page| **page != routes::NOT_FOUND)
        .map(|page| page.strip_suffix("index.html").unwrap_or(page))
        .collect();
    paths.sort_unstable();
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for path in paths {
        xml.push_str(&format!("  <url><loc>{}</loc></url>\n", escape_text(&absolute(options, path))));
    }
    xml.push_str("</urlset>\n");
    xml
}

fn robots(isms: &Isms, options: &RenderOptions) -> String {
    if isms.audience >= Audience::Internal {
        // The internal site must never be indexed, even if it is exposed by mistake.
        "User-agent: *\nDisallow: /\n".to_string()
    } else {
        format!("User-agent: *\nAllow: /\n\nSitemap: {}\n", absolute(options, routes::SITEMAP))
    }
}

/// RFC 9116: `Contact` and `Expires` are required; without an `expires` in site.yaml there
/// is no valid file to write, and `check` reports it.
fn security_txt(isms: &Isms, options: &RenderOptions) -> Option<String> {
    let config = isms.site.security_txt.as_ref()?;
    let expires = config.expires;
    let mut text = String::new();
    text.push_str(&format!("Contact: mailto:{}\n", isms.site.contact.security_email));
    if let Some(website) = &isms.site.contact.website {
        text.push_str(&format!("Contact: {website}\n"));
    }
    text.push_str(&format!("Expires: {expires}\n"));
    if let Some(encryption) = &config.encryption {
        text.push_str(&format!("Encryption: {encryption}\n"));
    }
    if let Some(acknowledgments) = &config.acknowledgments {
        text.push_str(&format!("Acknowledgments: {acknowledgments}\n"));
    }
    if !config.preferred_languages.is_empty() {
        text.push_str(&format!("Preferred-Languages: {}\n", config.preferred_languages.join(", ")));
    }
    let canonical = config.canonical.clone().unwrap_or_else(|| absolute(options, routes::SECURITY_TXT));
    text.push_str(&format!("Canonical: {canonical}\n"));
    if let Some(policy) = &config.policy {
        text.push_str(&format!("Policy: {policy}\n"));
    }
    if let Some(hiring) = &config.hiring {
        text.push_str(&format!("Hiring: {hiring}\n"));
    }
    // RFC 9116's registry: where the CSAF provider metadata (machine-readable advisories) is.
    if let Some(csaf) = &config.csaf {
        text.push_str(&format!("CSAF: {csaf}\n"));
    }
    Some(text)
}

#[derive(Serialize)]
struct TrustJson<'a> {
    format: &'static str,
    organization: &'a str,
    legal_name: Option<&'a str>,
    base_url: &'a str,
    audience: Audience,
    generated_on: String,
    generator: String,
    security_contact: String,
    frameworks: Vec<&'a str>,
    certifications: Vec<TrustCertification<'a>>,
    controls: TrustControls<'a>,
    policies: Vec<TrustPolicy<'a>>,
    subprocessors: Vec<TrustSubprocessor<'a>>,
    monitoring: &'a crate::render::view::CheckSummary,
    /// Coverage of each mapped framework, derived from the SoA.
    framework_coverage: Vec<TrustFramework<'a>>,
    /// Where a signed site's public key, manifest and signature are (`build --sign`).
    #[serde(skip_serializing_if = "Option::is_none")]
    signing: Option<TrustSigning>,
}

#[derive(Serialize)]
struct TrustSigning {
    /// `sshsig`: an SSH signature, checked with `ssh-keygen -Y verify -n trustpress`.
    format: &'static str,
    namespace: &'static str,
    public_key: String,
    manifest: String,
    signature: String,
}

#[derive(Serialize)]
struct TrustFramework<'a> {
    id: &'a str,
    name: &'a str,
    coverage: &'a crate::render::view::ThemeCoverage,
}

#[derive(Serialize)]
struct TrustCertification<'a> {
    id: &'a str,
    name: &'a str,
    issuer: Option<&'a str>,
    issued: Option<String>,
    expires: Option<String>,
    state: CertificationState,
}

#[derive(Serialize)]
struct TrustControls<'a> {
    soa_version: Option<&'a str>,
    soa_approved: Option<String>,
    total: usize,
    applicable: usize,
    implemented: usize,
    partial: usize,
    planned: usize,
    not_implemented: usize,
    not_applicable: usize,
    items: Vec<TrustControl<'a>>,
}

#[derive(Serialize)]
struct TrustControl<'a> {
    id: &'a str,
    title: &'a str,
    theme: &'a str,
    state: &'a str,
}

#[derive(Serialize)]
struct TrustPolicy<'a> {
    id: &'a str,
    title: &'a str,
    version: Option<&'a str>,
    url: String,
    restricted: bool,
}

#[derive(Serialize)]
struct TrustSubprocessor<'a> {
    name: &'a str,
    purpose: Option<&'a str>,
    location: Option<&'a str>,
}

fn trust_json(isms: &Isms, model: &SiteModel, options: &RenderOptions) -> String {
    let total = &model.coverage_total;
    let document = TrustJson {
        format: "trustpress-trust-json/1",
        organization: &isms.site.organization.name,
        legal_name: isms.site.organization.legal_name.as_deref(),
        base_url: &options.base_url,
        audience: isms.audience,
        generated_on: options.today.to_string(),
        generator: format!("trustpress {}", env!("CARGO_PKG_VERSION")),
        security_contact: format!("mailto:{}", isms.site.contact.security_email),
        frameworks: isms.catalogs.enabled().map(|c| c.id.as_str()).collect(),
        certifications: model
            .certifications
            .iter()
            .map(|c| TrustCertification {
                id: &c.id,
                name: &c.name,
                issuer: c.issuer.as_deref(),
                issued: c.issued.map(|d| d.to_string()),
                expires: c.expires.map(|d| d.to_string()),
                state: c.state,
            })
            .collect(),
        controls: TrustControls {
            soa_version: model.soa_version.as_deref(),
            soa_approved: model.soa_approved.map(|d| d.to_string()),
            total: total.total,
            applicable: total.applicable,
            implemented: total.implemented,
            partial: total.partial,
            planned: total.planned,
            not_implemented: total.not_implemented,
            not_applicable: total.not_applicable,
            items: model
                .controls
                .iter()
                .map(|c| TrustControl { id: &c.id, title: &c.title, theme: &c.theme, state: c.state })
                .collect(),
        },
        policies: model
            .policies
            .iter()
            .map(|p| TrustPolicy {
                id: &p.id,
                title: &p.title,
                version: p.version.as_deref(),
                url: absolute(options, &p.path),
                restricted: p.teaser_only,
            })
            .collect(),
        subprocessors: model
            .subprocessors
            .iter()
            .filter(|s| s.current)
            .map(|s| TrustSubprocessor {
                name: &s.name,
                purpose: s.purpose.as_deref(),
                location: s.location.as_deref(),
            })
            .collect(),
        monitoring: &model.check_summary,
        framework_coverage: model
            .frameworks
            .iter()
            .map(|f| TrustFramework { id: &f.id, name: &f.name, coverage: &f.coverage })
            .collect(),
        signing: options.signed.then(|| TrustSigning {
            format: "sshsig",
            namespace: "trustpress",
            public_key: absolute(options, routes::SIGNING_KEY),
            manifest: absolute(options, routes::SITE_MANIFEST),
            signature: absolute(options, routes::SITE_SIGNATURE),
        }),
    };
    embeddable(serde_json::to_string_pretty(&document).unwrap_or_else(|_| "{}".to_string()))
}

/// JSON safe to inline into a page, ending in a newline: `<`, `>` and `&` only occur inside
/// strings, and as \u escapes the file is still the same JSON.
pub(crate) fn embeddable(json: String) -> String {
    let mut json = json.replace('<', "\\u003c").replace('>', "\\u003e").replace('&', "\\u0026");
    json.push('\n');
    json
}
