//! HTTP for the dev server as pure functions: a request (method, target, Host) and the
//! build being served in, a reply out. Files come only from the build held in memory, never
//! from the disk, so there is no filesystem path to escape through; a `..` segment, plain
//! or percent-encoded, is refused all the same.

use std::net::IpAddr;

use std::borrow::Borrow;

use crate::markdown::escape_attribute;
use crate::output::OutputFile;

/// Paths below this prefix belong to the dev server, never to the site.
pub const SERVER_PREFIX: &str = "/__trustpress/";
/// The live-reload event stream (Server-Sent Events).
pub const EVENTS_PATH: &str = "/__trustpress/events";
/// The script injected into every served HTML page.
pub const SCRIPT_PATH: &str = "/__trustpress/live-reload.js";
/// What is injected into HTML pages sits between these two comments.
pub const INJECTED_START: &str = "<!-- trustpress serve -->";
pub const INJECTED_END: &str = "<!-- /trustpress serve -->";

const LIVE_RELOAD_SCRIPT: &str = include_str!("live-reload.js");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Head,
    Other,
}

/// One request, as far as the dev server cares.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    pub method: Method,
    /// The request target as sent (`/policies/pol-ac/?x=1`), not decoded.
    pub target: &'a str,
    pub host: Option<&'a str>,
}

/// What the server answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: Vec<u8>,
}

impl Reply {
    fn new(status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> Reply {
        Reply {
            status,
            headers: vec![
                ("Content-Type", content_type.to_string()),
                // A dev server must never let a browser show a page from before the last save.
                ("Cache-Control", "no-store".to_string()),
                ("X-Content-Type-Options", "nosniff".to_string()),
            ],
            body: body.into(),
        }
    }

    fn text(status: u16, message: &str) -> Reply {
        Reply::new(status, "text/plain; charset=utf-8", format!("{message}\n"))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(key, _)| key.eq_ignore_ascii_case(name)).map(|(_, value)| value.as_str())
    }
}

/// What the served HTML pages are told about the server, for live reload and the overlay.
pub struct PageContext<'a> {
    /// Changes each time the server starts, so open pages reload after a restart.
    pub server_id: &'a str,
    /// The build being served (0 before the first good build).
    pub build: u64,
    /// The error overlay while the latest rebuild failed.
    pub overlay: Option<&'a str>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// The live-reload event stream.
    Events,
    /// Everything else is answered by [`respond`].
    Reply,
}

/// Where a request goes. The event stream is for this machine's browser only, like the
/// pages (see [`host_allowed`]).
pub fn route(request: &Request, bind: IpAddr) -> Route {
    let path = request.target.split(['?', '#']).next().unwrap_or("");
    if path == EVENTS_PATH && request.method == Method::Get && host_allowed(request.host, bind) {
        Route::Events
    } else {
        Route::Reply
    }
}

/// Answers a request from the build in memory. `files` is sorted by path.
pub fn respond<F: Borrow<OutputFile>>(
    request: &Request,
    files: &[F],
    bind: IpAddr,
    page: &PageContext,
) -> Reply {
    if !host_allowed(request.host, bind) {
        return Reply::text(
            403,
            "403 Forbidden: this dev server only answers requests for localhost (a page on another \
             host name may be a DNS rebinding attack); bind another address with --bind to share it",
        );
    }
    if request.method == Method::Other {
        let mut reply = Reply::text(405, "405 Method Not Allowed");
        reply.headers.push(("Allow", "GET, HEAD".to_string()));
        return reply;
    }
    let (raw_path, query) = match request.target.split_once('?') {
        Some((path, query)) => (path, Some(query)),
        None => (request.target, None),
    };
    let raw_path = raw_path.split('#').next().unwrap_or("");
    let Some(site_path) = decode_target(raw_path) else {
        return Reply::text(400, "400 Bad Request: the path is not a valid path inside the site");
    };
    if raw_path == SCRIPT_PATH {
        return Reply::new(200, "text/javascript; charset=utf-8", LIVE_RELOAD_SCRIPT);
    }
    if raw_path == EVENTS_PATH {
        // A GET holds the stream open (see `route`); a HEAD gets its headers.
        return Reply::new(200, "text/event-stream", Vec::new());
    }
    if raw_path.starts_with(SERVER_PREFIX) {
        return not_found(files, &site_path, page);
    }
    let file_path = if site_path.is_empty() || site_path.ends_with('/') {
        format!("{site_path}index.html")
    } else {
        site_path.clone()
    };
    if let Some(file) = find(files, &file_path) {
        return file_reply(200, file, &file_path, page);
    }
    // A folder asked for without its slash: redirect, so the page's relative links resolve.
    if find(files, &format!("{site_path}/index.html")).is_some() {
        let mut reply = Reply::text(301, "301 Moved Permanently");
        let location = match query {
            Some(query) => format!("{raw_path}/?{query}"),
            None => format!("{raw_path}/"),
        };
        reply.headers.push(("Location", location));
        return reply;
    }
    not_found(files, &file_path, page)
}

