//! The template engine as trustpress sets it up: the theme's templates, HTML escaping of
//! `& < > " '` only, the `url()` function that makes links relative to the page, `t()` for
//! the interface strings of the site's language, and the filters. Also the one way a template
//! error becomes a diagnostic.

use std::sync::Arc;

use minijinja::value::Kwargs;
use minijinja::{Environment, ErrorKind, State, Value};

use crate::date::Date;
use crate::diagnostic::{Diagnostic, Location};
use crate::locale::Locale;
use crate::markdown;
use crate::render::theme::Theme;

pub(crate) fn template_error(error: minijinja::Error) -> Diagnostic {
    let mut message = error.to_string();
    let mut source = std::error::Error::source(&error);
    while let Some(inner) = source {
        message.push_str(&format!(": {inner}"));
        source = inner.source();
    }
    let location = match (error.name(), error.line()) {
        (Some(name), Some(line)) => {
            Some(Location::at(format!("templates/{name}"), u32::try_from(line).unwrap_or(0), 0))
        }
        _ => None,
    };
    let diagnostic = Diagnostic::error("template-error", message).hint("check the theme's template");
    match location {
        Some(location) => diagnostic.at(location),
        None => diagnostic,
    }
}

pub(crate) fn environment(theme: &Theme, locale: &Arc<Locale>) -> Result<Environment<'static>, Diagnostic> {
    let mut environment = Environment::new();
    environment.set_undefined_behavior(minijinja::UndefinedBehavior::SemiStrict);
    environment.set_auto_escape_callback(|name| {
        if name.ends_with(".html") || name.ends_with(".xml") {
            minijinja::AutoEscape::Html
        } else {
            minijinja::AutoEscape::None
        }
    });
    for (name, source) in &theme.templates {
        environment.add_template_owned(name.clone(), source.clone()).map_err(template_error)?;
    }
    environment.set_formatter(escape_minimal);
    environment.add_function("url", url_function);
    let for_date = Arc::clone(locale);
    environment.add_function("date", move |value: Option<Value>| date_function(&for_date, value));
    environment.add_function("control_links", control_links_function);
    let for_t = Arc::clone(locale);
    environment.add_function("t", move |state: &State, key: &str, values: Kwargs| {
        translate(&for_t, state, key, &values)
    });
    let for_long_date = Arc::clone(locale);
    environment.add_filter("long_date", move |value: String| -> String {
        Date::parse(&value).map(|date| for_long_date.long_date(date)).unwrap_or(value)
    });
    let for_size = Arc::clone(locale);
    environment.add_filter("filesize", move |bytes: u64| -> String { for_size.file_size(bytes) });
    let for_number = Arc::clone(locale);
    environment.add_filter("number", move |value: Value| -> Value { format_number(&for_number, &value) });
    let for_percent = Arc::clone(locale);
    environment.add_filter("percent", move |value: Value| -> String {
        for_percent.percent(&format_number(&for_percent, &value).to_string())
    });
    Ok(environment)
}

/// A number as the site's language writes it (`1.234`, `12,5`); any other value as it is.
fn format_number(locale: &Locale, value: &Value) -> Value {
    if let Ok(number) = i64::try_from(value.clone()) {
        return Value::from(locale.number(number));
    }
    match value.as_str() {
        None if value.is_number() => {
            f64::try_from(value.clone()).map_or(value.clone(), |n| Value::from(locale.decimal(n)))
        }
        _ => value.clone(),
    }
}

