//! One module per command, each with a `run`.

mod audit;
mod backup;
mod bulk;
mod check;
mod imports;
mod migrate;
mod numbering;
mod policy;
mod serve;
mod staff;

use anyhow::Context;
use simexit_server::Config;
use simexit_service::imports::ImportKind;
use toml::Value;

use crate::cli::{
    AuditCommand, BulkCommand, Cli, ClientCommand, Command, ConfigArgs, HistoryCommand, ImportCommand,
    NumberingCommand, PolicyCommand, StoresCommand, WebhooksCommand,
};

pub fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve { config, listen, demo, dev_clock } => {
            let mut overrides = Vec::new();
            if let Some(listen) = listen {
                overrides.push(("server.listen", Value::String(listen.to_string())));
            }
            if demo {
                overrides.push(("server.demo", Value::Boolean(true)));
            }
            if dev_clock {
                overrides.push(("server.dev_clock", Value::Boolean(true)));
            }
            serve::run(load_config(&config, overrides)?)
        }
        Command::Migrate { config } => migrate::run(load_config(&config, Vec::new())?),
        Command::Client { command: ClientCommand::Add { config, name, scopes } } => {
            staff::add_client(&load_config(&config, Vec::new())?, &name, &scopes)
        }
        Command::Webhooks { command: WebhooksCommand::Add { config, url, events } } => {
            let service = service(&load_config(&config, Vec::new())?)?;
            let (w, secret) = service.create_webhook(None, &url, &events)?;
            println!("id: {}\nsecret (shown once): {secret}\nurl: {}\nevents: {}", w.id, w.url, w.events);
            Ok(())
        }
        Command::Numbering { command: NumberingCommand::Import { config, file } } => {
            numbering::import(&load_config(&config, Vec::new())?, &file)
        }
        Command::Numbering { command: NumberingCommand::Lookup { config, msisdn } } => {
            numbering::lookup(&load_config(&config, Vec::new())?, &msisdn)
        }
        Command::History { command: HistoryCommand::Import { config, file, operator, since } } => {
            numbering::import_history(&load_config(&config, Vec::new())?, &file, &operator, &since)
        }
        Command::Stores { command: StoresCommand::Import { config, file, dry_run } } => {
            imports::stores(&load_config(&config, Vec::new())?, &file, dry_run)
        }
        Command::Import { command: ImportCommand::SbpBanks(a) } => {
            imports::sbp_banks(&load_config(&a.config, Vec::new())?, &a.file, a.dry_run)
        }
        Command::Import { command } => {
            let (kind, args) = match command {
                ImportCommand::Subscribers(a) => (ImportKind::Subscribers, a),
                ImportCommand::Lines(a) => (ImportKind::Lines, a),
                ImportCommand::Services(a) => (ImportKind::Services, a),
                ImportCommand::Numbers(a) => (ImportKind::Numbers, a),
                ImportCommand::SbpBanks(_) => unreachable!("matched above"),
            };
            imports::rows(&load_config(&args.config, Vec::new())?, kind, &args.file, args.dry_run)
        }
        Command::Verify { file, keys } => verify(&file, &keys),
        Command::Bulk {
            command: BulkCommand::Select { config, over_limit, citizen_limit, foreigner_limit, unused_days, as_login },
        } => bulk::select(
            &load_config(&config, Vec::new())?,
            &as_login,
            over_limit.then_some((citizen_limit, foreigner_limit)),
            unused_days,
        ),
        Command::Bulk { command: BulkCommand::Terminate { config, file, reason, as_login, dry_run, batch } } => {
            bulk::terminate(&load_config(&config, Vec::new())?, &file, &reason, &as_login, dry_run, batch.max(1))
        }
        Command::Staff { command } => staff::run(command, |c| load_config(c, Vec::new())),
        Command::Audit { command: AuditCommand::Verify { config, checkpoint } } => {
            if audit::verify(load_config(&config, Vec::new())?, checkpoint.as_deref())? {
                Ok(())
            } else {
                anyhow::bail!("the audit chain does not verify")
            }
        }
        Command::Audit { command: AuditCommand::Checkpoint { config, out } } => {
            audit::checkpoint(&load_config(&config, Vec::new())?, out.as_deref())
        }
        Command::Policy { command: PolicyCommand::Check { file, calendars } } => policy::check(&file, &calendars),
        Command::Check { config } => {
            if check::run(&load_config(&config, Vec::new())?)? {
                Ok(())
            } else {
                anyhow::bail!("invariants are broken")
            }
        }
        Command::ConfigReference => {
            print!("{}", simexit_server::config::reference());
            Ok(())
        }
        Command::Backup { config, file } => backup::backup(&load_config(&config, Vec::new())?, &file),
        Command::Restore { config, file } => backup::restore(&load_config(&config, Vec::new())?, &file),
    }
}

/// `simexit verify FILE.pdf --keys keys.json`: prints what the certificate certifies, or
/// fails naming what does not hold.
fn verify(file: &std::path::Path, keys: &std::path::Path) -> anyhow::Result<()> {
    use simexit_domain::certificate::{PublicKeys, verify_pdf};
    let pdf = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
    let published: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(keys).with_context(|| format!("reading {}", keys.display()))?)
            .with_context(|| format!("{} is not JSON", keys.display()))?;
    let map: std::collections::BTreeMap<String, String> =
        serde_json::from_value(published.get("keys").cloned().unwrap_or(published))
            .with_context(|| format!("{}: expected {{\"keys\": {{id: hex}}}}", keys.display()))?;
    let keys = PublicKeys::from_hex(&map)?;
    match verify_pdf(&pdf, &keys) {
        Ok(p) => {
            println!("genuine: certificate {} ({})", p.number, p.operator_name);
            println!("  number {}", p.msisdn);
            println!("  terminated {}, reserved until {}, reason {}", p.terminated_at, p.aging_until, p.reason);
            Ok(())
        }
        Err(why) => anyhow::bail!("NOT genuine: {why}"),
    }
}

fn load_config(args: &ConfigArgs, mut overrides: Vec<(&'static str, Value)>) -> anyhow::Result<Config> {
    if let Some(dir) = &args.data_dir {
        overrides.push(("database.data_dir", Value::String(dir.display().to_string())));
    }
    if let Some(file) = &args.policies {
        overrides.push(("policies.file", Value::String(file.display().to_string())));
    }
    Config::load(args.config.as_deref(), std::env::vars(), &overrides).context("loading configuration")
}

/// The service over the configured database, for commands that act without the server.
pub fn service(config: &Config) -> anyhow::Result<simexit_service::Service> {
    init_logging(config);
    let store = simexit_server::app::open_store(config)?;
    let (policies, calendars) = simexit_server::app::load_policies(config)?;
    let clock = std::sync::Arc::new(simexit_service::ManualClock::system());
    let mut service =
        simexit_service::Service::new(store, policies, calendars, clock, simexit_service::ServiceConfig::default())?;
    // The deployment's keys, as the server has them: what the commands sign and seal verifies there.
    service.signing = std::sync::Arc::new(simexit_server::app::signing_keys(config)?);
    service.sealing = std::sync::Arc::new(simexit_server::app::sealing_keys(config)?);
    Ok(service)
}

pub fn init_logging(config: &Config) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(&config.log.filter));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    if config.log.format == "json" {
        let _ = builder.json().try_init();
    } else {
        let _ = builder.try_init();
    }
}
