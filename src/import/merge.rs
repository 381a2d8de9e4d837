//! `import soa --merge`: the sheet's values written into an existing `soa.yaml` as text
//! edits, so every comment, blank line, key order and line ending stays. Only the fields the
//! sheet gives a different value for are rewritten (one line each, a trailing comment kept);
//! fields it does not give stay as they are; controls the file lacks are appended at the end
//! of `controls:`. The file must be written in block style (one control a line, one field a
//! line under it); anything else, and any edit that does not read back exactly as meant, is
//! refused rather than guessed at.

use std::collections::BTreeMap;

use super::soa::{comparable, field_values, parse_file, Comparable, SheetEntry};
use crate::catalog::Catalog;
use crate::model::{Applicability, SoaEntry};

pub struct Merged {
    pub text: String,
    /// Controls whose entry changed.
    pub changed: Vec<String>,
    /// Controls appended.
    pub added: Vec<String>,
}

/// The canonical order of an entry's fields (new fields go where this order puts them).
const ORDER: &[&str] = &["applicable", "status", "justification", "owner", "notes", "policies", "evidence"];

struct Line {
    text: String,
    ending: String,
}

impl Line {
    fn indent(&self) -> usize {
        self.text.len() - self.text.trim_start_matches(' ').len()
    }
    fn blank_or_comment(&self) -> bool {
        let t = self.text.trim_start();
        t.is_empty() || t.starts_with('#')
    }
}

/// One field's lines in the file: `[first, last]`, and its trailing comment.
struct Field {
    name: String,
    first: usize,
    last: usize,
    comment: Option<String>,
}

struct Entry {
    key_line: usize,
    fields: Vec<Field>,
    /// The last line of the entry (its key line when it has no fields).
    last: usize,
}

