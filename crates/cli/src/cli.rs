//! The command line.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(name = "simexit", version, about = "SIM contract termination and number lifecycle for mobile operators")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

/// Where configuration comes from; flags beat `SIMEXIT_SECTION__KEY` variables, which beat
/// the file, which beats the defaults.
#[derive(Debug, Args, Clone, Default)]
pub struct ConfigArgs {
    /// Configuration file (TOML).
    #[arg(long, short = 'c', env = "SIMEXIT_CONFIG")]
    pub config: Option<PathBuf>,
    /// Folder of the embedded database [default: ./simexit-data].
    #[arg(long)]
    pub data_dir: Option<PathBuf>,
    /// Termination policy file [default: the built-in demo profiles].
    #[arg(long)]
    pub policies: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the HTTP server and the job worker.
    Serve {
        #[command(flatten)]
        config: ConfigArgs,
        /// Address to listen on [default: 127.0.0.1:8080].
        #[arg(long)]
        listen: Option<SocketAddr>,
        /// Load demo operators, stores, subscribers, lines and staff, and print their sign-in.
        #[arg(long)]
        demo: bool,
        /// Allow `POST /api/v1/dev/clock` to move the service clock forward.
        #[arg(long, requires = "demo")]
        dev_clock: bool,
    },
    /// Create the database or bring its schema up to date, then exit.
    Migrate {
        #[command(flatten)]
        config: ConfigArgs,
    },
    /// Staff accounts.
    Staff {
        #[command(subcommand)]
        command: StaffCommand,
    },
    /// API clients of relying parties (banks).
    Client {
        #[command(subcommand)]
        command: ClientCommand,
    },
    /// Webhook subscriptions: simexit's events, signed, to the operator's other systems.
    Webhooks {
        #[command(subcommand)]
        command: WebhooksCommand,
    },
    /// The national numbering plan (registry of mobile ranges).
    Numbering {
        #[command(subcommand)]
        command: NumberingCommand,
    },
    /// The operator's stores and recycling points.
    Stores {
        #[command(subcommand)]
        command: StoresCommand,
    },
    /// An operator's own data from its files: subscribers, lines, services, numbers.
    Import {
        #[command(subcommand)]
        command: ImportCommand,
    },
    /// Numbers' past: disconnections and port-outs from before simexit.
    History {
        #[command(subcommand)]
        command: HistoryCommand,
    },
    /// Forced terminations of many lines (over the legal limit, unused, corporate, operator).
    Bulk {
        #[command(subcommand)]
        command: BulkCommand,
    },
    /// Check a certificate of termination PDF offline against the published keys.
    Verify {
        file: PathBuf,
        /// The keys as published at `GET /api/v1/certificates/keys` (a JSON file).
        #[arg(long)]
        keys: PathBuf,
    },
    /// The tamper-evident audit log.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Verify the invariants (books, states, jobs, messages, audit chain); non-zero exit if any
    /// is broken. Prints what it counted.
    Check {
        #[command(flatten)]
        config: ConfigArgs,
    },
    /// Print the configuration reference (every key, its default, its environment variable),
    /// generated from the configuration structs; `docs/CONFIGURATION.md` holds its output.
    ConfigReference,
    /// Copy the embedded database to FILE while the server runs (consistent, compacted).
    Backup {
        #[command(flatten)]
        config: ConfigArgs,
        /// The backup file to write (must not exist).
        file: PathBuf,
    },
    /// Replace the embedded database with a backup (the server must be stopped); the current
    /// one is kept beside it, and newer migrations are applied.
    Restore {
        #[command(flatten)]
        config: ConfigArgs,
        file: PathBuf,
    },
    /// Work with termination policy files.
    Policy {
        #[command(subcommand)]
        command: PolicyCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum StaffCommand {
    /// Create a staff account; prints a generated password once.
    Add {
        #[command(flatten)]
        config: ConfigArgs,
        #[arg(long)]
        login: String,
        /// clerk, reviewer, admin or auditor.
        #[arg(long)]
        role: String,
        #[arg(long)]
        operator: Option<String>,
        #[arg(long)]
        store: Option<String>,
    },
    /// Disable a staff account and end its sessions.
    Disable {
        #[command(flatten)]
        config: ConfigArgs,
        #[arg(long)]
        login: String,
    },
    /// List staff accounts.
    List {
        #[command(flatten)]
        config: ConfigArgs,
    },
}

#[derive(Debug, Subcommand)]
pub enum ClientCommand {
    /// Register a client; prints its id and secret once.
    Add {
        #[command(flatten)]
        config: ConfigArgs,
        #[arg(long)]
        name: String,
        /// A scope to grant (repeatable), e.g. number-recycling:check.
        #[arg(long = "scope", required = true)]
        scopes: Vec<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum WebhooksCommand {
    /// Subscribe a URL to events of every operator; prints the subscription's id and its
    /// signing secret (`whsec_…`) once.
    Add {
        #[command(flatten)]
        config: ConfigArgs,
        /// Where events are POSTed (http or https).
        #[arg(long)]
        url: String,
        /// Event types or patterns, comma-separated: `termination.*,number.*`.
        #[arg(long)]
        events: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum NumberingCommand {
    /// Import `DEF-9xx.csv` (any of its published layouts), replacing the previous plan at once.
    Import {
        #[command(flatten)]
        config: ConfigArgs,
        file: PathBuf,
    },
    /// Show the range holder and region of a number.
    Lookup {
        #[command(flatten)]
        config: ConfigArgs,
        msisdn: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum StoresCommand {
    /// Import stores and recycling points (CSV with the header
    /// `id,operator,kind,name,address,region,time_zone,hours,accepts_terminations,recycles_sims,phone`,
    /// or TOML `[[store]]` tables), upserted by `id`. Every row is checked first: a file with
    /// errors is refused whole. Hours read like `mon-fri 09:00-13:00,14:00-21:00; sat
    /// 10:00-18:00; sun closed; 2027-01-01 closed`.
    Import {
        #[command(flatten)]
        config: ConfigArgs,
        file: PathBuf,
        /// Check and count, change nothing.
        #[arg(long)]
        dry_run: bool,
    },
}

/// The options every import takes.
#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    #[command(flatten)]
    pub config: ConfigArgs,
    /// CSV (UTF-8, with or without a BOM, `,` or `;`, RFC 4180 quoting) or JSON lines.
    pub file: PathBuf,
    /// Check and count, change nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// Every row is checked before anything is written; a file with errors is refused whole,
/// each problem as `line N: column: what was wrong`. Rows upsert by their keys, so importing
/// the same file again changes nothing and says so.
#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Subscribers, by the BSS's id. Header:
    /// `external_id,category,full_name,id_document_type,id_document_number,email,contact_phone,language`.
    Subscribers(ImportArgs),
    /// Lines, by the BSS's id; a new line's number enters the pool as assigned to it. Header:
    /// `external_id,subscriber_external_id,operator,msisdn,iccid,imsi,opened_at,state,balance_kopecks`.
    Lines(ImportArgs),
    /// Paid services, by line and name. Header: `line_external_id,name,monthly_kopecks,since`.
    Services(ImportArgs),
    /// Numbers for the pool, one or a range `first-last`. Header: `operator,msisdn,state`
    /// (`available` or `reserved`).
    Numbers(ImportArgs),
    /// The banks of the Faster Payments System an SBP refund can go to, replacing the list
    /// whole: `id,name` with the 12-digit NSPK member id (`data/sbp-banks.csv`).
    SbpBanks(ImportArgs),
}

#[derive(Debug, Subcommand)]
pub enum HistoryCommand {
    /// Import past disconnections (CSV: number;date;kind with kind `permanent` or `port_out`),
    /// all rows or none; importing the same file again adds nothing.
    Import {
        #[command(flatten)]
        config: ConfigArgs,
        file: PathBuf,
        /// The operator whose history this is.
        #[arg(long)]
        operator: String,
        /// The date (YYYY-MM-DD) from which the file lists every disconnection and port-out;
        /// lookups for earlier dates answer `no_data`.
        #[arg(long)]
        since: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum BulkCommand {
    /// Lines to review before a run, as CSV on standard output (an `msisdn` column, ready
    /// for `bulk terminate`): above the per-person limit (the most recently opened go), or
    /// unused for N days.
    Select {
        #[command(flatten)]
        config: ConfigArgs,
        /// Lines above each holder's limit.
        #[arg(long, conflicts_with = "unused_days")]
        over_limit: bool,
        #[arg(long, default_value_t = 20)]
        citizen_limit: i64,
        #[arg(long, default_value_t = 10)]
        foreigner_limit: i64,
        /// Lines with no charge or payment for this many days.
        #[arg(long)]
        unused_days: Option<u32>,
        #[arg(long = "as")]
        as_login: String,
    },
    /// Terminate every line of FILE (CSV with an `msisdn` column) for a forced reason. Run
    /// it again with the same file to resume after an interruption; `--dry-run` first.
    Terminate {
        #[command(flatten)]
        config: ConfigArgs,
        file: PathBuf,
        /// over_limit, non_use, corporate or operator.
        #[arg(long)]
        reason: String,
        /// The admin account the terminations are recorded under.
        #[arg(long = "as")]
        as_login: String,
        /// Report what would happen to each line, change nothing.
        #[arg(long)]
        dry_run: bool,
        /// Lines per transaction (an interruption redoes at most one batch).
        #[arg(long, default_value_t = 500)]
        batch: u32,
    },
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Walk the hash chain from the first entry; exits non-zero naming the first broken link.
    Verify {
        #[command(flatten)]
        config: ConfigArgs,
        /// Also hold the chain to a checkpoint taken earlier (`simexit audit checkpoint`):
        /// a log cut short or rewritten since is named.
        #[arg(long, value_name = "FILE")]
        checkpoint: Option<std::path::PathBuf>,
    },
    /// Sign the chain's head as it is now (entry number and hash, Ed25519): keep the file
    /// outside the database and check against it later.
    Checkpoint {
        #[command(flatten)]
        config: ConfigArgs,
        /// Where to write it (standard output when absent).
        #[arg(long, value_name = "FILE")]
        out: Option<std::path::PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
pub enum PolicyCommand {
    /// Validate a policy file and summarise it; exits non-zero naming the bad field.
    Check {
        file: PathBuf,
        /// Extra production calendar files the policies may refer to.
        #[arg(long = "calendar")]
        calendars: Vec<PathBuf>,
    },
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    #[test]
    fn the_command_line_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn dev_clock_requires_demo() {
        assert!(Cli::try_parse_from(["simexit", "serve", "--dev-clock"]).is_err());
        assert!(Cli::try_parse_from(["simexit", "serve", "--demo", "--dev-clock"]).is_ok());
    }
}
