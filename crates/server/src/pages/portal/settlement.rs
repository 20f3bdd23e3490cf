//! What happens to the balance: transfer to another line, or a refund with bank details.

use crate::extract::PageForm;
use axum::extract::{Path, State};
use axum::response::Response;
use maud::{Markup, html};
use serde::Deserialize;
use simexit_domain::SettlementOption;
use simexit_domain::ledger::BankAccount;
use simexit_service::SettlementInput;
use simexit_store::LineRow;

use crate::pages::ctx::{Ctx, Fail};
use crate::pages::i18n::{self as t, Tr};
use crate::pages::layout::{csrf, field_error, fixable, input, problem, see_other};
use crate::state::AppState;

use super::*;

pub(super) fn settlement_form(
    ctx: &Ctx,
    r: &simexit_store::RequestRow,
    options: &[SettlementOption],
    lines: &[LineRow],
    form: &FormState,
) -> Markup {
    let l = ctx.lang;
    let chosen = if form.values.is_empty() {
        r.settlement.kind.map(|k| k.as_str().to_owned()).unwrap_or_default()
    } else {
        form.value("option").to_owned()
    };
    html! {
        p { (l.t(&t::SETTLEMENT_HELP)) }
        form method="post" action=(format!("/my/requests/{}/settlement", r.id)) novalidate {
            (csrf(ctx))
            fieldset {
                legend { (l.t(&t::SETTLEMENT)) }
                @if options.contains(&SettlementOption::Refund) {
                    label.choice { input type="radio" name="option" value="refund" checked[chosen == "refund"]; (l.t(&t::REFUND)) }
                }
                @if options.contains(&SettlementOption::Transfer) && !lines.is_empty() {
                    label.choice { input type="radio" name="option" value="transfer" checked[chosen == "transfer"]; (l.t(&t::TRANSFER)) }
                }
                (field_error("option", form.errors.get("option")))
            }
            @if options.contains(&SettlementOption::Refund) {
                (bank_fields(l, form, [
                    r.settlement.refund_name.as_deref(),
                    r.settlement.refund_bik.as_deref(),
                    r.settlement.refund_account.as_deref(),
                ]))
            }
            @if options.contains(&SettlementOption::Transfer) && !lines.is_empty() {
                div.field {
                    label for="to_line" { (l.t(&t::TO_LINE)) }
                    select #to_line name="to_line" {
                        @for line in lines {
                            option value=(line.id) selected[r.settlement.transfer_to_line == Some(line.id) || form.value("to_line") == line.id.to_string()] { (line.msisdn.to_string()) }
                        }
                    }
                }
            }
            button.secondary type="submit" { (l.t(&t::SAVE)) }
        }
    }
}

/// The bank details' errors, each on its field: a name, a 9-digit BIK, a 20-digit account
/// whose control key matches the BIK.
pub(super) fn bank_errors(l: simexit_domain::Language, name: &str, bik: &str, account: &str, form: &mut FormState) {
    use simexit_domain::ledger::BankAccountError as E;
    if name.trim().is_empty() {
        form.errors.insert("name", l.t(&t::REQUIRED).to_owned());
    }
    if let Err(e) = BankAccount::parse(bik, account) {
        let msg = match e {
            E::BikFormat => {
                &t::Msg { ru: "БИК — 9 цифр.", en: "A BIK has 9 digits.", zh: "BIK 代码为 9 位数字。" }
            }
            E::AccountFormat => &t::Msg {
                ru: "Номер счёта — 20 цифр.",
                en: "An account number has 20 digits.",
                zh: "账号为 20 位数字。",
            },
            E::Currency(_) => &t::Msg {
                ru: "Счёт должен быть рублёвым (цифры 6–8: 810).",
                en: "The account must be in roubles (digits 6–8: 810).",
                zh: "账户必须为卢布账户（第 6–8 位：810）。",
            },
            E::ControlKey => &t::Msg {
                ru: "Номер счёта не подходит к этому БИК: проверьте цифры.",
                en: "The account number does not match this BIK: check the digits.",
                zh: "账号与该 BIK 不匹配，请检查数字。",
            },
        };
        form.errors.insert(e.field(), l.t(msg).to_owned());
    }
}

/// The three fields of bank details, with what was typed (or saved) and their errors.
pub(super) fn bank_fields(l: simexit_domain::Language, form: &FormState, saved: [Option<&str>; 3]) -> Markup {
    let value = |k: &'static str, i: usize| -> String {
        if form.values.is_empty() { saved[i].unwrap_or_default().to_owned() } else { form.value(k).to_owned() }
    };
    html! {
        (input("name", l.t(&t::RECIPIENT), "text", &value("name", 0), form.errors.get("name"), false))
        (input("bik", l.t(&t::BIK), "text", &value("bik", 1), form.errors.get("bik"), false))
        (input("account", l.t(&t::ACCOUNT), "text", &value("account", 2), form.errors.get("account"), false))
    }
}

/// The settlement form: the option, the line to transfer to, or bank details for a refund.
#[derive(Deserialize)]
pub struct SettlementForm {
    #[serde(default)]
    option: String,
    #[serde(default)]
    to_line: String,
    #[serde(flatten)]
    bank: BankForm,
}

pub async fn settlement(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    PageForm(SettlementForm { option, to_line, bank: f }): PageForm<SettlementForm>,
) -> Result<Response, Fail> {
    let who = ctx.require_form(&state, &f.csrf).await?;
    let l = ctx.lang;
    let mut form = FormState::default();
    for (k, v) in
        [("option", &option), ("name", &f.name), ("bik", &f.bik), ("account", &f.account), ("to_line", &to_line)]
    {
        form.values.insert(k, v.clone());
    }
    let input = match option.as_str() {
        "refund" => {
            // Empty bank fields: the route (SBP, card, cash, a bank) is chosen after completion.
            if [&f.name, &f.bik, &f.account].iter().any(|v| !v.trim().is_empty()) {
                bank_errors(l, &f.name, &f.bik, &f.account, &mut form);
            }
            SettlementInput::Refund { recipient_name: f.name.clone(), bik: f.bik.clone(), account: f.account.clone() }
        }
        "transfer" => match to_line.parse() {
            Ok(to_line_id) => SettlementInput::Transfer { to_line_id },
            Err(_) => {
                form.errors.insert("to_line", l.t(&t::REQUIRED).to_owned());
                SettlementInput::Transfer { to_line_id: 0 }
            }
        },
        _ => {
            form.errors.insert(
                "option",
                l.t(&t::Msg {
                    ru: "Выберите вариант.", en: "Choose an option.", zh: "请选择一项。"
                })
                .to_owned(),
            );
            SettlementInput::Transfer { to_line_id: 0 }
        }
    };
    if form.errors.is_empty() {
        let w = who.clone();
        match state.blocking(move |s| s.set_settlement(&w, id, input)).await {
            Ok(_) => return Ok(see_other(&format!("/my/requests/{id}?done=saved"))),
            Err(e) if fixable(&e) => {
                form.errors.insert("form", problem(l, &e));
            }
            Err(e) => return Err(e.into()),
        }
    }
    let view = load(&state, &who, id).await?;
    Ok(request_page(&ctx, &state, &who, &view, &form, html! {}))
}
