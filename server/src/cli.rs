//! The command line: `serve` (the default) and the docket administration subcommands.

use crate::config::Config;
use crate::{app, AppState};
use anyhow::{Context, Result};
use chrono::{DateTime, Utc};
use clap::{Args, Parser, Subcommand};
use opendocket_core::accounts::{AccountControl, Actor};
use opendocket_core::attachment::files::AttachmentFiles;
use opendocket_core::clock::{Clock, SharedClock, SystemClock};
use opendocket_core::demo::{create_demo_docket_on_first_start, DEMO_DOCKET_ID};
use opendocket_core::docket::{
    parse_document_file, DocketDraft, DocketId, DraftField, NewDocket, NewDocument,
};
use opendocket_core::roles::{Role, StaffError};
use opendocket_core::search::index::SearchIndex;
use opendocket_core::search::{rebuild_index, SearchError, SearchService};
use opendocket_core::services::Services;
use opendocket_core::store::{DocketRecord, DocketSwitch, Store};
use opendocket_core::window::{format_deadline, format_in_zone};
use std::path::PathBuf;
use std::sync::Arc;

#[derive(Debug, Parser)]
#[command(name = "opendocket", version, about = "Runs public comment periods.")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the web application (the default).
    Serve,
    /// Create, list and inspect dockets.
    #[command(subcommand)]
    Docket(DocketCommand),
    /// Manage staff accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Manage keys for the regulations.gov v4-compatible API under /v4.
    #[command(subcommand)]
    Apikey(ApiKeyCommand),
    /// Rebuild the search index from the database, with a progress bar. Stop the server first:
    /// it holds the index while it runs.
    Reindex,
    /// Write a docket's summary as of now (the staff version) to standard output or a file.
    Summary {
        /// Docket id, such as FTC-2023-0018.
        id: String,
        /// markdown, json or csv (one row per comment).
        #[arg(long, default_value = "markdown", value_parser = ["markdown", "json", "csv"])]
        format: String,
        /// Write to this file instead of standard output.
        #[arg(long)]
        output: Option<std::path::PathBuf>,
        /// Instead: keep the public version of the summary as it is now and link it from the
        /// docket's public page (what an admin's "Publish" does).
        #[arg(long)]
        publish: bool,
    },
    /// Import comments into a docket: regulations.gov v4 comment JSON (a file, a .jsonl file of
    /// them, or a Mirrulations directory), which arrive posted as published, or a CSV of paper
    /// comments, which arrive pending. Importing the same files again adds nothing. Exits with 2
    /// when some rows were rejected (they are listed with their reasons).
    Import {
        /// A .json, .jsonl or .csv file, or a directory searched for them.
        path: PathBuf,
        /// The docket to import into, such as FTC-2023-0018 (create it first).
        #[arg(long)]
        docket: String,
    },
    /// Print the text of one attached file (the server runs this in a separate process, limited
    /// in time and memory, for each new attachment).
    #[command(hide = true)]
    ExtractText {
        /// pdf, docx, rtf or txt.
        #[arg(long)]
        kind: String,
        path: std::path::PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add a staff account; the password is read from standard input (one line).
    Add {
        #[arg(long)]
        email: String,
        /// admin, moderator or analyst.
        #[arg(long)]
        role: String,
    },
    /// Disable an account: its open sessions stop working at once.
    Disable {
        #[arg(long)]
        email: String,
    },
    /// Let a disabled account sign in again.
    Enable {
        #[arg(long)]
        email: String,
    },
    /// Change an account's role.
    Role {
        #[arg(long)]
        email: String,
        /// admin, moderator or analyst.
        #[arg(long)]
        role: String,
    },
    /// End every sign-in lock on an account (on every instance).
    Unlock {
        #[arg(long)]
        email: String,
    },
    /// End every open session of an account.
    Sessions {
        #[arg(long)]
        email: String,
    },
    /// Set a new password, read from standard input (one line); ends its sessions and locks.
    Reset {
        #[arg(long)]
        email: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum ApiKeyCommand {
    /// Make a key and print it (it is shown only this once).
    Create {
        /// Who or what uses the key, such as "State University research lab".
        #[arg(long)]
        name: String,
        /// Requests an hour for this key (default: OPENDOCKET_API_KEY_LIMIT, 1,000).
        #[arg(long)]
        limit: Option<i64>,
    },
    /// List the keys (never the keys themselves).
    List,
    /// Revoke a key for good, by the number `list` shows.
    Revoke { id: i64 },
}

#[derive(Debug, Subcommand)]
pub enum DocketCommand {
    /// Create a docket with its document and comment window.
    Create(CreateDocket),
    /// List every docket with its window.
    List,
    /// Show one docket's window and state.
    Show { id: String },
    /// Ask every commenter's browser for a proof of work (on), or only crowded networks' (off).
    ProofOfWork {
        id: String,
        #[arg(value_parser = ["on", "off"])]
        setting: String,
    },
    /// Have comments that give an e-mail address confirmed by e-mail (needs OPENDOCKET_SMTP_URL).
    EmailConfirmation {
        id: String,
        #[arg(value_parser = ["on", "off"])]
        setting: String,
    },
}

#[derive(Debug, Args)]
pub struct CreateDocket {
    /// Docket id, such as FTC-2023-0018.
    #[arg(long)]
    pub id: String,
    #[arg(long)]
    pub title: String,
    /// The agency's name, such as "Federal Trade Commission".
    #[arg(long)]
    pub agency: String,
    /// IANA time zone of the agency's deadlines, such as America/New_York.
    #[arg(long)]
    pub time_zone: String,
    /// When the window opens (RFC 3339, such as 2023-03-14T09:00:00-04:00).
    #[arg(long)]
    pub opens_at: String,
    /// Last day for comments on the agency's calendar; the window closes at 23:59:59 that day.
    /// Without it (and without --closes-at) the window runs 30 days.
    #[arg(long, conflicts_with = "closes_at")]
    pub due_date: Option<String>,
    /// The exact instant the window closes (RFC 3339).
    #[arg(long)]
    pub closes_at: Option<String>,
    /// Markdown file with the document, optionally opened by TOML front matter between +++ lines
    /// (title, summary, federal_register).
    #[arg(long)]
    pub document: Option<PathBuf>,
    /// Accept comments after the deadline, marked late.
    #[arg(long)]
    pub allow_late: bool,
}

impl CreateDocket {
    pub fn to_new_docket(&self) -> Result<NewDocket> {
        let draft = DocketDraft {
            id: self.id.clone(),
            title: self.title.clone(),
            agency_name: self.agency.clone(),
            time_zone: self.time_zone.clone(),
            opens_at: self.opens_at.clone(),
            due_date: self.due_date.clone().unwrap_or_default(),
            closes_at: self.closes_at.clone().unwrap_or_default(),
            allow_late: self.allow_late,
        };
        let document = match &self.document {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .with_context(|| format!("could not read {}", path.display()))?;
                parse_document_file(&text, self.title.trim())
                    .with_context(|| format!("in {}", path.display()))?
            }
            None => NewDocument {
                title: String::new(),
                summary: String::new(),
                body_markdown: String::new(),
                federal_register_citation: None,
            },
        };
        draft.parse(document).map_err(|e| {
            let flag = match e.field {
                DraftField::Id => "--id",
                DraftField::Title => "--title",
                DraftField::Agency => "--agency",
                DraftField::TimeZone => "--time-zone",
                DraftField::OpensAt => "--opens-at",
                DraftField::DueDate => "--due-date",
                DraftField::ClosesAt => "--closes-at",
            };
            anyhow::anyhow!("{flag}: {e}")
        })
    }
}

async fn open_store(config: &Config) -> Result<Store> {
    if config.database_url.starts_with("sqlite:") {
        std::fs::create_dir_all(&config.data_dir).with_context(|| {
            format!(
                "could not create the data directory {}",
                config.data_dir.display()
            )
        })?;
    }
    Store::open_with_pool_size(&config.database_url, config.pool_size)
        .await
        .context("could not open the database")
}

pub async fn run(cli: Cli) -> Result<()> {
    let config = Config::from_env()?;
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(config).await,
        Command::Docket(command) => docket(config, command).await,
        Command::User(command) => user(config, command).await,
        Command::Apikey(command) => apikey(config, command).await,
        Command::Reindex => reindex(config).await,
        Command::Summary {
            id,
            format,
            output,
            publish,
        } => summary(config, &id, &format, output, publish).await,
        Command::ExtractText { kind, path } => extract_text(&kind, &path),
        Command::Import { path, docket } => import(config, &path, &docket).await,
    }
}

