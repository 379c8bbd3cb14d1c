//! `cargo xtask bench [--no-build] [NAME...]`: measure figures against their budgets.
//!
//! A bench is a function returning measurements; to add one, write the function and list it in
//! [`BENCHES`]. Any measurement over its budget makes the command fail.

use crate::util::{fail, thousands, Cmd, Ctx, Result};
use std::path::{Path, PathBuf};

/// One measured figure and the budget it must stay within.
#[derive(Clone, Debug, PartialEq)]
pub struct Measurement {
    pub figure: String,
    pub value: u64,
    /// `None`: a figure that is only reported, with no budget (the console's size).
    pub budget: Option<u64>,
    pub unit: &'static str,
    /// Size budgets fail the command; timing budgets are only reported (timings on a
    /// shared 2-core machine vary too much to gate a build on).
    pub enforced: bool,
}

impl Measurement {
    pub fn over(&self) -> bool {
        self.budget.is_some_and(|budget| self.value > budget)
    }
}

pub struct Bench {
    pub name: &'static str,
    pub about: &'static str,
    /// Reads the builds in dist/ (so `bench` runs build-widget and build-console first).
    pub needs_dist: bool,
    pub run: fn(&Ctx) -> Result<Vec<Measurement>>,
}

pub const BENCHES: &[Bench] = &[
    Bench {
        name: "sizes",
        about: "brotli sizes of the loader and the widget frame (and the console's, reported \
                without a budget)",
        needs_dist: true,
        run: sizes,
    },
    Bench {
        name: "consent",
        about: "durable consent writes: latency at 1,000 req/s and the most per second, \
                on SQLite and on PostgreSQL side by side (real server, release build; a \
                throw-away PostgreSQL cluster)",
        needs_dist: false,
        run: consent,
    },
    Bench {
        name: "routing",
        about: "routing decision time with 1,000 agents and 10,000 waiting conversations \
                (release build)",
        needs_dist: false,
        run: routing,
    },
];

/// Routing decision budget from the design, in nanoseconds.
pub const ROUTING_BUDGET_NS: u64 = 50_000;

fn routing(ctx: &Ctx) -> Result<Vec<Measurement>> {
    let stdout = example(ctx, "routing_bench", &[])?;
    Ok(vec![
        timing(
            "routing decision, evenly (median)",
            figure(&stdout, "routing_evenly_ns")?,
            ROUTING_BUDGET_NS,
            "ns",
        ),
        timing(
            "routing decision, strict (median)",
            figure(&stdout, "routing_strict_ns")?,
            ROUTING_BUDGET_NS,
            "ns",
        ),
    ])
}

/// Runs a server example in release mode; shows its report and returns its stdout.
fn example(ctx: &Ctx, name: &str, args: &[&str]) -> Result<String> {
    let mut all = vec![
        "run",
        "--release",
        "-p",
        "canal-server",
        "--example",
        name,
        "--",
    ];
    all.extend_from_slice(args);
    let cmd = Cmd::new("cargo", &all);
    let output = ctx
        .command(&cmd)
        .stderr(std::process::Stdio::inherit())
        .output()
        .map_err(|e| fail(format!("cannot run {cmd}: {e}"), "is cargo on PATH?"))?;
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    for line in stdout.lines().filter(|l| !l.starts_with("BENCH ")) {
        println!("  {line}");
    }
    if !output.status.success() {
        return Err(fail(format!("{cmd} failed"), "see its output above"));
    }
    Ok(stdout)
}

/// The value of a `BENCH <name> <value>` line.
fn figure(stdout: &str, name: &str) -> Result<u64> {
    stdout
        .lines()
        .filter_map(|l| l.strip_prefix("BENCH "))
        .find_map(|l| l.strip_prefix(name)?.trim().parse().ok())
        .ok_or_else(|| {
            fail(
                format!("the bench printed no {name}"),
                "see its output above",
            )
        })
}

/// A timing figure: reported against its budget, never failing the command.
fn timing(figure: &str, value: u64, budget: u64, unit: &'static str) -> Measurement {
    Measurement {
        figure: figure.to_owned(),
        value,
        budget: Some(budget),
        unit,
        enforced: false,
    }
}

/// Consent write p99 at 1,000 req/s, from the design's budgets, in microseconds.
pub const CONSENT_P99_BUDGET_US: u64 = 50_000;

