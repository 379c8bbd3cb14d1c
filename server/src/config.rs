//! Typed settings, read once at start: command-line flags, then environment.

use std::net::SocketAddr;
use std::path::PathBuf;

use crate::net::{parse_list, IpNet};

/// How the server runs.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Address to listen on (`--addr`, `CANAL_ADDR`; default 127.0.0.1:8080).
    pub addr: SocketAddr,
    /// `sqlite://path` (`--database-url`, `DATABASE_URL`; default sqlite://data/canal.db).
    pub database_url: String,
    /// Trunk's output for the widget frame (`--dist`, `CANAL_DIST`; default dist).
    pub dist_dir: PathBuf,
    /// The origin browsers reach this server at, for the snippet (`--public-url`,
    /// `CANAL_PUBLIC_URL`; default `http://<addr>`).
    pub public_url: Option<String>,
    /// Seed the demo channel and serve the demo page (`--demo`, `CANAL_DEMO=1`).
    pub demo: bool,
    /// The admin API's bearer token (`--admin-token`, `CANAL_ADMIN_TOKEN`); when
    /// unset, one is generated on first start and printed once.
    pub admin_token: Option<Secret>,
    /// Proxies whose `X-Forwarded-For` is believed (`--trusted-proxies`,
    /// `CANAL_TRUSTED_PROXIES`: comma-separated addresses or CIDR blocks).
    pub trusted_proxies: Vec<IpNet>,
}

/// A value that never prints.
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            addr: SocketAddr::from(([127, 0, 0, 1], 8080)),
            database_url: "sqlite://data/canal.db".to_owned(),
            dist_dir: PathBuf::from("dist"),
            public_url: None,
            demo: false,
            admin_token: None,
            trusted_proxies: Vec::new(),
        }
    }
}

/// The usage text printed by `canal help` and on bad arguments.
pub const USAGE: &str = "\
usage: canal serve [--addr ADDR] [--database-url URL] [--dist DIR] [--public-url URL] [--demo]
       canal consents verify [--database-url URL]   (walk the consent hash chain; exit 1 if broken)

  --addr ADDR           listen address (env CANAL_ADDR, default 127.0.0.1:8080)
  --database-url URL    sqlite://path/to/file.db (env DATABASE_URL, default sqlite://data/canal.db)
  --dist DIR            built widget frame, from `trunk build --release` (env CANAL_DIST, default dist)
  --public-url URL      origin browsers use to reach Canal (env CANAL_PUBLIC_URL, default http://ADDR)
  --demo                seed the demo channel and serve a demo page at /demo/ (env CANAL_DEMO=1)
  --admin-token TOKEN   bearer token of /api/v1/admin (env CANAL_ADMIN_TOKEN; generated and printed once if unset)
  --trusted-proxies L   comma-separated proxy addresses/CIDR blocks whose X-Forwarded-For is believed
                        (env CANAL_TRUSTED_PROXIES; default none: the peer address is the client's)";

impl Settings {
    /// Reads the environment (via `env`), then the flags after `serve`.
    pub fn parse(
        args: impl IntoIterator<Item = String>,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, String> {
        let mut settings = Self::default();
        if let Some(addr) = env("CANAL_ADDR") {
            settings.addr = parse_addr(&addr)?;
        }
        if let Some(url) = env("DATABASE_URL") {
            settings.database_url = url;
        }
        if let Some(dir) = env("CANAL_DIST") {
            settings.dist_dir = PathBuf::from(dir);
        }
        settings.public_url = env("CANAL_PUBLIC_URL");
        settings.demo = env("CANAL_DEMO").is_some_and(|v| v == "1" || v == "true");
        settings.admin_token = env("CANAL_ADMIN_TOKEN").map(Secret);
        if let Some(list) = env("CANAL_TRUSTED_PROXIES") {
            settings.trusted_proxies = parse_list(&list)?;
        }

        let mut args = args.into_iter();
        while let Some(arg) = args.next() {
            let mut value = |name: &str| {
                args.next()
                    .ok_or_else(|| format!("{name} needs a value\n\n{USAGE}"))
            };
            match arg.as_str() {
                "--addr" => settings.addr = parse_addr(&value("--addr")?)?,
                "--database-url" => settings.database_url = value("--database-url")?,
                "--dist" => settings.dist_dir = PathBuf::from(value("--dist")?),
                "--public-url" => settings.public_url = Some(value("--public-url")?),
                "--demo" => settings.demo = true,
                "--admin-token" => settings.admin_token = Some(Secret(value("--admin-token")?)),
                "--trusted-proxies" => {
                    settings.trusted_proxies = parse_list(&value("--trusted-proxies")?)?
                }
                other => return Err(format!("unknown argument {other:?}\n\n{USAGE}")),
            }
        }
        if settings
            .admin_token
            .as_ref()
            .is_some_and(|t| t.0.len() < 16)
        {
            return Err("the admin token must be at least 16 characters".to_owned());
        }
        if !settings.database_url.starts_with("sqlite:") {
            return Err(format!(
                "DATABASE_URL {:?} is not supported yet: use sqlite://path/to/file.db",
                settings.database_url
            ));
        }
        Ok(settings)
    }

    /// The public origin, given the address actually bound.
    pub fn public_url(&self, bound: SocketAddr) -> String {
        self.public_url
            .clone()
            .unwrap_or_else(|| format!("http://{bound}"))
            .trim_end_matches('/')
            .to_owned()
    }
}

fn parse_addr(raw: &str) -> Result<SocketAddr, String> {
    raw.parse()
        .map_err(|_| format!("{raw:?} is not an address like 127.0.0.1:8080"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn flags_override_environment() {
        let env = |k: &str| (k == "CANAL_ADDR").then(|| "127.0.0.1:9000".to_owned());
        let s = Settings::parse(args(&["--addr", "127.0.0.1:9001", "--demo"]), env).expect("valid");
        assert_eq!(s.addr.port(), 9001);
        assert!(s.demo);
        let s = Settings::parse(args(&[]), env).expect("valid");
        assert_eq!(s.addr.port(), 9000);
    }

    #[test]
    fn bad_arguments_say_what_is_wrong() {
        let none = |_: &str| None;
        let err = Settings::parse(args(&["--addr"]), none).expect_err("missing value");
        assert!(err.contains("--addr needs a value"));
        let err = Settings::parse(args(&["--port", "1"]), none).expect_err("unknown");
        assert!(err.contains("unknown argument"));
        let err = Settings::parse(args(&["--addr", "nowhere"]), none).expect_err("bad addr");
        assert!(err.contains("not an address"));
    }
}
