//! Conformance: bulk terminations and the selection reports that feed them.

use super::*;

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
