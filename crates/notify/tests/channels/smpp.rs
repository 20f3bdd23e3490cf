//! The SMPP client against an SMSC that shares no code with it (`smsc.rs`: python-smpplib on
//! loopback): what arrives, in which encoding and order, what the SMSC reassembles, receipts
//! read from their TLVs, a refused part resent alone, and TLS.

use std::time::{Duration, Instant};

use serde_json::Value;
use simexit_domain::notify::Rendered;
use simexit_notify::smpp::{SmppSender, SmppSettings};
use simexit_service::notifications::{Outgoing, SendError, Sender};

use crate::smsc::Smsc;

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
        timeout: Duration::from_secs(3),
        tls: false,
        tls_ca_file: None,
    }
}

fn sms(id: i64, text: &str) -> Outgoing {
    Outgoing { id, to: "+79161234567".into(), rendered: Rendered::Sms { text: text.into() }, secret: false }
}

fn russian(chars: usize) -> String {
    "Номер освободится через три дня. ".chars().cycle().take(chars).collect()
}

fn receipts(sender: &SmppSender) -> Vec<(String, String)> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let got = sender.take_receipts();
        if !got.is_empty() || Instant::now() > deadline {
            return got;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn udh(submit: &Value) -> (u64, u64, u64) {
    let u = submit["udh"].as_array().unwrap();
    (u[0].as_u64().unwrap(), u[1].as_u64().unwrap(), u[2].as_u64().unwrap())
}

#[test]
fn a_300_character_russian_sms_arrives_in_parts_the_smsc_reassembles_and_its_receipt_comes_back() {
    let Some(smsc) = Smsc::start(&[]) else { return };
    let sender = SmppSender::start(settings(smsc.port));
    let text = russian(300);
    let id = sender.send(&sms(1, &text)).unwrap();
    let submits = smsc.wait_for("submit", 5);
    println!("300 Russian characters: {} parts; the SMSC reassembled them", submits.len());
    assert_eq!(submits.len(), 5, "67 characters per UCS-2 part");
    let reference = udh(&submits[0]).0;
    for (i, s) in submits.iter().enumerate() {
        assert_eq!((s["data_coding"].as_u64(), s["esm_class"].as_u64()), (Some(8), Some(0x40)), "UCS-2 with a UDH");
        assert_eq!(udh(s), (reference, 5, i as u64 + 1), "part {}", i + 1);
        assert_eq!(s["registered_delivery"].as_u64(), Some(u64::from(i == 4)), "a receipt for the last part only");
        assert_eq!((s["destination_addr"].as_str(), s["dest_addr_ton"].as_u64()), (Some("79161234567"), Some(1)));
        assert_eq!((s["source_addr"].as_str(), s["source_addr_ton"].as_u64()), (Some("MTS"), Some(5)));
    }
    let whole = smsc.wait_for("message", 1);
    assert_eq!(whole[0]["text"].as_str(), Some(text.as_str()), "the SMSC's reassembly is the text sent");
    assert_eq!(Some(id.as_str()), submits[4]["id"].as_str(), "the last part's id is the message's");
    let binds = smsc.wait_for("bind", 1);
    assert_eq!(binds.len(), 1);
    assert_eq!(
        (binds[0]["system_id"].as_str(), binds[0]["password"].as_str(), binds[0]["interface_version"].as_u64()),
        (Some("simexit"), Some("secret"), Some(0x34))
    );
    assert_eq!(receipts(&sender), vec![(id, "DELIVRD".to_owned())], "the receipt updates the delivery state");
    assert_eq!(smsc.wait_for("receipt_acked", 1).len(), 1, "the receipt was acknowledged");
}

#[test]
fn a_part_the_smsc_refuses_is_resent_alone_under_the_same_reference() {
    let Some(smsc) = Smsc::start(&["--fail-part", "2"]) else { return };
    let sender = SmppSender::start(settings(smsc.port));
    let text = russian(300);
    let first = sender.send(&sms(7, &text));
    assert!(matches!(first, Err(SendError::Transient(_))), "throttled part 2 is worth a retry: {first:?}");
    // The dispatcher offers the message again.
    let id = sender.send(&sms(7, &text)).unwrap();
    let submits = smsc.wait_for("submit", 6);
    let seen: Vec<(u64, u64)> = submits.iter().map(|s| (udh(s).2, s["status"].as_u64().unwrap())).collect();
    println!("parts as the SMSC saw them (part, status): {seen:?}");
    assert_eq!(seen, [(1, 0), (2, 0x58), (2, 0), (3, 0), (4, 0), (5, 0)], "part 2 resent once, part 1 never");
    let references: Vec<u64> = submits.iter().map(|s| udh(s).0).collect();
    assert!(references.iter().all(|r| *r == references[0]), "one reference throughout: {references:?}");
    let whole = smsc.wait_for("message", 1);
    assert_eq!((whole.len(), whole[0]["text"].as_str()), (1, Some(text.as_str())), "reassembled once, whole");
    assert_eq!(Some(id.as_str()), submits[5]["id"].as_str());
}

#[test]
fn a_receipt_is_read_from_its_tlvs() {
    // The SMSC reports the message undeliverable (message_state 5) in its TLVs.
    let Some(smsc) = Smsc::start(&["--receipt-state", "5", "--tlv-only"]) else { return };
    let sender = SmppSender::start(settings(smsc.port));
    let id = sender.send(&sms(1, "Заявка принята")).unwrap();
    assert_eq!(receipts(&sender), vec![(id, "UNDELIV".to_owned())]);
}

#[test]
fn short_texts_go_in_one_part_ascii_as_ia5_and_chinese_as_ucs2() {
    let Some(smsc) = Smsc::start(&[]) else { return };
    let sender = SmppSender::start(settings(smsc.port));
    sender.send(&sms(1, "Code 123456. Valid for 15 minutes.")).unwrap();
    sender.send(&sms(2, "密码重置验证码：123456，15 分钟内有效。")).unwrap();
    let s = smsc.wait_for("submit", 2);
    assert_eq!((s[0]["data_coding"].as_u64(), s[0]["esm_class"].as_u64()), (Some(1), Some(0)));
    assert_eq!(s[0]["text"], "Code 123456. Valid for 15 minutes.");
    assert_eq!((s[1]["data_coding"].as_u64(), s[1]["esm_class"].as_u64()), (Some(8), Some(0)));
    assert_eq!(s[1]["text"], "密码重置验证码：123456，15 分钟内有效。");
}

/// A test CA and a certificate for 127.0.0.1, made by trustme (PyPI).
fn certificates(dir: &std::path::Path) -> Option<(String, String)> {
    let (server, ca) = (dir.join("server.pem"), dir.join("ca.pem"));
    let made = std::process::Command::new("python3")
        .args([
            "-c",
            "import sys, trustme; ca = trustme.CA(); c = ca.issue_cert('127.0.0.1'); \
             c.private_key_and_cert_chain_pem.write_to_path(sys.argv[1]); ca.cert_pem.write_to_path(sys.argv[2])",
        ])
        .arg(&server)
        .arg(&ca)
        .status()
        .is_ok_and(|s| s.success());
    made.then(|| (server.display().to_string(), ca.display().to_string()))
}

#[test]
fn smpp_over_tls_binds_to_a_trusted_smsc_and_refuses_an_unknown_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let Some((server, ca)) = certificates(dir.path()) else {
        assert!(std::env::var_os("SIMEXIT_TEST_SMPP").is_none(), "SIMEXIT_TEST_SMPP is set but trustme is missing");
        return;
    };
    let Some(smsc) = Smsc::start(&["--tls", &server, &server]) else { return };
    let trusted = SmppSender::start(SmppSettings { tls: true, tls_ca_file: Some(ca.into()), ..settings(smsc.port) });
    let id = trusted.send(&sms(1, "Заявка принята")).unwrap();
    assert_eq!(smsc.wait_for("submit", 1)[0]["text"], "Заявка принята", "the SMSC read it inside TLS");
    assert_eq!(receipts(&trusted), vec![(id, "DELIVRD".to_owned())]);
    let untrusting = SmppSender::start(SmppSettings { tls: true, ..settings(smsc.port) });
    let refused = untrusting.send(&sms(2, "never"));
    assert!(matches!(&refused, Err(SendError::Transient(e)) if e.contains("certificate")), "{refused:?}");
    assert_eq!(smsc.events("submit").len(), 1, "nothing reached the SMSC over the untrusted link");
}

#[test]
fn a_stopped_smsc_is_a_transient_failure_and_the_link_comes_back_when_it_returns() {
    let Some(smsc) = Smsc::start(&[]) else { return };
    let port = smsc.port;
    let sender = SmppSender::start(settings(port));
    sender.send(&sms(1, "first")).unwrap();
    smsc.stop();
    let down = sender.send(&sms(2, "second"));
    assert!(matches!(down, Err(SendError::Transient(_))), "{down:?}");
    let Some(smsc) = Smsc::on(port, &[]) else { return };
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
    let submits = smsc.wait_for("submit", 1).len();
    println!("SMSC restart: delivered after {attempts} offers; the new SMSC got {submits} submit_sm");
    assert_eq!(submits, 1, "the message arrived once");
    assert_eq!(smsc.wait_for("bind", 1).len(), 1, "bound again");
}
