//! `trustpress init`: a starter ISMS in a new folder, or (`--theme`) the default theme's
//! files to start a theme from.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use super::{build_date, usage_error, CONTENT_ERROR};

#[derive(Args)]
pub struct InitArgs {
    /// The folder to create (must be new or empty).
    dir: PathBuf,
    /// The date written as "approved" in the starter files [default: SOURCE_DATE_EPOCH's
    /// day, else today's UTC date].
    #[arg(long)]
    today: Option<String>,
    /// Write the default theme (templates/ and static/) into the folder instead, to start a
    /// theme from; then set `theme: <folder>` in site.yaml (relative to it).
    #[arg(long)]
    theme: bool,
}

pub fn run(args: InitArgs) -> ExitCode {
    if args.theme {
        return run_theme(&args.dir);
    }
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

fn run_theme(dir: &std::path::Path) -> ExitCode {
    match trustpress::init::init_theme(dir) {
        Ok(files) => {
            for file in &files {
                println!("created {}", file.display());
            }
            let dir = dir.display();
            println!("\nThe default theme is in {dir}. Next:");
            println!("  set `theme: {dir}` in site.yaml (a path relative to it)");
            println!("  edit what you want to change, and delete the files you leave as they are:");
            println!("  a template a theme does not have is the default's, and a theme template can");
            println!("  extend a default one: {{% extends \"default/policy.html\" %}}");
            ExitCode::SUCCESS
        }
        Err(error @ trustpress::init::InitError::NotEmpty(_)) => usage_error(&error.to_string()),
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::from(CONTENT_ERROR)
        }
    }
}
