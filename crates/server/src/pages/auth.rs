//! Signing in and out, and the password reset by SMS code.

use std::collections::BTreeMap;

use crate::extract::PageForm;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use maud::html;
use serde::Deserialize;
use simexit_domain::access::Role;

use super::ctx::{CSRF_COOKIE, CsrfOnly, Ctx, Fail};
use super::i18n::{self as t, Tr};
use super::layout::{input, notice, page, page_with, problem, see_other};
use crate::extract::SESSION_COOKIE;
use crate::state::AppState;

#[derive(Deserialize, Default)]
pub struct Next {
    #[serde(default)]
    next: String,
    #[serde(default)]
    done: String,
}

/// Only a path of this site: never an address elsewhere. Browsers drop tabs and newlines
/// from a URL and read `\` as `/`, so `/\t/evil.example` or `/\evil.example` would leave the
/// site: any control character, space or backslash, and a second leading slash, are refused.
fn safe_next(next: &str) -> Option<&str> {
    let bytes = next.as_bytes();
    let local = bytes.first() == Some(&b'/')
        && bytes.get(1) != Some(&b'/')
        && !bytes.iter().any(|&b| b.is_ascii_control() || b == b' ' || b == b'\\' || b >= 0x80);
    local.then_some(next)
}

fn home_of(role: Role) -> &'static str {
    match role {
        Role::Subscriber => "/my",
        Role::Reviewer => "/staff/queue",
        Role::Clerk => "/staff/store",
        Role::Admin | Role::Auditor => "/admin",
        _ => "/",
    }
}

/// The sign-in form's own CSRF token, before there is a session: a random value in an
/// HttpOnly, SameSite=Strict cookie and in a hidden field, which must match (so another site
/// cannot sign a visitor in to an account of its choosing).
const LOGIN_COOKIE: &str = "simexit_login";

fn login_token() -> String {
    let mut bytes = [0u8; 16];
    // Without randomness the form still works; the cookie's SameSite=Strict still holds.
    let _ = getrandom::fill(&mut bytes);
    hex::encode(bytes)
}

/// The sign-in forms' token goes in a cookie as well: a form is only taken back with both.
fn with_form_token(mut response: Response, token: &str) -> Response {
    let cookie = format!("{LOGIN_COOKIE}={token}; Path=/login; HttpOnly; SameSite=Strict; Max-Age=3600");
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        response.headers_mut().append(header::SET_COOKIE, v);
    }
    response
}

/// Whether a sign-in form came from a page this site just served to this browser.
fn form_token_ok(headers: &axum::http::HeaderMap, sent: &str) -> bool {
    !sent.is_empty() && crate::extract::cookie(headers, LOGIN_COOKIE).as_deref() == Some(sent)
}

fn login_page(
    ctx: &Ctx,
    demo: bool,
    status: StatusCode,
    login: &str,
    next: &str,
    errors: &BTreeMap<&str, String>,
    banner: Option<String>,
) -> Response {
    let l = ctx.lang;
    let token = login_token();
    let response = page_with(
        ctx,
        None,
        status,
        l.t(&t::SIGN_IN),
        html! {
            (notice(banner.as_deref()))
            @if let Some(e) = errors.get("form") { p.alert role="alert" { (e) } }
            h2 { (l.t(&t::SIGN_IN_BY_CODE)) }
            p.muted { (l.t(&t::SIGN_IN_BY_CODE_TEXT)) }
            form method="post" action="/login/code" novalidate {
                input type="hidden" name="next" value=(next);
                (input("phone", l.t(&t::PHONE), "tel", "", errors.get("phone"), true))
                button type="submit" { (l.t(&t::SEND_CODE)) }
            }
            h2 { (l.t(&t::OR_PASSWORD)) }
            form method="post" action="/login" novalidate {
                input type="hidden" name="csrf" value=(token);
                input type="hidden" name="next" value=(next);
                (input("login", l.t(&t::LOGIN), "text", login, errors.get("login"), true))
                (input("password", l.t(&t::PASSWORD), "password", "", errors.get("password"), true))
                button type="submit" { (l.t(&t::SIGN_IN)) }
            }
            p { a href="/password-reset" { (l.t(&t::FORGOT_PASSWORD)) } }
            p.muted { (l.t(&t::CANT_SIGN_IN)) }
            @if demo { p.muted { (l.t(&t::DEMO_HINT)) } }
        },
    );
    with_form_token(response, &token)
}

