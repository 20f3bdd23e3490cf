//! SMPP 3.4 protocol data units: the 16-byte header (length, command id, status, sequence
//! number) and the bodies simexit sends and receives. Used by [`super::SmppSender`] and by
//! the test SMSC, so both ends speak the same bytes.

use std::io::{self, Read, Write};

pub const BIND_TRANSMITTER: u32 = 0x0000_0002;
pub const BIND_TRANSCEIVER: u32 = 0x0000_0009;
pub const SUBMIT_SM: u32 = 0x0000_0004;
pub const DELIVER_SM: u32 = 0x0000_0005;
pub const UNBIND: u32 = 0x0000_0006;
pub const ENQUIRE_LINK: u32 = 0x0000_0015;
pub const GENERIC_NACK: u32 = 0x8000_0000;
/// A response's command id is its request's with the high bit set.
pub const RESP: u32 = 0x8000_0000;

/// `ESME_RTHROTTLED`: the SMSC wants us to slow down (retry later).
pub const ESME_RTHROTTLED: u32 = 0x0000_0058;
/// `ESME_RMSGQFUL`: the SMSC's queue is full (retry later).
pub const ESME_RMSGQFUL: u32 = 0x0000_0014;
/// `ESME_RSYSERR`: a system error of the SMSC (retry later).
pub const ESME_RSYSERR: u32 = 0x0000_0008;

/// Largest PDU accepted from the peer.
const MAX_PDU: u32 = 64 * 1024;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pdu {
    pub command_id: u32,
    pub status: u32,
    pub sequence: u32,
    pub body: Vec<u8>,
}

impl Pdu {
    pub fn new(command_id: u32, sequence: u32, body: Vec<u8>) -> Self {
        Pdu { command_id, status: 0, sequence, body }
    }

    /// The response to this request, with `status` and `body`.
    pub fn response(&self, status: u32, body: Vec<u8>) -> Pdu {
        Pdu { command_id: self.command_id | RESP, status, sequence: self.sequence, body }
    }

    pub fn encode(&self) -> Vec<u8> {
        let len = u32::try_from(16 + self.body.len()).unwrap_or(u32::MAX);
        let mut out = Vec::with_capacity(16 + self.body.len());
        for word in [len, self.command_id, self.status, self.sequence] {
            out.extend_from_slice(&word.to_be_bytes());
        }
        out.extend_from_slice(&self.body);
        out
    }

    pub fn write_to(&self, w: &mut impl Write) -> io::Result<()> {
        w.write_all(&self.encode())?;
        w.flush()
    }

    pub fn read_from(r: &mut impl Read) -> io::Result<Pdu> {
        let mut header = [0u8; 16];
        r.read_exact(&mut header)?;
        let word = |i: usize| u32::from_be_bytes([header[i], header[i + 1], header[i + 2], header[i + 3]]);
        let len = word(0);
        if !(16..=MAX_PDU).contains(&len) {
            return Err(io::Error::new(io::ErrorKind::InvalidData, format!("PDU length {len} out of range")));
        }
        let mut body = vec![0u8; (len - 16) as usize];
        r.read_exact(&mut body)?;
        Ok(Pdu { command_id: word(4), status: word(8), sequence: word(12), body })
    }
}

/// Reads a body field by field.
pub struct Fields<'a> {
    bytes: &'a [u8],
    at: usize,
}

fn short(what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, format!("PDU body ends inside {what}"))
}

impl<'a> Fields<'a> {
    pub fn new(bytes: &'a [u8]) -> Self {
        Fields { bytes, at: 0 }
    }

    /// A NUL-terminated string.
    pub fn cstring(&mut self) -> io::Result<String> {
        let rest = &self.bytes[self.at.min(self.bytes.len())..];
        let end = rest.iter().position(|&b| b == 0).ok_or_else(|| short("a C string"))?;
        self.at += end + 1;
        Ok(String::from_utf8_lossy(&rest[..end]).into_owned())
    }

    pub fn u8(&mut self) -> io::Result<u8> {
        let b = *self.bytes.get(self.at).ok_or_else(|| short("an integer"))?;
        self.at += 1;
        Ok(b)
    }

    pub fn octets(&mut self, n: usize) -> io::Result<Vec<u8>> {
        let end = self.at.checked_add(n).filter(|&e| e <= self.bytes.len()).ok_or_else(|| short("an octet string"))?;
        let v = self.bytes[self.at..end].to_vec();
        self.at = end;
        Ok(v)
    }
}

fn cstring(out: &mut Vec<u8>, s: &str) {
    out.extend_from_slice(s.as_bytes());
    out.push(0);
}

/// `bind_transmitter` / `bind_transceiver`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Bind {
    pub system_id: String,
    pub password: String,
    pub system_type: String,
    pub interface_version: u8,
    pub addr_ton: u8,
    pub addr_npi: u8,
    pub address_range: String,
}

