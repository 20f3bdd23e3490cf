//! The one layout of every page, its stylesheet, and the pieces forms share.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use maud::{DOCTYPE, Markup, html};
use simexit_domain::Language;
use simexit_domain::access::Role;
use simexit_service::Principal;

use super::ctx::{Ctx, Fail, LANG_COOKIE};
use super::i18n::{self as t, Tr};
use crate::error::ApiError;

const CSS: &str = include_str!("site.css");
const ICON: &str = include_str!("icon.svg");

/// Pages allow nothing from elsewhere and no inline script or style: a value that slipped
/// through escaping still could not run.
const CSP: &str = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'none'; \
                   object-src 'none'; frame-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'";

pub async fn stylesheet() -> Response {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=3600")], CSS)
        .into_response()
}

pub async fn icon() -> Response {
    ([(header::CONTENT_TYPE, "image/svg+xml"), (header::CACHE_CONTROL, "public, max-age=86400")], ICON).into_response()
}

fn nav(ctx: &Ctx, who: Option<&Principal>) -> Markup {
    let l = ctx.lang;
    html! {
        nav aria-label=(l.t(&t::APP)) {
            a href="/" { (l.t(&t::HOME)) }
            a href="/stores" { (l.t(&t::STORES)) }
            a href="/certificates" { (l.t(&t::CHECK_CERTIFICATE)) }
            @match who.map(|w| w.role) {
                Some(Role::Subscriber) => { a href="/my" { (l.t(&t::MY_LINES)) } }
                Some(Role::Reviewer) => { a href="/staff/queue" { (l.t(&t::QUEUE)) } }
                Some(Role::Clerk) => { a href="/staff/store" { (l.t(&t::STORE_CONSOLE)) } }
                Some(Role::Admin) | Some(Role::Auditor) => {
                    a href="/admin" { (l.t(&t::DASHBOARD)) }
                    a href="/staff/queue" { (l.t(&t::QUEUE)) }
                }
                _ => {}
            }
        }
    }
}

fn switcher(ctx: &Ctx) -> Markup {
    let sep = if ctx.here.contains('?') { '&' } else { '?' };
    html! {
        ul.langs aria-label=(ctx.lang.t(&t::LANGUAGE)) {
            @for (lang, name) in [(Language::Ru, "Русский"), (Language::En, "English"), (Language::Zh, "中文")] {
                li {
                    @if lang == ctx.lang {
                        span aria-current="true" lang=(lang.as_str()) { (name) }
                    } @else {
                        a href=(format!("{}{sep}lang={}", ctx.here, lang.as_str())) lang=(lang.as_str()) hreflang=(lang.as_str()) { (name) }
                    }
                }
            }
        }
    }
}

/// A whole page: header with navigation, the language switcher and the session, then `body`.
pub fn page(ctx: &Ctx, who: Option<&Principal>, title: &str, body: Markup) -> Response {
    page_with(ctx, who, StatusCode::OK, title, body)
}

pub fn page_with(ctx: &Ctx, who: Option<&Principal>, status: StatusCode, title: &str, body: Markup) -> Response {
    let l = ctx.lang;
    let markup = html! {
        (DOCTYPE)
        html lang=(l.as_str()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " — simexit" }
                link rel="stylesheet" href="/assets/site.css";
                link rel="icon" href="/assets/icon.svg" type="image/svg+xml";
            }
            body {
                a.skip href="#main" { (l.t(&t::SKIP)) }
                header {
                    a.brand href="/" { "simexit" span { (l.t(&t::APP)) } }
                    (nav(ctx, who))
                    div.session {
                        (switcher(ctx))
                        @if let Some(w) = who {
                            form method="post" action="/logout" {
                                (csrf(ctx))
                                span.who { (l.t(&t::SIGNED_IN_AS)) " " strong { (w.login) } }
                                " "
                                button.link type="submit" { (l.t(&t::SIGN_OUT)) }
                            }
                        } @else {
                            a href="/login" { (l.t(&t::SIGN_IN)) }
                        }
                    }
                }
                main #main {
                    h1 { (title) }
                    (body)
                }
                footer { p { "simexit · " (l.t(&t::APP)) } }
            }
        }
    };
    let mut response = (status, markup.into_string()).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if ctx.chosen {
        let cookie = format!("{LANG_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax", l.as_str());
        if let Ok(v) = HeaderValue::from_str(&cookie) {
            headers.append(header::SET_COOKIE, v);
        }
    }
    response
}