pub async fn login_form(State(state): State<AppState>, ctx: Ctx, Query(q): Query<Next>) -> Response {
    let banner = (q.done == "password").then(|| ctx.lang.t(&t::PASSWORD_CHANGED).to_owned());
    login_page(&ctx, state.demo, StatusCode::OK, "", &q.next, &BTreeMap::new(), banner)
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    login: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
    #[serde(default)]
    csrf: String,
}

pub async fn login(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: axum::http::HeaderMap,
    PageForm(f): PageForm<LoginForm>,
) -> Response {
    let l = ctx.lang;
    let mut errors = BTreeMap::new();
    if !form_token_ok(&headers, &f.csrf) {
        // No password is checked for a form this site did not just serve: show a fresh one.
        errors.insert("form", l.t(&t::FORM_EXPIRED).to_owned());
        return login_page(&ctx, state.demo, StatusCode::UNPROCESSABLE_ENTITY, &f.login, &f.next, &errors, None);
    }
    if f.login.trim().is_empty() {
        errors.insert("login", l.t(&t::REQUIRED).to_owned());
    }
    if f.password.is_empty() {
        errors.insert("password", l.t(&t::REQUIRED).to_owned());
    }
    if f.login.len() > 256 || f.password.len() > 1024 {
        errors.insert("form", l.t(&t::BAD_LOGIN).to_owned());
    }
    if !errors.is_empty() {
        return login_page(&ctx, state.demo, StatusCode::UNPROCESSABLE_ENTITY, &f.login, &f.next, &errors, None);
    }
    let previous = ctx.session.clone();
    let (login, password) = (f.login.clone(), f.password.clone());
    let signed = state.hashing(move |s| s.login_cookie(&login, &password, previous.as_deref())).await;
    let (session, csrf_token) = match signed {
        Ok(ok) => ok,
        Err(e) => {
            errors.insert("form", problem(l, &e));
            return login_page(&ctx, state.demo, StatusCode::UNPROCESSABLE_ENTITY, &f.login, &f.next, &errors, None);
        }
    };
    signed_in(&state, &session, &csrf_token, &f.next)
}

