//! The loaders of the management system's files: `scope.yaml`, `objectives.yaml`, and the
//! measurements automation writes to `measurements/<OBJECTIVE-ID>.yaml` (or `.json`).

use std::collections::BTreeMap;
use std::path::Path;

use super::Loader;
use crate::diagnostic::{display_path, Diagnostic, Location};
use crate::model::management::LARGEST_VALUE;
use crate::model::{Measurement, Objective, Scope};

impl Loader<'_> {
    pub(super) fn scope(&mut self) -> Option<Scope> {
        if !self.exists("scope.yaml") {
            return None;
        }
        let file = Path::new("scope.yaml");
        let mut scope: Scope = self.yaml_file(file)?;
        scope.source = Location::at(file, 1, 1);
        Some(scope)
    }

    pub(super) fn objectives(&mut self) -> BTreeMap<String, Objective> {
        let mut objectives = BTreeMap::new();
        if self.exists("objectives.yaml") {
            for (mut objective, location) in self.yaml_list::<Objective>(Path::new("objectives.yaml")) {
                objective.source = location.clone();
                let id = objective.id.clone();
                self.insert_unique(&mut objectives, id, objective, &location, "objective", |o| &o.source);
            }
        }
        for file in self.list("measurements", &["yaml", "yml", "json"]) {
            let id = file.file_stem().and_then(|s| s.to_str()).unwrap_or_default().to_string();
            let measurements: Vec<(Measurement, Location)> = self.yaml_list(&file);
            match objectives.get_mut(&id) {
                Some(objective) => {
                    objective.measurements.extend(measurements.into_iter().map(|(m, _)| m));
                    objective.measurement_files.push(Location::file(&file));
                }
                None if self.failed_ids.contains(&id) => {}
                None => {
                    let known: Vec<&str> = objectives.keys().map(String::as_str).collect();
                    let hint = match crate::diagnostic::suggest::closest(&id, known) {
                        Some(best) => format!("did you mean `{best}`? "),
                        None => String::new(),
                    };
                    self.report(
                        Diagnostic::error(
                            "unknown-objective",
                            format!("{} holds measurements of `{id}`, which objectives.yaml does not list", display_path(&file)),
                        )
                        .at(Location::file(&file))
                        .hint(format!("{hint}a measurements file is named by its objective's id: measurements/OBJ-01.yaml")),
                    );
                }
            }
        }
        for objective in objectives.values_mut() {
            objective.measurements.sort_by_key(|m| m.date);
            let twice = objective.measurements.windows(2).find(|pair| pair[0].date == pair[1].date);
            if let Some(pair) = twice {
                let date = pair[0].date;
                self.report(
                    Diagnostic::error(
                        "duplicate-measurement",
                        format!("objective {} has two measurements dated {date}", objective.id),
                    )
                    .at(objective.source.clone())
                    .hint("keep one value per date, in objectives.yaml or in its measurements file"),
                );
            }
            let usable = |value: f64| value.is_finite() && value.abs() <= LARGEST_VALUE;
            let bad_target = (!usable(objective.target)).then(|| "its target".to_string());
            let bad_value = objective.measurements.iter().find(|m| !usable(m.value));
            let bad_value = bad_value.map(|m| format!("its measurement on {}", m.date));
            if let Some(what) = bad_target.or(bad_value) {
                self.report(
                    Diagnostic::error(
                        "invalid-measurement",
                        format!("objective {}: {what} is not a number a chart can show", objective.id),
                    )
                    .at(objective.source.clone())
                    .hint(format!("write a number between -{LARGEST_VALUE:e} and {LARGEST_VALUE:e}")),
                );
            }
        }
        objectives
    }
}
