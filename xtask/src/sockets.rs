//! `cargo xtask bench sockets [N] [RATE]`: many sockets on one server, against the bare
//! socket library.
//!
//! Builds the server and the three examples (release), raises the open-files limit (the
//! servers it starts inherit it), then runs the `socket_load` example three times, one
//! server at a time: against the bare echo (`bare_echo`: axum's WebSocket, its default
//! buffers, nothing stored), against `canal serve --demo` on a fresh SQLite file, and on
//! a database of a throw-away PostgreSQL cluster. Each server is its own process, so the
//! memory the client reads from `/proc/PID/status` is the server's alone. Before each
//! store's load, `commit_probe` times one durable commit on that store, for the ack
//! budget "within 3x of the bare echo's p99 plus one durable commit". Prints the
//! figures side by side with Canal's ratio to the echo.

use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};

use crate::bench::{figure, postgres, timing, Measurement, MESSAGE_P99_BUDGET_US};
use crate::util::{fail, thousands, Cmd, Ctx, Result};

/// Visitor sockets when N is not given (the design's figure).
pub const DEFAULT_SOCKETS: u64 = 5_000;
/// Visitor messages per second when RATE is not given.
pub const DEFAULT_RATE: u64 = 1_000;
/// Seconds of the open loop.
const SECONDS: u64 = 10;
/// Console sockets (all the demo agent's), each showing and holding one conversation.
const CONSOLES: u64 = 8;
/// Descriptors beyond the sockets: the store, the listener, the runtime.
const SPARE_DESCRIPTORS: u64 = 256;

/// Server memory per idle visitor socket, from the design (16 KB).
pub const IDLE_VISITOR_BUDGET: u64 = 16 * 1024;
/// Server memory per idle console socket, from the design (32 KB).
pub const IDLE_CONSOLE_BUDGET: u64 = 32 * 1024;

/// What one run of `socket_load` measured (µs, bytes, messages).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Figures {
    pub rss_per_visitor: u64,
    pub rss_per_console: u64,
    /// `[p50, p99, max]` in µs.
    pub connect: [u64; 3],
    pub ack: [u64; 3],
    pub reply: [u64; 3],
    pub delivery: [u64; 3],
    pub lost: u64,
}

impl Figures {
    fn parse(stdout: &str) -> Result<Figures> {
        let three = |prefix: &str| -> Result<[u64; 3]> {
            Ok([
                figure(stdout, &format!("{prefix}_p50_us"))?,
                figure(stdout, &format!("{prefix}_p99_us"))?,
                figure(stdout, &format!("{prefix}_max_us"))?,
            ])
        };
        Ok(Figures {
            rss_per_visitor: figure(stdout, "rss_per_visitor_b")?,
            rss_per_console: figure(stdout, "rss_per_console_b")?,
            connect: three("connect")?,
            ack: three("ack")?,
            reply: three("reply")?,
            delivery: three("delivery")?,
            lost: figure(stdout, "lost")?,
        })
    }
}

