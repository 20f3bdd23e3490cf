//! TLS to PostgreSQL through rustls, with libpq's `sslmode` words:
//!
//! - `disable`: plain TCP;
//! - `prefer` (libpq's default): encrypted when the server offers it, certificate unchecked;
//! - `require`: encrypted or no connection, certificate unchecked (as libpq does without a
//!   root certificate);
//! - `verify-ca`: encrypted, the certificate chains to the CA file;
//! - `verify-full`: as `verify-ca`, and the certificate names the host connected to.
//!
//! The mode and the CA file come from the URL (`?sslmode=verify-full&sslrootcert=/path`) or
//! from the configuration (`database.ssl_mode`, `database.ssl_root_cert`); the URL wins.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::WebPkiSupportedAlgorithms;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, Error as TlsError, RootCertStore, SignatureScheme};
use simexit_store::StoreError;
use tokio_postgres_rustls::MakeRustlsConnect;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SslMode {
    Disable,
    Prefer,
    Require,
    VerifyCa,
    VerifyFull,
}

impl SslMode {
    pub fn parse(s: &str) -> Result<Self, StoreError> {
        Ok(match s {
            "disable" => SslMode::Disable,
            "prefer" | "allow" => SslMode::Prefer,
            "require" => SslMode::Require,
            "verify-ca" => SslMode::VerifyCa,
            "verify-full" => SslMode::VerifyFull,
            other => {
                return Err(StoreError::Other(format!(
                    "sslmode `{other}` is not one of disable, prefer, require, verify-ca, verify-full"
                )));
            }
        })
    }

    fn postgres(self) -> postgres::config::SslMode {
        match self {
            SslMode::Disable => postgres::config::SslMode::Disable,
            SslMode::Prefer => postgres::config::SslMode::Prefer,
            _ => postgres::config::SslMode::Require,
        }
    }
}

/// The URL without `sslmode` and `sslrootcert` (which the driver cannot read in every form),
/// and what they said.
pub fn split_url(url: &str) -> (String, Option<String>, Option<PathBuf>) {
    let (mut mode, mut root) = (None, None);
    let mut take = |key: &str, value: &str| match key {
        "sslmode" => {
            mode = Some(value.to_owned());
            true
        }
        "sslrootcert" => {
            root = Some(PathBuf::from(value));
            true
        }
        _ => false,
    };
    let rest = if let Some((base, query)) = url.split_once('?') {
        let kept: Vec<&str> = query
            .split('&')
            .filter(|pair| {
                let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
                !take(k, v)
            })
            .collect();
        if kept.is_empty() { base.to_owned() } else { format!("{base}?{}", kept.join("&")) }
    } else if url.contains("://") {
        url.to_owned()
    } else {
        let kept: Vec<&str> = url
            .split_whitespace()
            .filter(|pair| {
                let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
                !take(k, v.trim_matches('\''))
            })
            .collect();
        kept.join(" ")
    };
    (rest, mode, root)
}

/// How connections are made.
#[derive(Clone)]
pub enum Connector {
    Plain,
    Tls(MakeRustlsConnect),
}

/// Sets the driver's mode on `config` and builds the matching connector.
pub fn connector(
    config: &mut postgres::Config,
    mode: SslMode,
    root_cert: Option<&Path>,
) -> Result<Connector, StoreError> {
    config.ssl_mode(mode.postgres());
    if mode == SslMode::Disable {
        return Ok(Connector::Plain);
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| StoreError::Other(format!("TLS: {e}")))?;
    let verifier: Arc<dyn ServerCertVerifier> = match mode {
        SslMode::Prefer | SslMode::Require => Arc::new(Unchecked(provider.signature_verification_algorithms)),
        _ => {
            let Some(file) = root_cert else {
                return Err(StoreError::Other(
                    "sslmode=verify-ca and verify-full need a CA file: sslrootcert= in the URL or database.ssl_root_cert"
                        .into(),
                ));
            };
            let mut roots = RootCertStore::empty();
            let certs = CertificateDer::pem_file_iter(file)
                .map_err(|e| StoreError::Other(format!("{}: {e}", file.display())))?;
            for cert in certs {
                let cert = cert.map_err(|e| StoreError::Other(format!("{}: {e}", file.display())))?;
                roots.add(cert).map_err(|e| StoreError::Other(format!("{}: {e}", file.display())))?;
            }
            if roots.is_empty() {
                return Err(StoreError::Other(format!("{}: no certificate in it", file.display())));
            }
            let webpki = WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider)
                .build()
                .map_err(|e| StoreError::Other(format!("TLS: {e}")))?;
            if mode == SslMode::VerifyCa { Arc::new(AnyName(webpki)) } else { webpki }
        }
    };
    let tls = builder.dangerous().with_custom_certificate_verifier(verifier).with_no_client_auth();
    Ok(Connector::Tls(MakeRustlsConnect::new(tls)))
}

/// `prefer` and `require`: the channel is encrypted, the certificate is not checked.
#[derive(Debug)]
struct Unchecked(WebPkiSupportedAlgorithms);

impl ServerCertVerifier for Unchecked {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, TlsError> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, TlsError> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.0)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, TlsError> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.0)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_schemes()
    }
}

/// `verify-ca`: the chain is checked, the name is not.
#[derive(Debug)]
struct AnyName(Arc<WebPkiServerVerifier>);

impl ServerCertVerifier for AnyName {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, TlsError> {
        match self.0.verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now) {
            Err(TlsError::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, TlsError> {
        self.0.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, TlsError> {
        self.0.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_verify_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sslmode_and_sslrootcert_leave_the_url_and_the_rest_stays() {
        let (url, mode, root) =
            split_url("postgres://u@db:5432/x?sslmode=verify-full&application_name=a&sslrootcert=/etc/ca.pem");
        assert_eq!(url, "postgres://u@db:5432/x?application_name=a");
        assert_eq!(mode.as_deref(), Some("verify-full"));
        assert_eq!(root, Some(PathBuf::from("/etc/ca.pem")));
        let (url, mode, _) = split_url("host=db user=u sslmode=require");
        assert_eq!((url.as_str(), mode.as_deref()), ("host=db user=u", Some("require")));
        assert_eq!(split_url("postgres://u@db/x").0, "postgres://u@db/x");
        assert!(SslMode::parse("verify_full").is_err());
    }
}
