//! The loaders of the management system's files: `scope.yaml`, `objectives.yaml`, and the
//! measurements automation writes to `measurements/<OBJECTIVE-ID>.yaml` (or `.json`).

use std::collections::BTreeMap;
use std::path::Path;

use super::Loader;
use crate::diagnostic::{display_path, Diagnostic, Location};
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
            if let Some(bad) = objective.measurements.iter().find(|m| !m.value.is_finite()) {
                self.report(
                    Diagnostic::error(
                        "invalid-measurement",
                        format!(
                            "objective {} has a measurement on {} that is not a number",
                            objective.id, bad.date
                        ),
                    )
                    .at(objective.source.clone()),
                );
            }
        }
        objectives
    }
}
