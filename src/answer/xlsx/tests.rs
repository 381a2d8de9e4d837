use std::io::{Read, Write};

use super::areas::array_areas;
use super::dropdown::{list_validations, range_has_column};
use super::rewrite::{rewrite_sheet, NO_REFERENCE};
use super::*;

#[test]
fn cells_an_array_formula_fills_are_its_area_and_shared_formulas_have_none() {
    let sheet = br#"<worksheet><sheetData><row r="3"><c r="C3"><f t="array" ref="C3:C5">A3:A5*2</f><v>2</v></c><c r="D3"><f t="shared" ref="D3:D5" si="0">A3</f><v>1</v></c></row><row r="4"><c r="C4"><v>4</v></c><c r="D4"><f t="shared" si="0"/><v>2</v></c><c r="E4"><f t="dataTable" ref="E4:F4" dt2D="0" dtr="0" r1="A1"/></c></row></sheetData></worksheet>"#;
    assert_eq!(array_areas(sheet), vec![(2, 2, 4, 2), (3, 4, 3, 5)]);
}

#[test]
fn control_characters_are_written_as_excel_escapes() {
    assert_eq!(
        excel_text("plain, with _x0041 and x0041_ as written"),
        "plain, with _x0041 and x0041_ as written"
    );
    // Text that looks like an escape keeps its meaning: its underscore is escaped.
    assert_eq!(excel_text("code _x0041_ and __x00fF_"), "code _x005F_x0041_ and __x005F_x00fF_");
    assert_eq!(excel_text("_x005F_"), "_x005F_x005F_");
    assert_eq!(
        excel_text("a\u{1}b\u{b}c\u{1b}\u{fffe}\u{ffff}\t\n\r"),
        "a_x0001_b_x000B_c_x001B__xFFFE__xFFFF_\t\n\r"
    );
    assert_eq!(excel_text("é\u{0}😀"), "é_x0000_😀");
}

#[test]
fn list_validations_are_read_in_both_forms() {
    let xml = br#"<worksheet xmlns:x14="x" xmlns:xm="m"><dataValidations count="2">
<dataValidation type="list" sqref="C2:C9"><formula1>"Yes,No"</formula1></dataValidation>
<dataValidation type="whole" sqref="D2:D9"><formula1>1</formula1></dataValidation>
</dataValidations><extLst><ext><x14:dataValidations count="1">
<x14:dataValidation type="list"><x14:formula1><xm:f>Lists!$A$1:$A$3</xm:f></x14:formula1><xm:sqref>E2:E40</xm:sqref></x14:dataValidation>
</x14:dataValidations></ext></extLst></worksheet>"#;
    assert_eq!(
        list_validations(xml),
        [
            ("C2:C9".to_string(), "\"Yes,No\"".to_string()),
            ("E2:E40".to_string(), "Lists!$A$1:$A$3".to_string())
        ]
    );
}

const SHEET: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="A1:D4"/><sheetData><row r="1" spans="1:4"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s" s="2"><v>1</v></c></row><row r="3"><c r="A3"><v>7</v></c><c r="C3" s="5"/><c r="D3"><f>SUM(A3)</f><v>7</v></c></row></sheetData><mergeCells count="1"><mergeCell ref="A1:B1"/></mergeCells><dataValidations count="1"><dataValidation type="list" sqref="C2:C40"><formula1>"Yes,No,N/A"</formula1></dataValidation></dataValidations></worksheet>"#;

#[test]
fn references_read_and_write() {
    assert_eq!(parse_reference("C5"), Some((4, 2)));
    assert_eq!(parse_reference("AA10"), Some((9, 26)));
    assert_eq!(reference(9, 26), "AA10");
    assert_eq!(parse_reference("5"), None);
}

