//! `trustpress serve`: the real binary on a copy of the example, driven over real TCP
//! connections like a browser would: pages, the live-reload event stream, edits, atomic
//! saves, new and deleted files, broken YAML and recovery, path traversal, Ctrl-C.
//!
//! Every wait has a timeout and the server process is killed on drop, so a bug fails a test
//! instead of hanging CI.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::common::{copy_tree, example_content, read_tree, TODAY};

/// Generous: debug builds on a busy CI machine.
const STARTUP: Duration = Duration::from_secs(120);
const EVENT: Duration = Duration::from_secs(60);
const SOCKET: Duration = Duration::from_secs(30);

const POLICY_PAGE: &str = "policies/pol-ac/index.html";
/// Its markdown copy for AI agents, which changes with it.
const POLICY_COPY: &str = "policies/pol-ac/index.md";

/// A running `trustpress serve`, killed on drop.
struct Server {
    child: Child,
    port: u16,
    stdout: Arc<Mutex<String>>,
    stderr: Arc<Mutex<String>>,
}

impl Server {
    fn start(content: &Path, extra: &[&str]) -> Server {
        Server::start_with(content, extra, |_| {})
    }

    fn start_with(content: &Path, extra: &[&str], adjust: impl FnOnce(&mut Command)) -> Server {
        let mut command = Command::new(assert_cmd::cargo::cargo_bin("trustpress"));
        adjust(&mut command);
        let mut child = command
            .args(["serve", "--port", "0", "--today", TODAY, "--content"])
            .arg(content)
            .args(extra)
            .env_remove("SOURCE_DATE_EPOCH")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start trustpress serve");
        let stderr = Arc::new(Mutex::new(String::new()));
        let sink = Arc::clone(&stderr);
        let mut pipe = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            let mut buffer = [0u8; 4096];
            while let Ok(read) = pipe.read(&mut buffer) {
                if read == 0 {
                    break;
                }
                sink.lock().unwrap().push_str(&String::from_utf8_lossy(&buffer[..read]));
            }
        });
        let stdout = child.stdout.take().unwrap();
        let printed = Arc::new(Mutex::new(String::new()));
        let lines = Arc::clone(&printed);
        let (port_sender, port_receiver) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                lines.lock().unwrap().push_str(&format!("{line}\n"));
                let port = line
                    .split("http://127.0.0.1:")
                    .nth(1)
                    .and_then(|rest| rest.split('/').next().and_then(|port| port.parse::<u16>().ok()));
                if let Some(port) = port {
                    let _ = port_sender.send(port);
                }
            }
        });
        let mut server = Server { child, port: 0, stdout: printed, stderr };
        match port_receiver.recv_timeout(STARTUP) {
            Ok(port) => server.port = port,
            Err(_) => panic!("the server printed no URL; stderr:\n{}", server.stderr()),
        }
        server
    }

    fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    /// What the server has printed on stdout so far, once it holds `expected`.
    fn stdout_with(&self, expected: &str) -> String {
        let deadline = Instant::now() + EVENT;
        loop {
            let stdout = self.stdout.lock().unwrap().clone();
            if stdout.contains(expected) {
                return stdout;
            }
            assert!(Instant::now() < deadline, "stdout has no `{expected}`:\n{stdout}");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn get(&self, path: &str) -> HttpResponse {
        self.request(&format!(
            "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\n\r\n",
            self.port
        ))
    }

    fn request(&self, raw: &str) -> HttpResponse {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).expect("connect");
        stream.set_read_timeout(Some(SOCKET)).unwrap();
        stream.set_write_timeout(Some(SOCKET)).unwrap();
        stream.write_all(raw.as_bytes()).unwrap();
        let mut bytes = Vec::new();
        stream.read_to_end(&mut bytes).expect("read the response");
        HttpResponse::parse(&bytes)
    }

    fn events(&self) -> EventStream {
        EventStream::connect(self.port)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[derive(Debug)]
struct HttpResponse {
    status: u16,
    headers: BTreeMap<String, String>,
    body: Vec<u8>,
}

impl HttpResponse {
    fn parse(bytes: &[u8]) -> HttpResponse {
        let split = bytes.windows(4).position(|w| w == b"\r\n\r\n").expect("a response head");
        let head = String::from_utf8_lossy(&bytes[..split]).to_string();
        let mut lines = head.lines();
        let status = lines.next().unwrap().split(' ').nth(1).unwrap().parse().unwrap();
        let headers = lines
            .filter_map(|line| line.split_once(':'))
            .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_string()))
            .collect();
        HttpResponse { status, headers, body: bytes[split + 4..].to_vec() }
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).to_string()
    }

    fn header(&self, name: &str) -> &str {
        self.headers.get(name).map(String::as_str).unwrap_or("")
    }

    /// The page as built: what the server injected taken out.
    fn without_injection(&self) -> Vec<u8> {
        let text = self.text();
        match (text.find("<!-- trustpress serve -->"), text.find("<!-- /trustpress serve -->")) {
            (Some(start), Some(end)) => {
                format!("{}{}", &text[..start], &text[end + "<!-- /trustpress serve -->".len()..])
                    .into_bytes()
            }
            _ => self.body.clone(),
        }
    }
}

