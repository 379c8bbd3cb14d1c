//! Shared plumbing: the run context, progress lines, failures with hints, and child commands.

use std::ffi::OsString;
use std::fmt;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus};
use std::time::{Duration, Instant};

/// A failure: what went wrong and what to do next.
#[derive(Debug)]
pub struct Failure {
    pub message: String,
    pub hint: Option<String>,
}

pub type Result<T = ()> = std::result::Result<T, Failure>;

pub fn fail(message: impl Into<String>, hint: impl Into<String>) -> Failure {
    Failure {
        message: message.into(),
        hint: Some(hint.into()),
    }
}

/// Where and since when `cargo xtask` runs; builds the child commands.
pub struct Ctx {
    pub root: PathBuf,
    start: Instant,
    path_env: OsString,
}

impl Ctx {
    pub fn new() -> Ctx {
        // xtask/Cargo.toml lives one level below the workspace root.
        let manifest_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        let root = manifest_dir
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or(manifest_dir);
        Ctx {
            root,
            start: Instant::now(),
            path_env: path_with_cargo_bin(),
        }
    }

    pub fn elapsed(&self) -> Duration {
        self.start.elapsed()
    }

    /// Prints a progress line: `==> [mm:ss] message`.
    pub fn step(&self, message: &str) {
        println!("==> [{}] {message}", mmss(self.elapsed()));
    }

    pub fn note(&self, message: &str) {
        println!("    {message}");
    }

    /// A `Command` for `cmd`, run in the repo root, with `~/.cargo/bin` on PATH.
    pub fn command(&self, cmd: &Cmd) -> Command {
        let mut c = Command::new(&cmd.program);
        c.args(&cmd.args)
            .current_dir(&self.root)
            .env("PATH", &self.path_env);
        for (k, v) in &cmd.envs {
            c.env(k, v);
        }
        c
    }

    /// Runs `cmd` with inherited stdio; fails with `hint` when it cannot start or exits non-zero.
    pub fn run(&self, cmd: &Cmd, hint: &str) -> Result {
        let status = self.command(cmd).status();
        check_status(cmd, status, hint)
    }

    /// Runs `program args` quietly and returns its stdout when it ran and succeeded.
    pub fn capture(&self, program: &str, args: &[&str]) -> Option<String> {
        let out = self
            .command(&Cmd::new(program, args))
            .stdin(std::process::Stdio::null())
            .output()
            .ok()?;
        if !out.status.success() {
            return None;
        }
        Some(String::from_utf8_lossy(&out.stdout).into_owned())
    }

    /// The first match for `program` on the PATH children see.
    pub fn which(&self, program: &str) -> Option<PathBuf> {
        std::env::split_paths(&self.path_env)
            .map(|dir| dir.join(program))
            .find(|p| p.is_file())
    }
}

pub fn check_status(cmd: &Cmd, status: std::io::Result<ExitStatus>, hint: &str) -> Result {
    match status {
        Ok(s) if s.success() => Ok(()),
        Ok(s) => Err(fail(
            format!("`{cmd}` failed ({})", describe_status(s)),
            hint,
        )),
        Err(e) => Err(fail(format!("could not start `{cmd}`: {e}"), hint)),
    }
}

pub fn describe_status(s: ExitStatus) -> String {
    match s.code() {
        Some(code) => format!("exit code {code}"),
        None => format!("{s}"),
    }
}

/// PATH with `$CARGO_HOME/bin` (default `~/.cargo/bin`) in front if it is missing, so tools
/// installed by `cargo install` are found right after installing them.
fn path_with_cargo_bin() -> OsString {
    let current = std::env::var_os("PATH").unwrap_or_default();
    let cargo_bin = match std::env::var_os("CARGO_HOME") {
        Some(home) => PathBuf::from(home).join("bin"),
        None => match std::env::var_os("HOME") {
            Some(home) => PathBuf::from(home).join(".cargo").join("bin"),
            None => return current,
        },
    };
    let mut dirs: Vec<PathBuf> = std::env::split_paths(&current).collect();
    if dirs.contains(&cargo_bin) {
        return current;
    }
    dirs.insert(0, cargo_bin);
    std::env::join_paths(dirs).unwrap_or(current)
}

/// A child command as data, so it can be both run and shown to the user as a shell line.
#[derive(Clone, Debug)]
pub struct Cmd {
    pub program: String,
    pub args: Vec<String>,
    pub envs: Vec<(String, String)>,
}

impl Cmd {
    pub fn new(program: &str, args: &[&str]) -> Cmd {
        Cmd {
            program: program.to_string(),
            args: args.iter().map(|a| a.to_string()).collect(),
            envs: Vec::new(),
        }
    }

    pub fn arg(mut self, arg: impl Into<String>) -> Cmd {
        self.args.push(arg.into());
        self
    }

    pub fn env(mut self, key: &str, value: impl Into<String>) -> Cmd {
        self.envs.push((key.to_string(), value.into()));
        self
    }
}

impl fmt::Display for Cmd {
    /// A line one can paste into a shell: `K=V program arg ...`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts: Vec<String> = self
            .envs
            .iter()
            .map(|(k, v)| format!("{k}={}", shell_quote(v)))
            .collect();
        parts.push(shell_quote(&self.program));
        parts.extend(self.args.iter().map(|a| shell_quote(a)));
        f.write_str(&parts.join(" "))
    }
}

pub fn shell_quote(s: &str) -> String {
    let plain = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:=@%+,".contains(c));
    if plain {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

/// `mm:ss`; minutes keep counting past 59.
pub fn mmss(d: Duration) -> String {
    let s = d.as_secs();
    format!("{:02}:{:02}", s / 60, s % 60)
}

/// `1234567` -> `1,234,567`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut groups: Vec<&str> = digits
        .as_bytes()
        .rchunks(3)
        .map(|g| std::str::from_utf8(g).unwrap_or("?"))
        .collect();
    groups.reverse();
    groups.join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_minutes_and_seconds() {
        assert_eq!(mmss(Duration::from_secs(0)), "00:00");
        assert_eq!(mmss(Duration::from_secs(83)), "01:23");
        assert_eq!(mmss(Duration::from_secs(3725)), "62:05");
    }

    #[test]
    fn groups_thousands() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(5_000), "5,000");
        assert_eq!(thousands(100_000), "100,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }

    #[test]
    fn shows_commands_as_shell_lines() {
        let cmd = Cmd::new("cargo", &["test", "-p", "canal-widget"])
            .env("CHROMEDRIVER", "/usr/bin/chromedriver")
            .arg("it's");
        assert_eq!(
            cmd.to_string(),
            r"CHROMEDRIVER=/usr/bin/chromedriver cargo test -p canal-widget 'it'\''s'"
        );
        assert_eq!(shell_quote(""), "''");
        assert_eq!(shell_quote("a b"), "'a b'");
    }
}