pub fn merge(old: &str, annex_a: &Catalog, sheet: &BTreeMap<String, SheetEntry>) -> Result<Merged, String> {
    let parsed = parse_file(old)
        .map_err(|e| format!("does not parse ({e}): fix it (trustpress check), then merge"))?;
    let lines = split_lines(old);
    let ending = if lines.iter().any(|l| l.ending == "\r\n") { "\r\n" } else { "\n" }.to_string();
    for (index, line) in lines.iter().enumerate() {
        let t = line.text.trim_start();
        if line.text.starts_with('\t') || line.text.trim_start_matches(' ').starts_with('\t') {
            return Err(format!(
                "line {}: indented with a tab; merge reads space-indented YAML only",
                index + 1
            ));
        }
        if !t.starts_with('#')
            && (t.contains(" &") || t.contains(" *") || t.contains(" !") || t.starts_with("<<"))
        {
            // Anchors, aliases and tags make one line stand for another: an edit could land
            // on the wrong control.
            let value = t.split_once(':').map_or("", |(_, v)| v.trim_start());
            if value.starts_with(['&', '*', '!']) || t.starts_with("<<") {
                return Err(format!(
                    "line {}: uses a YAML anchor, alias, tag or merge key; merge edits plain block YAML only",
                    index + 1
                ));
            }
        }
    }
    let entries = scan(&lines, &parsed.controls)?;

    // What each control should read as afterwards, and the edits that make it so.
    let mut expected: BTreeMap<String, Comparable> =
        parsed.controls.iter().map(|(id, e)| (id.clone(), comparable(e))).collect();
    let mut replacements: BTreeMap<usize, (usize, Vec<String>)> = BTreeMap::new(); // first → (last, new lines)
    let mut insertions: BTreeMap<usize, Vec<String>> = BTreeMap::new(); // after line → new lines
    let mut changed = Vec::new();
    for (id, entry) in &entries {
        let Some(from_sheet) = sheet.get(id) else { continue };
        let old_entry = &parsed.controls[id];
        let updates = updates(old_entry, from_sheet);
        if updates.is_empty() {
            continue;
        }
        changed.push(id.clone());
        let field_indent = entry
            .fields
            .first()
            .map_or_else(|| lines[entry.key_line].indent() + 2, |f| lines[f.first].indent());
        let pad = " ".repeat(field_indent);
        for (name, value) in &updates {
            match entry.fields.iter().find(|f| f.name == *name) {
                Some(field) => {
                    if (field.first..=field.last)
                        .any(|i| i != field.first && lines[i].text.trim_start().starts_with('#'))
                    {
                        return Err(format!(
                            "line {}: {id}'s `{name}` spans several lines with comments among them; write it on one line, then merge",
                            field.first + 1
                        ));
                    }
                    let comment = field.comment.as_ref().map(|c| format!("  {c}")).unwrap_or_default();
                    replacements
                        .insert(field.first, (field.last, vec![format!("{pad}{name}: {value}{comment}")]));
                }
                None => {
                    let rank = |n: &str| ORDER.iter().position(|o| *o == n).unwrap_or(ORDER.len());
                    let after = entry
                        .fields
                        .iter()
                        .filter(|f| rank(&f.name) < rank(name))
                        .map(|f| f.last)
                        .max()
                        .or_else(|| entry.fields.iter().map(|f| f.first).min().map(|first| first - 1))
                        .unwrap_or(entry.key_line);
                    insertions.entry(after).or_default().push(format!("{pad}{name}: {value}"));
                }
            }
        }
        let mut merged_sheet = from_sheet.clone();
        fill_from_old(&mut merged_sheet, old_entry);
        expected.insert(id.clone(), super::soa::comparable_sheet(&merged_sheet));
    }
    // New fields of one entry were pushed in sheet-field order; put each run in document order.
    for list in insertions.values_mut() {
        let rank = |line: &String| {
            let name = line.trim_start().split(':').next().unwrap_or("");
            ORDER.iter().position(|o| *o == name).unwrap_or(ORDER.len())
        };
        list.sort_by_key(rank);
    }

    // Controls of the catalog the file lacks, at the end of `controls:`.
    let mut added = Vec::new();
    let key_indent = entries.values().next().map_or(2, |e| lines[e.key_line].indent());
    let field_indent = entries
        .values()
        .find_map(|e| e.fields.first().map(|f| lines[f.first].indent()))
        .unwrap_or(key_indent + 2);
    let mut appended = Vec::new();
    for control in &annex_a.controls {
        if parsed.controls.contains_key(&control.id) {
            continue;
        }
        let entry = sheet.get(&control.id).cloned().unwrap_or_default();
        if appended.is_empty() {
            appended.push(String::new());
            appended.push(format!(
                "{}# Added by `trustpress import soa`: controls this file did not list.",
                " ".repeat(key_indent)
            ));
        }
        appended.push(format!("{}{}:  # {}", " ".repeat(key_indent), control.id, control.title));
        for (name, value) in field_values(&entry) {
            appended.push(format!("{}{name}: {value}", " ".repeat(field_indent)));
        }
        expected.insert(control.id.clone(), super::soa::comparable_sheet(&entry));
        added.push(control.id.clone());
    }
    if !appended.is_empty() {
        let after = entries.values().map(|e| e.last).max().unwrap_or(0);
        insertions.entry(after).or_default().extend(appended);
    }

    let mut text = String::with_capacity(old.len() + 256);
    let mut index = 0;
    while index < lines.len() {
        if let Some((last, new)) = replacements.get(&index) {
            for line in new {
                text.push_str(line);
                text.push_str(&ending);
            }
            let last_ending = &lines[*last].ending;
            if last_ending.is_empty() {
                // The file had no final line break: neither does the edit.
                text.truncate(text.len() - ending.len());
            }
            if let Some(after) = insertions.get(last) {
                for line in after {
                    text.push_str(line);
                    text.push_str(&ending);
                }
            }
            index = last + 1;
            continue;
        }
        text.push_str(&lines[index].text);
        text.push_str(&lines[index].ending);
        if let Some(after) = insertions.get(&index) {
            if lines[index].ending.is_empty() {
                text.push_str(&ending);
            }
            for line in after {
                text.push_str(line);
                text.push_str(&ending);
            }
        }
        index += 1;
    }

    // Fail closed: the result must read back as meant, and nothing else may have moved.
    let result = parse_file(&text)
        .map_err(|e| format!("the merged file does not read back ({e}); nothing was written"))?;
    let got: BTreeMap<String, Comparable> =
        result.controls.iter().map(|(id, e)| (id.clone(), comparable(e))).collect();
    if got != expected
        || result.version != parsed.version
        || result.approved_by != parsed.approved_by
        || result.approved != parsed.approved
    {
        let which = got
            .iter()
            .find(|(id, value)| expected.get(*id) != Some(value))
            .map_or_else(|| "the SoA's version or approval".to_string(), |(id, _)| id.clone());
        return Err(format!(
            "the merged file does not read back as meant ({which}); nothing was written: merge it by hand"
        ));
    }
    let position = |id: &String| annex_a.controls.iter().position(|c| c.id == *id).unwrap_or(usize::MAX);
    changed.sort_by_key(|id| (position(id), id.clone()));
    Ok(Merged { text, changed, added })
}

