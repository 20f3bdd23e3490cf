//! Certificates of termination.

use super::*;

pub trait CertificatesTx {
    fn insert_certificate(&mut self, certificate: &CertificateRow) -> Result<()>;
    fn certificate(&mut self, number: &str) -> Result<Option<CertificateRow>>;
    fn certificate_of_request(&mut self, request_id: i64) -> Result<Option<CertificateRow>>;
}

/// The statements both backends run (placeholders `?N`).
pub mod sql {
    use const_format::formatcp;

    use crate::columns::*;

    pub const INSERT_CERTIFICATE: &str =
        formatcp!("INSERT INTO certificates ({CERTIFICATE_COLS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    pub const CERTIFICATE: &str = formatcp!("SELECT {CERTIFICATE_COLS} FROM certificates WHERE number = ?1");
    pub const CERTIFICATE_OF_REQUEST: &str =
        formatcp!("SELECT {CERTIFICATE_COLS} FROM certificates WHERE request_id = ?1");
}
