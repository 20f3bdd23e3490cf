//! A small SMSC for tests, speaking SMPP 3.4 over TCP on loopback with the same PDU codec
//! as the client: it accepts binds, answers `submit_sm` with message ids `m1`, `m2`…, keeps
//! every PDU it received, and sends a delivery receipt for each part that asks for one.

use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use simexit_notify::smpp::pdu::{self, Bind, Pdu, ShortMessage};

#[derive(Default)]
pub struct Received {
    pub binds: Vec<(u32, Bind)>,
    /// (sequence number, message id given, the message).
    pub submits: Vec<(u32, String, ShortMessage)>,
    pub enquire_links: usize,
}

pub struct Smsc {
    pub port: u16,
    pub received: Arc<Mutex<Received>>,
    stop: Arc<AtomicBool>,
    streams: Arc<Mutex<Vec<TcpStream>>>,
    accept: Option<std::thread::JoinHandle<()>>,
}

impl Smsc {
    pub fn start() -> Smsc {
        Smsc::on(0)
    }

    pub fn on(port: u16) -> Smsc {
        let listener = TcpListener::bind(("127.0.0.1", port)).unwrap();
        let port = listener.local_addr().unwrap().port();
        listener.set_nonblocking(true).unwrap();
        let received = Arc::new(Mutex::new(Received::default()));
        let stop = Arc::new(AtomicBool::new(false));
        let streams = Arc::new(Mutex::new(Vec::new()));
        let ids = Arc::new(AtomicU32::new(0));
        let accept = {
            let (received, stop, streams) = (received.clone(), stop.clone(), streams.clone());
            std::thread::spawn(move || {
                while !stop.load(Ordering::SeqCst) {
                    match listener.accept() {
                        Ok((stream, _)) => {
                            stream.set_nonblocking(false).unwrap();
                            streams.lock().unwrap().push(stream.try_clone().unwrap());
                            let (received, ids) = (received.clone(), ids.clone());
                            std::thread::spawn(move || serve(stream, received, ids));
                        }
                        Err(_) => std::thread::sleep(Duration::from_millis(5)),
                    }
                }
            })
        };
        Smsc { port, received, stop, streams, accept: Some(accept) }
    }

    /// Stops listening and drops every link, as a crashed SMSC would.
    pub fn stop(mut self) {
        self.halt();
    }

    fn halt(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(a) = self.accept.take() {
            let _ = a.join();
        }
        for s in self.streams.lock().unwrap().drain(..) {
            let _ = s.shutdown(Shutdown::Both);
        }
    }
}

impl Drop for Smsc {
    fn drop(&mut self) {
        self.halt();
    }
}

fn serve(mut stream: TcpStream, received: Arc<Mutex<Received>>, ids: Arc<AtomicU32>) {
    let mut own_sequence = 0x4000_0000u32;
    while let Ok(p) = Pdu::read_from(&mut stream) {
        let answer = match p.command_id {
            pdu::BIND_TRANSCEIVER | pdu::BIND_TRANSMITTER => {
                received.lock().unwrap().binds.push((p.sequence, Bind::decode(&p.body).unwrap()));
                p.response(0, b"test-smsc\0".to_vec())
            }
            pdu::SUBMIT_SM => {
                let sm = ShortMessage::decode(&p.body).unwrap();
                let id = format!("m{}", ids.fetch_add(1, Ordering::SeqCst) + 1);
                let wants_receipt = sm.registered_delivery == 1;
                let to = sm.destination_addr.clone();
                received.lock().unwrap().submits.push((p.sequence, id.clone(), sm));
                let mut body = id.clone().into_bytes();
                body.push(0);
                if p.response(0, body).write_to(&mut stream).is_err() {
                    return;
                }
                if wants_receipt {
                    own_sequence += 1;
                    let receipt = ShortMessage {
                        source_addr: to,
                        esm_class: 0x04,
                        short_message: format!(
                            "id:{id} sub:001 dlvrd:001 submit date:2611261200 done date:2611261200 stat:DELIVRD err:000 text:"
                        )
                        .into_bytes(),
                        ..ShortMessage::default()
                    };
                    if Pdu::new(pdu::DELIVER_SM, own_sequence, receipt.encode()).write_to(&mut stream).is_err() {
                        return;
                    }
                }
                continue;
            }
            pdu::ENQUIRE_LINK => {
                received.lock().unwrap().enquire_links += 1;
                p.response(0, Vec::new())
            }
            pdu::UNBIND => {
                let _ = p.response(0, Vec::new()).write_to(&mut stream);
                return;
            }
            id if id & pdu::RESP != 0 => continue, // deliver_sm_resp
            _ => Pdu { command_id: pdu::GENERIC_NACK, status: 0x03, sequence: p.sequence, body: Vec::new() },
        };
        if answer.write_to(&mut stream).is_err() {
            return;
        }
    }
}