/// The fields the sheet gives that differ from the entry's, as YAML value texts.
fn updates(old: &SoaEntry, sheet: &SheetEntry) -> Vec<(&'static str, String)> {
    let mut full = sheet.clone();
    fill_from_old(&mut full, old);
    let new_values: BTreeMap<&str, String> = field_values(&full).into_iter().collect();
    let mut out = Vec::new();
    let differs = |name: &str| match name {
        "applicable" => sheet.applicable.is_some() && sheet.applicable != old.applicable,
        "status" => sheet.status.is_some() && sheet.status != old.status,
        "justification" => sheet.justification.is_some() && sheet.justification != old.justification,
        "owner" => sheet.owner.is_some() && sheet.owner != old.owner,
        "notes" => sheet.notes.is_some() && sheet.notes != old.notes,
        "policies" => sheet
            .policies
            .as_ref()
            .is_some_and(|p| *p != old.policies.iter().map(|r| r.id.clone()).collect::<Vec<_>>()),
        "evidence" => sheet
            .evidence
            .as_ref()
            .is_some_and(|p| *p != old.evidence.iter().map(|r| r.id.clone()).collect::<Vec<_>>()),
        _ => false,
    };
    for name in ORDER {
        if differs(name) {
            if let Some(value) = new_values.get(name) {
                out.push((*name, value.clone()));
            }
        }
    }
    out
}

/// Where the sheet says nothing, the entry keeps what it had.
fn fill_from_old(sheet: &mut SheetEntry, old: &SoaEntry) {
    if sheet.applicable.is_none() {
        sheet.applicable = Some(old.applicable.unwrap_or(Applicability::Undecided));
    }
    sheet.status = sheet.status.or(old.status);
    sheet.justification = sheet.justification.take().or_else(|| old.justification.clone());
    sheet.owner = sheet.owner.take().or_else(|| old.owner.clone());
    sheet.notes = sheet.notes.take().or_else(|| old.notes.clone());
    if sheet.policies.is_none() && !old.policies.is_empty() {
        sheet.policies = Some(old.policies.iter().map(|r| r.id.clone()).collect());
    }
    if sheet.evidence.is_none() && !old.evidence.is_empty() {
        sheet.evidence = Some(old.evidence.iter().map(|r| r.id.clone()).collect());
    }
}

fn split_lines(text: &str) -> Vec<Line> {
    let mut lines = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        let (line, ending, used) = match rest.find('\n') {
            Some(at) if at > 0 && rest.as_bytes()[at - 1] == b'\r' => (&rest[..at - 1], "\r\n", at + 1),
            Some(at) => (&rest[..at], "\n", at + 1),
            None => (rest, "", rest.len()),
        };
        lines.push(Line { text: line.to_string(), ending: ending.to_string() });
        rest = &rest[used..];
    }
    lines
}

/// A mapping key and what follows its colon, from a line's text (indent removed).
fn key_of(text: &str) -> Option<(String, &str)> {
    let (key, rest) = if let Some(quoted) = text.strip_prefix('"') {
        let end = quoted.find('"')?;
        (quoted[..end].to_string(), quoted[end + 1..].strip_prefix(':')?)
    } else if let Some(quoted) = text.strip_prefix('\'') {
        let end = quoted.find('\'')?;
        (quoted[..end].to_string(), quoted[end + 1..].strip_prefix(':')?)
    } else {
        let colon = text.find(':')?;
        let rest = &text[colon + 1..];
        if !(rest.is_empty() || rest.starts_with(' ')) {
            return None;
        }
        (text[..colon].to_string(), rest)
    };
    if key.contains(['\\', '#', '{', '[', '&', '*', '!', '?']) {
        return None;
    }
    Some((key, rest))
}