/// Every importable file under `path` (or `path` itself), in name order.
fn importable_files(path: &std::path::Path) -> Result<Vec<PathBuf>> {
    use opendocket_core::import::ImportFile;
    if !path.is_dir() {
        anyhow::ensure!(
            path.exists(),
            "there is no file or directory {}",
            path.display()
        );
        return Ok(vec![path.to_owned()]);
    }
    let mut files = Vec::new();
    let mut directories = vec![path.to_owned()];
    while let Some(directory) = directories.pop() {
        let entries = std::fs::read_dir(&directory)
            .with_context(|| format!("could not read {}", directory.display()))?;
        for entry in entries {
            let entry = entry?.path();
            if entry.is_dir() {
                directories.push(entry);
            } else if ImportFile::of(&entry.to_string_lossy()).is_some() {
                files.push(entry);
            }
        }
    }
    files.sort();
    Ok(files)
}

async fn import(config: Config, path: &std::path::Path, docket: &str) -> Result<()> {
    use opendocket_core::import::{import_file, ImportReport};
    let id = DocketId::parse(docket).with_context(|| format!("docket id {docket:?}"))?;
    let store = open_store(&config).await?;
    let (_, zone) = store.docket_title_and_zone(&id).await?.with_context(|| {
        format!("there is no docket {id}; create it first with `opendocket docket create` (its window may be in the past)")
    })?;
    let files = importable_files(path)?;
    let bar = indicatif::ProgressBar::new(files.len() as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} files {msg}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let mut report = ImportReport::default();
    for file in &files {
        let bytes =
            std::fs::read(file).with_context(|| format!("could not read {}", file.display()))?;
        let name = file
            .strip_prefix(path)
            .ok()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(file)
            .to_string_lossy()
            .into_owned();
        import_file(
            &store,
            id.as_str(),
            zone,
            &name,
            &bytes,
            chrono::Utc::now(),
            &mut report,
        )
        .await?;
        bar.set_message(format!("{} comments imported", report.imported));
        bar.inc(1);
    }
    bar.finish_and_clear();
    println!(
        "Imported {} comments into {id}; {} were already there; {} rejected.",
        report.imported,
        report.already_there,
        report.rejected.len()
    );
    for rejected in &report.rejected {
        println!("  {}: {}", rejected.source, rejected.reason);
    }
    if !report.rejected.is_empty() {
        std::process::exit(2);
    }
    Ok(())
}

