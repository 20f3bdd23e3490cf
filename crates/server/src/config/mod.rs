//! Typed, layered configuration: defaults, then a TOML file, then `SIMEXIT_SECTION__KEY`
//! environment variables, then command-line flags. Unknown keys are rejected at every layer
//! so a typo fails loudly instead of being ignored. Secrets never reach `Debug` output.

mod load;
mod reference;

use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use std::path::PathBuf;

pub use load::*;
pub use reference::*;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub server: ServerConfig,
    pub database: DatabaseConfig,
    pub policies: PoliciesConfig,
    pub worker: WorkerConfig,
    pub auth: AuthConfig,
    pub lookup: LookupConfig,
    pub notifications: NotificationsConfig,
    pub documents: DocumentsConfig,
    pub certificates: CertificatesConfig,
    pub audit: AuditConfig,
    pub network: NetworkConfig,
    pub payments: PaymentsConfig,
    pub webhooks: WebhooksConfig,
    pub log: LogConfig,
}

/// The audit log's hash chain.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct AuditConfig {
    /// The HMAC key of the chain, 64 hex digits ("": a key generated on the first start into
    /// `<data_dir>/audit-key`; several instances must share it). Keep it outside the database:
    /// whoever holds both can rewrite the chain undetected but for a signed checkpoint.
    pub key: Secret,
}

/// The network steps after a termination (bar, detach, delete) and after a revocation.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct NetworkConfig {
    /// `log` (steps are logged and confirmed) or `webhook` (see `notify/src/network_hook.rs`).
    pub adapter: String,
    /// The webhook adapter's URL; each step is a POST of the documented JSON contract.
    pub webhook_url: String,
    /// Bearer token the webhook adapter sends ("": none).
    pub webhook_token: Secret,
    /// Seconds the webhook adapter waits for one step's answer.
    pub timeout_secs: u64,
}

/// Card payments: the provider subscribers pay through. Its notifications arrive at
/// `POST /api/v1/payments/notifications/{name}` and credit a line only when signed, recent
/// and confirmed by the provider's API (docs/PAYMENTS.md has the contract).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PaymentsConfig {
    /// `none` (cash desks and the BSS only) or `http` (the generic provider contract). With
    /// `server.demo` the `demo` provider is added, its card page served by simexit.
    pub provider: String,
    /// The provider's name in the notification URL.
    pub name: String,
    /// The provider's API: `POST {api_url}/payments`, `GET {api_url}/payments/{id}`.
    pub api_url: String,
    /// Bearer key simexit sends to the provider's API.
    pub api_key: Secret,
    /// The HMAC-SHA256 key the provider signs its notifications with.
    pub notification_secret: Secret,
    /// How old (or how far ahead) a notification's `sent_at` may be, in seconds.
    pub tolerance_secs: u64,
    /// Seconds simexit waits for the provider's API.
    pub timeout_secs: u64,
    /// The demo provider's signing key ("": a random one at each start).
    pub demo_secret: Secret,
}

/// Events out to webhook subscriptions (`simexit webhooks add`, `/api/v1/webhooks`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct WebhooksConfig {
    /// Seconds a subscriber's endpoint has to answer one delivery.
    pub timeout_secs: u64,
}

/// Certificates of termination.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct CertificatesConfig {
    /// Ed25519 signing keys as `id:hex32seed,…`, the current one first; older ones stay so
    /// the certificates they signed keep verifying ("": a key generated on the first start
    /// into `<data_dir>/certificate-keys`; several instances must share keys).
    pub keys: Secret,
    /// PDFs rendered per minute for each anonymous client address (a cached one is free).
    pub pdf_renders_per_minute: u32,
}

/// Uploaded documents: where they are kept, how large they may be, and the keys that
/// encrypt them at rest.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct DocumentsConfig {
    /// `disk` (a folder) or `s3` (an S3-compatible bucket, for several instances).
    pub storage: String,
    /// Folder of stored documents ("": `<data_dir>/documents`).
    pub dir: String,
    /// S3: the endpoint URL (`https://storage.example.org`, or with a path prefix
    /// `https://gateway.example.org/s3`).
    pub s3_endpoint: String,
    /// S3: the bucket.
    pub s3_bucket: String,
    /// S3: the region the requests are signed for.
    pub s3_region: String,
    /// S3: the access key id.
    pub s3_access_key: String,
    /// S3: the secret key.
    pub s3_secret_key: Secret,
    /// S3: the session token of temporary credentials (STS); empty for long-lived keys.
    pub s3_session_token: Secret,
    /// Largest accepted upload, in bytes.
    pub max_bytes: usize,
    /// How many documents one request may hold.
    pub max_per_request: usize,
    /// How many bytes one request's documents may add up to.
    pub max_request_bytes: usize,
    /// Encryption keys as `id:hex64,id:hex64`, the current one first ("": a key generated on
    /// the first start into `<data_dir>/document-keys`; several instances must share keys).
    pub keys: Secret,
}

