//! The PostgreSQL the tests run against: a throw-away cluster under `target/pg/<name>/`,
//! made with the Debian binaries, run as an unprivileged user on a free loopback port,
//! reached by the tests through [`URL_ENV`], and stopped at the end whatever happens (the
//! [`Cluster`] guard stops it when dropped). Its data stays there until the next start
//! replaces it. (Run by root in a checkout the postgres user cannot reach, such as one
//! under `/root`, the cluster goes in the temporary directory instead.) `cargo xtask test` starts one for its test
//! steps; `cargo xtask pg` starts one for running single tests by hand.

use crate::setup;
use crate::util::{fail, Ctx, Result};
use std::fmt;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The variable the server's and the end-to-end tests read the cluster's URL from.
pub const URL_ENV: &str = "CANAL_TEST_POSTGRES_URL";
/// Debian's package of its supported PostgreSQL (Debian 12: postgresql-15).
pub const DEBIAN_PACKAGE: &str = "postgresql";
/// Where Debian installs each major version's binaries: `<LIB_DIR>/<major>/bin`.
pub const LIB_DIR: &str = "/usr/lib/postgresql";
/// The oldest major version Canal's schema runs on (`EXECUTE FUNCTION` in its triggers).
pub const MIN_MAJOR: u32 = 11;
/// initdb and postgres refuse to run as root; run by root, they run as this user.
const OS_USER: &str = "postgres";
/// The login role the tests connect as: it may log in and create databases, nothing more.
pub const ROLE: &str = "canal_test";
/// The binaries the cluster needs, all from one `<LIB_DIR>/<major>/bin`.
const BINARIES: [&str; 4] = ["initdb", "pg_ctl", "pg_isready", "psql"];
/// How long the server may take to accept connections (pg_ctl's own wait, then ours on TCP).
const START_DEADLINE: Duration = Duration::from_secs(60);
/// Fresh ports tried when the one picked was taken before the server bound it.
const START_TRIES: usize = 3;

static INTERRUPTED: AtomicBool = AtomicBool::new(false);
static HANDLER: OnceLock<std::result::Result<(), String>> = OnceLock::new();

/// From now on Ctrl+C, SIGTERM and SIGHUP no longer end xtask on the spot (which would
/// leave the cluster running): they set [`interrupted`], and the command stops at its next
/// check, dropping its [`Cluster`]. Children in the terminal's process group (cargo test)
/// get Ctrl+C themselves and end, which ends the step they run.
pub fn catch_interrupts() -> Result {
    HANDLER
        .get_or_init(|| {
            ctrlc::set_handler(|| {
                INTERRUPTED.store(true, Ordering::SeqCst);
                eprintln!("\ninterrupted: stopping (the PostgreSQL test cluster too)");
            })
            .map_err(|e| e.to_string())
        })
        .clone()
        .map_err(|e| fail(format!("cannot catch Ctrl+C: {e}"), ""))
}

/// True once a signal [`catch_interrupts`] catches has arrived.
pub fn interrupted() -> bool {
    INTERRUPTED.load(Ordering::SeqCst)
}

/// A PostgreSQL found on this machine.
#[derive(Clone, Debug, PartialEq)]
pub struct Installed {
    pub major: u32,
    /// `15.18`, as `pg_ctl --version` reports it.
    pub version: String,
    pub bin: PathBuf,
}

/// Reports (`ok` or `missing`) and returns the PostgreSQL that [`Cluster::start`] would use.
pub fn check(ctx: &Ctx) -> Option<Installed> {
    match installed(ctx) {
        Ok(found) => {
            ctx.note(&format!(
                "ok      PostgreSQL {} ({})",
                found.version,
                found.bin.display()
            ));
            Some(found)
        }
        Err(why) => {
            ctx.note(&format!(
                "missing PostgreSQL server: {why} (Debian package {DEBIAN_PACKAGE})"
            ));
            None
        }
    }
}