impl Bind {
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        cstring(&mut out, &self.system_id);
        cstring(&mut out, &self.password);
        cstring(&mut out, &self.system_type);
        out.extend_from_slice(&[self.interface_version, self.addr_ton, self.addr_npi]);
        cstring(&mut out, &self.address_range);
        out
    }

    pub fn decode(body: &[u8]) -> io::Result<Bind> {
        let mut f = Fields::new(body);
        Ok(Bind {
            system_id: f.cstring()?,
            password: f.cstring()?,
            system_type: f.cstring()?,
            interface_version: f.u8()?,
            addr_ton: f.u8()?,
            addr_npi: f.u8()?,
            address_range: f.cstring()?,
        })
    }
}

/// `submit_sm`, and `deliver_sm`, which has the same body.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ShortMessage {
    pub service_type: String,
    pub source_addr_ton: u8,
    pub source_addr_npi: u8,
    pub source_addr: String,
    pub dest_addr_ton: u8,
    pub dest_addr_npi: u8,
    pub destination_addr: String,
    /// 0x40: the message starts with a user data header; 0x04: a delivery receipt.
    pub esm_class: u8,
    pub protocol_id: u8,
    pub priority_flag: u8,
    pub schedule_delivery_time: String,
    pub validity_period: String,
    /// 1: the SMSC sends a delivery receipt.
    pub registered_delivery: u8,
    pub replace_if_present_flag: u8,
    /// 0x01 IA5 (ASCII), 0x08 UCS-2.
    pub data_coding: u8,
    pub sm_default_msg_id: u8,
    pub short_message: Vec<u8>,
}

impl ShortMessage {
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(64 + self.short_message.len());
        cstring(&mut out, &self.service_type);
        out.extend_from_slice(&[self.source_addr_ton, self.source_addr_npi]);
        cstring(&mut out, &self.source_addr);
        out.extend_from_slice(&[self.dest_addr_ton, self.dest_addr_npi]);
        cstring(&mut out, &self.destination_addr);
        out.extend_from_slice(&[self.esm_class, self.protocol_id, self.priority_flag]);
        cstring(&mut out, &self.schedule_delivery_time);
        cstring(&mut out, &self.validity_period);
        out.extend_from_slice(&[
            self.registered_delivery,
            self.replace_if_present_flag,
            self.data_coding,
            self.sm_default_msg_id,
            u8::try_from(self.short_message.len()).unwrap_or(u8::MAX),
        ]);
        out.extend_from_slice(&self.short_message[..self.short_message.len().min(255)]);
        out
    }

    pub fn decode(body: &[u8]) -> io::Result<ShortMessage> {
        let mut f = Fields::new(body);
        let mut m = ShortMessage {
            service_type: f.cstring()?,
            source_addr_ton: f.u8()?,
            source_addr_npi: f.u8()?,
            source_addr: f.cstring()?,
            dest_addr_ton: f.u8()?,
            dest_addr_npi: f.u8()?,
            destination_addr: f.cstring()?,
            esm_class: f.u8()?,
            protocol_id: f.u8()?,
            priority_flag: f.u8()?,
            schedule_delivery_time: f.cstring()?,
            validity_period: f.cstring()?,
            registered_delivery: f.u8()?,
            replace_if_present_flag: f.u8()?,
            data_coding: f.u8()?,
            sm_default_msg_id: f.u8()?,
            short_message: Vec::new(),
        };
        let len = f.u8()?;
        m.short_message = f.octets(usize::from(len))?;
        Ok(m)
    }
}

/// The `id:` and `stat:` of a delivery receipt's text (SMPP 3.4 appendix B).
pub fn parse_receipt(text: &str) -> Option<(String, String)> {
    let field = |name: &str| text.split_whitespace().find_map(|w| w.strip_prefix(name)).map(str::to_owned);
    Some((field("id:")?, field("stat:")?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pdus_and_bodies_round_trip() {
        let bind =
            Bind { system_id: "simexit".into(), password: "secret".into(), interface_version: 0x34, ..Bind::default() };
        let pdu = Pdu::new(BIND_TRANSCEIVER, 7, bind.encode());
        let bytes = pdu.encode();
        assert_eq!(&bytes[..4], &(bytes.len() as u32).to_be_bytes());
        let back = Pdu::read_from(&mut bytes.as_slice()).unwrap();
        assert_eq!(back, pdu);
        assert_eq!(Bind::decode(&back.body).unwrap(), bind);
        let sm = ShortMessage {
            destination_addr: "79161234567".into(),
            data_coding: 8,
            short_message: vec![4, 0x1f],
            ..ShortMessage::default()
        };
        assert_eq!(ShortMessage::decode(&sm.encode()).unwrap(), sm);
        assert!(Pdu::read_from(&mut [0u8, 0, 0, 3].as_slice()).is_err());
    }

    #[test]
    fn receipts_name_the_message_and_its_state() {
        let text = "id:m42 sub:001 dlvrd:001 submit date:2611261200 done date:2611261201 stat:DELIVRD err:000 text:Hi";
        assert_eq!(parse_receipt(text), Some(("m42".into(), "DELIVRD".into())));
        assert_eq!(parse_receipt("nonsense"), None);
    }
}
