//! The JSON shapes of operators, eligibility and stores.

use super::*;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EligibilityBody {
    pub operator: Option<OperatorId>,
    pub customer_category: Option<CustomerCategory>,
    pub line_id: Option<i64>,
    /// As typed: `+7 916 123-45-67`, `8 (916) 123 45 67`…
    pub msisdn: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct OperatorView {
    pub id: OperatorId,
    pub name: String,
    pub inn: String,
    pub channels: Vec<Channel>,
    pub illustrative: bool,
    pub hotline: String,
    pub website: String,
}

#[derive(Serialize, ToSchema)]
pub struct StoreView {
    pub id: String,
    pub operator: OperatorId,
    pub name: String,
    pub address: String,
    pub region: String,
    pub time_zone: String,
    /// The store's local date and time now.
    pub local_time: String,
    pub open_now: bool,
    /// Today's local opening hours, `HH:MM-HH:MM`, or absent when closed today.
    pub today: Option<String>,
    #[schema(value_type = Object)]
    pub hours: serde_json::Value,
    /// The hours as the operator writes them: `mon-fri 09:00-13:00,14:00-21:00; sun closed`.
    pub hours_text: String,
    /// The coming 60 days whose hours are not the week's usual ones: federal days off
    /// (closed), shortened pre-holiday days (an hour early), the store's own exceptions.
    pub unusual_days: Vec<UnusualDay>,
    pub accepts_terminations: bool,
    pub recycles_sims: bool,
    pub wait_minutes: i64,
    /// `store` or `recycling_point` (takes SIM cards back for recycling only).
    pub kind: String,
    /// The store's phone ("" when none).
    pub phone: String,
}

/// A day whose hours differ from the week's usual ones.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct UnusualDay {
    #[schema(value_type = String, format = Date)]
    pub date: jiff::civil::Date,
    /// That day's hours (`10:00-17:00`); absent when closed all day.
    pub hours: Option<String>,
}

impl StoreView {
    /// A store as its visitors see it now: local time, today's hours, open or not (the
    /// federal production calendar closes it on declared days off, an hour early on
    /// shortened days).
    pub fn of(s: simexit_store::StoreRow, now: jiff::Timestamp, calendars: &simexit_domain::CalendarSet) -> StoreView {
        let calendar = calendars.get("ru-federal");
        let hours: simexit_domain::store_hours::OpeningHours = serde_json::from_str(&s.hours).unwrap_or_default();
        let zone = jiff::tz::TimeZone::get(&s.time_zone).unwrap_or(jiff::tz::TimeZone::UTC);
        let local = now.to_zoned(zone.clone());
        StoreView {
            open_now: hours.is_open(now, &zone, calendar),
            today: hours.today(local.date(), calendar),
            local_time: local.strftime("%Y-%m-%dT%H:%M%:z").to_string(),
            hours: serde_json::to_value(&hours).unwrap_or_default(),
            hours_text: hours.to_text(),
            unusual_days: hours
                .unusual_days(local.date(), 60, calendar)
                .into_iter()
                .map(|(date, hours)| UnusualDay { date, hours })
                .collect(),
            id: s.id,
            operator: s.operator,
            name: s.name,
            address: s.address,
            region: s.region,
            time_zone: s.time_zone,
            accepts_terminations: s.accepts_terminations,
            kind: s.kind,
            phone: s.phone,
            recycles_sims: s.recycles_sims,
            wait_minutes: s.wait_minutes,
        }
    }
}
