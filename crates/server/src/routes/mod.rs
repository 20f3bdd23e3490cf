//! The HTTP routes, one module per resource; `router` assembles them.

pub mod audit;
pub mod auth;
pub mod bulk;
pub mod certificates;
pub mod clients;
pub mod dev;
pub mod documents;
pub mod health;
pub mod lines;
pub mod lookup;
pub mod money;
pub mod numbering;
pub mod numbers;
pub mod operators;
pub mod outbox;
pub mod payments;
pub mod staff;
pub mod stores;
pub mod sync;
pub mod terminations;
pub mod webhooks;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post, put};

use crate::openapi;
use crate::state::AppState;

/// Every row of a paged listing: `page(after)` returns rows after that id, `id` names a row.
pub(crate) fn all_pages<T>(
    mut page: impl FnMut(i64) -> Result<Vec<T>, simexit_service::ServiceError>,
    id: impl Fn(&T) -> i64,
) -> Result<Vec<T>, simexit_service::ServiceError> {
    let mut all = Vec::new();
    let mut after = 0;
    loop {
        let rows = page(after)?;
        let Some(last) = rows.last() else { return Ok(all) };
        after = id(last);
        all.extend(rows);
    }
}

/// Rows as JSON lines (`application/x-ndjson`), for exports.
pub(crate) fn ndjson<T: serde::Serialize>(rows: impl IntoIterator<Item = T>) -> Result<String, crate::error::ApiError> {
    let mut body = String::new();
    for row in rows {
        body.push_str(&serde_json::to_string(&row).map_err(|_| crate::error::ApiError::internal())?);
        body.push('\n');
    }
    Ok(body)
}

