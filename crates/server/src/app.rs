//! Building and running the server.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use axum::extract::DefaultBodyLimit;
use simexit_domain::certificate::SigningKeys;
use simexit_domain::notify::Templates;
use simexit_domain::{CalendarSet, Language, PolicySet};
use simexit_files::disk::DiskBlobs;
use simexit_files::s3::{S3Blobs, S3Settings};
use simexit_files::sealed::{KeyRing, Sealed};
use simexit_notify::http_sms::{HttpSmsSender, HttpSmsSettings};
use simexit_notify::smpp::{SmppSender, SmppSettings};
use simexit_notify::smtp::{SmtpSender, SmtpSettings};
use simexit_service::demo::DemoAccount;
use simexit_service::documents::{Blobs, DocumentStore};
use simexit_service::money::providers::{DemoProvider, Providers};
use simexit_service::notifications::{LogSender, Notifier, Sender};
use simexit_service::{Clock, ManualClock, Service, ServiceConfig};
use simexit_store::Store;
use simexit_store::audit::AuditKey;
use simexit_store_sqlite::{Durability, SqliteStore, create_private_dir};
use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::config::Config;
use crate::state::AppState;

/// The built-in demo policy profiles.
pub const DEMO_POLICIES: &str = include_str!("../../../data/policies/demo.toml");

/// A server bound to its address, ready to run.
pub struct App {
    listener: TcpListener,
    router: axum::Router,
    service: Service,
    config: Config,
    pub demo_accounts: Vec<DemoAccount>,
    pub dev_clock: Option<Arc<ManualClock>>,
}

/// Loads calendars and the policy file named by the config (or the demo profiles).
pub fn load_policies(config: &Config) -> anyhow::Result<(PolicySet, CalendarSet)> {
    let mut calendars = CalendarSet::builtin();
    for path in &config.policies.calendars {
        let text = std::fs::read_to_string(path).with_context(|| format!("reading calendar {}", path.display()))?;
        calendars.import(&text).with_context(|| format!("calendar {}", path.display()))?;
    }
    let text = match &config.policies.file {
        Some(path) => {
            std::fs::read_to_string(path).with_context(|| format!("reading policy file {}", path.display()))?
        }
        None => {
            tracing::warn!("no policies.file configured: using the built-in, illustrative demo profiles");
            DEMO_POLICIES.to_owned()
        }
    };
    let policies = PolicySet::from_toml(&text, &calendars)?;
    Ok((policies, calendars))
}

/// Opens the configured database — PostgreSQL when a URL is configured, else the embedded
/// SQLite file — and applies pending migrations. Blocking: call it off the async runtime.
pub fn open_store(config: &Config) -> anyhow::Result<Arc<dyn Store>> {
    let key = audit_key(config)?;
    if let Some(url) = &config.database.url {
        let d = &config.database;
        let options = simexit_store_postgres::PgOptions {
            max_connections: d.max_connections,
            acquire_timeout: Duration::from_millis(d.acquire_timeout_ms),
            ssl_mode: Some(simexit_store_postgres::SslMode::parse(&d.ssl_mode)?),
            ssl_root_cert: d.ssl_root_cert.clone(),
            schema: None,
        };
        let store =
            simexit_store_postgres::PgStore::open_with(&url.0, options).context("opening the PostgreSQL database")?;
        return Ok(Arc::new(store.with_audit_key(key)));
    }
    create_private_dir(&config.database.data_dir)
        .with_context(|| format!("creating {}", config.database.data_dir.display()))?;
    let durability = if config.database.durability == "normal" { Durability::Normal } else { Durability::Full };
    let path = config.database_path();
    let store = SqliteStore::open(&path, durability).with_context(|| format!("opening {}", path.display()))?;
    Ok(Arc::new(store.with_audit_key(key)))
}

/// The audit chain's key: `audit.key`, or the key generated on the first start and kept
/// beside the database (not in it).
pub fn audit_key(config: &Config) -> anyhow::Result<AuditKey> {
    if !config.audit.key.0.is_empty() {
        return AuditKey::from_hex(&config.audit.key.0).map_err(|e| anyhow::anyhow!("audit.key: {e}"));
    }
    let file = config.database.data_dir.join("audit-key");
    match std::fs::read_to_string(&file) {
        Ok(hex) => AuditKey::from_hex(&hex).map_err(|e| anyhow::anyhow!("{}: {e}", file.display())),
        Err(_) => {
            create_private_dir(&config.database.data_dir)?;
            let mut bytes = [0u8; 32];
            getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("no randomness: {e}"))?;
            let key = AuditKey::new(bytes);
            write_private(&file, &key.to_hex())?;
            tracing::warn!(file = %file.display(), "generated the audit chain's key; back it up, and configure audit.key when running several instances");
            Ok(key)
        }
    }
}

