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

use crate::audit::{chain_hash, first_broken_link};
use crate::*;

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

pub fn logins_are_unique_and_sessions_expire_and_revoke(store: &dyn Store) {
    let account = NewAccount {
        login: "reviewer@demo".into(),
        password_hash: "$argon2id$…".into(),
        role: Role::Reviewer,
        operator: Some(op("mts")),
        store_id: None,
        subscriber_id: None,
        scopes: String::new(),
        created_at: t("2026-01-01T00:00:00Z"),
    };
    let id = ok(store.write(|tx| {
        seed_subscriber(tx)?;
        tx.insert_account(&account)
    }));
    let dup = store.write(|tx| tx.insert_account(&account));
    assert!(matches!(dup, Err(StoreError::Conflict(_))), "{dup:?}");
    let found = ok(store.read(|tx| tx.account_by_login("reviewer@demo"))).unwrap();
    assert_eq!((found.id, found.role, found.operator), (id, Role::Reviewer, Some(op("mts"))));
    assert_eq!(ok(store.read(|tx| tx.account(id))).map(|a| a.login), Some("reviewer@demo".into()));

    let now = t("2026-03-01T10:00:00Z");
    ok(store.write(|tx| {
        tx.insert_session(&SessionRow {
            token_hash: "h1".into(),
            account_id: id,
            created_at: now,
            expires_at: now + 1.hour(),
            csrf_hash: Some("csrf".into()),
        })
    }));
    assert_eq!(ok(store.read(|tx| tx.session_csrf_hash("h1"))).as_deref(), Some("csrf"));
    assert!(ok(store.read(|tx| tx.session_account("h1", now))).is_some());
    assert!(ok(store.read(|tx| tx.session_account("h1", now + 2.hours()))).is_none(), "expired");
    assert!(ok(store.read(|tx| tx.session_account("nope", now))).is_none());
    assert!(ok(store.write(|tx| tx.revoke_session("h1", now))));
    assert!(ok(store.read(|tx| tx.session_account("h1", now))).is_none(), "revoked");
}

pub fn numbers_are_claimed_once_and_only_from_the_pool(store: &dyn Store) {
    ok(store.write(|tx| {
        seed_subscriber(tx)?;
        tx.insert_number(&number_row("+79160000010", "mts"))?;
        tx.insert_number(&NumberRow { state: NumberState::Aging, ..number_row("+79160000011", "mts") })?;
        tx.insert_number(&number_row("+79770000012", "t2"))
    }));
    let first = ok(store.write(|tx| {
        let n = tx.claim_available_number(&op("mts"))?;
        if let Some(n) = &n {
            tx.update_number(&NumberRow { state: NumberState::Assigned, ..n.clone() })?;
        }
        Ok::<_, StoreError>(n)
    }));
    assert_eq!(first.map(|n| n.msisdn), Some(msisdn("+79160000010")));
    let second = ok(store.write(|tx| tx.claim_available_number(&op("mts"))));
    assert_eq!(second, None, "the aging number and the other operator's number are not in the pool");
    let stored = ok(store.read(|tx| tx.number(&msisdn("+79160000010")))).unwrap();
    assert_eq!(stored.state, NumberState::Assigned);
}

pub fn assignment_history_keeps_every_holder_period(store: &dyn Store) {
    let n = msisdn("+79160000020");
    ok(store.write(|tx| {
        let sub = seed_subscriber(tx)?;
        let line = seed_line(tx, sub, n.as_str())?;
        tx.open_assignment(&NewAssignment {
            msisdn: n.clone(),
            subscriber_id: sub,
            line_id: line,
            from: t("2026-01-02T00:00:00Z"),
        })?;
        assert!(tx.close_assignment(&n, t("2026-03-01T00:00:00Z"), "terminated")?);
        assert!(!tx.close_assignment(&n, t("2026-03-02T00:00:00Z"), "terminated")?, "nothing left open");
        tx.open_assignment(&NewAssignment {
            msisdn: n.clone(),
            subscriber_id: sub,
            line_id: line,
            from: t("2026-03-05T00:00:00Z"),
        })
    }));
    let history = ok(store.read(|tx| tx.assignments(&n)));
    assert_eq!(history.len(), 2);
    let together = ok(store.read_single(|tx| tx.number_history(&n)));
    assert_eq!(together.number, ok(store.read(|tx| tx.number(&n))));
    assert_eq!((together.past.len(), &together.periods), (0, &history), "read in one go, in the same order");
    assert_eq!(history[0].to, Some(t("2026-03-01T00:00:00Z")));
    assert_eq!(history[0].end_reason.as_deref(), Some("terminated"));
    assert_eq!(history[1].from, t("2026-03-05T00:00:00Z"));
    assert_eq!(history[1].to, None);
}