pub fn sockets(ctx: &Ctx, args: &[u64]) -> Result<Vec<Measurement>> {
    let n = args.first().copied().unwrap_or(DEFAULT_SOCKETS).max(1);
    let rate = args.get(1).copied().unwrap_or(DEFAULT_RATE).max(1);
    let limit = raise_descriptor_limit()?;
    let needed = n + CONSOLES + SPARE_DESCRIPTORS;
    if limit < needed {
        return Err(fail(
            format!("{n} sockets need about {needed} open files; the hard limit is {limit}"),
            "raise it (ulimit -Hn, or LimitNOFILE in a service) or pass a smaller N",
        ));
    }
    ctx.note(&format!(
        "open files: {limit} allowed (each server and the client need N + {CONSOLES} + some)"
    ));
    let build = Cmd::new(
        "cargo",
        &[
            "build",
            "--release",
            "-p",
            "canal-server",
            "--bin",
            "canal",
            "--example",
            "bare_echo",
            "--example",
            "socket_load",
            "--example",
            "commit_probe",
        ],
    );
    ctx.run(&build, "fix the server's build, then rerun the bench")?;
    let release = target_dir(ctx).join("release");
    let load = |name: &str, server: &Spawned, target: &str| -> Result<Figures> {
        let n = n.to_string();
        let rate = rate.to_string();
        let seconds = SECONDS.to_string();
        let consoles = CONSOLES.to_string();
        let pid = server.child.id().to_string();
        let mut args = vec![
            "--target",
            target,
            "--addr",
            server.addr.as_str(),
            "--pid",
            pid.as_str(),
            "--sockets",
            n.as_str(),
            "--rate",
            rate.as_str(),
            "--seconds",
            seconds.as_str(),
            "--agents",
            consoles.as_str(),
        ];
        // One argument: a generated password may begin with `-`, which would
        // read as an option of its own.
        let password = server
            .password
            .as_ref()
            .map(|p| format!("--agent-password={p}"));
        if let Some(password) = &password {
            args.push(password.as_str());
        }
        println!("  {name}:");
        let stdout = run_example(
            ctx,
            &release,
            "socket_load",
            &args,
            (
                format!("the socket load against {name} failed"),
                "see its output above (a message lost, or a socket refused)",
            ),
        )?;
        Figures::parse(&stdout)
    };

    let echo_program = release.join("examples").join("bare_echo");
    let echo = Spawned::start::<&str>(ctx, &echo_program, &[], false)?;
    let bare = load("bare echo", &echo, "echo")?;
    drop(echo);

    let canal = release.join("canal");
    let scratch = target_dir(ctx).join(format!("bench-sockets-{}", std::process::id()));
    std::fs::create_dir_all(&scratch).map_err(|e| {
        fail(
            format!("cannot create {}: {e}", scratch.display()),
            "check that target/ is writable",
        )
    })?;
    let _scratch = Scratch(scratch.clone());
    let sqlite_url = format!("sqlite://{}", scratch.join("canal.db").display());
    let scratch_dir = scratch.display().to_string();
    let sqlite_commit = commit(ctx, &release, &["--dir", scratch_dir.as_str()])?;
    let server = Spawned::start(ctx, &canal, &canal_args(&sqlite_url, &scratch), true)?;
    let sqlite = load("Canal, SQLite", &server, "canal")?;
    drop(server);

    let cluster = postgres(ctx, "bench-sockets")?;
    let pg_url = cluster.database("sockets")?;
    let probe_url = cluster.database("commit")?;
    let pg_commit = commit(ctx, &release, &["--database-url", probe_url.as_str()])?;
    let server = Spawned::start(ctx, &canal, &canal_args(&pg_url, &scratch), true)?;
    let pg = load("Canal, PostgreSQL", &server, "canal")?;
    drop(server);
    drop(cluster);

    println!();
    println!(
        "  {n} visitor sockets, {CONSOLES} console sockets, {rate} messages/s for {SECONDS} s:"
    );
    print!("{}", table(&sqlite, &pg, &bare));
    let targets = [
        ack_target(bare.ack[1], sqlite_commit),
        ack_target(bare.ack[1], pg_commit),
    ];
    println!(
        "  {:<24} {:>13} {:>17}",
        "one durable commit (ms)",
        ms(sqlite_commit),
        ms(pg_commit)
    );
    println!(
        "  {:<24} {:>13} {:>17}   (3 x the echo's ack p99 + one commit)",
        "ack p99 target (ms)",
        ms(targets[0]),
        ms(targets[1])
    );

    let mut out = Vec::new();
    for ((store, f), target) in [("SQLite", &sqlite), ("PostgreSQL", &pg)]
        .into_iter()
        .zip(targets)
    {
        out.push(Measurement {
            figure: format!("idle visitor socket, server memory, {store}"),
            value: f.rss_per_visitor,
            budget: Some(IDLE_VISITOR_BUDGET),
            unit: "B",
            enforced: false,
        });
        out.push(Measurement {
            figure: format!("idle console socket, server memory, {store}"),
            value: f.rss_per_console,
            budget: Some(IDLE_CONSOLE_BUDGET),
            unit: "B",
            enforced: false,
        });
        out.push(timing(
            &format!("ack p99, {n} sockets at {rate}/s, {store}"),
            f.ack[1],
            MESSAGE_P99_BUDGET_US,
            "µs",
        ));
        out.push(timing(
            &format!("ack p99 against 3x echo + 1 commit, {store}"),
            f.ack[1],
            target,
            "µs",
        ));
        out.push(timing(
            &format!("delivery p99, {n} sockets at {rate}/s, {store}"),
            f.delivery[1],
            MESSAGE_P99_BUDGET_US,
            "µs",
        ));
        out.push(Measurement {
            figure: format!("messages lost, {store}"),
            value: f.lost,
            budget: Some(0),
            unit: "",
            enforced: true,
        });
    }
    Ok(out)
}

