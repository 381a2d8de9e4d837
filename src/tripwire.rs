//! The tripwire after the cut: no text of the cut model may still hold an audience fence
//! outside a code block. The cut removes every boundary line it understood, so a `:::` left
//! anywhere — in a body, a summary, a title, a field the cut does not know to cut — means a
//! reading the cut did not foresee, and the build stops, naming the item and the field,
//! rather than publish it.
//!
//! It walks every string of every item through `Serialize` (the same view templates get),
//! so a field added to a kind later is covered without being listed here.

use std::collections::BTreeMap;

use serde::ser::{self, Serialize};

use crate::audience_blocks;
use crate::diagnostic::{Diagnostic, Location};
use crate::model::{Isms, MarkdownRecord, RecordVisitor};

/// The first field of `item` whose text still holds a fence.
pub fn leftover_in<T: Serialize + ?Sized>(item: &T) -> Option<&'static str> {
    let mut walker = Walker::default();
    let _ = item.serialize(&mut walker);
    walker.found.map(|(field, _)| field)
}

/// `check`'s run of the tripwire: the whole model cut for each site audience, so content
/// that would stop `build` fails `check` too. Each problem is reported once.
pub fn check_every_audience(isms: &Isms) -> Vec<Diagnostic> {
    let (public, internal) = rayon::join(
        || check(&crate::cut::cut(isms, crate::Audience::Public)),
        || check(&crate::cut::cut(isms, crate::Audience::Internal)),
    );
    let mut problems = public;
    for problem in internal {
        if !problems.iter().any(|p| p.message == problem.message) {
            problems.push(problem);
        }
    }
    problems
}

/// Every item of `isms` (already cut) whose text still holds a fence, as errors.
pub fn check(isms: &Isms) -> Vec<Diagnostic> {
    // Every part of the model is named here, so that a part added to `Isms` (or to the SoA)
    // does not compile until it is walked: a kind left out is text published unchecked.
    let Isms {
        audience: _, // not text
        site,
        catalogs,
        policies: _, // with the other markdown records, by `visit_records`
        soa,
        certifications,
        documents,
        checks,
        subprocessors,
        faq,
        evidence,
        risks,
        records: _, // by `visit_records`
        scope,
        objectives,
        shares,
    } = isms;
    let crate::model::Soa { version, approved_by, approved, controls: soa_controls, source: soa_source } =
        soa;
    // Every markdown record kind, each in parallel (policies are most of a large ISMS).
    struct Records<'p>(&'p mut Vec<Diagnostic>);
    impl<'a> RecordVisitor<'a> for Records<'_> {
        fn visit<K: MarkdownRecord>(&mut self, records: &'a BTreeMap<String, K>) {
            use rayon::prelude::*;
            let found: Vec<Diagnostic> = records
                .par_iter()
                .filter_map(|(id, item)| problem(K::NAME, id, item.source(), item))
                .collect();
            self.0.extend(found);
        }
    }
    let mut problems = Vec::new();
    isms.visit_records(&mut Records(&mut problems));
    let mut look = |kind: &str, id: &str, source: &Location, item: &dyn erased::Visit| {
        problems.extend(problem(kind, id, source, item));
    };
    for (id, item) in certifications {
        look("certification", id, &item.source, item);
    }
    for (id, item) in documents {
        look("document", id, &item.source, item);
    }
    for (id, item) in checks {
        look("control check", id, &item.origin, item);
    }
    for item in subprocessors {
        look("subprocessor", &item.name, &item.source, item);
    }
    for (id, item) in faq {
        look("FAQ answer", id, &item.source, item);
    }
    for (id, item) in evidence {
        look("evidence", id, &item.source, item);
    }
    for (id, item) in risks {
        look("risk", id, &item.source, item);
    }
    // The SoA's own fields (its version and approver are shown on its page), then each entry.
    let soa_file = Location::file(std::path::Path::new("soa.yaml"));
    let soa_location = if soa_source.file.as_os_str().is_empty() { &soa_file } else { soa_source };
    #[derive(serde::Serialize)]
    struct SoaFields<V, A, D> {
        version: V,
        approved_by: A,
        approved: D,
    }
    look(
        "statement of applicability",
        "soa.yaml",
        soa_location,
        &SoaFields { version, approved_by, approved },
    );
    for (id, entry) in soa_controls {
        look("SoA entry", id, &entry.source, entry);
    }
    if let Some(scope) = scope {
        look("ISMS scope", "scope.yaml", &scope.source, scope);
    }
    for (id, item) in objectives {
        look("objective", id, &item.source, item);
    }
    for (id, item) in shares {
        look("share", id, &item.source, item);
    }
    look("site configuration", "site.yaml", &Location::file(std::path::Path::new("site.yaml")), site);
    // Frameworks: a custom catalog's names, descriptions, titles and themes are shown on its
    // pages, the SoA's and `trust.json` (the built-in ones hold no fence).
    let frameworks = Location::file(std::path::Path::new("frameworks"));
    for (id, catalog) in &catalogs.all {
        look("framework", id, catalog.source.as_ref().unwrap_or(&frameworks), catalog);
    }
    problems
}