async fn apikey(config: Config, command: ApiKeyCommand) -> Result<()> {
    let store = open_store(&config).await?;
    let now = chrono::Utc::now();
    match command {
        ApiKeyCommand::Create { name, limit } => {
            let (key, secret) = store
                .create_api_key(&name, limit, &Actor::CommandLine, now)
                .await?;
            println!("{secret}");
            eprintln!(
                "Made API key {} for {}. Keep it now: it is not shown again. Send it as the X-Api-Key header or the api_key parameter.",
                key.id, key.name
            );
        }
        ApiKeyCommand::List => {
            for key in store.api_keys().await? {
                let limit = key
                    .hourly_limit
                    .map_or_else(|| "default limit".to_owned(), |n| format!("{n} an hour"));
                let state = key.revoked_at.map_or_else(
                    || "in use".to_owned(),
                    |t| format!("revoked {}", t.to_rfc3339()),
                );
                println!(
                    "{}\t{}\t{limit}\tmade {}\t{state}",
                    key.id,
                    key.name,
                    key.created_at.to_rfc3339()
                );
            }
        }
        ApiKeyCommand::Revoke { id } => {
            anyhow::ensure!(
                store.revoke_api_key(id, &Actor::CommandLine, now).await?,
                "there is no key {id} in use"
            );
            println!("Revoked API key {id}.");
        }
    }
    Ok(())
}