/// One live-reload connection; events arrive on a channel so waits can time out.
struct EventStream {
    events: Receiver<(String, serde_json::Value)>,
}

impl EventStream {
    fn connect(port: u16) -> EventStream {
        let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
        write!(stream, "GET /__trustpress/events HTTP/1.1\r\nHost: localhost:{port}\r\nAccept: text/event-stream\r\n\r\n")
            .unwrap();
        let (sender, events) = mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stream);
            let mut name = String::new();
            let mut line = String::new();
            while matches!(reader.read_line(&mut line), Ok(n) if n > 0) {
                let trimmed = line.trim_end();
                if let Some(value) = trimmed.strip_prefix("event: ") {
                    name = value.to_string();
                } else if let Some(data) = trimmed.strip_prefix("data: ") {
                    let json = serde_json::from_str(data).expect("event data is JSON");
                    if sender.send((std::mem::take(&mut name), json)).is_err() {
                        break;
                    }
                }
                line.clear();
            }
        });
        EventStream { events }
    }

    /// The next event, whatever it is.
    fn next(&self) -> (String, serde_json::Value) {
        self.events.recv_timeout(EVENT).expect("an event within the timeout")
    }

    /// The next event named `name`, skipping others.
    fn next_named(&self, name: &str) -> serde_json::Value {
        self.next_where(name, |_| true)
    }

    /// The next `build` event that changed something. A save can reach the server as two
    /// batches of file events, the second one making a rebuild that changes nothing.
    fn next_change(&self) -> serde_json::Value {
        self.next_where("build", |data| !data["changed"].as_array().unwrap().is_empty())
    }

    fn next_where(&self, name: &str, wanted: impl Fn(&serde_json::Value) -> bool) -> serde_json::Value {
        let deadline = Instant::now() + EVENT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.events.recv_timeout(left) {
                Ok((event, data)) if event == name && wanted(&data) => return data,
                Ok(_) => continue,
                Err(_) => panic!("no such `{name}` event within {EVENT:?}"),
            }
        }
    }
}

fn changed(event: &serde_json::Value) -> Vec<String> {
    event["changed"].as_array().unwrap().iter().map(|p| p.as_str().unwrap().to_string()).collect()
}

fn example_copy() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let content = dir.path().join("content");
    copy_tree(&example_content(), &content);
    (dir, content)
}

fn replace_in(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.contains(from), "{} has no {from:?}", path.display());
    std::fs::write(path, text.replacen(from, to, 1)).unwrap();
}

/// Saves like many editors do: write a temporary file beside it, rename it over the file.
fn atomic_save(path: &Path, text: &str) {
    let temporary = path.with_file_name(format!(".{}.tmp", path.file_name().unwrap().to_string_lossy()));
    std::fs::write(&temporary, text).unwrap();
    std::fs::rename(&temporary, path).unwrap();
}

