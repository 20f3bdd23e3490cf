//! The HTTP SMS gateway adapter against a small HTTP server that records what it got and
//! answers with the status it is told to.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use simexit_domain::notify::Rendered;
use simexit_notify::http_sms::{HttpSmsSender, HttpSmsSettings};
use simexit_service::notifications::{Outgoing, SendError, Sender};

/// (headers in lower case, body) of each request.
type Seen = Arc<Mutex<Vec<(Vec<String>, String)>>>;

/// Answers each request with the next of `answers` (status, body).
fn gateway(answers: Vec<(u16, &'static str)>) -> (String, Seen) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/sms", listener.local_addr().unwrap());
    let seen: Seen = Arc::default();
    let record = seen.clone();
    std::thread::spawn(move || {
        for (status, body) in answers {
            let (stream, _) = listener.accept().unwrap();
            let mut reader = BufReader::new(stream);
            let mut headers = Vec::new();
            let mut length = 0;
            loop {
                let mut line = String::new();
                reader.read_line(&mut line).unwrap();
                let line = line.trim_end().to_lowercase();
                if line.is_empty() {
                    break;
                }
                if let Some(v) = line.strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap();
                }
                headers.push(line);
            }
            let mut buf = vec![0; length];
            reader.read_exact(&mut buf).unwrap();
            record.lock().unwrap().push((headers, String::from_utf8(buf).unwrap()));
            let mut stream = reader.into_inner();
            write!(stream, "HTTP/1.1 {status} X\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}", body.len())
                .unwrap();
        }
    });
    (url, seen)
}

fn sender(url: String) -> HttpSmsSender {
    HttpSmsSender::new(HttpSmsSettings { url, token: "t0ken".into(), timeout: Duration::from_secs(5) })
}

fn sms(id: i64) -> Outgoing {
    Outgoing {
        id,
        to: "+79161234567".into(),
        rendered: Rendered::Sms { text: "Заявка № 5 принята".into() },
        secret: false,
    }
}

#[test]
fn the_gateway_gets_the_documented_json_with_auth_and_an_idempotency_key() {
    let (url, seen) = gateway(vec![(200, r#"{"id":"gw-77"}"#), (202, "")]);
    let s = sender(url);
    assert_eq!(s.send(&sms(5)).unwrap(), "gw-77");
    assert_eq!(s.send(&sms(6)).unwrap(), "simexit-outbox-6", "no id in the answer: the idempotency key");
    let seen = seen.lock().unwrap();
    let (headers, body) = &seen[0];
    assert!(headers.contains(&"authorization: bearer t0ken".to_owned()), "{headers:?}");
    assert!(headers.contains(&"idempotency-key: simexit-outbox-5".to_owned()), "{headers:?}");
    let body: serde_json::Value = serde_json::from_str(body).unwrap();
    assert_eq!(body, serde_json::json!({ "id": "5", "to": "+79161234567", "text": "Заявка № 5 принята" }));
}

#[test]
fn server_errors_are_retried_and_refusals_are_not() {
    let (url, _) = gateway(vec![(503, "busy"), (429, "slow down"), (400, "bad number")]);
    let s = sender(url);
    assert!(matches!(s.send(&sms(1)), Err(SendError::Transient(e)) if e.contains("503")));
    assert!(matches!(s.send(&sms(1)), Err(SendError::Transient(e)) if e.contains("429")));
    assert!(matches!(s.send(&sms(1)), Err(SendError::Permanent(e)) if e.contains("400")));
    let closed = sender("http://127.0.0.1:1/sms".into());
    assert!(matches!(closed.send(&sms(1)), Err(SendError::Transient(_))), "nothing listening: retried");
}
