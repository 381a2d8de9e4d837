//! `trustpress build`: the trust center for one audience, into a folder.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;
use trustpress::audience::Audience;
use trustpress::build::{build_site, BuildError, SiteOptions};
use trustpress::history::AtCommit;
use trustpress::render::RenderTarget;

use super::{content_date, print_diagnostics, summarize_warnings, usage_error, SiteAudience, CONTENT_ERROR};

#[derive(Args)]
pub struct BuildArgs {
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
    /// Build the trust center as the content was at a commit, tag or branch, or on a day
    /// (YYYY-MM-DD: the last commit on HEAD's first-parent line made on or before it), read
    /// from git, not the work tree. Dates are computed against that day unless --today
    /// says otherwise.
    #[arg(long, value_name = "COMMIT|TAG|YYYY-MM-DD")]
    at: Option<String>,
    /// Sign the site with this OpenSSH Ed25519 private key file (readable by you alone):
    /// publishes .well-known/trustpress/manifest.json (every file's SHA-256), its SSH
    /// signature and the public key, and names them in trust.json.
    #[arg(long, value_name = "KEYFILE")]
    sign: Option<PathBuf>,
    /// Print how long each build step took.
    #[arg(long)]
    timings: bool,
    /// Replace the output folder even when trustpress did not make it (it holds files and
    /// no .trustpress-output marker): everything in it is deleted. A file or a symbolic
    /// link is never replaced.
    #[arg(long)]
    force: bool,
}

/// A site's signer: the key `--sign` names.
struct KeySigner(trustpress::sign::SigningKey);

impl trustpress::output::signed::Signer for KeySigner {
    fn sign(&self, message: &[u8]) -> Result<String, String> {
        Ok(trustpress::sign::sign(&self.0, message))
    }
    fn public_key(&self) -> String {
        // Published on the site: the key type and key only. The file's comment is often a
        // person's address or a machine's name, which a public site has no reason to show.
        self.0.public_key().to_openssh().split_whitespace().take(2).collect::<Vec<_>>().join(" ")
    }
}

pub fn run(args: BuildArgs) -> ExitCode {
    let audience = args.audience.audience();
    let signer = match super::signing_key(args.sign.as_deref(), &args.content) {
        Ok(key) => key.map(|key| trustpress::build::SignerHandle(std::sync::Arc::new(KeySigner(key)))),
        Err(code) => return code,
    };
    let out = args.out.unwrap_or_else(|| default_site_folder(audience));
    let at = match args.at.as_deref().map(|at| AtCommit::export(&args.content, at, &[&out])).transpose() {
        Ok(at) => at.map(std::sync::Arc::new),
        Err(message) => return usage_error(&format!("--at: {message}")),
    };
    let today = match (&at, args.today.as_deref()) {
        (Some(at), None) => at.day,
        (_, today) => match content_date(today, &args.content) {
            Ok(today) => today,
            Err(message) => return usage_error(&message),
        },
    };
    let options = SiteOptions {
        content: args.content,
        audience,
        base_url: args.base_url,
        today,
        target: RenderTarget::Site,
        at: at.clone(),
        signer,
    };
    if let Some(at) = &at {
        print_at(at);
    }
    let started = std::time::Instant::now();
    match build_site(&options, &out, args.force) {
        Ok(site) => {
            for note in &site.notes {
                eprintln!("note: {note}");
            }
            summarize_warnings(&options.content, &site.warnings);
            if args.timings {
                for (step, duration) in &site.timings {
                    eprintln!("  {step:<12} {:>8.1} ms", duration.as_secs_f64() * 1000.0);
                }
                print_template_times(&site.templates);
            }
            let changed = match site.changes {
                // Pages kept are unchanged files a rebuild did not even render.
                Some(changes) if changes.kept > 0 => format!(
                    "{} written, {} unchanged ({} not rendered again), {} removed; ",
                    changes.written, changes.unchanged, changes.kept, changes.removed
                ),
                Some(changes) => format!(
                    "{} written, {} unchanged, {} removed; ",
                    changes.written, changes.unchanged, changes.removed
                ),
                None => String::new(),
            };
            eprintln!(
                "built {} site: {} files in {} ({changed}{:.0} ms)",
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

/// What `--at` chose, before the build says anything else.
pub(super) fn print_at(at: &AtCommit) {
    eprintln!("as of {}: commit {}", at.day, at.id);
    if !at.skipped.is_empty() {
        eprintln!(
            "note: left out of the commit's content (symbolic links, submodules): {}",
            at.skipped.join(", ")
        );
    }
}