/// After `apt-get install postgresql`: the binaries are there, and the cluster Debian's
/// package may have created and started for itself (`<major>/main` on port 5432) is stopped:
/// Canal's tests never use it, and a test run leaves nothing running.
pub fn after_install(ctx: &Ctx) -> Result<Installed> {
    let found = installed(ctx).map_err(|why| {
        fail(
            format!("after installing {DEBIAN_PACKAGE}, PostgreSQL is still missing: {why}"),
            format!("check apt's output above; the binaries belong in {LIB_DIR}/<version>/bin"),
        )
    })?;
    ctx.note(&format!(
        "ok      PostgreSQL {} ({})",
        found.version,
        found.bin.display()
    ));
    let clusters = ctx
        .capture("pg_lsclusters", &["--no-header"])
        .unwrap_or_default();
    for (version, name) in online_clusters(&clusters) {
        let stopped = ctx
            .capture("pg_ctlcluster", &[&version, &name, "stop"])
            .is_some();
        ctx.note(&format!(
            "{} Debian's own cluster {version}/{name}, started by the install (Canal's tests \
             use a throw-away cluster under target/pg/; `systemctl disable postgresql` keeps \
             Debian's from starting at boot)",
            if stopped { "stopped" } else { "could not stop" }
        ));
    }
    Ok(found)
}

fn installed(ctx: &Ctx) -> std::result::Result<Installed, String> {
    let (major, bin) = newest_bin_dir(Path::new(LIB_DIR))
        .ok_or_else(|| format!("no {LIB_DIR}/<version>/bin with {}", BINARIES.join(", ")))?;
    let pg_ctl = bin.join("pg_ctl").display().to_string();
    let out = ctx
        .capture(&pg_ctl, &["--version"])
        .ok_or_else(|| format!("`{pg_ctl} --version` did not run"))?;
    let (version, reported) =
        parse_version(&out).ok_or_else(|| format!("cannot read a version in `{}`", out.trim()))?;
    if reported != major {
        return Err(format!(
            "{pg_ctl} reports version {version}, not {major}.x as its directory says"
        ));
    }
    if major < MIN_MAJOR {
        return Err(format!(
            "version {version} is too old (Canal needs {MIN_MAJOR} or newer)"
        ));
    }
    Ok(Installed {
        major,
        version,
        bin,
    })
}

/// The newest `<lib>/<major>/bin` that has every binary the cluster needs.
pub fn newest_bin_dir(lib: &Path) -> Option<(u32, PathBuf)> {
    std::fs::read_dir(lib)
        .ok()?
        .filter_map(|entry| {
            let entry = entry.ok()?;
            let major = entry.file_name().to_str()?.parse::<u32>().ok()?;
            let bin = entry.path().join("bin");
            BINARIES
                .iter()
                .all(|b| bin.join(b).is_file())
                .then_some((major, bin))
        })
        .max_by_key(|(major, _)| *major)
}

/// `pg_ctl (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)` -> (`15.18`, 15).
pub fn parse_version(output: &str) -> Option<(String, u32)> {
    let version = output
        .split("(PostgreSQL)")
        .nth(1)?
        .split_whitespace()
        .next()?;
    let digits: String = version.chars().take_while(char::is_ascii_digit).collect();
    Some((version.to_string(), digits.parse().ok()?))
}

/// The `online` clusters in `pg_lsclusters --no-header` output, as (version, name).
pub fn online_clusters(listing: &str) -> Vec<(String, String)> {
    listing
        .lines()
        .filter_map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            match fields.as_slice() {
                [version, name, _port, status, ..] if status.starts_with("online") => {
                    Some((version.to_string(), name.to_string()))
                }
                _ => None,
            }
        })
        .collect()
}

/// A loopback port nobody listens on now (the kernel's pick for port 0).
pub fn free_port() -> std::io::Result<u16> {
    Ok(TcpListener::bind(("127.0.0.1", 0))?.local_addr()?.port())
}

