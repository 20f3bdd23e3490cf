//! Cross-cutting HTTP behaviour: a request id on every response and in the logs, the
//! client's address, and security headers (HSTS when the public site is https).

use std::sync::Arc;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tracing::Instrument;

use crate::edge::{ClientAddr, Edge, secure_cookie};

static REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

fn new_request_id() -> String {
    let mut bytes = [0u8; 8];
    // Without randomness the id is still unique enough for log correlation.
    let _ = getrandom::fill(&mut bytes);
    hex::encode(bytes)
}

/// A request whose address holds a NUL character (`%00`) is refused before any route sees it:
/// no path segment or query value of simexit may hold one (see `extract::address_holds_nul`).
fn refuse_nul(uri: &axum::http::Uri) -> Response {
    let in_path = uri.path().contains("%00");
    if uri.path().starts_with("/api/") {
        let code = if in_path { "invalid_path" } else { "invalid_query" };
        return crate::error::ApiError::bad_request(code, "the address holds the NUL character (%00)").into_response();
    }
    (axum::http::StatusCode::BAD_REQUEST, "The address holds the NUL character (%00), which no text here may hold.")
        .into_response()
}

pub async fn request_context(State(edge): State<Arc<Edge>>, mut request: Request, next: Next) -> Response {
    // The client's address, once, for the limits and the audit log (see `edge`).
    if let Some(ConnectInfo(peer)) = request.extensions().get::<ConnectInfo<std::net::SocketAddr>>().copied() {
        let forwarded = request.headers().get("x-forwarded-for").and_then(|v| v.to_str().ok());
        let client = ClientAddr::resolve(peer.ip(), forwarded, &edge.trusted);
        request.extensions_mut().insert(client);
    }
    let id = request
        .headers()
        .get(&REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| v.len() <= 64 && v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
        .map_or_else(new_request_id, str::to_owned);
    let span =
        tracing::info_span!("request", request_id = %id, method = %request.method(), path = %request.uri().path());
    // CAMARA's routes read neither path nor query, and answer in their own error shape.
    let camara = request.uri().path().starts_with("/number-recycling/");
    let mut response = if !camara && crate::extract::address_holds_nul(request.uri()) {
        refuse_nul(request.uri())
    } else {
        next.run(request).instrument(span.clone()).await
    };
    span.in_scope(|| tracing::debug!(status = response.status().as_u16(), "served"));
    let headers = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&id) {
        headers.insert(REQUEST_ID.clone(), v);
    }
    for (name, value) in [
        ("x-content-type-options", "nosniff"),
        ("x-frame-options", "DENY"),
        ("referrer-policy", "no-referrer"),
        ("content-security-policy", "default-src 'none'; frame-ancestors 'none'"),
        ("cache-control", "no-store"),
    ] {
        headers.entry(name).or_insert(HeaderValue::from_static(value));
    }
    // Decided by the configured public address, never by a request header.
    if edge.https {
        headers.insert("strict-transport-security", HeaderValue::from_static("max-age=31536000; includeSubDomains"));
        let cookies: Vec<HeaderValue> = headers
            .get_all(axum::http::header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .filter_map(|v| HeaderValue::from_str(&secure_cookie(v)).ok())
            .collect();
        headers.remove(axum::http::header::SET_COOKIE);
        for c in cookies {
            headers.append(axum::http::header::SET_COOKIE, c);
        }
    }
    response
}
