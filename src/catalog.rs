//! Control catalogs: ISO/IEC 27001:2022 Annex A built into the binary, and custom catalogs
//! loaded from `frameworks/*.yaml` in the same shape.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

pub const ISO27001_2022: &str = "iso27001-2022";

const ISO27001_2022_TSV: &str = include_str!("catalogs/iso27001-2022.tsv");
const SOC2_2017_YAML: &str = include_str!("catalogs/soc2-2017.yaml");
const NIS2_ART21_YAML: &str = include_str!("catalogs/nis2-art21.yaml");

/// Where a catalog's implementation status comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Coverage {
    /// Each control has its own entry in the Statement of Applicability.
    #[default]
    Soa,
    /// Derived from the SoA entries of the Annex A controls in each control's `maps_to`
    /// (SOC 2, NIS2): no SoA entries of its own.
    Mapping,
}

/// One control of a catalog.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CatalogControl {
    pub id: String,
    pub title: String,
    #[serde(default)]
    pub theme: Option<String>,
    /// Annex A controls this control corresponds to (indicative mapping).
    #[serde(default)]
    pub maps_to: Vec<String>,
}

/// A framework's list of controls, in the catalog's own order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Catalog {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub coverage: Coverage,
    pub controls: Vec<CatalogControl>,
    #[serde(skip)]
    index: ControlIndex,
    /// The file a custom catalog was read from (`frameworks/*.yaml`); none for a built-in one.
    #[serde(skip)]
    pub source: Option<crate::diagnostic::Location>,
}

/// Each control's place in `controls` by id, made on first lookup: a large ISMS looks up
/// tens of thousands of control references.
#[derive(Clone, Default)]
struct ControlIndex(std::sync::OnceLock<std::collections::HashMap<String, usize>>);

impl PartialEq for ControlIndex {
    /// An index is derived from the controls, which the catalogs compare.
    fn eq(&self, _: &ControlIndex) -> bool {
        true
    }
}

impl Eq for ControlIndex {}

impl std::fmt::Debug for ControlIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ControlIndex")
    }
}

impl Catalog {
    pub fn control(&self, id: &str) -> Option<&CatalogControl> {
        let index = self.index.0.get_or_init(|| {
            let mut index = std::collections::HashMap::with_capacity(self.controls.len());
            for (place, control) in self.controls.iter().enumerate() {
                // The first of a repeated id, as a search from the start finds.
                index.entry(control.id.clone()).or_insert(place);
            }
            index
        });
        index.get(id).map(|&place| &self.controls[place])
    }

    /// This catalog followed by the controls of `others`, each under its theme (its own, or
    /// its catalog's name): one list of every control an SoA has an entry for, as `import
    /// soa` writes them.
    pub fn joined<'a>(&self, others: impl IntoIterator<Item = &'a Catalog>) -> Catalog {
        let mut controls = self.controls.clone();
        for other in others {
            controls.extend(
                other.controls.iter().map(|control| CatalogControl {
                    theme: Some(other.theme_of(control)),
                    ..control.clone()
                }),
            );
        }
        Catalog { controls, index: ControlIndex::default(), ..self.clone() }
    }

    /// The theme a control is shown under: its own, or the catalog's name.
    pub fn theme_of(&self, control: &CatalogControl) -> String {
        control.theme.clone().unwrap_or_else(|| self.name.clone())
    }

    /// Themes in first-seen order (Annex A: Organizational, People, Physical, Technological).
    pub fn themes(&self) -> Vec<String> {
        let mut themes: Vec<String> = Vec::new();
        for control in &self.controls {
            let theme = self.theme_of(control);
            if !themes.contains(&theme) {
                themes.push(theme);
            }
        }
        themes
    }
}

