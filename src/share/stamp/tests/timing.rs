//! Timing and memory runs, ignored by default.

use super::*;
use lopdf::dictionary;

/// The process's peak resident set size so far, in KiB (Linux; `None` elsewhere).
fn peak_memory_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// 2,000 pages of about 40 lines of text each, their content compressed as in a real report:
/// run with `cargo test --release --lib share::stamp -- --ignored --nocapture`. Prints the
/// time and, on Linux, the peak memory while stamping.
#[test]
#[ignore = "a timing run; see the doc comment"]
#[allow(clippy::print_stderr)]
fn two_thousand_pages() {
    let mut pdf = TestPdf::new();
    let root = pdf.root;
    let resources = pdf.resources();
    let kids: Vec<ObjectId> = (1..=2000)
        .map(|number| {
            let mut content =
                format!("BT /F1 10 Tf 12 TL 1 0 0 1 56 780 Tm (Page {number} of the report) Tj\n");
            for line in 0..40 {
                content.push_str(&format!(
                    "T* (Control {number}.{line}: tested, no exceptions noted; evidence ref {line:04}) Tj\n"
                ));
            }
            content.push_str("ET\n");
            let mut stream = Stream::new(Dictionary::new(), content.into_bytes());
            stream.compress().unwrap();
            let contents = pdf.doc.add_object(stream);
            let media_box = if number % 3 == 0 { numbers(LETTER) } else { numbers(A4) };
            pdf.doc.add_object(dictionary! {
                "Type" => "Page", "Parent" => root, "MediaBox" => media_box, "Resources" => resources.clone(),
                "Contents" => contents,
            })
        })
        .collect();
    let input = pdf.save_pages(&kids);
    let started = std::time::Instant::now();
    let mut output = Vec::with_capacity(input.len() * 2);
    let pages = stamp_pdf(&input, &stamp(), &mut output).unwrap();
    let elapsed = started.elapsed();
    assert_eq!(pages, 2000);
    eprintln!(
        "stamped 2,000 pages in {:.1} ms ({} KiB in, {} KiB out)",
        elapsed.as_secs_f64() * 1000.0,
        input.len() / 1024,
        output.len() / 1024,
    );
    // Memory, measured in a fresh process that only reads the file and stamps it.
    let folder = tempfile::tempdir().unwrap();
    let file = folder.path().join("2000-pages.pdf");
    std::fs::write(&file, &input).unwrap();
    let measured = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "share::stamp::tests::timing::stamp_one_file_for_measurement",
            "--ignored",
            "--nocapture",
        ])
        .env("TRUSTPRESS_STAMP_MEASURE", &file)
        .output()
        .unwrap();
    assert!(measured.status.success(), "{}", String::from_utf8_lossy(&measured.stderr));
    let report = String::from_utf8_lossy(&measured.stderr);
    eprintln!("{}", report.lines().find(|line| line.starts_with("stamped")).unwrap_or("no memory report"));
    if let Some(texts) = page_texts(&output) {
        assert_eq!(texts.len(), 2000);
        assert!(texts.iter().all(|text| text.contains(SHARE_ID) && text.contains(RECIPIENT)));
        assert!(texts[1999].contains("Page 2000 of the report"));
    }
}

/// Stamps the file named by TRUSTPRESS_STAMP_MEASURE (does nothing without it) and prints
/// the time and the process's peak memory: [`two_thousand_pages`] runs it as a process of
/// its own.
#[test]
#[ignore = "run by two_thousand_pages"]
#[allow(clippy::print_stderr)]
fn stamp_one_file_for_measurement() {
    let Some(path) = std::env::var_os("TRUSTPRESS_STAMP_MEASURE") else { return };
    let baseline = peak_memory_kib();
    let started = std::time::Instant::now();
    let input = std::fs::read(path).unwrap();
    let mut output = Vec::new();
    let pages = stamp_pdf(&input, &stamp(), &mut output).unwrap();
    let elapsed = started.elapsed();
    let kib = |value: Option<u64>| value.map_or("?".to_string(), |kib| kib.to_string());
    eprintln!(
        "stamped {pages} pages, reading the file included, in {:.1} ms; peak resident memory {} KiB \
         (the test harness alone: {} KiB; input {} KiB, output {} KiB)",
        elapsed.as_secs_f64() * 1000.0,
        kib(peak_memory_kib()),
        kib(baseline),
        input.len() / 1024,
        output.len() / 1024,
    );
}