fn consent(ctx: &Ctx) -> Result<Vec<Measurement>> {
    let load = ["--rate", "1000", "--seconds", "10"];
    println!("  SQLite (a fresh file, synchronous = FULL):");
    let sqlite = example(ctx, "consent_load", &load)?;
    let pg = crate::postgres::check(ctx).ok_or_else(|| {
        fail(
            "PostgreSQL is not installed",
            "run: cargo xtask setup --postgres",
        )
    })?;
    crate::postgres::catch_interrupts()?;
    let cluster = crate::postgres::Cluster::start(ctx, &pg, "bench")?;
    println!("  PostgreSQL (a throw-away cluster on loopback, synchronous_commit = on):");
    let mut args = load.to_vec();
    args.extend(["--database-url", cluster.url()]);
    let postgres = example(ctx, "consent_load", &args)?;
    drop(cluster);
    let mut out = Vec::new();
    println!();
    println!("  {:<34} {:>12} {:>12}", "", "SQLite", "PostgreSQL");
    for (name, label) in [
        ("consent_p50_us", "p50 at 1,000/s (µs)"),
        ("consent_p99_us", "p99 at 1,000/s (µs)"),
        ("consent_writes_per_s", "most durable writes per second"),
    ] {
        let (a, b) = (figure(&sqlite, name)?, figure(&postgres, name)?);
        println!("  {label:<34} {:>12} {:>12}", thousands(a), thousands(b));
    }
    for (store, stdout) in [("SQLite", &sqlite), ("PostgreSQL", &postgres)] {
        out.push(timing(
            &format!("consent write p50 at 1,000/s, {store}"),
            figure(stdout, "consent_p50_us")?,
            CONSENT_P99_BUDGET_US,
            "µs",
        ));
        out.push(timing(
            &format!("consent write p99 at 1,000/s, {store}"),
            figure(stdout, "consent_p99_us")?,
            CONSENT_P99_BUDGET_US,
            "µs",
        ));
    }
    Ok(out)
}

/// Brotli settings of the budget: the strongest quality with a 4 MiB window, as served.
const BROTLI_QUALITY: i32 = 11;
const BROTLI_WINDOW: i32 = 22;
pub const LOADER_BUDGET: u64 = 5_000;
pub const FRAME_BUDGET: u64 = 100_000;

/// The benches named in `names` (all when empty), or a failure naming the unknown ones.
pub fn select(names: &[String]) -> Result<Vec<&'static Bench>> {
    if names.is_empty() {
        return Ok(BENCHES.iter().collect());
    }
    names
        .iter()
        .map(|n| {
            BENCHES.iter().find(|b| b.name == n).ok_or_else(|| {
                let known: Vec<&str> = BENCHES.iter().map(|b| b.name).collect();
                fail(
                    format!("no bench named `{n}`"),
                    format!("known benches: {}", known.join(", ")),
                )
            })
        })
        .collect()
}

/// Runs `benches`, prints the budget table, and fails if any figure is over budget.
pub fn run(ctx: &Ctx, benches: &[&Bench]) -> Result {
    let mut rows = Vec::new();
    for bench in benches {
        ctx.step(&format!("bench {}: {}", bench.name, bench.about));
        rows.extend((bench.run)(ctx)?);
    }
    println!();
    print!("{}", budget_table(&rows));
    println!();
    let over: Vec<&str> = rows
        .iter()
        .filter(|r| r.over() && r.enforced)
        .map(|r| r.figure.as_str())
        .collect();
    if over.is_empty() {
        Ok(())
    } else {
        Err(fail(
            format!("over budget: {}", over.join("; ")),
            "make it smaller (see the sizes listed above); the budgets come from the \
             design's \"Budgets\" section and live in xtask/src/bench.rs",
        ))
    }
}

