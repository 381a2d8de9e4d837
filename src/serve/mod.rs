//! `trustpress serve`: the dev server. It builds the site into memory, serves it over HTTP,
//! watches the content folder, rebuilds on every change and tells open pages over
//! Server-Sent Events what changed. A failed rebuild keeps the last good build served and
//! shows the error over the page until a rebuild succeeds.
//!
//! Threads: the caller's thread runs the rebuild loop ([`DevServer::run`]); a few workers
//! answer requests; each open event stream has a thread of its own; the watcher has its own.
//! They share one [`Served`] value (swapped whole after each rebuild) and the list of event
//! streams, nothing else. The library never prints: the loop reports what happens through
//! a callback, and `main` prints.

pub mod http;
pub mod incremental;
pub mod live;
pub mod watch;

use std::borrow::Borrow;
use std::io::Write;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener};
use std::path::PathBuf;
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use crate::build::{BuildError, SiteOptions};
use crate::diagnostic::Diagnostic;
use crate::output::OutputFile;
use http::{Method, PageContext, Route};
use incremental::{LiveBuild, Rebuilt};
use live::LiveReload;
use watch::Change;

/// Threads answering requests. Event streams do not hold one (they get their own), so a
/// few are enough for one person's browser tabs.
const WORKERS: usize = 4;

#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub site: SiteOptions,
    pub bind: IpAddr,
    /// 0 picks a free port.
    pub port: u16,
}

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("cannot listen on {address}: {source}")]
    Bind { address: SocketAddr, source: std::io::Error },
    #[error("cannot start the HTTP server: {0}")]
    Http(String),
    #[error("cannot watch `{}` for changes: {source}", folder.display())]
    Watch { folder: PathBuf, source: notify_debouncer_full::notify::Error },
}

