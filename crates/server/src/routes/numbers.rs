//! The number inventory (staff).

use axum::Json;
use axum::extract::State;

use crate::dto::NumberView;
use crate::error::{ApiError, Problem};
use crate::extract::{ApiPath, Auth};
use crate::routes::operators::parse_msisdn;
use crate::state::AppState;

/// A number's state, freeze end and holder history.
#[utoipa::path(get, path = "/api/v1/numbers/{msisdn}", tag = "numbers", security(("bearer" = [])),
    params(("msisdn" = String, Path, description = "the number, E.164 or as typed")),
    responses(
        (status = 200, body = NumberView),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(msisdn): ApiPath<String>,
) -> Result<Json<NumberView>, ApiError> {
    let msisdn = parse_msisdn(&msisdn)?;
    Ok(Json(state.as_user(auth, move |s, who| s.number_info(who, &msisdn)).await?.into()))
}