fn problem(
    kind: &str,
    id: &str,
    source: &Location,
    item: &(impl erased::Visit + ?Sized),
) -> Option<Diagnostic> {
    let mut walker = Walker::default();
    item.visit(&mut walker);
    let (field, error) = walker.found?;
    Some(
        Diagnostic::error(
            "audience-leftover",
            format!("{kind} `{id}`: its field `{field}` still holds an audience fence after the cut ({})", error.message),
        )
        .at(source.clone())
        .hint("the build stopped instead of publishing it: write audience blocks as lines `::: internal` … `:::` at the top level of a markdown body or a literal (`|`) text field"),
    )
}

/// `Serialize` as a trait object, so one closure takes every item kind.
mod erased {
    pub trait Visit {
        fn visit(&self, walker: &mut super::Walker);
    }
    impl<T: serde::Serialize> Visit for T {
        fn visit(&self, walker: &mut super::Walker) {
            let _ = self.serialize(walker);
        }
    }
}

/// A serializer that writes nothing: it looks at each string, and remembers the field it is
/// in and the first fence found.
#[derive(Default)]
pub struct Walker {
    field: &'static str,
    found: Option<(&'static str, audience_blocks::FenceError)>,
}

impl Walker {
    fn text(&mut self, text: &str) {
        if self.found.is_none() {
            if let Some(error) = audience_blocks::leftover(text) {
                self.found = Some((self.field, error));
            }
        }
    }
}

type Done = Result<(), Stop>;

/// Never raised: serializers must name an error type.
#[derive(Debug)]
pub struct Stop;

impl std::fmt::Display for Stop {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("stop")
    }
}

impl std::error::Error for Stop {}

impl ser::Error for Stop {
    fn custom<T: std::fmt::Display>(_: T) -> Self {
        Stop
    }
}

impl ser::Serializer for &mut Walker {
    type Ok = ();
    type Error = Stop;
    type SerializeSeq = Self;
    type SerializeTuple = Self;
    type SerializeTupleStruct = Self;
    type SerializeTupleVariant = Self;
    type SerializeMap = Self;
    type SerializeStruct = Self;
    type SerializeStructVariant = Self;

