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

mod wire;

use std::collections::HashMap;
use std::io;
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rusmpp::pdus::{BindTransceiver, BindTransmitter, DeliverSmResp, SubmitSm};
use rusmpp::tlvs::TlvValue;
use rusmpp::types::{COctetString, OctetString};
use rusmpp::values::{DataCoding, EsmClass, InterfaceVersion, MessageState, Npi, RegisteredDelivery, Ton};
use rusmpp::{Command, CommandStatus, Pdu};
use simexit_domain::notify::Rendered;
use simexit_service::notifications::{Outgoing, SendError, Sender};

/// IA5 (ASCII).
pub const DATA_CODING_IA5: u8 = 0x01;
/// UCS-2 (UTF-16 big endian).
pub const DATA_CODING_UCS2: u8 = 0x08;
/// `esm_class` bit: the short message starts with a user data header.
pub const ESM_UDHI: u8 = 0x40;

/// One `submit_sm`'s worth of a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    pub data_coding: u8,
    pub esm_class: u8,
    /// The user data header, if any, then the encoded text.
    pub short_message: Vec<u8>,
}

/// Splits `text` into the parts SMPP carries, concatenated with reference `reference`.
pub fn split(text: &str, reference: u8) -> Vec<Part> {
    let ascii = text.bytes().all(|b| (0x20..0x7f).contains(&b) || b == b'\n' || b == b'\r');
    // Units: bytes for IA5, UTF-16 code units for UCS-2 (a surrogate pair is never split).
    let (coding, single, per_part, units): (u8, usize, usize, Vec<Vec<u8>>) = if ascii {
        (DATA_CODING_IA5, 160, 153, text.bytes().map(|b| vec![b]).collect())
    } else {
        let chars = text.chars().map(|c| {
            let mut buf = [0u16; 2];
            c.encode_utf16(&mut buf).iter().flat_map(|u| u.to_be_bytes()).collect::<Vec<u8>>()
        });
        (DATA_CODING_UCS2, 70, 67, chars.collect())
    };
    let width = |u: &Vec<u8>| if coding == DATA_CODING_UCS2 { u.len() / 2 } else { 1 };
    let total_units: usize = units.iter().map(width).sum();
    if total_units <= single {
        return vec![Part { data_coding: coding, esm_class: 0, short_message: units.concat() }];
    }
    let mut chunks: Vec<Vec<u8>> = Vec::new();
    let mut current = Vec::new();
    let mut used = 0;
    for u in &units {
        if used + width(u) > per_part {
            chunks.push(std::mem::take(&mut current));
            used = 0;
        }
        current.extend_from_slice(u);
        used += width(u);
    }
    chunks.push(current);
    let total = u8::try_from(chunks.len()).unwrap_or(u8::MAX);
    chunks
        .into_iter()
        .enumerate()
        .map(|(i, chunk)| {
            let mut short_message = vec![0x05, 0x00, 0x03, reference, total, u8::try_from(i + 1).unwrap_or(u8::MAX)];
            short_message.extend_from_slice(&chunk);
            Part { data_coding: coding, esm_class: ESM_UDHI, short_message }
        })
        .collect()
}

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
        let link = Link {
            settings,
            conn: None,
            sequence: 0,
            retry_at: None,
            failures: 0,
            receipts: receipts.clone(),
            last_submit: None,
        };
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

/// The connection thread's state.
struct Link {
    settings: SmppSettings,
    conn: Option<wire::Conn>,
    sequence: u32,
    /// After a failed connect, no new attempt before this (exponential backoff).
    retry_at: Option<Instant>,
    failures: u32,
    receipts: Arc<Mutex<Vec<(String, String)>>>,
    last_submit: Option<Instant>,
}

fn transient(e: impl std::fmt::Display) -> SendError {
    SendError::Transient(format!("smpp: {e}"))
}

/// A failure, and whether the link is broken by it (an I/O error) or still good (the SMSC
/// answered with an error status).
struct Failure {
    error: SendError,
    link_broken: bool,
}

