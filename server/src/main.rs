//! `canal serve`: reads settings, opens the store, serves.

use canal_server::config::{AdminCommand, Cli, Command, ConsentsCommand, Database};
use canal_server::{demo, serve, AppState, Options, Settings, Store};
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() {
    // Logs go to standard error; standard output is the commands' own answer.
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| {
            // PostgreSQL's notices ("relation ... already exists, skipping") are noise.
            EnvFilter::new("info,sqlx::postgres::notice=warn")
        }))
        .init();
    if let Err(message) = run().await {
        eprintln!("canal: {message}");
        std::process::exit(2);
    }
}

async fn run() -> Result<(), String> {
    use clap::Parser;
    let settings = match Cli::parse().command {
        Command::Serve(settings) => *settings,
        Command::Consents {
            command: ConsentsCommand::Verify { database },
        } => return verify(&database).await,
        Command::Admin {
            command:
                AdminCommand::Create {
                    email,
                    name,
                    database,
                },
        } => return create_admin(&database, &email, &name).await,
    };
    let store = open(&settings.database).await?;
    let demo_password = if settings.demo {
        let channel = demo::seed(&store)
            .await
            .map_err(|e| format!("cannot seed the demo channel: {e}"))?;
        let password = demo::seed_agent(&store, &channel)
            .await
            .map_err(|e| format!("cannot seed the demo agent: {e}"))?;
        Some(password)
    } else {
        None
    };
    let has_accounts = store
        .has_agents()
        .await
        .map_err(|e| format!("cannot read the agent accounts: {e}"))?;
    let listener = tokio::net::TcpListener::bind(settings.addr)
        .await
        .map_err(|e| {
            format!(
                "cannot listen on {}: {e} (choose another with --addr)",
                settings.addr
            )
        })?;
    let bound = listener
        .local_addr()
        .map_err(|e| format!("cannot read the bound address: {e}"))?;
    let public_url = settings.public_url(bound);
    if !settings.dist_dir.join("index.html").is_file() {
        tracing::warn!(
            dist = %settings.dist_dir.display(),
            "the widget frame is not built; run `cargo xtask build-widget`"
        );
    }
    let (admin_hash, generated) = canal_server::admin::ensure_token(
        &store,
        settings.admin_token.as_ref().map(|t| t.expose()),
    )
    .await
    .map_err(|e| format!("cannot prepare the admin token: {e}"))?;
    let state = AppState::new(
        store,
        Options {
            dist_dir: settings.dist_dir.clone(),
            public_url: public_url.clone(),
            demo: settings.demo,
            admin_token_sha256: admin_hash,
            trusted_proxies: settings.trusted_proxies.0.clone(),
            mail: settings.mail.options(),
            limits: settings.limits.limits(),
            timers_look_every: None,
            deliveries: settings.deliveries.options(),
            phone_patterns: usize::try_from(settings.phone_patterns).ok(),
        },
    )
    .await
    .map_err(|e| format!("cannot start: {e}"))?;
    print_banner(&settings, bound, &public_url);
    if let Some(token) = generated {
        println!(
            "Admin API token (shown once; only its hash is stored):\n  {token}\n\
             Send it as `Authorization: Bearer <token>` to /api/v1/admin/..., or set CANAL_ADMIN_TOKEN.\n"
        );
    }
    if !has_accounts {
        println!(
            "No console account yet. Create the first admin (same --database-url), then sign in:\n  \
             canal admin create --email you@example.com --name \"Your Name\"\n  \
             {public_url}/console/\n\
             Then add your site's channel in the console's Settings (or POST /api/v1/admin/channels) \
             and paste its snippet into your pages.\n"
        );
    }
    if let Some(password) = demo_password {
        println!(
            "Agent console: {public_url}/console/\n  e-mail:   {}\n  password: {password}   (new on every start)\n",
            demo::AGENT_EMAIL
        );
    }
    println!("Stop with Ctrl+C.");
    serve(listener, state, stop_signal())
        .await
        .map_err(|e| format!("server stopped: {e}"))
}

/// Ctrl+C (SIGINT) or SIGTERM (what systemd and container runtimes send to stop a
/// service): either starts the graceful stop.
async fn stop_signal() {
    use tokio::signal::unix::{signal, SignalKind};
    match signal(SignalKind::terminate()) {
        Ok(mut terminate) => {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = terminate.recv() => {}
            }
        }
        Err(e) => {
            tracing::warn!(error = %e, "cannot listen for SIGTERM; Ctrl+C still stops the server");
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

/// Opens (and migrates) the store, or says what to check.
async fn open(database: &Database) -> Result<Store, String> {
    Store::open(database.url.expose()).await.map_err(|e| {
        format!(
            "cannot open the database {}: {e}\n  check that it is reachable and the user may create tables; \
             for SQLite, that the directory is writable",
            database.shown()
        )
    })
}

/// `canal admin create`: an admin account with a generated password, printed once.
async fn create_admin(database: &Database, email: &str, name: &str) -> Result<(), String> {
    let store = open(database).await?;
    let password = canal_server::agents::create_admin(&store, email, name)
        .await
        .map_err(|e| format!("cannot create the admin: {}", e.public().1))?;
    println!(
        "Admin {email} created. Password (shown once; a new one is set with PATCH /api/v1/admin/agents/{{id}}):\n  {password}"
    );
    Ok(())
}

/// `canal consents verify`: walks the hash chain. Exit 0 when intact, 1 with the
/// first broken record otherwise.
async fn verify(database: &Database) -> Result<(), String> {
    let store = open(database).await?;
    let verified = store
        .verify_ledger()
        .await
        .map_err(|e| format!("cannot read the ledger: {e}"))?;
    match verified.broken {
        None => {
            println!(
                "ok: {} consent records, chain intact, head {}",
                verified.records, verified.head
            );
            Ok(())
        }
        Some(broken) => {
            println!(
                "BROKEN at record {} (id {}): {}\n{} records are intact before it; last good hash {}",
                broken.seq,
                broken.id,
                broken.reason,
                broken.seq - 1,
                verified.head
            );
            std::process::exit(1);
        }
    }
}

fn print_banner(settings: &Settings, bound: std::net::SocketAddr, public_url: &str) {
    println!(
        "\nCanal is listening on http://{bound}  (database: {})",
        settings.database.shown()
    );
    println!("  health:     {public_url}/healthz");
    match &settings.mail.smtp_url {
        Some(url) => println!(
            "  e-mail:     via {} as {}",
            canal_server::config::shown_url(url.expose()),
            settings.mail.mail_from.as_deref().unwrap_or_default()
        ),
        None => println!(
            "  e-mail:     off (set CANAL_SMTP_URL and CANAL_MAIL_FROM to send transcripts)"
        ),
    }
    if settings.demo {
        // The demo page is opened under another host name than the snippet's, so the
        // page and the widget are different origins, as on a customer's site.
        let page_host = if bound.ip().is_loopback() && public_url.contains("127.0.0.1") {
            format!("http://localhost:{}", bound.port())
        } else {
            public_url.to_owned()
        };
        println!("  demo page:  {page_host}/demo/   <- open this in a browser");
        println!("\nPaste this snippet before </body> on your site:\n");
        println!("  {}\n", demo::snippet(public_url, demo::CHANNEL_KEY));
    }
}
