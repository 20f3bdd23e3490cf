//! `simexit migrate`: create or upgrade the database schema and exit, for deployments that
//! migrate before starting instances.

use simexit_server::Config;

pub fn run(config: Config) -> anyhow::Result<()> {
    super::init_logging(&config);
    let store = simexit_server::app::open_store(&config)?;
    store.ping()?;
    println!("database {} is up to date ({} backend)", config.database_path().display(), store.backend());
    Ok(())
}