/// The budget table: figure, measured value, budget, share of the budget used, OK/OVER.
pub fn budget_table(rows: &[Measurement]) -> String {
    let header = ["figure", "measured", "budget", "used", "result"];
    let cells: Vec<[String; 5]> = rows
        .iter()
        .map(|r| {
            let used = match r.budget {
                None | Some(0) => "-".to_string(),
                Some(budget) => format!("{:.0}%", r.value as f64 * 100.0 / budget as f64),
            };
            [
                r.figure.clone(),
                format!("{} {}", thousands(r.value), r.unit),
                match r.budget {
                    Some(budget) => format!("{} {}", thousands(budget), r.unit),
                    None => "-".to_string(),
                },
                used,
                match (r.budget, r.over(), r.enforced) {
                    (None, _, _) => "reported",
                    (Some(_), false, _) => "OK",
                    (Some(_), true, true) => "OVER",
                    (Some(_), true, false) => "OVER (reported, not enforced)",
                }
                .to_string(),
            ]
        })
        .collect();
    let mut widths = header.map(str::len);
    for row in &cells {
        for (w, c) in widths.iter_mut().zip(row) {
            *w = (*w).max(c.len());
        }
    }
    let line = |row: [&str; 5]| {
        format!(
            "{:<w0$}  {:>w1$}  {:>w2$}  {:>w3$}  {}",
            row[0],
            row[1],
            row[2],
            row[3],
            row[4],
            w0 = widths[0],
            w1 = widths[1],
            w2 = widths[2],
            w3 = widths[3],
        )
        .trim_end()
        .to_string()
            + "\n"
    };
    let mut out = line(header);
    for row in &cells {
        out += &line([&row[0], &row[1], &row[2], &row[3], &row[4]]);
    }
    out
}

pub fn brotli_size(data: &[u8]) -> u64 {
    let params = brotli::enc::BrotliEncoderParams {
        quality: BROTLI_QUALITY,
        lgwin: BROTLI_WINDOW,
        size_hint: data.len(),
        ..Default::default()
    };
    let mut out = Vec::new();
    let mut input = data;
    // Writing into a Vec cannot fail.
    match brotli::BrotliCompress(&mut input, &mut out, &params) {
        Ok(_) => out.len() as u64,
        Err(_) => data.len() as u64,
    }
}

/// The size budgets: the loader before intent, and the whole frame (every file in dist/
/// except the console's). The console (dist/console/, agents only) is reported without a
/// budget, when it is built.
fn sizes(ctx: &Ctx) -> Result<Vec<Measurement>> {
    let loader_path = ctx.root.join("widget").join("embed.js");
    let loader = std::fs::read(&loader_path).map_err(|e| {
        fail(
            format!("cannot read {}: {e}", loader_path.display()),
            "widget/embed.js is the loader served at /embed.js; it must exist to be measured",
        )
    })?;
    let dist = ctx.root.join("dist");
    if !dist.is_dir() {
        return Err(fail(
            format!("{} is missing", dist.display()),
            "run cargo xtask build-widget first",
        ));
    }
    let console = crate::console_dist(ctx);
    let mut files = Vec::new();
    list_files(&dist, &mut files).map_err(|e| {
        fail(
            format!("cannot list {}: {e}", dist.display()),
            "run cargo xtask build-widget",
        )
    })?;
    files.retain(|path| !path.starts_with(&console));
    files.sort();
    if files.is_empty() {
        return Err(fail(
            format!("{} is empty", dist.display()),
            "run cargo xtask build-widget",
        ));
    }

    let mut listing = vec![(
        "widget/embed.js".to_string(),
        loader.len() as u64,
        brotli_size(&loader),
    )];
    let loader_brotli = listing[0].2;
    let (frame_raw, frame_brotli) = measure_files(ctx, &files, &mut listing)?;
    listing.push((
        format!("dist/ total ({} files, without console/)", files.len()),
        frame_raw,
        frame_brotli,
    ));

    let mut console_files = Vec::new();
    if console.join("index.html").is_file() {
        list_files(&console, &mut console_files).map_err(|e| {
            fail(
                format!("cannot list {}: {e}", console.display()),
                "run cargo xtask build-console",
            )
        })?;
        console_files.sort();
    }
    let console_total = if console_files.is_empty() {
        None
    } else {
        let (raw, brotli) = measure_files(ctx, &console_files, &mut listing)?;
        listing.push((
            format!("dist/console/ total ({} files)", console_files.len()),
            raw,
            brotli,
        ));
        Some(brotli)
    };
    print!("{}", size_listing(&listing));

    let mut measurements = vec![
        Measurement {
            figure: "before intent: widget/embed.js, brotli".to_string(),
            value: loader_brotli,
            budget: Some(LOADER_BUDGET),
            unit: "B",
            enforced: true,
        },
        Measurement {
            figure: format!("frame: dist/ ({} files), brotli", files.len()),
            value: frame_brotli,
            budget: Some(FRAME_BUDGET),
            unit: "B",
            enforced: true,
        },
    ];
    match console_total {
        Some(brotli) => measurements.push(Measurement {
            figure: format!(
                "console: dist/console/ ({} files), brotli",
                console_files.len()
            ),
            value: brotli,
            budget: None,
            unit: "B",
            enforced: false,
        }),
        None => ctx.note(
            "dist/console/ is not built, so the console's size is not reported \
             (cargo xtask build-console builds it)",
        ),
    }
    Ok(measurements)
}

