//! End-to-end tests: the real binary on fixture content, asserting on the files a user gets.
//! One test binary (modules below) keeps link time down.

mod adversary;
mod agents;
mod answer;
mod answer_quality;
mod brand;
mod build;
mod build_cache;
mod bundle;
mod caiq;
mod check_cache;
mod common;
mod corpus;
mod customising;
mod deploy;
mod escaping;
mod formats;
mod fuzz_regressions;
mod history;
mod import;
mod interrupt;
mod kept_pages;
mod languages;
mod leak;
mod management;
mod oscal;
mod pagination;
mod record_kinds;
mod search_index;
mod self_service;
mod serve;
mod share;
mod signing;
mod site_signing;
mod templates;