impl From<SendError> for Failure {
    fn from(error: SendError) -> Self {
        Failure { error, link_broken: true }
    }
}

/// The receipt's state as the words of SMPP 3.4's receipt text.
fn state_word(state: MessageState) -> &'static str {
    match state {
        MessageState::Delivered => "DELIVRD",
        MessageState::Expired => "EXPIRED",
        MessageState::Deleted => "DELETED",
        MessageState::Undeliverable => "UNDELIV",
        MessageState::Accepted => "ACCEPTD",
        MessageState::Rejected => "REJECTD",
        MessageState::Enroute => "ENROUTE",
        MessageState::Scheduled => "SCHEDLD",
        _ => "UNKNOWN",
    }
}

/// The `id:` and `stat:` of a delivery receipt's text (SMPP 3.4 appendix B).
pub fn parse_receipt(text: &str) -> Option<(String, String)> {
    let field = |name: &str| text.split_whitespace().find_map(|w| w.strip_prefix(name)).map(str::to_owned);
    Some((field("id:")?, field("stat:")?))
}

impl Link {
    fn run(mut self, jobs: mpsc::Receiver<Job>) {
        let mut idle_since = Instant::now();
        loop {
            match jobs.recv_timeout(Duration::from_millis(200)) {
                Ok(Job::Submit { to, parts, from, reply }) => {
                    let (accepted, result) = self.submit(&to, &parts, from);
                    let result = result.map_err(|f| {
                        if f.link_broken {
                            tracing::warn!(error = %f.error, "SMPP link failed; it will be re-established");
                            self.conn = None;
                        }
                        f.error
                    });
                    let _ = reply.send((accepted, result));
                    idle_since = Instant::now();
                }
                Err(RecvTimeoutError::Timeout) => {
                    if self.conn.is_some() {
                        if let Err(e) = self.poll_incoming() {
                            tracing::warn!(error = %e, "SMPP link lost");
                            self.conn = None;
                        } else if idle_since.elapsed() >= Duration::from_secs(self.settings.enquire_link_secs.max(1)) {
                            if let Err(e) = self.enquire_link() {
                                tracing::warn!(error = %e.error, "SMPP enquire_link failed");
                                self.conn = None;
                            }
                            idle_since = Instant::now();
                        }
                    }
                }
                Err(RecvTimeoutError::Disconnected) => {
                    let seq = self.next_sequence();
                    if let Some(mut c) = self.conn.take() {
                        let _ = c.send(&Command::new(CommandStatus::EsmeRok, seq, Pdu::Unbind));
                    }
                    return;
                }
            }
        }
    }

    fn next_sequence(&mut self) -> u32 {
        self.sequence = if self.sequence >= 0x7fff_ffff { 1 } else { self.sequence + 1 };
        self.sequence
    }

    fn connect(&mut self) -> Result<(), SendError> {
        if self.conn.is_some() {
            return Ok(());
        }
        if let Some(at) = self.retry_at
            && Instant::now() < at
        {
            return Err(SendError::Transient("smpp: the SMSC is unreachable; reconnecting with backoff".into()));
        }
        match self.bind() {
            Ok(conn) => {
                tracing::info!(host = %self.settings.host, tls = self.settings.tls, "SMPP bound");
                self.conn = Some(conn);
                self.failures = 0;
                self.retry_at = None;
                Ok(())
            }
            Err(e) => {
                self.failures += 1;
                let wait = Duration::from_millis(500 * 2u64.pow(self.failures.min(7)));
                self.retry_at = Some(Instant::now() + wait);
                Err(e)
            }
        }
    }