pub fn past_events_are_recorded_once_and_extend_known_history(store: &dyn Store) {
    let n = msisdn("+79160000030");
    let event = |at: &str, kind: &str| PastEventRow {
        msisdn: n.clone(),
        at: t(at),
        kind: kind.into(),
        operator: op("mts"),
        history_since: t("2020-01-01T00:00:00Z"),
        source: "past.csv".into(),
    };
    let (first, again) = ok(store.write(|tx| {
        seed_subscriber(tx)?;
        tx.insert_number(&number_row("+79160000031", "mts"))?;
        tx.insert_number(&number_row("+79770000032", "t2"))?;
        let first = tx.insert_past_event(&event("2023-05-01T00:00:00Z", "ported_out"))?;
        tx.insert_past_event(&event("2021-02-01T00:00:00Z", "disconnected"))?;
        let again = tx.insert_past_event(&event("2023-05-01T00:00:00Z", "ported_out"))?;
        Ok::<_, StoreError>((first, again))
    }));
    assert!(first && !again, "the same event is recorded once");
    let events = ok(store.read(|tx| tx.past_events(&n)));
    assert_eq!(events.iter().map(|e| e.kind.as_str()).collect::<Vec<_>>(), ["disconnected", "ported_out"]);
    assert_eq!(events[0], event("2021-02-01T00:00:00Z", "disconnected"));
    let alone = ok(store.read_single(|tx| tx.number_history(&n)));
    assert_eq!((alone.number, alone.past, alone.periods.len()), (None, events, 0), "known only by its past");

    let changed = ok(store.write(|tx| tx.extend_history(&op("mts"), t("2020-01-01T00:00:00Z"))));
    assert_eq!(changed, 1, "only the operator's numbers whose history started later");
    let again = ok(store.write(|tx| tx.extend_history(&op("mts"), t("2021-01-01T00:00:00Z"))));
    assert_eq!(again, 0, "history never moves forward");
    let mts = ok(store.read(|tx| tx.number(&msisdn("+79160000031")))).unwrap();
    let t2 = ok(store.read(|tx| tx.number(&msisdn("+79770000032")))).unwrap();
    assert_eq!(mts.history_since, t("2020-01-01T00:00:00Z"));
    assert_eq!(t2.history_since, t("2026-01-01T00:00:00Z"));
}

pub fn lines_and_requests_round_trip(store: &dyn Store) {
    let n = "+79160000030";
    let (sub, line, req) = ok(store.write(|tx| {
        let sub = seed_subscriber(tx)?;
        let line = seed_line(tx, sub, n)?;
        let req = tx.insert_request(&request_row(line, sub, "mts", n, Some(t("2026-03-04T21:00:00Z"))))?;
        Ok::<_, StoreError>((sub, line, req))
    }));
    let mut l = ok(store.read(|tx| tx.line(line))).unwrap();
    assert_eq!((l.balance, l.state, l.msisdn.as_str()), (Money::from_kopecks(1_050), LineState::Active, n));
    l.state = LineState::Terminated;
    l.terminated_at = Some(t("2026-03-05T00:00:00Z"));
    ok(store.write(|tx| tx.update_line(&l)));
    assert_eq!(ok(store.read(|tx| tx.line(line))), Some(l.clone()));
    assert_eq!(ok(store.read(|tx| tx.lines_of(sub))), vec![l.clone()]);
    assert_eq!(ok(store.read(|tx| tx.line_by_msisdn(&msisdn(n)))).map(|l| l.id), Some(line));

    let mut r = ok(store.read(|tx| tx.request(req))).unwrap();
    assert_eq!(r.id, req);
    assert_eq!(r.review_deadline_date.map(|d| d.to_string()), Some("2026-03-04".into()));
    assert_eq!(ok(store.read(|tx| tx.open_request_for_line(line))).map(|r| r.id), Some(req));
    r.state = RequestState::Completed;
    r.aging_until = Some(t("2026-04-04T00:00:00Z"));
    r.note = Some("ok".into());
    r.overdue = true;
    r.store_id = Some("mts-moscow-arbat".into());
    ok(store.write(|tx| tx.update_request(&r)));
    assert_eq!(ok(store.read(|tx| tx.request(req))), Some(r.clone()));
    assert_eq!(ok(store.read(|tx| tx.requests_at_store("mts-moscow-arbat", 10))), vec![r.clone()]);
    assert_eq!(ok(store.read(|tx| tx.requests_at_store("elsewhere", 10))), vec![]);
    let counts = ok(store.read(|tx| tx.dashboard_counts(&["state", "channel", "sla"])));
    for expected in [("state", "completed", 1), ("channel", "online", 1), ("sla", "open_overdue", 1)] {
        let (m, k, n) = expected;
        assert!(counts.contains(&(m.into(), k.into(), n)), "{expected:?} in {counts:?}");
    }
    assert_eq!(ok(store.read(|tx| tx.open_request_for_line(line))), None);
    assert_eq!(ok(store.read(|tx| tx.requests_of(sub))), vec![r]);
    assert_eq!(ok(store.read(|tx| tx.request(req + 1000))), None);
    assert_eq!(ok(store.read(|tx| tx.subscriber(sub))).map(|s| s.full_name), Some("Анна Иванова".into()));
}