#[test]
fn a_row_numbered_zero_is_kept_as_written_not_a_panic() {
    let sheet = r#"<worksheet><sheetData><row r="0"><c r="A1"><v>1</v></c></row></sheetData></worksheet>"#;
    let writes: BTreeMap<(usize, usize), String> = [((0, 1), "x".to_string())].into_iter().collect();
    let (out, _) = rewrite_sheet(sheet.as_bytes(), &writes).unwrap();
    let out = String::from_utf8(out).unwrap();
    assert!(out.starts_with(r#"<worksheet><sheetData><row r="0"><c r="A1"><v>1</v></c></row>"#), "{out}");
    assert!(out.contains(r#"<c r="B1" t="inlineStr">"#), "{out}");
}

#[test]
fn no_writes_change_nothing() {
    let (out, formulas) = rewrite_sheet(SHEET.as_bytes(), &BTreeMap::new()).unwrap();
    assert_eq!(String::from_utf8(out).unwrap(), SHEET);
    assert!(formulas.is_empty());
}

#[test]
fn writes_go_into_place_keeping_styles_and_formulas() {
    let writes: BTreeMap<(usize, usize), String> = [
        ((1, 2), "Yes".to_string()),     // row 2 is new
        ((2, 1), "B & <b>".to_string()), // a new cell before C3
        ((2, 2), "No".to_string()),      // C3 exists, styled
        ((2, 3), "x".to_string()),       // D3 holds a formula: kept
        ((5, 0), "last".to_string()),    // a row after every row
    ]
    .into_iter()
    .collect();
    let (out, formulas) = rewrite_sheet(SHEET.as_bytes(), &writes).unwrap();
    let out = String::from_utf8(out).unwrap();
    assert_eq!(formulas, vec![(2, 3)]);
    assert!(out.contains(r#"</row><row r="2"><c r="C2" t="inlineStr"><is><t xml:space="preserve">Yes</t></is></c></row><row r="3">"#), "{out}");
    assert!(out.contains(r#"<c r="A3"><v>7</v></c><c r="B3" t="inlineStr"><is><t xml:space="preserve">B &amp; &lt;b&gt;</t></is></c><c r="C3" s="5" t="inlineStr"><is><t xml:space="preserve">No</t></is></c><c r="D3"><f>SUM(A3)</f><v>7</v></c></row>"#), "{out}");
    assert!(out.contains(r#"<row r="6"><c r="A6" t="inlineStr"><is><t xml:space="preserve">last</t></is></c></row></sheetData>"#), "{out}");
    assert!(out.ends_with(r#"<dataValidation type="list" sqref="C2:C40"><formula1>"Yes,No,N/A"</formula1></dataValidation></dataValidations></worksheet>"#));
    assert_eq!(merged_areas(SHEET.as_bytes()), vec![(0, 0, 0, 1)]);
    assert!(range_has_column("C2:C40", 2) && !range_has_column("C2:C40", 3));
}

/// A workbook of `sheets` (name, as written in an attribute; sheet XML), with `defined_names`
/// (`<definedName>` elements) in its workbook.xml.
fn workbook_of(sheets: &[(&str, &str)], defined_names: &str) -> Workbook {
    let main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
    let package = "http://schemas.openxmlformats.org/package/2006";
    let relationships = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
    let mut listed = String::new();
    let mut targets = String::new();
    for (index, (name, _)) in sheets.iter().enumerate() {
        let n = index + 1;
        listed.push_str(&format!(r#"<sheet name="{name}" sheetId="{n}" r:id="rId{n}"/>"#));
        targets.push_str(&format!(
            r#"<Relationship Id="rId{n}" Type="{relationships}/worksheet" Target="worksheets/sheet{n}.xml"/>"#
        ));
    }
    let package_relationship = format!(
        r#"<Relationship Id="rId1" Type="{relationships}/officeDocument" Target="xl/workbook.xml"/>"#
    );
    let mut parts = vec![
        ("[Content_Types].xml".to_string(), format!(r#"<Types xmlns="{package}/content-types"/>"#)),
        (
            "_rels/.rels".to_string(),
            format!(
                r#"<Relationships xmlns="{package}/relationships">{package_relationship}</Relationships>"#
            ),
        ),
        (
            "xl/workbook.xml".to_string(),
            format!(
                r#"<workbook xmlns="{main}" xmlns:r="{relationships}"><sheets>{listed}</sheets><definedNames>{defined_names}</definedNames></workbook>"#
            ),
        ),
        (
            "xl/_rels/workbook.xml.rels".to_string(),
            format!(r#"<Relationships xmlns="{package}/relationships">{targets}</Relationships>"#),
        ),
    ];
    for (index, (_, xml)) in sheets.iter().enumerate() {
        parts.push((format!("xl/worksheets/sheet{}.xml", index + 1), xml.to_string()));
    }
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (name, text) in parts {
        out.start_file(name, zip::write::SimpleFileOptions::default()).unwrap();
        out.write_all(text.as_bytes()).unwrap();
    }
    Workbook::open(out.finish().unwrap().into_inner()).unwrap()
}

/// A sheet whose column A holds `words`, from row 1.
fn column_of(words: &[&str]) -> String {
    let rows: String = words
        .iter()
        .enumerate()
        .map(|(index, word)| {
            let n = index + 1;
            format!(r#"<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>{word}</t></is></c></row>"#)
        })
        .collect();
    format!("<worksheet><sheetData>{rows}</sheetData></worksheet>")
}

#[test]
fn a_defined_name_is_read_whole_entity_references_included() {
    let questions = r#"<worksheet><sheetData/><dataValidations count="1"><dataValidation type="list" sqref="C2:C40"><formula1>Answers</formula1></dataValidation></dataValidations></worksheet>"#;
    let lists = column_of(&["Y", "N", "Not applicable"]);
    let workbook = workbook_of(
        &[("Questions", questions), ("Q&amp;A&apos;s lists", &lists)],
        concat!(
            r#"<definedName name="Empty"></definedName>"#,
            r#"<definedName name="Answers" localSheetId="0">Questions!$A$1</definedName>"#,
            r#"<definedName name="Answers">'Q&amp;A&apos;&apos;s lists'!$A$1:$A$3</definedName>"#,
            r#"<definedName name="Characters">&#39;It&#x27;&#39;s&#39;!$B$2</definedName>"#,
        ),
    );
    assert_eq!(workbook.defined_name("Answers").as_deref(), Some("'Q&A''s lists'!$A$1:$A$3"));
    assert_eq!(workbook.defined_name("Characters").as_deref(), Some("'It''s'!$B$2"));
    assert_eq!(workbook.defined_name("Empty"), None);
    assert_eq!(workbook.dropdown("Questions", 2).unwrap(), ["Y", "N", "Not applicable"]);
    // An entity that cannot be unescaped (calamine would refuse such a workbook.xml).
    let unknown =
        workbook_of(&[("Lists", &lists)], r#"<definedName name="N">Lists!&nbsp;$A$1</definedName>"#);
    assert_eq!(unknown.defined_name("N"), None);
}

#[test]
fn list_validations_keep_entity_references() {
    let xml = br#"<worksheet xmlns:x14="x" xmlns:xm="m"><dataValidations count="1">
<dataValidation type="list" sqref="C2:C9"><formula1>'Q&amp;A'!$A$1:$A$3</formula1></dataValidation>
</dataValidations><extLst><ext><x14:dataValidations count="1">
<x14:dataValidation type="list"><x14:formula1><xm:f>'Q&amp;A&apos;&apos;s &#x4C;ists'!$A$1:$A$3</xm:f></x14:formula1><xm:sqref>E2:E40&#32;G2:G9</xm:sqref></x14:dataValidation>
</x14:dataValidations></ext></extLst></worksheet>"#;
    assert_eq!(
        list_validations(xml),
        [
            ("C2:C9".to_string(), "'Q&A'!$A$1:$A$3".to_string()),
            ("E2:E40 G2:G9".to_string(), "'Q&A''s Lists'!$A$1:$A$3".to_string())
        ]
    );
    let sheet = std::str::from_utf8(xml).unwrap();
    let workbook = workbook_of(&[("Sheet1", sheet), ("Q&amp;A", &column_of(&["Yes", "No"]))], "");
    assert_eq!(workbook.dropdown("Sheet1", 2).unwrap(), ["Yes", "No"]);
}

#[test]
fn an_empty_sheet_data_is_kept_unless_rows_are_written_into_it() {
    for sheet in [
        r#"<worksheet><sheetData/></worksheet>"#,
        r#"<x:worksheet xmlns:x="urn:x"><x:sheetData a="1" /></x:worksheet>"#,
    ] {
        let (out, _) = rewrite_sheet(sheet.as_bytes(), &BTreeMap::new()).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), sheet);
    }
    let writes: BTreeMap<(usize, usize), String> =
        [((0, 1), "b".to_string()), ((1, 0), "a".to_string())].into_iter().collect();
    let sheet = r#"<x:worksheet xmlns:x="urn:x"><x:sheetData a="1" /></x:worksheet>"#;
    let (out, _) = rewrite_sheet(sheet.as_bytes(), &writes).unwrap();
    assert_eq!(
        String::from_utf8(out).unwrap(),
        concat!(
            r#"<x:worksheet xmlns:x="urn:x"><x:sheetData a="1" >"#,
            r#"<x:row r="1"><x:c r="B1" t="inlineStr"><x:is><x:t xml:space="preserve">b</x:t></x:is></x:c></x:row>"#,
            r#"<x:row r="2"><x:c r="A2" t="inlineStr"><x:is><x:t xml:space="preserve">a</x:t></x:is></x:c></x:row>"#,
            r#"</x:sheetData></x:worksheet>"#
        )
    );
}

#[test]
fn rows_and_cells_written_take_the_sheets_prefix() {
    let sheet = r#"<x:worksheet xmlns:x="urn:x"><x:sheetData><x:row r="1"/><x:row r="3"><x:c r="B3" s="4"/></x:row></x:sheetData></x:worksheet>"#;
    let writes: BTreeMap<(usize, usize), String> =
        [((0, 0), "a".to_string()), ((1, 0), "b".to_string()), ((2, 1), "c".to_string())]
            .into_iter()
            .collect();
    let (out, _) = rewrite_sheet(sheet.as_bytes(), &writes).unwrap();
    let cell = |reference: &str, style: &str, text: &str| {
        format!(
            r#"<x:c r="{reference}"{style} t="inlineStr"><x:is><x:t xml:space="preserve">{text}</x:t></x:is></x:c>"#
        )
    };
    assert_eq!(
        String::from_utf8(out).unwrap(),
        format!(
            r#"<x:worksheet xmlns:x="urn:x"><x:sheetData><x:row r="1">{}</x:row><x:row r="2">{}</x:row><x:row r="3">{}</x:row></x:sheetData></x:worksheet>"#,
            cell("A1", "", "a"),
            cell("A2", "", "b"),
            cell("B3", r#" s="4""#, "c")
        )
    );
}

/// Found by a red team: each used to panic in calamine, allocate gigabytes, or write into
/// the wrong place. Each is refused with the browser's words (tests/browser/workbook.test.mjs).
#[test]
fn absurd_references_are_refused_before_calamine_reads_them() {
    for reference in ["ZZZZZZZ2", "A99999999999999999999999", "XFD1048576"] {
        let sheet = format!(
            r#"<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>Question</t></is></c></row><row><c r="{reference}"><v>1</v></c></row></sheetData></worksheet>"#
        );
        let workbook = workbook_of(&[("Q", &sheet)], "");
        let error = workbook.rows("Q").unwrap_err().to_string();
        assert!(error.contains("more than a questionnaire can (16777216 cells)"), "{reference}: {error}");
    }
}

#[test]
fn a_sheet_with_two_relationship_ids_is_refused() {
    let workbook = workbook_of(&[("Q", &column_of(&["Question"]))], "");
    let bytes = workbook.bytes.clone();
    let mut archive = zip::ZipArchive::new(Cursor::new(&bytes)).unwrap();
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for index in 0..archive.len() {
        let mut entry = archive.by_index(index).unwrap();
        let name = entry.name().unwrap().to_string();
        let mut text = String::new();
        entry.read_to_string(&mut text).unwrap();
        if name == "xl/workbook.xml" {
            text = text.replace(r#"r:id="rId1"/>"#, r#"r:id="rId1" id="rId2"/>"#);
        }
        out.start_file(name, zip::write::SimpleFileOptions::default()).unwrap();
        out.write_all(text.as_bytes()).unwrap();
    }
    let error = Workbook::open(out.finish().unwrap().into_inner()).err().unwrap().to_string();
    assert!(error.contains("has more than one relationship id"), "{error}");
}

#[test]
fn a_sheet_whose_rows_or_cells_have_no_reference_is_not_filled() {
    let writes: BTreeMap<(usize, usize), String> = [((1, 1), "x".to_string())].into_iter().collect();
    for sheet in [
        r#"<worksheet><sheetData><row><c r="A1"><v>1</v></c></row></sheetData></worksheet>"#,
        r#"<worksheet><sheetData><row r="1"><c><v>1</v></c></row></sheetData></worksheet>"#,
    ] {
        let error = rewrite_sheet(sheet.as_bytes(), &writes).err().unwrap().to_string();
        assert_eq!(error, NO_REFERENCE, "{sheet}");
    }
}