/// The notification channels and templates the configuration asks for.
pub fn notifier(c: &crate::config::NotificationsConfig, public_url: &str) -> anyhow::Result<Notifier> {
    let mut templates = Templates::builtin()?;
    if !c.templates_dir.is_empty() {
        for language in [Language::Ru, Language::En, Language::Zh] {
            let path = std::path::Path::new(&c.templates_dir).join(format!("{}.toml", language.as_str()));
            if let Ok(text) = std::fs::read_to_string(&path) {
                templates.merge(language, &path.display().to_string(), &text)?;
                tracing::info!(file = %path.display(), "notification templates overridden");
            }
        }
    }
    let email: Arc<dyn Sender> = match c.email.as_str() {
        "smtp" => Arc::new(SmtpSender::new(&SmtpSettings {
            host: c.smtp_host.clone(),
            port: c.smtp_port,
            tls: c.smtp_tls.clone(),
            username: c.smtp_username.clone(),
            password: c.smtp_password.0.clone(),
            from: c.smtp_from.clone(),
            ca_file: c.smtp_ca_file.clone(),
            timeout: Duration::from_secs(c.smtp_timeout_secs),
        })?),
        _ => Arc::new(LogSender),
    };
    let sms: Arc<dyn Sender> = match c.sms.as_str() {
        "smpp" => {
            let settings = SmppSettings {
                host: c.smpp_host.clone(),
                port: c.smpp_port,
                system_id: c.smpp_system_id.clone(),
                password: c.smpp_password.0.clone(),
                system_type: c.smpp_system_type.clone(),
                source_addr: c.smpp_source_addr.clone(),
                bind: c.smpp_bind.clone(),
                rate_per_second: c.smpp_rate_per_second,
                enquire_link_secs: c.smpp_enquire_link_secs,
                timeout: Duration::from_secs(c.smpp_timeout_secs),
                tls: c.smpp_tls,
                tls_ca_file: (!c.smpp_tls_ca_file.is_empty()).then(|| c.smpp_tls_ca_file.clone().into()),
            };
            settings.check().map_err(|e| anyhow::anyhow!("notifications.{e}"))?;
            Arc::new(SmppSender::start(settings))
        }
        "http" => Arc::new(HttpSmsSender::new(HttpSmsSettings {
            url: c.sms_http_url.clone(),
            token: c.sms_http_token.0.clone(),
            timeout: Duration::from_secs(c.sms_http_timeout_secs),
        })),
        _ => Arc::new(LogSender),
    };
    Ok(Notifier { email, sms, templates, max_attempts: c.max_attempts, public_url: public_url.to_owned() })
}

/// The keys that seal documents and personal data at rest: the configured `documents.keys`,
/// or a key generated on the first start and kept beside the database.
pub fn sealing_keys(config: &Config) -> anyhow::Result<KeyRing> {
    let c = &config.documents;
    let keys = if c.keys.0.is_empty() {
        let file = config.database.data_dir.join("document-keys");
        match std::fs::read_to_string(&file) {
            Ok(k) => k,
            Err(_) => {
                create_private_dir(&config.database.data_dir)?;
                let k = simexit_files::sealed::generate_key("k1")?;
                write_private(&file, &k)?;
                tracing::warn!(file = %file.display(), "generated a document encryption key; back it up, and configure documents.keys when running several instances");
                k
            }
        }
    } else {
        c.keys.0.clone()
    };
    Ok(KeyRing::parse(&keys)?)
}

/// The document store the configuration asks for: a folder or a bucket, sealed with `ring`.
pub fn document_store(config: &Config, ring: Arc<KeyRing>) -> anyhow::Result<DocumentStore> {
    let c = &config.documents;
    let dir = if c.dir.is_empty() { config.database.data_dir.join("documents") } else { c.dir.clone().into() };
    let store: Arc<dyn Blobs> = if c.storage == "s3" {
        Arc::new(S3Blobs::new(S3Settings {
            endpoint: c.s3_endpoint.clone(),
            bucket: c.s3_bucket.clone(),
            region: c.s3_region.clone(),
            access_key: c.s3_access_key.clone(),
            secret_key: c.s3_secret_key.0.clone(),
            session_token: Some(c.s3_session_token.0.clone()).filter(|t| !t.is_empty()),
            timeout: Duration::from_secs(30),
        })?)
    } else {
        Arc::new(DiskBlobs::new(&dir).with_context(|| format!("opening {}", dir.display()))?)
    };
    Ok(DocumentStore {
        blobs: Arc::new(Sealed::new(store, ring)),
        max_bytes: c.max_bytes,
        max_per_request: c.max_per_request,
        max_request_bytes: c.max_request_bytes,
        limits: simexit_domain::document::Limits::default(),
    })
}

