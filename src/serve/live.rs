//! Live reload: the Server-Sent Events stream every open page listens to, the events sent
//! after each rebuild, and the error overlay shown while a rebuild fails.
//!
//! Events (each `data:` is one line of JSON):
//! - `hello` on connecting: `{"server", "build", "overlay"}`. A page reloads when the
//!   server id differs from the one it was served by (the server restarted) or the build is
//!   newer than its own (it missed an event).
//! - `build` after each successful rebuild: `{"build", "changed"}`, the output paths whose
//!   bytes changed, were added or were removed. A page reloads only when its own file is
//!   among them; changed stylesheets are swapped in place.
//! - `failed` after a failed rebuild: `{"errors", "overlay"}`, the diagnostics with file,
//!   line and column, and the overlay's HTML.

use std::io::Write;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::Serialize;

use crate::diagnostic::{display_path, Diagnostic, Severity};
use crate::markdown::escape_text;

/// A comment is sent this often on an idle stream, so a closed tab is noticed and its
/// thread ends.
const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// The open event streams.
#[derive(Default)]
pub struct LiveReload {
    streams: Mutex<Vec<mpsc::Sender<Arc<str>>>>,
}

impl LiveReload {
    /// Takes over a connection for the event stream. `hello` gives the first event; it is
    /// asked for after the stream is registered, so no rebuild falls between the two. The
    /// stream is written from a thread of its own: held connections never tie up the
    /// threads answering requests.
    pub fn attach(&self, mut writer: Box<dyn Write + Send>, hello: impl FnOnce() -> String) {
        let (sender, receiver) = mpsc::channel::<Arc<str>>();
        self.lock().push(sender);
        let hello = hello();
        let spawned = std::thread::Builder::new().name("trustpress-events".into()).spawn(move || {
            // `retry` makes the browser reconnect quickly after the server restarts.
            let head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\n\
                        Connection: keep-alive\r\nX-Accel-Buffering: no\r\n\r\nretry: 500\n\n";
            if send(&mut writer, head).is_err() || send(&mut writer, &hello).is_err() {
                return;
            }
            loop {
                let written = match receiver.recv_timeout(KEEP_ALIVE) {
                    Ok(event) => send(&mut writer, &event),
                    Err(RecvTimeoutError::Timeout) => send(&mut writer, ": keep-alive\n\n"),
                    Err(RecvTimeoutError::Disconnected) => return,
                };
                if written.is_err() {
                    return;
                }
            }
        });
        if spawned.is_err() {
            // No thread: the connection is dropped, and the browser will try again.
            self.lock().pop();
        }
    }

    /// Sends `event` to every open stream, forgetting the closed ones.
    pub fn broadcast(&self, event: &str) {
        let event: Arc<str> = Arc::from(event);
        self.lock().retain(|stream| stream.send(Arc::clone(&event)).is_ok());
    }

    /// Ends every stream (their threads see the channel close).
    pub fn close_all(&self) {
        self.lock().clear();
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<mpsc::Sender<Arc<str>>>> {
        // A panic while holding this lock leaves a plain list behind: still usable.
        self.streams.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Writes and flushes one piece of the stream: a streaming response that is not flushed
/// per event sits in a buffer.
fn send(writer: &mut Box<dyn Write + Send>, text: &str) -> std::io::Result<()> {
    writer.write_all(text.as_bytes())?;
    writer.flush()
}

fn event(name: &str, data: &impl Serialize) -> String {
    let json = serde_json::to_string(data).unwrap_or_else(|_| "{}".to_string());
    format!("event: {name}\ndata: {json}\n\n")
}

pub fn hello_event(server_id: &str, build: u64, overlay: Option<&str>) -> String {
    #[derive(Serialize)]
    struct Hello<'a> {
        server: &'a str,
        build: u64,
        overlay: Option<&'a str>,
    }
    event("hello", &Hello { server: server_id, build, overlay })
}

pub fn build_event(build: u64, changed: &[String]) -> String {
    #[derive(Serialize)]
    struct Build<'a> {
        build: u64,
        changed: &'a [String],
    }
    event("build", &Build { build, changed })
}

pub fn failed_event(diagnostics: &[Diagnostic], overlay: &str) -> String {
    #[derive(Serialize)]
    struct Error<'a> {
        severity: Severity,
        code: &'a str,
        file: Option<String>,
        line: u32,
        column: u32,
        message: &'a str,
        hint: Option<&'a str>,
    }
    #[derive(Serialize)]
    struct Failed<'a> {
        errors: Vec<Error<'a>>,
        overlay: &'a str,
    }
    let errors = diagnostics
        .iter()
        .map(|diagnostic| Error {
            severity: diagnostic.severity,
            code: diagnostic.code,
            file: diagnostic.location.as_ref().map(|location| display_path(&location.file)),
            line: diagnostic.location.as_ref().map_or(0, |location| location.line),
            column: diagnostic.location.as_ref().map_or(0, |location| location.column),
            message: &diagnostic.message,
            hint: diagnostic.hint.as_deref(),
        })
        .collect();
    event("failed", &Failed { errors, overlay })
}

