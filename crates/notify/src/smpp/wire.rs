//! The SMPP link's bytes: a TCP or TLS stream, PDUs framed by their length and encoded and
//! decoded by `rusmpp`. Reads go through a buffer, so a wait that times out mid-PDU loses
//! nothing and the next read completes it.

use std::io::{self, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::BytesMut;
use rusmpp::Command;
use rusmpp::decode::DecodeWithLength;
use rusmpp::encode::{Encode, Length};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};

use super::SmppSettings;

/// Largest PDU accepted from the peer (a submit_sm with every TLV is far smaller).
const MAX_PDU: usize = 64 * 1024;

enum Stream {
    Plain(TcpStream),
    Tls(Box<rustls::StreamOwned<rustls::ClientConnection, TcpStream>>),
}

impl Stream {
    fn tcp(&self) -> &TcpStream {
        match self {
            Stream::Plain(s) => s,
            Stream::Tls(s) => &s.sock,
        }
    }
}

impl Read for Stream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Stream::Plain(s) => s.read(buf),
            Stream::Tls(s) => s.read(buf),
        }
    }
}

impl Write for Stream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Stream::Plain(s) => s.write(buf),
            Stream::Tls(s) => s.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Stream::Plain(s) => s.flush(),
            Stream::Tls(s) => s.flush(),
        }
    }
}

pub struct Conn {
    stream: Stream,
    buffer: Vec<u8>,
}

fn invalid(e: impl std::fmt::Display) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, e.to_string())
}

fn tls_config(settings: &SmppSettings) -> io::Result<rustls::ClientConfig> {
    let mut roots = rustls::RootCertStore::empty();
    match &settings.tls_ca_file {
        Some(file) => {
            for cert in CertificateDer::pem_file_iter(file).map_err(|e| invalid(format!("{}: {e}", file.display())))? {
                roots.add(cert.map_err(invalid)?).map_err(invalid)?;
            }
        }
        None => roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned()),
    }
    rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .map_err(invalid)
        .map(|b| b.with_root_certificates(roots).with_no_client_auth())
}

impl Conn {
    /// Connects (and with `tls`, completes the TLS handshake, the certificate checked).
    pub fn open(settings: &SmppSettings) -> io::Result<Conn> {
        let addr = (settings.host.as_str(), settings.port)
            .to_socket_addrs()?
            .next()
            .ok_or_else(|| io::Error::other(format!("{} does not resolve", settings.host)))?;
        let tcp = TcpStream::connect_timeout(&addr, settings.timeout)?;
        tcp.set_read_timeout(Some(settings.timeout))?;
        tcp.set_write_timeout(Some(settings.timeout))?;
        tcp.set_nodelay(true)?;
        let stream = if settings.tls {
            let name = ServerName::try_from(settings.host.clone()).map_err(invalid)?;
            let client = rustls::ClientConnection::new(Arc::new(tls_config(settings)?), name).map_err(invalid)?;
            let mut tls = rustls::StreamOwned::new(client, tcp);
            while tls.conn.is_handshaking() {
                tls.conn.complete_io(&mut tls.sock)?;
            }
            Stream::Tls(Box::new(tls))
        } else {
            Stream::Plain(tcp)
        };
        Ok(Conn { stream, buffer: Vec::new() })
    }

    pub fn send(&mut self, command: &Command) -> io::Result<()> {
        let length = 4 + command.length();
        let mut bytes = vec![0u8; length];
        bytes[..4].copy_from_slice(&u32::try_from(length).map_err(invalid)?.to_be_bytes());
        command.encode(&mut bytes[4..]);
        self.stream.write_all(&bytes)?;
        self.stream.flush()
    }

    /// The next PDU, waiting up to `wait`; `None` when none came in time.
    pub fn recv(&mut self, wait: Duration) -> io::Result<Option<Command>> {
        let deadline = Instant::now() + wait;
        loop {
            if let Some(command) = self.take()? {
                return Ok(Some(command));
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Ok(None);
            }
            self.stream.tcp().set_read_timeout(Some(left.max(Duration::from_millis(1))))?;
            let mut chunk = [0u8; 4096];
            match self.stream.read(&mut chunk) {
                Ok(0) => return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "the SMSC closed the link")),
                Ok(n) => self.buffer.extend_from_slice(&chunk[..n]),
                Err(e) if matches!(e.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut) => {}
                Err(e) => return Err(e),
            }
        }
    }

    /// A whole PDU from the buffer, if one is there.
    fn take(&mut self) -> io::Result<Option<Command>> {
        if self.buffer.len() < 4 {
            return Ok(None);
        }
        let length =
            usize::try_from(u32::from_be_bytes([self.buffer[0], self.buffer[1], self.buffer[2], self.buffer[3]]))
                .map_err(invalid)?;
        if !(16..=MAX_PDU).contains(&length) {
            return Err(invalid(format!("PDU length {length} out of range")));
        }
        if self.buffer.len() < length {
            return Ok(None);
        }
        let mut body = BytesMut::from(&self.buffer[4..length]);
        self.buffer.drain(..length);
        let (command, _) = Command::decode(&mut body, length - 4).map_err(invalid)?;
        Ok(Some(command))
    }
}