pub async fn logout(
    State(state): State<AppState>,
    ctx: Ctx,
    PageForm(f): PageForm<CsrfOnly>,
) -> Result<Response, Fail> {
    ctx.require_form(&state, &f.csrf).await?;
    if let Some(token) = ctx.session.clone() {
        state.blocking(move |s| s.logout(&token)).await?;
    }
    let mut response = see_other("/");
    for name in [SESSION_COOKIE, CSRF_COOKIE] {
        if let Ok(v) = HeaderValue::from_str(&format!("{name}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0")) {
            response.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    Ok(response)
}

fn reset_page(ctx: &Ctx, status: StatusCode, phone: &str, error: Option<String>) -> Response {
    let l = ctx.lang;
    page_with(
        ctx,
        None,
        status,
        l.t(&t::RESET_TITLE),
        html! {
            p { (l.t(&t::RESET_TEXT)) }
            form method="post" action="/password-reset" novalidate {
                (input("phone", l.t(&t::PHONE), "tel", phone, error.as_ref(), true))
                button type="submit" { (l.t(&t::SEND_CODE)) }
            }
            p.muted { (l.t(&t::CANT_SIGN_IN)) }
        },
    )
}

pub async fn reset_form(ctx: Ctx) -> Response {
    reset_page(&ctx, StatusCode::OK, "", None)
}

#[derive(Deserialize)]
pub struct ResetForm {
    #[serde(default)]
    phone: String,
}

pub async fn reset(
    State(state): State<AppState>,
    ctx: Ctx,
    client: Option<axum::Extension<crate::edge::ClientAddr>>,
    PageForm(f): PageForm<ResetForm>,
) -> Response {
    let l = ctx.lang;
    let Ok(msisdn) = simexit_domain::Msisdn::parse(&f.phone) else {
        let msg = if f.phone.trim().is_empty() { l.t(&t::REQUIRED) } else { l.t(&t::NOT_FOUND_NUMBER) };
        return reset_page(&ctx, StatusCode::UNPROCESSABLE_ENTITY, &f.phone, Some(msg.to_owned()));
    };
    let number = msisdn.clone();
    // Counted per client address exactly as the API counts it.
    let client = client.map_or_else(|| "unknown".to_owned(), |c| c.0.to_string());
    if let Err(e) = state.hashing(move |s| s.request_password_reset(&number, &client)).await {
        return reset_page(&ctx, StatusCode::UNPROCESSABLE_ENTITY, &f.phone, Some(problem(l, &e)));
    }
    let q = serde_urlencoded::to_string([("msisdn", msisdn.as_str())]).unwrap_or_default();
    see_other(&format!("/password-reset/confirm?{q}"))
}

#[derive(Deserialize, Default)]
pub struct ConfirmQuery {
    #[serde(default)]
    msisdn: String,
}

fn confirm_page(ctx: &Ctx, status: StatusCode, msisdn: &str, errors: &BTreeMap<&str, String>) -> Response {
    let l = ctx.lang;
    page(
        ctx,
        None,
        l.t(&t::RESET_TITLE),
        html! {
            (notice(Some(l.t(&t::CODE_SENT))))
            @if let Some(e) = errors.get("form") { p.alert role="alert" { (e) } }
            form method="post" action="/password-reset/confirm" novalidate {
                (input("msisdn", l.t(&t::PHONE), "tel", msisdn, errors.get("msisdn"), true))
                (input("code", l.t(&t::CODE), "text", "", errors.get("code"), true))
                (input("password", l.t(&t::NEW_PASSWORD), "password", "", errors.get("password"), true))
                button type="submit" { (l.t(&t::SET_PASSWORD)) }
            }
        },
    )
    .map_status(status)
}

trait MapStatus {
    fn map_status(self, status: StatusCode) -> Self;
}

impl MapStatus for Response {
    fn map_status(mut self, status: StatusCode) -> Self {
        *self.status_mut() = status;
        self
    }
}

pub async fn confirm_form(ctx: Ctx, Query(q): Query<ConfirmQuery>) -> Response {
    confirm_page(&ctx, StatusCode::OK, &q.msisdn, &BTreeMap::new())
}

#[derive(Deserialize)]
pub struct ConfirmForm {
    #[serde(default)]
    msisdn: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    password: String,
}

pub async fn confirm(State(state): State<AppState>, ctx: Ctx, PageForm(f): PageForm<ConfirmForm>) -> Response {
    let l = ctx.lang;
    let mut errors = BTreeMap::new();
    for (field, value) in [("msisdn", &f.msisdn), ("code", &f.code), ("password", &f.password)] {
        if value.trim().is_empty() {
            errors.insert(field, l.t(&t::REQUIRED).to_owned());
        }
    }
    let msisdn = simexit_domain::Msisdn::parse(&f.msisdn);
    if msisdn.is_err() && !errors.contains_key("msisdn") {
        errors.insert("msisdn", l.t(&t::NOT_FOUND_NUMBER).to_owned());
    }
    let (Ok(msisdn), true) = (msisdn, errors.is_empty()) else {
        return confirm_page(&ctx, StatusCode::UNPROCESSABLE_ENTITY, &f.msisdn, &errors);
    };
    let (code, password) = (f.code.clone(), f.password.clone());
    match state.hashing(move |s| s.confirm_password_reset(&msisdn, &code, &password)).await {
        Ok(()) => see_other("/login?done=password"),
        Err(e) => {
            let field = if e.code == "weak_password" { "password" } else { "code" };
            errors.insert(field, problem(l, &e));
            confirm_page(&ctx, StatusCode::UNPROCESSABLE_ENTITY, &f.msisdn, &errors)
        }
    }
}

#[derive(Deserialize)]
pub struct CodeRequestForm {
    #[serde(default)]
    phone: String,
    #[serde(default)]
    next: String,
}

/// Sign-in by SMS code, step 1: the code goes to the number if it is an active line; the
/// next page asks for it whatever the number was.
pub async fn code_request(
    State(state): State<AppState>,
    ctx: Ctx,
    client: Option<axum::Extension<crate::edge::ClientAddr>>,
    PageForm(f): PageForm<CodeRequestForm>,
) -> Response {
    let l = ctx.lang;
    let mut errors = BTreeMap::new();
    let Ok(msisdn) = simexit_domain::Msisdn::parse(&f.phone) else {
        let msg = if f.phone.trim().is_empty() { l.t(&t::REQUIRED) } else { l.t(&t::NOT_FOUND_NUMBER) };
        errors.insert("phone", msg.to_owned());
        return login_page(&ctx, state.demo, StatusCode::UNPROCESSABLE_ENTITY, "", &f.next, &errors, None);
    };
    let number = msisdn.clone();
    let client = client.map_or_else(|| "unknown".to_owned(), |c| c.0.to_string());
    if let Err(e) = state.hashing(move |s| s.request_sign_in_code(&number, &client)).await {
        errors.insert("phone", problem(l, &e));
        return login_page(&ctx, state.demo, StatusCode::UNPROCESSABLE_ENTITY, "", &f.next, &errors, None);
    }
    let q = serde_urlencoded::to_string([("msisdn", msisdn.as_str()), ("next", f.next.as_str())]).unwrap_or_default();
    see_other(&format!("/login/code?{q}"))
}

#[derive(Deserialize, Default)]
pub struct CodeQuery {
    #[serde(default)]
    msisdn: String,
    #[serde(default)]
    next: String,
}

fn code_page(ctx: &Ctx, status: StatusCode, msisdn: &str, next: &str, errors: &BTreeMap<&str, String>) -> Response {
    let l = ctx.lang;
    let token = login_token();
    let response = page(
        ctx,
        None,
        l.t(&t::SIGN_IN_BY_CODE),
        html! {
            (notice(Some(l.t(&t::SIGN_IN_CODE_SENT))))
            @if let Some(e) = errors.get("form") { p.alert role="alert" { (e) } }
            form method="post" action="/login/code/verify" novalidate {
                input type="hidden" name="csrf" value=(token);
                input type="hidden" name="next" value=(next);
                (input("msisdn", l.t(&t::PHONE), "tel", msisdn, errors.get("msisdn"), true))
                (input("code", l.t(&t::CODE), "text", "", errors.get("code"), true))
                button type="submit" { (l.t(&t::SIGN_IN)) }
            }
            p { a href="/login" { (l.t(&t::OR_PASSWORD)) } }
        },
    )
    .map_status(status);
    with_form_token(response, &token)
}

pub async fn code_form(ctx: Ctx, Query(q): Query<CodeQuery>) -> Response {
    code_page(&ctx, StatusCode::OK, &q.msisdn, &q.next, &BTreeMap::new())
}

#[derive(Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    msisdn: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    next: String,
    #[serde(default)]
    csrf: String,
}

/// Sign-in by SMS code, step 2: the code opens a page session, as a password does.
pub async fn code_verify(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: axum::http::HeaderMap,
    PageForm(f): PageForm<CodeForm>,
) -> Response {
    let l = ctx.lang;
    let mut errors = BTreeMap::new();
    if !form_token_ok(&headers, &f.csrf) {
        errors.insert("form", l.t(&t::FORM_EXPIRED).to_owned());
        return code_page(&ctx, StatusCode::UNPROCESSABLE_ENTITY, &f.msisdn, &f.next, &errors);
    }
    for (field, value) in [("msisdn", &f.msisdn), ("code", &f.code)] {
        if value.trim().is_empty() {
            errors.insert(field, l.t(&t::REQUIRED).to_owned());
        }
    }
    let msisdn = simexit_domain::Msisdn::parse(&f.msisdn);
    if msisdn.is_err() && !errors.contains_key("msisdn") {
        errors.insert("msisdn", l.t(&t::NOT_FOUND_NUMBER).to_owned());
    }
    let (Ok(msisdn), true) = (msisdn, errors.is_empty()) else {
        return code_page(&ctx, StatusCode::UNPROCESSABLE_ENTITY, &f.msisdn, &f.next, &errors);
    };
    let previous = ctx.session.clone();
    let code = f.code.clone();
    match state.hashing(move |s| s.sign_in_with_code_cookie(&msisdn, &code, previous.as_deref())).await {
        Ok((session, csrf_token)) => signed_in(&state, &session, &csrf_token, &f.next),
        Err(e) => {
            errors.insert("code", problem(l, &e));
            code_page(&ctx, StatusCode::UNPROCESSABLE_ENTITY, &f.msisdn, &f.next, &errors)
        }
    }
}

/// Where a new page session goes: `next` if it is of this site, else the role's home, with
/// the session and CSRF cookies set.
fn signed_in(state: &AppState, session: &simexit_service::auth::Session, csrf_token: &str, next: &str) -> Response {
    let max_age = (session.expires_at.as_second() - state.service.now().as_second()).max(0);
    let to = safe_next(next).unwrap_or(home_of(session.principal.role));
    let mut response = see_other(to);
    for (name, value) in [(SESSION_COOKIE, session.token.as_str()), (CSRF_COOKIE, csrf_token)] {
        let cookie = format!("{name}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age}");
        if let Ok(v) = HeaderValue::from_str(&cookie) {
            response.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    response
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn only_paths_of_this_site_are_followed_after_sign_in() {
        for ok in ["/my", "/my/requests/3?lang=en", "/staff/queue#top"] {
            assert_eq!(safe_next(ok), Some(ok), "{ok}");
        }
        for bad in [
            "//evil.example/x",
            "/\t/evil.example/x",
            "/\n/evil.example",
            "/\\evil.example",
            "\\\\evil.example",
            "https://evil.example/",
            "evil.example",
            "/ /evil.example",
            "/\u{3000}/evil.example",
            "",
        ] {
            assert_eq!(safe_next(bad), None, "{bad:?}");
        }
    }
}