/// The ISO/IEC 27001:2022 Annex A catalog shipped in the binary.
pub fn iso27001_2022() -> Catalog {
    let controls = ISO27001_2022_TSV
        .lines()
        .filter(|line| !line.starts_with('#') && !line.trim().is_empty())
        .filter_map(|line| {
            let mut fields = line.split('\t');
            let id = fields.next()?.to_string();
            let title = fields.next()?.to_string();
            let theme = fields.next().map(str::to_string);
            Some(CatalogControl { id, title, theme, maps_to: Vec::new() })
        })
        .collect();
    Catalog {
        id: ISO27001_2022.to_string(),
        name: "ISO/IEC 27001:2022 Annex A".to_string(),
        description: Some("Information security controls of ISO/IEC 27001:2022, Annex A.".to_string()),
        coverage: Coverage::Soa,
        controls,
        index: ControlIndex::default(),
        source: None,
    }
}

/// The short names the SPEC gives the built-in mapped catalogs (`frameworks: [iso27001-2022,
/// soc2, nis2]`), and the versioned ids they stand for. Pages, links and `trust.json` use
/// the versioned id whichever name `site.yaml` gives; a catalog whose id is the short name
/// itself (a custom one in `frameworks/`) is that catalog, not the alias.
pub const ALIASES: &[(&str, &str)] = &[("soc2", "soc2-2017"), ("nis2", "nis2-art21")];

/// The id of the catalog `name` stands for in `site.yaml`: its own id when a catalog has
/// it, else the versioned id of a short name ([`ALIASES`]).
pub fn resolve<'a>(all: &'a BTreeMap<String, Catalog>, name: &str) -> Option<&'a str> {
    if let Some((id, _)) = all.get_key_value(name) {
        return Some(id);
    }
    let (_, versioned) = ALIASES.iter().find(|(alias, _)| *alias == name)?;
    all.get_key_value(*versioned).map(|(id, _)| id.as_str())
}

/// Every catalog shipped in the binary: Annex A, SOC 2 and NIS2 Article 21(2).
pub fn built_in() -> Vec<Catalog> {
    let mut catalogs = vec![iso27001_2022()];
    for text in [SOC2_2017_YAML, NIS2_ART21_YAML] {
        // Parsed from data compiled into the binary; a unit test proves both parse.
        if let Ok(catalog) = serde_saphyr::from_str::<Catalog>(text) {
            catalogs.push(catalog);
        }
    }
    catalogs
}

/// Every catalog known to a build (built-in and custom), by id, and which are enabled.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Catalogs {
    pub all: BTreeMap<String, Catalog>,
    /// Enabled catalog ids in the order `site.yaml` lists them.
    pub enabled: Vec<String>,
    /// Control id → (catalog id, index) over the enabled catalogs, first catalog first:
    /// every control link of every page looks a control up.
    #[serde(skip)]
    by_control: HashMap<String, (String, usize)>,
    /// SoA control id → the mapped catalogs' ids that map to it.
    #[serde(skip)]
    mapped: HashMap<String, Vec<(String, Vec<String>)>>,
}

impl Catalogs {
    /// The catalogs with `enabled` switched on, indexed for lookups.
    pub fn new(all: BTreeMap<String, Catalog>, enabled: Vec<String>) -> Catalogs {
        let mut catalogs = Catalogs { all, enabled, by_control: HashMap::new(), mapped: HashMap::new() };
        let mut by_control = HashMap::new();
        let mut mapped: HashMap<String, Vec<(String, Vec<String>)>> = HashMap::new();
        for catalog in catalogs.enabled() {
            for (index, control) in catalog.controls.iter().enumerate() {
                by_control.entry(control.id.clone()).or_insert_with(|| (catalog.id.clone(), index));
            }
        }
        for catalog in catalogs.mapped_catalogs() {
            for control in &catalog.controls {
                for target in &control.maps_to {
                    let entries = mapped.entry(target.clone()).or_default();
                    match entries.iter_mut().find(|(id, _)| *id == catalog.id) {
                        Some((_, ids)) => ids.push(control.id.clone()),
                        None => entries.push((catalog.id.clone(), vec![control.id.clone()])),
                    }
                }
            }
        }
        catalogs.by_control = by_control;
        catalogs.mapped = mapped;
        catalogs
    }

