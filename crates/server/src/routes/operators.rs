//! Operators, their policies, eligibility and the store directory.

use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use simexit_domain::eligibility::Eligibility;
use simexit_domain::{Msisdn, OperatorId, TerminationPolicy};
use simexit_service::lines::EligibilityQuery;
use simexit_store::StoreExt;

use crate::dto::{EligibilityBody, OperatorView, StoreView};
use crate::error::{ApiError, Problem};
use crate::extract::{ApiJson, ApiPath, ApiQuery, Auth, MaybeAuth};
use crate::state::AppState;

/// The operators of this deployment.
#[utoipa::path(get, path = "/api/v1/operators", tag = "operators", responses((status = 200, body = Vec<OperatorView>)))]
pub async fn list(State(state): State<AppState>) -> Json<Vec<OperatorView>> {
    Json(
        state
            .service
            .policies
            .iter()
            .map(|p| OperatorView {
                id: p.operator.clone(),
                name: p.name.clone(),
                inn: p.inn.clone(),
                channels: p.channels.clone(),
                illustrative: p.illustrative,
                hotline: p.hotline.clone(),
                website: p.website.clone(),
            })
            .collect(),
    )
}

pub fn parse_operator(id: &str) -> Result<OperatorId, ApiError> {
    OperatorId::parse(id).map_err(|e| ApiError::bad_request("invalid_operator", e.to_string()))
}

/// An operator's termination policy.
#[utoipa::path(get, path = "/api/v1/operators/{id}/policy", tag = "operators",
    params(("id" = String, Path, description = "operator id, e.g. `mts`")),
    responses(
        (status = 200, body = TerminationPolicy),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn policy(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<TerminationPolicy>, ApiError> {
    let id = parse_operator(&id)?;
    Ok(Json(state.service.policy(&id)?.clone()))
}

pub fn parse_msisdn(text: &str) -> Result<Msisdn, ApiError> {
    Msisdn::parse(text).map_err(|e| ApiError::bad_request("invalid_msisdn", e.to_string()))
}

/// Can this subscriber cancel online, with which documents, and what blocks it. Ask by
/// `operator` + `customer_category`, by `line_id`, or by `msisdn`; a line's own facts
/// (debt) are shown to its holder and to staff.
#[utoipa::path(post, path = "/api/v1/eligibility", tag = "terminations", request_body = EligibilityBody,
    security((), ("bearer" = [])),
    responses(
        (status = 200, body = Eligibility),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn eligibility(
    State(state): State<AppState>,
    auth: MaybeAuth,
    ApiJson(body): ApiJson<EligibilityBody>,
) -> Result<Json<Eligibility>, ApiError> {
    let query = match (body.line_id, body.msisdn, body.operator, body.customer_category) {
        (Some(line_id), None, None, _) => EligibilityQuery::Line { line_id },
        (None, Some(msisdn), None, category) => EligibilityQuery::Number { msisdn: parse_msisdn(&msisdn)?, category },
        (None, None, Some(operator), Some(category)) => EligibilityQuery::Policy { operator, category },
        _ => {
            return Err(ApiError::new(
                axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                "eligibility_query",
                "give `operator` and `customer_category`, or `line_id`, or `msisdn`",
            ));
        }
    };
    Ok(Json(state.as_anyone(auth, move |s, who| s.eligibility(who, query)).await?))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct StoreFilter {
    /// Only this operator's stores.
    pub operator: Option<String>,
    /// Only stores in this region (exact name).
    pub region: Option<String>,
    /// `true`: only places that take SIM cards for recycling (stores and recycling points).
    pub recycles_sims: Option<bool>,
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WaitBody {
    /// The live wait in minutes (0 to 1440).
    pub minutes: i64,
}

/// Set a store's live wait: its clerks, its operator's admins, or a queue system (an API
/// client with the `stores:wait` scope).
#[utoipa::path(put, path = "/api/v1/stores/{id}/wait", tag = "stores", request_body = WaitBody,
    params(("id" = String, Path, description = "The store's id")),
    security(("bearer" = [])),
    responses(
        (status = 200, body = StoreView),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`invalid_wait`", body = Problem, content_type = "application/problem+json"),
))]
pub async fn set_wait(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<WaitBody>,
) -> Result<Json<StoreView>, ApiError> {
    let row = state.as_user(auth, move |s, who| s.set_store_wait(who, &id, body.minutes)).await?;
    Ok(Json(StoreView::of(row, state.service.now(), &state.service.calendars)))
}

/// The store directory: local hours, open now, current wait.
#[utoipa::path(get, path = "/api/v1/stores", tag = "stores", params(StoreFilter), responses((status = 200, body = Vec<StoreView>)))]
pub async fn stores(
    State(state): State<AppState>,
    ApiQuery(filter): ApiQuery<StoreFilter>,
) -> Result<Json<Vec<StoreView>>, ApiError> {
    let now = state.service.now();
    let rows = state.blocking(|s| Ok(s.store.read(|tx| tx.stores())?)).await?;
    let views = rows
        .into_iter()
        .filter(|s| filter.operator.as_deref().is_none_or(|o| s.operator.as_str() == o))
        .filter(|s| filter.region.as_deref().is_none_or(|r| s.region == r))
        .filter(|s| filter.recycles_sims.is_none_or(|want| s.recycles_sims == want))
        .map(|s| StoreView::of(s, now, &state.service.calendars))
        .collect();
    Ok(Json(views))
}
