//! SMS over SMPP: a client that binds to the operator's SMSC as a transmitter or
//! transceiver (over TCP or TLS), submits each message as one `submit_sm` or as concatenated
//! parts, keeps the link alive with `enquire_link`, reconnects with backoff, throttles to a
//! configured rate and collects delivery receipts. PDUs are encoded and decoded by `rusmpp`
//! (a maintained SMPP codec); this module owns the connection and the message logic.
//!
//! Text that is plain ASCII goes as IA5 (160 characters, 153 per concatenated part); any
//! other text (Cyrillic, Chinese) as UCS-2 (70 characters, 67 per part). Parts carry a user
//! data header `05 00 03 ref total seq`; only the last part asks for a delivery receipt, and
//! its message id is the message's provider id. When the SMSC refuses part k for a while
//! (throttled, queue full), the retry sends part k and those after it, under the same
//! reference, so the phone never gets a fragment twice.
//!
//! Receipts are read from their TLVs (`receipted_message_id`, `message_state`) and, from
//! SMSCs that send none, from the receipt text (`id:… stat:…`).
//!
//! One thread owns the connection; `send` hands it a message and waits for the SMSC's
//! answer, so messages go out in order and the socket is never shared.

mod link;
mod parts;
mod wire;

use std::collections::HashMap;
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rusmpp::types::COctetString;
use simexit_domain::notify::Rendered;
use simexit_service::notifications::{Outgoing, SendError, Sender};

pub use link::parse_receipt;
pub use parts::{DATA_CODING_IA5, DATA_CODING_UCS2, ESM_UDHI, Part, split};

/// How to reach and use the SMSC.
#[derive(Clone, PartialEq, Eq)]
pub struct SmppSettings {
    pub host: String,
    pub port: u16,
    pub system_id: String,
    pub password: String,
    pub system_type: String,
    /// The sender shown to subscribers (an alphanumeric name or a number), sent as written.
    pub source_addr: String,
    /// Bind as a `transceiver` (receipts come on the same link) or a `transmitter`.
    pub bind: String,
    /// Submits per second at most (0: no limit).
    pub rate_per_second: u32,
    /// Idle seconds between `enquire_link`s.
    pub enquire_link_secs: u64,
    /// How long to wait for the SMSC's answer.
    pub timeout: Duration,
    /// Speak SMPP inside TLS.
    pub tls: bool,
    /// The CA (PEM) that signed the SMSC's certificate; the public web roots when `None`.
    pub tls_ca_file: Option<PathBuf>,
}

impl std::fmt::Debug for SmppSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmppSettings")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("system_id", &self.system_id)
            .field("source_addr", &self.source_addr)
            .field("tls", &self.tls)
            .finish_non_exhaustive()
    }
}

/// A field for the SMSC, checked against SMPP's length limit (`MAX` counts the NUL).
fn field<const MIN: usize, const MAX: usize>(name: &str, value: &str) -> Result<COctetString<MIN, MAX>, String> {
    if value.len() >= MAX {
        return Err(format!("{name} `{value}` is longer than SMPP allows ({} characters at most)", MAX - 1));
    }
    COctetString::from_str(value).map_err(|e| format!("{name} `{value}`: {e}"))
}

impl SmppSettings {
    /// The limits SMPP sets on the bind and sender fields, checked before the first connect.
    pub fn check(&self) -> Result<(), String> {
        field::<1, 16>("smpp_system_id", &self.system_id)?;
        field::<1, 9>("smpp_password", &self.password)?;
        field::<1, 13>("smpp_system_type", &self.system_type)?;
        field::<1, 21>("smpp_source_addr", &self.source_addr)?;
        if !matches!(self.bind.as_str(), "transceiver" | "transmitter") {
            return Err(format!("smpp_bind `{}` is not `transceiver` or `transmitter`", self.bind));
        }
        Ok(())
    }
}

/// Where a message's parts stand after a transient failure: the retry resumes there.
#[derive(Debug, Clone)]
struct Progress {
    text: String,
    parts: Vec<Part>,
    accepted: usize,
}

/// Messages with a part not yet accepted, at most this many remembered.
const MAX_IN_PROGRESS: usize = 10_000;

enum Job {
    Submit { to: String, parts: Vec<Part>, from: usize, reply: mpsc::Sender<(usize, Result<String, SendError>)> },
}