/// The hidden field that carries the session's CSRF token.
pub fn csrf(ctx: &Ctx) -> Markup {
    html! { input type="hidden" name="csrf" value=(ctx.csrf()); }
}

/// A one-line notice (after a redirect): `?done=…`.
pub fn notice(text: Option<&str>) -> Markup {
    html! { @if let Some(text) = text { p.notice role="status" { (text) } } }
}

/// An error shown next to its field.
pub fn field_error(id: &str, error: Option<&String>) -> Markup {
    html! { @if let Some(e) = error { p.field-error id=(format!("{id}-error")) role="alert" { (e) } } }
}

/// A labelled text input that keeps what was typed and shows its error beside it.
pub fn input(id: &str, label: &str, kind: &str, value: &str, error: Option<&String>, required: bool) -> Markup {
    html! {
        div.field {
            label for=(id) { (label) }
            input id=(id) name=(id) type=(kind) value=(value) required[required]
                aria-invalid=[error.map(|_| "true")] aria-describedby=[error.map(|_| format!("{id}-error"))];
            (field_error(id, error))
        }
    }
}

/// Whether a failed call is something the person can put right on the page they are on (a
/// missing document, a wrong field, a state that moved on). Not found and forbidden are not:
/// they get their own page.
pub fn fixable(e: &ApiError) -> bool {
    e.status.is_client_error() && !matches!(e.status, StatusCode::NOT_FOUND | StatusCode::FORBIDDEN)
}

/// A failed service call in the reader's language.
pub fn problem(lang: Language, e: &ApiError) -> String {
    problem_code(lang, e.code)
}

/// A problem code (also as carried by `?error=` after a redirect) in the reader's language:
/// known codes are translated; anything else is a generic message (the details are in the log).
pub fn problem_code(lang: Language, code: &str) -> String {
    use super::i18n::Msg;
    let m: &Msg = match code {
        "documents_missing" => &Msg {
            ru: "Сначала загрузите все нужные документы.",
            en: "Upload every required document first.",
            zh: "请先上传所有必需的证件。",
        },
        "debt_outstanding" | "debt" => {
            &Msg {
                ru: "Сначала погасите задолженность.", en: "Pay the outstanding debt first.", zh: "请先缴清欠款。"
            }
        }
        "reason_required" => {
            &Msg { ru: "Укажите причину.", en: "Give a reason.", zh: "请填写原因。" }
        }
        "invalid_credentials" | "invalid_login" => &t::BAD_LOGIN,
        "sign_in_locked" | "too_many_requests" | "code_locked" => &Msg {
            ru: "Слишком много попыток. Подождите и попробуйте снова.",
            en: "Too many attempts. Wait a little and try again.",
            zh: "尝试次数过多，请稍后再试。",
        },
        "invalid_code" => &Msg {
            ru: "Код неверный или устарел.",
            en: "The code is wrong or has expired.",
            zh: "验证码错误或已过期。",
        },
        "weak_password" => &Msg {
            ru: "Пароль слишком простой: не меньше 8 символов.",
            en: "The password is too weak: at least 8 characters.",
            zh: "密码太简单：至少 8 个字符。",
        },
        "illegal_transition" | "invalid_state" | "settlement_closed" => &Msg {
            ru: "Заявка уже в другом состоянии: обновите страницу.",
            en: "The request has moved on: reload the page.",
            zh: "申请状态已变更，请刷新页面。",
        },
        "revocation_not_allowed" => &Msg {
            ru: "Этот оператор не позволяет вернуть номер.",
            en: "This operator does not allow revoking a cancellation.",
            zh: "该运营商不允许撤销解约。",
        },
        "store_visit_required" => &t::NEEDS_STORE,
        "request_already_open" => &t::OPEN_REQUEST_EXISTS,
        "line_not_active" => &t::LINE_NOT_ACTIVE,
        "invalid_transfer_target" => &Msg {
            ru: "Выберите другой свой действующий номер того же оператора.",
            en: "Choose another active number of yours at the same operator.",
            zh: "请选择您在同一运营商的其他有效号码。",
        },
        "file_too_large" => {
            &Msg { ru: "Файл слишком большой.", en: "The file is too large.", zh: "文件过大。" }
        }
        "unsupported_media_type" | "unsupported_media" | "invalid_document" => &Msg {
            ru: "Это не JPEG, PNG или PDF.",
            en: "This is not a JPEG, PNG or PDF file.",
            zh: "这不是 JPEG、PNG 或 PDF 文件。",
        },
        "invalid_amount" => &Msg { ru: "Неверная сумма.", en: "Invalid amount.", zh: "金额无效。" },
        "no_payment_provider" => &Msg {
            ru: "Оплата картой здесь не принимается: оплатите в кассе салона связи.",
            en: "Card payments are not taken here: pay at a store's cash desk.",
            zh: "此处不接受银行卡付款：请到营业厅收银台付款。",
        },
        "provider_unavailable" => &Msg {
            ru: "Платёжный сервис не ответил. Попробуйте через минуту.",
            en: "The payment service did not answer. Try again in a minute.",
            zh: "支付服务未响应，请稍后再试。",
        },
        "invalid_receipt" => &Msg {
            ru: "Номер чека: от 1 до 64 букв, цифр, «-», «/» или «_».",
            en: "Receipt number: 1 to 64 letters, digits, `-`, `/` or `_`.",
            zh: "收据号：1 至 64 个字母、数字、“-”、“/”或“_”。",
        },
        "receipt_reused" => &Msg {
            ru: "Этот чек уже проведён по другой линии или на другую сумму.",
            en: "This receipt was already recorded for another line or amount.",
            zh: "此收据已用于其他号码或其他金额。",
        },
        "signature_required" => &Msg {
            ru: "Сначала абонент расписывается в ордере.",
            en: "The subscriber signs the voucher first.",
            zh: "请先让用户在支出单上签字。",
        },
        "invalid_voucher" => {
            &Msg {
                ru: "Укажите номер ордера.", en: "Give the voucher's number.", zh: "请填写支出单号。"
            }
        }
        "line_terminated" => &Msg {
            ru: "Договор по этой линии уже расторгнут.",
            en: "This line is already terminated.",
            zh: "此号码的合同已解除。",
        },
        _ => &t::SOMETHING_WRONG,
    };
    lang.t(m).to_owned()
}

