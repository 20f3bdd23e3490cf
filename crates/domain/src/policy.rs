//! Termination policies: per-operator rules, loaded from a TOML file that operators edit.
//!
//! Policies are data, never code. Loading validates everything a deadline or a completion
//! will later depend on (time zone, calendar, aging bounds) so that a bad file fails at
//! start with a message naming the field, not at 3 a.m. on the first request.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::calendar::CalendarSet;
use crate::category::{CustomerCategory, Language};
use crate::operator::OperatorId;

crate::wire_enum! {
    /// How a subscriber may file a termination.
    pub enum Channel {
        Online = "online",
        Store = "store",
    }
}

crate::wire_enum! {
    /// What may happen to a positive balance.
    pub enum SettlementOption {
        Transfer = "transfer",
        Refund = "refund",
    }
}

crate::wire_enum! {
    /// How a refund reaches its subscriber.
    pub enum RefundRoute {
        /// To a Russian bank account (BIK and a 20-digit account).
        BankAccount = "bank_account",
        /// By the Faster Payments System to a phone number at a chosen bank (NSPK member).
        Sbp = "sbp",
        /// Back to the card that paid, through the payment provider's refund.
        Card = "card",
        /// In cash at one of the operator's stores, against the subscriber's signature.
        Cash = "cash",
    }
}

crate::wire_enum! {
    pub enum DocumentKind {
        Passport = "passport",
        AddressProof = "address_proof",
        Contract = "contract",
        Bill = "bill",
        DebtClearance = "debt_clearance",
        Guarantor = "guarantor",
        PowerOfAttorney = "power_of_attorney",
        Other = "other",
    }
}

impl DocumentKind {
    /// The document as a person reads it.
    pub fn words(self, lang: crate::Language) -> &'static str {
        lang.pick(match self {
            DocumentKind::Passport => ["Паспорт", "Passport", "护照"],
            DocumentKind::AddressProof => ["Подтверждение адреса регистрации", "Proof of address", "住址证明"],
            DocumentKind::Contract => ["Договор", "Contract", "合同"],
            DocumentKind::Bill => ["Счёт", "Bill", "账单"],
            DocumentKind::DebtClearance => ["Справка об отсутствии долга", "Proof that debt is settled", "无欠款证明"],
            DocumentKind::Guarantor => ["Сведения о поручителе", "Guarantor information", "担保人信息"],
            DocumentKind::PowerOfAttorney => ["Доверенность", "Power of attorney", "授权委托书"],
            DocumentKind::Other => ["Другой документ", "Other document", "其他证件"],
        })
    }
}

impl SettlementOption {
    /// The option as a person reads it.
    pub fn words(self, lang: crate::Language) -> &'static str {
        lang.pick(match self {
            SettlementOption::Transfer => {
                ["перенос остатка на другой номер", "balance moved to another line", "余额转入其他号码"]
            }
            SettlementOption::Refund => ["возврат остатка", "balance refunded", "余额退还"],
        })
    }
}

impl RefundRoute {
    /// The route as a person reads it.
    pub fn words(self, lang: crate::Language) -> &'static str {
        lang.pick(match self {
            RefundRoute::BankAccount => ["на банковский счёт", "to a bank account", "退至银行账户"],
            RefundRoute::Sbp => [
                "по СБП на номер телефона",
                "by SBP (Faster Payments) to a phone number",
                "通过快速支付系统（СБП）退至手机号",
            ],
            RefundRoute::Card => ["на карту, с которой была оплата", "back to the card that paid", "退回付款银行卡"],
            RefundRoute::Cash => ["наличными в салоне связи", "in cash at a store", "在营业厅领取现金"],
        })
    }
}

crate::wire_enum! {
    /// What to do when a deadline falls in a year the calendar does not know.
    pub enum CalendarFallback {
        /// Refuse: the request cannot get a deadline until the calendar is imported.
        Error = "error",
        /// Count Monday to Friday, and mark the deadline as computed by the fallback.
        Weekdays = "weekdays",
    }
}

