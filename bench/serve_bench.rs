//! Benchmark of `trustpress serve`: the time from writing a one-policy edit to the reload
//! event on the live-reload stream, as a browser would see it.
//!
//! It copies the example content into a temporary folder (optionally growing it to N
//! policies with generated ones), starts the release binary's `serve` on a free port,
//! connects to the event stream, and times several edits. See `bench/serve.sh` and
//! docs/PERFORMANCE.md.
//!
//! With `--load`, a load test instead (issue 22): for `--seconds` (30), `--connections` (50)
//! clients request the site's pages one after another (each on a new connection, so every
//! request is also an accept), `--streams` (20) live-reload streams stay open, and a policy
//! is edited every second. It reports failed requests, the latency percentiles, and whether
//! every edit reached every open stream.
//!
//! ```text
//! serve_bench [--policies N] [--runs R] [--binary PATH]
//! serve_bench --load [--seconds S] [--connections C] [--streams E] [--policies N]
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
    load: Option<Load>,
}

#[derive(Clone, Copy)]
struct Load {
    seconds: u64,
    connections: usize,
    streams: usize,
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
    if let Some(load) = arguments.load {
        load_test(&server, &content, load, policy_count);
        server.stop();
        return;
    }
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

/// The load test: clients, open streams and edits at once, for `load.seconds`; everything
/// stops by itself at the deadline (reads time out), and the server is killed by its owner.
fn load_test(server: &Server, content: &Path, load: Load, policy_count: usize) {
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    use std::sync::{Arc, Mutex};
    let port = server.port;
    let paths = site_paths(port);
    let deadline = Instant::now() + Duration::from_secs(load.seconds);
    let done = Arc::new(AtomicBool::new(false));

    // The open streams: each counts the reload events that name the edited page.
    let streams: Vec<_> = (0..load.streams)
        .map(|_| {
            let mut stream = EventStream::connect(port);
            stream.reader.get_ref().set_read_timeout(Some(Duration::from_millis(500))).expect("timeout");
            let done = Arc::clone(&done);
            std::thread::spawn(move || {
                let mut seen = 0usize;
                let mut line = String::new();
                // Reads until the end, then a little longer for the last edit's event.
                let stop = deadline + Duration::from_secs(5);
                while Instant::now() < stop {
                    line.clear();
                    match stream.reader.read_line(&mut line) {
                        Ok(0) => break,
                        Ok(_)
                            if line.starts_with("data:") && line.contains(&format!("\"{EDITED_PAGE}\"")) =>
                        {
                            seen += 1
                        }
                        Ok(_) => {}
                        Err(_)
                            if done.load(Ordering::Relaxed)
                                && Instant::now() > deadline + Duration::from_secs(2) =>
                        {
                            break
                        }
                        Err(_) => {}
                    }
                }
                seen
            })
        })
        .collect();

    // The clients: one request per connection, in turn over the site's pages.
    let failures = Arc::new(Mutex::new(Vec::<String>::new()));
    let latencies = Arc::new(Mutex::new(Vec::<Duration>::new()));
    let next = Arc::new(AtomicUsize::new(0));
    let clients: Vec<_> = (0..load.connections)
        .map(|_| {
            let (paths, failures, latencies, next) =
                (paths.clone(), Arc::clone(&failures), Arc::clone(&latencies), Arc::clone(&next));
            std::thread::spawn(move || {
                while Instant::now() < deadline {
                    let path = &paths[next.fetch_add(1, Ordering::Relaxed) % paths.len()];
                    let started = Instant::now();
                    match get(port, path) {
                        Ok(200) => latencies.lock().expect("lock").push(started.elapsed()),
                        Ok(status) => failures.lock().expect("lock").push(format!("{path}: status {status}")),
                        Err(error) => failures.lock().expect("lock").push(format!("{path}: {error}")),
                    }
                }
            })
        })
        .collect();

    // A policy edited every second, as a person saving while readers browse.
    let edited = content.join(EDITED_POLICY);
    let original = std::fs::read_to_string(&edited).expect("edited policy");
    let mut edits = 0usize;
    while Instant::now() + Duration::from_secs(1) < deadline {
        std::thread::sleep(Duration::from_secs(1));
        edits += 1;
        let text = original
            .replace("It applies to every employee", &format!("It applies (load {edits}) to every employee"));
        std::fs::write(&edited, text).expect("write policy");
    }
    for client in clients {
        client.join().expect("client");
    }
    done.store(true, Ordering::Relaxed);
    let seen: Vec<usize> = streams.into_iter().map(|s| s.join().expect("stream")).collect();

    let mut latencies = std::mem::take(&mut *latencies.lock().expect("lock"));
    let failures = failures.lock().expect("lock").clone();
    latencies.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let percentile = |p: f64| {
        latencies
            .get(((latencies.len() as f64 * p) as usize).min(latencies.len().saturating_sub(1)))
            .copied()
            .unwrap_or_default()
    };
    println!(
        "{policy_count} policies, {} s, {} clients, {} open streams, {} pages in turn",
        load.seconds,
        load.connections,
        load.streams,
        paths.len()
    );
    println!(
        "  {} requests, {} failed; latency p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms; {:.0} requests/s",
        latencies.len() + failures.len(),
        failures.len(),
        ms(percentile(0.5)),
        ms(percentile(0.99)),
        ms(latencies.last().copied().unwrap_or_default()),
        latencies.len() as f64 / load.seconds as f64
    );
    for failure in failures.iter().take(5) {
        println!("  failed: {failure}");
    }
    let reached = seen.iter().filter(|&&count| count >= edits).count();
    println!(
        "  {edits} edits; every edit reached {reached} of {} streams (events per stream: {})",
        seen.len(),
        seen.iter().map(|c| c.to_string()).collect::<Vec<_>>().join(" ")
    );
}

/// The site's pages, from its sitemap, as paths.
fn site_paths(port: u16) -> Vec<String> {
    let body = fetch(port, "/sitemap.xml").expect("the sitemap");
    let mut paths: Vec<String> = body
        .split("<loc>")
        .skip(1)
        .filter_map(|rest| rest.split("</loc>").next())
        .filter_map(|url| {
            url.split("://").nth(1).and_then(|rest| rest.find('/').map(|at| rest[at..].to_string()))
        })
        .collect();
    paths.extend(["/assets/style.css", "/assets/site.js", "/faq/answers.json"].map(String::from));
    paths
}

/// One GET on a new connection; its status code.
fn get(port: u16, path: &str) -> std::io::Result<u16> {
    let response = request(port, path)?;
    let status = response.split(' ').nth(1).and_then(|code| code.parse().ok()).unwrap_or(0);
    Ok(status)
}

/// One GET on a new connection; its body (for the sitemap).
fn fetch(port: u16, path: &str) -> std::io::Result<String> {
    let response = request(port, path)?;
    Ok(response.split_once("\r\n\r\n").map_or(String::new(), |(_, body)| body.to_string()))
}

fn request(port: u16, path: &str) -> std::io::Result<String> {
    use std::io::Read;
    let mut stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    write!(stream, "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")?;
    let mut bytes = Vec::new();
    stream.read_to_end(&mut bytes)?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
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
        load: None,
    };
    let mut load = Load { seconds: 30, connections: 50, streams: 20 };
    let mut wants_load = false;
    let mut words = std::env::args().skip(1);
    while let Some(word) = words.next() {
        let mut value = || words.next().ok_or_else(|| format!("{word} needs a value"));
        match word.as_str() {
            "--policies" => arguments.policies = value()?.parse().map_err(|_| "--policies: a number")?,
            "--runs" => arguments.runs = value()?.parse().map_err(|_| "--runs: a number")?,
            "--binary" => arguments.binary = PathBuf::from(value()?),
            "--corpus" => arguments.corpus_only = Some(PathBuf::from(value()?)),
            "--load" => wants_load = true,
            "--seconds" => load.seconds = value()?.parse().map_err(|_| "--seconds: a number")?,
            "--connections" => load.connections = value()?.parse().map_err(|_| "--connections: a number")?,
            "--streams" => load.streams = value()?.parse().map_err(|_| "--streams: a number")?,
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    if arguments.runs == 0 {
        return Err("--runs must be at least 1".into());
    }
    if wants_load {
        arguments.load = Some(load);
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
