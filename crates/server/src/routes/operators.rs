//! Operators, their policies and eligibility.

use axum::Json;
use axum::extract::State;
use simexit_domain::eligibility::Eligibility;
use simexit_domain::{Msisdn, OperatorId, TerminationPolicy};
use simexit_service::lines::EligibilityQuery;

use crate::dto::{EligibilityBody, OperatorView};
use crate::error::{ApiError, Problem};
use crate::extract::{ApiJson, ApiPath, MaybeAuth};
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
