//! Termination requests: create, read, the transitions, the reviewer's queue.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use simexit_domain::Action;
use simexit_service::{CreateRequest, TransitionInput};

use crate::dto::{CreateTerminationBody, RequestView, TransitionBody};
use crate::error::{ApiError, Problem};
use crate::extract::{ApiJson, ApiPath, ApiQuery, Auth};
use crate::state::AppState;

/// File a termination request (draft). A subscriber files `online` for their own line; a
/// clerk files `store` during the visit.
#[utoipa::path(post, path = "/api/v1/terminations", tag = "terminations", security(("bearer" = [])),
    request_body = CreateTerminationBody,
    responses(
        (status = 201, body = RequestView),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "line not active or a request already open", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "e.g. `store_visit_required`", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(body): ApiJson<CreateTerminationBody>,
) -> Result<(StatusCode, Json<RequestView>), ApiError> {
    let input =
        CreateRequest { line_id: body.line_id, channel: body.channel, reason: body.reason, store_id: body.store_id };
    let details = state.as_user(auth, move |s, who| s.create_request(who, input)).await?;
    Ok((StatusCode::CREATED, Json(details.into())))
}

/// One request with its line, timeline and blockers.
#[utoipa::path(get, path = "/api/v1/terminations/{id}", tag = "terminations", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses(
        (status = 200, body = RequestView),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<RequestView>, ApiError> {
    Ok(Json(state.as_user(auth, move |s, who| s.request(who, id)).await?.into()))
}

/// The signed-in subscriber's requests.
#[utoipa::path(get, path = "/api/v1/me/terminations", tag = "terminations", security(("bearer" = [])), responses(
    (status = 200, body = Vec<RequestView>),
    (status = 401, body = Problem, content_type = "application/problem+json"),
))]
pub async fn mine(State(state): State<AppState>, auth: Auth) -> Result<Json<Vec<RequestView>>, ApiError> {
    let rows = state.as_user(auth, move |s, who| s.my_requests(who)).await?;
    Ok(Json(rows.into_iter().map(RequestView::summary).collect()))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct QueueParams {
    /// At most this many (1–500, default 100).
    pub limit: Option<u32>,
}

/// Requests awaiting a decision in the caller's operator, earliest review deadline first.
#[utoipa::path(get, path = "/api/v1/review-queue", tag = "terminations", security(("bearer" = [])), params(QueueParams),
    responses(
        (status = 200, body = Vec<RequestView>),
        (status = 403, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn review_queue(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(params): ApiQuery<QueueParams>,
) -> Result<Json<Vec<RequestView>>, ApiError> {
    let limit = params.limit.unwrap_or(100);
    let rows = state.as_user(auth, move |s, who| s.review_queue(who, limit)).await?;
    Ok(Json(rows.into_iter().map(RequestView::summary).collect()))
}

/// A body that may be empty; when present it must be valid JSON of the expected shape.
fn optional_json<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<Option<T>, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    crate::extract::refuse_nul_in_json(body)?;
    serde_json::from_slice(body).map(Some).map_err(|e| match e.classify() {
        serde_json::error::Category::Data => ApiError::bad_request("invalid_body", e.to_string()),
        _ => ApiError::bad_request("malformed_json", format!("the body is not valid JSON: {e}")),
    })
}

async fn transition(
    state: AppState,
    auth: Auth,
    id: i64,
    action: Action,
    body: Option<TransitionBody>,
) -> Result<Json<RequestView>, ApiError> {
    let input = TransitionInput { reason: body.unwrap_or_default().reason };
    Ok(Json(state.as_user(auth, move |s, who| s.transition(who, id, action, input)).await?.into()))
}

/// One handler per transition, so each has its own path in the OpenAPI document.
macro_rules! transitions {
    ($($name:ident => $action:expr, $path:literal, $doc:literal;)+) => {$(
        #[doc = $doc]
        #[utoipa::path(post, path = $path, tag = "terminations", security(("bearer" = [])),
            params(("id" = i64, Path)),
            request_body(content = Option<TransitionBody>, description = "optional `reason`"),
            responses(
                (status = 200, body = RequestView),
                (status = 403, body = Problem, content_type = "application/problem+json"),
                (status = 404, body = Problem, content_type = "application/problem+json"),
                (status = 409, description = "illegal in the request's state", body = Problem, content_type = "application/problem+json"),
                (status = 422, body = Problem, content_type = "application/problem+json"),
            ))]
        pub async fn $name(
            State(state): State<AppState>,
            auth: Auth,
            ApiPath(id): ApiPath<i64>,
            body: axum::body::Bytes,
        ) -> Result<Json<RequestView>, ApiError> {
            transition(state, auth, id, $action, optional_json(&body)?).await
        }
    )+};
}

transitions! {
    submit => Action::Submit, "/api/v1/terminations/{id}/submit", "Submit a draft for review; sets the review deadline.";
    withdraw => Action::Withdraw, "/api/v1/terminations/{id}/withdraw", "Withdraw a request before it is approved.";
    approve => Action::Approve, "/api/v1/terminations/{id}/approve", "Approve a request under review.";
    reject => Action::Reject, "/api/v1/terminations/{id}/reject", "Reject a request; `reason` is required.";
    request_info => Action::RequestInfo, "/api/v1/terminations/{id}/request-info", "Ask the subscriber for more information; `reason` says what.";
    provide_info => Action::ProvideInfo, "/api/v1/terminations/{id}/provide-info", "Answer a request for information; the review deadline restarts.";
    complete => Action::Complete, "/api/v1/terminations/{id}/complete", "Terminate the line: the number is frozen for the aging period. Refused while there is debt.";
    revoke => Action::Revoke, "/api/v1/terminations/{id}/revoke", "Revoke a completed termination during aging: the same line and number come back.";
}
