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
use simexit_service::lookup::Recycling;

use crate::error::{ApiError, Problem};
use crate::extract::{ApiJson, Auth, bearer};
use crate::state::AppState;

/// The request of CAMARA Number Recycling r2.2 (`CreateCheckNumRecycling`). Properties it
/// does not declare are refused (the request-body strictness rule of CAMARA's main branch).
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(as = CreateCheckNumRecycling)]
#[allow(dead_code)] // documents the body; the handler reads it by hand to answer in CAMARA's words
pub struct CheckBody {
    /// E.164 with the leading `+`. Required with a two-legged (client credentials) token.
    #[schema(pattern = r"^\+[1-9][0-9]{4,14}$", example = "+79161000000")]
    pub phone_number: Option<String>,
    /// A calendar day (RFC 3339 full-date) in the number's operator's time zone.
    #[schema(format = Date, example = "2026-03-02")]
    pub specified_date: String,
}

/// The answer (`CheckNumRecyclingInfo`).
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = CheckNumRecyclingInfo)]
pub struct CheckView {
    /// `true` when the subscriber of the number changed after the end of `specifiedDate`.
    pub phone_number_recycled: bool,
}

/// CAMARA's error body (`ErrorInfo`).
#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = ErrorInfo)]
pub struct CamaraError {
    pub status: u16,
    pub code: String,
    pub message: String,
}

/// An error in CAMARA's words.
#[derive(Clone)]
struct Refusal(StatusCode, &'static str, String);

fn refuse(status: StatusCode, code: &'static str, message: impl Into<String>) -> Refusal {
    Refusal(status, code, message.into())
}

fn camara(r: Refusal, correlator: Option<&HeaderValue>) -> Response {
    let Refusal(status, code, message) = r;
    let mut r = (status, Json(CamaraError { status: status.as_u16(), code: code.into(), message })).into_response();
    if let Some(c) = correlator {
        r.headers_mut().insert("x-correlator", c.clone());
    }
    r
}

/// `XCorrelator`: `^[a-zA-Z0-9-_:;.\/<>{}]{0,256}$`.
fn correlator_ok(v: &HeaderValue) -> bool {
    v.len() <= 256 && v.as_bytes().iter().all(|b| b.is_ascii_alphanumeric() || b"-_:;./<>{}".contains(b))
}

/// `PhoneNumber`: `^\+[1-9][0-9]{4,14}$`.
fn phone_ok(s: &str) -> bool {
    s.strip_prefix('+')
        .is_some_and(|d| (5..=15).contains(&d.len()) && d.bytes().all(|b| b.is_ascii_digit()) && !d.starts_with('0'))
}

/// RFC 3339 `full-date`: exactly `YYYY-MM-DD`, a day that exists.
fn full_date(s: &str) -> Option<Date> {
    let b = s.as_bytes();
    let shape = b.len() == 10
        && b.iter().enumerate().all(|(i, c)| if i == 4 || i == 7 { *c == b'-' } else { c.is_ascii_digit() });
    shape.then(|| s.parse::<Date>().ok()).flatten()
}

/// The usual body, read without building a map: both properties, no escapes, nothing else.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct PlainCheck<'a> {
    phone_number: &'a str,
    specified_date: &'a str,
}

/// The phone number as asked (`None`: omitted) and the day, or why the body is refused.
fn read_check(body: &[u8]) -> Result<(Option<String>, Date), Refusal> {
    let bad = |m: &str| refuse(StatusCode::BAD_REQUEST, "INVALID_ARGUMENT", m);
    // Banks send this shape on every sign-in; anything else takes the full reading below,
    // which names what is wrong.
    if let Ok(plain) = serde_json::from_slice::<PlainCheck<'_>>(body)
        && let Some(date) = full_date(plain.specified_date)
        && phone_ok(plain.phone_number)
    {
        return Ok((Some(plain.phone_number.to_owned()), date));
    }
    let value: serde_json::Value = serde_json::from_slice(body)
        .map_err(|_| bad("the request body must be a JSON object with specifiedDate and phoneNumber"))?;
    let serde_json::Value::Object(fields) = value else {
        return Err(bad("the request body must be a JSON object with specifiedDate and phoneNumber"));
    };
    if let Some(k) = fields.keys().find(|k| !["phoneNumber", "specifiedDate"].contains(&k.as_str())) {
        return Err(bad(&format!("unknown property `{k}`: only phoneNumber and specifiedDate are accepted")));
    }
    let date = match fields.get("specifiedDate") {
        None => return Err(bad("specifiedDate is required")),
        Some(d) => d
            .as_str()
            .and_then(full_date)
            .ok_or_else(|| bad("specifiedDate must be a calendar date, YYYY-MM-DD (RFC 3339 full-date)"))?,
    };
    let phone = match fields.get("phoneNumber") {
        None => None,
        Some(p) => Some(
            p.as_str()
                .filter(|p| phone_ok(p))
                .ok_or_else(|| bad("phoneNumber must be in E.164 format with a leading + (e.g. +79161000000)"))?
                .to_owned(),
        ),
    };
    Ok((phone, date))
}