/// Notifications: how often to retry, template overrides, and the channel of each kind of
/// message (links point at `server.public_url`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct NotificationsConfig {
    /// Attempts before a message is parked for an admin to resend.
    pub max_attempts: i64,
    /// A folder whose `ru.toml`, `en.toml`, `zh.toml` override built-in templates ("": none).
    pub templates_dir: String,
    /// E-mail channel: `log` or `smtp`.
    pub email: String,
    /// SMTP: the server's host name.
    pub smtp_host: String,
    /// SMTP: the server's port.
    pub smtp_port: u16,
    /// `none`, `starttls` or `tls`.
    pub smtp_tls: String,
    /// Empty for no authentication.
    pub smtp_username: String,
    /// SMTP: the password of `smtp_username`.
    pub smtp_password: Secret,
    /// SMTP: the sender address of every message.
    pub smtp_from: String,
    /// A PEM file of a private CA to trust for the SMTP server ("": the public roots only).
    pub smtp_ca_file: String,
    /// SMTP: seconds to wait for the server.
    pub smtp_timeout_secs: u64,
    /// SMS channel: `log`, `smpp` or `http` (a gateway; see `notify/src/http_sms.rs`).
    pub sms: String,
    /// HTTP SMS gateway: the URL messages are POSTed to.
    pub sms_http_url: String,
    /// Bearer token for the HTTP gateway ("": none).
    pub sms_http_token: Secret,
    /// HTTP SMS gateway: seconds to wait for an answer.
    pub sms_http_timeout_secs: u64,
    /// SMPP: the SMSC's host name.
    pub smpp_host: String,
    /// SMPP: the SMSC's port.
    pub smpp_port: u16,
    /// SMPP: the account (`system_id`) to bind as.
    pub smpp_system_id: String,
    /// SMPP: the account's password.
    pub smpp_password: Secret,
    /// SMPP: the `system_type` of the bind ("" for most SMSCs).
    pub smpp_system_type: String,
    /// The sender subscribers see (an alphanumeric name or a short number).
    pub smpp_source_addr: String,
    /// `transceiver` (delivery receipts on the same link) or `transmitter`.
    pub smpp_bind: String,
    /// Submits per second at most (0: unlimited).
    pub smpp_rate_per_second: u32,
    /// SMPP: seconds between keep-alive `enquire_link`s.
    pub smpp_enquire_link_secs: u64,
    /// SMPP: seconds to wait for a response before the link is reset.
    pub smpp_timeout_secs: u64,
    /// SMPP: speak SMPP inside TLS (the SMSC's certificate is checked).
    pub smpp_tls: bool,
    /// SMPP: a PEM file of a private CA to trust for the SMSC ("": the public roots only).
    pub smpp_tls_ca_file: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct LookupConfig {
    /// Daily quota of each relying party: lookup requests.
    pub requests_per_day: i64,
    /// Daily quota of each relying party: numbers looked up (a batch counts each).
    pub numbers_per_day: i64,
    /// Answer lookups from every number's history held in memory (about 90 bytes a number),
    /// kept exact by the database's lookup change log; filled in the background at start,
    /// lookups read the database until then. SQLite only: on PostgreSQL lookups always read
    /// the database.
    pub memory_index: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ServerConfig {
    /// Address to listen on (`127.0.0.1:8080`; port 0 picks a free port).
    pub listen: SocketAddr,
    /// Load the demo operators, stores, subscribers, lines and staff.
    pub demo: bool,
    /// Expose `POST /api/v1/dev/clock` to move the service clock forward (demo only).
    pub dev_clock: bool,
    /// Largest accepted request body in bytes.
    pub max_body_bytes: usize,
    /// The site's public address, for links in messages and QR codes. `https://…` makes
    /// cookies `Secure` and sends HSTS.
    pub public_url: String,
    /// Proxies whose `X-Forwarded-For` is believed, as `10.0.0.0/8, 192.0.2.7` ("": none; the
    /// peer is then the client the per-address limits count).
    pub trusted_proxies: String,
}

/// A value that must not appear in logs or `Debug` output (passwords in URLs, keys).
#[derive(Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(transparent)]
pub struct Secret(pub String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct DatabaseConfig {
    /// `postgres://…` to use PostgreSQL (several instances on one database); the embedded
    /// SQLite database under `data_dir` when absent. Also `SIMEXIT_DATABASE_URL`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<Secret>,
    /// Folder of the embedded database (created on first start).
    pub data_dir: PathBuf,
    /// `full` (fsync every commit; survives power loss) or `normal` (survives a process crash).
    pub durability: String,
    /// PostgreSQL: at most this many connections per instance. Requests past it wait (without
    /// holding a thread) up to `acquire_timeout_ms`, then answer 503 `unavailable`.
    pub max_connections: usize,
    /// PostgreSQL: how long a request waits for a free connection.
    pub acquire_timeout_ms: u64,
    /// PostgreSQL TLS, as libpq's `sslmode`: `disable`, `prefer` (encrypted when offered),
    /// `require` (encrypted, certificate unchecked), `verify-ca`, `verify-full` (the
    /// certificate chains to `ssl_root_cert` and names the host). `sslmode=` in the URL wins.
    pub ssl_mode: String,
    /// PostgreSQL: the CA file (PEM) for `verify-ca` and `verify-full`; `sslrootcert=` in the
    /// URL wins.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ssl_root_cert: Option<PathBuf>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PoliciesConfig {
    /// Termination policy file; the built-in demo profiles when empty.
    pub file: Option<PathBuf>,
    /// Extra production calendar files (TOML) to import at start.
    pub calendars: Vec<PathBuf>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct WorkerConfig {
    /// Run the job worker in this process.
    pub enabled: bool,
    /// How often the worker looks for due jobs, in milliseconds.
    pub poll_ms: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct AuthConfig {
    /// Lifetime of a sign-in token, in minutes.
    pub session_minutes: i64,
    /// Lifetime of a relying party's access token (OAuth client credentials), in minutes.
    pub client_token_minutes: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct LogConfig {
    /// `text` or `json`.
    pub format: String,
    /// A tracing filter such as `info` or `simexit=debug`.
    pub filter: String,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            server: ServerConfig {
                listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
                demo: false,
                dev_clock: false,
                max_body_bytes: 1024 * 1024,
                public_url: "http://127.0.0.1:8080".into(),
                trusted_proxies: String::new(),
            },
            database: DatabaseConfig {
                url: None,
                data_dir: PathBuf::from("simexit-data"),
                durability: "full".into(),
                max_connections: 16,
                acquire_timeout_ms: 5_000,
                ssl_mode: "prefer".into(),
                ssl_root_cert: None,
            },
            policies: PoliciesConfig { file: None, calendars: Vec::new() },
            worker: WorkerConfig { enabled: true, poll_ms: 1_000 },
            auth: AuthConfig { session_minutes: 12 * 60, client_token_minutes: 60 },
            lookup: LookupConfig { requests_per_day: 100_000, numbers_per_day: 1_000_000, memory_index: true },
            notifications: NotificationsConfig {
                max_attempts: 8,
                templates_dir: String::new(),
                email: "log".into(),
                smtp_host: "127.0.0.1".into(),
                smtp_port: 25,
                smtp_tls: "starttls".into(),
                smtp_username: String::new(),
                smtp_password: Secret(String::new()),
                smtp_from: "simexit <noreply@simexit.invalid>".into(),
                smtp_ca_file: String::new(),
                smtp_timeout_secs: 10,
                sms: "log".into(),
                sms_http_url: "http://127.0.0.1:8081/sms".into(),
                sms_http_token: Secret(String::new()),
                sms_http_timeout_secs: 10,
                smpp_host: "127.0.0.1".into(),
                smpp_port: 2775,
                smpp_system_id: "simexit".into(),
                smpp_password: Secret(String::new()),
                smpp_system_type: String::new(),
                smpp_source_addr: "simexit".into(),
                smpp_bind: "transceiver".into(),
                smpp_rate_per_second: 10,
                smpp_enquire_link_secs: 30,
                smpp_tls: false,
                smpp_tls_ca_file: String::new(),
                smpp_timeout_secs: 10,
            },
            documents: DocumentsConfig {
                storage: "disk".into(),
                dir: String::new(),
                s3_endpoint: "http://127.0.0.1:9000".into(),
                s3_bucket: "simexit-documents".into(),
                s3_region: "us-east-1".into(),
                s3_access_key: String::new(),
                s3_secret_key: Secret(String::new()),
                s3_session_token: Secret(String::new()),
                max_bytes: 10 * 1024 * 1024,
                max_per_request: 20,
                max_request_bytes: 50 * 1024 * 1024,
                keys: Secret(String::new()),
            },
            certificates: CertificatesConfig { keys: Secret(String::new()), pdf_renders_per_minute: 30 },
            audit: AuditConfig { key: Secret(String::new()) },
            network: NetworkConfig {
                adapter: "log".into(),
                webhook_url: "http://127.0.0.1:8082/network".into(),
                webhook_token: Secret(String::new()),
                timeout_secs: 10,
            },
            payments: PaymentsConfig {
                provider: "none".into(),
                name: "gateway".into(),
                api_url: "http://127.0.0.1:8083/v1".into(),
                api_key: Secret(String::new()),
                notification_secret: Secret(String::new()),
                tolerance_secs: 300,
                timeout_secs: 10,
                demo_secret: Secret(String::new()),
            },
            webhooks: WebhooksConfig { timeout_secs: 10 },
            log: LogConfig { format: "text".into(), filter: "info".into() },
        }
    }
}
