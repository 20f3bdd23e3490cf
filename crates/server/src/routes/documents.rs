//! Documents of a request: multipart upload, list, download, review; destruction acts.

use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::http::{StatusCode, header};
use axum::response::Response;
use serde::{Deserialize, Serialize};
use simexit_domain::DocumentKind;

use crate::error::{ApiError, Problem};
use crate::extract::{ApiPath, ApiQuery, Auth};
use crate::state::AppState;

#[derive(Serialize, utoipa::ToSchema)]
pub struct DocumentView {
    pub id: i64,
    pub request_id: i64,
    #[schema(value_type = String)]
    pub kind: DocumentKind,
    /// The uploaded file's name, for display (empty once destroyed).
    pub file_name: String,
    /// What its bytes are: `image/jpeg`, `image/png` or `application/pdf`.
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    /// `uploaded`, `verified`, `rejected` or `destroyed`.
    pub status: String,
    pub review_reason: Option<String>,
    pub reviewed_by: Option<String>,
    #[schema(value_type = String, format = DateTime)]
    pub uploaded_at: jiff::Timestamp,
    /// When the content will be destroyed (set once the request is closed).
    #[schema(value_type = Option<String>, format = DateTime)]
    pub retention_until: Option<jiff::Timestamp>,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub destroyed_at: Option<jiff::Timestamp>,
}

impl From<simexit_store::DocumentRow> for DocumentView {
    fn from(d: simexit_store::DocumentRow) -> Self {
        DocumentView {
            id: d.id,
            request_id: d.request_id,
            kind: d.kind,
            file_name: d.file_name,
            content_type: d.content_type,
            size: d.size,
            sha256: d.sha256,
            status: d.status,
            review_reason: d.review_reason,
            reviewed_by: d.reviewed_by,
            uploaded_at: d.uploaded_at,
            retention_until: d.retention_until,
            destroyed_at: d.destroyed_at,
        }
    }
}

/// The multipart form of an upload (for the OpenAPI document).
#[derive(utoipa::ToSchema)]
#[allow(dead_code, reason = "describes the multipart body; the handler reads the parts itself")]
pub struct UploadForm {
    /// passport, address_proof, contract, bill, debt_clearance, guarantor, power_of_attorney or other.
    kind: String,
    /// A JPEG, PNG or PDF, judged by its bytes.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

fn multipart_error(e: axum::extract::multipart::MultipartError) -> ApiError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "file_too_large", "the upload is larger than allowed")
    } else {
        ApiError::bad_request("invalid_multipart", e.body_text())
    }
}

/// Adds a document to a request (multipart fields `kind` and `file`).
#[utoipa::path(post, path = "/api/v1/terminations/{id}/documents", tag = "documents", security(("bearer" = [])),
    params(("id" = i64, Path)),
    request_body(content = UploadForm, content_type = "multipart/form-data"),
    responses(
        (status = 201, body = DocumentView),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 413, body = Problem, content_type = "application/problem+json"),
        (status = 415, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn upload(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<i64>,
    form: Result<Multipart, MultipartRejection>,
) -> Result<(StatusCode, Json<DocumentView>), ApiError> {
    let mut form = form
        .map_err(|_| ApiError::bad_request("invalid_multipart", "send multipart/form-data with `kind` and `file`"))?;
    let (mut kind, mut file) = (None, None);
    while let Some(field) = form.next_field().await.map_err(multipart_error)? {
        match field.name() {
            Some("kind") => kind = Some(field.text().await.map_err(multipart_error)?),
            Some("file") => {
                let name = field.file_name().unwrap_or_default().to_owned();
                file = Some((name, field.bytes().await.map_err(multipart_error)?));
            }
            _ => {}
        }
    }
    let kind = kind.ok_or_else(|| ApiError::bad_request("missing_field", "the form has no `kind`"))?;
    let kind: DocumentKind = kind
        .trim()
        .parse()
        .map_err(|_| ApiError::bad_request("invalid_kind", format!("kind `{kind}` is not a document kind")))?;
    let (name, bytes) = file.ok_or_else(|| ApiError::bad_request("missing_field", "the form has no `file`"))?;
    let doc = state.as_user(auth, move |s, who| s.upload_document(who, id, kind, &name, &bytes)).await?;
    Ok((StatusCode::CREATED, Json(doc.into())))
}

/// A request's documents.
#[utoipa::path(get, path = "/api/v1/terminations/{id}/documents", tag = "documents", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = Vec<DocumentView>), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn list(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Vec<DocumentView>>, ApiError> {
    let docs = state.as_user(auth, move |s, who| s.documents(who, id)).await?;
    Ok(Json(docs.into_iter().map(DocumentView::from).collect()))
}

