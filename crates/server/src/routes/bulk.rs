//! Bulk terminations for admins: a dry run, or a run carried out by the worker in batches,
//! with a progress resource.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use simexit_domain::access::Role;

use crate::error::{ApiError, Problem};
use crate::extract::{ApiPath, ApiQuery, Auth};
use crate::state::AppState;

#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct BulkQuery {
    /// over_limit, non_use, corporate or operator.
    pub reason: Option<String>,
    /// Report what would happen to each line and change nothing.
    pub dry_run: Option<bool>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct BulkLineView {
    pub line: i64,
    pub msisdn: String,
    /// terminated, debt, already_terminated, open_request or unknown_number.
    pub outcome: String,
    pub request_id: Option<i64>,
    pub detail: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct BulkDryRunView {
    pub lines: Vec<BulkLineView>,
    /// Lines by outcome.
    pub totals: BTreeMap<String, i64>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct BulkRunView {
    /// The same file and reason give the same id: posting it again resumes the run.
    pub id: String,
    pub reason: String,
    pub total: i64,
    /// Lines by outcome; `pending` for those not processed yet.
    pub counts: BTreeMap<String, i64>,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub finished_at: Option<jiff::Timestamp>,
}

impl From<simexit_service::bulk::BulkProgress> for BulkRunView {
    fn from(p: simexit_service::bulk::BulkProgress) -> Self {
        BulkRunView {
            id: p.run.id,
            reason: p.run.reason,
            total: p.run.total,
            counts: p.counts,
            finished_at: p.run.finished_at,
        }
    }
}

/// Either answer of `POST /api/v1/bulk-terminations`.
#[derive(Serialize)]
#[serde(untagged)]
pub enum BulkAnswer {
    DryRun(BulkDryRunView),
    Run(BulkRunView),
}

/// Terminates every line of a CSV body (an `msisdn` column) for a forced reason: with
/// `dry_run=true` a report; otherwise 202 and a run the worker carries out (admins).
#[utoipa::path(post, path = "/api/v1/bulk-terminations", tag = "bulk", security(("bearer" = [])), params(BulkQuery),
    request_body(content = String, content_type = "text/csv"),
    responses(
        (status = 200, body = BulkDryRunView, description = "dry run"),
        (status = 202, body = BulkRunView, description = "started (or resumed)"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn start(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(q): ApiQuery<BulkQuery>,
    body: axum::body::Bytes,
) -> Result<(StatusCode, Json<BulkAnswer>), ApiError> {
    crate::extract::refuse_nul_in_text(&body)?;
    let text = String::from_utf8_lossy(&body).into_owned();
    let dry_run = q.dry_run.unwrap_or(false);
    let answer = state
        .as_user(auth, move |s, who| {
            who.require(&[Role::Admin], "run bulk terminations")?;
            let reason = q.reason.as_deref().unwrap_or_default();
            let reason: simexit_domain::Reason = reason.parse().map_err(|_| {
                simexit_service::ServiceError::unprocessable(
                    "invalid_reason",
                    "reason: over_limit, non_use, corporate or operator",
                )
            })?;
            let lines = simexit_service::bulk::parse_bulk_file(&text)?;
            if dry_run {
                let plan = s.bulk_dry_run(who, &lines, reason)?;
                let mut totals = BTreeMap::new();
                let lines = plan
                    .into_iter()
                    .map(|(line, n, outcome)| {
                        *totals.entry(outcome.code().to_owned()).or_insert(0) += 1;
                        let (request_id, detail) = match &outcome {
                            simexit_service::Forced::OpenRequest { request_id } => (Some(*request_id), None),
                            simexit_service::Forced::Debt { amount } => (None, Some(format!("debt {amount}"))),
                            _ => (None, None),
                        };
                        BulkLineView { line, msisdn: n.to_string(), outcome: outcome.code().into(), request_id, detail }
                    })
                    .collect();
                Ok(BulkAnswer::DryRun(BulkDryRunView { lines, totals }))
            } else {
                Ok(BulkAnswer::Run(s.bulk_start_in_background(who, &lines, reason, "api")?.into()))
            }
        })
        .await?;
    let status = if dry_run { StatusCode::OK } else { StatusCode::ACCEPTED };
    Ok((status, Json(answer)))
}

/// Where a run stands (admins).
#[utoipa::path(get, path = "/api/v1/bulk-terminations/{id}", tag = "bulk", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = BulkRunView), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn progress(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<BulkRunView>, ApiError> {
    let p = state.as_user(auth, move |s, who| s.bulk_progress(who, &id)).await?;
    Ok(Json(p.into()))
}