fn not_found<F: Borrow<OutputFile>>(files: &[F], file_path: &str, page: &PageContext) -> Reply {
    match find(files, crate::site::routes::NOT_FOUND) {
        Some(file) => file_reply(404, file, file_path, page),
        None if page.build == 0 => {
            // No good build yet: a page that shows why, and reloads once there is one.
            let html = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>trustpress serve</title></head>\
                        <body><p>The site has not been built yet.</p></body></html>";
            let mut reply = Reply::new(404, "text/html; charset=utf-8", html);
            reply.body = inject(&reply.body, &snippet(file_path, file_path, page));
            reply
        }
        None => Reply::text(404, "404 Not Found"),
    }
}

fn find<'a, F: Borrow<OutputFile>>(files: &'a [F], path: &str) -> Option<&'a OutputFile> {
    files
        .binary_search_by(|file| file.borrow().path.as_str().cmp(path))
        .ok()
        .map(|index| files[index].borrow())
}

fn file_reply(status: u16, file: &OutputFile, requested: &str, page: &PageContext) -> Reply {
    let content_type = content_type(&file.path);
    if content_type.starts_with("text/html") {
        let body = inject(&file.bytes, &snippet(requested, &file.path, page));
        Reply::new(status, content_type, body)
    } else {
        Reply::new(status, content_type, file.bytes.to_vec())
    }
}

/// The request path as a site path without the leading `/`: percent-decoded once, with `.`
/// and empty segments dropped. `None` for anything that is not a plain path inside the site:
/// a target not starting with `/`, `..` in any encoding, a backslash, a control character
/// or bytes that are not UTF-8. A trailing `/` is kept: it names a folder.
pub fn decode_target(raw_path: &str) -> Option<String> {
    let rest = raw_path.strip_prefix('/')?;
    let decoded = String::from_utf8(percent_decode(rest.as_bytes())?).ok()?;
    if decoded.chars().any(|c| c.is_control() || c == '\\') {
        return None;
    }
    let mut segments = Vec::new();
    for segment in decoded.split('/') {
        match segment {
            "" | "." => {}
            ".." => return None,
            _ => segments.push(segment),
        }
    }
    let mut path = segments.join("/");
    if !path.is_empty() && decoded.ends_with('/') {
        path.push('/');
    }
    Some(path)
}

/// Decodes `%XX` escapes; `None` for a malformed escape.
fn percent_decode(bytes: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        if bytes[index] == b'%' {
            let hex = bytes.get(index + 1..index + 3)?;
            let text = std::str::from_utf8(hex).ok()?;
            out.push(u8::from_str_radix(text, 16).ok()?);
            index += 3;
        } else {
            out.push(bytes[index]);
            index += 1;
        }
    }
    Some(out)
}

