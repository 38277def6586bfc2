//! The command line of API.md: `serve`, `agent create`, `digest`,
//! `documents-expiry`, `creche-jobs`, `calendar update`.

use std::path::{Path, PathBuf};

use clap::{Parser, Subcommand};
use marelle_domain::accounts::Role;

use crate::compose::{self, DataDir, Options};
use crate::web::Serve;

#[derive(Parser)]
#[command(
    name = "marelle",
    version,
    about = "Portail famille Marelle, en un seul processus (SQLite, dossier, boîte d'envoi)."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Serves the portal (API and web app) on one address.
    Serve(Serve),
    /// Back-office accounts.
    Agent {
        #[command(subcommand)]
        command: AgentCommand,
    },
    /// Activity staff accounts (attendance only).
    Staff {
        #[command(subcommand)]
        command: StaffCommand,
    },
    /// Runs the processing digest for the window closed at INSTANT
    /// (13:00 or 18:00 Europe/Paris at or before it).
    Digest {
        /// RFC 3339 instant, e.g. 2026-11-28T13:00:00+01:00.
        #[arg(long)]
        at: String,
        #[command(flatten)]
        data: DataDir,
    },
    /// Runs the daily job of supporting documents once: the expiry e-mails
    /// due (each sent once), then the deletion of the documents refused,
    /// replaced or cancelled longer ago than the retention.
    DocumentsExpiry {
        /// RFC 3339 instant the run is for (default: now), e.g.
        /// 2026-12-07T07:00:00+01:00.
        #[arg(long)]
        at: Option<String>,
        #[command(flatten)]
        data: DataDir,
    },
    /// Runs the crèche's daily job once: renewal reminders, applications
    /// not confirmed closed, offers past their deadline recorded as lapsed
    /// (each step once).
    CrecheJobs {
        /// RFC 3339 instant the run is for (default: now), e.g.
        /// 2026-12-07T07:00:00+01:00.
        #[arg(long)]
        at: Option<String>,
        #[command(flatten)]
        data: DataDir,
    },
    /// The school calendar shipped with the portal.
    Calendar {
        #[command(subcommand)]
        command: CalendarCommand,
    },
}

#[derive(Subcommand)]
pub enum CalendarCommand {
    /// Rewrites the school holidays file from the official open-data export
    /// (data.education.gouv.fr, « fr-en-calendrier-scolaire », CSV with
    /// « ; »): zones A, B, C and Corse, pupils only.
    Update {
        /// The export downloaded from data.education.gouv.fr.
        #[arg(long)]
        from: PathBuf,
        /// The file to write (the one compiled into the portal by default:
        /// rebuild afterwards).
        #[arg(long, default_value = DEFAULT_CALENDAR)]
        out: PathBuf,
    },
}

/// The shipped school holidays, from the repository's root.
pub const DEFAULT_CALENDAR: &str = "shared/domain/data/vacances-scolaires.csv";

/// Largest export read (the full official file is about 1 MB).
const MAX_EXPORT_BYTES: u64 = 32 * 1024 * 1024;

/// `marelle calendar update`: reads, converts, and only then writes (next
/// to the target, then renamed), so a malformed export changes nothing.
pub fn update_calendar(from: &Path, out: &Path) -> Result<String, String> {
    let shown = from.display();
    let size = std::fs::metadata(from)
        .map_err(|e| format!("{shown} : lecture impossible ({e})"))?
        .len();
    if size > MAX_EXPORT_BYTES {
        return Err(format!(
            "{shown} : fichier trop gros ({size} octets, {MAX_EXPORT_BYTES} au plus)"
        ));
    }
    let bytes = std::fs::read(from).map_err(|e| format!("{shown} : lecture impossible ({e})"))?;
    let text =
        String::from_utf8(bytes).map_err(|_| format!("{shown} : le fichier n'est pas en UTF-8"))?;
    let csv = marelle_domain::school_calendar::from_official(&text)
        .map_err(|e| format!("{shown} : {e}"))?;
    let holidays =
        marelle_domain::school_calendar::parse(&csv).map_err(|e| format!("{shown} : {e}"))?;
    let tmp = out.with_extension("csv.tmp");
    std::fs::write(&tmp, &csv)
        .map_err(|e| format!("{} : écriture impossible ({e})", tmp.display()))?;
    std::fs::rename(&tmp, out).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        format!("{} : écriture impossible ({e})", out.display())
    })?;
    let years: std::collections::BTreeSet<&str> =
        holidays.iter().map(|h| h.school_year.as_str()).collect();
    Ok(format!(
        "{} vacances écrites dans {} (années scolaires {}) : recompilez le portail pour les prendre en compte.",
        holidays.len(),
        out.display(),
        years.into_iter().collect::<Vec<_>>().join(", ")
    ))
}

