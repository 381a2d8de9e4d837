//! The deploy recipes in `deploy/`, which DEPLOYING.md shows word for word: each passes its
//! CI system's published schema (check-jsonschema's vendored GitHub Actions and GitLab CI
//! schemas), checks the content before it builds, and its `trustpress` commands and checks
//! run as written on the example.

use std::path::Path;

use crate::common::{example_copy, have_tool, repo, run_ok, trustpress, TODAY};

/// Each recipe and the schema of the CI system that runs it.
const RECIPES: [(&str, &str); 3] = [
    ("github-pages.yml", "vendor.github-workflows"),
    ("gitlab-pages.yml", "vendor.gitlab-ci"),
    ("cloudflare-pages.yml", "vendor.github-workflows"),
];

fn recipe(name: &str) -> String {
    std::fs::read_to_string(repo().join("deploy").join(name)).unwrap()
}

/// The shell commands a recipe runs, in order: GitHub's steps' `run`, GitLab's `script`.
fn commands(name: &str) -> Vec<String> {
    let yaml: serde_json::Value =
        serde_saphyr::from_str(&recipe(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    let mut found = Vec::new();
    if let Some(jobs) = yaml.get("jobs").and_then(|j| j.as_object()) {
        for job in jobs.values() {
            for step in job["steps"].as_array().unwrap() {
                found.extend(step.get("run").and_then(|r| r.as_str()).map(str::to_string));
            }
        }
    } else {
        for line in yaml["pages"]["script"].as_array().unwrap() {
            found.push(line.as_str().unwrap().to_string());
        }
    }
    found
}

#[test]
fn every_recipe_is_in_the_guide_word_for_word() {
    let guide = std::fs::read_to_string(repo().join("docs/DEPLOYING.md")).unwrap();
    for (name, _) in RECIPES {
        assert!(
            guide.contains(&format!("```yaml\n{}```", recipe(name))),
            "DEPLOYING.md shows deploy/{name} as it is"
        );
    }
}

#[test]
fn every_recipe_passes_its_ci_systems_schema() {
    if !have_tool("check-jsonschema") {
        return;
    }
    for (name, schema) in RECIPES {
        run_ok(
            std::process::Command::new("check-jsonschema")
                .args(["--builtin-schema", schema])
                .arg(repo().join("deploy").join(name)),
        );
    }
    // The check can fail: a misspelt key is refused.
    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("broken.yml");
    std::fs::write(&broken, recipe("gitlab-pages.yml").replace("  script:", "  scripts:")).unwrap();
    let status = std::process::Command::new("check-jsonschema")
        .args(["--builtin-schema", "vendor.gitlab-ci"])
        .arg(&broken)
        .output()
        .unwrap()
        .status;
    assert!(!status.success(), "check-jsonschema refuses a broken recipe");
}

#[test]
fn every_recipe_checks_then_builds_and_its_commands_run_on_the_example() {
    for (name, _) in RECIPES {
        let commands = commands(name);
        let position = |prefix: &str| commands.iter().position(|c| c.starts_with(prefix));
        let (check, build) = (position("trustpress check"), position("trustpress build"));
        assert!(check.is_some() && check < build, "{name} checks the content before it builds: {commands:?}");
        let text = recipe(name);
        assert!(
            text.contains("fetch-depth: 0") || text.contains("GIT_DEPTH: 0"),
            "{name} fetches the whole history"
        );

        // Run them as the CI would, in a checkout holding `content/`.
        let dir = tempfile::tempdir().unwrap();
        example_copy(dir.path());
        for command in commands.iter().filter(|c| c.starts_with("trustpress ") || c.starts_with("test -f ")) {
            let words: Vec<&str> = command.split_whitespace().collect();
            if words[0] == "test" {
                assert!(dir.path().join(words[2]).is_file(), "{name}: `{command}`");
                continue;
            }
            trustpress()
                .current_dir(dir.path())
                .env("SOURCE_DATE_EPOCH", "1763683200")
                .args(&words[1..])
                .assert()
                .success();
        }
        assert!(Path::new(&dir.path().join("public/index.html")).is_file(), "{name} built the site");
        let _ = TODAY;
    }
}
