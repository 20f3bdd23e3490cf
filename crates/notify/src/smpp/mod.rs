//! SMS over SMPP 3.4: a client that binds to the operator's SMSC as a transmitter or
//! transceiver, submits each message as one `submit_sm` or as concatenated parts, keeps the
//! link alive with `enquire_link`, reconnects with backoff, throttles to a configured rate
//! and collects delivery receipts.
//!
//! Text that is plain ASCII goes as IA5 (160 characters, 153 per concatenated part); any
//! other text (Cyrillic, Chinese) as UCS-2 (70 characters, 67 per part). Parts carry a user
//! data header `05 00 03 ref total seq`; only the last part asks for a delivery receipt, and
//! its message id is the message's provider id.
//!
//! One thread owns the connection; `send` hands it a message and waits for the SMSC's
//! answer, so messages go out in order and the socket is never shared.

pub mod pdu;

use std::io;
use std::net::{TcpStream, ToSocketAddrs};
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use pdu::{Bind, Pdu, ShortMessage};
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
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmppSettings {
    pub host: String,
    pub port: u16,
    pub system_id: String,
    pub password: String,
    pub system_type: String,
    /// The sender shown to subscribers (an alphanumeric name or a short number).
    pub source_addr: String,
    /// Bind as a `transceiver` (receipts come on the same link) or a `transmitter`.
    pub bind: String,
    /// Submits per second at most (0: no limit).
    pub rate_per_second: u32,
    /// Idle seconds between `enquire_link`s.
    pub enquire_link_secs: u64,
    /// How long to wait for the SMSC's answer.
    pub timeout: Duration,
}

enum Job {
    Submit { to: String, parts: Vec<Part>, reply: mpsc::Sender<Result<String, SendError>> },
}

/// The SMPP channel; see the module documentation.
pub struct SmppSender {
    jobs: Mutex<mpsc::Sender<Job>>,
    receipts: Arc<Mutex<Vec<(String, String)>>>,
    reference: AtomicU8,
    timeout: Duration,
}

impl SmppSender {
    /// Starts the connection thread; it connects on the first message.
    pub fn start(settings: SmppSettings) -> Self {
        let (tx, rx) = mpsc::channel();
        let receipts = Arc::new(Mutex::new(Vec::new()));
        let timeout = settings.timeout;
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
        SmppSender { jobs: Mutex::new(tx), receipts, reference: AtomicU8::new(1), timeout }
    }
}

impl Sender for SmppSender {
    fn send(&self, m: &Outgoing) -> Result<String, SendError> {
        let Rendered::Sms { text } = &m.rendered else {
            return Err(SendError::Permanent("not an SMS".into()));
        };
        let to = m.to.trim_start_matches('+').to_owned();
        if to.is_empty() || !to.bytes().all(|b| b.is_ascii_digit()) {
            return Err(SendError::Permanent(format!("`{}` is not a phone number", m.to)));
        }
        let parts = split(text, self.reference.fetch_add(1, Ordering::Relaxed));
        let (reply, answer) = mpsc::channel();
        let jobs = self.jobs.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        jobs.send(Job::Submit { to, parts, reply })
            .map_err(|_| SendError::Transient("the SMPP thread stopped".into()))?;
        drop(jobs);
        // Each part may wait for the throttle and the SMSC.
        answer
            .recv_timeout(self.timeout * 4)
            .map_err(|_| SendError::Transient("no answer from the SMPP thread".into()))?
    }

    fn kind(&self) -> &'static str {
        "smpp"
    }

    fn take_receipts(&self) -> Vec<(String, String)> {
        std::mem::take(&mut *self.receipts.lock().unwrap_or_else(std::sync::PoisonError::into_inner))
    }
}

