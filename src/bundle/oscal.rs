//! The ISMS in OSCAL 1.1.2 (NIST's Open Security Controls Assessment Language), for the
//! auditor bundle: a government buyer's or an auditor's tools read it without retyping.
//!
//! - `oscal/catalog.json`, the SoA's catalogs as OSCAL catalogs reduce them: control ids
//!   and titles, grouped by theme, without the controls' text (ISO's, licensed), so that the
//!   profile resolves with any OSCAL tool.
//! - `oscal/profile.json`, the Statement of Applicability as an OSCAL **profile**: the SoA
//!   selects controls from a catalog (Annex A), which is what a profile is. The applicable
//!   controls are included, the excluded ones excluded; the catalog is named in the back
//!   matter too. A component definition would describe what a
//!   product offers to any system, which an SoA is not.
//! - `oscal/ssp.json`, a **system security plan**: the organisation (metadata), the ISMS and
//!   its boundary (scope), and each decided control as an implemented requirement: its
//!   status, owner, the policies and evidence behind it (links into the bundle), and for an
//!   excluded control its justification (`not-applicable`).
//!
//! Everything here is made from the model cut to the auditor audience, so it holds nothing
//! the bundle itself may not. UUIDs are derived from the organisation and the item, so the
//! same content gives the same bytes. OSCAL has no state "not implemented": such a control
//! carries its status in a trustpress property and in its remarks, with no OSCAL state.

use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

use super::soa::SoaRow;
use crate::model::Isms;
use crate::site::routes::{self, FiledEvidence};

pub const CATALOG: &str = "oscal/catalog.json";
pub const PROFILE: &str = "oscal/profile.json";
pub const SSP: &str = "oscal/ssp.json";
pub const OSCAL_VERSION: &str = "1.1.2";
/// The namespace of the properties OSCAL has no name for.
pub const NAMESPACE: &str = "https://github.com/trustpress/trustpress/ns/oscal";