/// What the server reports while it runs; `main` prints these.
#[derive(Debug)]
pub enum Report<'a> {
    /// A build succeeded and is now served. `changed` lists the output paths that differ
    /// from the previous build (all of them for the first); `timings`, how long each step
    /// took.
    Built {
        build: u64,
        files: usize,
        changed: &'a [String],
        elapsed: Duration,
        timings: &'a [(&'static str, Duration)],
        warnings: &'a [Diagnostic],
    },
    /// A build failed; the last good one is still served.
    Failed { diagnostics: &'a [Diagnostic], elapsed: Duration },
    /// The first build is done and requests are being answered at `url`.
    Ready { url: &'a str },
    /// The watcher reported a problem: changes may be missed.
    WatchProblem(&'a str),
}

/// The build being served, swapped whole after each rebuild.
#[derive(Debug, Default)]
pub struct Served {
    /// Counts good builds; 0 until the first.
    pub build: u64,
    /// Sorted by path. Each file is shared, so a rebuild that replaces one page keeps the
    /// others without copying them.
    pub files: Arc<Vec<Arc<OutputFile>>>,
    /// The error overlay while the latest rebuild failed.
    pub overlay: Option<String>,
}

/// What the worker threads share.
struct Shared {
    served: Mutex<Arc<Served>>,
    live: LiveReload,
    server_id: String,
    bind: IpAddr,
}

impl Shared {
    fn served(&self) -> Arc<Served> {
        Arc::clone(&self.served.lock().unwrap_or_else(PoisonError::into_inner))
    }

    fn serve(&self, served: Served) {
        *self.served.lock().unwrap_or_else(PoisonError::into_inner) = Arc::new(served);
    }
}

enum Message {
    Change(Change),
    Stop,
}

/// Stops a running [`DevServer`] from another thread (a Ctrl-C handler).
#[derive(Clone)]
pub struct Stopper(Sender<Message>);

impl Stopper {
    pub fn stop(&self) {
        let _ = self.0.send(Message::Stop);
    }
}

/// A dev server that is listening but not yet building or answering.
pub struct DevServer {
    options: ServeOptions,
    http: Arc<tiny_http::Server>,
    address: SocketAddr,
    messages: Receiver<Message>,
    sender: Sender<Message>,
}

impl DevServer {
    /// Binds the address, so a port in use is reported before anything is built.
    pub fn bind(options: ServeOptions) -> Result<DevServer, ServeError> {
        let requested = SocketAddr::new(options.bind, options.port);
        let listener =
            TcpListener::bind(requested).map_err(|source| ServeError::Bind { address: requested, source })?;
        let address =
            listener.local_addr().map_err(|source| ServeError::Bind { address: requested, source })?;
        let http = tiny_http::Server::from_listener(listener, None)
            .map_err(|error| ServeError::Http(error.to_string()))?;
        let (sender, messages) = mpsc::channel();
        Ok(DevServer { options, http: Arc::new(http), address, messages, sender })
    }

    /// The address actually bound (with the port picked when 0 was asked for).
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// The URL to open: a loopback address when bound to all interfaces.
    pub fn url(&self) -> String {
        let ip = match self.address.ip() {
            IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
            IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
            ip => ip,
        };
        format!("http://{}/", SocketAddr::new(ip, self.address.port()))
    }

    /// Bound to all interfaces (`0.0.0.0`, `::`): a URL other machines can use, with this
    /// machine's address on the route out (found by a UDP "connect", which sends nothing).
    /// `None` when bound to one address, or when no address other than loopback is found.
    pub fn network_url(&self) -> Option<String> {
        let ip = self.address.ip();
        if !ip.is_unspecified() {
            return None;
        }
        // Documentation addresses (RFC 5737, RFC 3849): never contacted, only routed.
        let probe: IpAddr = match ip {
            IpAddr::V4(_) => Ipv4Addr::new(192, 0, 2, 1).into(),
            IpAddr::V6(_) => Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1).into(),
        };
        let socket = std::net::UdpSocket::bind((ip, 0)).ok()?;
        socket.connect((probe, 9)).ok()?;
        let found = socket.local_addr().ok()?.ip();
        if found.is_loopback() || found.is_unspecified() {
            return None;
        }
        Some(format!("http://{}/", SocketAddr::new(found, self.address.port())))
    }

    pub fn stopper(&self) -> Stopper {
        Stopper(self.sender.clone())
    }

    /// Builds, serves and rebuilds on every change until stopped.
    pub fn run(self, mut report: impl FnMut(Report)) -> Result<(), ServeError> {
        let url = self.url();
        let DevServer { options, http, messages, sender, .. } = self;
        let shared = Arc::new(Shared {
            served: Mutex::new(Arc::new(Served::default())),
            live: LiveReload::default(),
            server_id: server_id(),
            bind: options.bind,
        });

        // Watch before the first build, so nothing saved during it is missed.
        let folder =
            std::fs::canonicalize(&options.site.content).unwrap_or_else(|_| options.site.content.clone());
        let watcher = watch::watch(&folder, sender, Message::Change)
            .map_err(|source| ServeError::Watch { folder: options.site.content.clone(), source })?;

        let mut rebuilder = Rebuilder { options: &options, shared: &shared, saved: Vec::new(), live: None };
        rebuilder.rebuild(&mut report);

        for _ in 0..WORKERS {
            let http = Arc::clone(&http);
            let shared = Arc::clone(&shared);
            std::thread::spawn(move || {
                while let Ok(request) = http.recv() {
                    handle(&shared, request);
                }
            });
        }
        report(Report::Ready { url: &url });

        while let Ok(message) = messages.recv() {
            let mut changes = vec![message];
            // Everything already waiting goes into the same rebuild.
            changes.extend(messages.try_iter());
            if changes.iter().any(|message| matches!(message, Message::Stop)) {
                break;
            }
            let mut rebuild = false;
            rebuilder.saved.clear();
            for message in changes {
                match message {
                    Message::Change(Change::Files(paths)) => {
                        rebuilder.saved.extend(paths);
                        rebuild = true;
                    }
                    Message::Change(Change::Everything) => rebuild = true,
                    Message::Change(Change::Problem(problem)) => report(Report::WatchProblem(&problem)),
                    Message::Stop => {}
                }
            }
            if rebuild {
                rebuilder.rebuild(&mut report);
            }
        }

        // Stop watching, end the event streams, and let each worker's `recv` return. A
        // response still being written finishes on its own; nothing is left on disk.
        drop(watcher);
        shared.live.close_all();
        for _ in 0..WORKERS {
            http.unblock();
        }
        Ok(())
    }
}

/// Distinguishes one run of the server from the next, so pages reload after a restart.
fn server_id() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_nanos());
    format!("{:x}-{nanos:x}", std::process::id())
}