#[test]
fn an_edit_rebuilds_and_tells_only_the_changed_page_to_reload() {
    let (_dir, content) = example_copy();
    let server = Server::start(&content, &[]);
    let events = server.events();
    let (name, hello) = events.next();
    assert_eq!(name, "hello");
    assert_eq!(hello["build"], 1);

    let page = server.get("/policies/pol-ac/");
    assert_eq!(page.status, 200);
    assert!(page.text().contains("It applies to every employee"));
    assert!(page.text().contains("/__trustpress/live-reload.js"), "the live-reload script is injected");

    replace_in(
        &content.join("policies/access-control.md"),
        "It applies to every",
        "It applies to each and every",
    );
    let build = events.next_change();
    assert!(build["build"].as_u64().unwrap() >= 2, "{build}");
    assert_eq!(
        changed(&build),
        [POLICY_PAGE, POLICY_COPY],
        "a body edit changes that policy's page (and its copy), nothing else"
    );
    assert!(server.get("/policies/pol-ac/").text().contains("It applies to each and every"));

    // A title shows on other pages too: each of them is listed, so each of them reloads.
    replace_in(
        &content.join("policies/access-control.md"),
        "title: Access Control Policy",
        "title: Access Policy",
    );
    let paths = changed(&events.next_change());
    for page in [POLICY_PAGE, "policies/index.html", "soa/a-5-15/index.html", "faq/index.html"] {
        assert!(paths.contains(&page.to_string()), "{page} not in {paths:?}");
    }
    assert!(!paths.contains(&"certifications/index.html".to_string()), "{paths:?}");
    assert!(server.get("/soa/a-5-15/").text().contains("Access Policy"));
}

#[test]
fn atomic_saves_new_and_deleted_files_are_picked_up() {
    let (_dir, content) = example_copy();
    let server = Server::start(&content, &[]);
    let events = server.events();
    events.next_named("hello");

    let policy = content.join("policies/access-control.md");
    let text = std::fs::read_to_string(&policy).unwrap();
    atomic_save(&policy, &text.replace("It applies to every", "Atomic save: it applies to every"));
    assert_eq!(changed(&events.next_change()), [POLICY_PAGE, POLICY_COPY]);
    assert!(server.get("/policies/pol-ac/").text().contains("Atomic save: it applies"));

    let new_policy = content.join("policies/remote-work.md");
    std::fs::write(
        &new_policy,
        "---\nid: POL-RW\ntitle: Remote Work Standard\naudience: public\nsummary: Working from anywhere.\n---\nWork from a trusted network.\n",
    )
    .unwrap();
    let paths = changed(&events.next_change());
    assert!(paths.contains(&"policies/pol-rw/index.html".to_string()), "{paths:?}");
    let page = server.get("/policies/pol-rw/");
    assert_eq!(page.status, 200);
    assert!(page.text().contains("Work from a trusted network."));

    std::fs::remove_file(&new_policy).unwrap();
    let paths = changed(&events.next_change());
    assert!(paths.contains(&"policies/pol-rw/index.html".to_string()), "a removed page is listed: {paths:?}");
    let gone = server.get("/policies/pol-rw/");
    assert_eq!(gone.status, 404);
    assert!(gone.text().contains("Page not found"), "the site's own 404 page: {}", gone.text());
    assert!(!server.get("/policies/").text().contains("Remote Work Standard"));
}

#[test]
fn a_broken_file_shows_the_overlay_over_the_last_good_build_until_fixed() {
    let (_dir, content) = example_copy();
    let server = Server::start(&content, &[]);
    let events = server.events();
    events.next_named("hello");
    let policy = content.join("policies/access-control.md");
    let good = std::fs::read_to_string(&policy).unwrap();

    // Line 4 of the file: `version` becomes a mapping with a bad indent.
    std::fs::write(&policy, good.replace("version: \"3.2\"", "version: [3.2\n  bad: {")).unwrap();
    let failed = events.next_named("failed");
    let error = &failed["errors"][0];
    assert_eq!(error["file"], "policies/access-control.md", "{failed}");
    assert!(error["line"].as_u64().unwrap() >= 4, "{failed}");
    assert!(!error["message"].as_str().unwrap().is_empty());
    let overlay = failed["overlay"].as_str().unwrap();
    assert!(overlay.contains("policies/access-control.md:"), "{overlay}");

    // The last good page is still served, with the overlay over it; other pages too.
    let page = server.get("/policies/pol-ac/");
    assert_eq!(page.status, 200);
    let html = page.text();
    assert!(html.contains("It applies to every employee"), "the last good build is served");
    assert!(html.contains("__trustpress-overlay") && html.contains("policies/access-control.md:"), "{html}");
    assert!(server.get("/").text().contains("__trustpress-overlay"));
    // A page opened now learns the error from the stream as well.
    let late = server.events();
    let (name, hello) = late.next();
    assert_eq!(name, "hello");
    assert!(hello["overlay"].as_str().unwrap().contains("policies/access-control.md:"));

    std::fs::write(&policy, good.replace("It applies to every", "Fixed: it applies to every")).unwrap();
    let build = events.next_change();
    assert_eq!(changed(&build), [POLICY_PAGE, POLICY_COPY], "compared with the last good build");
    let html = server.get("/policies/pol-ac/").text();
    assert!(html.contains("Fixed: it applies to every"));
    assert!(!html.contains("__trustpress-overlay"), "the overlay is gone after a good build");
    assert!(server.stderr().contains("still serving the last good build"), "{}", server.stderr());
}

