//! Processes a test step left running (a browser, a driver, a server): found by a mark
//! in their environment, so only what this run of `cargo xtask test` started is seen,
//! never another suite's processes on the same machine.
//!
//! Each test step's command gets `CANAL_XTASK_RUN=<this run's id>`; the processes it
//! starts inherit it (chromedriver, the Chromium it starts, a `canal` server), so after
//! the step any living process whose environment holds that exact entry is a leftover.
//! Chromium's sandboxed children start with an emptied environment, but they end with
//! their browser.

use std::path::Path;
use std::time::{Duration, Instant};

/// The environment variable that marks the processes of one run.
pub const MARK: &str = "CANAL_XTASK_RUN";

/// How long processes get to finish on their own after their step ended.
pub const GRACE: Duration = Duration::from_secs(10);

/// This run's id: the xtask's pid and start time, unique on the machine.
pub fn run_id() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    format!("{}-{nanos}", std::process::id())
}

/// A living process: its pid and name.
#[derive(Clone, Debug, PartialEq)]
pub struct Leftover {
    pub pid: u32,
    pub name: String,
}

/// The living processes (not zombies) under `proc` whose environment holds `MARK=id`.
pub fn marked(proc: &Path, id: &str) -> Vec<Leftover> {
    let entry = format!("{MARK}={id}");
    let Ok(dir) = std::fs::read_dir(proc) else {
        return Vec::new();
    };
    let mut found: Vec<Leftover> = dir
        .filter_map(|e| {
            let e = e.ok()?;
            let pid: u32 = e.file_name().to_str()?.parse().ok()?;
            let environ = std::fs::read(e.path().join("environ")).ok()?;
            if !environ.split(|&b| b == 0).any(|v| v == entry.as_bytes()) {
                return None;
            }
            let stat = std::fs::read_to_string(e.path().join("stat")).ok()?;
            let (head, rest) = stat.rsplit_once(')')?;
            let state = rest.split_whitespace().next()?;
            if state == "Z" || state == "X" {
                return None;
            }
            let name = head.split_once('(').map(|(_, n)| n).unwrap_or("?");
            Some(Leftover {
                pid,
                name: name.to_string(),
            })
        })
        .collect();
    found.sort_by_key(|l| l.pid);
    found
}

/// Waits up to `grace` for the processes marked with `id` to end; kills the ones still
/// running after that and returns them (empty: nothing was left behind).
pub fn reap(id: &str, grace: Duration) -> Vec<Leftover> {
    let proc = Path::new("/proc");
    let start = Instant::now();
    loop {
        let left = marked(proc, id);
        if left.is_empty() {
            return left;
        }
        if start.elapsed() >= grace {
            for l in &left {
                let pid = i32::try_from(l.pid)
                    .ok()
                    .and_then(rustix::process::Pid::from_raw);
                if let Some(pid) = pid {
                    let _ = rustix::process::kill_process(pid, rustix::process::Signal::KILL);
                }
            }
            return left;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::process::{Child, Command, Stdio};

    /// A `sleep` marked with `id`, killed when dropped (a failed assertion leaves
    /// nothing running and nothing holding the test's output).
    struct Sleeper(Child);

    impl Sleeper {
        fn start(id: &str) -> Sleeper {
            let child = Command::new("sleep")
                .arg("600")
                .env(MARK, id)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("start sleep");
            let sleeper = Sleeper(child);
            // Until the child has exec'd, /proc shows the parent's environment: wait
            // for the mark to appear there.
            let deadline = Instant::now() + Duration::from_secs(10);
            let pid = sleeper.0.id();
            while !marked(Path::new("/proc"), id).iter().any(|l| l.pid == pid) {
                assert!(
                    Instant::now() < deadline,
                    "sleep {pid} never showed its mark"
                );
                std::thread::sleep(Duration::from_millis(5));
            }
            sleeper
        }
    }

    impl Drop for Sleeper {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }

    #[test]
    fn finds_and_kills_only_the_processes_of_its_run() {
        let id = format!("{}-test", run_id());
        let mut ours = Sleeper::start(&id);
        let mut other = Sleeper::start(&format!("{id}-another-run"));
        let found = marked(Path::new("/proc"), &id);
        assert_eq!(
            found,
            vec![Leftover {
                pid: ours.0.id(),
                name: "sleep".into()
            }]
        );
        // Past the grace period it is killed and reported.
        let left = reap(&id, Duration::from_millis(200));
        assert_eq!(left.len(), 1);
        let _ = ours.0.wait();
        assert!(marked(Path::new("/proc"), &id).is_empty());
        // Another run's process is never touched.
        assert_eq!(other.0.try_wait().ok().flatten(), None);
    }
}
