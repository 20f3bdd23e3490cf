//! What every page needs of its request: the language (asked for, remembered, or offered by
//! the browser), the session and its CSRF token, and how a failure becomes a page.

use axum::extract::{FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use simexit_domain::Language;
use simexit_service::{Principal, ServiceError};

use crate::extract::{cookie, session_cookie};
use crate::state::AppState;

/// Remembers the language chosen with the switcher.
pub const LANG_COOKIE: &str = "simexit_lang";
/// The session's CSRF token, which forms repeat in a hidden field. HttpOnly and same-site
/// like the session: only the server reads it, to put it in the forms it renders.
pub const CSRF_COOKIE: &str = "simexit_csrf";

#[derive(Debug, Clone)]
pub struct Ctx {
    pub lang: Language,
    /// `?lang=` was given: the response remembers it.
    pub chosen: bool,
    /// The path and query of this page without `lang`, for the switcher's links: the address
    /// itself for a GET; for a form sent back with errors, the page the form was on (a form's
    /// own address answers only POST).
    pub here: String,
    pub session: Option<String>,
    pub csrf: Option<String>,
}

fn parse_lang(s: &str) -> Option<Language> {
    let primary = s.trim().split(['-', '_', ';']).next()?.to_ascii_lowercase();
    primary.parse().ok()
}

/// The first language of `Accept-Language` (by its order and weights) that the pages speak.
fn accepted(headers: &HeaderMap) -> Option<Language> {
    let value = headers.get(header::ACCEPT_LANGUAGE)?.to_str().ok()?;
    let mut offers: Vec<(f32, usize, Language)> = value
        .split(',')
        .enumerate()
        .filter_map(|(i, part)| {
            let mut bits = part.split(';');
            let lang = parse_lang(bits.next()?)?;
            let q = bits.filter_map(|b| b.trim().strip_prefix("q=")).find_map(|q| q.parse::<f32>().ok()).unwrap_or(1.0);
            (q > 0.0).then_some((q, i, lang))
        })
        .collect();
    offers.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    offers.first().map(|o| o.2)
}

impl Ctx {
    pub fn from_parts(method: &Method, uri: &Uri, headers: &HeaderMap) -> Ctx {
        let query = |u: &Uri| -> Vec<(String, String)> {
            u.query().and_then(|q| serde_urlencoded::from_str(q).ok()).unwrap_or_default()
        };
        let asked = query(uri).into_iter().find(|(k, _)| k == "lang").and_then(|(_, v)| parse_lang(&v));
        let page = if matches!(*method, Method::GET | Method::HEAD) {
            uri.clone()
        } else {
            // Only the path of the referring page is kept: the link stays on this site.
            headers
                .get(header::REFERER)
                .and_then(|r| r.to_str().ok())
                .and_then(|r| r.parse::<Uri>().ok())
                .and_then(|r| r.path_and_query().map(|pq| pq.as_str().to_owned()))
                .filter(|p| p.starts_with('/') && !p.starts_with("//"))
                .and_then(|p| p.parse().ok())
                .unwrap_or_else(|| Uri::from_static("/"))
        };
        let rest: Vec<(String, String)> = query(&page).into_iter().filter(|(k, _)| k != "lang").collect();
        let rest = serde_urlencoded::to_string(&rest).unwrap_or_default();
        let here = if rest.is_empty() { page.path().to_owned() } else { format!("{}?{rest}", page.path()) };
        Ctx {
            lang: asked
                .or_else(|| cookie(headers, LANG_COOKIE).and_then(|v| parse_lang(&v)))
                .or_else(|| accepted(headers))
                .unwrap_or(Language::Ru),
            chosen: asked.is_some(),
            here,
            session: session_cookie(headers),
            csrf: cookie(headers, CSRF_COOKIE),
        }
    }

    /// The signed-in person, if the session is live.
    pub async fn who(&self, state: &AppState) -> Option<Principal> {
        let token = self.session.clone()?;
        state.blocking(move |s| s.authenticate(&token)).await.ok()
    }

    /// The signed-in person, or a redirect to the sign-in page that comes back here.
    pub async fn require(&self, state: &AppState) -> Result<Principal, Fail> {
        self.who(state).await.ok_or_else(|| Fail::SignIn(self.here.clone()))
    }

    /// The signed-in person sending a form: the form must carry the session's CSRF token.
    pub async fn require_form(&self, state: &AppState, csrf: &str) -> Result<Principal, Fail> {
        let Some(token) = self.session.clone() else { return Err(Fail::SignIn(self.here.clone())) };
        let csrf = csrf.to_owned();
        match state.blocking(move |s| s.authenticate_cookie(&token, Some(&csrf), true)).await {
            Ok(p) => Ok(p),
            Err(e) if e.code == "csrf_failed" => Err(Fail::Csrf),
            Err(_) => Err(Fail::SignIn(self.here.clone())),
        }
    }

    pub fn csrf(&self) -> &str {
        self.csrf.as_deref().unwrap_or_default()
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Ctx {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Ctx::from_parts(&parts.method, &parts.uri, &parts.headers))
    }
}

/// A form that carries only the CSRF token (a button).
#[derive(serde::Deserialize)]
pub struct CsrfOnly {
    #[serde(default)]
    pub csrf: String,
}

/// A decision's form: the CSRF token, an optional reason, and the page to go back to.
#[derive(serde::Deserialize)]
pub struct ReasonForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub back: String,
}