/// A UUID (version 4 layout, as OSCAL requires) derived from `seed`: stable across builds.
fn uuid(organization: &str, seed: &str) -> String {
    let digest = Sha256::digest(format!("trustpress-oscal\n{organization}\n{seed}").as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex = crate::hex::hex(&bytes);
    format!("{}-{}-{}-{}-{}", &hex[0..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..32])
}

fn metadata(isms: &Isms, title: String, last_modified: &str) -> Value {
    let organization = &isms.site.organization;
    let version = isms.soa.version.as_ref().map_or_else(|| "unversioned".to_string(), |v| v.0.clone());
    let mut party = json!({
        "uuid": uuid(&organization.name, "party:organization"),
        "type": "organization",
        "name": organization.legal_name.as_deref().unwrap_or(&organization.name),
        "email-addresses": [isms.site.contact.security_email],
    });
    if organization.legal_name.is_some() {
        party["short-name"] = json!(organization.name);
    }
    let mut metadata = json!({
        "title": title,
        "last-modified": last_modified,
        "version": version,
        "oscal-version": OSCAL_VERSION,
        "roles": [{"id": "isms-owner", "title": "Owner of the information security management system"}],
        "parties": [party],
        "responsible-parties": [{"role-id": "isms-owner", "party-uuids": [uuid(&organization.name, "party:organization")]}],
    });
    if let Some(approved) = isms.soa.approved {
        metadata["published"] = json!(format!("{approved}T00:00:00Z"));
    }
    metadata
}

fn prop(name: &str, value: &str) -> Value {
    json!({"name": name, "ns": NAMESPACE, "value": value})
}

/// The SoA's catalogs: ids and titles by theme.
pub fn catalog_json(isms: &Isms, last_modified: &str) -> Vec<u8> {
    let org = &isms.site.organization.name;
    let mut groups: Vec<Value> = Vec::new();
    let mut names = Vec::new();
    for catalog in isms.catalogs.soa_catalogs() {
        names.push(catalog.name.clone());
        let mut themes: Vec<(String, Vec<Value>)> = Vec::new();
        for control in &catalog.controls {
            let theme = catalog.theme_of(control);
            let entry = json!({ "id": control.id, "title": control.title });
            match themes.iter_mut().find(|(name, _)| *name == theme) {
                Some((_, controls)) => controls.push(entry),
                None => themes.push((theme, vec![entry])),
            }
        }
        for (theme, controls) in themes {
            groups.push(json!({
                "id": group_id(&catalog.id, &theme),
                "title": theme,
                "controls": controls,
            }));
        }
    }
    let mut metadata = metadata(isms, names.join(", "), last_modified);
    metadata["remarks"] = json!("Control identifiers and titles only: the controls' text is licensed by its publisher and is not included.");
    to_bytes(&json!({ "catalog": { "uuid": uuid(org, "catalog"), "metadata": metadata, "groups": groups } }))
}

/// An OSCAL token for a catalog's theme: letters, digits and hyphens.
fn group_id(catalog: &str, theme: &str) -> String {
    let slug: String = format!("{catalog}-{theme}")
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' })
        .collect();
    let slug = slug.split('-').filter(|part| !part.is_empty()).collect::<Vec<_>>().join("-");
    if slug.starts_with(|c: char| c.is_ascii_alphabetic()) {
        slug
    } else {
        format!("g-{slug}")
    }
}

/// The SoA as an OSCAL profile of the catalog.
pub fn profile_json(isms: &Isms, rows: &[SoaRow], last_modified: &str) -> Vec<u8> {
    let org = &isms.site.organization.name;
    let ids = |applicable: bool| -> Vec<Value> {
        rows.iter().filter(|row| row.applicable == Some(applicable)).map(|row| json!(row.control)).collect()
    };
    let mut import = json!({ "href": "catalog.json" });
    let (included, excluded) = (ids(true), ids(false));
    import["include-controls"] = json!([{ "with-ids": included }]);
    if !excluded.is_empty() {
        import["exclude-controls"] = json!([{ "with-ids": excluded }]);
    }
    let undecided = rows.iter().filter(|row| row.applicable.is_none()).count();
    let mut metadata = metadata(isms, format!("{org}: Statement of Applicability"), last_modified);
    metadata["remarks"] = json!(format!(
        "The Statement of Applicability (ISO/IEC 27001 clause 6.1.3 d): {} applicable, {} excluded, {undecided} not decided yet.",
        included.len(),
        excluded.len()
    ));
    to_bytes(&json!({
        "profile": {
            "uuid": uuid(org, "profile"),
            "metadata": metadata,
            "imports": [import],
            "merge": { "as-is": true },
        }
    }))
}

/// The ISMS as an OSCAL system security plan.
pub fn ssp_json(
    isms: &Isms,
    rows: &[SoaRow],
    evidence_files: &[FiledEvidence],
    last_modified: &str,
) -> Vec<u8> {
    let org = &isms.site.organization.name;
    let component = uuid(org, "component:isms");
    let mut resources: Vec<Value> = Vec::new();
    let mut resource_of = std::collections::BTreeMap::new();
    let mut link_to = |kind: &str, key: &str, title: &str, href: String| -> String {
        let key = format!("{kind}:{key}");
        let uuid = uuid(org, &format!("resource:{key}"));
        if resource_of.insert(key, uuid.clone()).is_none() {
            resources.push(json!({ "uuid": uuid, "title": title, "rlinks": [{ "href": href }] }));
        }
        format!("#{uuid}")
    };

    let mut requirements = Vec::new();
    for row in rows.iter().filter(|row| row.applicable.is_some()) {
        let (state, remarks) = match (row.applicable, row.status) {
            (Some(false), _) => (Some("not-applicable"), row.justification.clone()),
            (_, Some("implemented")) => (Some("implemented"), None),
            (_, Some("partial")) => (Some("partial"), None),
            (_, Some("planned")) => (Some("planned"), None),
            (_, Some("not-implemented")) => (None, Some("Not implemented.".to_string())),
            _ => (None, Some("No implementation status stated.".to_string())),
        };
        let mut links = Vec::new();
        // Links are relative to `oscal/`, into the bundle itself.
        for policy in &row.policies {
            if let Some(found) = isms.policies.get(policy) {
                let href = format!("../{}index.html", routes::policy(policy));
                let title = format!("{policy}: {}", found.title);
                links.push(json!({ "href": link_to("policy", policy, &title, href), "rel": "policy" }));
            }
        }
        for filed in evidence_files.iter().filter(|f| f.control.as_deref() == Some(row.control.as_str())) {
            let title = match isms.evidence.get(&filed.evidence_id) {
                Some(evidence) => format!("{}: {}", evidence.id, evidence.title),
                None => filed.evidence_id.clone(),
            };
            let key = format!("{}@{}", filed.evidence_id, filed.path);
            let href = format!("../{}", filed.path);
            links.push(json!({ "href": link_to("evidence", &key, &title, href), "rel": "evidence" }));
        }
        let mut props = vec![prop(
            "soa-status",
            row.status.unwrap_or(if row.applicable == Some(false) { "not-applicable" } else { "unstated" }),
        )];
        if let Some(owner) = &row.owner {
            props.push(prop("owner", owner));
        }
        let description = match (&remarks, &row.notes) {
            (_, Some(notes)) => notes.clone(),
            (Some(remarks), None) => remarks.clone(),
            (None, None) => format!("{} ({}).", row.title, row.theme),
        };
        let mut by_component = json!({
            "component-uuid": component,
            "uuid": uuid(org, &format!("by-component:{}", row.control)),
            "description": description,
        });
        if let Some(state) = state {
            by_component["implementation-status"] = json!({ "state": state });
        }
        let mut requirement = json!({
            "uuid": uuid(org, &format!("requirement:{}", row.control)),
            "control-id": row.control,
            "props": props,
            "by-components": [by_component],
        });
        if !links.is_empty() {
            requirement["links"] = json!(links);
        }
        if let Some(remarks) = remarks {
            requirement["remarks"] = json!(remarks);
        }
        requirements.push(requirement);
    }

    let scope = isms.scope.as_ref();
    let statement = scope.map(|s| s.statement.trim()).filter(|s| !s.is_empty());
    let description = statement
        .or(isms.site.organization.description.as_deref())
        .unwrap_or("The information security management system of the organisation.");
    let mut boundary = String::new();
    if let Some(scope) = scope {
        for (label, list) in [
            ("Boundaries", &scope.boundaries),
            ("Locations", &scope.locations),
            ("Interfaces", &scope.interfaces),
        ] {
            if !list.is_empty() {
                boundary.push_str(&format!("{label}: {}.\n", list.join("; ")));
            }
        }
        for exclusion in &scope.exclusions {
            boundary.push_str(&format!("Excluded: {} ({}).\n", exclusion.what, exclusion.reason));
        }
    }
    if boundary.is_empty() {
        boundary = "The scope statement above; no boundaries are listed.".to_string();
    }
    let implementation_description = format!(
        "The controls of the Statement of Applicability{}, as the ISMS states them{}.",
        isms.soa.version.as_ref().map_or(String::new(), |v| format!(" version {}", v.0)),
        isms.soa.approved.map_or(String::new(), |d| format!(", approved {d}"))
    );
    let mut plan = json!({
        "uuid": uuid(org, "ssp"),
        "metadata": metadata(isms, format!("{org}: information security management system"), last_modified),
        "import-profile": { "href": "profile.json" },
        "system-characteristics": {
            "system-ids": [{ "identifier-type": "https://ietf.org/rfc/rfc4122", "id": uuid(org, "system") }],
            "system-name": format!("{org} ISMS"),
            "description": description,
            "system-information": { "information-types": [{
                "uuid": uuid(org, "information-type"),
                "title": "Information in the scope of the ISMS",
                "description": description,
            }]},
            "status": { "state": "operational" },
            "authorization-boundary": { "description": boundary.trim_end() },
        },
        "system-implementation": {
            "users": [{ "uuid": uuid(org, "user:isms-owner"), "title": "ISMS owner", "role-ids": ["isms-owner"] }],
            "components": [{
                "uuid": component,
                "type": "this-system",
                "title": format!("{org} ISMS"),
                "description": description,
                "status": { "state": "operational" },
            }],
        },
        "control-implementation": {
            "description": implementation_description,
            "implemented-requirements": requirements,
        },
    });
    if !resources.is_empty() {
        plan["back-matter"] = json!({ "resources": resources });
    }
    let mut document = Map::new();
    document.insert("system-security-plan".to_string(), plan);
    to_bytes(&Value::Object(document))
}

fn to_bytes(value: &Value) -> Vec<u8> {
    let mut bytes = serde_json::to_vec_pretty(value).unwrap_or_default();
    bytes.push(b'\n');
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuids_are_stable_and_have_the_layout_oscal_requires() {
        let a = uuid("Org", "ssp");
        assert_eq!(a, uuid("Org", "ssp"));
        assert_ne!(a, uuid("Org", "profile"));
        assert_ne!(a, uuid("Other", "ssp"));
        let parts: Vec<&str> = a.split('-').collect();
        assert_eq!(parts.iter().map(|p| p.len()).collect::<Vec<_>>(), [8, 4, 4, 4, 12]);
        assert!(parts[2].starts_with('4'));
        assert!(matches!(parts[3].as_bytes()[0], b'8' | b'9' | b'a' | b'b'));
    }
}