pub fn the_review_queue_is_ordered_by_deadline_and_filtered_by_operator(store: &dyn Store) {
    let ids = ok(store.write(|tx| {
        let sub = seed_subscriber(tx)?;
        let mut ids = Vec::new();
        for (i, (deadline, operator, state)) in [
            ("2026-03-06T21:00:00Z", "mts", RequestState::Submitted),
            ("2026-03-04T21:00:00Z", "mts", RequestState::InfoProvided),
            ("2026-03-05T21:00:00Z", "t2", RequestState::Submitted),
            ("2026-03-03T21:00:00Z", "mts", RequestState::InfoRequested),
        ]
        .into_iter()
        .enumerate()
        {
            let n = format!("+7916000004{i}");
            let line = seed_line(tx, sub, &n)?;
            let row = RequestRow { state, ..request_row(line, sub, operator, &n, Some(t(deadline))) };
            ids.push(tx.insert_request(&row)?);
        }
        Ok::<_, StoreError>(ids)
    }));
    let all: Vec<i64> = ok(store.read(|tx| tx.review_queue(None, 10))).iter().map(|r| r.id).collect();
    assert_eq!(all, vec![ids[1], ids[2], ids[0]]);
    let mts: Vec<i64> = ok(store.read(|tx| tx.review_queue(Some(&op("mts")), 10))).iter().map(|r| r.id).collect();
    assert_eq!(mts, vec![ids[1], ids[0]]);
    assert_eq!(ok(store.read(|tx| tx.review_queue(None, 1))).len(), 1);
}

pub fn events_are_kept_in_order(store: &dyn Store) {
    let n = "+79160000050";
    let req = ok(store.write(|tx| {
        let sub = seed_subscriber(tx)?;
        let line = seed_line(tx, sub, n)?;
        let req = tx.insert_request(&request_row(line, sub, "mts", n, None))?;
        for (i, (from, to)) in
            [(RequestState::Draft, RequestState::Submitted), (RequestState::Submitted, RequestState::Approved)]
                .into_iter()
                .enumerate()
        {
            tx.insert_event(&NewEvent {
                request_id: req,
                at: t("2026-03-01T10:00:00Z") + (i as i64).minutes(),
                actor: "account:1".into(),
                action: "step".into(),
                from_state: from,
                to_state: to,
                reason: (i == 1).then(|| "looks fine".into()),
            })?;
        }
        Ok::<_, StoreError>(req)
    }));
    let events = ok(store.read(|tx| tx.events(req)));
    assert_eq!(events.len(), 2);
    assert_eq!(events[0].to_state, RequestState::Submitted);
    assert_eq!(events[1].reason.as_deref(), Some("looks fine"));
    assert!(events[0].id < events[1].id);
}

pub fn the_audit_chain_detects_tampering_of_any_entry(store: &dyn Store) {
    for i in 0..3 {
        ok(store.write(|tx| {
            let prev = tx.audit_head()?.unwrap_or_default();
            let mut e = AuditRow {
                id: 0,
                at: t("2026-03-01T10:00:00Z") + i.seconds(),
                actor: "account:1".into(),
                action: "approve".into(),
                entity: "termination".into(),
                entity_id: i.to_string(),
                details: "{}".into(),
                prev_hash: prev.clone(),
                hash: String::new(),
            };
            e.hash = chain_hash(&prev, &e);
            tx.insert_audit(&e)
        }));
    }
    let mut entries = ok(store.read(|tx| tx.audit_entries(0, 100)));
    assert_eq!(entries.len(), 3);
    let head = ok(store.read(|tx| tx.audit_head())).unwrap();
    assert_eq!(first_broken_link(&entries, String::new()), Ok(head));
    entries[1].details = "{\"forged\":true}".into();
    assert_eq!(first_broken_link(&entries, String::new()), Err(entries[1].id));
    assert_eq!(ok(store.read(|tx| tx.audit_entries(entries[0].id, 100))).len(), 2);
}

