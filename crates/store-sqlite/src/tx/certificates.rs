//! Certificates of termination.

use super::*;

pub(super) fn certificate(r: &Row<'_>) -> rusqlite::Result<CertificateRow> {
    Ok(CertificateRow {
        number: r.get(0)?,
        request_id: r.get(1)?,
        operator: parsed(r, 2)?,
        payload: r.get(3)?,
        key_id: r.get(4)?,
        signature: r.get(5)?,
        issued_at: time(r, 6)?,
    })
}

impl CertificatesTx for SqliteTx<'_> {
    fn insert_certificate(&mut self, c: &CertificateRow) -> Result<()> {
        self.exec(
            sql::INSERT_CERTIFICATE,
            params![c.number, c.request_id, c.operator.as_str(), c.payload, c.key_id, c.signature, ts(c.issued_at)],
        )
        .map(drop)
    }

    fn certificate(&mut self, number: &str) -> Result<Option<CertificateRow>> {
        self.one(sql::CERTIFICATE, [number], certificate)
    }

    fn certificate_of_request(&mut self, request_id: i64) -> Result<Option<CertificateRow>> {
        self.one(sql::CERTIFICATE_OF_REQUEST, [request_id], certificate)
    }
}