fn extract_text(kind: &str, path: &std::path::Path) -> Result<()> {
    use opendocket_core::attachment::extract::{extract_text, MAX_TEXT_BYTES};
    use opendocket_core::attachment::AttachmentKind;
    let kind = AttachmentKind::parse(kind).with_context(|| format!("unknown kind {kind:?}"))?;
    let bytes =
        std::fs::read(path).with_context(|| format!("could not read {}", path.display()))?;
    let text = extract_text(kind, &bytes)?;
    let mut end = text.len().min(MAX_TEXT_BYTES as usize);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    std::io::Write::write_all(&mut std::io::stdout(), &text.as_bytes()[..end])?;
    Ok(())
}

async fn summary(
    config: Config,
    id: &str,
    format: &str,
    output: Option<std::path::PathBuf>,
    publish: bool,
) -> Result<()> {
    use opendocket_core::api::export::{write_staff_comments, ExportFormat};
    use opendocket_core::summary::{Audience, SummaryReason};
    let id = DocketId::parse(id).with_context(|| format!("docket id {id:?}"))?;
    let store = open_store(&config).await?;
    if publish {
        anyhow::ensure!(
            store.docket_title_and_zone(&id).await?.is_some(),
            "there is no docket {id}"
        );
        let now = chrono::Utc::now();
        store
            .save_summary(
                id.as_str(),
                SummaryReason::Published,
                &Actor::CommandLine,
                now,
            )
            .await?;
        println!("Published the summary of {id}: it is at /dockets/{id}/summary.");
        return Ok(());
    }
    let mut out: Box<dyn std::io::Write> = match &output {
        Some(path) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(path)
                .with_context(|| format!("could not create {}", path.display()))?,
        )),
        None => Box::new(std::io::stdout().lock()),
    };
    let summary = store
        .docket_summary(&id, Audience::Staff, chrono::Utc::now())
        .await?
        .with_context(|| format!("there is no docket {id}"))?;
    match format {
        "csv" => {
            let mut failed = None;
            write_staff_comments(&store, id.as_str(), ExportFormat::Csv, |chunk| {
                if let Err(error) = out.write_all(&chunk) {
                    failed = Some(error);
                }
                std::future::ready(failed.is_none())
            })
            .await?;
            if let Some(error) = failed {
                return Err(error.into());
            }
        }
        "json" => serde_json::to_writer_pretty(&mut out, &summary)?,
        _ => out.write_all(summary.to_markdown().as_bytes())?,
    }
    out.flush()?;
    if let Some(path) = output {
        eprintln!("Wrote the summary of {id} to {}.", path.display());
    }
    Ok(())
}

async fn serve(config: Config) -> Result<()> {
    let store = open_store(&config).await?;
    let clock: SharedClock = Arc::new(SystemClock);
    let search = SearchService::start(store.clone(), &config.index_dir())
        .await
        .context("could not open the search index")?;
    let files = AttachmentFiles::new(config.attachments_dir());
    let form_tokens = store
        .form_token_key()
        .await
        .context("could not read the form-token key")?;
    let mut services = Services::new(store, clock.clone(), search, files, form_tokens);
    services.proof_of_work_bits = config.proof_of_work_bits;
    if config.demo_docket && create_demo_docket_on_first_start(&services.store, clock.now()).await?
    {
        println!(
            "First start: created the demo docket {DEMO_DOCKET_ID} (BetterHelp), open for 30 days."
        );
    }
    tokio::spawn(services.scheduler.clone().run());
    tokio::spawn(
        services
            .store
            .clone()
            .checkpoint_wal_continually(std::time::Duration::from_millis(200)),
    );
    if let Some(mailer) = config.mailer.clone() {
        tokio::spawn(mailer.run(services.store.clone(), services.clock.clone()));
    }
    tokio::spawn(opendocket_core::campaign::place_waiting_comments(
        services.store.clone(),
        services.clock.clone(),
        services.receipts.clone(),
    ));
    let extractor = opendocket_core::attachment_worker::Extractor {
        program: std::env::current_exe().context("could not find the opendocket binary")?,
    };
    tokio::spawn(
        opendocket_core::attachment_worker::sweep_unreferenced_files_hourly(
            services.store.clone(),
            services.attachments.clone(),
        ),
    );
    tokio::spawn(opendocket_core::accounts::purge_expired_sessions_hourly(
        services.store.clone(),
        services.clock.clone(),
    ));
    tokio::spawn(opendocket_core::attachment_worker::extract_waiting_texts(
        services.store.clone(),
        services.attachments.clone(),
        extractor,
        services.clock.clone(),
    ));
    let listener = tokio::net::TcpListener::bind(config.site_addr)
        .await
        .with_context(|| {
            format!(
                "could not listen on {} (set LEPTOS_SITE_ADDR)",
                config.site_addr
            )
        })?;
    let state = AppState::new(&config, services);
    if let Some(assets) = state.assets.clone() {
        tokio::spawn(async move { assets.compress_all().await });
    }
    println!("OpenDocket is running at http://{}/", config.site_addr);
    println!("Data directory: {}", config.data_dir.display());
    println!(
        "Staff sign in at http://{}/staff/login. Create the first admin with:\n  \
         echo 'a long passphrase' | opendocket user add --email you@agency.gov --role admin",
        config.site_addr
    );
    crate::http::serve(listener, app(state), config.http, shutdown_signal()).await;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
}