/// Bound to a loopback address, the server answers only requests naming a loopback host:
/// otherwise any web page could read the (possibly internal) site through DNS rebinding.
/// Bound elsewhere on purpose, it answers any host.
pub fn host_allowed(host: Option<&str>, bind: IpAddr) -> bool {
    if !bind.is_loopback() {
        return true;
    }
    let Some(host) = host else { return true };
    let name = if let Some(rest) = host.strip_prefix('[') {
        rest.split(']').next().unwrap_or("")
    } else {
        host.rsplit_once(':').map_or(host, |(name, _port)| name)
    };
    let name = name.to_ascii_lowercase();
    name == "localhost"
        || name.ends_with(".localhost")
        || name.parse::<IpAddr>().is_ok_and(|address| address.is_loopback())
}

/// The content type of an output file, by extension.
pub fn content_type(path: &str) -> &'static str {
    let extension = path.rsplit_once('.').map_or("", |(_, extension)| extension).to_ascii_lowercase();
    match extension.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "xml" => "application/xml; charset=utf-8",
        "txt" => "text/plain; charset=utf-8",
        "md" => "text/markdown; charset=utf-8",
        "csv" => "text/csv; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "woff" => "font/woff",
        "woff2" => "font/woff2",
        "pdf" => "application/pdf",
        "zip" => "application/zip",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        _ => "application/octet-stream",
    }
}

/// What goes into a served page: the overlay while the latest rebuild failed, and the
/// live-reload script, told which build it came from, which output file the address names
/// (`requested`) and which one was sent (`served`: the 404 page for a missing one). The page
/// reloads when either changes.
fn snippet(requested: &str, served: &str, page: &PageContext) -> String {
    format!(
        "{INJECTED_START}{overlay}<script src=\"{SCRIPT_PATH}\" data-server=\"{server}\" data-build=\"{build}\" \
         data-page=\"{requested}\" data-served=\"{served}\"></script>{INJECTED_END}",
        overlay = page.overlay.unwrap_or(""),
        server = escape_attribute(page.server_id),
        build = page.build,
        requested = escape_attribute(requested),
        served = escape_attribute(served),
    )
}