    fn bind(&mut self) -> Result<wire::Conn, SendError> {
        let s = &self.settings;
        let permanent = |e: String| SendError::Permanent(format!("smpp: {e}"));
        let (system_id, password, system_type) = (
            field::<1, 16>("smpp_system_id", &s.system_id).map_err(permanent)?,
            field::<1, 9>("smpp_password", &s.password).map_err(permanent)?,
            field::<1, 13>("smpp_system_type", &s.system_type).map_err(permanent)?,
        );
        // The two binds have the same body; only the PDU's type differs.
        macro_rules! bind {
            ($pdu:ident) => {
                $pdu::builder()
                    .system_id(system_id)
                    .password(password)
                    .system_type(system_type)
                    .interface_version(InterfaceVersion::Smpp3_4)
                    .addr_ton(Ton::Unknown)
                    .addr_npi(Npi::Unknown)
                    .address_range(COctetString::empty())
                    .build()
                    .into()
            };
        }
        let pdu: Pdu = if s.bind == "transmitter" { bind!(BindTransmitter) } else { bind!(BindTransceiver) };
        let mut conn = wire::Conn::open(s).map_err(transient)?;
        let seq = self.next_sequence();
        let request = Command::new(CommandStatus::EsmeRok, seq, pdu);
        conn.send(&request).map_err(transient)?;
        let resp =
            conn.recv(self.settings.timeout).map_err(transient)?.ok_or_else(|| transient("no answer to bind"))?;
        let answered = matches!(resp.pdu(), Some(Pdu::BindTransmitterResp(_) | Pdu::BindTransceiverResp(_)));
        if !answered || resp.sequence_number() != seq {
            return Err(transient(format!("unexpected answer {:?} to bind", resp.id())));
        }
        if resp.status() != CommandStatus::EsmeRok {
            return Err(transient(format!("bind refused with status {:#x}", u32::from(resp.status()))));
        }
        Ok(conn)
    }

    fn throttle(&mut self) {
        if self.settings.rate_per_second == 0 {
            return;
        }
        let gap = Duration::from_secs(1) / self.settings.rate_per_second;
        if let Some(last) = self.last_submit {
            let since = last.elapsed();
            if since < gap {
                std::thread::sleep(gap - since);
            }
        }
        self.last_submit = Some(Instant::now());
    }

    /// Submits `parts[from..]`; returns how many parts the SMSC has accepted in all.
    fn submit(&mut self, to: &str, parts: &[Part], from: usize) -> (usize, Result<String, Failure>) {
        let mut accepted = from;
        let result = (|| {
            self.connect()?;
            let permanent = |e: String| SendError::Permanent(format!("smpp: {e}"));
            let source = field::<1, 21>("smpp_source_addr", &self.settings.source_addr).map_err(permanent)?;
            let alphanumeric = self.settings.source_addr.bytes().any(|b| b.is_ascii_alphabetic());
            let destination = field::<1, 21>("destination", to).map_err(permanent)?;
            let mut last_id = String::new();
            for (i, part) in parts.iter().enumerate().skip(from) {
                self.throttle();
                let short_message =
                    OctetString::from_slice(&part.short_message).map_err(|e| permanent(e.to_string()))?;
                let data_coding = if part.data_coding == DATA_CODING_UCS2 { DataCoding::Ucs2 } else { DataCoding::Ia5 };
                let sm = SubmitSm::builder()
                    .source_addr_ton(if alphanumeric { Ton::Alphanumeric } else { Ton::International })
                    .source_addr_npi(if alphanumeric { Npi::Unknown } else { Npi::Isdn })
                    .source_addr(source.clone())
                    .dest_addr_ton(Ton::International)
                    .dest_addr_npi(Npi::Isdn)
                    .destination_addr(destination.clone())
                    .esm_class(EsmClass::from(part.esm_class))
                    .registered_delivery(RegisteredDelivery::from(u8::from(i + 1 == parts.len())))
                    .data_coding(data_coding)
                    .short_message(short_message)
                    .build();
                let seq = self.next_sequence();
                let resp = self.call(Command::new(CommandStatus::EsmeRok, seq, sm))?;
                match (resp.status(), resp.pdu()) {
                    (CommandStatus::EsmeRok, Some(Pdu::SubmitSmResp(r))) => {
                        last_id = r.message_id().as_str().to_owned();
                        accepted = i + 1;
                    }
                    (CommandStatus::EsmeRok, _) => {
                        return Err(transient("submit_sm answered without a message id").into());
                    }
                    (
                        s @ (CommandStatus::EsmeRthrottled | CommandStatus::EsmeRmsgqful | CommandStatus::EsmeRsyserr),
                        _,
                    ) => {
                        return Err(Failure {
                            error: SendError::Transient(format!(
                                "smpp: submit_sm of part {} status {:#x}",
                                i + 1,
                                u32::from(s)
                            )),
                            link_broken: false,
                        });
                    }
                    (s, _) => {
                        return Err(Failure {
                            error: SendError::Permanent(format!(
                                "smpp: submit_sm refused with status {:#x}",
                                u32::from(s)
                            )),
                            link_broken: false,
                        });
                    }
                }
            }
            Ok(last_id)
        })();
        (accepted, result)
    }

