//! The numbering plan: who holds a number's range (public: the registry is open data).

use axum::Json;
use axum::extract::State;
use serde::Serialize;

use crate::error::{ApiError, Problem};
use crate::extract::ApiPath;
use crate::routes::operators::parse_msisdn;
use crate::state::AppState;

#[derive(Serialize, utoipa::ToSchema)]
pub struct RangeView {
    pub msisdn: simexit_domain::Msisdn,
    pub def: u16,
    /// First and last subscriber numbers of the range (7 digits).
    pub range_from: String,
    pub range_to: String,
    /// The range holder as the registry spells it, and its tax id (ИНН).
    pub holder_name: String,
    pub holder_inn: Option<String>,
    pub region: String,
    pub territory: Option<String>,
    /// The operator of this deployment with that tax id, if any. A ported number may be
    /// served by another operator than the range holder.
    pub operator: Option<simexit_domain::OperatorId>,
    /// The number left one of this deployment's operators by number portability.
    pub ported_out: bool,
}

/// The range holder and region of a Russian mobile number, per the imported registry.
#[utoipa::path(get, path = "/api/v1/numbering/{msisdn}", tag = "numbers",
    params(("msisdn" = String, Path, description = "the number, E.164 or as typed")),
    responses(
        (status = 200, body = RangeView),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "in no imported range", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn lookup(
    State(state): State<AppState>,
    ApiPath(msisdn): ApiPath<String>,
) -> Result<Json<RangeView>, ApiError> {
    let msisdn = parse_msisdn(&msisdn)?;
    let m = msisdn.clone();
    let (range, (operator, ported_out)) =
        state.blocking(move |s| Ok((s.range_holder(&m)?, s.serving_operator(&m)?))).await?;
    let r = range.ok_or_else(|| {
        ApiError::new(axum::http::StatusCode::NOT_FOUND, "not_found", format!("{msisdn} is in no imported range"))
    })?;
    Ok(Json(RangeView {
        msisdn,
        def: r.def,
        range_from: format!("{:07}", r.from),
        range_to: format!("{:07}", r.to),
        holder_name: r.operator_name,
        holder_inn: r.inn,
        region: r.region,
        territory: r.territory,
        operator,
        ported_out,
    }))
}
