//! Typed settings, read once at start: command-line flags, each with an
//! environment variable (clap), secrets wrapped so they never print.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::limits::{Limits, Rate};
use crate::net::{parse_list, IpNet};

/// Canal: a self-hosted live chat for websites.
#[derive(Debug, Parser)]
#[command(name = "canal", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the widget, the console and the API.
    Serve(Box<Settings>),
    /// The consent ledger.
    Consents {
        #[command(subcommand)]
        command: ConsentsCommand,
    },
    /// Console accounts, from the machine Canal runs on.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Create an admin account for the console (the first one on a new install):
    /// its password is generated and printed once.
    Create {
        /// The admin's e-mail, their sign-in name.
        #[arg(long, env = "CANAL_NEW_ADMIN_EMAIL")]
        email: String,
        /// The name agents and visitors see.
        #[arg(long, env = "CANAL_NEW_ADMIN_NAME")]
        name: String,
        #[command(flatten)]
        database: Database,
    },
}

#[derive(Debug, Subcommand)]
pub enum ConsentsCommand {
    /// Walk the consent hash chain: exit 0 when intact, 1 at the first broken record.
    Verify {
        #[command(flatten)]
        database: Database,
    },
}

/// Where the store is.
#[derive(Debug, Clone, Args)]
pub struct Database {
    /// sqlite://path/to/file.db (embedded, the default) or postgres://user:password@host/db
    #[arg(
        long = "database-url",
        env = "DATABASE_URL",
        default_value = "sqlite://data/canal.db",
        value_parser = database_url,
        hide_env_values = true
    )]
    pub url: Secret,
}

/// How the server runs.
#[derive(Debug, Clone, Args)]
pub struct Settings {
    /// Address to listen on.
    #[arg(long, env = "CANAL_ADDR", default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
    #[command(flatten)]
    pub database: Database,
    /// The built widget frame and console (`cargo xtask build-widget`, `build-console`).
    #[arg(long = "dist", env = "CANAL_DIST", default_value = "dist")]
    pub dist_dir: PathBuf,
    /// The origin browsers reach this server at, for the snippet (default http://ADDR).
    #[arg(long, env = "CANAL_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Seed the demo channel and agent, and serve a demo page at /demo/.
    #[arg(long, env = "CANAL_DEMO", value_parser = flag, num_args = 0..=1, default_missing_value = "true", default_value = "false")]
    pub demo: bool,
    /// The admin API's bearer token (at least 16 characters); when unset, one is
    /// generated on first start and printed once.
    #[arg(long, env = "CANAL_ADMIN_TOKEN", value_parser = admin_token, hide_env_values = true)]
    pub admin_token: Option<Secret>,
    /// Comma-separated proxy addresses or CIDR blocks whose X-Forwarded-For is
    /// believed (default none: the peer address is the client's).
    #[arg(long, env = "CANAL_TRUSTED_PROXIES", value_parser = proxies, default_value = "")]
    pub trusted_proxies: ProxyList,
    /// Compiled phone-number patterns the chat tracker keeps (100 to 5,000). More
    /// costs memory once numbers of many shapes were scanned (up to about 175 MB
    /// at 1,000); fewer costs CPU per message with digit runs on channels without
    /// a default region (up to 600 µs at 100).
    #[arg(long, env = "CANAL_PHONE_PATTERNS", default_value_t = canal_core::crm::PHONE_PATTERNS_KEPT as u64, value_parser = clap::value_parser!(u64).range(100..=5000))]
    pub phone_patterns: u64,
    #[command(flatten)]
    pub mail: Mail,
    #[command(flatten)]
    pub deliveries: Deliveries,
    #[command(flatten)]
    pub limits: LimitFlags,
}

/// How webhook events and connector replies are delivered.
#[derive(Debug, Clone, Args)]
pub struct Deliveries {
    /// Seconds before a failed webhook or connector delivery is tried again; the
    /// wait doubles with each failure, up to an hour.
    #[arg(long, env = "CANAL_WEBHOOK_RETRY_AFTER", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub webhook_retry_after: u64,
    /// Seconds a webhook receiver or connector gateway has to answer.
    #[arg(long, env = "CANAL_WEBHOOK_TIMEOUT", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=120))]
    pub webhook_timeout: u64,
    /// Attempts before a delivery waits for a re-send by hand.
    #[arg(long, env = "CANAL_WEBHOOK_MAX_ATTEMPTS", default_value_t = 15, value_parser = clap::value_parser!(i64).range(1..=100))]
    pub webhook_max_attempts: i64,
    /// Post webhooks and connector replies to private addresses too (loopback, the
    /// LAN, link-local): for a CRM or gateway inside your own network. Off, only
    /// public internet addresses are posted to.
    #[arg(long, env = "CANAL_WEBHOOK_PRIVATE_TARGETS")]
    pub webhook_private_targets: bool,
}