/// `postgres://user:password@127.0.0.1:port/database`. The role and password are plain
/// identifiers and hex, so nothing needs escaping.
pub fn url(user: &str, password: &str, port: u16, database: &str) -> String {
    format!("postgres://{user}:{password}@127.0.0.1:{port}/{database}")
}

/// 128 random bits as hex, from the kernel.
fn random_hex() -> std::io::Result<String> {
    let mut bytes = [0u8; 16];
    std::fs::File::open("/dev/urandom")?.read_exact(&mut bytes)?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// What the cluster's postgresql.conf gets on top of initdb's.
pub fn settings(socket_dir: &Path) -> String {
    format!(
        "\n# cargo xtask: a throw-away cluster for Canal's tests (see xtask/src/postgres.rs).\n\
         listen_addresses = '127.0.0.1'\n\
         unix_socket_directories = '{}'\n\
         # Acknowledged means durable, as in production.\n\
         fsync = on\n\
         synchronous_commit = on\n\
         full_page_writes = on\n\
         # Every test has its own database and pool.\n\
         max_connections = 300\n",
        socket_dir.display().to_string().replace('\'', "''")
    )
}

/// Runs the cluster's binaries: as [`OS_USER`] through `runuser` when we are root (initdb
/// and postgres refuse root), else as ourselves.
#[derive(Clone, Debug)]
struct Runner {
    bin: PathBuf,
    as_user: Option<&'static str>,
    /// The working directory of every command: the cluster's, reachable by its user.
    dir: PathBuf,
}

/// A command line to run and to show.
struct Line {
    program: String,
    args: Vec<String>,
}

impl fmt::Display for Line {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts = vec![crate::util::shell_quote(&self.program)];
        parts.extend(self.args.iter().map(|a| crate::util::shell_quote(a)));
        f.write_str(&parts.join(" "))
    }
}

impl Runner {
    fn line(&self, tool: &str, args: &[&str]) -> Line {
        let tool = self.bin.join(tool).display().to_string();
        let args = args.iter().map(|a| a.to_string());
        match self.as_user {
            Some(user) => Line {
                program: "runuser".into(),
                args: ["-u", user, "--", &tool]
                    .iter()
                    .map(|a| a.to_string())
                    .chain(args)
                    .collect(),
            },
            None => Line {
                program: tool,
                args: args.collect(),
            },
        }
    }

    fn command(&self, line: &Line) -> Command {
        let mut c = Command::new(&line.program);
        c.args(&line.args).current_dir(&self.dir);
        c
    }

    /// Runs `tool args` with `input` on stdin; its output when it succeeds, else a failure
    /// that shows the command and what it printed.
    fn run(&self, tool: &str, args: &[&str], input: &str, hint: &str) -> Result<String> {
        let line = self.line(tool, args);
        let child = self
            .command(&line)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn();
        let output = child.and_then(|mut child| {
            if let Some(mut stdin) = child.stdin.take() {
                stdin.write_all(input.as_bytes())?;
            }
            child.wait_with_output()
        });
        match output {
            Ok(out) if out.status.success() => Ok(String::from_utf8_lossy(&out.stdout).into()),
            Ok(out) => Err(fail(
                format!(
                    "`{line}` failed ({}):\n{}{}",
                    crate::util::describe_status(out.status),
                    String::from_utf8_lossy(&out.stdout),
                    String::from_utf8_lossy(&out.stderr)
                ),
                hint,
            )),
            Err(e) => Err(fail(format!("could not run `{line}`: {e}"), hint)),
        }
    }

    /// True when `tool args` ran and exited 0, printing nothing.
    fn succeeds(&self, tool: &str, args: &[&str]) -> bool {
        self.command(&self.line(tool, args))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    }
}

/// A running throw-away cluster; dropping it stops it.
pub struct Cluster {
    runner: Runner,
    data: PathBuf,
    log: PathBuf,
    port: u16,
    url: String,
    /// The role that created the cluster (for [`Cluster::database`]).
    superuser: String,
    /// pg_ctl start was run and no stop since.
    running: bool,
}