/// The content of a document, as uploaded (410 once destroyed).
#[utoipa::path(get, path = "/api/v1/documents/{id}/content", tag = "documents", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses(
        (status = 200, description = "the file, with its sniffed content type", content_type = "application/octet-stream"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 410, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn content(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<i64>,
) -> Result<Response, ApiError> {
    let (doc, bytes) = state.as_user(auth, move |s, who| s.document_content(who, id)).await?;
    let ascii: String =
        doc.file_name.chars().map(|c| if c.is_ascii_alphanumeric() || c == '.' { c } else { '_' }).collect();
    let encoded: String = doc
        .file_name
        .bytes()
        .map(|b| if b.is_ascii_alphanumeric() || b == b'.' { (b as char).to_string() } else { format!("%{b:02X}") })
        .collect();
    Response::builder()
        .header(header::CONTENT_TYPE, doc.content_type)
        .header(header::CONTENT_DISPOSITION, format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}"))
        .header(header::CACHE_CONTROL, "no-store")
        .body(Body::from(bytes))
        .map_err(|_| ApiError::internal())
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewBody {
    /// Required to reject.
    pub reason: Option<String>,
}

async fn review(
    state: AppState,
    auth: Auth,
    id: i64,
    verified: bool,
    reason: Option<String>,
) -> Result<Json<DocumentView>, ApiError> {
    let d = state.as_user(auth, move |s, who| s.review_document(who, id, verified, reason.as_deref())).await?;
    Ok(Json(d.into()))
}

/// Marks a document verified (clerks, reviewers, admins of the operator).
#[utoipa::path(post, path = "/api/v1/documents/{id}/verify", tag = "documents", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = DocumentView), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn verify(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<DocumentView>, ApiError> {
    review(state, auth, id, true, None).await
}

/// Rejects a document with a reason.
#[utoipa::path(post, path = "/api/v1/documents/{id}/reject", tag = "documents", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = ReviewBody,
    responses((status = 200, body = DocumentView), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn reject(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<i64>,
    crate::extract::ApiJson(b): crate::extract::ApiJson<ReviewBody>,
) -> Result<Json<DocumentView>, ApiError> {
    review(state, auth, id, false, b.reason).await
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ActView {
    pub id: i64,
    pub document_id: i64,
    pub request_id: i64,
    pub subscriber_id: i64,
    pub kind: String,
    pub sha256: String,
    pub size: i64,
    pub reason: String,
    pub actor: String,
    #[schema(value_type = String, format = DateTime)]
    pub at: jiff::Timestamp,
}

#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ActsPage {
    /// Acts after this id (0 for the first page).
    pub after: Option<i64>,
    /// At most this many (1–1000, default 100).
    pub limit: Option<u32>,
}

/// Every destruction act as JSON lines, for the auditor's records (deployment-wide auditors
/// and admins).
#[utoipa::path(get, path = "/api/v1/destruction-acts/export", tag = "documents", security(("bearer" = [])),
    responses(
        (status = 200, content_type = "application/x-ndjson", description = "one act per line"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn export_acts(State(state): State<AppState>, auth: Auth) -> Result<Response, ApiError> {
    let rows =
        state.as_user(auth, |s, who| super::all_pages(|after| s.destruction_acts(who, after, 1_000), |a| a.id)).await?;
    let body = super::ndjson(rows.into_iter().map(act_view))?;
    Response::builder()
        .header(header::CONTENT_TYPE, "application/x-ndjson")
        .header(header::CONTENT_DISPOSITION, "attachment; filename=\"destruction-acts.jsonl\"")
        .body(Body::from(body))
        .map_err(|_| ApiError::internal())
}

fn act_view(a: simexit_store::DestructionActRow) -> ActView {
    ActView {
        id: a.id,
        document_id: a.document_id,
        request_id: a.request_id,
        subscriber_id: a.subscriber_id,
        kind: a.kind,
        sha256: a.sha256,
        size: a.size,
        reason: a.reason,
        actor: a.actor,
        at: a.at,
    }
}

/// Acts of destruction of personal data, oldest first (deployment-wide auditors and admins).
#[utoipa::path(get, path = "/api/v1/destruction-acts", tag = "documents", security(("bearer" = [])), params(ActsPage),
    responses((status = 200, body = Vec<ActView>), (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn acts(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(p): ApiQuery<ActsPage>,
) -> Result<Json<Vec<ActView>>, ApiError> {
    let rows = state
        .as_user(auth, move |s, who| s.destruction_acts(who, p.after.unwrap_or(0), p.limit.unwrap_or(100)))
        .await?;
    Ok(Json(rows.into_iter().map(act_view).collect()))
}