#[derive(Subcommand)]
pub enum AgentCommand {
    /// Creates a back-office (agent) account, active at once.
    Create {
        #[arg(long)]
        email: String,
        #[arg(long)]
        password: String,
        #[arg(long, default_value = "Agent")]
        first_name: String,
        #[arg(long, default_value = "Mairie")]
        last_name: String,
        #[command(flatten)]
        data: DataDir,
        /// Create the account in a deployed portal's DynamoDB table instead
        /// (the stack's `TableName` output), with the AWS credentials and
        /// region of the environment.
        #[arg(long, env = "MARELLE_TABLE")]
        aws_table: Option<String>,
    },
}

#[derive(Subcommand)]
pub enum StaffCommand {
    /// Creates an activity staff account, active at once, taking
    /// attendance for the activities given (`--activity` repeated, at most
    /// 50; an agent changes them later with `PUT /api/attendance/staff/{id}`).
    Create {
        #[arg(long)]
        email: String,
        #[arg(long)]
        password: String,
        #[arg(long, default_value = "Animation")]
        first_name: String,
        #[arg(long, default_value = "Périscolaire")]
        last_name: String,
        /// An activity id (repeat for several).
        #[arg(long = "activity", required = true)]
        activities: Vec<String>,
        #[command(flatten)]
        data: DataDir,
        /// Create the account in a deployed portal's DynamoDB table instead.
        #[arg(long, env = "MARELLE_TABLE")]
        aws_table: Option<String>,
    },
}