impl Cluster {
    /// initdb's a fresh cluster in `<repo>/target/pg/<name>/` (stopping and removing what an
    /// earlier run left there), starts it on a free loopback port, waits until it accepts
    /// connections on it, and creates the tests' login role.
    pub fn start(ctx: &Ctx, pg: &Installed, name: &str) -> Result<Cluster> {
        let started = Instant::now();
        let root = setup::is_root(ctx);
        let dir = cluster_dir(ctx, name, root);
        let runner = Runner {
            bin: pg.bin.clone(),
            as_user: root.then_some(OS_USER),
            dir: dir.clone(),
        };
        let superuser = if root {
            OS_USER.to_string()
        } else {
            ctx.capture("id", &["-un"])
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .ok_or_else(|| fail("`id -un` did not name the current user", ""))?
        };
        let data = dir.join("data");
        let log = dir.join("postgres.log");
        // The socket's path must fit in sockaddr_un (108 bytes with `/.s.PGSQL.<port>`).
        if dir.as_os_str().len() + "/.s.PGSQL.65535".len() >= 108 {
            return Err(fail(
                format!(
                    "{} is too long a path for PostgreSQL's Unix socket",
                    dir.display()
                ),
                "clone the repository at a shorter path",
            ));
        }

        if data.join("postmaster.pid").exists() {
            ctx.note(&format!(
                "stopping the cluster an earlier run left in {}",
                dir.display()
            ));
            let data_arg = data.display().to_string();
            runner.succeeds(
                "pg_ctl",
                &["stop", "-D", &data_arg, "-m", "immediate", "-w"],
            );
        }
        fresh_dir(ctx, &dir, root)?;

        let data_arg = data.display().to_string();
        runner.run(
            "initdb",
            &[
                "-D",
                &data_arg,
                "--auth-local=peer",
                "--auth-host=scram-sha-256",
                "--encoding=UTF8",
                "--locale=C.UTF-8",
                // The cluster is thrown away; the server itself runs with fsync on.
                "--no-sync",
            ],
            "",
            "read initdb's output above",
        )?;
        let conf = data.join("postgresql.conf");
        std::fs::OpenOptions::new()
            .append(true)
            .open(&conf)
            .and_then(|mut f| f.write_all(settings(&dir).as_bytes()))
            .map_err(|e| fail(format!("cannot write {}: {e}", conf.display()), ""))?;

        let mut cluster = Cluster {
            runner,
            data,
            log,
            port: 0,
            url: String::new(),
            superuser,
            running: false,
        };
        for attempt in 1..=START_TRIES {
            let port = free_port().map_err(|e| {
                fail(
                    format!("cannot find a free loopback port: {e}"),
                    "is 127.0.0.1 up?",
                )
            })?;
            cluster.port = port;
            match cluster.start_on_port(port) {
                Ok(()) => break,
                Err(_) if attempt < START_TRIES && cluster.log_tail().contains("in use") => {
                    ctx.note(&format!("port {port} was taken meanwhile; trying another"));
                }
                Err(e) => return Err(e),
            }
        }

        let password =
            random_hex().map_err(|e| fail(format!("cannot read /dev/urandom: {e}"), ""))?;
        // On stdin, so the password is not on a command line.
        // `canal`: a database of the role's own, for what runs on the cluster
        // directly (the consent bench); tests make their own databases.
        cluster.psql(&format!(
            "CREATE ROLE {ROLE} LOGIN CREATEDB PASSWORD '{password}';\n\
             CREATE DATABASE canal OWNER {ROLE};\n"
        ))?;
        cluster.url = url(ROLE, &password, cluster.port, "postgres");
        ctx.note(&format!(
            "PostgreSQL {} on 127.0.0.1:{} ({}), ready in {:.1} s",
            pg.version,
            cluster.port,
            dir.display(),
            started.elapsed().as_secs_f64()
        ));
        Ok(cluster)
    }

