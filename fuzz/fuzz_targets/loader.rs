//! Any bytes, as any content file: the loader returns an error or a value, never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = trustpress::load::parse_every_kind(data);
});