/// `t("key", name=value…)`: the site language's string `key` with its `{name}`s filled. In
/// HTML and XML a value is escaped unless it is already markup (`date()`, `url()` made safe);
/// a number is written as the language writes numbers; `count=` picks a plural form. An
/// unknown key, or a `{name}` without a value, is an error naming the template.
fn translate(locale: &Locale, state: &State, key: &str, values: &Kwargs) -> Result<Value, minijinja::Error> {
    let html = matches!(state.auto_escape(), minijinja::AutoEscape::Html);
    // A count that is markup (`<output>0</output>`, filled in by a script) picks no form.
    let count = match values.peek::<Option<Value>>("count")? {
        Some(count) if count.is_number() => Some(i64::try_from(count).map_err(|_| {
            minijinja::Error::new(
                ErrorKind::InvalidOperation,
                format!("t(\"{key}\"): `count` must be a whole number"),
            )
        })?),
        _ => None,
    };
    let text = locale
        .fill(key, count, |name| {
            let value = values
                .peek::<Option<Value>>(name)
                .ok()
                .flatten()
                .filter(|v| !v.is_undefined() && !v.is_none())
                .ok_or_else(|| format!("t(\"{key}\") needs a value for `{{{name}}}`"))?;
            let text = if value.is_number() {
                format_number(locale, &value).to_string()
            } else if html && !value.is_safe() {
                let mut escaped = String::new();
                let text = value.as_str().map_or_else(|| value.to_string(), str::to_string);
                let _ = markdown::escape_into(&text, true, &mut escaped);
                escaped
            } else {
                value.as_str().map_or_else(|| value.to_string(), str::to_string)
            };
            Ok(text)
        })
        .map_err(|message| {
            let hint = if message.starts_with("unknown locale key") {
                format!("{message}: every key t() uses must be in the theme's locales/en.yaml")
            } else {
                message
            };
            minijinja::Error::new(ErrorKind::InvalidOperation, hint)
        })?;
    Ok(if html { Value::from_safe_string(text) } else { Value::from(text) })
}

/// Escapes `& < > " '` in HTML and XML output, and nothing else: every attribute in the theme
/// is quoted, so this is sufficient, and URLs stay readable (minijinja's default also escapes
/// `/`, which bloats every link and confuses naive feed readers).
pub(crate) fn escape_minimal(
    out: &mut minijinja::Output,
    state: &mut State,
    value: &Value,
) -> Result<(), minijinja::Error> {
    if let (minijinja::AutoEscape::Html, Some(text), false) =
        (state.auto_escape(), value.as_str(), value.is_safe())
    {
        return markdown::escape_into(text, true, out).map_err(|_| {
            minijinja::Error::new(minijinja::ErrorKind::WriteFailure, "could not write template output")
        });
    }
    minijinja::escape_formatter(out, state, value)
}

/// `date(value)`: a date as `<time datetime="2026-03-01">1 March 2026</time>` (the text in
/// the site's language, the attribute ISO), or `—` when there is none. One definition for
/// every template (it was a macro, which the policy pages, the most numerous, could not
/// afford to import).
pub(crate) fn date_function(locale: &Locale, value: Option<Value>) -> Value {
    let text = match value.as_ref().filter(|v| v.is_true()) {
        Some(value) => value.as_str().map_or_else(|| value.to_string(), str::to_string),
        None => return Value::from_safe_string("—".to_string()),
    };
    let long = Date::parse(&text).map(|date| locale.long_date(date)).unwrap_or_else(|_| text.clone());
    let mut html = String::with_capacity(48 + text.len());
    html.push_str("<time datetime=\"");
    let _ = markdown::escape_into(&text, true, &mut html);
    html.push_str("\">");
    let _ = markdown::escape_into(&long, true, &mut html);
    html.push_str("</time>");
    Value::from_safe_string(html)
}