pub fn jobs_are_deduplicated_leased_retried_and_finished(store: &dyn Store) {
    let now = t("2026-03-01T10:00:00Z");
    let job = |key: &str, run_at: Timestamp| NewJob {
        kind: "end_aging".into(),
        payload: format!("{{\"key\":\"{key}\"}}"),
        run_at,
        max_attempts: 3,
        dedupe_key: Some(key.into()),
        created_at: now,
    };
    ok(store.write(|tx| {
        tx.insert_job(&job("a", now))?;
        tx.insert_job(&job("a", now))?;
        tx.insert_job(&job("b", now + 1.hour()))
    }));
    let depth = |at: Timestamp| {
        let d = ok(store.read(|tx| tx.queue_depths(at)));
        ["due", "scheduled", "running", "failed"]
            .map(|k| d.iter().find(|(q, s, _)| q == "jobs" && s == k).map_or(-1, |r| r.2))
    };
    assert_eq!(depth(now), [1, 1, 0, 0], "due, scheduled, running, failed");
    let claimed = ok(store.write(|tx| tx.claim_jobs(now, now + 5.minutes(), 10)));
    assert_eq!(claimed.len(), 1, "one due job, the duplicate was not scheduled");
    assert_eq!(depth(now), [0, 1, 1, 0], "the claimed one runs under its lease");
    assert_eq!(depth(now + 6.minutes()), [1, 1, 0, 0], "an expired lease is due again");
    let a = &claimed[0];
    assert_eq!((a.status.as_str(), a.attempts), ("running", 1));
    assert!(ok(store.write(|tx| tx.claim_jobs(now + 1.minute(), now + 6.minutes(), 10))).is_empty(), "leased");
    let again = ok(store.write(|tx| tx.claim_jobs(now + 10.minutes(), now + 15.minutes(), 10)));
    assert_eq!(again.iter().map(|j| j.id).collect::<Vec<_>>(), vec![a.id], "an expired lease is reclaimed");
    ok(store.write(|tx| tx.retry_job(a.id, now + 20.minutes(), "smtp down")));
    let r = ok(store.read(|tx| tx.job(a.id))).unwrap();
    assert_eq!((r.status.as_str(), r.attempts, r.last_error.as_deref()), ("pending", 2, Some("smtp down")));
    let later = ok(store.write(|tx| tx.claim_jobs(now + 2.hours(), now + 3.hours(), 10)));
    assert_eq!(later.len(), 2);
    ok(store.write(|tx| {
        tx.finish_job(later[0].id, now + 2.hours())?;
        tx.fail_job(later[1].id, now + 2.hours(), "gave up")
    }));
    let mut counts = ok(store.read(|tx| tx.jobs_by_status()));
    counts.sort();
    assert_eq!(counts, vec![("done".to_string(), 1), ("failed".to_string(), 1)]);
    assert_eq!(depth(now + 3.hours()), [0, 0, 0, 1]);
    assert!(ok(store.write(|tx| tx.claim_jobs(now + 9.hours(), now + 10.hours(), 10))).is_empty());
    ok(store.write(|tx| tx.insert_job(&job("a", now))));
    assert!(
        ok(store.write(|tx| tx.claim_jobs(now + 9.hours(), now + 10.hours(), 10))).is_empty(),
        "a finished job's key is not scheduled again"
    );
}

pub fn the_ledger_records_once_per_key_and_derives_balances(store: &dyn Store) {
    let n = "+79160000060";
    let line = ok(store.write(|tx| {
        let sub = seed_subscriber(tx)?;
        seed_line(tx, sub, n)
    }));
    let cash = Account::Operator(op("mts"), OperatorAccount::Cash);
    let pay = |key: &str, kopecks: i64| NewMovement {
        movement: Movement::between(
            MovementKind::Payment,
            cash.clone(),
            Account::Line(line),
            Money::from_kopecks(kopecks),
            "payment",
        )
        .unwrap(),
        idempotency_key: key.into(),
        reverses: None,
        line_id: Some(line),
        at: t("2026-03-01T10:00:00Z"),
        actor: "account:1".into(),
    };
    let first = ok(store.write(|tx| tx.record_movement(&pay("pay-1", 500))));
    assert!(first.is_some());
    assert_eq!(ok(store.write(|tx| tx.record_movement(&pay("pay-1", 500)))), None, "same key, recorded once");
    assert_eq!(ok(store.read(|tx| tx.line(line))).unwrap().balance, Money::from_kopecks(1_550));
    assert_eq!(ok(store.read(|tx| tx.balance(&Account::Line(line)))), Money::from_kopecks(1_550));
    assert_eq!(ok(store.read(|tx| tx.balance(&cash))), Money::from_kopecks(-500));

    let original = ok(store.read(|tx| tx.movement_by_key("pay-1"))).unwrap();
    assert_eq!(original.kind, MovementKind::Payment);
    assert_eq!(original.entries.len(), 2);
    let undo = NewMovement {
        movement: Movement { kind: MovementKind::Payment, entries: original.entries.clone(), memo: String::new() }
            .reversal("undo"),
        idempotency_key: "reverse-pay-1".into(),
        reverses: Some(original.id),
        ..pay("unused", 1)
    };
    let undo_id = ok(store.write(|tx| tx.record_movement(&undo))).unwrap();
    assert_eq!(ok(store.read(|tx| tx.reversal_of(original.id))), Some(undo_id));
    let twice =
        store.write(|tx| tx.record_movement(&NewMovement { idempotency_key: "reverse-again".into(), ..undo.clone() }));
    assert!(matches!(twice, Err(StoreError::Conflict(_))), "a movement is reversed at most once: {twice:?}");
    assert_eq!(ok(store.read(|tx| tx.balance(&Account::Line(line)))), Money::from_kopecks(1_050));
    let statement = ok(store.read(|tx| tx.statement(&Account::Line(line))));
    let kinds: Vec<_> = statement.iter().map(|s| s.kind).collect();
    assert_eq!(kinds, vec![MovementKind::Opening, MovementKind::Payment, MovementKind::Reversal]);
    assert_eq!(statement[2].reverses, Some(original.id));
    assert_eq!(ok(store.read(|tx| tx.ledger_total())), 0);
}

