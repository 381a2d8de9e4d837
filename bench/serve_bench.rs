//! Benchmark of `trustpress serve`: the time from writing a one-policy edit to the reload
//! event on the live-reload stream, as a browser would see it.
//!
//! It copies the example content into a temporary folder (optionally growing it to N
//! policies with generated ones), starts the release binary's `serve` on a free port,
//! connects to the event stream, and times several edits. See `bench/serve.sh` and
//! docs/PERFORMANCE.md.
//!
//! ```text
//! serve_bench [--policies N] [--runs R] [--binary PATH]
//! serve_bench --corpus DIR --policies N      only write the corpus (to try it by hand)
//! ```

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// The policy every run edits (the example's Access Control Policy).
const EDITED_POLICY: &str = "policies/access-control.md";
const EDITED_PAGE: &str = "policies/pol-ac/index.html";

struct Arguments {
    policies: usize,
    runs: usize,
    binary: PathBuf,
    corpus_only: Option<PathBuf>,
}

fn main() {
    let arguments = match parse_arguments() {
        Ok(arguments) => arguments,
        Err(message) => {
            eprintln!("serve_bench: {message}");
            std::process::exit(2);
        }
    };
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("content");
    if let Some(folder) = &arguments.corpus_only {
        write_corpus(&example, folder, arguments.policies);
        println!("wrote {} policies into {}", arguments.policies.max(15), folder.display());
        return;
    }

    let work = tempfile::tempdir().expect("temporary folder");
    let content = work.path().join("content");
    write_corpus(&example, &content, arguments.policies);
    let policy_count = std::fs::read_dir(content.join("policies")).expect("policies").count();

    let mut server = Server::start(&arguments.binary, &content);
    let mut events = EventStream::connect(server.port);
    let edited = content.join(EDITED_POLICY);
    let original = std::fs::read_to_string(&edited).expect("edited policy");
    let mut timings = Vec::new();
    for run in 0..=arguments.runs {
        let text = original
            .replace("It applies to every employee", &format!("It applies (edit {run}) to every employee"));
        let started = Instant::now();
        std::fs::write(&edited, text).expect("write policy");
        let elapsed = events.wait_for_change(EDITED_PAGE, started);
        // Run 0 warms up: the first rebuild fills the caches a long session keeps warm.
        if run > 0 {
            timings.push(elapsed);
        }
        // Let the server settle between runs, as a person between two saves.
        std::thread::sleep(Duration::from_millis(300));
    }
    server.stop();

    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let (median, min, max) = summary(&mut timings);
    println!(
        "{policy_count} policies, {} runs: write → reload event median {:.1} ms, min {:.1} ms, max {:.1} ms",
        timings.len(),
        ms(median),
        ms(min),
        ms(max)
    );
    println!(
        "  each run (ms): {}",
        timings.iter().map(|d| format!("{:.1}", ms(*d))).collect::<Vec<_>>().join(" ")
    );
    // Where the time goes, from the server's own `--timings` (the warm-up rebuild left out).
    let steps = server.rebuild_steps();
    if !steps.is_empty() {
        let names: Vec<String> = steps[0].iter().map(|(name, _)| name.clone()).collect();
        let medians: Vec<String> = names
            .iter()
            .map(|name| {
                let mut values: Vec<Duration> = steps
                    .iter()
                    .filter_map(|run| run.iter().find(|(step, _)| step == name).map(|(_, d)| *d))
                    .collect();
                format!("{name} {:.1} ms", ms(summary(&mut values).0))
            })
            .collect();
        println!("  server, median per rebuild: {}", medians.join(" · "));
    }
}

/// Median, min and max (sorts `values`).
fn summary(values: &mut [Duration]) -> (Duration, Duration, Duration) {
    values.sort();
    (values[values.len() / 2], values[0], values[values.len() - 1])
}

