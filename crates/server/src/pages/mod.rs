//! Server-rendered pages: the subscriber portal, the store directory, the clerk console, the
//! reviewer queue, the admin dashboard and the certificate check, in Russian, English and
//! Chinese. They work without JavaScript: templates are maud (which escapes by default),
//! forms post with the session's CSRF token in a hidden field, a change answers with a
//! redirect (POST, redirect, GET), and a form with an error comes back with what was typed
//! and the message next to its field.

mod admin;
mod admin_stores;
mod admin_webhooks;
mod auth;
pub(crate) mod ctx;
mod demo_pay;
mod i18n;
mod layout;
mod portal;
mod public;
mod staff;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};

use crate::state::AppState;
pub use ctx::LANG_COOKIE;

pub fn router(state: &AppState) -> Router<AppState> {
    let upload_limit = state.service.documents.max_bytes + 64 * 1024;
    Router::new()
        .route("/", get(public::home))
        .route("/assets/site.css", get(layout::stylesheet))
        .route("/assets/icon.svg", get(layout::icon))
        .route("/favicon.ico", get(layout::icon))
        .route("/stores", get(public::stores))
        .route("/certificates", get(public::certificate_form))
        .route("/certificates/{number}", get(public::certificate))
        .route("/login", get(auth::login_form).post(auth::login))
        .route("/login/code", get(auth::code_form).post(auth::code_request))
        .route("/login/code/verify", post(auth::code_verify))
        .route("/logout", post(auth::logout))
        .route("/password-reset", get(auth::reset_form).post(auth::reset))
        .route("/password-reset/confirm", get(auth::confirm_form).post(auth::confirm))
        .route("/my", get(portal::home))
        .route("/my/lines/{id}/cancel", get(portal::cancel).post(portal::start))
        .route("/my/lines/{id}/pay", post(portal::pay))
        .route("/demo-pay/{reference}", get(demo_pay::form).post(demo_pay::pay))
        .route("/staff/lines/{id}/cash", post(staff::cash))
        .route("/staff/refunds/{id}/cash-payout", post(staff::cash_payout))
        .route("/my/requests/{id}", get(portal::request))
        .route("/my/refunds/{id}", get(portal::refund).post(portal::refund_details))
        .route("/my/requests/{id}/settlement", post(portal::settlement))
        .route("/requests/{id}/documents", post(portal::upload).layer(DefaultBodyLimit::max(upload_limit)))
        .route("/requests/{id}", get(portal::open_request))
        .route("/requests/{id}/act/{action}", post(staff::act))
        .route("/staff/queue", get(staff::queue))
        .route("/staff/store", get(staff::store))
        .route("/staff/lines/{id}/in-store", post(staff::start_in_store))
        .route("/staff/requests/{id}", get(staff::request))
        .route("/staff/documents/{id}/{verdict}", post(staff::review_document))
        .route("/admin", get(admin::dashboard))
        .route("/admin/outbox", get(admin::outbox))
        .route("/admin/webhooks", get(admin_webhooks::list).post(admin_webhooks::create))
        .route("/admin/webhooks/{id}", get(admin_webhooks::deliveries))
        .route("/admin/webhooks/{id}/{action}", post(admin_webhooks::act))
        .route("/admin/webhook-deliveries/{id}/resend", post(admin_webhooks::resend))
        .route("/admin/audit", get(admin::audit))
        .route("/admin/staff", get(admin::staff))
        .route("/admin/policies", get(admin::policies))
        .route("/admin/stores", get(admin::stores).post(admin_stores::create))
        .route("/admin/stores/new", get(admin_stores::new))
        .route("/admin/stores/{id}", post(admin_stores::save))
        .route("/admin/stores/{id}/edit", get(admin_stores::edit))
        .route("/admin/stores/{id}/delete", post(admin_stores::delete))
        .route("/admin/stores/{id}/wait", post(admin::set_wait))
        .route("/admin/imports", get(admin_stores::imports))
}