pub fn services_refunds_settlements_and_final_bills_round_trip(store: &dyn Store) {
    let n = "+79160000070";
    let (line, req) = ok(store.write(|tx| {
        let sub = seed_subscriber(tx)?;
        let line = seed_line(tx, sub, n)?;
        let mut row = request_row(line, sub, "mts", n, None);
        row.settlement = SettlementChoice {
            kind: Some(SettlementOption::Refund),
            transfer_to_line: None,
            refund_name: Some("Анна Иванова".into()),
            refund_bik: Some("044525225".into()),
            refund_account: Some("40817810938160925982".into()),
        };
        let req = tx.insert_request(&row)?;
        Ok::<_, StoreError>((line, req))
    }));
    assert_eq!(ok(store.read(|tx| tx.request(req))).unwrap().settlement.kind, Some(SettlementOption::Refund));

    let mut svc = ServiceRow {
        id: 0,
        line_id: line,
        name: "Музыка".into(),
        monthly_charge: Money::from_kopecks(19_900),
        started_at: t("2026-01-02T00:00:00Z"),
        charged_until: t("2026-01-02T00:00:00Z"),
        stopped_at: None,
    };
    svc.id = ok(store.write(|tx| tx.insert_service(&svc)));
    svc.stopped_at = Some(t("2026-03-01T00:00:00Z"));
    svc.charged_until = t("2026-03-01T00:00:00Z");
    ok(store.write(|tx| tx.update_service(&svc)));
    assert_eq!(ok(store.read(|tx| tx.services_of(line))), vec![svc.clone()]);
    assert_eq!(ok(store.read(|tx| tx.service(svc.id))), Some(svc));

    let mut refund = RefundRow {
        id: 0,
        line_id: line,
        request_id: Some(req),
        operator: op("mts"),
        amount: Money::from_kopecks(1_050),
        state: "requested".into(),
        recipient_name: Some("Анна Иванова".into()),
        bik: Some("044525225".into()),
        account: Some("40817810938160925982".into()),
        reason: None,
        created_at: t("2026-03-01T00:00:00Z"),
        updated_at: t("2026-03-01T00:00:00Z"),
    };
    refund.id = ok(store.write(|tx| tx.insert_refund(&refund)));
    refund.state = "paid".into();
    ok(store.write(|tx| tx.update_refund(&refund)));
    assert_eq!(ok(store.read(|tx| tx.refund(refund.id))), Some(refund.clone()));
    assert_eq!(ok(store.read(|tx| tx.refunds(Some("paid"), Some(&op("mts")), 10))), vec![refund.clone()]);
    assert!(ok(store.read(|tx| tx.refunds(Some("paid"), Some(&op("t2")), 10))).is_empty());
    assert_eq!(ok(store.read(|tx| tx.refunds_of_line(line))).len(), 1);

    ok(store.write(|tx| tx.save_final_bill(req, "{\"closing\":0}", t("2026-03-01T00:00:00Z"))));
    assert_eq!(ok(store.read(|tx| tx.final_bill(req))).as_deref(), Some("{\"closing\":0}"));
    assert!(
        store.write(|tx| tx.save_final_bill(req, "{}", t("2026-03-02T00:00:00Z"))).is_err(),
        "a final bill is frozen"
    );
}

