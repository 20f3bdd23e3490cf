//! The behaviour every backend must show, written once and run against each backend with
//! [`crate::conformance_tests!`]. Each case gets a fresh, migrated, empty database.
//! This is test code shipped in the library so every backend crate can run it.
#![allow(clippy::unwrap_used, reason = "test code: a failed unwrap is a failed case")]

use jiff::{Timestamp, ToSpan};
use simexit_domain::access::Role;
use simexit_domain::number::NumberState;
use simexit_domain::{Channel, CustomerCategory, Language, LineState, Money, Msisdn, OperatorId, Reason, RequestState};

use simexit_domain::SettlementOption;
use simexit_domain::ledger::{Account, Movement, MovementKind, OperatorAccount};

use crate::audit::first_broken_link;
use crate::*;

mod accounts;
mod audit;
mod bss;
mod bulk;
mod certificates;
mod documents;
mod jobs;
mod ledger;
mod lookups;
mod network;
mod numbers;
mod outbox;
mod requests;

pub use accounts::*;
pub use audit::*;
pub use bss::*;
pub use bulk::*;
pub use certificates::*;
pub use documents::*;
pub use jobs::*;
pub use ledger::*;
pub use lookups::*;
pub use network::*;
pub use numbers::*;
pub use outbox::*;
pub use requests::*;

/// Expands to one `#[test]` per conformance case; `$make` builds a fresh store and is
/// evaluated once per test. The value must deref to a type implementing [`Store`]. With
/// `optional:`, `$make` returns an `Option` and a case with `None` passes without running
/// (for backends that need a server the machine may not have).
#[macro_export]
macro_rules! conformance_tests {
    (optional: $make:expr) => {
        $crate::conformance_tests!(@list (optional) $make);
    };
    ($make:expr) => {
        $crate::conformance_tests!(@list (required) $make);
    };
    (@list $mode:tt $make:expr) => {
        $crate::conformance_tests!(@cases $mode $make;
            a_failed_body_rolls_back_everything,
            logins_are_unique_and_sessions_expire_and_revoke,
            numbers_are_claimed_once_and_only_from_the_pool,
            assignment_history_keeps_every_holder_period,
            past_events_are_recorded_once_and_extend_known_history,
            lines_and_requests_round_trip,
            the_review_queue_is_ordered_by_deadline_and_filtered_by_operator,
            events_are_kept_in_order,
            the_audit_chain_detects_tampering_of_any_entry,
            jobs_are_deduplicated_leased_retried_and_finished,
            the_ledger_records_once_per_key_and_derives_balances,
            services_refunds_settlements_and_final_bills_round_trip,
            rate_limits_count_per_window_and_reset_codes_and_outbox_round_trip,
            the_outbox_is_claimed_once_with_a_lease_and_deduplicated,
            documents_get_a_deadline_and_their_destruction_leaves_an_act,
            a_certificate_is_issued_once_per_request_and_found_by_its_number,
            network_tasks_record_their_steps_and_alerts,
            a_bulk_run_is_recorded_once_and_its_lines_processed_once,
            the_numbering_plan_is_replaced_whole_and_looked_up_by_range,
            the_bss_ids_find_subscribers_and_lines_and_the_changes_feed_pages_in_order,
            payments_are_found_by_their_providers_id_once_and_move_on,
            webhook_deliveries_go_out_in_order_per_resource_and_once_per_event,
        );
    };
    (@cases (required) $make:expr; $($case:ident),* $(,)?) => {
        $(
            #[test]
            fn $case() {
                let store = $make;
                $crate::conformance::$case(&*store);
            }
        )*
    };
    (@cases (optional) $make:expr; $($case:ident),* $(,)?) => {
        $(
            #[test]
            fn $case() {
                if let Some(store) = $make {
                    $crate::conformance::$case(&*store);
                }
            }
        )*
    };
}

fn t(s: &str) -> Timestamp {
    s.parse().unwrap_or(Timestamp::UNIX_EPOCH)
}

fn op(id: &str) -> OperatorId {
    OperatorId::parse(id).unwrap_or_else(|_| panic!("bad operator id in fixture"))
}