/// The overlay lists this many problems; the terminal has them all. The file just saved
/// comes first, and one broken file can cause dozens of dangling references.
const OVERLAY_LIMIT: usize = 10;

/// The overlay shown over every page while the latest rebuild fails: each diagnostic with
/// its file, line and column. Styled inline, so no theme can hide it.
pub fn overlay(diagnostics: &[Diagnostic], has_good_build: bool) -> String {
    let title = if has_good_build {
        "Build failed: this is the last good build."
    } else {
        "Build failed: there is no good build to show yet."
    };
    let mut html = String::from(
        "<div id=\"__trustpress-overlay\" role=\"alert\" style=\"position:fixed;left:1rem;right:1rem;bottom:1rem;\
         max-height:60vh;overflow:auto;z-index:2147483647;margin:0 auto;max-width:60rem;background:#2a0d10;\
         color:#fde8e8;border:2px solid #f87171;border-radius:8px;padding:1rem 1.25rem;text-align:left;\
         font:14px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;box-shadow:0 10px 30px rgba(0,0,0,.45)\">\
         <button type=\"button\" aria-label=\"Hide\" onclick=\"this.parentNode.remove()\" style=\"float:right;\
         background:none;border:0;color:inherit;font-size:20px;line-height:1;cursor:pointer\">&times;</button>",
    );
    html.push_str(&format!("<strong style=\"color:#fca5a5\">{title}</strong>"));
    html.push_str("<ol style=\"margin:.5rem 0 0;padding-left:1.5rem\">");
    for diagnostic in diagnostics.iter().take(OVERLAY_LIMIT) {
        let label = match diagnostic.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        html.push_str("<li style=\"margin:.25rem 0\">");
        if let Some(location) = &diagnostic.location {
            html.push_str(&format!(
                "<code style=\"color:#fecaca;font-weight:bold\">{}</code> ",
                escape_text(&location.to_string())
            ));
        }
        html.push_str(&format!("{label}[{}]: {}", diagnostic.code, escape_text(&diagnostic.message)));
        if let Some(hint) = &diagnostic.hint {
            html.push_str(&format!("<br><span style=\"opacity:.8\">hint: {}</span>", escape_text(hint)));
        }
        html.push_str("</li>");
    }
    html.push_str("</ol>");
    if diagnostics.len() > OVERLAY_LIMIT {
        html.push_str(&format!(
            "<p style=\"margin:.25rem 0 0\">… and {} more in the terminal.</p>",
            diagnostics.len() - OVERLAY_LIMIT
        ));
    }
    html.push_str("<p style=\"margin:.5rem 0 0;opacity:.8\">Fix the file and save: this page updates by itself.</p></div>");
    html
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Location;

    #[test]
    fn events_are_single_line_json() {
        let diagnostics = vec![Diagnostic::error("yaml", "expected a mapping\nfound a list")
            .at(Location::at("policies/access-control.md", 3, 7))
            .hint("indent <the> block")];
        let overlay = overlay(&diagnostics, true);
        assert!(overlay.contains("policies/access-control.md:3:7"), "{overlay}");
        assert!(overlay.contains("indent &lt;the&gt; block"), "{overlay}");
        let failed = failed_event(&diagnostics, &overlay);
        let mut lines = failed.lines();
        assert_eq!(lines.next(), Some("event: failed"));
        let data: serde_json::Value =
            serde_json::from_str(lines.next().unwrap().strip_prefix("data: ").unwrap()).unwrap();
        assert_eq!(data["errors"][0]["file"], "policies/access-control.md");
        assert_eq!(data["errors"][0]["line"], 3);
        assert_eq!(data["errors"][0]["column"], 7);
        assert_eq!(lines.next(), Some(""));
        assert!(failed.ends_with("\n\n"));

        let many: Vec<Diagnostic> = (0..12).map(|n| Diagnostic::error("x", format!("problem {n}"))).collect();
        let overlay = super::overlay(&many, false);
        assert!(overlay.contains("problem 9") && !overlay.contains("problem 10"), "{overlay}");
        assert!(overlay.contains("and 2 more in the terminal"), "{overlay}");

        let build = build_event(4, &["index.html".to_string()]);
        assert_eq!(build, "event: build\ndata: {\"build\":4,\"changed\":[\"index.html\"]}\n\n");
    }
}