/// Rebuilds in memory. A full build keeps what it derived ([`LiveBuild`]); when the files
/// saved next are policies whose text below the front matter is all that changed, only
/// their pages are rendered again (and the checks rerun). Anything else is a full build.
struct Rebuilder<'a> {
    options: &'a ServeOptions,
    shared: &'a Shared,
    /// The content files whose change started this rebuild.
    saved: Vec<PathBuf>,
    /// What the last good build derived; `None` after a failed build or at the start.
    live: Option<LiveBuild>,
}

impl Rebuilder<'_> {
    fn rebuild(&mut self, report: &mut impl FnMut(Report)) {
        let started = Instant::now();
        let previous = self.shared.served();
        let edited = match self.live.take() {
            Some(live) if self.saved.iter().all(|file| is_policy_file(file)) && !self.saved.is_empty() => {
                let mut saved = self.saved.clone();
                saved.sort();
                saved.dedup();
                live.edit_policy_texts(&saved)
            }
            _ => None,
        };
        let result = match edited {
            Some((rebuilt, live)) => {
                self.live = Some(live);
                let Rebuilt { files: pages, warnings, timings } = rebuilt;
                let mut files: Vec<Arc<OutputFile>> = previous.files.as_ref().clone();
                for page in pages {
                    match files.binary_search_by(|file| file.path.cmp(&page.path)) {
                        Ok(index) => files[index] = Arc::new(page),
                        Err(index) => files.insert(index, Arc::new(page)),
                    }
                }
                Ok((files, warnings, timings))
            }
            None => incremental::full_build(&self.options.site).map(|(rebuilt, live)| {
                self.live = Some(live);
                let Rebuilt { files, warnings, timings } = rebuilt;
                (files.into_iter().map(Arc::new).collect(), warnings, timings)
            }),
        };
        match result {
            Ok((files, warnings, mut timings)) => {
                let swap_started = Instant::now();
                let changed = changed_paths(&previous.files, &files);
                let build = previous.build + 1;
                let count = files.len();
                self.shared.serve(Served { build, files: Arc::new(files), overlay: None });
                self.shared.live.broadcast(&live::build_event(build, &changed));
                timings.push(("serve", swap_started.elapsed()));
                report(Report::Built {
                    build,
                    files: count,
                    changed: &changed,
                    elapsed: started.elapsed(),
                    timings: &timings,
                    warnings: &warnings,
                });
            }
            Err(error) => {
                self.live = None;
                let mut diagnostics = match error {
                    BuildError::Content(diagnostics) => diagnostics,
                    BuildError::Write(error) => vec![Diagnostic::error("output-refused", error.to_string())],
                };
                // The file just saved first: a broken policy also breaks every reference to
                // it, and the cause should not hide below its consequences.
                diagnostics.sort_by_key(|diagnostic| {
                    !diagnostic.location.as_ref().is_some_and(|location| self.saved.contains(&location.file))
                });
                let shown = shown_to_browsers(&diagnostics, self.options.bind);
                let overlay = live::overlay(&shown, previous.build > 0);
                let event = live::failed_event(&shown, &overlay);
                // Served first, then told: a page that reloads on the event gets the overlay.
                self.shared.serve(Served {
                    build: previous.build,
                    files: Arc::clone(&previous.files),
                    overlay: Some(overlay),
                });
                self.shared.live.broadcast(&event);
                report(Report::Failed { diagnostics: &diagnostics, elapsed: started.elapsed() });
            }
        }
    }
}

/// A policy's markdown file (content-relative).
fn is_policy_file(file: &std::path::Path) -> bool {
    file.starts_with("policies") && file.extension().is_some_and(|extension| extension == "md")
}

/// The problems pages may show. Diagnostics come from the whole content folder, so their
/// messages can name withheld items, values and files: shown in full only to the machine
/// the server runs on (loopback, where the `Host` check also holds). Bound elsewhere,
/// browsers learn only that the build failed; the terminal still has every detail.
fn shown_to_browsers(diagnostics: &[Diagnostic], bind: IpAddr) -> Vec<Diagnostic> {
    if bind.is_loopback() {
        return diagnostics.to_vec();
    }
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    vec![Diagnostic::error(
        "build-failed",
        format!("the last change broke the build ({errors} error(s)); the last good build is shown"),
    )
    .hint("the details are in the terminal running `trustpress serve`: other machines are not shown them, as they may name content withheld from this audience")]
}