#[test]
fn broken_content_at_start_shows_the_errors_then_the_site_once_fixed() {
    let (_dir, content) = example_copy();
    let soa = content.join("soa.yaml");
    let good = std::fs::read_to_string(&soa).unwrap();
    std::fs::write(&soa, good.replace("version: 7", "version: [7")).unwrap();
    let server = Server::start(&content, &[]);
    let events = server.events();
    let (_, hello) = events.next();
    assert_eq!(hello["build"], 0, "no good build yet");
    assert!(hello["overlay"].as_str().unwrap().contains("soa.yaml:"), "{hello}");
    let page = server.get("/");
    assert_eq!(page.status, 404, "nothing built, nothing served");
    assert!(page.text().contains("soa.yaml:") && page.text().contains("no good build"), "{}", page.text());

    std::fs::write(&soa, good).unwrap();
    let build = events.next_change();
    assert_eq!(build["build"], 1);
    assert!(changed(&build).contains(&"index.html".to_string()));
    let page = server.get("/");
    assert_eq!(page.status, 200);
    assert!(!page.text().contains("__trustpress-overlay"));
}

#[test]
fn open_without_a_browser_is_only_a_note() {
    let (dir, content) = example_copy();
    let empty = dir.path().join("no-programs");
    std::fs::create_dir_all(&empty).unwrap();
    let server = Server::start_with(&content, &["--open"], |command| {
        command.env("PATH", &empty);
    });
    assert_eq!(server.get("/").status, 200, "the server runs anyway");
    let deadline = Instant::now() + EVENT;
    while !server.stderr().contains("could not open a browser") {
        assert!(Instant::now() < deadline, "no note on stderr: {}", server.stderr());
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn a_css_only_change_lists_only_the_stylesheet() {
    let (_dir, content) = example_copy();
    std::fs::create_dir_all(content.join("mytheme/static")).unwrap();
    std::fs::write(content.join("mytheme/static/style.css"), "body { color: black; }\n").unwrap();
    replace_in(&content.join("site.yaml"), "frameworks:", "theme: mytheme\nframeworks:");
    let server = Server::start(&content, &[]);
    let events = server.events();
    events.next_named("hello");

    std::fs::write(content.join("mytheme/static/style.css"), "body { color: navy; }\n").unwrap();
    let build = events.next_change();
    assert_eq!(changed(&build), ["assets/style.css"], "so open pages swap the stylesheet, not reload");
    let css = server.get("/assets/style.css?trustpress=2");
    assert_eq!(css.text(), "body { color: navy; }\n");
    assert_eq!(css.header("content-type"), "text/css; charset=utf-8");
}

#[test]
fn the_served_site_is_the_built_site_after_edits() {
    let (dir, content) = example_copy();
    let server = Server::start(&content, &["--audience", "internal"]);
    let events = server.events();
    events.next_named("hello");
    replace_in(
        &content.join("policies/access-control.md"),
        "title: Access Control Policy",
        "title: Access Rules",
    );
    events.next_named("build");
    replace_in(&content.join("risks.yaml"), "R-001", "R-101");
    events.next_named("build");
    std::fs::remove_file(content.join("updates/2026-02-27-live-chat-removed.md")).unwrap();
    events.next_named("build");

    let out = dir.path().join("built");
    crate::common::build(&content, &out, "internal").success();
    let built = read_tree(&out);
    assert!(built.contains_key("risks/index.html"), "the internal edition");
    // The build's marker file is the output folder's, not a page: the server has none.
    assert!(built.contains_key(".trustpress-output"));
    assert_eq!(server.get("/.trustpress-output").status, 404);
    for (path, bytes) in built.iter().filter(|(path, _)| *path != ".trustpress-output") {
        let served = server.get(&format!("/{path}"));
        assert_eq!(served.status, 200, "{path}");
        let served = served.without_injection();
        if served != *bytes {
            let at = served.iter().zip(bytes.iter()).position(|(a, b)| a != b).unwrap_or(0);
            let around = |b: &[u8]| {
                String::from_utf8_lossy(&b[at.saturating_sub(80)..(at + 80).min(b.len())]).to_string()
            };
            panic!(
                "{path} served differs from the built file:\nserved: {}\nbuilt:  {}",
                around(&served),
                around(bytes)
            );
        }
    }
}

#[test]
fn http_basics_content_types_head_redirects_and_404() {
    let (_dir, content) = example_copy();
    let server = Server::start(&content, &[]);

    let home = server.get("/");
    assert_eq!(home.status, 200);
    assert_eq!(home.header("content-type"), "text/html; charset=utf-8");
    assert_eq!(home.header("cache-control"), "no-store");
    for (path, content_type) in [
        ("/assets/style.css", "text/css; charset=utf-8"),
        ("/assets/site.js", "text/javascript; charset=utf-8"),
        ("/assets/favicon.svg", "image/svg+xml"),
        ("/trust.json", "application/json"),
        ("/updates/feed.xml", "application/xml; charset=utf-8"),
        ("/.well-known/security.txt", "text/plain; charset=utf-8"),
        ("/documents/security-whitepaper-2026.pdf", "application/pdf"),
    ] {
        let response = server.get(path);
        assert_eq!(response.status, 200, "{path}");
        assert_eq!(response.header("content-type"), content_type, "{path}");
        assert!(!response.text().contains("trustpress serve"), "only HTML pages get the script: {path}");
    }

    let head = server.request(&format!(
        "HEAD /policies/ HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\n\r\n",
        server.port
    ));
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty(), "HEAD has no body");
    let full = server.get("/policies/");
    assert_eq!(head.header("content-length"), full.body.len().to_string());

    let redirect = server.get("/policies/pol-ac");
    assert_eq!(redirect.status, 301);
    assert_eq!(redirect.header("location"), "/policies/pol-ac/");
    assert_eq!(server.get("/policies/pol-ac/index.html").status, 200);
    assert_eq!(server.get("/policies/pol%2Dac/").status, 200, "percent-encoded paths are decoded");

    let missing = server.get("/no/such/page/");
    assert_eq!(missing.status, 404);
    assert!(missing.text().contains("Page not found"));
    assert_eq!(missing.header("content-type"), "text/html; charset=utf-8");

    let post = server.request(&format!(
        "POST / HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
        server.port
    ));
    assert_eq!(post.status, 405);
    let rebinding = server.request("GET / HTTP/1.1\r\nHost: attacker.example\r\nConnection: close\r\n\r\n");
    assert_eq!(rebinding.status, 403, "a foreign Host is refused (DNS rebinding)");
}

#[test]
fn path_traversal_never_returns_a_byte_from_outside_the_output() {
    let (dir, content) = example_copy();
    let secret = "SECRET-OUTSIDE-THE-SITE-7c1f";
    std::fs::write(dir.path().join("secret.txt"), secret).unwrap();
    std::fs::write(content.join("documents/not-listed.txt"), secret).unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(dir.path().join("secret.txt"), content.join("documents/link.txt")).unwrap();
    let server = Server::start(&content, &[]);

    let attempts = [
        "/../secret.txt",
        "/../../secret.txt",
        "/documents/../../secret.txt",
        "/%2e%2e/secret.txt",
        "/%2E%2E/%2E%2E/secret.txt",
        "/.%2e/secret.txt",
        "/%2e%2e%2fsecret.txt",
        "/..%2f..%2fsecret.txt",
        "/%252e%252e/secret.txt",
        "/..%5csecret.txt",
        "/..\\secret.txt",
        "/%c0%ae%c0%ae/secret.txt",
        "//etc/passwd",
        "/etc/passwd",
        "/%2fetc%2fpasswd",
        "/../../../../../../etc/passwd",
        "/documents/link.txt",
        "/documents/not-listed.txt",
        "/content/site.yaml",
        "/site.yaml",
        "/policies/access-control.md",
        "http://127.0.0.1/../secret.txt",
    ];
    for target in attempts {
        let response =
            server.request(&format!("GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"));
        let text = response.text();
        assert!(
            matches!(response.status, 400 | 404),
            "{target} answered {}: {}",
            response.status,
            &text[..text.len().min(200)]
        );
        assert!(!text.contains(secret), "{target} leaked the secret");
        assert!(!text.contains("root:"), "{target} leaked /etc/passwd");
        assert!(!text.contains("organization:"), "{target} leaked content source");
    }
}

#[test]
fn internal_audience_serves_the_internal_edition_and_public_does_not() {
    let (_dir, content) = example_copy();
    let internal = Server::start(&content, &["--audience", "internal"]);
    assert_eq!(internal.get("/risks/").status, 200);
    let public = Server::start(&content, &[]);
    assert_eq!(public.get("/risks/").status, 404);
    assert!(
        !public.get("/policies/").text().contains("Key Management"),
        "auditor/internal policies stay out"
    );
}

#[test]
fn bound_to_all_interfaces_it_prints_urls_that_work() {
    let (_dir, content) = example_copy();
    let server = Server::start(&content, &["--bind", "0.0.0.0"]);
    // First the loopback URL, which works on this machine (the helper found the port in it).
    assert_eq!(server.get("/").status, 200);
    let stdout = server.stdout_with("all interfaces");
    let line = stdout.lines().find(|line| line.contains("all interfaces")).unwrap();
    assert!(line.contains(&format!("0.0.0.0:{}", server.port)), "{line}");
    assert!(server.stderr().contains("reachable from other machines"), "{}", server.stderr());
    // Then, when this machine has a network address, a URL on it that answers too.
    if let Some(url) = line.split("http://").nth(1) {
        let address: std::net::SocketAddr = url.trim_end_matches('/').parse().unwrap();
        assert_eq!(address.port(), server.port, "{line}");
        assert!(!address.ip().is_loopback() && !address.ip().is_unspecified(), "{line}");
        let mut stream = TcpStream::connect_timeout(&address, SOCKET).expect("connect to the network URL");
        stream.set_read_timeout(Some(SOCKET)).unwrap();
        stream
            .write_all(format!("GET / HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n").as_bytes())
            .unwrap();
        let mut bytes = Vec::new();
        stream.read_to_end(&mut bytes).unwrap();
        assert_eq!(HttpResponse::parse(&bytes).status, 200, "{line}");
    } else {
        assert!(line.contains(&format!("this machine's address and port {}", server.port)), "{line}");
    }
}

#[test]
fn a_port_in_use_is_a_clear_usage_error() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let assert = crate::common::trustpress()
        .args(["serve", "--content"])
        .arg(example_content())
        .args(["--port", &port])
        .timeout(STARTUP)
        .assert()
        .failure()
        .code(2);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).to_string();
    assert!(stderr.contains(&format!("cannot listen on 127.0.0.1:{port}")), "{stderr}");
    assert!(stderr.contains("--port"), "the hint names the way out: {stderr}");
}