/// `control_links(links)`: links to controls (or framework criteria) as a list of tags, each
/// titled with the control's title; an id without a page in this build is shown unlinked.
/// Nothing when the list is empty. One definition for every template, like `date`.
pub(crate) fn control_links_function(state: &mut State, links: Value) -> Result<Value, minijinja::Error> {
    let mut html = String::new();
    let text = |link: &Value, key: &str| -> Result<String, minijinja::Error> {
        let value = link.get_attr(key)?;
        Ok(match value.as_str() {
            Some(text) => markdown::escape_attribute(text),
            None if value.is_none() || value.is_undefined() => String::new(),
            None => markdown::escape_attribute(&value.to_string()),
        })
    };
    for link in links.try_iter()? {
        if html.is_empty() {
            html.push_str("<ul class=\"tags\">");
        }
        let (id, title) = (text(&link, "id")?, text(&link, "title")?);
        let path = link.get_attr("path")?;
        match path.as_str().filter(|_| path.is_true()) {
            Some(path) => {
                let url = markdown::escape_attribute(&url_function(state, path));
                html.push_str(&format!("<li><a href=\"{url}\" title=\"{title}\">{id}</a></li>"));
            }
            None => html.push_str(&format!("<li><span title=\"{title}\">{id}</span></li>")),
        }
    }
    if !html.is_empty() {
        html.push_str("</ul>");
    }
    Ok(Value::from_safe_string(html))
}

/// `url("policies/")`: a link from the page being rendered to a site path.
/// A route may end in a fragment after a folder (`frameworks/soc2-2017/#cc6-1`); file names
/// may hold `#` themselves, so only `/#` starts a fragment.
pub(crate) fn url_function(state: &mut State, path: &str) -> String {
    if let Some(base) = state.get_extension::<UrlBase>() {
        return base.url(path);
    }
    let base = UrlBase::of(state);
    let url = base.url(path);
    state.get_or_insert_extension(base);
    url
}

/// What `url()` needs of the page being rendered, looked up once per render rather than
/// once per link.
pub(crate) struct UrlBase {
    /// The 404 page's links are absolute from this root.
    absolute_root: Option<String>,
    /// `../` once per folder of the page's path.
    prefix: String,
    explicit_index: bool,
}

impl UrlBase {
    fn of(state: &State) -> UrlBase {
        let absolute_root = state
            .lookup("absolute_root")
            .filter(|v| !v.is_none() && !v.is_undefined())
            .map(|root| root.as_str().unwrap_or("/").to_string());
        let prefix = state.lookup("url_prefix").and_then(|v| v.as_str().map(str::to_string));
        UrlBase {
            absolute_root,
            prefix: prefix.unwrap_or_default(),
            explicit_index: state.lookup("explicit_index").is_some_and(|v| v.is_true()),
        }
    }

    fn url(&self, path: &str) -> String {
        // Only `/#` starts a fragment; a `#` elsewhere is part of a file name.
        let (path, fragment) = match path.match_indices('#').find(|&(i, _)| path[..i].ends_with('/')) {
            Some((index, _)) => path.split_at(index),
            None => (path, ""),
        };
        let start = self.absolute_root.as_deref().unwrap_or(&self.prefix);
        let mut link = String::with_capacity(start.len() + path.len() + fragment.len() + 10);
        link.push_str(start);
        push_encoded_path(&mut link, path);
        if self.absolute_root.is_none() {
            if self.explicit_index && (link.is_empty() || link.ends_with('/')) {
                link.push_str("index.html");
            }
            if link.is_empty() {
                link.push_str("./");
            }
        }
        link.push_str(fragment);
        link
    }
}

