//! The SMPP client against a real SMPP peer over TCP on loopback (the test SMSC of
//! `smsc.rs`, built on the same PDU codec): what PDUs arrive, in which encoding and order.

use std::time::{Duration, Instant};

use crate::smsc::Smsc;
use simexit_domain::notify::Rendered;
use simexit_notify::smpp::{DATA_CODING_IA5, DATA_CODING_UCS2, ESM_UDHI, SmppSender, SmppSettings};
use simexit_service::notifications::{Outgoing, SendError, Sender};

fn settings(port: u16) -> SmppSettings {
    SmppSettings {
        host: "127.0.0.1".into(),
        port,
        system_id: "simexit".into(),
        password: "secret".into(),
        system_type: String::new(),
        source_addr: "MTS".into(),
        bind: "transceiver".into(),
        rate_per_second: 0,
        enquire_link_secs: 30,
        timeout: Duration::from_secs(2),
    }
}

fn sms(id: i64, text: &str) -> Outgoing {
    Outgoing { id, to: "+79161234567".into(), rendered: Rendered::Sms { text: text.into() }, secret: false }
}

fn ucs2(bytes: &[u8]) -> String {
    String::from_utf16(&bytes.chunks(2).map(|c| u16::from_be_bytes([c[0], c[1]])).collect::<Vec<_>>()).unwrap()
}

#[test]
fn a_long_russian_sms_arrives_as_numbered_ucs2_parts_in_order() {
    let smsc = Smsc::start();
    let sender = SmppSender::start(settings(smsc.port));
    for (chars, parts) in [(200, 3), (268, 4)] {
        let text: String = "Номер освободится через три дня. ".chars().cycle().take(chars).collect();
        let before = smsc.received.lock().unwrap().submits.len();
        let id = sender.send(&sms(1, &text)).unwrap();
        let r = smsc.received.lock().unwrap();
        let got = &r.submits[before..];
        println!("{chars} Russian characters: {} parts", got.len());
        assert_eq!(got.len(), parts, "{chars} characters at 67 per part");
        assert_eq!(id, got.last().unwrap().1, "the last part's id is the message's");
        let reference = got[0].2.short_message[3];
        let mut whole = String::new();
        for (i, (_, _, sm)) in got.iter().enumerate() {
            assert_eq!((sm.data_coding, sm.esm_class), (DATA_CODING_UCS2, ESM_UDHI));
            assert_eq!(
                &sm.short_message[..6],
                &[5, 0, 3, reference, parts as u8, i as u8 + 1],
                "UDH of part {}",
                i + 1
            );
            assert!(sm.short_message.len() - 6 <= 134, "at most 67 characters per part");
            assert_eq!(sm.registered_delivery, u8::from(i + 1 == parts), "a receipt for the last part only");
            assert_eq!(
                (sm.destination_addr.as_str(), sm.dest_addr_ton, sm.source_addr.as_str()),
                ("79161234567", 1, "MTS")
            );
            whole.push_str(&ucs2(&sm.short_message[6..]));
        }
        assert_eq!(whole, text);
        let sequences: Vec<u32> = got.iter().map(|s| s.0).collect();
        assert!(sequences.windows(2).all(|w| w[1] == w[0] + 1), "sequence numbers rise by one: {sequences:?}");
    }
    let r = smsc.received.lock().unwrap();
    assert_eq!(r.binds.len(), 1, "one bind for every message");
    let (bind_seq, bind) = &r.binds[0];
    assert_eq!((bind.system_id.as_str(), bind.password.as_str(), bind.interface_version), ("simexit", "secret", 0x34));
    assert!(r.submits[0].0 > *bind_seq);
}

#[test]
fn short_texts_go_in_one_part_ascii_as_ia5_and_chinese_as_ucs2() {
    let smsc = Smsc::start();
    let sender = SmppSender::start(settings(smsc.port));
    sender.send(&sms(1, "Code 123456. Valid for 15 minutes.")).unwrap();
    sender.send(&sms(2, "密码重置验证码：123456，15 分钟内有效。")).unwrap();
    let r = smsc.received.lock().unwrap();
    let (ascii, chinese) = (&r.submits[0].2, &r.submits[1].2);
    assert_eq!((ascii.data_coding, ascii.esm_class), (DATA_CODING_IA5, 0));
    assert_eq!(ascii.short_message, b"Code 123456. Valid for 15 minutes.");
    assert_eq!((chinese.data_coding, chinese.esm_class), (DATA_CODING_UCS2, 0));
    assert_eq!(ucs2(&chinese.short_message), "密码重置验证码：123456，15 分钟内有效。");
}

#[test]
fn delivery_receipts_come_back_with_the_message_id() {
    let smsc = Smsc::start();
    let sender = SmppSender::start(settings(smsc.port));
    let id = sender.send(&sms(1, "Заявка принята")).unwrap();
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut receipts = Vec::new();
    while receipts.is_empty() && Instant::now() < deadline {
        receipts = sender.take_receipts();
        std::thread::yield_now();
    }
    assert_eq!(receipts, vec![(id, "DELIVRD".to_owned())]);
}

#[test]
fn a_stopped_smsc_is_a_transient_failure_and_the_link_comes_back_when_it_returns() {
    let smsc = Smsc::start();
    let port = smsc.port;
    let sender = SmppSender::start(settings(port));
    sender.send(&sms(1, "first")).unwrap();
    smsc.stop();
    let down = sender.send(&sms(2, "second"));
    assert!(matches!(down, Err(SendError::Transient(_))), "{down:?}");
    let smsc = Smsc::on(port);
    // The client reconnects with backoff: keep offering the message, as the dispatcher does.
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut attempts = 0;
    let result = loop {
        attempts += 1;
        match sender.send(&sms(2, "second")) {
            Ok(id) => break Ok(id),
            Err(e) if Instant::now() > deadline => break Err(e),
            Err(_) => std::thread::sleep(Duration::from_millis(100)),
        }
    };
    assert!(result.is_ok(), "{result:?}");
    let r = smsc.received.lock().unwrap();
    println!("SMSC restart: delivered after {attempts} offers; the new SMSC got {} submit_sm", r.submits.len());
    assert_eq!(r.submits.len(), 1, "the message arrived once");
    assert_eq!(r.binds.len(), 1, "bound again");
}
