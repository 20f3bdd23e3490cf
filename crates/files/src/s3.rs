//! Objects in an S3-compatible bucket (AWS S3, MinIO, Ceph, Yandex Object Storage…), for
//! deployments with several instances. Requests are signed with AWS Signature Version 4 and
//! addressed path-style (`{endpoint}/{bucket}/{key}`), which every compatible server accepts.

use std::time::Duration;

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use simexit_service::documents::{BlobError, Blobs};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct S3Settings {
    /// `https://storage.example.org` (no trailing slash).
    pub endpoint: String,
    pub bucket: String,
    pub region: String,
    pub access_key: String,
    pub secret_key: String,
    pub timeout: Duration,
}

pub struct S3Blobs {
    settings: S3Settings,
    agent: ureq::Agent,
    host: String,
}

fn hex_sha256(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

fn hmac(key: &[u8], data: &str) -> Vec<u8> {
    // HMAC accepts keys of any length.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).unwrap_or_else(|_| unreachable_key());
    mac.update(data.as_bytes());
    mac.finalize().into_bytes().to_vec()
}

#[allow(clippy::panic, reason = "HMAC-SHA256 takes keys of every length; this cannot happen")]
fn unreachable_key() -> Hmac<Sha256> {
    panic!("HMAC-SHA256 refused a key")
}

fn unavailable(e: impl std::fmt::Display) -> BlobError {
    BlobError::Unavailable(format!("s3: {e}"))
}

impl S3Blobs {
    /// Connects and makes sure the bucket exists (creating it if the server allows).
    pub fn new(settings: S3Settings) -> Result<Self, BlobError> {
        let host = settings
            .endpoint
            .split("://")
            .nth(1)
            .map(|rest| rest.split('/').next().unwrap_or_default().to_owned())
            .filter(|h| !h.is_empty())
            .ok_or_else(|| unavailable(format!("endpoint `{}` is not a URL", settings.endpoint)))?;
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(settings.timeout))
            .http_status_as_error(false)
            .build()
            .new_agent();
        let s3 = S3Blobs { settings, agent, host };
        let (status, _) = s3.call("HEAD", "", &[])?;
        if status == 404 {
            let (status, body) = s3.call("PUT", "", &[])?;
            if !(200..300).contains(&status) {
                let body = String::from_utf8_lossy(&body);
                return Err(unavailable(format!("creating bucket {}: HTTP {status}: {body}", s3.settings.bucket)));
            }
        } else if !(200..300).contains(&status) {
            return Err(unavailable(format!("bucket {}: HTTP {status}", s3.settings.bucket)));
        }
        Ok(s3)
    }

    /// One signed request; `key` empty addresses the bucket. Returns the status and body.
    fn call(&self, method: &str, key: &str, body: &[u8]) -> Result<(u16, Vec<u8>), BlobError> {
        let s = &self.settings;
        let path = if key.is_empty() { format!("/{}", s.bucket) } else { format!("/{}/{key}", s.bucket) };
        let now = jiff::Timestamp::now();
        let amz_date = now.strftime("%Y%m%dT%H%M%SZ").to_string();
        let date = &amz_date[..8];
        let payload_hash = hex_sha256(body);
        let canonical = format!(
            "{method}\n{path}\n\nhost:{}\nx-amz-content-sha256:{payload_hash}\nx-amz-date:{amz_date}\n\nhost;x-amz-content-sha256;x-amz-date\n{payload_hash}",
            self.host
        );
        let scope = format!("{date}/{}/s3/aws4_request", s.region);
        let to_sign = format!("AWS4-HMAC-SHA256\n{amz_date}\n{scope}\n{}", hex_sha256(canonical.as_bytes()));
        let mut signing_key = hmac(format!("AWS4{}", s.secret_key).as_bytes(), date);
        for part in [s.region.as_str(), "s3", "aws4_request"] {
            signing_key = hmac(&signing_key, part);
        }
        let signature = hex::encode(hmac(&signing_key, &to_sign));
        let authorization = format!(
            "AWS4-HMAC-SHA256 Credential={}/{scope}, SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature={signature}",
            s.access_key
        );
        let url = format!("{}{path}", s.endpoint.trim_end_matches('/'));
        let response = match method {
            "PUT" => self
                .agent
                .put(&url)
                .header("x-amz-date", &amz_date)
                .header("x-amz-content-sha256", &payload_hash)
                .header("authorization", &authorization)
                .send(body),
            "GET" | "HEAD" | "DELETE" => {
                let req = match method {
                    "GET" => self.agent.get(&url),
                    "HEAD" => self.agent.head(&url),
                    _ => self.agent.delete(&url),
                };
                req.header("x-amz-date", &amz_date)
                    .header("x-amz-content-sha256", &payload_hash)
                    .header("authorization", &authorization)
                    .call()
            }
            other => return Err(unavailable(format!("method {other}"))),
        };
        let mut response = response.map_err(unavailable)?;
        let status = response.status().as_u16();
        let body = if method == "HEAD" {
            Vec::new()
        } else {
            response.body_mut().with_config().limit(256 * 1024 * 1024).read_to_vec().map_err(unavailable)?
        };
        Ok((status, body))
    }
}

impl Blobs for S3Blobs {
    fn put(&self, key: &str, bytes: &[u8]) -> Result<String, BlobError> {
        let (status, body) = self.call("PUT", key, bytes)?;
        if (200..300).contains(&status) {
            Ok(String::new())
        } else {
            Err(unavailable(format!("PUT {key}: HTTP {status}: {}", String::from_utf8_lossy(&body))))
        }
    }

    fn get(&self, key: &str) -> Result<Vec<u8>, BlobError> {
        match self.call("GET", key, &[])? {
            (200, body) => Ok(body),
            (404, _) => Err(BlobError::NotFound),
            (status, body) => Err(unavailable(format!("GET {key}: HTTP {status}: {}", String::from_utf8_lossy(&body)))),
        }
    }

    fn delete(&self, key: &str) -> Result<(), BlobError> {
        match self.call("DELETE", key, &[])? {
            (200..=299 | 404, _) => Ok(()),
            (status, body) => {
                Err(unavailable(format!("DELETE {key}: HTTP {status}: {}", String::from_utf8_lossy(&body))))
            }
        }
    }

    fn kind(&self) -> &'static str {
        "s3"
    }
}