/// The second ack budget: within 3x of the bare echo's ack p99 plus one
/// durable commit (µs).
pub fn ack_target(echo_p99: u64, commit: u64) -> u64 {
    3 * echo_p99 + commit
}

/// What one durable commit costs on a store (`commit_probe`'s median, µs), measured
/// on an idle machine before that store's load.
fn commit(ctx: &Ctx, release: &Path, args: &[&str]) -> Result<u64> {
    let stdout = run_example(
        ctx,
        release,
        "commit_probe",
        args,
        ("the commit probe failed".to_owned(), "see its output above"),
    )?;
    figure(&stdout, "commit_p50_us")
}

/// Runs the example `name` built in `release` with `args`, shows its report and
/// returns its standard output; `failed` (what, what to do) when it fails.
fn run_example(
    ctx: &Ctx,
    release: &Path,
    name: &str,
    args: &[&str],
    failed: (String, &str),
) -> Result<String> {
    let program = release.join("examples").join(name);
    let cmd = Cmd::new(&program.display().to_string(), args);
    let output = ctx
        .command(&cmd)
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| fail(format!("cannot run {cmd}: {e}"), "see the error above"))?;
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    for line in stdout.lines().filter(|l| !l.starts_with("BENCH ")) {
        println!("    {line}");
    }
    if !output.status.success() {
        return Err(fail(failed.0, failed.1));
    }
    Ok(stdout)
}

/// `canal serve` on `database`, with the demo channel and agent, and without the rate
/// limits a crowd from one address would hit.
fn canal_args(database: &str, scratch: &Path) -> Vec<String> {
    let mut args: Vec<String> = [
        "serve",
        "--demo",
        "--addr",
        "127.0.0.1:0",
        "--database-url",
        database,
        "--dist",
    ]
    .map(str::to_owned)
    .to_vec();
    args.push(scratch.join("dist").display().to_string());
    for limit in [
        "config",
        "consents",
        "conversations",
        "per-visitor",
        "sockets",
        "socket-frames",
        "sign-in",
    ] {
        args.push(format!("--limit-{limit}"));
        args.push("off".to_owned());
    }
    args
}

fn target_dir(ctx: &Ctx) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| ctx.root.join("target"))
}

/// Raises this process's open-files limit to its hard limit (what the servers and the
/// client it starts inherit); returns the limit now in force.
fn raise_descriptor_limit() -> Result<u64> {
    use rustix::process::{getrlimit, setrlimit, Resource};
    let mut limit = getrlimit(Resource::Nofile);
    if limit.current != limit.maximum {
        limit.current = limit.maximum;
        setrlimit(Resource::Nofile, limit).map_err(|e| {
            fail(
                format!("cannot raise the open-files limit: {e}"),
                "raise it by hand (ulimit -n) and rerun",
            )
        })?;
    }
    Ok(limit.current.unwrap_or(u64::MAX))
}