    fn serialize_bool(self, _: bool) -> Done {
        Ok(())
    }
    fn serialize_i8(self, _: i8) -> Done {
        Ok(())
    }
    fn serialize_i16(self, _: i16) -> Done {
        Ok(())
    }
    fn serialize_i32(self, _: i32) -> Done {
        Ok(())
    }
    fn serialize_i64(self, _: i64) -> Done {
        Ok(())
    }
    fn serialize_u8(self, _: u8) -> Done {
        Ok(())
    }
    fn serialize_u16(self, _: u16) -> Done {
        Ok(())
    }
    fn serialize_u32(self, _: u32) -> Done {
        Ok(())
    }
    fn serialize_u64(self, _: u64) -> Done {
        Ok(())
    }
    fn serialize_f32(self, _: f32) -> Done {
        Ok(())
    }
    fn serialize_f64(self, _: f64) -> Done {
        Ok(())
    }
    fn serialize_char(self, _: char) -> Done {
        Ok(())
    }
    fn serialize_str(self, text: &str) -> Done {
        self.text(text);
        Ok(())
    }
    fn serialize_bytes(self, _: &[u8]) -> Done {
        Ok(())
    }
    fn serialize_none(self) -> Done {
        Ok(())
    }
    fn serialize_some<T: ?Sized + Serialize>(self, value: &T) -> Done {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Done {
        Ok(())
    }
    fn serialize_unit_struct(self, _: &'static str) -> Done {
        Ok(())
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, _: &'static str) -> Done {
        Ok(())
    }
    fn serialize_newtype_struct<T: ?Sized + Serialize>(self, name: &'static str, value: &T) -> Done {
        // Commit metadata is plain text, never read for audience blocks (see `GitText`).
        if name == crate::history::GitText::NAME {
            return Ok(());
        }
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        value: &T,
    ) -> Done {
        value.serialize(self)
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self, Stop> {
        Ok(self)
    }
    fn serialize_tuple(self, _: usize) -> Result<Self, Stop> {
        Ok(self)
    }
    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Self, Stop> {
        Ok(self)
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self, Stop> {
        Ok(self)
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self, Stop> {
        Ok(self)
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self, Stop> {
        Ok(self)
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self, Stop> {
        Ok(self)
    }
    fn collect_str<T: ?Sized + std::fmt::Display>(self, value: &T) -> Done {
        self.text(&value.to_string());
        Ok(())
    }
}

impl ser::SerializeSeq for &mut Walker {
    type Ok = ();
    type Error = Stop;
    fn serialize_element<T: ?Sized + Serialize>(&mut self, value: &T) -> Done {
        value.serialize(&mut **self)
    }
    fn end(self) -> Done {
        Ok(())
    }
}

impl ser::SerializeTuple for &mut Walker {
    type Ok = ();
    type Error = Stop;
    fn serialize_element<T: ?Sized + Serialize>(&mut self, value: &T) -> Done {
        value.serialize(&mut **self)
    }
    fn end(self) -> Done {
        Ok(())
    }
}

impl ser::SerializeTupleStruct for &mut Walker {
    type Ok = ();
    type Error = Stop;
    fn serialize_field<T: ?Sized + Serialize>(&mut self, value: &T) -> Done {
        value.serialize(&mut **self)
    }
    fn end(self) -> Done {
        Ok(())
    }
}

impl ser::SerializeTupleVariant for &mut Walker {
    type Ok = ();
    type Error = Stop;
    fn serialize_field<T: ?Sized + Serialize>(&mut self, value: &T) -> Done {
        value.serialize(&mut **self)
    }
    fn end(self) -> Done {
        Ok(())
    }
}

impl ser::SerializeMap for &mut Walker {
    type Ok = ();
    type Error = Stop;
    fn serialize_key<T: ?Sized + Serialize>(&mut self, key: &T) -> Done {
        key.serialize(&mut **self)
    }
    fn serialize_value<T: ?Sized + Serialize>(&mut self, value: &T) -> Done {
        value.serialize(&mut **self)
    }
    fn end(self) -> Done {
        Ok(())
    }
}

impl ser::SerializeStruct for &mut Walker {
    type Ok = ();
    type Error = Stop;
    fn serialize_field<T: ?Sized + Serialize>(&mut self, key: &'static str, value: &T) -> Done {
        let outer = std::mem::replace(&mut self.field, key);
        let result = value.serialize(&mut **self);
        self.field = outer;
        result
    }
    fn end(self) -> Done {
        Ok(())
    }
}

impl ser::SerializeStructVariant for &mut Walker {
    type Ok = ();
    type Error = Stop;
    fn serialize_field<T: ?Sized + Serialize>(&mut self, key: &'static str, value: &T) -> Done {
        let outer = std::mem::replace(&mut self.field, key);
        let result = value.serialize(&mut **self);
        self.field = outer;
        result
    }
    fn end(self) -> Done {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::*;

    #[test]
    fn a_fence_left_in_any_field_is_found_and_named() {
        let mut isms = Isms::default();
        let text = "---\nid: POL-X\ntitle: \"T ::: internal\"\naudience: public\n---\nBody\n";
        let split = crate::load::yaml::split_front_matter(text, std::path::Path::new("p.md")).unwrap();
        let policy: Policy = serde_saphyr::from_str(split.yaml).unwrap();
        isms.policies.insert("POL-X".into(), policy);
        let problems = check(&isms);
        assert_eq!(problems.len(), 1);
        assert!(problems[0].message.contains("`title`"), "{}", problems[0].message);
        assert!(problems[0].message.contains("POL-X"), "{}", problems[0].message);
        isms.policies.get_mut("POL-X").unwrap().title = "Plain".into();
        isms.policies.get_mut("POL-X").unwrap().body.text = "```\n:::\n```\n".into();
        assert!(check(&isms).is_empty());
    }
}