/// Output paths added, removed or with different bytes. Both lists are sorted by path.
pub fn changed_paths<F: Borrow<OutputFile>>(old: &[F], new: &[F]) -> Vec<String> {
    let mut changed = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < old.len() || j < new.len() {
        match (old.get(i).map(Borrow::borrow), new.get(j).map(Borrow::borrow)) {
            (Some(a), Some(b)) if a.path == b.path => {
                if a.bytes != b.bytes {
                    changed.push(b.path.clone());
                }
                i += 1;
                j += 1;
            }
            (Some(a), Some(b)) if a.path < b.path => {
                changed.push(a.path.clone());
                i += 1;
            }
            (Some(_), Some(b)) | (None, Some(b)) => {
                changed.push(b.path.clone());
                j += 1;
            }
            (Some(a), None) => {
                changed.push(a.path.clone());
                i += 1;
            }
            (None, None) => break,
        }
    }
    changed
}

fn handle(shared: &Shared, request: tiny_http::Request) {
    let method = match request.method() {
        tiny_http::Method::Get => Method::Get,
        tiny_http::Method::Head => Method::Head,
        _ => Method::Other,
    };
    let host =
        request.headers().iter().find(|header| header.field.equiv("Host")).map(|h| h.value.to_string());
    let target = request.url().to_string();
    let http_request = http::Request { method, target: &target, host: host.as_deref() };
    if http::route(&http_request, shared.bind) == Route::Events {
        shared.live.attach(request.into_writer(), || {
            let served = shared.served();
            live::hello_event(&shared.server_id, served.build, served.overlay.as_deref())
        });
        return;
    }
    let served = shared.served();
    let page =
        PageContext { server_id: &shared.server_id, build: served.build, overlay: served.overlay.as_deref() };
    let reply = http::respond(&http_request, &served.files, shared.bind, &page);
    write_reply(request.into_writer(), &reply, method == Method::Head);
}

/// Writes the reply and ends the connection after it (`Connection: close`; tiny_http does
/// not let a response say so). tiny_http 0.12 reads each connection on a thread of a pool
/// that can leave a newly accepted connection unread while all its threads wait on idle
/// keep-alive connections: a page load in the browser then hangs until one of those closes.
/// Closed connections free their threads at once. `Content-Length` is always sent, also for
/// a HEAD, which gets no body.
fn write_reply(mut writer: Box<dyn Write + Send>, reply: &http::Reply, head: bool) {
    let reason = tiny_http::StatusCode(reply.status).default_reason_phrase();
    let mut bytes = format!("HTTP/1.1 {} {reason}\r\n", reply.status).into_bytes();
    for (name, value) in &reply.headers {
        if !value.contains(['\r', '\n']) {
            bytes.extend_from_slice(format!("{name}: {value}\r\n").as_bytes());
        }
    }
    bytes.extend_from_slice(
        format!("Content-Length: {}\r\nConnection: close\r\n\r\n", reply.body.len()).as_bytes(),
    );
    if !head {
        bytes.extend_from_slice(&reply.body);
    }
    // A client that went away is not the server's problem.
    let _ = writer.write_all(&bytes).and_then(|()| writer.flush());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn other_machines_are_not_shown_diagnostic_details() {
        let diagnostics = vec![Diagnostic::error("unknown-policy", "unknown policy `POL-SECRET-PLAN`")
            .at(crate::diagnostic::Location::at("soa.yaml", 4, 3))];
        let local = shown_to_browsers(&diagnostics, IpAddr::from([127, 0, 0, 1]));
        assert_eq!(local, diagnostics);
        let remote = shown_to_browsers(&diagnostics, IpAddr::from([0, 0, 0, 0]));
        assert_eq!(remote.len(), 1);
        let text = format!("{remote:?}");
        assert!(!text.contains("SECRET") && !text.contains("soa.yaml"), "{text}");
        assert!(remote[0].message.contains("1 error(s)"));
    }
    use crate::audience::Audience;

    #[test]
    fn changed_paths_lists_added_removed_and_different() {
        let file = |path: &str, bytes: &str| OutputFile::new(path, bytes, Audience::Public);
        let old = vec![file("a", "1"), file("b", "1"), file("c", "1"), file("e", "1")];
        let new = vec![file("a", "1"), file("b", "2"), file("d", "1"), file("e", "1"), file("f", "1")];
        assert_eq!(changed_paths(&old, &new), ["b", "c", "d", "f"]);
        assert_eq!(changed_paths(&[], &new).len(), 5);
        assert!(changed_paths(&new, &new).is_empty());
    }
}