/// The SMPP channel; see the module documentation.
pub struct SmppSender {
    jobs: Mutex<mpsc::Sender<Job>>,
    receipts: Arc<Mutex<Vec<(String, String)>>>,
    reference: AtomicU8,
    progress: Mutex<HashMap<i64, Progress>>,
    timeout: Duration,
    invalid: Option<String>,
}

impl SmppSender {
    /// Starts the connection thread; it connects on the first message.
    pub fn start(settings: SmppSettings) -> Self {
        let (tx, rx) = mpsc::channel();
        let receipts = Arc::new(Mutex::new(Vec::new()));
        let timeout = settings.timeout;
        let invalid = settings.check().err();
        let link = link::Link::new(settings, receipts.clone());
        std::thread::Builder::new()
            .name("smpp".into())
            .spawn(move || link.run(rx))
            .map_err(|e| tracing::error!(error = %e, "cannot start the SMPP thread"))
            .ok();
        SmppSender {
            jobs: Mutex::new(tx),
            receipts,
            reference: AtomicU8::new(1),
            progress: Mutex::new(HashMap::new()),
            timeout,
            invalid,
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Sender for SmppSender {
    fn send(&self, m: &Outgoing) -> Result<String, SendError> {
        if let Some(e) = &self.invalid {
            return Err(SendError::Permanent(format!("smpp: {e}")));
        }
        let Rendered::Sms { text } = &m.rendered else {
            return Err(SendError::Permanent("not an SMS".into()));
        };
        let to = m.to.trim_start_matches('+').to_owned();
        if to.is_empty() || to.len() > 20 || !to.bytes().all(|b| b.is_ascii_digit()) {
            return Err(SendError::Permanent(format!("`{}` is not a phone number", m.to)));
        }
        // A retry of a message whose first parts were accepted resumes at the refused part,
        // under the same reference.
        let resumed = lock(&self.progress).remove(&m.id).filter(|p| &p.text == text);
        let (parts, from) = match resumed {
            Some(p) => (p.parts, p.accepted),
            None => (split(text, self.reference.fetch_add(1, Ordering::Relaxed)), 0),
        };
        let (reply, answer) = mpsc::channel();
        let jobs = lock(&self.jobs);
        jobs.send(Job::Submit { to, parts: parts.clone(), from, reply })
            .map_err(|_| SendError::Transient("the SMPP thread stopped".into()))?;
        drop(jobs);
        // Each part may wait for the throttle and the SMSC.
        let budget = self.timeout * u32::try_from(parts.len() + 2).unwrap_or(u32::MAX);
        let (accepted, result) =
            answer.recv_timeout(budget).map_err(|_| SendError::Transient("no answer from the SMPP thread".into()))?;
        if matches!(result, Err(SendError::Transient(_))) && accepted > 0 {
            let mut progress = lock(&self.progress);
            if progress.len() >= MAX_IN_PROGRESS {
                progress.clear();
            }
            progress.insert(m.id, Progress { text: text.clone(), parts, accepted });
        }
        result
    }

    fn kind(&self) -> &'static str {
        "smpp"
    }

    fn take_receipts(&self) -> Vec<(String, String)> {
        std::mem::take(&mut *lock(&self.receipts))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_longer_than_smpp_allows_are_refused_before_any_connect() {
        let settings = SmppSettings {
            host: "127.0.0.1".into(),
            port: 1,
            system_id: "simexit".into(),
            password: "0x1F".into(),
            system_type: String::new(),
            source_addr: "+79001234567".into(),
            bind: "transceiver".into(),
            rate_per_second: 0,
            enquire_link_secs: 30,
            timeout: Duration::from_secs(1),
            tls: false,
            tls_ca_file: None,
        };
        assert_eq!(settings.check(), Ok(()));
        let long = |f: fn(&mut SmppSettings)| {
            let mut s = settings.clone();
            f(&mut s);
            s.check().unwrap_err()
        };
        assert!(long(|s| s.system_id = "a".repeat(16)).contains("15 characters at most"));
        assert!(long(|s| s.password = "123456789".into()).contains("8 characters at most"));
        assert!(long(|s| s.source_addr = "+7".repeat(11)).contains("20 characters at most"));
        assert!(long(|s| s.bind = "receiver".into()).contains("smpp_bind"));
    }
}
