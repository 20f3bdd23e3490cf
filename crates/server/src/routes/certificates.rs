//! Certificates of termination: the public check by number, the published keys, and the
//! certificate of a request for its subscriber and staff.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::State;
use serde::Serialize;

use crate::error::{ApiError, Problem};
use crate::extract::{ApiPath, Auth};
use crate::state::AppState;

#[derive(Serialize, utoipa::ToSchema)]
pub struct CertificateView {
    pub number: String,
    /// The signature is valid under a published key over exactly `payload`.
    pub genuine: bool,
    /// What it certifies (the subscriber masked).
    #[schema(value_type = Object)]
    pub certifies: serde_json::Value,
    /// The canonical payload that was signed, byte for byte.
    pub payload: String,
    pub key_id: String,
    /// Ed25519 signature over `payload`, hex.
    pub signature: String,
    #[schema(value_type = String, format = DateTime)]
    pub issued_at: jiff::Timestamp,
}

impl From<simexit_service::certificates::CertificateCheck> for CertificateView {
    fn from(c: simexit_service::certificates::CertificateCheck) -> Self {
        CertificateView {
            number: c.number,
            genuine: c.genuine,
            certifies: serde_json::to_value(&c.payload).unwrap_or_default(),
            payload: c.payload.canonical(),
            key_id: c.key_id,
            signature: c.signature,
            issued_at: c.issued_at,
        }
    }
}

/// Whether a certificate is genuine and what it certifies (public).
#[utoipa::path(get, path = "/api/v1/certificates/{number}", tag = "certificates",
    params(("number" = String, Path, description = "e.g. MTS-2026-K7Q3-XP9M-Z2R4-T6V8")),
    responses((status = 200, body = CertificateView), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn check(
    State(state): State<AppState>,
    ApiPath(number): ApiPath<String>,
) -> Result<Json<CertificateView>, ApiError> {
    let c = state.blocking(move |s| s.check_certificate(&number)).await?;
    Ok(Json(c.into()))
}

#[derive(serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct PdfQuery {
    /// `ru`, `en` or `zh` (default `ru`).
    pub lang: Option<String>,
}

