//! `simexit migrate`: create or upgrade the database schema and exit, for deployments that
//! migrate before starting instances.

use simexit_server::Config;

pub fn run(config: Config) -> anyhow::Result<()> {
    super::init_logging(&config);
    let store = simexit_server::app::open_store(&config)?;
    store.ping()?;
    println!("{}: schema up to date", config.database_label());
    Ok(())
}