crate::wire_enum! {
    /// What a request for more information does to the review deadline.
    pub enum SlaOnInfo {
        /// The clock stops while the subscriber is asked; the remaining business days
        /// continue when the information arrives.
        Pause = "pause",
        /// The information restarts the full review time from its arrival.
        Restart = "restart",
    }
}

/// The rules one operator applies to terminations.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TerminationPolicy {
    pub operator: OperatorId,
    pub name: String,
    /// ИНН, the operator's tax id.
    pub inn: String,
    pub illustrative: bool,
    pub channels: Vec<Channel>,
    #[cfg_attr(feature = "openapi", schema(value_type = std::collections::BTreeMap<String, Vec<DocumentKind>>))]
    pub documents: BTreeMap<CustomerCategory, Vec<DocumentKind>>,
    /// Extra documents asked of non-residents (foreign residents and tourists).
    pub non_resident_extra: Vec<DocumentKind>,
    pub review_sla_business_days: u32,
    pub sla_on_info: SlaOnInfo,
    pub aging_days: u32,
    pub aging_min_days: u32,
    pub aging_max_days: u32,
    /// The reminder before the aging ends goes this many days before it (0: no reminder).
    pub aging_reminder_days: u32,
    pub revocation_allowed: bool,
    pub settlement_options: Vec<SettlementOption>,
    /// The refund routes offered to each customer category (absent: a bank account).
    pub refund_routes: BTreeMap<CustomerCategory, Vec<RefundRoute>>,
    pub hotline: String,
    pub website: String,
    pub time_zone: String,
    pub calendar: String,
    pub calendar_fallback: CalendarFallback,
    pub document_retention_days: u32,
    pub default_language: Language,
    /// Whether banks' Number Recycling checks are answered for this operator's numbers (an
    /// MVNO whose host network answers for it sets `false`: 422 `SERVICE_NOT_APPLICABLE`).
    pub number_recycling: bool,
}

impl TerminationPolicy {
    pub fn allows(&self, channel: Channel) -> bool {
        self.channels.contains(&channel)
    }

    /// The refund routes a subscriber of this category is offered: the policy's list, or a
    /// bank account where the policy names none.
    pub fn refund_routes_for(&self, category: CustomerCategory) -> Vec<RefundRoute> {
        match self.refund_routes.get(&category) {
            Some(routes) if !routes.is_empty() => routes.clone(),
            _ => vec![RefundRoute::BankAccount],
        }
    }

    /// The documents a subscriber of this category must bring or upload.
    pub fn documents_for(&self, category: CustomerCategory) -> Vec<DocumentKind> {
        let mut docs = self.documents.get(&category).cloned().unwrap_or_default();
        if category.is_non_resident() {
            for extra in &self.non_resident_extra {
                if !docs.contains(extra) {
                    docs.push(*extra);
                }
            }
        }
        docs
    }

    pub fn zone(&self) -> jiff::tz::TimeZone {
        // Validated at load; UTC is unreachable in practice but keeps this total.
        jiff::tz::TimeZone::get(&self.time_zone).unwrap_or(jiff::tz::TimeZone::UTC)
    }
}

