//! Typed, layered configuration: defaults, then a TOML file, then `SIMEXIT_SECTION__KEY`
//! environment variables, then command-line flags. Unknown keys are rejected at every layer
//! so a typo fails loudly instead of being ignored. Secrets never reach `Debug` output.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use toml::{Table, Value};

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
    /// S3: the endpoint URL (`https://storage.example.org`).
    pub s3_endpoint: String,
    /// S3: the bucket.
    pub s3_bucket: String,
    /// S3: the region the requests are signed for.
    pub s3_region: String,
    /// S3: the access key id.
    pub s3_access_key: String,
    /// S3: the secret key.
    pub s3_secret_key: Secret,
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
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct LookupConfig {
    /// Daily quota of each relying party: lookup requests.
    pub requests_per_day: i64,
    /// Daily quota of each relying party: numbers looked up (a batch counts each).
    pub numbers_per_day: i64,
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
            database: DatabaseConfig { url: None, data_dir: PathBuf::from("simexit-data"), durability: "full".into() },
            policies: PoliciesConfig { file: None, calendars: Vec::new() },
            worker: WorkerConfig { enabled: true, poll_ms: 1_000 },
            auth: AuthConfig { session_minutes: 12 * 60 },
            lookup: LookupConfig { requests_per_day: 100_000, numbers_per_day: 1_000_000 },
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
            log: LogConfig { format: "text".into(), filter: "info".into() },
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("config file {path}: {message}")]
    File { path: String, message: String },
    #[error("environment variable {name}: {message}")]
    Env { name: String, message: String },
    #[error("configuration: {0}")]
    Invalid(String),
}

const ENV_PREFIX: &str = "SIMEXIT_";
const OPTIONAL_KEYS: &[&str] = &["file", "url"];

impl Config {
    /// Builds the configuration from its layers. `overrides` are the command line's, as
    /// dotted keys (`server.listen`) with TOML values.
    pub fn load(
        file: Option<&Path>,
        env: impl IntoIterator<Item = (String, String)>,
        overrides: &[(&str, Value)],
    ) -> Result<Config, ConfigError> {
        let mut merged = Value::try_from(Config::default()).map_err(|e| ConfigError::Invalid(e.to_string()))?;
        if let Some(path) = file {
            let text = std::fs::read_to_string(path)
                .map_err(|e| ConfigError::File { path: path.display().to_string(), message: e.to_string() })?;
            let layer: Table = toml::from_str(&text)
                .map_err(|e| ConfigError::File { path: path.display().to_string(), message: e.to_string() })?;
            merge(&mut merged, Value::Table(layer));
        }
        for (name, raw) in env {
            if name == "SIMEXIT_DATABASE_URL" {
                set(&mut merged, "database.url", Value::String(raw))
                    .map_err(|message| ConfigError::Env { name, message })?;
                continue;
            }
            let Some(rest) = name.strip_prefix(ENV_PREFIX) else {
                continue;
            };
            let Some((section, key)) = rest.split_once("__") else {
                continue;
            };
            let path = format!("{}.{}", section.to_lowercase(), key.to_lowercase());
            set(&mut merged, &path, scalar(&raw))
                .map_err(|message| ConfigError::Env { name: name.clone(), message })?;
        }
        for (path, value) in overrides {
            set(&mut merged, path, value.clone()).map_err(ConfigError::Invalid)?;
        }
        let config: Config = merged.try_into().map_err(|e: toml::de::Error| ConfigError::Invalid(e.to_string()))?;
        config.validate()?;
        Ok(config)
    }

