//! `trustpress init`: a starter ISMS in a new folder.

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
}

pub fn run(args: InitArgs) -> ExitCode {
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
