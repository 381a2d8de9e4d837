//! The differential audience fuzzer: markdown and YAML made from the input, with a marker
//! inside an audience block, built for the public and the internal site in memory. Either
//! the build refuses the content or the marker is in no output byte.
//!
//!     cd fuzz && RUSTC_BOOTSTRAP=1 cargo fuzz run audience audience-seeds -- -max_total_time=1800
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../../tests/adversary/harness.rs"]
mod harness;

fuzz_target!(|data: &[u8]| {
    if let Err(leak) = harness::check_generated(data) {
        panic!("{leak}");
    }
});