    fn validate(&self) -> Result<(), ConfigError> {
        if !matches!(self.database.durability.as_str(), "full" | "normal") {
            return Err(ConfigError::Invalid(format!(
                "database.durability must be `full` or `normal`, not `{}`",
                self.database.durability
            )));
        }
        if !matches!(self.log.format.as_str(), "text" | "json") {
            return Err(ConfigError::Invalid(format!(
                "log.format must be `text` or `json`, not `{}`",
                self.log.format
            )));
        }
        if self.server.dev_clock && !self.server.demo {
            // The clock endpoint moves every deadline of the deployment: never on real data.
            return Err(ConfigError::Invalid(
                "server.dev_clock needs server.demo: the dev clock is for the demo only".into(),
            ));
        }
        if !(self.server.public_url.starts_with("https://") || self.server.public_url.starts_with("http://")) {
            return Err(ConfigError::Invalid(format!(
                "server.public_url must start with https:// or http://, not `{}`",
                self.server.public_url
            )));
        }
        if !self.audit.key.0.is_empty() {
            simexit_store::audit::AuditKey::from_hex(&self.audit.key.0).map_err(ConfigError::Invalid)?;
        }
        crate::edge::TrustedProxies::parse(&self.server.trusted_proxies)
            .map_err(|e| ConfigError::Invalid(format!("server.trusted_proxies: {e}")))?;
        if self.auth.session_minutes <= 0 {
            return Err(ConfigError::Invalid("auth.session_minutes must be positive".into()));
        }
        let n = &self.notifications;
        if !matches!(n.email.as_str(), "log" | "smtp") {
            return Err(ConfigError::Invalid(format!(
                "notifications.email must be `log` or `smtp`, not `{}`",
                n.email
            )));
        }
        if !matches!(n.sms.as_str(), "log" | "smpp" | "http") {
            return Err(ConfigError::Invalid(format!(
                "notifications.sms must be `log`, `smpp` or `http`, not `{}`",
                n.sms
            )));
        }
        if !matches!(n.smpp_bind.as_str(), "transceiver" | "transmitter") {
            return Err(ConfigError::Invalid(format!(
                "notifications.smpp_bind must be `transceiver` or `transmitter`, not `{}`",
                n.smpp_bind
            )));
        }
        if !matches!(n.smtp_tls.as_str(), "none" | "starttls" | "tls") {
            return Err(ConfigError::Invalid(format!(
                "notifications.smtp_tls must be `none`, `starttls` or `tls`, not `{}`",
                n.smtp_tls
            )));
        }
        if !matches!(self.documents.storage.as_str(), "disk" | "s3") {
            return Err(ConfigError::Invalid(format!(
                "documents.storage must be `disk` or `s3`, not `{}`",
                self.documents.storage
            )));
        }
        if !matches!(self.network.adapter.as_str(), "log" | "webhook") {
            return Err(ConfigError::Invalid(format!(
                "network.adapter must be `log` or `webhook`, not `{}`",
                self.network.adapter
            )));
        }
        if self.documents.max_bytes == 0 {
            return Err(ConfigError::Invalid("documents.max_bytes must be positive".into()));
        }
        if n.max_attempts < 1 {
            return Err(ConfigError::Invalid("notifications.max_attempts must be at least 1".into()));
        }
        if self.worker.poll_ms == 0 {
            return Err(ConfigError::Invalid("worker.poll_ms must be positive".into()));
        }
        Ok(())
    }

    pub fn database_path(&self) -> PathBuf {
        self.database.data_dir.join("simexit.db")
    }

    /// Where the data lives, for people (never the URL: it may hold a password).
    pub fn database_label(&self) -> String {
        match &self.database.url {
            Some(_) => "PostgreSQL (database.url)".to_owned(),
            None => format!("SQLite {}", self.database_path().display()),
        }
    }
}

/// An environment value as TOML if it parses as a scalar (`true`, `8080`), else as a string.
fn scalar(raw: &str) -> Value {
    toml::from_str::<Table>(&format!("v = {raw}"))
        .ok()
        .and_then(|mut t| t.remove("v"))
        .filter(|v| !v.is_table())
        .unwrap_or_else(|| Value::String(raw.to_owned()))
}

fn merge(base: &mut Value, layer: Value) {
    match (base, layer) {
        (Value::Table(base), Value::Table(layer)) => {
            for (k, v) in layer {
                match base.get_mut(&k) {
                    Some(existing) if existing.is_table() && v.is_table() => merge(existing, v),
                    _ => {
                        base.insert(k, v);
                    }
                }
            }
        }
        (base, layer) => *base = layer,
    }
}

fn set(root: &mut Value, path: &str, value: Value) -> Result<(), String> {
    let mut node = root;
    let mut parts = path.split('.').peekable();
    while let Some(part) = parts.next() {
        let table = node.as_table_mut().ok_or_else(|| format!("`{path}` is not a configuration key"))?;
        if parts.peek().is_none() {
            // Optional keys are absent from the defaults but still known.
            if !table.contains_key(part) && !OPTIONAL_KEYS.contains(&part) {
                return Err(format!("`{path}` is not a configuration key"));
            }
            // Keep the type of the default where the raw text was ambiguous (`"8080"` for a string).
            let typed = match (table.get(part), value) {
                (Some(Value::String(_)), v @ (Value::Integer(_) | Value::Boolean(_) | Value::Float(_))) => {
                    Value::String(v.to_string())
                }
                (_, v) => v,
            };
            table.insert(part.to_owned(), typed);
            return Ok(());
        }
        node = table.get_mut(part).ok_or_else(|| format!("`{path}` is not a configuration key"))?;
    }
    Err(format!("`{path}` is not a configuration key"))
}

