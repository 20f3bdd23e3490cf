//! Conformance: accounts (people and API clients), sessions, sign-in and reset limits, password reset codes.

use super::*;

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
    let subscriber = ok(store.read(|tx| tx.account(account))).unwrap().subscriber_id.unwrap();
    assert_eq!(ok(store.read(|tx| tx.subscriber_account(subscriber))).map(|a| a.id), Some(account));
    assert_eq!(ok(store.read(|tx| tx.subscriber_account(subscriber + 1000))), None);
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
        purpose: CODE_FOR_RESET,
    };
    reset.id = ok(store.write(|tx| tx.insert_password_reset(&reset)));
    reset.attempts = 2;
    ok(store.write(|tx| tx.update_password_reset(&reset)));
    assert_eq!(ok(store.write(|tx| tx.latest_password_reset(account, CODE_FOR_RESET))), Some(reset.clone()));
    assert_eq!(
        ok(store.write(|tx| tx.latest_password_reset(account, CODE_FOR_SIGN_IN))),
        None,
        "a reset code opens no session"
    );
    let sign_in = PasswordResetRow { id: 0, purpose: CODE_FOR_SIGN_IN, ..reset.clone() };
    let sign_in_id = ok(store.write(|tx| tx.insert_password_reset(&sign_in)));
    assert_eq!(
        ok(store.write(|tx| tx.latest_password_reset(account, CODE_FOR_SIGN_IN))).map(|r| r.id),
        Some(sign_in_id)
    );
    assert_eq!(ok(store.write(|tx| tx.latest_password_reset(account, CODE_FOR_RESET))).map(|r| r.id), Some(reset.id));
    reset.used_at = Some(now + 1.minute());
    ok(store.write(|tx| tx.update_password_reset(&reset)));
    assert_eq!(ok(store.write(|tx| tx.latest_password_reset(account, CODE_FOR_RESET))), None, "a used code is gone");

    let mut m = OutboxRow::new("sms", "+79161234567", "password_reset_code", "ru", "{\"code\":\"123456\"}".into(), now);
    m.id = ok(store.write(|tx| tx.insert_outbox(&m))).unwrap();
    assert_eq!(ok(store.read(|tx| tx.outbox(Some("pending"), None, 10))), vec![m.clone()]);
    assert!(
        ok(store.read(|tx| tx.outbox(None, Some(&op("mts")), 10))).is_empty(),
        "a message about no request is shown to deployment-wide staff only"
    );
    m.status = "sent".into();
    m.sent_at = Some(now);
    m.provider_id = Some("msg-1".into());
    ok(store.write(|tx| tx.update_outbox(&m)));
    assert!(ok(store.read(|tx| tx.outbox(Some("pending"), None, 10))).is_empty());
    assert_eq!(ok(store.read(|tx| tx.outbox(None, None, 10))), vec![m.clone()]);
    assert_eq!(ok(store.read(|tx| tx.outbox_by_provider_id("sms", "msg-1"))), Some(m.clone()));
    assert_eq!(ok(store.read(|tx| tx.outbox_by_provider_id("email", "msg-1"))), None);
}