    /// `pg_ctl start` on `port`, then waits until the server accepts connections on TCP.
    fn start_on_port(&mut self, port: u16) -> Result {
        let data = self.data.display().to_string();
        let log = self.log.display().to_string();
        let options = format!("-p {port}");
        let timeout = START_DEADLINE.as_secs().to_string();
        // From here on there may be a server to stop.
        self.running = true;
        // -w: pg_ctl polls until the server reports itself ready, or the deadline, or the
        // server exits; then we poll the TCP port the tests use.
        let started = self.runner.run(
            "pg_ctl",
            &[
                "start", "-D", &data, "-l", &log, "-o", &options, "-w", "-t", &timeout,
            ],
            "",
            "",
        );
        if let Err(e) = started {
            return Err(fail(
                format!(
                    "{}\nthe server's log ends with:\n{}",
                    e.message,
                    self.log_tail()
                ),
                format!("see {}", self.log.display()),
            ));
        }
        let port = port.to_string();
        let deadline = Instant::now() + START_DEADLINE;
        while !self.runner.succeeds(
            "pg_isready",
            &[
                "-q",
                "-h",
                "127.0.0.1",
                "-p",
                &port,
                "-d",
                "postgres",
                "-t",
                "5",
            ],
        ) {
            if Instant::now() > deadline {
                return Err(fail(
                    format!(
                        "PostgreSQL does not accept connections on 127.0.0.1:{port} after {} s",
                        START_DEADLINE.as_secs()
                    ),
                    format!("see {}", self.log.display()),
                ));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Ok(())
    }

    /// Runs `sql` (on stdin) in psql as the cluster's superuser, over its Unix socket.
    fn psql(&self, sql: &str) -> Result<String> {
        let port = self.port.to_string();
        let socket_dir = self.runner.dir.display().to_string();
        self.runner.run(
            "psql",
            &[
                "-X",
                "-q",
                "-v",
                "ON_ERROR_STOP=1",
                "-h",
                &socket_dir,
                "-p",
                &port,
                "-U",
                &self.superuser,
                "-d",
                "postgres",
                "-f",
                "-",
            ],
            sql,
            "read psql's output above",
        )
    }

    /// A new empty database `name` (a plain identifier) owned by the tests' role; its URL.
    pub fn database(&self, name: &str) -> Result<String> {
        self.psql(&format!("CREATE DATABASE {name} OWNER {ROLE};\n"))?;
        Ok(self.url_of(name))
    }

    /// `postgres://canal_test:...@127.0.0.1:<port>/postgres`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The same server and role, on database `canal` (owned by the role).
    pub fn canal_url(&self) -> String {
        self.url_of("canal")
    }

    /// The same server and role, on database `name`.
    fn url_of(&self, name: &str) -> String {
        match self.url.rsplit_once('/') {
            Some((server, _)) => format!("{server}/{name}"),
            None => self.url.clone(),
        }
    }

    /// Waits for [`interrupted`] (Ctrl+C); fails if the server goes away first.
    pub fn wait_for_interrupt(&self) -> Result {
        let pid_file = self.data.join("postmaster.pid");
        while !interrupted() {
            if !pid_file.exists() {
                return Err(fail(
                    format!(
                        "the PostgreSQL server stopped by itself; its log ends with:\n{}",
                        self.log_tail()
                    ),
                    format!("see {}", self.log.display()),
                ));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Ok(())
    }

    /// `pg_ctl stop -m immediate`, waiting until the server is gone. Returns how long it
    /// took; a second call does nothing. The data stays in `target/pg/<name>/` until the
    /// next start removes it.
    ///
    /// Immediate, not fast: a fast shutdown first writes a checkpoint, which fsyncs every
    /// database the tests made (100 to 200 of them, 7 MB each), only for the cluster to be
    /// thrown away. With 150 databases on this 2-core machine under load, fast did not
    /// finish within pg_ctl's 60 s; immediate took 0.14 s.
    pub fn stop(&mut self) -> Result<Duration> {
        let started = Instant::now();
        if !self.running {
            return Ok(Duration::ZERO);
        }
        self.running = false;
        let data = self.data.display().to_string();
        let timeout = START_DEADLINE.as_secs().to_string();
        self.runner.run(
            "pg_ctl",
            &["stop", "-D", &data, "-m", "immediate", "-w", "-t", &timeout],
            "",
            &format!(
                "if it is still running: pg_ctl stop -D {data} -m immediate (as the postgres \
                 user)"
            ),
        )?;
        Ok(started.elapsed())
    }

    /// The last lines of the server's log.
    fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(15)..].join("\n")
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        if !self.running {
            return;
        }
        match self.stop() {
            Ok(took) => println!(
                "    stopped the PostgreSQL test cluster ({:.1} s)",
                took.as_secs_f64()
            ),
            Err(e) => eprintln!(
                "error: could not stop the PostgreSQL test cluster: {}\n  next: {}",
                e.message,
                e.hint.unwrap_or_default()
            ),
        }
    }
}

/// Where the cluster lives: `<repo>/target/pg/<name>/`; or, when we are root and the
/// postgres user cannot pass through a parent of `target/` (a clone under `/root`, whose
/// mode is 700), `<tmp>/canal-pg-<repo hash>-<name>/`, rather than opening that parent.
fn cluster_dir(ctx: &Ctx, name: &str, root: bool) -> PathBuf {
    let target = ctx.root.join("target");
    let preferred = target.join("pg").join(name);
    if !root || reachable(&target) {
        return preferred;
    }
    let fallback = fallback_dir(&std::env::temp_dir(), &ctx.root, name);
    ctx.note(&format!(
        "the `{OS_USER}` user cannot reach {} ({} is closed to other users): the cluster \
         goes in {}",
        preferred.display(),
        closed_ancestor(&target).display(),
        fallback.display()
    ));
    fallback
}

/// `<tmp>/canal-pg-<hash of the repo's path>-<name>`: one per checkout and cluster name.
pub fn fallback_dir(tmp: &Path, repo: &Path, name: &str) -> PathBuf {
    use std::hash::{DefaultHasher, Hash, Hasher};
    let mut hasher = DefaultHasher::new();
    repo.hash(&mut hasher);
    tmp.join(format!("canal-pg-{:016x}-{name}", hasher.finish()))
}

/// Whether the postgres user can pass through `path` (and so through all its parents).
fn reachable(path: &Path) -> bool {
    Command::new("runuser")
        .args(["-u", OS_USER, "--", "test", "-x"])
        .arg(path)
        .stdin(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// The outermost parent of `path` the postgres user cannot pass through.
fn closed_ancestor(path: &Path) -> PathBuf {
    let ancestors: Vec<&Path> = path.ancestors().collect();
    ancestors
        .into_iter()
        .rev()
        .find(|p| !reachable(p))
        .unwrap_or(path)
        .to_path_buf()
}

/// An empty `dir` that the cluster's user owns and can reach.
fn fresh_dir(ctx: &Ctx, dir: &Path, root: bool) -> Result {
    let hint = "make target/ writable, then rerun";
    if dir.join("data").exists() {
        ctx.note(&format!(
            "removing the cluster an earlier run left in {}",
            dir.display()
        ));
    }
    match std::fs::remove_dir_all(dir) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            return Err(fail(format!("cannot remove {}: {e}", dir.display()), hint))
        }
        _ => {}
    }
    std::fs::create_dir_all(dir)
        .map_err(|e| fail(format!("cannot create {}: {e}", dir.display()), hint))?;
    if !root {
        return Ok(());
    }
    let id = |flag: &str| {
        ctx.capture("id", &[flag, OS_USER])
            .and_then(|s| s.trim().parse::<u32>().ok())
    };
    let (Some(uid), Some(gid)) = (id("-u"), id("-g")) else {
        return Err(fail(
            format!("there is no `{OS_USER}` user to run PostgreSQL as"),
            format!(
                "Debian's {DEBIAN_PACKAGE} package creates it: apt-get install -y \
                 {DEBIAN_PACKAGE}, then rerun"
            ),
        ));
    };
    chown(dir, uid, gid).map_err(|e| {
        fail(
            format!("cannot give {} to {OS_USER}: {e}", dir.display()),
            "",
        )
    })?;
    if reachable(dir) {
        return Ok(());
    }
    let blocking = closed_ancestor(dir);
    Err(fail(
        format!(
            "the `{OS_USER}` user cannot reach {} (initdb and postgres refuse to run as \
             root, so the cluster runs as {OS_USER}): {} is closed to other users",
            dir.display(),
            blocking.display()
        ),
        format!(
            "chmod o+x {} (lets other users pass through it, not list it), or clone the \
             repository where other users can reach it; then rerun",
            blocking.display()
        ),
    ))
}

#[cfg(unix)]
fn chown(path: &Path, uid: u32, gid: u32) -> std::io::Result<()> {
    std::os::unix::fs::chown(path, Some(uid), Some(gid))
}

#[cfg(not(unix))]
fn chown(_: &Path, _: u32, _: u32) -> std::io::Result<()> {
    Err(std::io::Error::other(
        "the PostgreSQL test cluster needs Linux",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_version_pg_ctl_reports() {
        assert_eq!(
            parse_version("pg_ctl (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)\n"),
            Some(("15.18".to_string(), 15))
        );
        assert_eq!(
            parse_version("pg_ctl (PostgreSQL) 17beta2"),
            Some(("17beta2".to_string(), 17))
        );
        assert_eq!(
            parse_version("pg_ctl (PostgreSQL) 9.6.24"),
            Some(("9.6.24".to_string(), 9))
        );
        assert_eq!(parse_version("pg_ctl 15.18"), None);
        assert_eq!(parse_version(""), None);
    }

    #[test]
    fn picks_the_newest_complete_bin_dir() {
        let lib = std::env::temp_dir().join(format!("xtask-pg-lib-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&lib);
        let make = |major: &str, tools: &[&str]| {
            let bin = lib.join(major).join("bin");
            std::fs::create_dir_all(&bin).expect("mkdir");
            for tool in tools {
                std::fs::write(bin.join(tool), "").expect("write");
            }
        };
        assert_eq!(newest_bin_dir(&lib), None);
        make("13", &BINARIES);
        make("15", &BINARIES);
        // 16 lacks psql; "common" is no version.
        make("16", &["initdb", "pg_ctl", "pg_isready"]);
        make("common", &BINARIES);
        assert_eq!(newest_bin_dir(&lib), Some((15, lib.join("15").join("bin"))));
        std::fs::remove_dir_all(&lib).expect("cleanup");
    }

    #[test]
    fn finds_the_clusters_debian_started() {
        let listing = "\
15  main    5432 online postgres /var/lib/postgresql/15/main /var/log/postgresql/postgresql-15-main.log
15  other   5433 down   postgres /var/lib/postgresql/15/other /var/log/postgresql/postgresql-15-other.log
16  main    5434 online,recovery postgres /var/lib/postgresql/16/main /var/log/x.log
";
        assert_eq!(
            online_clusters(listing),
            [
                ("15".to_string(), "main".to_string()),
                ("16".to_string(), "main".to_string())
            ]
        );
        assert!(online_clusters("").is_empty());
    }

    #[test]
    fn picks_a_free_loopback_port() {
        let port = free_port().expect("a port");
        assert_ne!(port, 0);
        // Free: it can be bound right away.
        TcpListener::bind(("127.0.0.1", port)).expect("the port is free");
    }

    #[test]
    fn builds_the_url_the_tests_get() {
        assert_eq!(
            url("canal_test", "00ff", 54321, "postgres"),
            "postgres://canal_test:00ff@127.0.0.1:54321/postgres"
        );
        let a = random_hex().expect("urandom");
        let b = random_hex().expect("urandom");
        assert_eq!(a.len(), 32);
        assert!(a.chars().all(|c| c.is_ascii_hexdigit()), "{a}");
        assert_ne!(a, b);
    }

    #[test]
    fn the_cluster_is_durable_and_only_on_loopback() {
        let conf = settings(Path::new("/repo/target/pg/test"));
        for line in [
            "listen_addresses = '127.0.0.1'",
            "unix_socket_directories = '/repo/target/pg/test'",
            "fsync = on",
            "synchronous_commit = on",
        ] {
            assert!(conf.lines().any(|l| l == line), "{line} in\n{conf}");
        }
        assert!(settings(Path::new("/it's")).contains("'/it''s'"));
    }

    #[test]
    fn a_repo_the_postgres_user_cannot_reach_gets_a_cluster_in_tmp() {
        let a = fallback_dir(Path::new("/tmp"), Path::new("/root/canal"), "test");
        let b = fallback_dir(Path::new("/tmp"), Path::new("/root/other"), "test");
        assert_ne!(a, b, "one per checkout");
        assert_eq!(
            a,
            fallback_dir(Path::new("/tmp"), Path::new("/root/canal"), "test"),
            "the same on the next run, which removes what this one left"
        );
        let name = a.file_name().and_then(|n| n.to_str()).expect("a name");
        assert!(a.starts_with("/tmp") && name.starts_with("canal-pg-") && name.ends_with("-test"));
        // Short enough for the socket's path.
        assert!(a.as_os_str().len() + "/.s.PGSQL.65535".len() < 108);
    }

    #[test]
    fn root_runs_the_binaries_as_postgres() {
        let runner = Runner {
            bin: PathBuf::from("/usr/lib/postgresql/15/bin"),
            as_user: Some(OS_USER),
            dir: PathBuf::from("/repo/target/pg/test"),
        };
        assert_eq!(
            runner.line("initdb", &["-D", "/d"]).to_string(),
            "runuser -u postgres -- /usr/lib/postgresql/15/bin/initdb -D /d"
        );
        let user = Runner {
            as_user: None,
            ..runner
        };
        assert_eq!(
            user.line("pg_ctl", &["stop"]).to_string(),
            "/usr/lib/postgresql/15/bin/pg_ctl stop"
        );
    }

    /// The real thing: a cluster starts, takes the tests' role over TCP, and is gone after
    /// the guard is dropped.
    #[test]
    fn starts_a_cluster_and_stops_it_when_dropped() {
        let ctx = Ctx::new();
        let pg = installed(&ctx).unwrap_or_else(|why| {
            panic!("PostgreSQL is needed: {why}; install it with: cargo xtask setup --postgres")
        });
        let cluster = Cluster::start(&ctx, &pg, "xtask-test").expect("cluster starts");
        let url = cluster.url().to_string();
        let port = cluster.port;
        let pid_file = cluster.data.join("postmaster.pid");
        assert!(url.starts_with(&format!("postgres://{ROLE}:")), "{url}");
        assert!(pid_file.exists());
        let out = Command::new(pg.bin.join("psql"))
            .args([
                "-X",
                "-At",
                "-c",
                "SELECT current_user, current_setting('fsync'), \
                   current_setting('synchronous_commit'), rolcreatedb, rolsuper \
                   FROM pg_roles WHERE rolname = current_user",
            ])
            .arg(&url)
            .output()
            .expect("psql runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(
            String::from_utf8_lossy(&out.stdout).trim(),
            "canal_test|on|on|t|f"
        );

        drop(cluster);
        assert!(!pid_file.exists(), "the server is gone");
        assert!(
            std::net::TcpStream::connect(("127.0.0.1", port)).is_err(),
            "nothing listens on {port} any more"
        );
    }
}