    /// Sends a request and reads until its response, answering what the SMSC sends meanwhile.
    fn call(&mut self, request: Command) -> Result<Command, Failure> {
        let timeout = self.settings.timeout;
        let conn = self.conn.as_mut().ok_or_else(|| transient("not connected"))?;
        conn.send(&request).map_err(transient)?;
        let deadline = Instant::now() + timeout;
        loop {
            let wait = deadline.saturating_duration_since(Instant::now());
            let conn = self.conn.as_mut().ok_or_else(|| transient("not connected"))?;
            let Some(answer) = conn.recv(wait).map_err(transient)? else {
                return Err(transient("no answer from the SMSC in time").into());
            };
            if answer.sequence_number() == request.sequence_number() {
                if let Some(Pdu::GenericNack) = answer.pdu() {
                    return Err(Failure {
                        error: SendError::Permanent(format!(
                            "smpp: generic_nack status {:#x}",
                            u32::from(answer.status())
                        )),
                        link_broken: false,
                    });
                }
                if u32::from(answer.id()) == u32::from(request.id()) | 0x8000_0000 {
                    return Ok(answer);
                }
            }
            self.answer(answer).map_err(transient)?;
        }
    }

    /// Handles a PDU the SMSC initiated: receipts, enquire_link, unbind.
    fn answer(&mut self, command: Command) -> io::Result<()> {
        let seq = command.sequence_number();
        let reply = match command.pdu() {
            Some(Pdu::DeliverSm(sm)) => {
                // esm_class bit 2: an SMSC delivery receipt.
                if u8::from(sm.esm_class) & 0x04 != 0
                    && let Some(receipt) = receipt_of(sm)
                {
                    lock(&self.receipts).push(receipt);
                }
                Some(Pdu::DeliverSmResp(DeliverSmResp::builder().message_id(COctetString::empty()).build()))
            }
            Some(Pdu::EnquireLink) => Some(Pdu::EnquireLinkResp),
            Some(Pdu::Unbind) => {
                if let Some(conn) = self.conn.as_mut() {
                    conn.send(&Command::new(CommandStatus::EsmeRok, seq, Pdu::UnbindResp))?;
                }
                return Err(io::Error::new(io::ErrorKind::ConnectionAborted, "the SMSC unbound"));
            }
            _ if u32::from(command.id()) & 0x8000_0000 != 0 => None, // a late response: nothing waits for it
            _ => {
                let conn = self.conn.as_mut().ok_or_else(|| io::Error::other("not connected"))?;
                return conn.send(&Command::new(CommandStatus::EsmeRinvcmdid, seq, Pdu::GenericNack));
            }
        };
        match (reply, self.conn.as_mut()) {
            (Some(pdu), Some(conn)) => conn.send(&Command::new(CommandStatus::EsmeRok, seq, pdu)),
            _ => Ok(()),
        }
    }

