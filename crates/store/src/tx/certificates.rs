//! Certificates of termination.

use super::*;

pub trait CertificatesTx {
    fn insert_certificate(&mut self, certificate: &CertificateRow) -> Result<()>;
    fn certificate(&mut self, number: &str) -> Result<Option<CertificateRow>>;
    fn certificate_of_request(&mut self, request_id: i64) -> Result<Option<CertificateRow>>;
}
