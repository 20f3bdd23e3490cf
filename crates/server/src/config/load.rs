//! Building the configuration from its layers (defaults, file, environment, flags) and
//! checking it.

use std::path::{Path, PathBuf};
use toml::{Table, Value};

use super::*;

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
            let value = typed_env(lookup(&merged, &path), &raw)
                .map_err(|message| ConfigError::Env { name: name.clone(), message })?;
            set(&mut merged, &path, value).map_err(|message| ConfigError::Env { name: name.clone(), message })?;
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
        if let Err(e) = simexit_store_postgres::SslMode::parse(&self.database.ssl_mode) {
            return Err(ConfigError::Invalid(format!("database.ssl_mode: {e}")));
        }
        if self.database.max_connections == 0 {
            return Err(ConfigError::Invalid("database.max_connections must be at least 1".into()));
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
        if self.auth.client_token_minutes <= 0 {
            return Err(ConfigError::Invalid("auth.client_token_minutes must be positive".into()));
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
        let p = &self.payments;
        if !matches!(p.provider.as_str(), "none" | "http") {
            return Err(ConfigError::Invalid(format!(
                "payments.provider must be `none` or `http`, not `{}`",
                p.provider
            )));
        }
        let name_ok = !p.name.is_empty()
            && p.name.len() <= 32
            && p.name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if !name_ok || p.name == "demo" || p.name == "cash" {
            return Err(ConfigError::Invalid(
                "payments.name: 1 to 32 lower-case letters, digits or `-`, and not `demo` or `cash`".into(),
            ));
        }
        if p.provider == "http" && (p.notification_secret.0.len() < 16 || !p.api_url.starts_with("http")) {
            return Err(ConfigError::Invalid(
                "payments.provider = http needs payments.api_url (http or https) and a payments.notification_secret of at least 16 characters".into(),
            ));
        }
        if !(10..=3600).contains(&p.tolerance_secs) {
            return Err(ConfigError::Invalid("payments.tolerance_secs: 10 to 3600".into()));
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
/// The value at a dotted path of the configuration, if the key exists there.
fn lookup<'a>(root: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(root, |node, part| node.as_table()?.get(part))
}

/// An environment value read by the type of the key it sets: a string key takes the text as
/// it is (`+79001234567`, a password `0x1F`, `2026-01-01`); only a number, a boolean or a
/// list is parsed, and must then be one.
fn typed_env(existing: Option<&Value>, raw: &str) -> Result<Value, String> {
    let parsed = scalar(raw);
    let want = match existing {
        None | Some(Value::String(_)) => return Ok(Value::String(raw.to_owned())),
        Some(Value::Integer(_)) => "a whole number",
        Some(Value::Float(_)) => "a number",
        Some(Value::Boolean(_)) => "true or false",
        Some(_) => return Ok(parsed),
    };
    match (existing, parsed) {
        (Some(Value::Integer(_)), v @ Value::Integer(_)) | (Some(Value::Boolean(_)), v @ Value::Boolean(_)) => Ok(v),
        (Some(Value::Float(_)), Value::Integer(i)) => Ok(Value::Float(i as f64)),
        (Some(Value::Float(_)), v @ Value::Float(_)) => Ok(v),
        _ => Err(format!("`{raw}` is not {want}")),
    }
}

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
    fn an_environment_value_keeps_the_type_of_its_key() {
        let c = Config::load(
            None,
            env(&[
                ("SIMEXIT_NOTIFICATIONS__SMPP_SOURCE_ADDR", "+79001234567"),
                ("SIMEXIT_NOTIFICATIONS__SMPP_PASSWORD", "0x1F"),
                ("SIMEXIT_NOTIFICATIONS__SMTP_USERNAME", "2026-01-01"),
                ("SIMEXIT_NOTIFICATIONS__SMTP_FROM", "true"),
                ("SIMEXIT_WORKER__POLL_MS", "1_000"),
                ("SIMEXIT_NOTIFICATIONS__SMPP_PORT", "0x0B5E"),
                ("SIMEXIT_SERVER__DEMO", "true"),
            ]),
            &[],
        )
        .unwrap();
        assert_eq!(c.notifications.smpp_source_addr, "+79001234567", "a string stays the string it was");
        assert_eq!(c.notifications.smpp_password.0, "0x1F");
        assert_eq!(c.notifications.smtp_username, "2026-01-01", "a date-like string too");
        assert_eq!(c.notifications.smtp_from, "true");
        assert_eq!(c.worker.poll_ms, 1_000, "a number key takes TOML's number forms");
        assert_eq!(c.notifications.smpp_port, 0x0B5E);
        assert!(c.server.demo);
        for (name, raw) in
            [("SIMEXIT_WORKER__POLL_MS", "100ms"), ("SIMEXIT_SERVER__DEMO", "yes"), ("SIMEXIT_WORKER__POLL_MS", "1.5")]
        {
            let err = Config::load(None, env(&[(name, raw)]), &[]).unwrap_err().to_string();
            assert!(err.contains(name) && err.contains(raw), "{err}");
        }
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
