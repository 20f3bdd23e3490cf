//! Objects in an S3-compatible bucket (AWS S3, MinIO, Ceph, Yandex Object Storage…), for
//! deployments with several instances. Requests are signed (AWS Signature Version 4) by
//! `rusty-s3`, a maintained sans-IO signer that percent-encodes keys, keeps an endpoint's path
//! prefix in the signed path, carries session tokens and names the bucket's region as its
//! `LocationConstraint`; `ureq` sends them. Addressing is path-style
//! (`{endpoint}/{bucket}/{key}`), which every compatible server accepts.

use std::time::Duration;

use rusty_s3::actions::{CreateBucket, DeleteObject, GetObject, HeadBucket, PutObject};
use rusty_s3::{Bucket, Credentials, S3Action, UrlStyle};
use simexit_service::documents::{BlobError, Blobs};

#[derive(Clone, PartialEq, Eq)]
pub struct S3Settings {
    /// `https://storage.example.org`, or with a path prefix `https://gw.example.org/s3`.
    pub endpoint: String,
    pub bucket: String,
    pub region: String,
    pub access_key: String,
    pub secret_key: String,
    /// A temporary credential's session token (STS), when the keys are temporary.
    pub session_token: Option<String>,
    pub timeout: Duration,
}

impl std::fmt::Debug for S3Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("S3Settings")
            .field("endpoint", &self.endpoint)
            .field("bucket", &self.bucket)
            .field("region", &self.region)
            .field("access_key", &self.access_key)
            .finish_non_exhaustive()
    }
}

pub struct S3Blobs {
    bucket: Bucket,
    credentials: Credentials,
    agent: ureq::Agent,
    /// How long a signed request stays valid: long enough for the slowest transfer.
    valid_for: Duration,
}

/// The largest object read back (documents are capped far below this).
const MAX_OBJECT_BYTES: u64 = 256 * 1024 * 1024;

fn unavailable(e: impl std::fmt::Display) -> BlobError {
    BlobError::Unavailable(format!("s3: {e}"))
}

impl S3Blobs {
    /// Connects and makes sure the bucket exists (creating it in its region if the server
    /// allows).
    pub fn new(settings: S3Settings) -> Result<Self, BlobError> {
        let endpoint = url::Url::parse(&settings.endpoint)
            .map_err(|e| unavailable(format!("endpoint `{}` is not a URL: {e}", settings.endpoint)))?;
        let bucket = Bucket::new(endpoint, UrlStyle::Path, settings.bucket.clone(), settings.region.clone())
            .map_err(|e| unavailable(format!("endpoint `{}`: {e}", settings.endpoint)))?;
        let credentials = match settings.session_token {
            Some(token) if !token.is_empty() => {
                Credentials::new_with_token(settings.access_key, settings.secret_key, token)
            }
            _ => Credentials::new(settings.access_key, settings.secret_key),
        };
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(settings.timeout))
            .http_status_as_error(false)
            .build()
            .new_agent();
        let s3 = S3Blobs { bucket, credentials, agent, valid_for: settings.timeout + Duration::from_secs(60) };
        let url = HeadBucket::new(&s3.bucket, Some(&s3.credentials)).sign(s3.valid_for);
        let status = s3.agent.head(url.as_str()).call().map_err(unavailable)?.status().as_u16();
        if status == 404 {
            let create = CreateBucket::new(&s3.bucket, &s3.credentials);
            let url = create.sign(s3.valid_for);
            let mut response = s3.agent.put(url.as_str()).send(create.body().as_bytes()).map_err(unavailable)?;
            let status = response.status().as_u16();
            if !(200..300).contains(&status) {
                let body = response.body_mut().read_to_string().unwrap_or_default();
                return Err(unavailable(format!("creating bucket {}: HTTP {status}: {body}", s3.bucket.name())));
            }
        } else if !(200..300).contains(&status) {
            return Err(unavailable(format!("bucket {}: HTTP {status}", s3.bucket.name())));
        }
        Ok(s3)
    }

    /// The URL an object is stored at (unsigned): the endpoint's path prefix, the bucket,
    /// the key percent-encoded.
    pub fn object_url(&self, key: &str) -> String {
        self.bucket.object_url(key).to_string()
    }
}

fn refused(what: &str, key: &str, mut response: ureq::http::Response<ureq::Body>) -> BlobError {
    let status = response.status().as_u16();
    let body = response.body_mut().with_config().limit(64 * 1024).read_to_string().unwrap_or_default();
    unavailable(format!("{what} {key}: HTTP {status}: {body}"))
}

impl Blobs for S3Blobs {
    fn put(&self, key: &str, bytes: &[u8]) -> Result<String, BlobError> {
        let url = PutObject::new(&self.bucket, Some(&self.credentials), key).sign(self.valid_for);
        let response = self.agent.put(url.as_str()).send(bytes).map_err(unavailable)?;
        if response.status().is_success() { Ok(String::new()) } else { Err(refused("PUT", key, response)) }
    }

    fn get(&self, key: &str) -> Result<Vec<u8>, BlobError> {
        let url = GetObject::new(&self.bucket, Some(&self.credentials), key).sign(self.valid_for);
        let mut response = self.agent.get(url.as_str()).call().map_err(unavailable)?;
        match response.status().as_u16() {
            200 => response.body_mut().with_config().limit(MAX_OBJECT_BYTES).read_to_vec().map_err(unavailable),
            404 => Err(BlobError::NotFound),
            _ => Err(refused("GET", key, response)),
        }
    }

    fn delete(&self, key: &str) -> Result<(), BlobError> {
        let url = DeleteObject::new(&self.bucket, Some(&self.credentials), key).sign(self.valid_for);
        let response = self.agent.delete(url.as_str()).call().map_err(unavailable)?;
        match response.status().as_u16() {
            200..=299 | 404 => Ok(()),
            _ => Err(refused("DELETE", key, response)),
        }
    }

    fn kind(&self) -> &'static str {
        "s3"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_percent_encoded_under_the_endpoints_path_prefix() {
        let bucket =
            Bucket::new(url::Url::parse("http://gw.example.org/s3").unwrap(), UrlStyle::Path, "docs", "ru-central1")
                .unwrap();
        let credentials = Credentials::new_with_token("AK", "SK", "TOKEN");
        let url =
            GetObject::new(&bucket, Some(&credentials), "documents/паспорт scan+1.pdf").sign(Duration::from_secs(60));
        assert!(
            url.path().starts_with("/s3/docs/documents/%D0%BF%D0%B0%D1%81%D0%BF%D0%BE%D1%80%D1%82%20scan%2B1.pdf"),
            "{url}"
        );
        let query = url.query().unwrap_or_default();
        assert!(query.contains("X-Amz-Security-Token=TOKEN"), "{query}");
        assert!(query.contains("%2Fru-central1%2Fs3%2Faws4_request"), "the region is in the scope: {query}");
        let create = CreateBucket::new(&bucket, &credentials);
        assert!(create.body().contains("<LocationConstraint>ru-central1</LocationConstraint>"), "{}", create.body());
    }
}
