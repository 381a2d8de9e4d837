//! The command line: the only place that prints. Each command has its own arguments struct
//! and its own `run_…` function; the library does the work.

use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};

use clap::{Args, Parser, Subcommand};
use trustpress::audience::Audience;
use trustpress::build::{build_site, BuildError, SiteOptions};
use trustpress::bundle::verify::{verify, VerifyOptions};
use trustpress::bundle::{self, write_bundle, BundleError, BundleOptions, Progress};
use trustpress::date::Date;
use trustpress::diagnostic::{source_line, Diagnostic, JsonDiagnostic};
use trustpress::render::RenderTarget;
use trustpress::serve::{DevServer, Report, ServeError, ServeOptions};

/// mimalloc instead of glibc's malloc: a build allocates and frees millions of small strings
/// on every core, and glibc's per-thread arenas grow by `mprotect` calls (21,000 of them in a
/// build of 10,000 policies). See docs/PERFORMANCE.md.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "trustpress",
    version,
    about = "Build an ISMS kept as plain files into an audience-safe static trust center."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build the trust center for one audience into a folder.
    Build(BuildArgs),
    /// Check the ISMS: syntax, references, SoA completeness, freshness, audience rules.
    Check(CheckArgs),
    /// Serve the trust center from memory, rebuilding and reloading the browser on every save.
    Serve(ServeArgs),
    /// Create a starter ISMS in a new folder.
    Init(InitArgs),
    /// Write the private auditor bundle: one reproducible, verifiable zip.
    ///
    /// The bundle holds the auditor-level site (browsable offline), soa.csv and soa.json,
    /// every policy as HTML and markdown, certifications and documents, evidence filed by
    /// control, and manifest.json and SHA256SUMS with the SHA-256 of every file.
    Bundle(BundleArgs),
    /// Check a bundle against its manifest.
    ///
    /// Re-hashes every file and names each one that changed, is missing or is extra, and
    /// each entry in a form `bundle` never writes (a symlink, a folder entry, an unsafe
    /// name, a zip comment, …). Exit code 0 only when all is as bundle wrote it, 1 when
    /// not, 2 for usage errors (a missing or wrong --identity).
    Verify(VerifyArgs),
}