    /// Reads what the SMSC sent while we were idle, without blocking for long.
    fn poll_incoming(&mut self) -> io::Result<()> {
        loop {
            let conn = self.conn.as_mut().ok_or_else(|| io::Error::other("not connected"))?;
            let Some(command) = conn.recv(Duration::from_millis(10))? else {
                return Ok(());
            };
            self.answer(command)?;
        }
    }

    fn enquire_link(&mut self) -> Result<(), Failure> {
        let seq = self.next_sequence();
        self.call(Command::new(CommandStatus::EsmeRok, seq, Pdu::EnquireLink)).map(drop)
    }
}

/// A delivery receipt's message id and state: from its TLVs when it has them, else its text.
fn receipt_of(sm: &rusmpp::pdus::DeliverSm) -> Option<(String, String)> {
    let mut id = None;
    let mut state = None;
    for tlv in sm.tlvs() {
        match tlv.value() {
            Some(TlvValue::ReceiptedMessageId(v)) => id = Some(v.as_str().to_owned()),
            Some(TlvValue::MessageState(s)) => state = Some(state_word(*s).to_owned()),
            _ => {}
        }
    }
    let text = parse_receipt(&String::from_utf8_lossy(sm.short_message().as_ref()));
    match (id, state, text) {
        (Some(id), Some(state), _) => Some((id, state)),
        (Some(id), None, Some((_, stat))) => Some((id, stat)),
        (None, Some(state), Some((id, _))) => Some((id, state)),
        (_, _, text) => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text_of(parts: &[Part]) -> String {
        let mut units = Vec::new();
        for p in parts {
            let body = if p.esm_class & ESM_UDHI != 0 { &p.short_message[6..] } else { &p.short_message[..] };
            units.extend(body.chunks(2).map(|c| u16::from_be_bytes([c[0], c[1]])));
        }
        String::from_utf16(&units).unwrap()
    }

    #[test]
    fn cyrillic_goes_as_ucs2_seventy_in_one_part_sixty_seven_per_concatenated_part() {
        let one = "Я".repeat(70);
        assert_eq!(split(&one, 1).len(), 1);
        assert_eq!(split(&one, 1)[0].short_message.len(), 140);
        for (chars, parts) in [(71, 2), (134, 2), (135, 3), (200, 3), (201, 3), (202, 4), (268, 4)] {
            let text: String = "абвгдежзий".chars().cycle().take(chars).collect();
            let p = split(&text, 9);
            assert_eq!(p.len(), parts, "{chars} characters");
            for (i, part) in p.iter().enumerate() {
                assert_eq!(part.data_coding, DATA_CODING_UCS2);
                assert_eq!(&part.short_message[..6], &[5, 0, 3, 9, parts as u8, i as u8 + 1]);
                assert!((part.short_message.len() - 6) / 2 <= 67);
            }
            assert_eq!(text_of(&p), text);
        }
    }

    #[test]
    fn receipt_texts_name_the_message_and_its_state() {
        let text = "id:m42 sub:001 dlvrd:001 submit date:2611261200 done date:2611261201 stat:DELIVRD err:000 text:Hi";
        assert_eq!(parse_receipt(text), Some(("m42".into(), "DELIVRD".into())));
        assert_eq!(parse_receipt("nonsense"), None);
    }

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

    #[test]
    fn ascii_goes_as_ia5_and_surrogate_pairs_are_never_split() {
        let p = split(&"a".repeat(200), 3);
        assert_eq!((p.len(), p[0].data_coding, p[0].short_message.len() - 6), (2, DATA_CODING_IA5, 153));
        assert_eq!(split(&"a".repeat(160), 3).len(), 1);
        // 66 + 2 + 5 code units: the pair would straddle parts 1 and 2, so it moves to part 2.
        let emoji = format!("{}😀{}", "中".repeat(66), "中".repeat(5));
        let p = split(&emoji, 4);
        assert_eq!(p.len(), 2);
        assert_eq!((p[0].short_message.len() - 6) / 2, 66);
        assert_eq!(text_of(&p), emoji);
    }
}