fn parse_arguments() -> Result<Arguments, String> {
    let mut arguments = Arguments {
        policies: 15,
        runs: 9,
        binary: Path::new(env!("CARGO_MANIFEST_DIR")).join("target/release/trustpress"),
        corpus_only: None,
    };
    let mut words = std::env::args().skip(1);
    while let Some(word) = words.next() {
        let mut value = || words.next().ok_or_else(|| format!("{word} needs a value"));
        match word.as_str() {
            "--policies" => arguments.policies = value()?.parse().map_err(|_| "--policies: a number")?,
            "--runs" => arguments.runs = value()?.parse().map_err(|_| "--runs: a number")?,
            "--binary" => arguments.binary = PathBuf::from(value()?),
            "--corpus" => arguments.corpus_only = Some(PathBuf::from(value()?)),
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    if arguments.runs == 0 {
        return Err("--runs must be at least 1".into());
    }
    Ok(arguments)
}

/// The example content, plus generated policies until there are `policies` in all.
fn write_corpus(example: &Path, to: &Path, policies: usize) {
    copy_tree(example, to);
    let existing = std::fs::read_dir(to.join("policies")).expect("policies folder").count();
    let controls: Vec<String> = include_str!("../src/catalogs/iso27001-2022.tsv")
        .lines()
        .filter_map(|line| line.split('\t').next())
        .filter(|id| id.starts_with("A."))
        .map(str::to_string)
        .collect();
    for number in 1..=policies.saturating_sub(existing) {
        let text = generated_policy(number, &controls);
        std::fs::write(to.join(format!("policies/generated-{number:05}.md")), text).expect("write policy");
    }
}

/// A realistic policy: full front matter and a body of about 3 KB with headings, lists and a
/// table.
fn generated_policy(number: usize, controls: &[String]) -> String {
    let pick = |offset: usize| &controls[(number * 7 + offset * 13) % controls.len()];
    let mut text = format!(
        "---\nid: POL-GEN-{number:05}\ntitle: Generated Procedure {number}\nversion: \"1.{}\"\nowner: Team {}\n\
         approved_by: Management Board\napproved: 2026-0{}-1{}\nreview_every: 12 months\naudience: {}\n\
         summary: How team {} runs procedure {number}, who owns it and how it is reviewed.\n\
         controls: [{}, {}, {}]\n---\n",
        number % 10,
        number % 40,
        1 + number % 9,
        number % 10,
        if number.is_multiple_of(5) { "internal" } else { "public" },
        number % 40,
        pick(0),
        pick(1),
        pick(2),
    );
    text.push_str(&format!(
        "## Purpose\n\nThis procedure describes how team {} handles its part of the information security \
         management system. It applies to every employee and contractor of the team, and to the \
         systems the team operates on behalf of customers.\n\n## Scope\n\n- Production systems owned by the team\n\
         - Corporate applications administered by the team\n- Suppliers the team manages\n\n",
        number % 40
    ));
    text.push_str("## Responsibilities\n\n| Role | Responsibility | Frequency |\n|---|---|---|\n");
    for row in 0..8 {
        text.push_str(&format!(
            "| Role {row} | Reviews the records of step {row} and signs off the result | {} |\n",
            ["Monthly", "Quarterly", "Yearly"][row % 3]
        ));
    }
    text.push_str("\n## Procedure\n\n");
    for step in 1..=6 {
        text.push_str(&format!(
            "### Step {step}\n\nThe owner checks the inputs of step {step}, records the decision in the ticket \
             system and informs the people affected. Exceptions need the approval of the CISO and are \
             reviewed every quarter; see the [Access Control Policy](access-control.md).\n\n"
        ));
    }
    text.push_str(&format!(
        "## Records\n\nRecords are kept for three years. Related controls: {}, {} and {}.\n",
        pick(0),
        pick(1),
        pick(2)
    ));
    text
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create folder");
    for entry in std::fs::read_dir(from).expect("read folder").flatten() {
        let target = to.join(entry.file_name());
        if entry.file_type().expect("file type").is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).expect("copy file");
        }
    }
}

/// The `trustpress serve` child process; killed on drop.
struct Server {
    child: Child,
    port: u16,
    stderr: mpsc::Receiver<String>,
}

impl Server {
    fn start(binary: &Path, content: &Path) -> Server {
        let mut child = Command::new(binary)
            .args(["serve", "--port", "0", "--timings", "--content"])
            .arg(content)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|error| panic!("cannot start {}: {error}", binary.display()));
        let stdout = child.stdout.take().expect("stdout");
        let stderr = child.stderr.take().expect("stderr");
        let (lines, receiver) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if lines.send(line).is_err() {
                    break;
                }
            }
        });
        let (port_sender, port_receiver) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(port) = line
                    .split("http://127.0.0.1:")
                    .nth(1)
                    .and_then(|rest| rest.split('/').next())
                    .and_then(|port| port.parse::<u16>().ok())
                {
                    let _ = port_sender.send(port);
                }
            }
        });
        let port = port_receiver.recv_timeout(Duration::from_secs(600)).expect("the server prints its URL");
        Server { child, port, stderr: receiver }
    }

    fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// The step timings the server printed for each rebuild but the first: `rebuilt in X ms`
    /// (as `rebuild`), then `load … ms · check … ms · …`.
    fn rebuild_steps(&self) -> Vec<Vec<(String, Duration)>> {
        let lines: Vec<String> = self.stderr.try_iter().collect();
        let mut runs = Vec::new();
        for (index, line) in lines.iter().enumerate() {
            let Some(rest) = line.strip_prefix("rebuilt in ") else { continue };
            let total = rest.split(" ms").next().and_then(|n| n.parse::<f64>().ok()).unwrap_or(0.0);
            let mut steps = vec![("rebuild".to_string(), Duration::from_secs_f64(total / 1000.0))];
            if let Some(next) = lines.get(index + 1) {
                for step in next.trim().split(" · ") {
                    let mut words = step.split_whitespace();
                    if let (Some(name), Some(Ok(value))) = (words.next(), words.next().map(str::parse::<f64>))
                    {
                        steps.push((name.to_string(), Duration::from_secs_f64(value / 1000.0)));
                    }
                }
            }
            runs.push(steps);
        }
        runs.into_iter().skip(1).collect()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A raw connection to the live-reload stream.
struct EventStream {
    reader: BufReader<TcpStream>,
}

impl EventStream {
    fn connect(port: u16) -> EventStream {
        let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
        stream.set_read_timeout(Some(Duration::from_secs(600))).expect("timeout");
        write!(
            stream,
            "GET /__trustpress/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n"
        )
        .expect("request");
        let mut reader = BufReader::new(stream);
        // Skip the response head.
        let mut line = String::new();
        loop {
            line.clear();
            reader.read_line(&mut line).expect("response head");
            if line == "\r\n" || line.is_empty() {
                break;
            }
        }
        EventStream { reader }
    }

    /// Reads events until one lists `page` as changed; the time since `started`.
    fn wait_for_change(&mut self, page: &str, started: Instant) -> Duration {
        let mut line = String::new();
        loop {
            line.clear();
            let read = self.reader.read_line(&mut line).expect("event stream");
            assert!(read > 0, "the server closed the event stream");
            if line.starts_with("data:") && line.contains(&format!("\"{page}\"")) {
                return started.elapsed();
            }
        }
    }
}
