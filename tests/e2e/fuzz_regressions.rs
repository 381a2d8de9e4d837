//! Inputs the fuzzer started from (`fuzz/seeds`) and every input it ever crashed on
//! (`fuzz/regressions`) go through the loader's text paths on every test run.

use crate::common::repo;

#[test]
fn fuzz_seeds_and_regressions_never_panic() {
    let mut inputs = 0;
    for folder in ["fuzz/seeds", "fuzz/regressions"] {
        let Ok(entries) = std::fs::read_dir(repo().join(folder)) else { continue };
        for entry in entries.flatten() {
            let bytes = std::fs::read(entry.path()).unwrap();
            let _ = trustpress::load::parse_every_kind(&bytes);
            inputs += 1;
        }
    }
    assert!(inputs >= 6, "the seeds are there ({inputs} inputs)");
    // The seeds are valid content: each is accepted by at least one item kind.
    for seed in ["policy.md", "faq.yaml", "site.yaml", "risks.yaml"] {
        let bytes = std::fs::read(repo().join("fuzz/seeds").join(seed)).unwrap();
        assert!(trustpress::load::parse_every_kind(&bytes) > 0, "{seed} is accepted by some kind");
    }
}
