//! The admin pages of stores: add, edit and delete one (the same checks as `simexit stores
//! import`), and the history of file imports.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use maud::html;
use serde::Deserialize;
use simexit_domain::access::Role;
use simexit_service::imports::StoreFields;
use simexit_store::StoreRow;

use super::admin::{admin, admin_nav};
use super::ctx::{Ctx, Fail};
use super::i18n::{self as t, Tr};
use super::layout::{datetime, page, page_with, see_other};
use crate::state::AppState;

/// The store form as posted.
#[derive(Deserialize, Default, Clone)]
pub struct StoreForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    id: String,
    #[serde(default)]
    operator: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    address: String,
    #[serde(default)]
    region: String,
    #[serde(default)]
    time_zone: String,
    #[serde(default)]
    hours: String,
    #[serde(default)]
    accepts_terminations: Option<String>,
    #[serde(default)]
    recycles_sims: Option<String>,
    #[serde(default)]
    phone: String,
}

impl StoreForm {
    fn of(r: &StoreRow) -> StoreForm {
        let hours: simexit_domain::store_hours::OpeningHours = serde_json::from_str(&r.hours).unwrap_or_default();
        StoreForm {
            csrf: String::new(),
            id: r.id.clone(),
            operator: r.operator.to_string(),
            kind: r.kind.clone(),
            name: r.name.clone(),
            address: r.address.clone(),
            region: r.region.clone(),
            time_zone: r.time_zone.clone(),
            hours: hours.to_text(),
            accepts_terminations: r.accepts_terminations.then(|| "yes".into()),
            recycles_sims: r.recycles_sims.then(|| "yes".into()),
            phone: r.phone.clone(),
        }
    }

