//! The OpenAPI 3.1 document, generated from the handlers' annotations.

use axum::Json;
use axum::extract::State;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::routes::*;
use crate::state::AppState;

#[derive(OpenApi)]
#[openapi(
    info(title = "simexit", description = "SIM contract termination and number lifecycle for operators and MVNOs."),
    paths(
        health::healthz, health::readyz,
        operators::list, operators::policy, operators::eligibility, operators::stores,
        auth::login, auth::logout, clients::token, clients::create, auth::password_reset, auth::password_reset_confirm,
        lines::mine, lines::get, lines::open,
        terminations::create, terminations::get, terminations::mine, terminations::review_queue,
        terminations::submit, terminations::withdraw, terminations::approve, terminations::reject,
        terminations::request_info, terminations::provide_info, terminations::complete, terminations::revoke,
        numbers::get, numbers::port_out, numbers::port_in, numbering::lookup, lookup::check, lookup::query, lookup::usage,
        money::pay, money::statement, money::services, money::add_service, money::settlement, money::final_bill,
        money::refunds, money::my_refunds, money::refund, money::refund_details, money::approve_refund,
        money::mark_paid, money::mark_failed, money::adjust, money::reverse,
        audit::page, audit::export, outbox::list, outbox::resend,
        documents::upload, documents::list, documents::content, documents::verify, documents::reject, documents::acts, documents::export_acts,
        certificates::check, certificates::keys, certificates::of_request, certificates::pdf, certificates::application_form,
        certificates::network, certificates::network_alerts, bulk::start, bulk::progress, staff::list, staff::create, staff::disable,
        dev::advance,
    ),
    modifiers(&Bearer),
)]
pub struct ApiDoc;

struct Bearer;

impl Modify for Bearer {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The API's OpenAPI 3.1 document; the dev clock appears only where it exists.
pub async fn document(State(state): State<AppState>) -> Json<utoipa::openapi::OpenApi> {
    let mut doc = ApiDoc::openapi();
    if state.dev_clock.is_none() {
        doc.paths.paths.remove("/api/v1/dev/clock");
    }
    Json(doc)
}