    pub fn enabled(&self) -> impl Iterator<Item = &Catalog> {
        self.enabled.iter().filter_map(|id| self.all.get(id))
    }

    /// Enabled catalogs whose controls each have an SoA entry (Annex A, custom ones).
    pub fn soa_catalogs(&self) -> impl Iterator<Item = &Catalog> {
        self.enabled().filter(|c| c.coverage == Coverage::Soa)
    }

    /// Enabled catalogs whose coverage is derived through `maps_to` (SOC 2, NIS2).
    pub fn mapped_catalogs(&self) -> impl Iterator<Item = &Catalog> {
        self.enabled().filter(|c| c.coverage == Coverage::Mapping)
    }

    /// For an Annex A (or other SoA) control, the ids that map to it in each enabled
    /// mapped catalog: `[(catalog name, [ids])]`.
    pub fn mapped_to(&self, control_id: &str) -> Vec<(&Catalog, Vec<&str>)> {
        self.mapped
            .get(control_id)
            .map(|entries| {
                entries
                    .iter()
                    .filter_map(|(catalog_id, ids)| {
                        Some((self.all.get(catalog_id)?, ids.iter().map(String::as_str).collect()))
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The control with this id in any enabled catalog, with its catalog.
    pub fn find_control(&self, id: &str) -> Option<(&Catalog, &CatalogControl)> {
        self.enabled().find_map(|catalog| catalog.control(id).map(|control| (catalog, control)))
    }

    pub fn all_control_ids(&self) -> Vec<&str> {
        self.enabled().flat_map(|catalog| catalog.controls.iter().map(|c| c.id.as_str())).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn annex_a_has_93_controls_in_four_themes() {
        let catalog = iso27001_2022();
        assert_eq!(catalog.controls.len(), 93);
        assert_eq!(catalog.themes(), ["Organizational", "People", "Physical", "Technological"]);
        assert_eq!(catalog.control("A.5.15").unwrap().title, "Access control");
        assert_eq!(catalog.control("A.8.34").unwrap().theme.as_deref(), Some("Technological"));
        let counts: Vec<usize> = catalog
            .themes()
            .iter()
            .map(|t| catalog.controls.iter().filter(|c| c.theme.as_ref() == Some(t)).count())
            .collect();
        assert_eq!(counts, [37, 8, 14, 34]);
    }

    #[test]
    fn soc2_and_nis2_ship_with_a_mapping_to_annex_a() {
        let catalogs = built_in();
        let ids: Vec<&str> = catalogs.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, ["iso27001-2022", "soc2-2017", "nis2-art21"]);
        let annex_a = iso27001_2022();
        for catalog in &catalogs[1..] {
            assert_eq!(catalog.coverage, Coverage::Mapping);
            for control in &catalog.controls {
                assert!(!control.maps_to.is_empty(), "{} maps to nothing", control.id);
                for target in &control.maps_to {
                    assert!(annex_a.control(target).is_some(), "{} maps to unknown {target}", control.id);
                }
            }
        }
        assert_eq!(catalogs[1].controls.len(), 61);
        assert_eq!(catalogs[2].controls.len(), 10);
    }

    #[test]
    fn short_names_stand_for_the_versioned_ids_unless_a_catalog_has_them() {
        let mut all: BTreeMap<String, Catalog> = built_in().into_iter().map(|c| (c.id.clone(), c)).collect();
        assert_eq!(resolve(&all, "soc2"), Some("soc2-2017"));
        assert_eq!(resolve(&all, "nis2"), Some("nis2-art21"));
        assert_eq!(resolve(&all, "soc2-2017"), Some("soc2-2017"));
        assert_eq!(resolve(&all, "iso27001-2022"), Some("iso27001-2022"));
        assert_eq!(resolve(&all, "soc3"), None);
        let mut custom = all["soc2-2017"].clone();
        custom.id = "soc2".to_string();
        all.insert("soc2".to_string(), custom);
        assert_eq!(resolve(&all, "soc2"), Some("soc2"));
    }
}