fn password_from_stdin() -> Result<String> {
    let mut password = String::new();
    std::io::stdin()
        .read_line(&mut password)
        .context("could not read the password from standard input")?;
    Ok(password.trim_end_matches(['\n', '\r']).to_owned())
}

fn parse_role(role: &str) -> Result<Role> {
    Ok(Role::parse(role).ok_or_else(|| StaffError::UnknownRole(role.to_owned()))?)
}

async fn control(config: &Config, email: &str, change: AccountControl) -> Result<()> {
    let store = open_store(config).await?;
    store
        .control_staff_user(email, &change, &Actor::CommandLine, SystemClock.now())
        .await?;
    Ok(())
}

async fn user(config: Config, command: UserCommand) -> Result<()> {
    let done = |what: &str, email: &str| println!("{what} {}.", email.trim().to_lowercase());
    match command {
        UserCommand::Disable { email } => {
            control(&config, &email, AccountControl::Disable).await?;
            done("Disabled (and signed out)", &email);
        }
        UserCommand::Enable { email } => {
            control(&config, &email, AccountControl::Enable).await?;
            done("Enabled", &email);
        }
        UserCommand::Role { email, role } => {
            let role = parse_role(&role)?;
            control(&config, &email, AccountControl::Role(role)).await?;
            done(&format!("Made {} of", role.as_str()), &email);
        }
        UserCommand::Unlock { email } => {
            control(&config, &email, AccountControl::Unlock).await?;
            done("Ended the sign-in locks of", &email);
        }
        UserCommand::Sessions { email } => {
            control(&config, &email, AccountControl::EndSessions).await?;
            done("Ended the sessions of", &email);
        }
        UserCommand::Reset { email } => {
            let password = password_from_stdin()?;
            control(&config, &email, AccountControl::ResetPassword(password)).await?;
            done("Set a new password for", &email);
        }
        UserCommand::Add { email, role } => {
            let role = parse_role(&role)?;
            let password = password_from_stdin()?;
            let password = password.as_str();
            let store = open_store(&config).await?;
            store
                .add_staff_user(
                    &email,
                    role,
                    password,
                    &Actor::CommandLine,
                    SystemClock.now(),
                )
                .await?;
            println!(
                "Added {} as {}. Sign in at /staff/login.",
                email.trim().to_lowercase(),
                role.as_str()
            );
        }
    }
    Ok(())
}

fn describe(record: &DocketRecord, now: DateTime<Utc>) -> String {
    let zone = record.agency.time_zone;
    let w = &record.window;
    format!(
        "{id}\n  title:     {title}\n  agency:    {agency} ({code}), time zone {zone}\n  document:  {doc}\n  \
         opens:     {opens} ({opens_utc})\n  closes:    {closes} ({closes_utc})\n  late:      {late}\n  proof of work asked of: {work}\n  confirmed by e-mail: {mail}\n  \
         state:     {state} (scheduler recorded: {recorded})\n  comments:  {count} received\n",
        id = record.id,
        title = record.title,
        agency = record.agency.name,
        code = record.agency.code,
        doc = record.document.id,
        opens = format_in_zone(w.opens_at, zone),
        opens_utc = w.opens_at.to_rfc3339(),
        closes = format_deadline(w.closes_at, zone),
        closes_utc = w.closes_at.to_rfc3339(),
        late = if w.allow_late { "accepted, marked late" } else { "refused" },
        work = if record.ask_proof_of_work { "every browser" } else { "crowded networks" },
        mail = if record.confirm_by_email { "yes, when an e-mail address is given" } else { "no" },
        state = w.state_at(now).as_str(),
        recorded = record.recorded_state.as_str(),
        count = record.comments_received,
    )
}