pub fn rate_limits_count_per_window_and_reset_codes_and_outbox_round_trip(store: &dyn Store) {
    let now = t("2026-03-01T10:00:00Z");
    let hour = jiff::SignedDuration::from_hours(1);
    for expected in 1..=3 {
        let c = ok(store.write(|tx| tx.hit_rate_limit("reset:+79161234567", now + (expected * 10).seconds(), hour)));
        assert_eq!((c.count, c.window_start), (expected, now + 10.seconds()), "the window starts at the first hit");
    }
    assert_eq!(
        ok(store.read(|tx| tx.rate_limit("reset:+79161234567", now + 30.minutes(), hour))).map(|c| c.count),
        Some(3)
    );
    assert_eq!(ok(store.read(|tx| tx.rate_limit("reset:+79161234567", now + 2.hours(), hour))), None, "window over");
    let fresh = ok(store.write(|tx| tx.hit_rate_limit("reset:+79161234567", now + 2.hours(), hour)));
    assert_eq!((fresh.count, fresh.window_start), (1, now + 2.hours()), "a new window starts");
    ok(store.write(|tx| tx.clear_rate_limit("reset:+79161234567")));
    assert_eq!(ok(store.read(|tx| tx.rate_limit("reset:+79161234567", now + 2.hours(), hour))), None);

    let account = ok(store.write(|tx| {
        let sub = seed_subscriber(tx)?;
        tx.insert_account(&NewAccount {
            login: "anna".into(),
            password_hash: "old".into(),
            role: Role::Subscriber,
            operator: None,
            store_id: None,
            subscriber_id: Some(sub),
            scopes: String::new(),
            created_at: now,
        })
    }));
    let found = ok(store.read(|tx| tx.account_by_phone(&msisdn("+79161234567"))));
    assert_eq!(found.map(|a| a.id), Some(account));
    assert_eq!(ok(store.read(|tx| tx.account_by_phone(&msisdn("+79169999999")))), None);
    ok(store.write(|tx| tx.set_password(account, "new")));
    assert_eq!(ok(store.read(|tx| tx.account(account))).unwrap().password_hash, "new");
    ok(store.write(|tx| {
        for h in ["s1", "s2"] {
            tx.insert_session(&SessionRow {
                token_hash: h.into(),
                account_id: account,
                created_at: now,
                expires_at: now + 1.hour(),
                csrf_hash: None,
            })?;
        }
        Ok::<_, StoreError>(())
    }));
    assert_eq!(ok(store.write(|tx| tx.revoke_sessions_of(account, now))), 2);
    assert!(ok(store.read(|tx| tx.session_account("s1", now))).is_none());

    let mut reset = PasswordResetRow {
        id: 0,
        account_id: account,
        code_hash: "h".into(),
        expires_at: now + 10.minutes(),
        attempts: 0,
        used_at: None,
        created_at: now,
    };
    reset.id = ok(store.write(|tx| tx.insert_password_reset(&reset)));
    reset.attempts = 2;
    ok(store.write(|tx| tx.update_password_reset(&reset)));
    assert_eq!(ok(store.write(|tx| tx.latest_password_reset(account))), Some(reset.clone()));
    reset.used_at = Some(now + 1.minute());
    ok(store.write(|tx| tx.update_password_reset(&reset)));
    assert_eq!(ok(store.write(|tx| tx.latest_password_reset(account))), None, "a used code is gone");

    let mut m = OutboxRow::new("sms", "+79161234567", "password_reset_code", "ru", "{\"code\":\"123456\"}".into(), now);
    m.id = ok(store.write(|tx| tx.insert_outbox(&m))).unwrap();
    assert_eq!(ok(store.read(|tx| tx.outbox(Some("pending"), 10))), vec![m.clone()]);
    m.status = "sent".into();
    m.sent_at = Some(now);
    m.provider_id = Some("msg-1".into());
    ok(store.write(|tx| tx.update_outbox(&m)));
    assert!(ok(store.read(|tx| tx.outbox(Some("pending"), 10))).is_empty());
    assert_eq!(ok(store.read(|tx| tx.outbox(None, 10))), vec![m.clone()]);
    assert_eq!(ok(store.read(|tx| tx.outbox_by_provider_id("sms", "msg-1"))), Some(m.clone()));
    assert_eq!(ok(store.read(|tx| tx.outbox_by_provider_id("email", "msg-1"))), None);
}

pub fn documents_get_a_deadline_and_their_destruction_leaves_an_act(store: &dyn Store) {
    let now = t("2026-03-01T10:00:00Z");
    let (request, sub) = ok(store.write(|tx| {
        let sub = seed_subscriber(tx)?;
        let line = seed_line(tx, sub, "+79160000040")?;
        let id = tx.insert_request(&request_row(line, sub, "mts", "+79160000040", None))?;
        Ok::<_, StoreError>((id, sub))
    }));
    let doc = |key: &str| DocumentRow {
        id: 0,
        request_id: request,
        kind: simexit_domain::DocumentKind::Passport,
        file_name: "скан паспорта.jpg".into(),
        content_type: "image/jpeg".into(),
        size: 1234,
        sha256: "ab".repeat(32),
        storage_key: key.into(),
        key_id: "k1".into(),
        status: "uploaded".into(),
        review_reason: None,
        reviewed_by: None,
        uploaded_by: "account:1".into(),
        uploaded_at: now,
        retention_until: None,
        destroyed_at: None,
    };
    let (a, b) =
        ok(store
            .write(|tx| Ok::<_, StoreError>((tx.insert_document(&doc("doc/a"))?, tx.insert_document(&doc("doc/b"))?))));
    let dup = store.write(|tx| tx.insert_document(&doc("doc/a")));
    assert!(matches!(dup, Err(StoreError::Conflict(_))), "a storage key is used once: {dup:?}");
    assert!(ok(store.read(|tx| tx.documents_due(now + (2400).hours(), 10))).is_empty(), "no deadline yet");
    assert_eq!(ok(store.write(|tx| tx.set_documents_retention(request, now + (720).hours()))), 2);
    let due = ok(store.write(|tx| tx.documents_due(now + (720).hours(), 10)));
    assert_eq!(due.iter().map(|d| d.id).collect::<Vec<_>>(), vec![a, b]);
    assert!(ok(store.write(|tx| tx.documents_due(now + (696).hours(), 10))).is_empty());
    let mut gone = due[0].clone();
    gone.status = "destroyed".into();
    gone.destroyed_at = Some(now + (720).hours());
    let act = DestructionActRow {
        id: 0,
        document_id: a,
        request_id: request,
        subscriber_id: sub,
        kind: "passport".into(),
        sha256: gone.sha256.clone(),
        size: gone.size,
        reason: "retention ended".into(),
        actor: "job:destroy_documents".into(),
        at: now + (720).hours(),
    };
    let act_id = ok(store.write(|tx| {
        tx.update_document(&gone)?;
        tx.insert_destruction_act(&act)
    }));
    assert_eq!(ok(store.read(|tx| tx.document(a))), Some(gone));
    assert_eq!(ok(store.read(|tx| tx.destruction_acts(0, 10))), vec![DestructionActRow { id: act_id, ..act }]);
    let left = ok(store.write(|tx| tx.documents_due(now + (744).hours(), 10)));
    assert_eq!(left.iter().map(|d| d.id).collect::<Vec<_>>(), vec![b], "a destroyed document is not due again");
    assert_eq!(ok(store.read(|tx| tx.documents_of(request))).len(), 2);
}

