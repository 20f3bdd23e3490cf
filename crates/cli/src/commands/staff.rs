//! `simexit staff add|disable|list`: staff accounts from the operator's own shell.

use std::sync::Arc;

use anyhow::Context;
use simexit_domain::OperatorId;
use simexit_server::Config;
use simexit_service::staff::NewStaff;
use simexit_service::{ManualClock, Service, ServiceConfig};

use crate::cli::StaffCommand;

pub fn service(config: &Config) -> anyhow::Result<Service> {
    super::init_logging(config);
    let store = simexit_server::app::open_store(config)?;
    let (policies, calendars) = simexit_server::app::load_policies(config)?;
    Ok(Service::new(store, policies, calendars, Arc::new(ManualClock::system()), ServiceConfig::default())?)
}

fn generated_password() -> anyhow::Result<String> {
    let (token, _) = simexit_service::auth::new_token()?;
    Ok(token.trim_start_matches("sx_")[..20].to_owned())
}

pub fn add_client(config: &Config, name: &str, scopes: &[String]) -> anyhow::Result<()> {
    let c = service(config)?.create_api_client(None, name, scopes)?;
    println!(
        "client_id: {}\nclient_secret (shown once): {}\nscopes: {}",
        c.client_id,
        c.client_secret,
        c.scopes.join(" ")
    );
    Ok(())
}

pub fn run(
    command: StaffCommand,
    load: impl Fn(&crate::cli::ConfigArgs) -> anyhow::Result<Config>,
) -> anyhow::Result<()> {
    match command {
        StaffCommand::Add { config, login, role, operator, store } => {
            let service = service(&load(&config)?)?;
            let password = generated_password()?;
            let input = NewStaff {
                login,
                password: password.clone(),
                role: role.parse().context("--role")?,
                operator: operator.as_deref().map(OperatorId::parse).transpose().context("--operator")?,
                store_id: store,
            };
            let account = service.create_staff(None, input)?;
            println!("created {} ({}); password, shown once: {password}", account.login, account.role);
        }
        StaffCommand::Disable { config, login } => {
            let account = service(&load(&config)?)?.disable_staff(None, &login)?;
            println!("disabled {}; its sessions have ended", account.login);
        }
        StaffCommand::List { config } => {
            for a in service(&load(&config)?)?.list_staff(None)? {
                let scope = a.operator.as_ref().map_or("all operators".to_owned(), |o| o.to_string());
                let store = a.store_id.as_deref().unwrap_or("");
                println!(
                    "{:<28} {:<9} {:<14} {:<32} {}",
                    a.login,
                    a.role,
                    scope,
                    store,
                    if a.disabled { "disabled" } else { "active" }
                );
            }
        }
    }
    Ok(())
}