/// Where a form goes back to: one of the request pages it may come from, else `fallback`
/// (never an address given by the form itself).
pub fn back_to(back: &str, fallback: String) -> String {
    let known = ["/my/requests/", "/staff/requests/"];
    match known.iter().find_map(|p| back.strip_prefix(p)) {
        Some(id) if !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()) => back.to_owned(),
        _ => fallback,
    }
}

/// Why a page could not be shown; the `error_pages` layer renders it in the page's language.
#[derive(Debug, Clone)]
pub enum Fail {
    /// Not signed in: go to the sign-in page, then back to this path.
    SignIn(String),
    NotFound,
    Forbidden,
    /// The form's CSRF token is not the session's (an old tab, or a forged form).
    Csrf,
    /// Something broke on our side (logged).
    Internal,
}

impl From<ServiceError> for Fail {
    fn from(e: ServiceError) -> Self {
        match e {
            ServiceError::NotFound { .. } => Fail::NotFound,
            ServiceError::Forbidden { code: "csrf_failed", .. } => Fail::Csrf,
            ServiceError::Forbidden { .. } => Fail::Forbidden,
            ServiceError::Unauthenticated { .. } => Fail::SignIn("/".into()),
            other => {
                tracing::error!(error = %other, "page failed");
                Fail::Internal
            }
        }
    }
}

impl From<crate::error::ApiError> for Fail {
    fn from(e: crate::error::ApiError) -> Self {
        match e.status {
            StatusCode::NOT_FOUND => Fail::NotFound,
            StatusCode::FORBIDDEN if e.code == "csrf_failed" => Fail::Csrf,
            StatusCode::FORBIDDEN => Fail::Forbidden,
            StatusCode::UNAUTHORIZED => Fail::SignIn("/".into()),
            _ => Fail::Internal,
        }
    }
}

impl IntoResponse for Fail {
    fn into_response(self) -> Response {
        if let Fail::SignIn(next) = &self {
            let to = format!("/login?{}", serde_urlencoded::to_string([("next", next.as_str())]).unwrap_or_default());
            return Redirect::to(&to).into_response();
        }
        // Rendered by `error_pages`, which knows the language and the layout.
        let mut response = StatusCode::INTERNAL_SERVER_ERROR.into_response();
        response.extensions_mut().insert(self);
        response
    }
}

/// Renders the failures of page handlers as pages.
pub async fn error_pages(request: Request, next: Next) -> Response {
    let ctx = Ctx::from_parts(request.method(), request.uri(), request.headers());
    let mut response = next.run(request).await;
    match response.extensions_mut().remove::<Fail>() {
        Some(fail) => super::layout::failure(&ctx, &fail),
        None => response,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx(uri: &str, accept: Option<&str>, cookie: Option<&str>) -> Ctx {
        let mut h = HeaderMap::new();
        if let Some(a) = accept {
            h.insert(header::ACCEPT_LANGUAGE, a.parse().unwrap());
        }
        if let Some(c) = cookie {
            h.insert(header::COOKIE, c.parse().unwrap());
        }
        Ctx::from_parts(&Method::GET, &uri.parse().unwrap(), &h)
    }

    #[test]
    fn a_form_sent_back_switches_language_on_the_page_it_came_from() {
        let mut h = HeaderMap::new();
        h.insert(header::REFERER, "http://127.0.0.1:8080/my/requests/7?lang=zh&done=ok".parse().unwrap());
        let ctx = Ctx::from_parts(&Method::POST, &"/my/requests/7/settlement".parse().unwrap(), &h);
        assert_eq!(ctx.here, "/my/requests/7?done=ok");
        h.insert(header::REFERER, "https://evil.example//x".parse().unwrap());
        assert_eq!(Ctx::from_parts(&Method::POST, &"/login".parse().unwrap(), &h).here, "/");
        let none = Ctx::from_parts(&Method::POST, &"/login".parse().unwrap(), &HeaderMap::new());
        assert_eq!(none.here, "/");
    }

    #[test]
    fn a_form_goes_back_only_to_a_request_page() {
        let fallback = || "/my/requests/7".to_owned();
        assert_eq!(back_to("/staff/requests/12", fallback()), "/staff/requests/12");
        assert_eq!(back_to("/my/requests/3", fallback()), "/my/requests/3");
        for evil in ["https://evil.example/", "//evil.example", "/my/requests/3/../../x", "/my/requests/", ""] {
            assert_eq!(back_to(evil, fallback()), "/my/requests/7", "{evil}");
        }
    }

    #[test]
    fn the_language_is_the_one_asked_for_then_remembered_then_offered_then_russian() {
        assert_eq!(ctx("/stores?lang=zh&region=x", Some("en"), Some("simexit_lang=en")).lang, Language::Zh);
        assert_eq!(ctx("/stores?lang=zh&region=x", None, None).here, "/stores?region=x");
        assert_eq!(ctx("/", Some("zh-CN,zh;q=0.9"), Some("simexit_lang=en")).lang, Language::En);
        assert_eq!(ctx("/", Some("de-DE, zh-CN;q=0.8, en;q=0.9"), None).lang, Language::En);
        assert_eq!(ctx("/", Some("zh-Hans-CN"), None).lang, Language::Zh);
        assert_eq!(ctx("/", Some("fr, de"), None).lang, Language::Ru);
        assert_eq!(ctx("/?lang=xx", None, None).lang, Language::Ru);
    }
}