#[derive(Args)]
struct ServeArgs {
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

#[derive(Args)]
struct InitArgs {
    /// The folder to create (must be new or empty).
    dir: PathBuf,
    /// The date written as "approved" in the starter files [default: SOURCE_DATE_EPOCH's
    /// day, else today's UTC date].
    #[arg(long)]
    today: Option<String>,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum CheckFormat {
    Human,
    Json,
}

#[derive(Args)]
struct CheckArgs {
    /// The ISMS content folder.
    #[arg(long, default_value = "content")]
    content: PathBuf,
    /// `human` (rustc-style, with the source line) or `json` (an array, for CI tooling).
    #[arg(long, value_enum, default_value = "human")]
    format: CheckFormat,
    /// The date (YYYY-MM-DD) reviews, expiry and staleness are checked against
    /// [default: SOURCE_DATE_EPOCH's day, else today's UTC date].
    #[arg(long)]
    today: Option<String>,
    /// Parse every policy again instead of using the cache of unchanged ones (kept in
    /// $TRUSTPRESS_CACHE_DIR, else $XDG_CACHE_HOME/trustpress, else ~/.cache/trustpress).
    #[arg(long)]
    no_cache: bool,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum SiteAudience {
    Public,
    Internal,
}

impl SiteAudience {
    fn audience(self) -> Audience {
        match self {
            SiteAudience::Public => Audience::Public,
            SiteAudience::Internal => Audience::Internal,
        }
    }
}

#[derive(Args)]
struct BuildArgs {
    /// The ISMS content folder.
    #[arg(long, default_value = "content")]
    content: PathBuf,
    /// Output folder [default: public/ for the public audience, internal/ for internal].
    #[arg(long)]
    out: Option<PathBuf>,
    /// Who the site is for: public items only, or public and internal.
    #[arg(long, value_enum, default_value = "public")]
    audience: SiteAudience,
    /// Base URL the site is published at (overrides site.yaml).
    #[arg(long)]
    base_url: Option<String>,
    /// The build date (YYYY-MM-DD) that validity, reviews and staleness are computed
    /// against [default: SOURCE_DATE_EPOCH's day, else today's UTC date].
    #[arg(long)]
    today: Option<String>,
    /// Print how long each build step took.
    #[arg(long)]
    timings: bool,
    /// Replace the output folder even when trustpress did not make it (it holds files and
    /// no .trustpress-output marker): everything in it is deleted. A file or a symbolic
    /// link is never replaced.
    #[arg(long)]
    force: bool,
}

#[derive(Args)]
struct BundleArgs {
    /// The ISMS content folder.
    #[arg(long, default_value = "content")]
    content: PathBuf,
    /// The bundle file to write [default: audit-bundle.zip, or audit-bundle.zip.age when
    /// encrypting].
    #[arg(long)]
    out: Option<PathBuf>,
    /// Encrypt the bundle with age to this recipient (an `age1…` public key); repeat for
    /// several recipients.
    #[arg(long = "encrypt-to", value_name = "AGE_RECIPIENT")]
    encrypt_to: Vec<String>,
    /// Replace the --out file even when it is not a bundle (a zip holding manifest.json, or
    /// an age-encrypted file). A folder or a symbolic link is never replaced.
    #[arg(long)]
    force: bool,
}

#[derive(Args)]
struct VerifyArgs {
    /// The bundle: a zip, or an age-encrypted zip (with --identity).
    file: PathBuf,
    /// An age identity file (as `age-keygen` writes it) that decrypts an encrypted bundle.
    #[arg(long, value_name = "KEYFILE")]
    identity: Option<PathBuf>,
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            let _ = error.print();
            return if error.use_stderr() { ExitCode::from(2) } else { ExitCode::SUCCESS };
        }
    };
    match cli.command {
        Command::Build(args) => run_build(args),
        Command::Check(args) => run_check(args),
        Command::Serve(args) => run_serve(args),
        Command::Init(args) => run_init(args),
        Command::Bundle(args) => run_bundle(args),
        Command::Verify(args) => run_verify(args),
    }
}

/// Exit code for content errors (nothing written).
const CONTENT_ERROR: u8 = 1;
/// Exit code for usage errors.
const USAGE_ERROR: u8 = 2;

fn run_build(args: BuildArgs) -> ExitCode {
    let audience = args.audience.audience();
    let today = match build_date(args.today.as_deref()) {
        Ok(today) => today,
        Err(message) => return usage_error(&message),
    };
    let out = args.out.unwrap_or_else(|| default_site_folder(audience));
    let options = SiteOptions {
        content: args.content,
        audience,
        base_url: args.base_url,
        today,
        explicit_index: false,
        target: RenderTarget::Site,
    };
    let started = std::time::Instant::now();
    match build_site(&options, &out, args.force) {
        Ok(site) => {
            print_diagnostics(&options.content, &site.warnings);
            if args.timings {
                for (step, duration) in &site.timings {
                    eprintln!("  {step:<12} {:>8.1} ms", duration.as_secs_f64() * 1000.0);
                }
                print_template_times(&site.templates);
            }
            eprintln!(
                "built {} site: {} files in {} ({:.0} ms)",
                options.audience,
                site.files,
                out.display(),
                started.elapsed().as_secs_f64() * 1000.0
            );
            ExitCode::SUCCESS
        }
        Err(error) => build_failed(error, &options.content, &out),
    }
}

fn run_check(args: CheckArgs) -> ExitCode {
    let today = match build_date(args.today.as_deref()) {
        Ok(today) => today,
        Err(message) => return usage_error(&message),
    };
    let diagnostics = trustpress::check::check_content(&args.content, today, !args.no_cache);
    if !args.no_cache {
        if let Some(problem) = trustpress::load::cache::unusable_folder() {
            eprintln!("note: check's parse cache is not used: {problem}");
        }
    }
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    let warnings = diagnostics.len() - errors;
    match args.format {
        CheckFormat::Json => {
            let items: Vec<JsonDiagnostic> = diagnostics.iter().map(JsonDiagnostic::from).collect();
            match serde_json::to_string_pretty(&items) {
                Ok(json) => println!("{json}"),
                Err(error) => {
                    eprintln!("error: cannot write JSON: {error}");
                    return ExitCode::from(CONTENT_ERROR);
                }
            }
        }
        CheckFormat::Human => {
            for diagnostic in &diagnostics {
                let line = diagnostic.location.as_ref().and_then(|l| source_line(&args.content, l));
                println!("{}\n", diagnostic.render(line.as_deref()));
            }
            let verdict = if errors > 0 { "failed" } else { "passed" };
            println!(
                "check {verdict}: {errors} error{}, {warnings} warning{} (checked against {today})",
                plural(errors),
                plural(warnings)
            );
        }
    }
    if errors > 0 {
        ExitCode::from(CONTENT_ERROR)
    } else {
        ExitCode::SUCCESS
    }
}

fn run_serve(args: ServeArgs) -> ExitCode {
    let today = match build_date(args.today.as_deref()) {
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
            explicit_index: false,
            target: RenderTarget::Site,
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

fn run_init(args: InitArgs) -> ExitCode {
    let today = match build_date(args.today.as_deref()) {
        Ok(today) => today,
        Err(message) => return usage_error(&message),
    };
    match trustpress::init::init(&args.dir, today) {
        Ok(files) => {
            for file in &files {
                println!("created {}", file.display());
            }
            let dir = args.dir.display();
            println!("\nA starter ISMS is in {dir}. Next:");
            println!("  trustpress check --content {dir}    # what to fill in next");
            println!("  trustpress build --content {dir}    # the public trust center, into public/");
            ExitCode::SUCCESS
        }
        Err(error @ trustpress::init::InitError::NotEmpty(_)) => usage_error(&error.to_string()),
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::from(CONTENT_ERROR)
        }
    }
}

fn plural(count: usize) -> &'static str {
    if count == 1 {
        ""
    } else {
        "s"
    }
}

fn run_bundle(args: BundleArgs) -> ExitCode {
    let mut recipients = Vec::new();
    for text in &args.encrypt_to {
        match bundle::parse_recipient(text) {
            Ok(recipient) => recipients.push(recipient),
            Err(message) => return usage_error(&format!("--encrypt-to: {message}")),
        }
    }
    let source_date_epoch = match source_date_epoch() {
        Ok(seconds) => seconds,
        Err(message) => return usage_error(&message),
    };
    let out = args.out.unwrap_or_else(|| {
        let name = if recipients.is_empty() {
            bundle::DEFAULT_OUT.to_string()
        } else {
            format!("{}.age", bundle::DEFAULT_OUT)
        };
        PathBuf::from(name)
    });
    let options =
        BundleOptions { content: args.content, out, recipients, source_date_epoch, force: args.force };
    let started = std::time::Instant::now();
    let bar = ProgressBar::for_stderr();
    match write_bundle(&options, &bar) {
        Ok(report) => {
            print_diagnostics(&options.content, &report.warnings);
            let counts = &report.counts;
            eprintln!(
                "wrote {}: {} files ({} controls, {} policies, {} evidence files, {} documents), {} compressed{} in {:.1} s",
                report.out.display(),
                counts.files + 2,
                counts.controls,
                counts.policies,
                counts.evidence_files,
                counts.documents + counts.certification_documents,
                human_bytes(report.archive_bytes),
                match report.recipients {
                    0 => String::new(),
                    1 => ", encrypted to 1 recipient".to_string(),
                    n => format!(", encrypted to {n} recipients"),
                },
                started.elapsed().as_secs_f64(),
            );
            let commit = match (&report.git.commit, report.git.dirty) {
                (Some(commit), Some(true)) => format!("{commit} (with uncommitted changes)"),
                (Some(commit), _) => commit.clone(),
                (None, _) => "none (the content folder is not in git)".to_string(),
            };
            eprintln!("  content commit   {commit}");
            eprintln!(
                "  built at         {} (from {})",
                report.built.rfc3339(),
                build_date_origin(report.built.source)
            );
            eprintln!("  manifest sha256  {}", report.manifest_sha256);
            eprintln!("  archive sha256   {}", report.archive_sha256);
            if report.built.source == bundle::provenance::BuildDateSource::Clock {
                eprintln!(
                    "note: dated from the clock, so a rebuild will differ; set SOURCE_DATE_EPOCH or bundle content in git for a reproducible archive"
                );
            }
            ExitCode::SUCCESS
        }
        Err(error) => {
            match &error {
                BundleError::Content(diagnostics) => {
                    print_diagnostics(&options.content, diagnostics);
                    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
                    eprintln!(
                        "error: bundle failed with {errors} error(s); {} was left untouched",
                        options.out.display()
                    );
                }
                usage if usage.is_usage() => return usage_error(&usage.to_string()),
                other => eprintln!("error: {other}; {} was left untouched", options.out.display()),
            }
            ExitCode::from(CONTENT_ERROR)
        }
    }
}

fn build_date_origin(source: bundle::provenance::BuildDateSource) -> &'static str {
    match source {
        bundle::provenance::BuildDateSource::SourceDateEpoch => "SOURCE_DATE_EPOCH",
        bundle::provenance::BuildDateSource::GitCommit => "the content's git commit",
        bundle::provenance::BuildDateSource::Clock => "the clock",
    }
}