/// `snippet` inserted before the last `</body>` (any case), or at the end without one.
fn inject(html: &[u8], snippet: &str) -> Vec<u8> {
    const CLOSE: &[u8] = b"</body>";
    let at = html
        .windows(CLOSE.len())
        .rposition(|window| window.eq_ignore_ascii_case(CLOSE))
        .unwrap_or(html.len());
    let mut out = Vec::with_capacity(html.len() + snippet.len());
    out.extend_from_slice(&html[..at]);
    out.extend_from_slice(snippet.as_bytes());
    out.extend_from_slice(&html[at..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audience::Audience;
    use std::net::Ipv4Addr;

    const LOCAL: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);

    fn files() -> Vec<OutputFile> {
        vec![
            OutputFile::new("404.html", "<html><body>not here</body></html>", Audience::Public),
            OutputFile::new("assets/style.css", "body{}", Audience::Public),
            OutputFile::new("index.html", "<html><BODY>home</BODY></html>", Audience::Public),
            OutputFile::new("policies/pol-ac/index.html", "<body>ac</body>", Audience::Public),
        ]
    }

    fn get(target: &str) -> Reply {
        let page = PageContext { server_id: "s1", build: 3, overlay: None };
        respond(
            &Request { method: Method::Get, target, host: Some("127.0.0.1:1111") },
            &files(),
            LOCAL,
            &page,
        )
    }

    #[test]
    fn decodes_targets_once_and_refuses_traversal() {
        assert_eq!(decode_target("/").as_deref(), Some(""));
        assert_eq!(decode_target("/policies/pol-ac/").as_deref(), Some("policies/pol-ac/"));
        assert_eq!(decode_target("/a%20b.pdf").as_deref(), Some("a b.pdf"));
        assert_eq!(decode_target("//policies/./pol-ac").as_deref(), Some("policies/pol-ac"));
        // Decoded once: `%252e` is the three characters `%2e`, a harmless (missing) name.
        assert_eq!(decode_target("/%252e%252e/x").as_deref(), Some("%2e%2e/x"));
        for bad in [
            "/../etc/passwd",
            "/a/../../x",
            "/%2e%2e/x",
            "/%2E%2E/x",
            "/.%2e/x",
            "/a/%2e%2e%2fb",
            "/..%2fx",
            "/..%5cx",
            "/a\\..\\x",
            "/%00",
            "/%ff",
            "/%zz",
            "/%2",
            "etc/passwd",
            "*",
        ] {
            assert_eq!(decode_target(bad), None, "{bad}");
        }
    }

    #[test]
    fn serves_files_folders_redirects_and_404() {
        let home = get("/");
        assert_eq!(home.status, 200);
        assert_eq!(home.header("content-type"), Some("text/html; charset=utf-8"));
        assert_eq!(home.header("cache-control"), Some("no-store"));
        let body = String::from_utf8(home.body).unwrap();
        assert!(body.starts_with("<html><BODY>home<!-- trustpress serve -->"), "{body}");
        assert!(body.ends_with("<!-- /trustpress serve --></BODY></html>"), "{body}");
        assert!(body.contains("data-build=\"3\"") && body.contains("data-page=\"index.html\""), "{body}");

        let css = get("/assets/style.css?v=4");
        assert_eq!((css.status, css.body.as_slice()), (200, &b"body{}"[..]));
        assert_eq!(css.header("content-type"), Some("text/css; charset=utf-8"));

        let redirect = get("/policies/pol-ac?x=1");
        assert_eq!(redirect.status, 301);
        assert_eq!(redirect.header("location"), Some("/policies/pol-ac/?x=1"));

        let missing = get("/policies/nope/");
        assert_eq!(missing.status, 404);
        let body = String::from_utf8(missing.body).unwrap();
        assert!(body.contains("not here") && body.contains("data-page=\"policies/nope/index.html\""));

        assert_eq!(get("/__trustpress/live-reload.js").status, 200);
        let page = PageContext { server_id: "s1", build: 3, overlay: None };
        let head = Request { method: Method::Head, target: EVENTS_PATH, host: None };
        assert_eq!(respond(&head, &files(), LOCAL, &page).header("content-type"), Some("text/event-stream"));
        assert_eq!(get("/__trustpress/other").status, 404);
        assert_eq!(get("/%2e%2e/%2e%2e/etc/passwd").status, 400);
    }

    #[test]
    fn refuses_other_methods_and_foreign_hosts() {
        let page = PageContext { server_id: "s", build: 1, overlay: None };
        let post = Request { method: Method::Other, target: "/", host: None };
        let reply = respond(&post, &files(), LOCAL, &page);
        assert_eq!(reply.status, 405);
        assert_eq!(reply.header("allow"), Some("GET, HEAD"));

        let rebinding = Request { method: Method::Get, target: "/", host: Some("evil.example:1111") };
        assert_eq!(respond(&rebinding, &files(), LOCAL, &page).status, 403);
        for host in ["localhost:1111", "127.0.0.1", "[::1]:1111", "app.localhost"] {
            assert!(host_allowed(Some(host), LOCAL), "{host}");
        }
        let everywhere = IpAddr::V4(Ipv4Addr::UNSPECIFIED);
        assert!(host_allowed(Some("laptop.lan:1111"), everywhere));
    }

    #[test]
    fn content_types_by_extension() {
        assert_eq!(content_type("updates/feed.xml"), "application/xml; charset=utf-8");
        assert_eq!(content_type("trust.json"), "application/json");
        assert_eq!(content_type(".well-known/security.txt"), "text/plain; charset=utf-8");
        assert_eq!(content_type("policies/pol-ac/index.md"), "text/markdown; charset=utf-8");
        assert_eq!(content_type("documents/report.PDF"), "application/pdf");
        assert_eq!(content_type("assets/favicon.svg"), "image/svg+xml");
        assert_eq!(content_type("noextension"), "application/octet-stream");
    }
}