/// All operators' policies of one deployment.
#[derive(Debug, Clone, Default)]
pub struct PolicySet {
    policies: Vec<TerminationPolicy>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    #[error("policy file: {0}")]
    Syntax(String),
    #[error("policy file: {field}: {message}")]
    Invalid { field: String, message: String },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PolicyFile {
    #[serde(default)]
    operator: Vec<RawPolicy>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPolicy {
    id: String,
    name: String,
    inn: String,
    #[serde(default)]
    illustrative: bool,
    channels: Vec<Channel>,
    documents: BTreeMap<CustomerCategory, Vec<DocumentKind>>,
    #[serde(default)]
    non_resident_extra: Vec<DocumentKind>,
    #[serde(default)]
    review_sla_business_days: u32,
    #[serde(default = "pause")]
    sla_on_info: SlaOnInfo,
    aging: RawAging,
    #[serde(default = "yes")]
    revocation_allowed: bool,
    settlement_options: Vec<SettlementOption>,
    #[serde(default)]
    refund_routes: BTreeMap<CustomerCategory, Vec<RefundRoute>>,
    hotline: String,
    website: String,
    time_zone: String,
    #[serde(default = "ru_federal")]
    calendar: String,
    #[serde(default = "fallback_error")]
    calendar_fallback: CalendarFallback,
    #[serde(default = "thirty")]
    document_retention_days: u32,
    #[serde(default = "russian")]
    default_language: Language,
    #[serde(default = "yes")]
    number_recycling: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAging {
    days: u32,
    min_days: u32,
    max_days: u32,
    /// Days before the aging ends when the subscriber is reminded (last chance to revoke).
    #[serde(default = "three")]
    reminder_days: u32,
}

fn pause() -> SlaOnInfo {
    SlaOnInfo::Pause
}

fn three() -> u32 {
    3
}

fn yes() -> bool {
    true
}
fn ru_federal() -> String {
    "ru-federal".to_owned()
}
fn fallback_error() -> CalendarFallback {
    CalendarFallback::Error
}
fn thirty() -> u32 {
    30
}
fn russian() -> Language {
    Language::Ru
}

impl PolicySet {
    /// Parses and validates a policy file against the calendars this deployment knows.
    pub fn from_toml(text: &str, calendars: &CalendarSet) -> Result<Self, PolicyError> {
        let file: PolicyFile = toml::from_str(text).map_err(|e| PolicyError::Syntax(e.to_string()))?;
        let mut policies: Vec<TerminationPolicy> = Vec::new();
        for (i, raw) in file.operator.into_iter().enumerate() {
            let at = |field: &str| format!("operator[{i}] ({}).{field}", raw.id);
            let invalid = |field: &str, message: String| PolicyError::Invalid { field: at(field), message };
            let operator = OperatorId::parse(&raw.id).map_err(|e| invalid("id", e.to_string()))?;
            if policies.iter().any(|p| p.operator == operator) {
                return Err(invalid("id", "this operator id appears twice".into()));
            }
            if raw.channels.is_empty() {
                return Err(invalid("channels", "at least one channel (online, store) is required".into()));
            }
            if raw.channels.contains(&Channel::Online) && raw.review_sla_business_days == 0 {
                return Err(invalid(
                    "review_sla_business_days",
                    "online review needs an SLA of at least 1 business day".into(),
                ));
            }
            if let Err(e) = crate::inn::check(&raw.inn) {
                return Err(invalid("inn", e.to_string()));
            }
            let a = &raw.aging;
            if a.min_days > a.max_days {
                return Err(invalid("aging.min_days", format!("{} is above max_days {}", a.min_days, a.max_days)));
            }
            if a.reminder_days >= a.days {
                return Err(invalid(
                    "aging.reminder_days",
                    format!("{} is not before the end of an aging of {} days", a.reminder_days, a.days),
                ));
            }
            if !(a.min_days..=a.max_days).contains(&a.days) {
                return Err(invalid(
                    "aging.days",
                    format!("{} is outside the allowed {}..={} days", a.days, a.min_days, a.max_days),
                ));
            }
            for category in CustomerCategory::ALL {
                if !raw.documents.contains_key(category) {
                    return Err(invalid(
                        &format!("documents.{category}"),
                        "missing: list the documents (may be empty)".into(),
                    ));
                }
            }
            if jiff::tz::TimeZone::get(&raw.time_zone).is_err() {
                return Err(invalid("time_zone", format!("`{}` is not an IANA time zone", raw.time_zone)));
            }
            if calendars.get(&raw.calendar).is_none() {
                return Err(invalid(
                    "calendar",
                    format!("unknown calendar `{}`; known: {}", raw.calendar, calendars.ids().join(", ")),
                ));
            }
            policies.push(TerminationPolicy {
                operator,
                name: raw.name,
                inn: raw.inn,
                illustrative: raw.illustrative,
                channels: raw.channels,
                documents: raw.documents,
                non_resident_extra: raw.non_resident_extra,
                review_sla_business_days: raw.review_sla_business_days,
                sla_on_info: raw.sla_on_info,
                aging_days: a.days,
                aging_reminder_days: a.reminder_days,
                aging_min_days: a.min_days,
                aging_max_days: a.max_days,
                revocation_allowed: raw.revocation_allowed,
                settlement_options: raw.settlement_options,
                refund_routes: raw.refund_routes,
                hotline: raw.hotline,
                website: raw.website,
                time_zone: raw.time_zone,
                calendar: raw.calendar,
                calendar_fallback: raw.calendar_fallback,
                document_retention_days: raw.document_retention_days,
                default_language: raw.default_language,
                number_recycling: raw.number_recycling,
            });
        }
        Ok(PolicySet { policies })
    }

    pub fn get(&self, id: &OperatorId) -> Option<&TerminationPolicy> {
        self.policies.iter().find(|p| &p.operator == id)
    }

    pub fn iter(&self) -> impl Iterator<Item = &TerminationPolicy> {
        self.policies.iter()
    }

    pub fn len(&self) -> usize {
        self.policies.len()
    }

    pub fn is_empty(&self) -> bool {
        self.policies.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEMO: &str = include_str!("../../../data/policies/demo.toml");

    fn load(text: &str) -> Result<PolicySet, PolicyError> {
        PolicySet::from_toml(text, &CalendarSet::builtin())
    }

    #[test]
    fn the_demo_profiles_load_as_the_spec_describes() {
        let set = load(DEMO).unwrap();
        let get = |id: &str| set.get(&OperatorId::parse(id).unwrap()).unwrap();
        assert!(get("mts").allows(Channel::Online));
        assert!(get("beeline").allows(Channel::Online));
        assert!(!get("megafon").allows(Channel::Online));
        assert!(get("megafon").allows(Channel::Store));
        assert_eq!(get("mts").review_sla_business_days, 3);
        assert_eq!(get("t2").review_sla_business_days, 1);
        assert_eq!(get("t2").aging_days, 60);
        assert_eq!(get("mts").aging_days, 30);
        assert_eq!(get("t2").settlement_options, vec![SettlementOption::Refund]);
        assert!(get("megafon").documents_for(CustomerCategory::Tourist).contains(&DocumentKind::Guarantor));
        assert!(!get("megafon").documents_for(CustomerCategory::Resident).contains(&DocumentKind::Guarantor));
        assert!(!get("mts").documents_for(CustomerCategory::Tourist).contains(&DocumentKind::AddressProof));
        assert!(get("mts").documents_for(CustomerCategory::Resident).contains(&DocumentKind::AddressProof));
        assert!(set.iter().all(|p| p.illustrative));
    }

    fn with(replace: &str, by: &str) -> String {
        assert!(DEMO.contains(replace), "fixture drifted: {replace}");
        DEMO.replacen(replace, by, 1)
    }

    #[test]
    fn an_unknown_field_is_named() {
        let err = load(&with("hotline =", "hotlin =")).unwrap_err().to_string();
        assert!(err.contains("hotlin"), "{err}");
    }

    #[test]
    fn aging_outside_its_bounds_names_the_field() {
        let err = load(&with("days = 30, min_days = 30", "days = 10, min_days = 30")).unwrap_err().to_string();
        assert!(err.contains("operator[0] (mts).aging.days"), "{err}");
    }

    #[test]
    fn a_bad_time_zone_and_an_unknown_calendar_are_rejected() {
        let err = load(&with("Europe/Moscow", "Europe/Atlantis")).unwrap_err().to_string();
        assert!(err.contains("time_zone") && err.contains("Atlantis"), "{err}");
        let err = load(&with("calendar = \"ru-federal\"", "calendar = \"mars\"")).unwrap_err().to_string();
        assert!(err.contains("calendar") && err.contains("mars"), "{err}");
    }

    #[test]
    fn a_bad_channel_lists_the_accepted_ones() {
        let err = load(&with("channels = [\"online\", \"store\"]", "channels = [\"fax\"]")).unwrap_err().to_string();
        assert!(err.contains("fax") && err.contains("online, store"), "{err}");
    }

    #[test]
    fn a_tax_id_with_a_wrong_check_digit_is_named() {
        let err = load(&with("inn = \"7740000076\"", "inn = \"7740000077\"")).unwrap_err().to_string();
        assert!(err.contains("operator[0] (mts).inn") && err.contains("check digits"), "{err}");
    }
}