pub fn a_certificate_is_issued_once_per_request_and_found_by_its_number(store: &dyn Store) {
    let request = ok(store.write(|tx| {
        let sub = seed_subscriber(tx)?;
        let line = seed_line(tx, sub, "+79160000050")?;
        tx.insert_request(&request_row(line, sub, "mts", "+79160000050", None))
    }));
    let cert = CertificateRow {
        number: format!("MTS-2026-{request:06}"),
        request_id: request,
        operator: op("mts"),
        payload: "{\"number\":\"MTS\"}".into(),
        key_id: "k1".into(),
        signature: "ab".repeat(64),
        issued_at: t("2026-03-02T09:00:00Z"),
    };
    ok(store.write(|tx| tx.insert_certificate(&cert)));
    assert_eq!(ok(store.read(|tx| tx.certificate(&cert.number))), Some(cert.clone()));
    assert_eq!(ok(store.read(|tx| tx.certificate_of_request(request))), Some(cert.clone()));
    assert_eq!(ok(store.read(|tx| tx.certificate("MTS-2026-999999"))), None);
    let again = store.write(|tx| tx.insert_certificate(&CertificateRow { number: "OTHER".into(), ..cert.clone() }));
    assert!(matches!(again, Err(StoreError::Conflict(_))), "one certificate per request: {again:?}");
}

pub fn network_tasks_record_their_steps_and_alerts(store: &dyn Store) {
    let n = msisdn("+79160000060");
    let request = ok(store.write(|tx| {
        let sub = seed_subscriber(tx)?;
        let line = seed_line(tx, sub, n.as_str())?;
        tx.insert_request(&request_row(line, sub, "mts", n.as_str(), None))
    }));
    let task = NetworkTaskRow {
        id: 0,
        request_id: request,
        msisdn: n.clone(),
        direction: "deprovision".into(),
        steps: vec!["bar".into(), "detach".into(), "delete".into()],
        done_steps: 0,
        status: "in_progress".into(),
        attempts: 0,
        last_error: None,
        updated_at: t("2026-03-02T09:00:00Z"),
    };
    let id = ok(store.write(|tx| tx.insert_network_task(&task)));
    let again = store.write(|tx| tx.insert_network_task(&task));
    assert!(matches!(again, Err(StoreError::Conflict(_))), "one task per request and direction: {again:?}");
    let mut failing = NetworkTaskRow {
        id,
        done_steps: 1,
        status: "alert".into(),
        attempts: 3,
        last_error: Some("detach: busy".into()),
        ..task.clone()
    };
    ok(store.write(|tx| tx.update_network_task(&failing)));
    assert_eq!(ok(store.read(|tx| tx.network_task(id))), Some(failing.clone()));
    assert_eq!(ok(store.read(|tx| tx.network_alerts(10))), vec![failing.clone()]);
    failing.status = "done".into();
    failing.done_steps = 3;
    ok(store.write(|tx| tx.update_network_task(&failing)));
    assert!(ok(store.read(|tx| tx.network_alerts(10))).is_empty());
    assert_eq!(ok(store.read(|tx| tx.network_tasks_of(request))).len(), 1);
}

pub fn a_bulk_run_is_recorded_once_and_its_lines_processed_once(store: &dyn Store) {
    let run = BulkRunRow {
        id: "bulk-abc".into(),
        reason: "over_limit".into(),
        source: "list.csv".into(),
        total: 3,
        created_by: "account:1".into(),
        created_at: t("2026-03-02T09:00:00Z"),
        finished_at: None,
    };
    let lines: Vec<(i64, String)> = (2..5).map(|i| (i, format!("+7916000007{i}"))).collect();
    assert!(ok(store.write(|tx| tx.insert_bulk_run(&run, &lines))));
    assert!(!ok(store.write(|tx| tx.insert_bulk_run(&run, &lines))), "the same run is not recorded twice");
    let pending = ok(store.read(|tx| tx.pending_bulk_lines("bulk-abc", 2)));
    assert_eq!(pending.iter().map(|l| l.line_no).collect::<Vec<_>>(), vec![2, 3], "in file order");
    let mut first = pending[0].clone();
    first.outcome = Some("terminated".into());
    first.request_id = Some(7);
    ok(store.write(|tx| tx.set_bulk_outcome(&first)));
    assert_eq!(ok(store.write(|tx| tx.bulk_line("bulk-abc", 2))), Some(first));
    assert_eq!(ok(store.read(|tx| tx.pending_bulk_lines("bulk-abc", 10))).len(), 2);
    assert_eq!(
        ok(store.read(|tx| tx.bulk_counts("bulk-abc"))),
        vec![("pending".to_owned(), 2), ("terminated".to_owned(), 1)]
    );
    ok(store.write(|tx| tx.finish_bulk_run("bulk-abc", t("2026-03-02T10:00:00Z"))));
    let finished = ok(store.read(|tx| tx.bulk_run("bulk-abc"))).unwrap();
    assert_eq!(finished.finished_at, Some(t("2026-03-02T10:00:00Z")));
}