/// The scratch directory, removed when dropped.
struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A server started for the bench, killed when dropped: its address and (Canal) the
/// demo agent's password, both read from what it prints.
struct Spawned {
    child: Child,
    addr: String,
    password: Option<String>,
}

impl Spawned {
    /// Starts `program args` and reads its output until `listening on ADDR` (and,
    /// when `password`, the demo agent's `password: ...` line).
    fn start<S: AsRef<str>>(
        ctx: &Ctx,
        program: &Path,
        args: &[S],
        password: bool,
    ) -> Result<Spawned> {
        let args: Vec<&str> = args.iter().map(AsRef::as_ref).collect();
        let cmd = Cmd::new(&program.display().to_string(), &args).env("RUST_LOG", "warn");
        let mut child = ctx
            .command(&cmd)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|e| fail(format!("cannot start {cmd}: {e}"), "see the error above"))?;
        let stdout = child.stdout.take();
        let mut spawned = Spawned {
            child,
            addr: String::new(),
            password: None,
        };
        let Some(stdout) = stdout else {
            return Err(fail(
                "the server's output is not readable",
                "rerun the bench",
            ));
        };
        let mut lines = std::io::BufReader::new(stdout).lines();
        for line in lines.by_ref() {
            let Ok(line) = line else { break };
            if let Some(rest) = line.split("listening on ").nth(1) {
                let addr = rest.split_whitespace().next().unwrap_or_default();
                spawned.addr = addr.trim_start_matches("http://").to_owned();
            }
            if let Some(rest) = line.trim_start().strip_prefix("password:") {
                spawned.password = rest.split_whitespace().next().map(str::to_owned);
            }
            if !spawned.addr.is_empty() && (!password || spawned.password.is_some()) {
                break;
            }
        }
        if spawned.addr.is_empty() || (password && spawned.password.is_none()) {
            return Err(fail(
                format!("`{cmd}` exited before it said where it listens"),
                "see its error above",
            ));
        }
        // Drain the rest of its output so it never blocks on a full pipe.
        std::thread::spawn(move || lines.for_each(drop));
        Ok(spawned)
    }
}

