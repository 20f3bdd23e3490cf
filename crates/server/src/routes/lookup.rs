//! Lookups for relying parties: CAMARA Number Recycling (its own error shape and
//! `x-correlator`) and the FCC-style batch under `/api/v1`.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use simexit_domain::Msisdn;
use simexit_domain::reassignment::Disconnected;

use crate::error::{ApiError, Problem};
use crate::extract::{ApiJson, Auth, bearer};
use crate::state::AppState;

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CheckBody {
    /// E.164 with the leading `+`.
    pub phone_number: String,
    /// `YYYY-MM-DD`.
    pub specified_date: String,
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CheckView {
    pub phone_num_changed: bool,
}

/// CAMARA's error body.
#[derive(Serialize, utoipa::ToSchema)]
pub struct CamaraError {
    pub status: u16,
    pub code: String,
    pub message: String,
}

fn camara(status: StatusCode, code: &str, message: &str, correlator: &Option<HeaderValue>) -> Response {
    let mut r = (status, Json(CamaraError { status: status.as_u16(), code: code.into(), message: message.into() }))
        .into_response();
    if let Some(c) = correlator {
        r.headers_mut().insert("x-correlator", c.clone());
    }
    r
}

/// CAMARA Number Recycling: has the number's subscriber changed since the date? Needs a
/// client token with the `number-recycling:check` scope.
#[utoipa::path(post, path = "/number-recycling/v0/check", tag = "lookup", security(("bearer" = [])), request_body = CheckBody,
    responses(
        (status = 200, body = CheckView),
        (status = 400, body = CamaraError), (status = 401, body = CamaraError), (status = 403, body = CamaraError),
        (status = 404, body = CamaraError), (status = 429, body = CamaraError),
    ))]
pub async fn check(State(state): State<AppState>, headers: HeaderMap, body: axum::body::Bytes) -> Response {
    let correlator = headers.get("x-correlator").filter(|v| v.len() <= 256).cloned();
    let Ok(Some(token)) = bearer(&headers) else {
        return camara(StatusCode::UNAUTHORIZED, "UNAUTHENTICATED", "a client token is required", &correlator);
    };
    let Ok(b) = serde_json::from_slice::<CheckBody>(&body) else {
        return camara(StatusCode::BAD_REQUEST, "INVALID_ARGUMENT", "send phoneNumber and specifiedDate", &correlator);
    };
    let Ok(msisdn) = Msisdn::parse(&b.phone_number) else {
        return camara(
            StatusCode::BAD_REQUEST,
            "INVALID_ARGUMENT",
            "phoneNumber is not a valid E.164 number",
            &correlator,
        );
    };
    let Ok(date) = b.specified_date.parse::<Date>() else {
        return camara(StatusCode::BAD_REQUEST, "INVALID_ARGUMENT", "specifiedDate is not YYYY-MM-DD", &correlator);
    };
    let result = state
        .quick(move |s| {
            let who = s.authenticate_cached(&token)?;
            s.number_recycling_check(&who, &msisdn, date)
        })
        .await;
    let mut response = match result {
        Ok(Some(changed)) => Json(CheckView { phone_num_changed: changed }).into_response(),
        Ok(None) => {
            return camara(
                StatusCode::NOT_FOUND,
                "IDENTIFIER_NOT_FOUND",
                "the number is not known to this operator",
                &correlator,
            );
        }
        Err(e) => {
            let code = match e.status.as_u16() {
                401 => "UNAUTHENTICATED",
                403 => "PERMISSION_DENIED",
                429 => "QUOTA_EXCEEDED",
                503 => "UNAVAILABLE",
                _ => "INTERNAL",
            };
            let retry = e.retry_after;
            let mut r = camara(e.status, code, &e.detail, &correlator);
            if let Some(secs) = retry {
                r.headers_mut().insert(axum::http::header::RETRY_AFTER, HeaderValue::from(secs));
            }
            return r;
        }
    };
    if let Some(c) = correlator {
        response.headers_mut().insert("x-correlator", c);
    }
    response
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QueryPair {
    pub number: String,
    /// `YYYY-MM-DD`.
    pub date: String,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QueryBody {
    /// 1 to 1000 pairs.
    pub queries: Vec<QueryPair>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct QueryAnswer {
    pub number: Msisdn,
    pub date: String,
    /// `yes` (permanently disconnected at or after the date), `no`, or `no_data`.
    #[schema(value_type = String)]
    pub disconnected: Disconnected,
}

/// FCC-style batch: was each number permanently disconnected since its date? Port-outs are
/// not disconnections; a date before simexit's history is `no_data`.
#[utoipa::path(post, path = "/api/v1/reassigned-numbers/query", tag = "lookup", security(("bearer" = [])), request_body = QueryBody,
    responses(
        (status = 200, body = Vec<QueryAnswer>),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 429, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn query(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(b): ApiJson<QueryBody>,
) -> Result<Json<Vec<QueryAnswer>>, ApiError> {
    let mut pairs = Vec::with_capacity(b.queries.len());
    for (i, q) in b.queries.iter().enumerate() {
        let n = Msisdn::parse(&q.number)
            .map_err(|e| ApiError::bad_request("invalid_msisdn", format!("queries[{i}].number: {e}")))?;
        let d = q
            .date
            .parse::<Date>()
            .map_err(|_| ApiError::bad_request("invalid_date", format!("queries[{i}].date: not YYYY-MM-DD")))?;
        pairs.push((n, d));
    }
    let asked: Vec<(Msisdn, String)> = pairs.iter().map(|(n, d)| (n.clone(), d.to_string())).collect();
    let answers = state.as_user(auth, move |s, who| s.reassigned_query(who, &pairs)).await?;
    Ok(Json(
        asked
            .into_iter()
            .zip(answers)
            .map(|((number, date), disconnected)| QueryAnswer { number, date, disconnected })
            .collect(),
    ))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct UsageView {
    pub client_id: String,
    pub requests_today: i64,
    pub numbers_today: i64,
}

/// A relying party's lookup usage in its current day (admins, auditors).
#[utoipa::path(get, path = "/api/v1/api-clients/{client_id}/usage", tag = "lookup", security(("bearer" = [])),
    params(("client_id" = String, Path)),
    responses((status = 200, body = UsageView), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn usage(
    State(state): State<AppState>,
    auth: Auth,
    crate::extract::ApiPath(client_id): crate::extract::ApiPath<String>,
) -> Result<Json<UsageView>, ApiError> {
    let id = client_id.clone();
    let u = state.as_user(auth, move |s, who| s.client_usage(who, &id)).await?;
    Ok(Json(UsageView { client_id, requests_today: u.requests, numbers_today: u.numbers }))
}
