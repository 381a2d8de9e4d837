//! `trustpress serve`: the dev server, rebuilding and reloading the browser on every save.

use std::net::IpAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};

use clap::Args;
use trustpress::build::SiteOptions;
use trustpress::render::RenderTarget;
use trustpress::serve::{DevServer, Report, ServeError, ServeOptions};

use super::{content_date, print_diagnostics, usage_error, SiteAudience, CONTENT_ERROR, USAGE_ERROR};

#[derive(Args)]
pub struct ServeArgs {
    /// The ISMS content folder.
    #[arg(long, default_value = "content")]
    content: PathBuf,
    /// Who the site is for: public items only, or public and internal.
    #[arg(long, value_enum, default_value = "public")]
    audience: SiteAudience,
    /// Address to listen on. Anything but a loopback address makes the site reachable from
    /// other machines.
    #[arg(long, default_value = "127.0.0.1")]
    bind: IpAddr,
    /// Port to listen on (0 picks a free one).
    #[arg(long, default_value_t = 1111)]
    port: u16,
    /// Open the site in the default browser once it is built.
    #[arg(long)]
    open: bool,
    /// The build date (YYYY-MM-DD) that validity, reviews and staleness are computed
    /// against [default: SOURCE_DATE_EPOCH's day, else today's UTC date].
    #[arg(long)]
    today: Option<String>,
    /// Print how long each step of every rebuild took.
    #[arg(long)]
    timings: bool,
}

pub fn run(args: ServeArgs) -> ExitCode {
    let today = match content_date(args.today.as_deref(), &args.content) {
        Ok(today) => today,
        Err(message) => return usage_error(&message),
    };
    if let Err(diagnostic) = trustpress::load::ContentRoot::open(&args.content) {
        // Nothing to watch: the same error, and exit code, as `build`.
        print_diagnostics(&args.content, &[diagnostic]);
        return ExitCode::from(CONTENT_ERROR);
    }
    let audience = args.audience.audience();
    let content = args.content.clone();
    let options = ServeOptions {
        site: SiteOptions {
            content: args.content.clone(),
            audience,
            base_url: None,
            today,
            target: RenderTarget::Site,
            at: None,
            signer: None,
        },
        bind: args.bind,
        port: args.port,
    };
    let server = match DevServer::bind(options) {
        Ok(server) => server,
        Err(error) => return serve_failed(&error),
    };
    if !args.bind.is_loopback() {
        eprintln!(
            "warning: listening on {}, reachable from other machines: anyone who can reach it sees the {audience} site",
            server.address()
        );
    }
    // Ctrl-C, SIGTERM (process managers, `docker stop`) and SIGHUP (the terminal closed)
    // stop cleanly; a second one, while stopping, stops at once.
    let stopper = server.stopper();
    let stopping = AtomicBool::new(false);
    let handler = ctrlc::set_handler(move || {
        if stopping.swap(true, Ordering::SeqCst) {
            std::process::exit(130);
        }
        stopper.stop();
    });
    if let Err(error) = handler {
        eprintln!(
            "warning: cannot handle Ctrl-C or SIGTERM ({error}); stop the server by ending the process"
        );
    }
    eprintln!("building the {audience} site of {} …", args.content.display());
    let open = args.open;
    // Bound to all interfaces, the URL printed first is this machine's loopback one (it
    // always works here); the next line says so, with the address other machines use.
    let all_interfaces = args.bind.is_unspecified().then(|| {
        let address = server.address();
        match server.network_url() {
            Some(url) => format!("listening on all interfaces ({address}): from other machines, {url}"),
            None => format!(
                "listening on all interfaces ({address}): from other machines, use this machine's address and port {}",
                address.port()
            ),
        }
    });
    let result = server.run(|report| match report {
        Report::Ready { url } => {
            println!("serving the {audience} site at {url}  (Ctrl-C to stop)");
            if let Some(line) = &all_interfaces {
                println!("{line}");
            }
            if open {
                open_browser(url);
            }
        }
        Report::Built { build, files, changed, elapsed, timings, warnings } => {
            print_diagnostics(&content, warnings);
            let ms = elapsed.as_secs_f64() * 1000.0;
            if build == 1 {
                eprintln!("built {files} files in {ms:.0} ms");
            } else {
                eprintln!("rebuilt in {ms:.1} ms: {} of {files} files changed", changed.len());
            }
            if args.timings {
                let steps: Vec<String> = timings
                    .iter()
                    .map(|(step, duration)| format!("{step} {:.1} ms", duration.as_secs_f64() * 1000.0))
                    .collect();
                eprintln!("  {}", steps.join(" · "));
            }
        }
        Report::Failed { diagnostics, .. } => {
            print_diagnostics(&content, diagnostics);
            let errors = diagnostics.iter().filter(|d| d.is_error()).count();
            eprintln!("error: rebuild failed with {errors} error(s); still serving the last good build");
        }
        Report::WatchProblem(problem) => eprintln!("warning: watching for changes: {problem}"),
    });
    match result {
        Ok(()) => {
            eprintln!("stopped");
            ExitCode::SUCCESS
        }
        Err(error) => serve_failed(&error),
    }
}

/// Could not start: the port is taken, the address is not this machine's, the folder
/// cannot be watched. All are problems of the environment or the arguments: exit code 2.
fn serve_failed(error: &ServeError) -> ExitCode {
    eprintln!("error: {error}");
    if let ServeError::Bind { source, .. } = error {
        if source.kind() == std::io::ErrorKind::AddrInUse {
            eprintln!("  = hint: another program uses this port; pick another with --port, or --port 0 for any free one");
        }
    }
    ExitCode::from(USAGE_ERROR)
}

/// Best effort: a missing opener is reported, never fatal.
fn open_browser(url: &str) {
    use std::process::{Command, Stdio};
    let mut command = if cfg!(target_os = "macos") {
        Command::new("open")
    } else if cfg!(windows) {
        let mut command = Command::new("cmd");
        command.args(["/C", "start", ""]);
        command
    } else {
        Command::new("xdg-open")
    };
    match command.arg(url).stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::null()).spawn() {
        // Reaped in the background: the opener exits as soon as the browser has the URL.
        Ok(mut child) => drop(std::thread::spawn(move || child.wait())),
        Err(error) => eprintln!("note: could not open a browser ({error}); open {url} yourself"),
    }
}
