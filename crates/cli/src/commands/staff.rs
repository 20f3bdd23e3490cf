//! `simexit staff add|disable|list`: staff accounts from the operator's own shell.

use anyhow::Context;
use simexit_domain::OperatorId;
use simexit_server::Config;
use simexit_service::staff::NewStaff;

use crate::cli::StaffCommand;

fn generated_password() -> anyhow::Result<String> {
    let (token, _) = simexit_service::auth::new_token()?;
    Ok(token.trim_start_matches("sx_")[..20].to_owned())
}

pub fn add_client(config: &Config, name: &str, scopes: &[String]) -> anyhow::Result<()> {
    let c = super::service(config)?.create_api_client(None, name, scopes)?;
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
            let service = super::service(&load(&config)?)?;
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
            let account = super::service(&load(&config)?)?.disable_staff(None, &login)?;
            println!("disabled {}; its sessions have ended", account.login);
        }
        StaffCommand::List { config } => {
            for a in super::service(&load(&config)?)?.list_staff(None)? {
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