impl Deliveries {
    pub fn options(&self) -> crate::hooks::DeliveryOptions {
        crate::hooks::DeliveryOptions {
            retry_after: std::time::Duration::from_secs(self.webhook_retry_after),
            timeout: std::time::Duration::from_secs(self.webhook_timeout),
            max_attempts: self.webhook_max_attempts,
            private_targets: self.webhook_private_targets,
            ..Default::default()
        }
    }
}

/// A rate limit as a flag: `N/PERIOD` (`10/1m`) or `off`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateFlag(pub Option<Rate>);

impl std::fmt::Display for RateFlag {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            Some(rate) => rate.fmt(f),
            None => f.write_str("off"),
        }
    }
}

fn rate(raw: &str) -> Result<RateFlag, String> {
    Rate::parse(raw).map(RateFlag)
}

/// The rate limits (see README "Rate limits"): each `N/PERIOD` (a burst of N, earned
/// back over PERIOD: `10/1m`, `30/10s`) or `off`.
#[derive(Debug, Clone, Args)]
pub struct LimitFlags {
    /// Channel config reads per client address.
    #[arg(long = "limit-config", env = "CANAL_LIMIT_CONFIG", value_parser = rate, default_value_t = RateFlag(Limits::default().config))]
    pub config: RateFlag,
    /// Consent records per client address.
    #[arg(long = "limit-consents", env = "CANAL_LIMIT_CONSENTS", value_parser = rate, default_value_t = RateFlag(Limits::default().consents))]
    pub consents: RateFlag,
    /// New conversations per client address.
    #[arg(long = "limit-conversations", env = "CANAL_LIMIT_CONVERSATIONS", value_parser = rate, default_value_t = RateFlag(Limits::default().conversations))]
    pub conversations: RateFlag,
    /// Other visitor writes (form, identify, rating, withdrawals) per client address.
    #[arg(long = "limit-visitor-writes", env = "CANAL_LIMIT_VISITOR_WRITES", value_parser = rate, default_value_t = RateFlag(Limits::default().visitor_writes))]
    pub visitor_writes: RateFlag,
    /// Everything one visitor token writes, socket hellos included.
    #[arg(long = "limit-per-visitor", env = "CANAL_LIMIT_PER_VISITOR", value_parser = rate, default_value_t = RateFlag(Limits::default().per_visitor))]
    pub per_visitor: RateFlag,
    /// New visitor sockets per client address.
    #[arg(long = "limit-sockets", env = "CANAL_LIMIT_SOCKETS", value_parser = rate, default_value_t = RateFlag(Limits::default().sockets))]
    pub sockets: RateFlag,
    /// Frames (messages, typing) per visitor socket.
    #[arg(long = "limit-socket-frames", env = "CANAL_LIMIT_SOCKET_FRAMES", value_parser = rate, default_value_t = RateFlag(Limits::default().socket_frames))]
    pub socket_frames: RateFlag,
    /// Console sign-ins per client address.
    #[arg(long = "limit-sign-in", env = "CANAL_LIMIT_SIGN_IN", value_parser = rate, default_value_t = RateFlag(Limits::default().sign_in))]
    pub sign_in: RateFlag,
    /// Admin API calls per client address.
    #[arg(long = "limit-admin", env = "CANAL_LIMIT_ADMIN", value_parser = rate, default_value_t = RateFlag(Limits::default().admin))]
    pub admin: RateFlag,
}

impl LimitFlags {
    pub fn limits(&self) -> Limits {
        Limits {
            config: self.config.0,
            consents: self.consents.0,
            conversations: self.conversations.0,
            visitor_writes: self.visitor_writes.0,
            per_visitor: self.per_visitor.0,
            sockets: self.sockets.0,
            socket_frames: self.socket_frames.0,
            sign_in: self.sign_in.0,
            admin: self.admin.0,
        }
    }
}

