//! Demo data for `simexit serve --demo`: number pools, stores, subscribers with lines (one
//! in debt, several with a positive balance) and staff, all from `data/demo/seed.toml`.
//! Seeding is idempotent: a database that already has the demo keeps it as it is.

use serde::Deserialize;
use simexit_domain::access::Role;
use simexit_domain::store_hours::OpeningHours;
use simexit_domain::{CustomerCategory, Language, Money, Msisdn, OperatorId};
use simexit_store::{NewAccount, NewSubscriber, StoreExt, StoreRow};

use crate::auth::hash_password;
use crate::lines::{add_to_pool, assign_new_line};
use crate::money::start_service;
use crate::record::audit;
use crate::{Result, Service, ServiceError};

/// The password of every demo account.
pub const DEMO_PASSWORD: &str = "demo";

const SEED: &str = include_str!("../../../data/demo/seed.toml");

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Seed {
    pool: Vec<Pool>,
    store: Vec<DemoStore>,
    subscriber: Vec<DemoSubscriber>,
    staff: Vec<DemoStaff>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Pool {
    operator: OperatorId,
    first: Msisdn,
    count: u32,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DemoStore {
    id: String,
    operator: OperatorId,
    name: String,
    address: String,
    region: String,
    time_zone: String,
    wait_minutes: i64,
    recycles_sims: bool,
    hours: OpeningHours,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DemoSubscriber {
    login: String,
    category: CustomerCategory,
    full_name: String,
    id_document_type: String,
    id_document_number: String,
    email: String,
    phone: String,
    language: Language,
    lines: Vec<DemoLine>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DemoLine {
    operator: OperatorId,
    balance: i64,
    #[serde(default)]
    services: Vec<DemoService>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DemoService {
    name: String,
    /// Kopecks per month.
    monthly: i64,
    /// Started this many days before the demo was loaded (so charges have accrued).
    since_days: i64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DemoStaff {
    login: String,
    role: Role,
    operator: Option<OperatorId>,
    store: Option<String>,
}

/// One demo account, for the start-up banner.
#[derive(Debug, Clone)]
pub struct DemoAccount {
    pub login: String,
    pub role: Role,
    pub scope: String,
}

fn bad(e: impl std::fmt::Display) -> ServiceError {
    ServiceError::Internal(format!("demo seed: {e}"))
}

impl Service {
    /// Loads the demo data unless it is already there; returns the demo accounts.
    pub fn seed_demo(&self) -> Result<Vec<DemoAccount>> {
        let seed: Seed = toml::from_str(SEED).map_err(bad)?;
        let mut accounts: Vec<DemoAccount> = seed
            .subscriber
            .iter()
            .map(|s| DemoAccount {
                login: s.login.clone(),
                role: Role::Subscriber,
                scope: format!("{} subscriber", s.category),
            })
            .collect();
        accounts.extend(seed.staff.iter().map(|s| DemoAccount {
            login: s.login.clone(),
            role: s.role,
            scope: match (&s.operator, &s.store) {
                (None, _) => "all operators".into(),
                (Some(op), None) => format!("operator {op}"),
                (Some(op), Some(store)) => format!("operator {op}, store {store}"),
            },
        }));
        if self.store.read(|tx| tx.account_by_login("admin@demo"))?.is_some() {
            return Ok(accounts);
        }
        // One hash for all demo accounts: they share the same published password anyway.
        let password_hash = hash_password(DEMO_PASSWORD)?;
        let now = self.now();
        let sbp_banks = crate::money::parse_sbp_banks(crate::money::DEMO_SBP_BANKS)?;
        self.store.write(|tx| {
            tx.replace_sbp_banks(&sbp_banks)?;
            for pool in &seed.pool {
                self.policy(&pool.operator)?;
                let first: u64 = pool.first.digits().parse().map_err(bad)?;
                for i in 0..u64::from(pool.count) {
                    let msisdn = Msisdn::parse(&format!("+{}", first + i)).map_err(bad)?;
                    add_to_pool(tx, msisdn, &pool.operator, now)?;
                }
            }
            for s in &seed.store {
                s.hours.validate().map_err(bad)?;
                tx.upsert_store(&StoreRow {
                    id: s.id.clone(),
                    operator: s.operator.clone(),
                    name: s.name.clone(),
                    address: s.address.clone(),
                    region: s.region.clone(),
                    time_zone: s.time_zone.clone(),
                    hours: serde_json::to_string(&s.hours).map_err(bad)?,
                    accepts_terminations: true,
                    recycles_sims: s.recycles_sims,
                    wait_minutes: s.wait_minutes,
                    kind: "store".into(),
                    phone: String::new(),
                })?;
            }
            for s in &seed.subscriber {
                let subscriber_id = tx.insert_subscriber(&NewSubscriber {
                    category: s.category,
                    full_name: s.full_name.clone(),
                    id_document_type: s.id_document_type.clone(),
                    id_document_number: self.seal(crate::sealing::ID_DOCUMENT_NUMBER, &s.id_document_number)?,
                    email: s.email.clone(),
                    phone: s.phone.clone(),
                    language: s.language,
                    created_at: now,
                })?;
                tx.insert_account(&NewAccount {
                    login: s.login.clone(),
                    password_hash: password_hash.clone(),
                    role: Role::Subscriber,
                    operator: None,
                    store_id: None,
                    subscriber_id: Some(subscriber_id),
                    scopes: String::new(),
                    created_at: now,
                })?;
                for line in &s.lines {
                    let row = assign_new_line(
                        tx,
                        &line.operator,
                        subscriber_id,
                        None,
                        Money::from_kopecks(line.balance),
                        now,
                    )?;
                    for svc in &line.services {
                        let since = now - jiff::SignedDuration::from_hours(24 * svc.since_days);
                        start_service(tx, row.id, &svc.name, Money::from_kopecks(svc.monthly), since, "system")?;
                    }
                }
            }
            for s in &seed.staff {
                tx.insert_account(&NewAccount {
                    login: s.login.clone(),
                    password_hash: password_hash.clone(),
                    role: s.role,
                    operator: s.operator.clone(),
                    store_id: s.store.clone(),
                    subscriber_id: None,
                    scopes: String::new(),
                    created_at: now,
                })?;
            }
            audit(tx, now, "system", "seed_demo", "deployment", "demo", serde_json::json!({}))
        })?;
        Ok(accounts)
    }
}