/// The configured certificate keys, or the key generated on the first start.
pub fn signing_keys(config: &Config) -> anyhow::Result<SigningKeys> {
    let spec = if config.certificates.keys.0.is_empty() {
        let file = config.database.data_dir.join("certificate-keys");
        match std::fs::read_to_string(&file) {
            Ok(k) => k,
            Err(_) => {
                create_private_dir(&config.database.data_dir)?;
                let mut seed = [0u8; 32];
                getrandom::fill(&mut seed).map_err(|e| anyhow::anyhow!("no randomness: {e}"))?;
                let k = SigningKeys::generate("k1", seed);
                write_private(&file, &k)?;
                tracing::warn!(file = %file.display(), "generated a certificate signing key; back it up, and configure certificates.keys when running several instances");
                k
            }
        }
    } else {
        config.certificates.keys.0.clone()
    };
    Ok(SigningKeys::parse(&spec)?)
}

/// The payment providers the configuration asks for: the generic HTTP one, and with the demo
/// the `demo` provider whose card page simexit serves.
pub fn payment_providers(config: &Config) -> anyhow::Result<Providers> {
    let p = &config.payments;
    let tolerance = jiff::SignedDuration::from_secs(i64::try_from(p.tolerance_secs).unwrap_or(300));
    let mut providers = Providers::default().returning_to(&config.server.public_url);
    if p.provider == "http" {
        providers = providers.with(
            &p.name,
            Arc::new(simexit_notify::payment_gateway::HttpPaymentProvider::new(
                &p.api_url,
                &p.api_key.0,
                p.notification_secret.0.as_bytes(),
                tolerance,
                Duration::from_secs(p.timeout_secs),
            )),
        );
    }
    if config.server.demo {
        let secret = if p.demo_secret.0.is_empty() {
            let mut seed = [0u8; 32];
            getrandom::fill(&mut seed).map_err(|e| anyhow::anyhow!("no randomness: {e}"))?;
            hex::encode(seed)
        } else {
            p.demo_secret.0.clone()
        };
        providers =
            providers.with_demo(Arc::new(DemoProvider::new(secret.as_bytes(), &config.server.public_url, tolerance)));
    }
    Ok(providers)
}

/// Writes a secret readable by the owner only.
fn write_private(path: &std::path::Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    #[cfg(unix)]
    let mut file = {
        use std::os::unix::fs::OpenOptionsExt;
        std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(path)?
    };
    #[cfg(not(unix))]
    let mut file = std::fs::OpenOptions::new().write(true).create_new(true).open(path)?;
    file.write_all(text.as_bytes())
}

impl App {
    /// Builds the service with the system clock (shiftable when `dev_clock` is on).
    pub async fn build(config: Config) -> anyhow::Result<App> {
        let clock = Arc::new(ManualClock::system());
        App::build_with_clock(config, clock).await
    }