fn run_verify(args: VerifyArgs) -> ExitCode {
    let options = VerifyOptions { file: args.file, identity: args.identity };
    let bar = ProgressBar::for_stderr();
    match verify(&options, &bar) {
        Ok(report) => {
            for problem in &report.problems {
                println!("{problem}");
            }
            let origin = match (&report.git_commit, &report.built_at) {
                (Some(commit), Some(built)) => format!(", content commit {commit}, built {built}"),
                (None, Some(built)) => format!(", built {built}"),
                _ => String::new(),
            };
            if report.ok() {
                let encrypted = if report.encrypted { " (age-encrypted)" } else { "" };
                println!(
                    "ok: all {} files of {}{encrypted} match its manifest{origin}",
                    report.checked,
                    options.file.display()
                );
                println!("manifest sha256 {}", report.manifest_sha256);
                ExitCode::SUCCESS
            } else {
                eprintln!(
                    "error: {} does not verify: {} problem(s) in {} files",
                    options.file.display(),
                    report.problems.len(),
                    report.checked
                );
                ExitCode::from(CONTENT_ERROR)
            }
        }
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::from(if error.is_usage() { USAGE_ERROR } else { CONTENT_ERROR })
        }
    }
}

/// A progress bar on stderr, for bundles large enough to take a while; hidden when stderr
/// is not a terminal (CI logs, pipes).
struct ProgressBar(indicatif::ProgressBar);

