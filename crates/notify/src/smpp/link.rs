//! The connection thread: it owns the link to the SMSC (bind, submit, enquire_link,
//! reconnect with backoff, throttling) and answers what the SMSC sends (receipts, unbind).

use std::io;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rusmpp::pdus::{BindTransceiver, BindTransmitter, DeliverSmResp, SubmitSm};
use rusmpp::tlvs::TlvValue;
use rusmpp::types::{COctetString, OctetString};
use rusmpp::values::{DataCoding, EsmClass, InterfaceVersion, MessageState, Npi, RegisteredDelivery, Ton};
use rusmpp::{Command, CommandStatus, Pdu};
use simexit_service::notifications::SendError;

use super::parts::{DATA_CODING_UCS2, Part};
use super::{Job, SmppSettings, field, lock, wire};

/// The connection thread's state.
pub(super) struct Link {
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
    /// Not connected yet: the first message connects.
    pub(super) fn new(settings: SmppSettings, receipts: Arc<Mutex<Vec<(String, String)>>>) -> Self {
        Link { settings, conn: None, sequence: 0, retry_at: None, failures: 0, receipts, last_submit: None }
    }

    pub(super) fn run(mut self, jobs: mpsc::Receiver<Job>) {
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

    #[test]
    fn receipt_texts_name_the_message_and_its_state() {
        let text = "id:m42 sub:001 dlvrd:001 submit date:2611261200 done date:2611261201 stat:DELIVRD err:000 text:Hi";
        assert_eq!(parse_receipt(text), Some(("m42".into(), "DELIVRD".into())));
        assert_eq!(parse_receipt("nonsense"), None);
    }
}
