//! trustpress: an ISMS kept as plain files in git, built into an audience-safe static trust
//! center. Data flows one way: `load` → `model` → `check` → `cut` (the audience) → `render`
//! → `output`. The library never prints; the binary talks to the user.

#![warn(clippy::print_stdout, clippy::print_stderr)]

pub mod audience;
pub mod build;
pub mod bundle;
pub mod catalog;
pub mod check;
pub mod config;
pub mod cut;
pub mod date;
pub mod diagnostic;
pub mod fenced;
pub mod init;
pub mod load;
pub mod markdown;
pub mod model;
pub mod output;
pub mod render;
pub mod serve;

pub use audience::Audience;
pub use date::Date;