    fn fields(self) -> StoreFields {
        let word = |v: Option<String>| if v.is_some() { "yes" } else { "no" }.to_owned();
        StoreFields {
            id: self.id,
            operator: self.operator,
            kind: if self.kind.is_empty() { "store".into() } else { self.kind },
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

/// The form, for a new store (`editing` none) or an existing one; `problem` above it.
fn form_page(
    ctx: &Ctx,
    state: &AppState,
    who: &simexit_service::Principal,
    f: &StoreForm,
    editing: Option<&str>,
    problem: Option<String>,
) -> Response {
    let l = ctx.lang;
    let title = if editing.is_some() { l.t(&t::EDIT_STORE) } else { l.t(&t::ADD_STORE) };
    let action = editing.map_or_else(|| "/admin/stores".to_owned(), |id| format!("/admin/stores/{id}"));
    let operators: Vec<String> = state
        .service
        .policies
        .iter()
        .map(|p| p.operator.to_string())
        .filter(|o| who.operator.as_ref().is_none_or(|mine| mine.as_str() == o))
        .collect();
    let status = if problem.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let body = html! {
        (admin_nav(l))
        @if let Some(p) = &problem { p.alert role="alert" { (l.t(&t::FIX_FIELDS)) " " (p) } }
        form.stack method="post" action=(action) {
            input type="hidden" name="csrf" value=(ctx.csrf());
            @if editing.is_none() {
                label for="id" { (l.t(&t::STORE_ID)) }
                input id="id" name="id" required value=(f.id);
            }
            label for="operator" { (l.t(&t::OPERATOR)) }
            select id="operator" name="operator" {
                @for o in &operators { option value=(o) selected[*o == f.operator] { (o) } }
            }
            label for="kind" { (l.t(&t::KIND)) }
            select id="kind" name="kind" {
                option value="store" selected[f.kind != "recycling_point"] { (l.t(&t::STORE_KIND)) }
                option value="recycling_point" selected[f.kind == "recycling_point"] { (l.t(&t::RECYCLING_POINT)) }
            }
            label for="name" { (l.t(&t::STORE)) }
            input id="name" name="name" required value=(f.name);
            label for="address" { (l.t(&t::ADDRESS)) }
            input id="address" name="address" value=(f.address);
            label for="region" { (l.t(&t::REGION)) }
            input id="region" name="region" value=(f.region);
            label for="time_zone" { (l.t(&t::TIME_ZONE)) }
            input id="time_zone" name="time_zone" required value=(if f.time_zone.is_empty() { "Europe/Moscow" } else { &f.time_zone });
            label for="hours" { (l.t(&t::HOURS)) }
            input id="hours" name="hours" required value=(f.hours) aria-describedby="hours-help";
            p.muted id="hours-help" { (l.t(&t::HOURS_HELP)) }
            label for="phone" { (l.t(&t::PHONE)) }
            input id="phone" name="phone" value=(f.phone);
            label { input type="checkbox" name="accepts_terminations" value="yes" checked[f.accepts_terminations.is_some()]; " " (l.t(&t::ACCEPTS_TERMINATIONS)) }
            label { input type="checkbox" name="recycles_sims" value="yes" checked[f.recycles_sims.is_some()]; " " (l.t(&t::RECYCLES_SIMS)) }
            button type="submit" { (l.t(&t::SAVE)) }
        }
        @if let Some(id) = editing {
            form method="post" action=(format!("/admin/stores/{id}/delete")) {
                input type="hidden" name="csrf" value=(ctx.csrf());
                button.danger type="submit" { (l.t(&t::DELETE)) }
            }
        }
    };
    page_with(ctx, Some(who), status, title, body)
}

async fn store_admin(ctx: &Ctx, state: &AppState) -> Result<simexit_service::Principal, Fail> {
    let who = admin(ctx, state).await?;
    if who.role != Role::Admin {
        return Err(Fail::Forbidden);
    }
    Ok(who)
}

pub async fn new(State(state): State<AppState>, ctx: Ctx) -> Result<Response, Fail> {
    let who = store_admin(&ctx, &state).await?;
    let blank = StoreForm { accepts_terminations: Some("yes".into()), ..StoreForm::default() };
    Ok(form_page(&ctx, &state, &who, &blank, None, None))
}

pub async fn edit(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> Result<Response, Fail> {
    let who = store_admin(&ctx, &state).await?;
    let row = state.blocking(move |s| s.store_by_id(&id)).await?;
    if !who.staff_of(&row.operator) {
        return Err(Fail::Forbidden);
    }
    Ok(form_page(&ctx, &state, &who, &StoreForm::of(&row), Some(&row.id), None))
}

/// A refusal the admin can fix on the form, or a failure of the page.
fn outcome(
    ctx: &Ctx,
    state: &AppState,
    who: &simexit_service::Principal,
    f: &StoreForm,
    editing: Option<&str>,
    result: Result<StoreRow, crate::error::ApiError>,
) -> Result<Response, Fail> {
    let l = ctx.lang;
    match result {
        Ok(_) => Ok(see_other("/admin/stores")),
        Err(e) if e.code == "invalid_store" => Ok(form_page(ctx, state, who, f, editing, Some(e.detail))),
        Err(e) if e.code == "store_exists" => {
            Ok(form_page(ctx, state, who, f, editing, Some(l.t(&t::STORE_EXISTS).to_owned())))
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    crate::extract::PageForm(f): crate::extract::PageForm<StoreForm>,
) -> Result<Response, Fail> {
    let who = ctx.require_form(&state, &f.csrf).await?;
    let (w, fields) = (who.clone(), f.clone().fields());
    let result = state.blocking(move |s| s.create_store(&w, fields)).await;
    outcome(&ctx, &state, &who, &f, None, result)
}

pub async fn save(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    crate::extract::PageForm(f): crate::extract::PageForm<StoreForm>,
) -> Result<Response, Fail> {
    let who = ctx.require_form(&state, &f.csrf).await?;
    let (w, fields, key) = (who.clone(), f.clone().fields(), id.clone());
    let result = state.blocking(move |s| s.update_store(&w, &key, fields)).await;
    outcome(&ctx, &state, &who, &f, Some(&id), result)
}

#[derive(Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

pub async fn delete(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    crate::extract::PageForm(f): crate::extract::PageForm<CsrfForm>,
) -> Result<Response, Fail> {
    let who = ctx.require_form(&state, &f.csrf).await?;
    let (w, key) = (who.clone(), id.clone());
    match state.blocking(move |s| s.delete_store(&w, &key)).await {
        Ok(()) => Ok(see_other("/admin/stores")),
        Err(e) if e.code == "store_in_use" => {
            let row = state.blocking(move |s| s.store_by_id(&id)).await?;
            let problem = ctx.lang.t(&t::STORE_IN_USE).to_owned();
            Ok(form_page(&ctx, &state, &who, &StoreForm::of(&row), Some(&row.id), Some(problem)))
        }
        Err(e) => Err(e.into()),
    }
}

/// Who imported which file, when, and what it changed.
pub async fn imports(State(state): State<AppState>, ctx: Ctx) -> Result<Response, Fail> {
    let who = admin(&ctx, &state).await?;
    let l = ctx.lang;
    let w = who.clone();
    let rows = state.blocking(move |s| s.imports_history(&w, 200)).await?;
    let zone = jiff::tz::TimeZone::get("Europe/Moscow").unwrap_or(jiff::tz::TimeZone::UTC);
    Ok(page(
        &ctx,
        Some(&who),
        l.t(&t::IMPORTS),
        html! {
            (admin_nav(l))
            p.muted { (l.t(&t::IMPORTS_HINT)) }
            div.table-wrap { table {
                thead { tr {
                    th { (l.t(&t::WHEN)) } th { (l.t(&t::WHO)) } th { (l.t(&t::WHAT)) } th { (l.t(&t::FILE)) }
                    th { (l.t(&t::ROWS)) } th { (l.t(&t::CREATED)) } th { (l.t(&t::UPDATED)) } th { (l.t(&t::UNCHANGED)) }
                } }
                tbody { @for r in &rows { tr {
                    td { (datetime(r.at, &zone)) }
                    td { (r.actor) }
                    td { (r.kind) }
                    td { (r.file) }
                    td.num { (r.rows) }
                    td.num { (r.created) }
                    td.num { (r.updated) }
                    td.num { (r.unchanged) }
                } } }
            } }
        },
    ))
}