    /// Builds the service with a given clock; tests pass a fixed one.
    pub async fn build_with_clock(config: Config, clock: Arc<ManualClock>) -> anyhow::Result<App> {
        let (policies, calendars) = load_policies(&config)?;
        let store = {
            let config = config.clone();
            tokio::task::spawn_blocking(move || open_store(&config)).await.context("opening the database")??
        };
        let mut session_ttl = jiff::SignedDuration::from_mins(config.auth.session_minutes);
        if config.server.dev_clock {
            // Moving the demo clock a month ahead must not sign everyone out mid-walkthrough.
            session_ttl = session_ttl.max(jiff::SignedDuration::from_hours(24 * 400));
            tracing::warn!("dev clock enabled: sessions last 400 days of service time");
        }
        let service_config = ServiceConfig {
            session_ttl,
            client_token_ttl: jiff::SignedDuration::from_mins(config.auth.client_token_minutes),
            lookup_requests_per_day: config.lookup.requests_per_day,
            lookup_numbers_per_day: config.lookup.numbers_per_day,
            pdf_renders_per_minute: config.certificates.pdf_renders_per_minute,
            ..ServiceConfig::default()
        };
        let dyn_clock: Arc<dyn Clock> = clock.clone();
        let mut service =
            tokio::task::spawn_blocking(move || Service::new(store, policies, calendars, dyn_clock, service_config))
                .await
                .context("starting the service")??;
        service.notifier = Arc::new(notifier(&config.notifications, &config.server.public_url)?);
        let sealing = Arc::new(sealing_keys(&config)?);
        service.documents = Arc::new(document_store(&config, sealing.clone())?);
        service.sealing = sealing;
        service.signing = Arc::new(signing_keys(&config)?);
        if config.network.adapter == "webhook" {
            let n = &config.network;
            service.network = Arc::new(simexit_notify::network_hook::NetworkWebhook::new(
                &n.webhook_url,
                &n.webhook_token.0,
                Duration::from_secs(n.timeout_secs),
            ));
        }
        service.payments = Arc::new(payment_providers(&config)?);
        service.webhooks = Arc::new(simexit_service::webhooks::Outbound {
            transport: Some(Arc::new(simexit_notify::webhook_out::HttpWebhooks::new(Duration::from_secs(
                config.webhooks.timeout_secs.clamp(1, 120),
            )))),
            source: config.server.public_url.trim_end_matches('/').to_owned(),
        });
        let demo_accounts = if config.server.demo {
            let svc = service.clone();
            tokio::task::spawn_blocking(move || svc.seed_demo()).await.context("seeding demo data")??
        } else {
            Vec::new()
        };
        // Filled after the demo's seeding, which would otherwise reach it through the log.
        if config.lookup.memory_index {
            service.lookup_index.start(&service.store);
        }
        let dev_clock = config.server.dev_clock.then_some(clock);
        let database_slots = config.database.url.is_some().then(|| crate::state::DatabaseSlots {
            slots: Arc::new(tokio::sync::Semaphore::new(config.database.max_connections)),
            wait: Duration::from_millis(config.database.acquire_timeout_ms),
        });
        let state = AppState {
            database_slots,
            hashing_slots: Arc::new(tokio::sync::Semaphore::new(simexit_service::auth::hashing_capacity())),
            service: service.clone(),
            dev_clock: dev_clock.clone(),
            demo: config.server.demo,
            metrics: Arc::default(),
            edge: Arc::new(crate::edge::Edge {
                trusted: crate::edge::TrustedProxies::parse(&config.server.trusted_proxies)
                    .map_err(|e| anyhow::anyhow!("server.trusted_proxies: {e}"))?,
                https: config.server.public_url.starts_with("https://"),
            }),
        };
        let edge = state.edge.clone();
        let router = crate::routes::router(state)
            .layer(DefaultBodyLimit::max(config.server.max_body_bytes))
            .layer(axum::middleware::from_fn_with_state(edge, crate::middleware::request_context));
        let listener = TcpListener::bind(config.server.listen)
            .await
            .with_context(|| format!("binding {}", config.server.listen))?;
        Ok(App { listener, router, service, config, demo_accounts, dev_clock })
    }

    pub fn local_addr(&self) -> anyhow::Result<SocketAddr> {
        Ok(self.listener.local_addr()?)
    }

    pub fn service(&self) -> &Service {
        &self.service
    }

    /// Serves until `shutdown` resolves, then stops accepting, finishes in-flight requests
    /// stops the worker and writes the pending lookup quota counts.
    pub async fn run_until_stopped(self, shutdown: impl Future<Output = ()> + Send + 'static) -> anyhow::Result<()> {
        let (stop_tx, stop_rx) = watch::channel(false);
        let worker = self.config.worker.enabled.then(|| {
            tokio::spawn(crate::worker::run(
                self.service.clone(),
                Duration::from_millis(self.config.worker.poll_ms),
                stop_rx,
            ))
        });
        // The peer address feeds the per-address rate limits (password reset).
        let service = self.router.into_make_service_with_connect_info::<SocketAddr>();
        let served = axum::serve(self.listener, service).with_graceful_shutdown(shutdown).await;
        let _ = stop_tx.send(true);
        if let Some(worker) = worker {
            let _ = worker.await;
        }
        let meter = self.service.clone();
        match tokio::task::spawn_blocking(move || meter.flush_meter()).await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => tracing::warn!(error = %e, "pending lookup quota counts were not written"),
            Err(e) => tracing::warn!(error = %e, "pending lookup quota counts were not written"),
        }
        served.context("serving HTTP")
    }
}