/// How the server sends e-mail to visitors (transcripts, answers after they left).
/// Without `--smtp-url` it sends none.
#[derive(Debug, Clone, Args)]
pub struct Mail {
    /// The SMTP server: smtp://host:25 (plain, a relay on this machine),
    /// smtp://user:password@host:587?tls=required (STARTTLS) or
    /// smtps://user:password@host:465 (TLS).
    #[arg(long, env = "CANAL_SMTP_URL", value_parser = smtp_url, hide_env_values = true, requires = "mail_from")]
    pub smtp_url: Option<Secret>,
    /// The sender of the mails, as "Name <address>" or an address.
    #[arg(long, env = "CANAL_MAIL_FROM", value_parser = mail_from)]
    pub mail_from: Option<String>,
    /// Seconds after an agent's answer to a visitor who left before it is e-mailed
    /// (answers written meanwhile go in the same mail).
    #[arg(long, env = "CANAL_MAIL_REPLY_DELAY", default_value_t = 120)]
    pub mail_reply_delay: u64,
}

impl Mail {
    /// The sender's options, when mail is on.
    pub fn options(&self) -> Option<crate::mail::MailOptions> {
        let url = self.smtp_url.as_ref()?;
        let mut options =
            crate::mail::MailOptions::new(url.expose(), self.mail_from.clone().unwrap_or_default());
        options.reply_delay = std::time::Duration::from_secs(self.mail_reply_delay);
        Some(options)
    }
}

/// Trusted proxies, as parsed.
#[derive(Debug, Clone, Default)]
pub struct ProxyList(pub Vec<IpNet>);

/// A value that never prints.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl Database {
    /// The URL with any password masked, for messages and the banner.
    pub fn shown(&self) -> String {
        shown_url(self.url.expose())
    }
}

/// `url` with the password of its authority (if any) replaced by `***`.
pub fn shown_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        _ => url.to_owned(),
    }
}