/// Adds a `file  raw  brotli` row per file to `listing`; returns the raw and brotli totals.
fn measure_files(
    ctx: &Ctx,
    files: &[PathBuf],
    listing: &mut Vec<(String, u64, u64)>,
) -> Result<(u64, u64)> {
    let (mut raw_total, mut brotli_total) = (0, 0);
    for path in files {
        let data = std::fs::read(path).map_err(|e| {
            fail(
                format!("cannot read {}: {e}", path.display()),
                "rebuild it: cargo xtask build-widget, then cargo xtask build-console",
            )
        })?;
        let rel = path.strip_prefix(&ctx.root).unwrap_or(path);
        let (raw, br) = (data.len() as u64, brotli_size(&data));
        raw_total += raw;
        brotli_total += br;
        listing.push((rel.display().to_string(), raw, br));
    }
    Ok((raw_total, brotli_total))
}

/// `file  raw  brotli` lines, numbers right-aligned.
fn size_listing(rows: &[(String, u64, u64)]) -> String {
    let w0 = rows.iter().map(|r| r.0.len()).max().unwrap_or(0).max(4);
    let mut out = format!("    {:<w0$}  {:>10}  {:>10}\n", "file", "raw B", "brotli B");
    for (name, raw, br) in rows {
        out += &format!(
            "    {:<w0$}  {:>10}  {:>10}\n",
            name,
            thousands(*raw),
            thousands(*br)
        );
    }
    out
}

/// Every file under `dir`, except hidden ones (Trunk's `.stage/` work directory is not served).
fn list_files(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        let path = entry.path();
        if path.is_dir() {
            list_files(&path, out)?;
        } else {
            out.push(path);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(figure: &str, value: u64, budget: u64) -> Measurement {
        Measurement {
            figure: figure.to_string(),
            value,
            budget: Some(budget),
            unit: "B",
            enforced: true,
        }
    }

    #[test]
    fn formats_the_budget_table() {
        let table = budget_table(&[
            m("before intent: widget/embed.js, brotli", 4_321, 5_000),
            m("frame: dist/ (4 files), brotli", 123_456, 100_000),
        ]);
        let expected = "\
figure                                   measured     budget  used  result
before intent: widget/embed.js, brotli    4,321 B    5,000 B   86%  OK
frame: dist/ (4 files), brotli          123,456 B  100,000 B  123%  OVER
";
        assert_eq!(table, expected);
    }

    #[test]
    fn a_figure_without_budget_is_reported_and_never_over() {
        let console = Measurement {
            budget: None,
            enforced: false,
            ..m("console: dist/console/ (4 files), brotli", 234_567, 0)
        };
        assert!(!console.over());
        let table = budget_table(&[m("frame", 1_000, 2_000), console]);
        let expected = "\
figure                                     measured   budget  used  result
frame                                       1,000 B  2,000 B   50%  OK
console: dist/console/ (4 files), brotli  234,567 B        -     -  reported
";
        assert_eq!(table, expected);
    }

    #[test]
    fn exactly_on_budget_is_ok() {
        assert!(!m("x", 5_000, 5_000).over());
        assert!(m("x", 5_001, 5_000).over());
    }

    #[test]
    fn brotli_shrinks_repetitive_text() {
        let text = "canal ".repeat(1_000);
        let size = brotli_size(text.as_bytes());
        assert!(size > 0 && size < 100, "{size}");
    }

    #[test]
    fn selects_benches_by_name() {
        assert_eq!(select(&[]).map(|b| b.len()).ok(), Some(BENCHES.len()));
        assert!(select(&["sizes".to_string()]).is_ok());
        assert!(select(&["nope".to_string()]).is_err());
    }
}
