//! Certificates of termination.

use super::*;

pub(super) fn certificate(r: &Row) -> Result<CertificateRow> {
    Ok(CertificateRow {
        number: get(r, 0)?,
        request_id: get(r, 1)?,
        operator: parsed(r, 2)?,
        payload: get(r, 3)?,
        key_id: get(r, 4)?,
        signature: get(r, 5)?,
        issued_at: time(r, 6)?,
    })
}

impl CertificatesTx for PgTx<'_> {
    fn insert_certificate(&mut self, c: &CertificateRow) -> Result<()> {
        self.exec(
            sql::INSERT_CERTIFICATE,
            &[&c.number, &c.request_id, &c.operator.as_str(), &c.payload, &c.key_id, &c.signature, &ts(c.issued_at)],
        )
        .map(drop)
    }

    fn certificate(&mut self, number: &str) -> Result<Option<CertificateRow>> {
        self.one(sql::CERTIFICATE, &[&number], certificate)
    }

    fn certificate_of_request(&mut self, request_id: i64) -> Result<Option<CertificateRow>> {
        self.one(sql::CERTIFICATE_OF_REQUEST, &[&request_id], certificate)
    }
}
