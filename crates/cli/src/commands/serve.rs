//! `simexit serve`: run the server until Ctrl-C or SIGTERM.

use simexit_server::{App, Config};

pub fn run(config: Config) -> anyhow::Result<()> {
    super::init_logging(&config);
    // Held while serving, so `simexit restore` can tell the database is in use.
    let _serving = super::backup::serving_lock(&config)?;
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(async move {
        let app = App::build(config.clone()).await?;
        let addr = app.local_addr()?;
        if config.server.demo {
            println!("simexit demo on http://{addr}  (database: {})", config.database_label());
            println!("Demo accounts, password `{}`:", simexit_service::demo::DEMO_PASSWORD);
            for a in &app.demo_accounts {
                println!("  {:<24} {:<10} {}", a.login, a.role, a.scope);
            }
            println!("Sign in: curl -s -X POST http://{addr}/api/v1/auth/login -H 'content-type: application/json' -d '{{\"login\":\"resident@demo\",\"password\":\"demo\"}}'");
            if config.server.dev_clock {
                println!("Dev clock: curl -s -X POST http://{addr}/api/v1/dev/clock -H 'content-type: application/json' -d '{{\"advance_days\":31}}'");
            }
        }
        println!("OpenAPI document: http://{addr}/api/v1/openapi.json");
        tracing::info!(%addr, "listening");
        app.run_until_stopped(shutdown_signal()).await
    })
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = term => {}
    }
    tracing::info!("shutting down");
}