pub async fn run(cli: Cli) -> Result<(), String> {
    match cli.command {
        Command::Digest { at, data } => {
            let at = chrono::DateTime::parse_from_rfc3339(at.trim())
                .map_err(|_| {
                    format!(
                        "--at {at} : instant RFC 3339 attendu (exemple : 2026-11-28T13:00:00+01:00)"
                    )
                })?
                .with_timezone(&chrono::Utc);
            // A window is processed once it has closed: a run for a window
            // still open would send it early, and the scheduled run would
            // then find nothing left to send.
            if at > chrono::Utc::now() + chrono::Duration::minutes(1) {
                return Err(format!(
                    "--at {} est dans le futur : l'accusé de traitement d'une fenêtre part une fois celle-ci fermée (13:00 ou 18:00).",
                    at.with_timezone(&marelle_domain::time::ZONE)
                        .format("%d/%m/%Y %H:%M")
                ));
            }
            let local = compose::build(&Options::offline(data.data))?;
            let report = marelle_api::jobs::digest::run_once(
                &local.state,
                at,
                marelle_api::jobs::digest::Options::of(&local.state),
            )
            .await
            .map_err(|e| e.detail)?;
            println!(
                "{}",
                serde_json::to_string(&report).map_err(|e| e.to_string())?
            );
            Ok(())
        }
        Command::CrecheJobs { at, data } => {
            let now = chrono::Utc::now();
            let at = parse_at(at.as_deref(), now)?;
            // A run in the future would close applications before their day.
            if at > now + chrono::Duration::minutes(1) {
                return Err(format!(
                    "--at {} est dans le futur : les relances et les clôtures ne s'anticipent pas.",
                    at.with_timezone(&marelle_domain::time::ZONE)
                        .format("%d/%m/%Y %H:%M")
                ));
            }
            let local = compose::build(&Options::offline(data.data))?;
            let report = marelle_api::creche::jobs::run(&local.state, at)
                .await
                .map_err(|e| e.detail)?;
            println!(
                "{}",
                serde_json::to_string(&report).map_err(|e| e.to_string())?
            );
            Ok(())
        }
        Command::DocumentsExpiry { at, data } => {
            let now = chrono::Utc::now();
            let at = match at {
                None => now,
                Some(at) => chrono::DateTime::parse_from_rfc3339(at.trim())
                    .map_err(|_| {
                        format!(
                            "--at {at} : instant RFC 3339 attendu (exemple : 2026-12-07T07:00:00+01:00)"
                        )
                    })?
                    .with_timezone(&chrono::Utc),
            };
            // A run in the future would send notices early and delete
            // documents before their time.
            if at > now + chrono::Duration::minutes(1) {
                return Err(format!(
                    "--at {} est dans le futur : les avis d'expiration et les suppressions ne s'anticipent pas.",
                    at.with_timezone(&marelle_domain::time::ZONE)
                        .format("%d/%m/%Y %H:%M")
                ));
            }
            let local = compose::build(&Options::offline(data.data))?;
            let report = marelle_api::documents::expiry::run(&local.state, at)
                .await
                .map_err(|e| e.detail)?;
            println!(
                "{}",
                serde_json::to_string(&report).map_err(|e| e.to_string())?
            );
            Ok(())
        }
        Command::Serve(s) => crate::web::serve(s).await,
        Command::Calendar {
            command: CalendarCommand::Update { from, out },
        } => {
            println!("{}", update_calendar(&from, &out)?);
            Ok(())
        }
        Command::Agent {
            command:
                AgentCommand::Create {
                    email,
                    password,
                    first_name,
                    last_name,
                    data,
                    aws_table,
                },
        } => {
            let local = compose::build(&Options::offline(data.data))?;
            let state = match aws_table {
                Some(table) => crate::compose::on_dynamodb(&local, &table).await,
                None => local.state.clone(),
            };
            let account = marelle_api::accounts::create_active_account(
                &state,
                Role::Agent,
                None,
                &first_name,
                &last_name,
                &email,
                &password,
            )
            .await
            .map_err(|e| e.to_string())?;
            println!("Compte agent créé : {} ({})", account.email, account.id);
            Ok(())
        }
        Command::Staff {
            command:
                StaffCommand::Create {
                    email,
                    password,
                    first_name,
                    last_name,
                    activities,
                    data,
                    aws_table,
                },
        } => {
            let local = compose::build(&Options::offline(data.data))?;
            let state = match aws_table {
                Some(table) => crate::compose::on_dynamodb(&local, &table).await,
                None => local.state.clone(),
            };
            let account = marelle_api::accounts::create_staff_account(
                &state,
                &first_name,
                &last_name,
                &email,
                &password,
                &activities,
            )
            .await
            .map_err(|e| e.to_string())?;
            println!(
                "Compte du personnel créé : {} ({}), pointage de {} activité(s)",
                account.email,
                account.id,
                account.activities.len()
            );
            Ok(())
        }
    }
}

/// `--at`: an RFC 3339 instant, now when absent.
fn parse_at(
    at: Option<&str>,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<chrono::DateTime<chrono::Utc>, String> {
    match at {
        None => Ok(now),
        Some(at) => chrono::DateTime::parse_from_rfc3339(at.trim())
            .map(|t| t.with_timezone(&chrono::Utc))
            .map_err(|_| {
                format!(
                    "--at {at} : instant RFC 3339 attendu (exemple : 2026-12-07T07:00:00+01:00)"
                )
            }),
    }
}