impl Drop for Spawned {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `12.34` (ms, from µs).
fn ms(us: u64) -> String {
    format!("{:.2}", us as f64 / 1e3)
}

/// `a / b` as `2.5x`; `-` when `b` is 0 (nothing to compare with).
pub fn ratio(a: u64, b: u64) -> String {
    if b == 0 {
        "-".to_owned()
    } else {
        format!("{:.1}x", a as f64 / b as f64)
    }
}

/// Canal on both stores beside the bare echo, with Canal's ratio to the echo (the echo
/// has no consoles: `-`).
pub fn table(sqlite: &Figures, pg: &Figures, bare: &Figures) -> String {
    let mut rows: Vec<[String; 6]> = Vec::new();
    let mut row = |label: &str, a: u64, b: u64, e: Option<u64>, show: &dyn Fn(u64) -> String| {
        rows.push([
            label.to_owned(),
            show(a),
            show(b),
            e.map_or_else(|| "-".to_owned(), show),
            e.map_or_else(|| "-".to_owned(), |e| ratio(a, e)),
            e.map_or_else(|| "-".to_owned(), |e| ratio(b, e)),
        ]);
    };
    let bytes = |v: u64| thousands(v);
    row(
        "idle visitor socket (B)",
        sqlite.rss_per_visitor,
        pg.rss_per_visitor,
        Some(bare.rss_per_visitor),
        &bytes,
    );
    row(
        "idle console socket (B)",
        sqlite.rss_per_console,
        pg.rss_per_console,
        None,
        &bytes,
    );
    for (name, pick) in [
        (
            "connect",
            (|f: &Figures| f.connect) as fn(&Figures) -> [u64; 3],
        ),
        ("ack", |f: &Figures| f.ack),
        ("reply ack", |f: &Figures| f.reply),
        ("delivery", |f: &Figures| f.delivery),
    ] {
        let on_echo = matches!(name, "connect" | "ack");
        for (i, p) in ["p50", "p99", "max"].iter().enumerate() {
            row(
                &format!("{name} {p} (ms)"),
                pick(sqlite)[i],
                pick(pg)[i],
                on_echo.then(|| pick(bare)[i]),
                &ms,
            );
        }
    }
    row(
        "messages lost",
        sqlite.lost,
        pg.lost,
        Some(bare.lost),
        &|v| v.to_string(),
    );
    let header = [
        "",
        "Canal SQLite",
        "Canal PostgreSQL",
        "bare echo",
        "SQLite/echo",
        "PostgreSQL/echo",
    ];
    let mut out = format!(
        "  {:<24} {:>13} {:>17} {:>10} {:>12} {:>16}\n",
        header[0], header[1], header[2], header[3], header[4], header[5]
    );
    for r in rows {
        out += &format!(
            "  {:<24} {:>13} {:>17} {:>10} {:>12} {:>16}\n",
            r[0], r[1], r[2], r[3], r[4], r[5]
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_figures_the_load_prints() {
        let stdout = "\
Canal: 1000 visitor sockets open
BENCH rss_per_visitor_b 15000
BENCH rss_per_console_b 30000
BENCH connect_p50_us 1 
BENCH connect_p99_us 2
BENCH connect_max_us 3
BENCH ack_p50_us 4
BENCH ack_p99_us 5
BENCH ack_max_us 6
BENCH reply_p50_us 7
BENCH reply_p99_us 8
BENCH reply_max_us 9
BENCH delivery_p50_us 10
BENCH delivery_p99_us 11
BENCH delivery_max_us 12
BENCH lost 0
";
        let figures = Figures::parse(stdout).ok();
        assert_eq!(
            figures,
            Some(Figures {
                rss_per_visitor: 15_000,
                rss_per_console: 30_000,
                connect: [1, 2, 3],
                ack: [4, 5, 6],
                reply: [7, 8, 9],
                delivery: [10, 11, 12],
                lost: 0,
            })
        );
        // A figure missing: the bench fails rather than report a zero.
        assert!(Figures::parse("BENCH rss_per_visitor_b 1\n").is_err());
    }

    #[test]
    fn the_ack_target_is_three_echoes_and_a_commit() {
        assert_eq!(ack_target(2_000, 250), 6_250);
    }

    #[test]
    fn ratios_to_the_echo() {
        assert_eq!(ratio(3_000, 1_000), "3.0x");
        assert_eq!(ratio(1_250, 1_000), "1.2x");
        assert_eq!(ratio(5, 0), "-");
    }

    #[test]
    fn formats_the_sockets_table() {
        let canal = Figures {
            rss_per_visitor: 12_000,
            rss_per_console: 30_000,
            connect: [1_000, 2_000, 3_000],
            ack: [2_000, 20_000, 40_000],
            reply: [3_000, 30_000, 50_000],
            delivery: [2_500, 25_000, 45_000],
            lost: 0,
        };
        let bare = Figures {
            rss_per_visitor: 4_000,
            connect: [500, 1_000, 1_500],
            ack: [100, 400, 4_000],
            ..Figures::default()
        };
        let table = table(&canal, &canal, &bare);
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(lines.len(), 1 + 2 + 4 * 3 + 1);
        assert_eq!(
            lines[1],
            "  idle visitor socket (B)         12,000            12,000      4,000         3.0x             3.0x"
        );
        assert_eq!(
            lines[2],
            "  idle console socket (B)         30,000            30,000          -            -                -"
        );
        assert_eq!(
            lines[7],
            "  ack p99 (ms)                     20.00             20.00       0.40        50.0x            50.0x"
        );
        assert_eq!(
            lines[11],
            "  reply ack max (ms)               50.00             50.00          -            -                -"
        );
    }
}
