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
        operators::list, operators::policy, operators::eligibility,
        stores::stores, stores::get, stores::create, stores::update, stores::delete, stores::set_wait,
        sync::subscriber, sync::line, sync::charge, sync::payment, sync::usage, sync::changes,
        auth::login, auth::logout, clients::token, clients::create, auth::password_reset, auth::password_reset_confirm, auth::sms_code, auth::sms_code_verify,
        lines::mine, lines::get, lines::open,
        terminations::create, terminations::get, terminations::mine, terminations::review_queue,
        terminations::submit, terminations::withdraw, terminations::approve, terminations::reject,
        terminations::request_info, terminations::provide_info, terminations::complete, terminations::revoke,
        numbers::get, numbers::port_out, numbers::port_in, numbering::lookup, lookup::check, lookup::query, lookup::usage,
        payments::start, payments::get, payments::of_line, payments::cash, payments::notification,
        money::statement, money::services, money::add_service, money::settlement, money::final_bill,
        money::refunds, money::my_refunds, money::refund, money::refund_details, money::approve_refund,
        money::mark_paid, money::mark_failed, money::cash_payout, money::sbp_banks, money::import_sbp_banks,
        money::adjust, money::reverse,
        audit::page, audit::export, outbox::list, outbox::resend,
        webhooks::create, webhooks::list, webhooks::disable, webhooks::enable, webhooks::delete, webhooks::rotate,
        webhooks::deliveries, webhooks::resend,
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
pub async fn document(State(state): State<AppState>) -> Json<serde_json::Value> {
    let mut doc = ApiDoc::openapi();
    if state.dev_clock.is_none() {
        doc.paths.paths.remove("/api/v1/dev/clock");
    }
    let mut value = serde_json::to_value(doc).unwrap_or_default();
    document_common_problems(&mut value);
    Json(value)
}

/// The problems any operation may answer by its shape, documented on each so a client (or a
/// fuzzer reading the document) knows every status it can get: 401 and 403 where a bearer
/// token is accepted, 400 for a malformed path or body, 404 for a path naming something, 415
/// for a body of another media type, 413 for an upload over the limit, 429 where sign-in and
/// lookups are rate limited.
fn document_common_problems(doc: &mut serde_json::Value) {
    use serde_json::json;
    let problem = |description: &str| {
        json!({
            "description": description,
            "content": { "application/problem+json": { "schema": { "$ref": "#/components/schemas/Problem" } } }
        })
    };
    let Some(paths) = doc.get_mut("paths").and_then(|p| p.as_object_mut()) else { return };
    for (path, item) in paths.iter_mut() {
        let Some(item) = item.as_object_mut() else { continue };
        for (method, op) in item.iter_mut() {
            if !matches!(method.as_str(), "get" | "post" | "put" | "patch" | "delete") {
                continue;
            }
            let secured = op
                .get("security")
                .and_then(|s| s.as_array())
                .is_some_and(|reqs| reqs.iter().any(|r| r.get("bearer").is_some()));
            let body = op.pointer("/requestBody/content").and_then(|c| c.as_object()).cloned();
            let multipart = body.as_ref().is_some_and(|c| c.contains_key("multipart/form-data"));
            if path.starts_with("/number-recycling/") {
                continue; // CAMARA's own statuses and ErrorInfo, all written out on the route
            }
            let mut add = Vec::new();
            if secured {
                add.push(("401", "No valid bearer token or session."));
                add.push(("403", "Signed in, but not allowed."));
            }
            let query = op
                .get("parameters")
                .and_then(|p| p.as_array())
                .is_some_and(|ps| ps.iter().any(|p| p.get("in").and_then(|i| i.as_str()) == Some("query")));
            if path.contains('{') || body.is_some() || query {
                add.push(("400", "A malformed path parameter, query or body."));
            }
            if path.contains('{') {
                add.push(("404", "Nothing of that id visible to the caller."));
            }
            if body.is_some() {
                add.push(("415", "A body of another media type than documented."));
            }
            if multipart {
                add.push(("413", "An upload over the size limit."));
            }
            if path.ends_with("/auth/login")
                || path.contains("password-reset")
                || path.contains("sms-code")
                || path.contains("number-recycling")
                || path.contains("reassigned-numbers")
                || path.ends_with("/oauth/token")
            {
                add.push(("429", "Too many attempts or over the quota: see Retry-After."));
            }
            let Some(responses) = op.get_mut("responses").and_then(|r| r.as_object_mut()) else { continue };
            for (status, description) in add {
                responses.entry(status).or_insert_with(|| problem(description));
            }
        }
    }
}
