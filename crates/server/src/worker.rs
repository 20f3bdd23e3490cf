//! The in-process job worker: wakes up every `poll`, runs due jobs until none are left and
//! sends the webhook deliveries due, stopping when told to. Several instances may run it against one database; the store's
//! leases keep each job to one worker at a time.

use std::time::Duration;

use simexit_service::Service;
use tokio::sync::watch;

pub async fn run(service: Service, poll: Duration, mut stop: watch::Receiver<bool>) {
    loop {
        tokio::select! {
            _ = tokio::time::sleep(poll) => {}
            _ = stop.changed() => break,
        }
        let svc = service.clone();
        match tokio::task::spawn_blocking(move || svc.drain_due_jobs()).await {
            Ok(Ok(report)) if report.claimed > 0 => {
                tracing::info!(done = report.done, retried = report.retried, failed = report.failed, "ran due jobs");
            }
            Ok(Ok(_)) => {}
            Ok(Err(e)) => tracing::warn!(error = %e, "job worker step failed; will try again"),
            Err(e) => tracing::error!(error = %e, "job worker step panicked"),
        }
        let svc = service.clone();
        match tokio::task::spawn_blocking(move || svc.run_webhooks()).await {
            Ok(Ok(sent)) if sent > 0 => tracing::info!(sent, "webhook deliveries attempted"),
            Ok(Ok(_)) => {}
            Ok(Err(e)) => tracing::warn!(error = %e, "webhook step failed; will try again"),
            Err(e) => tracing::error!(error = %e, "webhook step panicked"),
        }
        if *stop.borrow() {
            break;
        }
    }
    tracing::info!("job worker stopped");
}
