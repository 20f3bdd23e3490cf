//! Conformance: the double-entry ledger (see `simexit_domain::ledger`), refunds and frozen final bills.

use super::*;

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
    // A period's entries come without the history before it (the opening of January).
    let since = ok(store.read(|tx| tx.statement_since(&Account::Line(line), t("2026-03-01T00:00:00Z"))));
    let kinds: Vec<_> = since.iter().map(|s| s.kind).collect();
    assert_eq!(kinds, vec![MovementKind::Payment, MovementKind::Reversal]);
    assert!(ok(store.read(|tx| tx.statement_since(&Account::Line(line), t("2026-03-02T00:00:00Z")))).is_empty());
    // The running balances agree with the entries, which `simexit check` verifies.
    let counts = ok(store.read(|tx| tx.invariant_counts()));
    let drift = counts.iter().find(|(name, _)| name.contains("running balance")).map(|c| c.1);
    assert_eq!(drift, Some(0), "{counts:?}");
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
        route: simexit_domain::RefundRoute::BankAccount,
        sbp_phone: None,
        sbp_bank: None,
        card_payment_id: None,
        cash_store_id: None,
        payout_ref: None,
    };
    refund.id = ok(store.write(|tx| tx.insert_refund(&refund)));
    assert_eq!(ok(store.read(|tx| tx.refund(refund.id))), Some(refund.clone()));
    // The route changes with its fields: SBP to a phone at a bank, paid with a reference.
    refund.state = "paid".into();
    refund.route = simexit_domain::RefundRoute::Sbp;
    (refund.recipient_name, refund.bik, refund.account) = (None, None, None);
    refund.sbp_phone = Some("+79031234567".into());
    refund.sbp_bank = Some("100000000111".into());
    refund.payout_ref = Some("A6333101010101010000".into());
    ok(store.write(|tx| tx.update_refund(&refund)));
    assert_eq!(ok(store.read(|tx| tx.refund(refund.id))), Some(refund.clone()));
    assert_eq!(ok(store.read(|tx| tx.refunds(Some("paid"), Some(&op("mts")), None, 10))), vec![refund.clone()]);
    assert!(ok(store.read(|tx| tx.refunds(Some("paid"), Some(&op("t2")), None, 10))).is_empty());
    assert!(ok(store.read(|tx| tx.refunds(None, None, Some("mts-moscow-arbat"), 10))).is_empty(), "not cash");
    assert_eq!(ok(store.read(|tx| tx.refunds_of_line(line))).len(), 1);

    // The SBP banks are replaced whole and listed by name.
    let bank = |id: &str, name: &str| SbpBankRow { id: id.into(), name: name.into() };
    ok(store.write(|tx| tx.replace_sbp_banks(&[bank("100000000111", "Сбербанк"), bank("100000000004", "Т-Банк")])));
    ok(store.write(|tx| tx.replace_sbp_banks(&[bank("100000000008", "Альфа-Банк"), bank("100000000111", "Сбербанк")])));
    let names: Vec<String> = ok(store.read(|tx| tx.sbp_banks())).into_iter().map(|b| b.name).collect();
    assert_eq!(names, ["Альфа-Банк", "Сбербанк"]);
    assert_eq!(ok(store.read(|tx| tx.sbp_bank("100000000004"))), None);

    ok(store.write(|tx| tx.save_final_bill(req, "{\"closing\":0}", t("2026-03-01T00:00:00Z"))));
    assert_eq!(ok(store.read(|tx| tx.final_bill(req))).as_deref(), Some("{\"closing\":0}"));
    assert!(
        store.write(|tx| tx.save_final_bill(req, "{}", t("2026-03-02T00:00:00Z"))).is_err(),
        "a final bill is frozen"
    );
}