/// The page of a failure, in the reader's language.
pub fn failure(ctx: &Ctx, fail: &Fail) -> Response {
    let l = ctx.lang;
    let (status, title, text) = match fail {
        Fail::NotFound => (StatusCode::NOT_FOUND, l.t(&t::NOT_FOUND), None),
        Fail::Forbidden => (StatusCode::FORBIDDEN, l.t(&t::FORBIDDEN), None),
        Fail::Csrf => (StatusCode::FORBIDDEN, l.t(&t::ERROR), Some(l.t(&t::SESSION_EXPIRED))),
        Fail::SignIn(_) | Fail::Internal => {
            (StatusCode::INTERNAL_SERVER_ERROR, l.t(&t::ERROR), Some(l.t(&t::SOMETHING_WRONG)))
        }
    };
    page_with(
        ctx,
        None,
        status,
        title,
        html! { @if let Some(text) = text { p { (text) } } p { a href="/" { (l.t(&t::HOME)) } } },
    )
}

/// An operator's name (its id if the policy is gone).
pub fn operator_name(state: &crate::state::AppState, id: &simexit_domain::OperatorId) -> String {
    state.service.policy(id).map(|p| p.name.clone()).unwrap_or_else(|_| id.to_string())
}

/// An operator's time zone, for its dates and deadlines.
pub fn zone(state: &crate::state::AppState, op: &simexit_domain::OperatorId) -> jiff::tz::TimeZone {
    state.service.policy(op).map(|p| p.zone()).unwrap_or(jiff::tz::TimeZone::UTC)
}

/// A date in the operator's zone.
pub fn date(at: jiff::Timestamp, zone: &jiff::tz::TimeZone) -> String {
    at.to_zoned(zone.clone()).date().to_string()
}

/// Date and time in the operator's zone, with the zone named:
/// `2026-11-30 14:05 MSK (Europe/Moscow)`.
pub fn datetime(at: jiff::Timestamp, zone: &jiff::tz::TimeZone) -> String {
    simexit_domain::calendar::local_time(at, zone)
}

/// Where a PRG redirect goes after a change: `path?done=1` style notices.
pub fn see_other(to: &str) -> Response {
    axum::response::Redirect::to(to).into_response()
}