/// The certificate as a signed PDF with a QR code to its check (public).
#[utoipa::path(get, path = "/api/v1/certificates/{number}/pdf", tag = "certificates",
    params(("number" = String, Path), PdfQuery),
    responses(
        (status = 200, description = "the certificate", content_type = "application/pdf"),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "too many renderings from this address; see Retry-After", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn pdf(
    State(state): State<AppState>,
    crate::extract::MaybeAuth(credential, _): crate::extract::MaybeAuth,
    client: Option<axum::Extension<crate::edge::ClientAddr>>,
    ApiPath(number): ApiPath<String>,
    crate::extract::ApiQuery(q): crate::extract::ApiQuery<PdfQuery>,
) -> Result<axum::response::Response, ApiError> {
    let (language, lang) = language_of(&q)?;
    let file_name = format!("{number}-{lang}.pdf");
    // Anyone may fetch a certificate by its number; renderings for anonymous callers are
    // counted per address (a cached one costs nothing).
    let anonymous = credential.is_none().then(|| client.map_or_else(|| "unknown".to_owned(), |c| c.0.to_string()));
    let bytes = state.blocking(move |s| s.certificate_pdf_cached(&number, language, anonymous.as_deref())).await?;
    pdf_response(bytes.as_ref().clone(), &file_name, false)
}

/// A PDF shown in the browser; `private` ones (personal data) are not kept in caches.
fn pdf_response(bytes: Vec<u8>, file_name: &str, private: bool) -> Result<axum::response::Response, ApiError> {
    let mut r = axum::response::Response::builder()
        .header(axum::http::header::CONTENT_TYPE, "application/pdf")
        .header(axum::http::header::CONTENT_DISPOSITION, format!("inline; filename=\"{file_name}\""));
    if private {
        r = r.header(axum::http::header::CACHE_CONTROL, "no-store");
    }
    r.body(axum::body::Body::from(bytes)).map_err(|_| ApiError::internal())
}

/// The in-store application form of a request, to print and sign (its subscriber and staff).
#[utoipa::path(get, path = "/api/v1/terminations/{id}/application-form", tag = "certificates", security(("bearer" = [])),
    params(("id" = i64, Path), PdfQuery),
    responses(
        (status = 200, description = "the form", content_type = "application/pdf"),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn application_form(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<i64>,
    crate::extract::ApiQuery(q): crate::extract::ApiQuery<PdfQuery>,
) -> Result<axum::response::Response, ApiError> {
    let (language, lang) = language_of(&q)?;
    let bytes = state.as_user(auth, move |s, who| s.application_form_pdf(who, id, language)).await?;
    pdf_response(bytes, &format!("application-{id}-{lang}.pdf"), true)
}

/// The `lang` of a PDF request (default `ru`).
fn language_of(q: &PdfQuery) -> Result<(simexit_domain::Language, String), ApiError> {
    let lang = q.lang.clone().unwrap_or_else(|| "ru".into());
    let language = lang
        .parse()
        .map_err(|_| ApiError::bad_request("invalid_language", format!("lang `{lang}` is not ru, en or zh")))?;
    Ok((language, lang))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct KeysView {
    /// Ed25519 public keys by key id, hex: every key that signed a certificate.
    pub keys: BTreeMap<String, String>,
}

/// The published verification keys, for offline checks (public).
#[utoipa::path(get, path = "/api/v1/certificates/keys", tag = "certificates", responses((status = 200, body = KeysView)))]
pub async fn keys(State(state): State<AppState>) -> Json<KeysView> {
    Json(KeysView { keys: state.service.certificate_keys().to_hex() })
}

/// The certificate of a completed request (its subscriber and staff).
#[utoipa::path(get, path = "/api/v1/terminations/{id}/certificate", tag = "certificates", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = CertificateView), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn of_request(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<CertificateView>, ApiError> {
    let c = state
        .as_user(auth, move |s, who| {
            let row = s
                .certificate_of(who, id)?
                .ok_or_else(|| simexit_service::ServiceError::not_found("certificate of request", id))?;
            s.check_certificate(&row.number)
        })
        .await?;
    Ok(Json(c.into()))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct NetworkTaskView {
    pub id: i64,
    pub request_id: i64,
    pub msisdn: String,
    /// `deprovision` after completion, `restore` after a revocation.
    pub direction: String,
    pub steps: Vec<String>,
    /// How many of `steps` the network confirmed.
    pub done_steps: i64,
    /// `in_progress`, `done`, `alert` (a step keeps failing) or `cancelled`.
    pub status: String,
    pub attempts: i64,
    pub last_error: Option<String>,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: jiff::Timestamp,
}

impl From<simexit_store::NetworkTaskRow> for NetworkTaskView {
    fn from(t: simexit_store::NetworkTaskRow) -> Self {
        NetworkTaskView {
            id: t.id,
            request_id: t.request_id,
            msisdn: t.msisdn.to_string(),
            direction: t.direction,
            steps: t.steps,
            done_steps: t.done_steps,
            status: t.status,
            attempts: t.attempts,
            last_error: t.last_error,
            updated_at: t.updated_at,
        }
    }
}

/// The network steps of a request and where they stand (its subscriber and staff).
#[utoipa::path(get, path = "/api/v1/terminations/{id}/network", tag = "network", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = Vec<NetworkTaskView>), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn network(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Vec<NetworkTaskView>>, ApiError> {
    let tasks = state.as_user(auth, move |s, who| s.network_tasks(who, id)).await?;
    Ok(Json(tasks.into_iter().map(NetworkTaskView::from).collect()))
}

/// Network tasks whose step keeps failing: their numbers stay out of the pool (admins, auditors).
#[utoipa::path(get, path = "/api/v1/network/alerts", tag = "network", security(("bearer" = [])),
    responses((status = 200, body = Vec<NetworkTaskView>), (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn network_alerts(State(state): State<AppState>, auth: Auth) -> Result<Json<Vec<NetworkTaskView>>, ApiError> {
    let tasks = state.as_user(auth, |s, who| s.network_alerts(who)).await?;
    Ok(Json(tasks.into_iter().map(NetworkTaskView::from).collect()))
}