pub fn the_outbox_is_claimed_once_with_a_lease_and_deduplicated(store: &dyn Store) {
    let now = t("2026-03-01T10:00:00Z");
    let message = |key: Option<&str>, due: Timestamp| OutboxRow {
        dedupe_key: key.map(str::to_owned),
        next_attempt_at: due,
        ..OutboxRow::new("email", "anna@example.org", "aging_reminder", "ru", "{}".into(), now)
    };
    let (a, again, later) = ok(store.write(|tx| {
        let a = tx.insert_outbox(&message(Some("reminder:1"), now))?;
        let again = tx.insert_outbox(&message(Some("reminder:1"), now))?;
        let later = tx.insert_outbox(&message(None, now + 1.hour()))?;
        Ok::<_, StoreError>((a, again, later))
    }));
    assert!(a.is_some() && later.is_some());
    assert_eq!(again, None, "the same key is queued once");
    let lease = now + 5.minutes();
    let first = ok(store.write(|tx| tx.claim_outbox(now, lease, 10)));
    assert_eq!(first.iter().map(|m| m.id).collect::<Vec<_>>(), vec![a.unwrap()], "only what is due");
    assert_eq!((first[0].status.as_str(), first[0].attempts, first[0].locked_until), ("sending", 1, Some(lease)));
    assert!(ok(store.write(|tx| tx.claim_outbox(now + 1.minute(), lease, 10))).is_empty(), "leased");
    let retaken = ok(store.write(|tx| tx.claim_outbox(lease, lease + 5.minutes(), 10)));
    assert_eq!(retaken.iter().map(|m| (m.id, m.attempts)).collect::<Vec<_>>(), vec![(a.unwrap(), 2)], "lease expired");
    let mut sent = retaken[0].clone();
    sent.status = "sent".into();
    ok(store.write(|tx| tx.update_outbox(&sent)));
    let last = ok(store.write(|tx| tx.claim_outbox(now + 2.hours(), now + 3.hours(), 10)));
    assert_eq!(last.iter().map(|m| m.id).collect::<Vec<_>>(), vec![later.unwrap()], "a sent message is not claimed");
    let counts = ok(store.read(|tx| tx.outbox_counts()));
    assert_eq!(counts, vec![("sending".to_owned(), 1), ("sent".to_owned(), 1)]);
    assert_eq!(ok(store.read(|tx| tx.outbox_message(a.unwrap()))).map(|m| m.status), Some("sent".to_owned()));
}

pub fn the_numbering_plan_is_replaced_whole_and_looked_up_by_range(store: &dyn Store) {
    use simexit_domain::numbering::NumberRange;
    let range = |def, from, to, name: &str, inn: &str| NumberRange {
        def,
        from,
        to,
        operator_name: name.into(),
        region: "Краснодарский край".into(),
        territory: None,
        inn: Some(inn.into()),
    };
    let first =
        vec![range(900, 0, 61_999, "ООО \"Т2 МОБАЙЛ\"", "7743895280"), range(900, 62_000, 62_999, "T2", "7743895280")];
    ok(store.write(|tx| {
        tx.clear_numbering()?;
        tx.append_numbering(&first)?;
        tx.record_numbering_import("first.csv", first.len(), t("2026-03-01T00:00:00Z"))
    }));
    assert_eq!(ok(store.read(|tx| tx.numbering_range(900, 0))), Some(first[0].clone()));
    assert_eq!(ok(store.read(|tx| tx.numbering_range(900, 61_999))), Some(first[0].clone()));
    assert_eq!(ok(store.read(|tx| tx.numbering_range(900, 62_500))), Some(first[1].clone()));
    assert_eq!(ok(store.read(|tx| tx.numbering_range(900, 63_000))), None);
    assert_eq!(ok(store.read(|tx| tx.numbering_range(901, 0))), None);
    let second = vec![range(916, 0, 9_999_999, "ПАО \"МТС\"", "7740000076")];
    ok(store.write(|tx| {
        tx.clear_numbering()?;
        tx.append_numbering(&second)
    }));
    assert_eq!(ok(store.read(|tx| tx.numbering_range(900, 0))), None, "the old plan is gone");
    assert_eq!(ok(store.read(|tx| tx.numbering_range(916, 1_234_567))).map(|r| r.inn), Some(Some("7740000076".into())));
}
