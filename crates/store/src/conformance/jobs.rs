//! Conformance: durable jobs: scheduled, leased, retried, finished.

use super::*;

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