impl Settings {
    /// The database URL.
    pub fn database_url(&self) -> &str {
        self.database.url.expose()
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

fn database_url(raw: &str) -> Result<Secret, String> {
    canal_store::Engine::of_url(raw)
        .map(|_| Secret(raw.to_owned()))
        .map_err(|e| e.to_string())
}

fn smtp_url(raw: &str) -> Result<Secret, String> {
    match url::Url::parse(raw) {
        Ok(url) if matches!(url.scheme(), "smtp" | "smtps") && url.host().is_some() => {
            Ok(Secret(raw.to_owned()))
        }
        _ => Err(
            "the SMTP URL must look like smtp://host:port or smtps://user:password@host:465"
                .to_owned(),
        ),
    }
}

fn mail_from(raw: &str) -> Result<String, String> {
    raw.parse::<lettre::message::Mailbox>()
        .map(|_| raw.to_owned())
        .map_err(|e| format!("the sender must be \"Name <address>\" or an address: {e}"))
}

fn admin_token(raw: &str) -> Result<Secret, String> {
    if raw.len() < 16 {
        return Err("the admin token must be at least 16 characters".to_owned());
    }
    Ok(Secret(raw.to_owned()))
}

fn proxies(raw: &str) -> Result<ProxyList, String> {
    if raw.trim().is_empty() {
        return Ok(ProxyList::default());
    }
    parse_list(raw).map(ProxyList)
}

/// `1`/`true`/`yes` or `0`/`false`/`no` (as CANAL_DEMO=1 has always meant).
fn flag(raw: &str) -> Result<bool, String> {
    match raw.to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Ok(true),
        "0" | "false" | "no" | "off" | "" => Ok(false),
        other => Err(format!("{other:?} is not true or false")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    fn serve(args: &[&str]) -> Result<Settings, clap::Error> {
        let cli = Cli::try_parse_from(["canal", "serve"].iter().chain(args))?;
        match cli.command {
            Command::Serve(settings) => Ok(*settings),
            other => panic!("not serve: {other:?}"),
        }
    }

    #[test]
    fn flags_parse() {
        let s = serve(&["--addr", "127.0.0.1:9001", "--demo"]).expect("valid");
        assert_eq!(s.addr.port(), 9001);
        assert!(s.demo);
        let s = serve(&["--database-url", "postgres://canal:pw@127.0.0.1/canal"]).expect("valid");
        assert_eq!(s.database_url(), "postgres://canal:pw@127.0.0.1/canal");
        assert_eq!(s.database.shown(), "postgres://canal:***@127.0.0.1/canal");
    }

    #[test]
    fn mail_is_off_unless_an_smtp_server_and_a_sender_are_given() {
        assert!(serve(&[]).expect("valid").mail.options().is_none());
        let s = serve(&[
            "--smtp-url",
            "smtps://bot:secret@mail.shop.example:465",
            "--mail-from",
            "Shop <chat@shop.example>",
            "--mail-reply-delay",
            "60",
        ])
        .expect("valid");
        let options = s.mail.options().expect("mail on");
        assert_eq!(options.smtp_url, "smtps://bot:secret@mail.shop.example:465");
        assert_eq!(options.from, "Shop <chat@shop.example>");
        assert_eq!(options.reply_delay, std::time::Duration::from_secs(60));
        // The password never prints.
        assert!(!format!("{s:?}").contains("secret"));
        let err = serve(&["--smtp-url", "smtp://mail.shop.example"])
            .expect_err("no sender")
            .to_string();
        assert!(err.contains("--mail-from"), "{err}");
        let err = serve(&[
            "--smtp-url",
            "mail.shop.example:25",
            "--mail-from",
            "a@b.example",
        ])
        .expect_err("not a URL")
        .to_string();
        assert!(err.contains("smtp://host:port"), "{err}");
        let err = serve(&[
            "--smtp-url",
            "smtp://mail.shop.example",
            "--mail-from",
            "Shop",
        ])
        .expect_err("not an address")
        .to_string();
        assert!(err.contains("Name <address>"), "{err}");
    }

    #[test]
    fn the_phone_patterns_kept_default_to_a_thousand_and_stay_in_range() {
        let s = serve(&[]).expect("valid");
        assert_eq!(s.phone_patterns, 1_000);
        let s = serve(&["--phone-patterns", "100"]).expect("valid");
        assert_eq!(s.phone_patterns, 100);
        for bad in ["99", "5001", "many"] {
            let err = serve(&["--phone-patterns", bad])
                .expect_err("out of range")
                .to_string();
            assert!(err.contains("--phone-patterns"), "{err}");
        }
    }

    #[test]
    fn limits_default_to_the_documented_rates_and_each_can_be_set_or_turned_off() {
        let s = serve(&[]).expect("valid");
        assert_eq!(s.limits.limits(), Limits::default());
        let s = serve(&["--limit-consents", "3/1m", "--limit-admin", "off"]).expect("valid");
        let limits = s.limits.limits();
        assert_eq!(
            limits.consents,
            Some(Rate::new(3, std::time::Duration::from_secs(60)))
        );
        assert_eq!(limits.admin, None);
        let err = serve(&["--limit-consents", "lots"])
            .expect_err("not a rate")
            .to_string();
        assert!(err.contains("N/PERIOD"), "{err}");
    }

    #[test]
    fn bad_arguments_say_what_is_wrong() {
        let err = serve(&["--addr"]).expect_err("missing value").to_string();
        assert!(err.contains("--addr"), "{err}");
        let err = serve(&["--port", "1"]).expect_err("unknown").to_string();
        assert!(err.contains("unexpected argument"), "{err}");
        let err = serve(&["--addr", "nowhere"])
            .expect_err("bad addr")
            .to_string();
        assert!(err.contains("invalid value"), "{err}");
        let err = serve(&["--database-url", "mysql://x"])
            .expect_err("engine")
            .to_string();
        assert!(err.contains("sqlite:// or postgres://"), "{err}");
        let err = serve(&["--admin-token", "short"])
            .expect_err("short")
            .to_string();
        assert!(err.contains("at least 16"), "{err}");
    }

    #[test]
    fn help_lists_every_flag_with_its_environment_variable() {
        let mut cmd = Cli::command();
        let serve = cmd.find_subcommand_mut("serve").expect("serve");
        let help = serve.render_long_help().to_string();
        for (flag, env) in [
            ("--addr", "CANAL_ADDR"),
            ("--database-url", "DATABASE_URL"),
            ("--dist", "CANAL_DIST"),
            ("--public-url", "CANAL_PUBLIC_URL"),
            ("--demo", "CANAL_DEMO"),
            ("--admin-token", "CANAL_ADMIN_TOKEN"),
            ("--trusted-proxies", "CANAL_TRUSTED_PROXIES"),
            ("--smtp-url", "CANAL_SMTP_URL"),
            ("--mail-from", "CANAL_MAIL_FROM"),
            ("--mail-reply-delay", "CANAL_MAIL_REPLY_DELAY"),
            ("--limit-consents", "CANAL_LIMIT_CONSENTS"),
            ("--limit-socket-frames", "CANAL_LIMIT_SOCKET_FRAMES"),
            ("--limit-admin", "CANAL_LIMIT_ADMIN"),
        ] {
            assert!(help.contains(flag), "{flag} missing from:\n{help}");
            assert!(
                help.contains(&format!("env: {env}")),
                "{env} missing from:\n{help}"
            );
        }
    }

    #[test]
    fn secrets_never_print() {
        let s = serve(&["--admin-token", "0123456789abcdef-secret"]).expect("valid");
        let shown = format!("{s:?}");
        assert!(!shown.contains("0123456789abcdef-secret"), "{shown}");
        assert!(shown.contains("<redacted>"));
    }
}