/// What follows a value: ` # comment`, for a value on one line.
fn trailing_comment(rest: &str) -> Option<String> {
    let value = rest.trim_start();
    let after = if let Some(quoted) = value.strip_prefix('"') {
        let mut escaped = false;
        let end = quoted.char_indices().find(|(_, c)| {
            let stop = *c == '"' && !escaped;
            escaped = *c == '\\' && !escaped;
            stop
        })?;
        &quoted[end.0 + 1..]
    } else if let Some(quoted) = value.strip_prefix('\'') {
        let end = quoted.replace("''", "\u{0}\u{0}").find('\'')?;
        &quoted[end + 1..]
    } else if value.starts_with('[') {
        &value[value.find(']')? + 1..]
    } else {
        return value
            .find(" #")
            .map(|at| value[at + 1..].to_string())
            .or_else(|| value.starts_with('#').then(|| value.to_string()));
    };
    let after = after.trim_start();
    after.starts_with('#').then(|| after.to_string())
}

/// Each control's lines in the file, found under `controls:` and checked against the parse.
fn scan(lines: &[Line], parsed: &BTreeMap<String, SoaEntry>) -> Result<BTreeMap<String, Entry>, String> {
    let controls_lines: Vec<usize> =
        lines.iter().enumerate().filter(|(_, l)| l.text.starts_with("controls:")).map(|(i, _)| i).collect();
    let [start] = controls_lines.as_slice() else {
        return Err("cannot find one top-level `controls:` line; merge edits block YAML only".to_string());
    };
    let after = lines[*start].text["controls:".len()..].trim_start();
    if !(after.is_empty() || after.starts_with('#')) {
        return Err(format!(
            "line {}: `controls:` holds its value on the same line; write the controls one under another, then merge",
            start + 1
        ));
    }
    let end = (start + 1..lines.len())
        .find(|&i| !lines[i].blank_or_comment() && lines[i].indent() == 0)
        .unwrap_or(lines.len());
    let mut entries: BTreeMap<String, Entry> = BTreeMap::new();
    let mut key_indent = None;
    let mut current: Option<(String, Entry)> = None;
    let mut field_indent: Option<usize> = None;
    for (index, line) in lines.iter().enumerate().take(end).skip(start + 1) {
        if line.blank_or_comment() {
            continue;
        }
        let indent = line.indent();
        let key_indent = *key_indent.get_or_insert(indent);
        let text = &line.text[indent..];
        if indent == key_indent {
            if let Some((id, entry)) = current.take() {
                if entries.insert(id.clone(), entry).is_some() {
                    return Err(format!("control {id} is written twice"));
                }
            }
            let Some((key, rest)) = key_of(text) else {
                return Err(format!(
                    "line {}: cannot read the control id on this line; merge it by hand",
                    index + 1
                ));
            };
            let rest = rest.trim_start();
            if !(rest.is_empty() || rest.starts_with('#')) {
                return Err(format!(
                    "line {}: control {key} is written on one line; write its fields one a line under it, then merge",
                    index + 1
                ));
            }
            current = Some((key, Entry { key_line: index, fields: Vec::new(), last: index }));
            continue;
        }
        let Some((id, entry)) = current.as_mut() else {
            return Err(format!("line {}: not under a control", index + 1));
        };
        if indent < key_indent {
            return Err(format!("line {}: indented less than the controls above it", index + 1));
        }
        let field_indent = *field_indent.get_or_insert(indent);
        if indent == field_indent {
            let Some((name, rest)) = key_of(text) else {
                return Err(format!(
                    "line {}: cannot read the field of control {id} on this line",
                    index + 1
                ));
            };
            let value = rest.trim_start();
            let one_line = !(value.is_empty() || value.starts_with(['|', '>']) || value.starts_with('#'));
            entry.fields.push(Field {
                name,
                first: index,
                last: index,
                comment: if one_line { trailing_comment(rest) } else { None },
            });
            entry.last = index;
        } else if indent > field_indent {
            let Some(field) = entry.fields.last_mut() else {
                return Err(format!("line {}: not under a field of control {id}", index + 1));
            };
            field.last = index;
            field.comment = None;
            entry.last = index;
        } else {
            return Err(format!(
                "line {}: control {id}'s fields are not indented alike; merge reads one indentation",
                index + 1
            ));
        }
    }
    if let Some((id, entry)) = current.take() {
        if entries.insert(id.clone(), entry).is_some() {
            return Err(format!("control {id} is written twice"));
        }
    }
    if entries.len() != parsed.len() || !parsed.keys().all(|k| entries.contains_key(k)) {
        return Err(
            "the controls found line by line are not those the file holds; merge it by hand".to_string()
        );
    }
    Ok(entries)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ControlStatus;

    fn sheet(entries: &[(&str, SheetEntry)]) -> BTreeMap<String, SheetEntry> {
        entries.iter().map(|(id, e)| (id.to_string(), e.clone())).collect()
    }

    fn small_catalog() -> Catalog {
        let mut catalog = crate::catalog::iso27001_2022();
        catalog.controls.truncate(3);
        catalog
    }

    #[test]
    fn only_the_changed_fields_change_and_comments_stay() {
        let old = "# top comment\r\nversion: 3\r\ncontrols:\r\n  # Organizational\r\n  A.5.1:  # title\r\n    applicable: true\r\n    status: planned  # budget in Q3\r\n    owner: CISO\r\n  A.5.2:\r\n    applicable: undecided\r\n    notes: |\r\n      kept\r\n      as is\r\n";
        let update = SheetEntry {
            status: Some(ControlStatus::Implemented),
            justification: Some("Contracts: \"all\"".into()),
            owner: Some("CISO".into()),
            ..SheetEntry::default()
        };
        let merged = merge(old, &small_catalog(), &sheet(&[("A.5.1", update)])).unwrap();
        assert_eq!(
            merged.text,
            "# top comment\r\nversion: 3\r\ncontrols:\r\n  # Organizational\r\n  A.5.1:  # title\r\n    applicable: true\r\n    status: implemented  # budget in Q3\r\n    justification: \"Contracts: \\\"all\\\"\"\r\n    owner: CISO\r\n  A.5.2:\r\n    applicable: undecided\r\n    notes: |\r\n      kept\r\n      as is\r\n\r\n  # Added by `trustpress import soa`: controls this file did not list.\r\n  A.5.3:  # Segregation of duties\r\n    applicable: undecided\r\n"
        );
        assert_eq!(merged.changed, ["A.5.1"]);
        assert_eq!(merged.added, ["A.5.3"]);
    }

    #[test]
    fn what_cannot_be_edited_safely_is_refused() {
        let catalog = small_catalog();
        let update = sheet(&[("A.5.1", SheetEntry { owner: Some("X".into()), ..SheetEntry::default() })]);
        for (old, expected) in [
            ("controls: {A.5.1: {applicable: true}}\n", "same line"),
            ("controls:\n  A.5.1: {applicable: true}\n", "written on one line"),
            ("controls:\n  A.5.1: &a\n    applicable: true\n  A.5.2: *a\n", "anchor"),
            (
                "controls:\n  A.5.1:\n    applicable: true\n    owner:\n      # who\n      CISO\n",
                "comments among them",
            ),
            ("controls:\n  A.5.1:\n    applicable: [\n", "does not parse"),
        ] {
            let error = merge(old, &catalog, &update).err().unwrap_or_default();
            assert!(error.contains(expected), "{old}: {error}");
        }
    }

    #[test]
    fn a_multi_line_value_is_replaced_whole_and_a_missing_end_of_line_kept() {
        let old = "controls:\n  A.5.1:\n    applicable: true\n    notes: |\n      old\n\n      text\n    owner: CISO\n  A.5.2:\n    applicable: false\n    justification: \"long\n      folded\"\n  A.5.3:\n    applicable: undecided";
        let entries = sheet(&[
            ("A.5.1", SheetEntry { notes: Some("new".into()), ..SheetEntry::default() }),
            ("A.5.2", SheetEntry { justification: Some("short".into()), ..SheetEntry::default() }),
            ("A.5.3", SheetEntry { applicable: Some(Applicability::Applicable), ..SheetEntry::default() }),
        ]);
        let merged = merge(old, &small_catalog(), &entries).unwrap();
        assert_eq!(
            merged.text,
            "controls:\n  A.5.1:\n    applicable: true\n    notes: new\n    owner: CISO\n  A.5.2:\n    applicable: false\n    justification: short\n  A.5.3:\n    applicable: true"
        );
    }

    /// Damaged and odd files: merge refuses or succeeds, never panics, and what it returns
    /// always reads back (it checks that itself; this makes sure the check is reached).
    #[test]
    fn damaged_files_never_panic() {
        let seed = "# c\r\nversion: 1\r\ncontrols:\r\n\r\n  # Organizational\r\n  A.5.1:  # t\r\n    applicable: true\r\n    status: planned  # x\r\n    notes: |\r\n      a # b\r\n    policies: [POL-A, \"B\"]\r\n  'A.5.2':\r\n    applicable: false\r\n    justification: 'it''s # fine'\r\n";
        let pieces = [
            " ", "  ", "\t", "#", ":", "'", "\"", "[", "]", "{", "&a", "*a", "!t", "\n", "\r\n", "A.5.3:",
            "- x", "|", ">", "\u{feff}", "é",
        ];
        let update = sheet(&[
            (
                "A.5.1",
                SheetEntry {
                    status: Some(ControlStatus::Implemented),
                    owner: Some("O".into()),
                    ..SheetEntry::default()
                },
            ),
            (
                "A.5.2",
                SheetEntry {
                    applicable: Some(Applicability::Applicable),
                    notes: Some("n".into()),
                    ..SheetEntry::default()
                },
            ),
        ]);
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as usize
        };
        let catalog = small_catalog();
        assert!(merge(seed, &catalog, &update).is_ok(), "{:?}", merge(seed, &catalog, &update).err());
        let mut merged_count = 0;
        for _ in 0..3000 {
            let mut text = seed.to_string();
            for _ in 0..(1 + next() % 3) {
                let mut at = next() % (text.len() + 1);
                while !text.is_char_boundary(at) {
                    at -= 1;
                }
                if next() % 2 == 0 {
                    text.insert_str(at, pieces[next() % pieces.len()]);
                } else {
                    let mut end = (at + 1 + next() % 6).min(text.len());
                    while !text.is_char_boundary(end) {
                        end += 1;
                    }
                    text.replace_range(at..end, "");
                }
            }
            if let Ok(merged) = merge(&text, &catalog, &update) {
                assert!(parse_file(&merged.text).is_ok(), "{text:?}");
                merged_count += 1;
            }
        }
        // Most small damage is still mergeable (a comment, a space): the check is reached.
        assert!(merged_count > 300, "only {merged_count} of 3000 merged");
    }

    #[test]
    fn other_indentation_and_keys_after_controls() {
        let old = "controls:\n    \"A.5.1\":\n        owner: CISO\n    A.5.2:\n        applicable: true\n        status: planned\n\n# approval\nversion: 2\napproved_by: Board\n";
        let entries = sheet(&[
            ("A.5.1", SheetEntry { applicable: Some(Applicability::Excluded), ..SheetEntry::default() }),
            ("A.5.3", SheetEntry { applicable: Some(Applicability::Applicable), ..SheetEntry::default() }),
        ]);
        let merged = merge(old, &small_catalog(), &entries).unwrap();
        assert_eq!(
            merged.text,
            "controls:\n    \"A.5.1\":\n        applicable: false\n        owner: CISO\n    A.5.2:\n        applicable: true\n        status: planned\n\n    # Added by `trustpress import soa`: controls this file did not list.\n    A.5.3:  # Segregation of duties\n        applicable: true\n\n# approval\nversion: 2\napproved_by: Board\n"
        );
    }

    #[test]
    fn nothing_to_change_changes_nothing() {
        let old = "controls:\n  A.5.1:\n    applicable: true\n    status: implemented\n  A.5.2:\n    applicable: false\n    justification: x\n  A.5.3:\n    applicable: undecided";
        let same = SheetEntry {
            applicable: Some(Applicability::Applicable),
            status: Some(ControlStatus::Implemented),
            ..SheetEntry::default()
        };
        let merged = merge(old, &small_catalog(), &sheet(&[("A.5.1", same)])).unwrap();
        assert_eq!(merged.text, old);
        assert!(merged.changed.is_empty() && merged.added.is_empty());
    }
}