/// The connection thread's state.
struct Link {
    settings: SmppSettings,
    conn: Option<TcpStream>,
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

impl Link {
    fn run(mut self, jobs: mpsc::Receiver<Job>) {
        let mut idle_since = Instant::now();
        loop {
            match jobs.recv_timeout(Duration::from_millis(200)) {
                Ok(Job::Submit { to, parts, reply }) => {
                    let result = self.submit(&to, &parts);
                    if let Err(SendError::Transient(e)) = &result {
                        tracing::warn!(error = %e, "SMPP submit failed; the link will be re-established");
                        self.conn = None;
                    }
                    let _ = reply.send(result);
                    idle_since = Instant::now();
                }
                Err(RecvTimeoutError::Timeout) => {
                    if self.conn.is_some() {
                        if let Err(e) = self.poll_incoming() {
                            tracing::warn!(error = %e, "SMPP link lost");
                            self.conn = None;
                        } else if idle_since.elapsed() >= Duration::from_secs(self.settings.enquire_link_secs.max(1)) {
                            if let Err(e) = self.enquire_link() {
                                tracing::warn!(error = %e, "SMPP enquire_link failed");
                                self.conn = None;
                            }
                            idle_since = Instant::now();
                        }
                    }
                }
                Err(RecvTimeoutError::Disconnected) => {
                    if let Some(mut c) = self.conn.take() {
                        let seq = self.next_sequence();
                        let _ = Pdu::new(pdu::UNBIND, seq, Vec::new()).write_to(&mut c);
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
            Ok(stream) => {
                tracing::info!(host = %self.settings.host, "SMPP bound");
                self.conn = Some(stream);
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

    fn bind(&mut self) -> Result<TcpStream, SendError> {
        let s = &self.settings;
        let addr = (s.host.as_str(), s.port)
            .to_socket_addrs()
            .map_err(transient)?
            .next()
            .ok_or_else(|| transient(format!("{} does not resolve", s.host)))?;
        let mut stream = TcpStream::connect_timeout(&addr, s.timeout).map_err(transient)?;
        stream.set_read_timeout(Some(s.timeout)).map_err(transient)?;
        stream.set_nodelay(true).map_err(transient)?;
        let command = if s.bind == "transmitter" { pdu::BIND_TRANSMITTER } else { pdu::BIND_TRANSCEIVER };
        let body = Bind {
            system_id: s.system_id.clone(),
            password: s.password.clone(),
            system_type: s.system_type.clone(),
            interface_version: 0x34,
            ..Bind::default()
        };
        let seq = self.next_sequence();
        Pdu::new(command, seq, body.encode()).write_to(&mut stream).map_err(transient)?;
        let resp = Pdu::read_from(&mut stream).map_err(transient)?;
        if resp.command_id != command | pdu::RESP || resp.sequence != seq {
            return Err(transient(format!("unexpected answer {:#x} to bind", resp.command_id)));
        }
        if resp.status != 0 {
            return Err(SendError::Transient(format!("smpp: bind refused with status {:#x}", resp.status)));
        }
        Ok(stream)
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

    fn submit(&mut self, to: &str, parts: &[Part]) -> Result<String, SendError> {
        self.connect()?;
        let mut last_id = String::new();
        for (i, part) in parts.iter().enumerate() {
            self.throttle();
            let sm = ShortMessage {
                source_addr_ton: 5, // alphanumeric
                source_addr: self.settings.source_addr.clone(),
                dest_addr_ton: 1, // international
                dest_addr_npi: 1, // E.164
                destination_addr: to.to_owned(),
                esm_class: part.esm_class,
                registered_delivery: u8::from(i + 1 == parts.len()),
                data_coding: part.data_coding,
                short_message: part.short_message.clone(),
                ..ShortMessage::default()
            };
            let seq = self.next_sequence();
            let resp = self.call(Pdu::new(pdu::SUBMIT_SM, seq, sm.encode()))?;
            match resp.status {
                0 => last_id = pdu::Fields::new(&resp.body).cstring().map_err(transient)?,
                s @ (pdu::ESME_RTHROTTLED | pdu::ESME_RMSGQFUL | pdu::ESME_RSYSERR) => {
                    return Err(SendError::Transient(format!("smpp: submit_sm status {s:#x}")));
                }
                s => return Err(SendError::Permanent(format!("smpp: submit_sm refused with status {s:#x}"))),
            }
        }
        Ok(last_id)
    }

    /// Sends a request and reads until its response, answering what the SMSC sends meanwhile.
    fn call(&mut self, request: Pdu) -> Result<Pdu, SendError> {
        let stream = self.conn.as_mut().ok_or_else(|| transient("not connected"))?;
        request.write_to(stream).map_err(transient)?;
        loop {
            let stream = self.conn.as_mut().ok_or_else(|| transient("not connected"))?;
            let pdu = Pdu::read_from(stream).map_err(transient)?;
            if pdu.command_id == request.command_id | pdu::RESP && pdu.sequence == request.sequence {
                return Ok(pdu);
            }
            if pdu.command_id == pdu::GENERIC_NACK && pdu.sequence == request.sequence {
                return Err(SendError::Permanent(format!("smpp: generic_nack status {:#x}", pdu.status)));
            }
            self.answer(pdu).map_err(transient)?;
        }
    }

    /// Handles a PDU the SMSC initiated: receipts, enquire_link, unbind.
    fn answer(&mut self, pdu: Pdu) -> io::Result<()> {
        let stream = self.conn.as_mut().ok_or_else(|| io::Error::other("not connected"))?;
        match pdu.command_id {
            pdu::DELIVER_SM => {
                if let Ok(sm) = ShortMessage::decode(&pdu.body)
                    && sm.esm_class & 0x04 != 0
                    && let Some(receipt) = pdu::parse_receipt(&String::from_utf8_lossy(&sm.short_message))
                {
                    self.receipts.lock().unwrap_or_else(std::sync::PoisonError::into_inner).push(receipt);
                }
                pdu.response(0, vec![0]).write_to(stream)
            }
            pdu::ENQUIRE_LINK => pdu.response(0, Vec::new()).write_to(stream),
            pdu::UNBIND => {
                pdu.response(0, Vec::new()).write_to(stream)?;
                Err(io::Error::new(io::ErrorKind::ConnectionAborted, "the SMSC unbound"))
            }
            id if id & pdu::RESP != 0 => Ok(()), // a late response: nothing waits for it
            _ => pdu.response(pdu::ESME_RSYSERR, Vec::new()).write_to(stream),
        }
    }

    /// Reads what the SMSC sent while we were idle, without blocking for long.
    fn poll_incoming(&mut self) -> io::Result<()> {
        loop {
            let stream = self.conn.as_mut().ok_or_else(|| io::Error::other("not connected"))?;
            stream.set_read_timeout(Some(Duration::from_millis(10)))?;
            let mut probe = [0u8; 1];
            let ready = match stream.peek(&mut probe) {
                Ok(0) => return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "the SMSC closed the link")),
                Ok(_) => true,
                Err(e) if matches!(e.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut) => false,
                Err(e) => return Err(e),
            };
            stream.set_read_timeout(Some(self.settings.timeout))?;
            if !ready {
                return Ok(());
            }
            let pdu = Pdu::read_from(stream)?;
            self.answer(pdu)?;
        }
    }

    fn enquire_link(&mut self) -> Result<(), SendError> {
        let seq = self.next_sequence();
        self.call(Pdu::new(pdu::ENQUIRE_LINK, seq, Vec::new())).map(drop)
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