#[test]
fn a_missing_content_folder_is_refused_before_serving() {
    let dir = tempfile::tempdir().unwrap();
    let assert = crate::common::trustpress()
        .args(["serve", "--port", "0", "--content"])
        .arg(dir.path().join("nope"))
        .timeout(STARTUP)
        .assert()
        .failure()
        .code(1);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).to_string();
    assert!(stderr.contains("cannot open content folder"), "{stderr}");
}

/// Sends `signal` (as `kill -SIGNAL` does) to a running server and asserts that it stops
/// cleanly: exit code 0 and "stopped" printed.
#[cfg(unix)]
fn stops_cleanly_on(signal: &str) {
    let (_dir, content) = example_copy();
    let mut server = Server::start(&content, &[]);
    let events = server.events();
    events.next_named("hello");
    let status = Command::new("kill").args([signal, &server.child.id().to_string()]).status().unwrap();
    assert!(status.success());
    let deadline = Instant::now() + EVENT;
    let exit = loop {
        if let Some(exit) = server.child.try_wait().unwrap() {
            break exit;
        }
        assert!(Instant::now() < deadline, "the server did not stop after {signal}");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(exit.code(), Some(0), "{signal}: {exit:?}, stderr: {}", server.stderr());
    // Give the stderr reader a moment to catch the last line.
    std::thread::sleep(Duration::from_millis(100));
    assert!(server.stderr().contains("stopped"), "{}", server.stderr());
}

#[cfg(unix)]
#[test]
fn ctrl_c_stops_cleanly() {
    stops_cleanly_on("-INT");
}

/// What process managers and `docker stop` send.
#[cfg(unix)]
#[test]
fn sigterm_stops_cleanly() {
    stops_cleanly_on("-TERM");
}