pub fn router(state: AppState) -> Router {
    let mut api = Router::new()
        .route("/openapi.json", get(openapi::document))
        .route("/operators", get(operators::list))
        .route("/operators/{id}/policy", get(operators::policy))
        .route("/eligibility", post(operators::eligibility))
        .route("/stores", get(stores::stores).post(stores::create))
        .route("/stores/{id}", get(stores::get).put(stores::update).delete(stores::delete))
        .route("/stores/{id}/wait", put(stores::set_wait))
        .route("/sync/subscribers/{external_id}", put(sync::subscriber))
        .route("/sync/lines/{external_id}", put(sync::line))
        .route("/sync/charges", post(sync::charge))
        .route("/sync/payments", post(sync::payment))
        .route("/sync/usage", post(sync::usage))
        .route("/sync/changes", get(sync::changes))
        .route("/auth/login", post(auth::login))
        .route("/auth/logout", post(auth::logout))
        .route("/oauth/token", post(clients::token))
        .route("/api-clients", post(clients::create))
        .route("/auth/password-reset", post(auth::password_reset))
        .route("/auth/password-reset/confirm", post(auth::password_reset_confirm))
        .route("/auth/sms-code", post(auth::sms_code))
        .route("/auth/sms-code/verify", post(auth::sms_code_verify))
        .route("/me/lines", get(lines::mine))
        .route("/me/terminations", get(terminations::mine))
        .route("/lines", post(lines::open))
        .route("/lines/{id}", get(lines::get))
        .route("/lines/{id}/payments", get(payments::of_line))
        .route("/lines/{id}/cash-payments", post(payments::cash))
        .route("/payments", post(payments::start))
        .route("/payments/{id}", get(payments::get))
        .route("/payments/notifications/{provider}", post(payments::notification))
        .route("/lines/{id}/statement", get(money::statement))
        .route("/lines/{id}/adjustments", post(money::adjust))
        .route("/movements/{id}/reverse", post(money::reverse))
        .route("/lines/{id}/services", get(money::services).post(money::add_service))
        .route("/terminations/{id}/settlement", post(money::settlement))
        .route("/terminations/{id}/final-bill", get(money::final_bill))
        .route(
            "/terminations/{id}/documents",
            post(documents::upload)
                .get(documents::list)
                // Room for the largest upload and its multipart framing; the service
                // refuses anything over the limit itself too.
                .layer(DefaultBodyLimit::max(state.service.documents.max_bytes + 64 * 1024)),
        )
        .route("/documents/{id}/content", get(documents::content))
        .route("/documents/{id}/verify", post(documents::verify))
        .route("/documents/{id}/reject", post(documents::reject))
        .route("/destruction-acts", get(documents::acts))
        .route("/destruction-acts/export", get(documents::export_acts))
        .route("/certificates/keys", get(certificates::keys))
        .route("/certificates/{number}", get(certificates::check))
        .route("/certificates/{number}/pdf", get(certificates::pdf))
        .route("/terminations/{id}/certificate", get(certificates::of_request))
        .route("/terminations/{id}/application-form", get(certificates::application_form))
        .route("/terminations/{id}/network", get(certificates::network))
        .route("/network/alerts", get(certificates::network_alerts))
        .route("/bulk-terminations", post(bulk::start))
        .route("/bulk-terminations/{id}", get(bulk::progress))
        .route("/refunds", get(money::refunds))
        .route("/refunds/{id}", get(money::refund))
        .route("/refunds/{id}/details", post(money::refund_details))
        .route("/refunds/{id}/approve", post(money::approve_refund))
        .route("/refunds/{id}/mark-paid", post(money::mark_paid))
        .route("/refunds/{id}/mark-failed", post(money::mark_failed))
        .route("/refunds/{id}/cash-payout", post(money::cash_payout))
        .route("/sbp-banks", get(money::sbp_banks).put(money::import_sbp_banks))
        .route("/me/refunds", get(money::my_refunds))
        .route("/terminations", post(terminations::create))
        .route("/terminations/{id}", get(terminations::get))
        .route("/terminations/{id}/submit", post(terminations::submit))
        .route("/terminations/{id}/withdraw", post(terminations::withdraw))
        .route("/terminations/{id}/approve", post(terminations::approve))
        .route("/terminations/{id}/reject", post(terminations::reject))
        .route("/terminations/{id}/request-info", post(terminations::request_info))
        .route("/terminations/{id}/provide-info", post(terminations::provide_info))
        .route("/terminations/{id}/complete", post(terminations::complete))
        .route("/terminations/{id}/revoke", post(terminations::revoke))
        .route("/review-queue", get(terminations::review_queue))
        .route("/numbers/{msisdn}", get(numbers::get))
        .route("/numbers/{msisdn}/port-out", post(numbers::port_out))
        .route("/numbers/port-in", post(numbers::port_in))
        .route("/numbering/{msisdn}", get(numbering::lookup))
        .route("/reassigned-numbers/query", post(lookup::query))
        .route("/api-clients/{client_id}/usage", get(lookup::usage))
        .route("/staff", get(staff::list).post(staff::create))
        .route("/staff/{login}/disable", post(staff::disable))
        .route("/audit", get(audit::page))
        .route("/audit/export", get(audit::export))
        .route("/outbox", get(outbox::list))
        .route("/outbox/{id}/resend", post(outbox::resend))
        .route("/webhooks", get(webhooks::list).post(webhooks::create))
        .route("/webhooks/{id}", axum::routing::delete(webhooks::delete))
        .route("/webhooks/{id}/disable", post(webhooks::disable))
        .route("/webhooks/{id}/enable", post(webhooks::enable))
        .route("/webhooks/{id}/rotate-secret", post(webhooks::rotate))
        .route("/webhooks/{id}/deliveries", get(webhooks::deliveries))
        .route("/webhook-deliveries/{id}/resend", post(webhooks::resend));
    if state.dev_clock.is_some() {
        api = api.route("/dev/clock", post(dev::advance));
    }
    Router::new()
        .nest("/api/v1", api)
        .route("/number-recycling/v0.2/check", post(lookup::check))
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(crate::metrics::scrape))
        .merge(crate::pages::router(&state).layer(axum::middleware::from_fn(crate::pages::ctx::error_pages)))
        .layer(axum::middleware::from_fn_with_state(state.metrics.clone(), crate::metrics::track))
        .with_state(state)
}