/// The configuration reference, generated from these structs: every key with its default, its
/// environment variable and the field's doc comment, as a Markdown table per section.
pub fn reference() -> String {
    let source = include_str!("config.rs");
    // Doc comments by (struct, field), read from this file's own source.
    let mut docs = std::collections::HashMap::new();
    let (mut current, mut pending) = (String::new(), Vec::<String>::new());
    for line in source.lines() {
        let t = line.trim();
        if let Some(rest) = t.strip_prefix("pub struct ") {
            current = rest.split([' ', '(', '{']).next().unwrap_or_default().to_owned();
            pending.clear();
        } else if let Some(doc) = t.strip_prefix("///") {
            pending.push(doc.trim().to_owned());
        } else if let Some(field) = t.strip_prefix("pub ").and_then(|f| f.split_once(':')).map(|f| f.0) {
            docs.insert((current.clone(), field.to_owned()), pending.join(" "));
            pending.clear();
        } else if !t.starts_with("#[") {
            pending.clear();
        }
    }
    let sections: Vec<(String, String)> = source
        .lines()
        .skip_while(|l| !l.starts_with("pub struct Config {"))
        .skip(1)
        .take_while(|l| !l.starts_with('}'))
        .filter_map(|l| l.trim().strip_prefix("pub ").and_then(|f| f.trim_end_matches(',').split_once(": ")))
        .map(|(name, ty)| (name.to_owned(), ty.to_owned()))
        .collect();
    let defaults = Value::try_from(Config::default()).unwrap_or(Value::Table(Table::new()));
    let mut out = String::new();
    for (section, ty) in sections {
        out.push_str(&format!("\n### `[{section}]`\n\n| key | default | environment | meaning |\n|---|---|---|---|\n"));
        let table = defaults.get(&section).and_then(Value::as_table).cloned().unwrap_or_default();
        let fields: Vec<&String> = docs
            .keys()
            .filter(|(s, _)| *s == ty)
            .map(|(_, f)| f)
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        for field in fields {
            let default = match table.get(field.as_str()) {
                Some(Value::String(v)) if v.is_empty() => "\"\"".to_owned(),
                Some(v) => format!("`{v}`"),
                None => "none".to_owned(),
            };
            let env = format!("SIMEXIT_{}__{}", section.to_uppercase(), field.to_uppercase());
            let doc = docs.get(&(ty.clone(), field.clone())).cloned().unwrap_or_default().replace('|', "\\|");
            out.push_str(&format!("| `{section}.{field}` | {default} | `{env}` | {doc} |\n"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn layers_apply_in_order_file_then_env_then_flags() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("simexit.toml");
        std::fs::write(&path, "[server]\nlisten = \"127.0.0.1:9000\"\ndemo = true\n[worker]\npoll_ms = 50\n").unwrap();
        let c = Config::load(Some(&path), env(&[("SIMEXIT_WORKER__POLL_MS", "70"), ("HOME", "/x")]), &[]).unwrap();
        assert_eq!(c.server.listen.port(), 9000);
        assert!(c.server.demo);
        assert_eq!(c.worker.poll_ms, 70, "the environment beats the file");
        let c = Config::load(
            Some(&path),
            env(&[("SIMEXIT_SERVER__LISTEN", "127.0.0.1:9100")]),
            &[("server.listen", Value::String("127.0.0.1:9200".into()))],
        )
        .unwrap();
        assert_eq!(c.server.listen.port(), 9200, "flags beat the environment");
    }

    #[test]
    fn the_dev_clock_runs_only_with_the_demo() {
        let err = Config::load(None, env(&[("SIMEXIT_SERVER__DEV_CLOCK", "true")]), &[]).unwrap_err();
        assert!(err.to_string().contains("server.dev_clock needs server.demo"), "{err}");
        let c =
            Config::load(None, env(&[("SIMEXIT_SERVER__DEV_CLOCK", "true"), ("SIMEXIT_SERVER__DEMO", "true")]), &[])
                .unwrap();
        assert!(c.server.dev_clock);
    }

    #[test]
    fn the_database_url_comes_from_its_variable_and_never_prints() {
        let c =
            Config::load(None, env(&[("SIMEXIT_DATABASE_URL", "postgres://simexit:hunter2@db/simexit")]), &[]).unwrap();
        assert_eq!(c.database.url.as_ref().unwrap().0, "postgres://simexit:hunter2@db/simexit");
        assert!(!format!("{c:?}").contains("hunter2"));
        assert_eq!(Config::load(None, env(&[]), &[]).unwrap().database.url, None);
    }

    #[test]
    fn unknown_keys_are_rejected_in_every_layer() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("simexit.toml");
        std::fs::write(&path, "[server]\nlisen = \"127.0.0.1:9000\"\n").unwrap();
        let err = Config::load(Some(&path), env(&[]), &[]).unwrap_err().to_string();
        assert!(err.contains("lisen"), "{err}");
        let err = Config::load(None, env(&[("SIMEXIT_SERVER__PORT", "1")]), &[]).unwrap_err().to_string();
        assert!(err.contains("SIMEXIT_SERVER__PORT"), "{err}");
        assert!(Config::load(None, env(&[("SIMEXIT_DATABASE__DURABILITY", "sometimes")]), &[]).is_err());
    }
}