/// Below this many bytes a bundle is done before a bar would be worth drawing.
const PROGRESS_BAR_FROM_BYTES: u64 = 64 * 1024 * 1024;

impl ProgressBar {
    fn for_stderr() -> ProgressBar {
        ProgressBar(indicatif::ProgressBar::hidden())
    }
}

impl Progress for ProgressBar {
    fn start(&self, total_bytes: u64) {
        use std::io::IsTerminal;
        if total_bytes < PROGRESS_BAR_FROM_BYTES || !std::io::stderr().is_terminal() {
            return;
        }
        self.0.set_length(total_bytes);
        self.0.set_style(
            indicatif::ProgressStyle::with_template(
                "{bar:30} {bytes}/{total_bytes} {bytes_per_sec}, {eta} left",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        self.0.set_draw_target(indicatif::ProgressDrawTarget::stderr());
    }

    fn advance(&self, bytes: u64) {
        self.0.inc(bytes);
    }

    fn finish(&self) {
        self.0.finish_and_clear();
    }
}

fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if bytes < 1024 {
        return format!("{bytes} bytes");
    }
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

fn default_site_folder(audience: Audience) -> PathBuf {
    PathBuf::from(if audience == Audience::Public { "public" } else { "internal" })
}

fn build_failed(error: BuildError, content: &Path, out: &Path) -> ExitCode {
    match error {
        BuildError::Content(diagnostics) => {
            print_diagnostics(content, &diagnostics);
            let errors = diagnostics.iter().filter(|d| d.is_error()).count();
            eprintln!("error: build failed with {errors} error(s); {} was left untouched", out.display());
        }
        BuildError::Write(error) if error.is_usage() => return usage_error(&error.to_string()),
        BuildError::Write(error) => eprintln!("error: {error}"),
    }
    ExitCode::from(CONTENT_ERROR)
}

fn usage_error(message: &str) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(USAGE_ERROR)
}

/// The render time of each page template (summed over threads, most first), so a theme
/// author sees which template to make cheaper.
fn print_template_times(templates: &[trustpress::render::TemplateTime]) {
    eprintln!("  templates (time summed over threads; a policy page's includes its body):");
    for entry in templates {
        let ms = entry.time.as_secs_f64() * 1000.0;
        let (name, pages) = (entry.template, entry.pages);
        if pages == 1 {
            eprintln!("    {name:<22} {pages:>6} page  {ms:>9.1} ms");
        } else {
            let each = entry.time.as_secs_f64() * 1e6 / pages as f64;
            eprintln!("    {name:<22} {pages:>6} pages {ms:>9.1} ms {each:>7.1} µs each");
        }
    }
}

fn print_diagnostics(content: &Path, diagnostics: &[Diagnostic]) {
    for diagnostic in diagnostics {
        let line = diagnostic.location.as_ref().and_then(|l| source_line(content, l));
        eprintln!("{}\n", diagnostic.render(line.as_deref()));
    }
}

/// `--today`, else `SOURCE_DATE_EPOCH`, else the clock: builds are reproducible whenever
/// either of the first two is given. A date outside [`Date::build_range`] is a usage error.
fn build_date(today: Option<&str>) -> Result<Date, String> {
    if let Some(text) = today {
        let date = Date::parse(text).map_err(|e| format!("--today: {e}"))?;
        let (first, last) = Date::build_range();
        if date < first || date > last {
            return Err(format!("--today `{text}` is out of range: a build date is from {first} to {last}"));
        }
        return Ok(date);
    }
    if let Some(seconds) = source_date_epoch()? {
        return Date::from_unix_seconds(seconds)
            .ok_or_else(|| format!("SOURCE_DATE_EPOCH `{seconds}` is out of range"));
    }
    Ok(Date::today_from_clock())
}

/// `SOURCE_DATE_EPOCH` in seconds, when set; an error when it is not a usable number: not a
/// whole number, or before 1970 (negative), or after the last day a build date can have.
fn source_date_epoch() -> Result<Option<i64>, String> {
    let Ok(epoch) = std::env::var("SOURCE_DATE_EPOCH") else { return Ok(None) };
    let seconds: i64 = epoch
        .trim()
        .parse()
        .map_err(|_| format!("SOURCE_DATE_EPOCH must be a whole number of seconds, not `{epoch}`"))?;
    let max = Date::max_unix_seconds();
    if !(0..=max).contains(&seconds) || Date::from_unix_seconds(seconds).is_none() {
        return Err(format!(
            "SOURCE_DATE_EPOCH `{epoch}` is out of range: it counts seconds since 1970-01-01T00:00:00Z, from 0 to {max}"
        ));
    }
    Ok(Some(seconds))
}
