//! The store directory, stores kept by their operator's admins, and their live waits.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use simexit_service::imports::StoreFields;
use simexit_store::StoreExt;

use crate::dto::StoreView;
use crate::error::{ApiError, Problem};
use crate::extract::{ApiJson, ApiPath, ApiQuery, Auth};
use crate::state::AppState;

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

/// A store as an admin writes it: the columns of the stores file, the hours as one text.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StoreBody {
    /// The store's id (letters, digits, `-`, `_`); on `PUT`, the path's.
    #[serde(default)]
    pub id: Option<String>,
    pub operator: String,
    /// `store` (the default) or `recycling_point`.
    #[serde(default)]
    pub kind: Option<String>,
    pub name: String,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub region: String,
    /// An IANA zone, e.g. `Europe/Moscow`.
    pub time_zone: String,
    /// E.g. `mon-fri 09:00-13:00,14:00-21:00; sat 10:00-18:00; sun closed; 2027-01-01 closed`.
    pub hours: String,
    #[serde(default = "yes")]
    pub accepts_terminations: bool,
    #[serde(default)]
    pub recycles_sims: bool,
    #[serde(default)]
    pub phone: String,
}

fn yes() -> bool {
    true
}

fn word(flag: bool) -> String {
    if flag { "yes" } else { "no" }.to_owned()
}

impl StoreBody {
    fn fields(self, id: String) -> StoreFields {
        StoreFields {
            id,
            operator: self.operator,
            kind: self.kind.unwrap_or_else(|| "store".into()),
            name: self.name,
            address: self.address,
            region: self.region,
            time_zone: self.time_zone,
            hours: self.hours,
            accepts_terminations: word(self.accepts_terminations),
            recycles_sims: word(self.recycles_sims),
            phone: self.phone,
        }
    }
}

/// One store of the directory.
#[utoipa::path(get, path = "/api/v1/stores/{id}", tag = "stores",
    params(("id" = String, Path, description = "The store's id")),
    responses(
        (status = 200, body = StoreView),
        (status = 404, body = Problem, content_type = "application/problem+json"),
))]
pub async fn get(State(state): State<AppState>, ApiPath(id): ApiPath<String>) -> Result<Json<StoreView>, ApiError> {
    let row = state.blocking(move |s| s.store_by_id(&id)).await?;
    Ok(Json(StoreView::of(row, state.service.now(), &state.service.calendars)))
}

/// Add a store or recycling point (an admin of its operator).
#[utoipa::path(post, path = "/api/v1/stores", tag = "stores", request_body = StoreBody,
    security(("bearer" = [])),
    responses(
        (status = 201, body = StoreView),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`store_exists`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`invalid_store`: each field that is wrong", body = Problem, content_type = "application/problem+json"),
))]
pub async fn create(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(body): ApiJson<StoreBody>,
) -> Result<(StatusCode, Json<StoreView>), ApiError> {
    let id = body.id.clone().unwrap_or_default();
    let row = state.as_user(auth, move |s, who| s.create_store(who, body.fields(id))).await?;
    Ok((StatusCode::CREATED, Json(StoreView::of(row, state.service.now(), &state.service.calendars))))
}

/// Edit a store (an admin of its operator); its live wait is kept.
#[utoipa::path(put, path = "/api/v1/stores/{id}", tag = "stores", request_body = StoreBody,
    params(("id" = String, Path, description = "The store's id")),
    security(("bearer" = [])),
    responses(
        (status = 200, body = StoreView),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`invalid_store`", body = Problem, content_type = "application/problem+json"),
))]
pub async fn update(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<StoreBody>,
) -> Result<Json<StoreView>, ApiError> {
    if body.id.as_deref().is_some_and(|b| b != id) {
        return Err(ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_store", "id: the path's id, or none"));
    }
    let row = state.as_user(auth, move |s, who| s.update_store(who, &id.clone(), body.fields(id))).await?;
    Ok(Json(StoreView::of(row, state.service.now(), &state.service.calendars)))
}

/// Remove a store that no staff account or request names (an admin of its operator).
#[utoipa::path(delete, path = "/api/v1/stores/{id}", tag = "stores",
    params(("id" = String, Path, description = "The store's id")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "removed"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`store_in_use`", body = Problem, content_type = "application/problem+json"),
))]
pub async fn delete(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<String>,
) -> Result<StatusCode, ApiError> {
    state.as_user(auth, move |s, who| s.delete_store(who, &id)).await?;
    Ok(StatusCode::NO_CONTENT)
}