async fn docket(config: Config, command: DocketCommand) -> Result<()> {
    let now = SystemClock.now();
    match command {
        DocketCommand::Create(args) => {
            let new = args.to_new_docket()?;
            let store = open_store(&config).await?;
            store.create_docket(&new, &Actor::CommandLine, now).await?;
            let record = store
                .docket(&new.id)
                .await?
                .context("the docket vanished after it was created")?;
            print!("Created {}", describe(&record, now));
        }
        DocketCommand::List => {
            let store = open_store(&config).await?;
            let dockets = store.list_dockets().await?;
            if dockets.is_empty() {
                println!("No dockets.");
            }
            for record in dockets {
                println!(
                    "{:<20} {:<9} closes {:<36} {}",
                    record.id.as_str(),
                    record.window.state_at(now).as_str(),
                    format_deadline(record.window.closes_at, record.agency.time_zone),
                    record.title
                );
            }
        }
        DocketCommand::Show { id } => {
            let id = DocketId::parse(&id).with_context(|| format!("docket id {id:?}"))?;
            let store = open_store(&config).await?;
            let record = store
                .docket(&id)
                .await?
                .with_context(|| format!("there is no docket {id}"))?;
            print!("{}", describe(&record, now));
        }
        DocketCommand::ProofOfWork { id, setting } => {
            let on = setting == "on";
            switch_docket(&config, &id, DocketSwitch::ProofOfWork, on, now).await?;
            println!(
                "{id}: a proof of work is now asked of {}.",
                if on {
                    "every browser"
                } else {
                    "crowded networks only"
                }
            );
        }
        DocketCommand::EmailConfirmation { id, setting } => {
            let on = setting == "on";
            if on && config.mailer.is_none() {
                anyhow::bail!("{}", crate::mail::NO_MAIL);
            }
            switch_docket(&config, &id, DocketSwitch::EmailConfirmation, on, now).await?;
            println!(
                "{id}: comments that give an e-mail address are {} confirmed by e-mail.",
                if on { "now" } else { "no longer" }
            );
        }
    }
    Ok(())
}

async fn switch_docket(
    config: &Config,
    id: &str,
    switch: DocketSwitch,
    on: bool,
    now: DateTime<Utc>,
) -> Result<()> {
    let id = DocketId::parse(id).with_context(|| format!("docket id {id:?}"))?;
    let store = open_store(config).await?;
    store
        .docket(&id)
        .await?
        .with_context(|| format!("there is no docket {id}"))?;
    store
        .set_docket_switch(&id, switch, on, &Actor::CommandLine, now)
        .await?;
    Ok(())
}

async fn reindex(config: Config) -> Result<()> {
    let store = open_store(&config).await?;
    let dir = config.index_dir();
    let (index, _) = {
        let dir = dir.clone();
        tokio::task::spawn_blocking(move || SearchIndex::open_or_create(&dir)).await??
    };
    let index = Arc::new(index);
    let writer = match index.index().writer(256 * 1024 * 1024) {
        Ok(writer) => writer,
        Err(error) => {
            return Err(match SearchError::from(error) {
                SearchError::Locked => anyhow::anyhow!(
                    "the search index in {} is in use: stop the server first",
                    dir.display()
                ),
                other => other.into(),
            })
        }
    };
    let bar = indicatif::ProgressBar::new(store.comment_total().await?);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{bar:40} {pos}/{len} comments ({per_sec}, {eta} left)",
        )
        .context("progress bar template")?,
    );
    let started = std::time::Instant::now();
    let (writer, _) = rebuild_index(&store, &index, writer, |done, total| {
        bar.set_length(total);
        bar.set_position(done);
    })
    .await?;
    bar.finish();
    drop(writer);
    println!(
        "Indexed {} comments in {:.1} s into {}.",
        index.num_docs(),
        started.elapsed().as_secs_f64(),
        dir.display()
    );
    Ok(())
}