/// CAMARA Number Recycling r2.2 (`checkNumberRecycling`): has the subscriber of the number
/// changed after `specifiedDate`? Needs a client-credentials token with the
/// `number-recycling:check` scope (a two-legged token: `phoneNumber` is then required).
/// Errors are CAMARA's `ErrorInfo`, and `x-correlator` is echoed.
#[utoipa::path(post, path = "/number-recycling/v0.2/check", tag = "lookup", operation_id = "checkNumberRecycling",
    security(("bearer" = [])), request_body = CheckBody,
    params(("x-correlator" = Option<String>, Header, description = "Correlation id, echoed in the response", pattern = r"^[a-zA-Z0-9-_:;.\/<>{}]{0,256}$")),
    responses(
        (status = 200, body = CheckView, headers(("x-correlator" = String))),
        (status = 400, body = CamaraError, description = "INVALID_ARGUMENT, OUT_OF_RANGE"),
        (status = 401, body = CamaraError, description = "UNAUTHENTICATED"),
        (status = 403, body = CamaraError, description = "PERMISSION_DENIED"),
        (status = 404, body = CamaraError, description = "IDENTIFIER_NOT_FOUND"),
        (status = 422, body = CamaraError, description = "MISSING_IDENTIFIER, SERVICE_NOT_APPLICABLE"),
        (status = 429, body = CamaraError, description = "QUOTA_EXCEEDED, TOO_MANY_REQUESTS"),
        (status = 500, body = CamaraError, description = "INTERNAL"),
        (status = 503, body = CamaraError, description = "UNAVAILABLE"),
    ))]
pub async fn check(State(state): State<AppState>, headers: HeaderMap, body: axum::body::Bytes) -> Response {
    let correlator = headers.get("x-correlator");
    if correlator.is_some_and(|c| !correlator_ok(c)) {
        let r = refuse(StatusCode::BAD_REQUEST, "INVALID_ARGUMENT", "x-correlator does not match its pattern");
        return camara(r, None);
    }
    let Ok(Some(token)) = bearer(&headers) else {
        let r = refuse(StatusCode::UNAUTHORIZED, "UNAUTHENTICATED", "a client access token is required");
        return camara(r, correlator);
    };
    let asked = read_check(&body);
    let call = move |s: &simexit_service::Service, on_async_worker: bool| {
        let who = s.authenticate_cached(&token)?;
        who.require_scope(simexit_service::lookup::SCOPE)?;
        // About one lookup in a thousand writes the client's quota count (a commit that waits
        // for the disk): that one goes to the blocking pool, not the async worker.
        if on_async_worker && !s.meter_is_local(&who, 1) {
            return Ok(Err(None));
        }
        let (phone, date) = match asked.clone() {
            Ok(a) => a,
            Err(r) => return Ok(Err(Some(r))),
        };
        // Client tokens are two-legged: they name no subscriber, so the body must.
        let Some(phone) = phone else {
            return Ok(Err(Some(refuse(
                StatusCode::UNPROCESSABLE_ENTITY,
                "MISSING_IDENTIFIER",
                "phoneNumber is required: the access token does not identify a phone number",
            ))));
        };
        let msisdn = Msisdn::parse(&phone).ok();
        s.number_recycling_check(&who, msisdn.as_ref(), date).map(Ok)
    };
    let again = call.clone();
    // `quick` runs in place on SQLite only; on PostgreSQL it is the blocking pool already.
    let inline = state.service.store.backend() == "sqlite";
    let result = match state.quick(move |s| call(s, inline)).await {
        Ok(Err(None)) => state.blocking(move |s| again(s, false)).await,
        other => other,
    };
    let result = result.map(|r| {
        r.map_err(|refused| {
            refused.unwrap_or_else(|| refuse(StatusCode::INTERNAL_SERVER_ERROR, "INTERNAL", "the lookup was not run"))
        })
    });
    let answer = match result {
        Ok(Ok(Recycling::Answer(recycled))) => {
            let mut r = Json(CheckView { phone_number_recycled: recycled }).into_response();
            if let Some(c) = correlator {
                r.headers_mut().insert("x-correlator", c.clone());
            }
            return r;
        }
        Ok(Ok(Recycling::NotFound)) => {
            refuse(StatusCode::NOT_FOUND, "IDENTIFIER_NOT_FOUND", "the phone number is not served by this operator")
        }
        Ok(Ok(Recycling::NotApplicable)) => refuse(
            StatusCode::UNPROCESSABLE_ENTITY,
            "SERVICE_NOT_APPLICABLE",
            "the service is not available for the provided phone number",
        ),
        Ok(Ok(Recycling::OutOfRange(message))) => refuse(StatusCode::BAD_REQUEST, "OUT_OF_RANGE", message),
        Ok(Err(r)) => r,
        Err(e) => {
            let code = match e.status.as_u16() {
                401 => "UNAUTHENTICATED",
                403 => "PERMISSION_DENIED",
                429 if e.code == "quota_exceeded" => "QUOTA_EXCEEDED",
                429 => "TOO_MANY_REQUESTS",
                503 => "UNAVAILABLE",
                _ => "INTERNAL",
            };
            let retry = e.retry_after;
            let mut r = camara(Refusal(e.status, code, e.detail), correlator);
            if let Some(secs) = retry {
                r.headers_mut().insert(axum::http::header::RETRY_AFTER, HeaderValue::from(secs));
            }
            return r;
        }
    };
    camara(answer, correlator)
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
