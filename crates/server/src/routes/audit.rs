//! The audit log for auditors: pages as JSON, or the whole log as JSON lines for export.

use axum::Json;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use serde::{Deserialize, Serialize};

use crate::error::{ApiError, Problem};
use crate::extract::{ApiQuery, Auth};
use crate::state::AppState;

#[derive(Serialize, utoipa::ToSchema)]
pub struct AuditEntryView {
    pub id: i64,
    #[schema(value_type = String, format = DateTime)]
    pub at: jiff::Timestamp,
    /// `account:<id>` or `system`.
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    #[schema(value_type = Object)]
    pub details: serde_json::Value,
    pub prev_hash: String,
    pub hash: String,
}

impl From<simexit_store::AuditRow> for AuditEntryView {
    fn from(a: simexit_store::AuditRow) -> Self {
        AuditEntryView {
            id: a.id,
            at: a.at,
            actor: a.actor,
            action: a.action,
            entity: a.entity,
            entity_id: a.entity_id,
            details: serde_json::from_str(&a.details).unwrap_or(serde_json::Value::String(a.details)),
            prev_hash: a.prev_hash,
            hash: a.hash,
        }
    }
}

#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct AuditPage {
    /// Entries after this id (0 for the first page).
    pub after: Option<i64>,
    /// At most this many (1–1000, default 100).
    pub limit: Option<u32>,
}

/// A page of the audit log, oldest first (deployment-wide auditors and admins).
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", security(("bearer" = [])), params(AuditPage),
    responses((status = 200, body = Vec<AuditEntryView>), (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn page(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(p): ApiQuery<AuditPage>,
) -> Result<Json<Vec<AuditEntryView>>, ApiError> {
    let rows =
        state.as_user(auth, move |s, who| s.audit_entries(who, p.after.unwrap_or(0), p.limit.unwrap_or(100))).await?;
    Ok(Json(rows.into_iter().map(AuditEntryView::from).collect()))
}

/// The whole audit log as JSON lines (`application/x-ndjson`), one entry per line.
#[utoipa::path(get, path = "/api/v1/audit/export", tag = "audit", security(("bearer" = [])),
    responses(
        (status = 200, content_type = "application/x-ndjson", description = "one audit entry per line"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn export(State(state): State<AppState>, auth: Auth) -> Result<impl IntoResponse, ApiError> {
    let rows =
        state.as_user(auth, |s, who| super::all_pages(|after| s.audit_entries(who, after, 1_000), |e| e.id)).await?;
    let body = super::ndjson(rows.into_iter().map(AuditEntryView::from))?;
    Ok(([(header::CONTENT_TYPE, "application/x-ndjson")], body))
}
