//! Conformance: certificates of termination.

use super::*;

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