fn msisdn(s: &str) -> Msisdn {
    Msisdn::parse(s).unwrap_or_else(|_| panic!("bad msisdn in fixture"))
}

fn ok<T>(r: Result<T>) -> T {
    r.unwrap_or_else(|e| panic!("store call failed: {e}"))
}

fn seed_subscriber(tx: &mut dyn Tx) -> Result<i64> {
    tx.upsert_operator(&op("mts"), "MTS", "7740000076")?;
    tx.upsert_operator(&op("t2"), "T2", "7743895280")?;
    tx.insert_subscriber(&NewSubscriber {
        category: CustomerCategory::Resident,
        full_name: "Анна Иванова".into(),
        id_document_type: "passport".into(),
        id_document_number: "4510 123456".into(),
        email: "anna@example.org".into(),
        phone: "+79161234567".into(),
        language: Language::Ru,
        created_at: t("2026-01-01T00:00:00Z"),
    })
}

fn number_row(n: &str, operator: &str) -> NumberRow {
    NumberRow {
        msisdn: msisdn(n),
        operator: op(operator),
        state: NumberState::Available,
        aging_until: None,
        line_id: None,
        subscriber_id: None,
        history_since: t("2026-01-01T00:00:00Z"),
        updated_at: t("2026-01-01T00:00:00Z"),
    }
}

fn seed_line(tx: &mut dyn Tx, sub: i64, n: &str) -> Result<i64> {
    tx.insert_number(&NumberRow { state: NumberState::Assigned, ..number_row(n, "mts") })?;
    let line = tx.insert_line(&NewLine {
        msisdn: msisdn(n),
        iccid: None,
        operator: op("mts"),
        subscriber_id: sub,
        opened_at: t("2026-01-02T00:00:00Z"),
    })?;
    let opening = Movement::between(
        MovementKind::Opening,
        Account::Operator(op("mts"), OperatorAccount::OpeningBalances),
        Account::Line(line),
        Money::from_kopecks(1_050),
        "opening balance",
    )
    .unwrap();
    tx.record_movement(&NewMovement {
        movement: opening,
        idempotency_key: format!("opening:{line}"),
        reverses: None,
        line_id: Some(line),
        at: t("2026-01-02T00:00:00Z"),
        actor: "system".into(),
    })?;
    Ok(line)
}

fn request_row(line: i64, sub: i64, operator: &str, n: &str, deadline: Option<Timestamp>) -> RequestRow {
    RequestRow {
        id: 0,
        line_id: line,
        subscriber_id: sub,
        operator: op(operator),
        msisdn: msisdn(n),
        channel: Channel::Online,
        reason: Reason::Voluntary,
        state: RequestState::Submitted,
        line_state_before: LineState::Active,
        store_id: None,
        created_by: 1,
        created_at: t("2026-03-01T10:00:00Z"),
        submitted_at: Some(t("2026-03-01T10:00:00Z")),
        review_deadline: deadline,
        review_deadline_date: Some("2026-03-04".parse().unwrap_or_default()),
        deadline_fallback: false,
        overdue: false,
        decided_at: None,
        completed_at: None,
        aging_until: None,
        closed_at: None,
        note: None,
        settlement: SettlementChoice::default(),
        updated_at: t("2026-03-01T10:00:00Z"),
        review_paused_days: 0,
    }
}

pub fn a_failed_body_rolls_back_everything(store: &dyn Store) {
    let res: Result<(), StoreError> = store.write(|tx| {
        seed_subscriber(tx)?;
        tx.insert_number(&number_row("+79160000001", "mts"))?;
        Err(StoreError::Other("the caller changed its mind".into()))
    });
    assert!(res.is_err());
    let found = ok(store.read(|tx| tx.number(&msisdn("+79160000001"))));
    assert_eq!(found, None, "a rolled-back insert must not be visible");
    let dup = store.write(|tx| {
        tx.insert_number(&number_row("+79160000002", "mts"))?;
        tx.insert_number(&number_row("+79160000002", "mts"))
    });
    assert!(matches!(dup, Err(StoreError::Conflict(_))), "{dup:?}");
    assert_eq!(ok(store.read(|tx| tx.number(&msisdn("+79160000002")))), None);
}