/// Appends a site path made safe for `href`: the characters that would end or alter the
/// path part of a URL (`%`, `#`, `?`, found in real evidence and document file names) are
/// percent-encoded; everything else is left as written.
pub(crate) fn push_encoded_path(link: &mut String, path: &str) {
    if !path.contains(['%', '#', '?']) {
        link.push_str(path);
        return;
    }
    for c in path.chars() {
        match c {
            '%' => link.push_str("%25"),
            '#' => link.push_str("%23"),
            '?' => link.push_str("%3F"),
            _ => link.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page_at(prefix: &str) -> UrlBase {
        UrlBase { absolute_root: None, prefix: prefix.to_string(), explicit_index: false }
    }

    /// One template rendered with the default theme's strings of `language`.
    fn render(language: &str, name: &str, source: &str) -> Result<String, minijinja::Error> {
        let theme = Theme::default_theme();
        let locale = Arc::new(theme.locale(language).expect("a shipped locale"));
        let mut environment = environment(&Theme::default(), &locale).expect("an environment");
        environment.add_template_owned(name.to_string(), source.to_string())?;
        environment.get_template(name)?.render(minijinja::context! { name => "A & B <Ltd>" })
    }

    #[test]
    fn t_fills_escaped_values_and_keeps_its_own_markup() {
        let html = render("en", "x.html", "{{ t('base.banner.internal', name=name) }}").unwrap();
        assert_eq!(html, "<strong>Internal</strong> · for A &amp; B &lt;Ltd&gt; staff only. Do not forward outside the company.");
        let safe = render("en", "x.html", "{{ t('check.checked_on', date=date('2026-03-01')) }}").unwrap();
        assert_eq!(safe, "checked <time datetime=\"2026-03-01\">1 March 2026</time>");
        let text = render("en", "x.txt", "{{ t('base.trust_center_of', name=name) }}").unwrap();
        assert_eq!(text, "A & B <Ltd> Trust Center");
    }

    #[test]
    fn t_picks_plural_forms_and_writes_numbers_in_the_language() {
        let one = render("de", "x.html", "{{ t('audits.open_findings', count=1) }}").unwrap();
        let many = render("de", "x.html", "{{ t('audits.open_findings', count=1234) }}").unwrap();
        assert_eq!((one.as_str(), many.as_str()), ("1 offene Feststellung", "1.234 offene Feststellungen"));
        let french = render(
            "fr",
            "x.html",
            "{{ t('reviews.decisions', count=0) }} · {{ 12345 | number }} · {{ 90 | percent }}",
        )
        .unwrap();
        assert_eq!(french, "0 décision · 12\u{202f}345 · 90\u{202f}%");
        let sizes = render("de", "x.html", "{{ 1536 | filesize }} · {{ '2026-11-20' | long_date }}").unwrap();
        assert_eq!(sizes, "1,5\u{a0}KB · 20. November 2026");
    }

    #[test]
    fn an_unknown_key_or_a_missing_value_is_an_error_naming_the_template() {
        let error = render("en", "page.html", "line one\n{{ t('no.such.key') }}").unwrap_err();
        assert!(error.to_string().contains("unknown locale key `no.such.key`"), "{error}");
        assert_eq!((error.name(), error.line()), (Some("page.html"), Some(2)));
        let error = render("en", "page.html", "{{ t('base.trust_center_of') }}").unwrap_err();
        assert!(error.to_string().contains("needs a value for `{name}`"), "{error}");
        let error = render("en", "page.html", "{{ t('audits.open_findings') }}").unwrap_err();
        assert!(error.to_string().contains("pass `count=`"), "{error}");
    }

    #[test]
    fn links_encode_only_what_would_break_a_url() {
        let base = page_at("../");
        assert_eq!(base.url("evidence/A.5.15/Q3 review.csv"), "../evidence/A.5.15/Q3 review.csv");
        assert_eq!(base.url("documents/50%#2?.pdf"), "../documents/50%25%232%3F.pdf");
    }

    #[test]
    fn only_a_hash_after_a_slash_starts_a_fragment() {
        let base = page_at("../../");
        assert_eq!(base.url("frameworks/soc2-2017/#cc6-1"), "../../frameworks/soc2-2017/#cc6-1");
        assert_eq!(base.url("documents/a#b/#c"), "../../documents/a%23b/#c");
        let root = UrlBase { absolute_root: Some("/trust/".to_string()), ..page_at("") };
        assert_eq!(root.url("soa/#a-5-1"), "/trust/soa/#a-5-1");
        let index = UrlBase { explicit_index: true, ..page_at("") };
        assert_eq!(index.url(""), "index.html");
        assert_eq!(index.url("soa/#a-5-1"), "soa/index.html#a-5-1");
        assert_eq!(page_at("").url(""), "./");
    }
}
