//! The SMSC the SMPP tests talk to: `tests/peers/smsc.py`, built on python-smpplib's PDU
//! codec (PyPI `smpplib`), so no byte on the wire is read or written by simexit's own codec on
//! the far side. It reports what it received as JSON lines, collected here.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;

pub struct Smsc {
    child: Child,
    pub port: u16,
    events: Arc<Mutex<Vec<Value>>>,
}

impl Smsc {
    /// The SMSC on a free port with `args` (`--fail-part 2`, `--tls CERT KEY`…); `None` when
    /// python3 with smpplib is missing and `SIMEXIT_TEST_SMPP` is not set (CI sets it).
    pub fn start(args: &[&str]) -> Option<Smsc> {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        Smsc::on(port, args)
    }

    pub fn on(port: u16, args: &[&str]) -> Option<Smsc> {
        let have = Command::new("python3").args(["-c", "import smpplib"]).status().is_ok_and(|s| s.success());
        if !have {
            assert!(std::env::var_os("SIMEXIT_TEST_SMPP").is_none(), "SIMEXIT_TEST_SMPP is set but smpplib is missing");
            eprintln!("skipped: python3 with smpplib is needed (pip install smpplib)");
            return None;
        }
        let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../notify/tests/peers/smsc.py");
        let mut child = Command::new("python3")
            .arg(script)
            .arg(port.to_string())
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let events = Arc::new(Mutex::new(Vec::new()));
        let stdout = child.stdout.take().unwrap();
        let sink = events.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Ok(v) = serde_json::from_str::<Value>(&line) {
                    sink.lock().unwrap().push(v);
                }
            }
        });
        let smsc = Smsc { child, port, events };
        smsc.wait_for("listening", 1);
        Some(smsc)
    }

    /// The events of this kind so far.
    pub fn events(&self, kind: &str) -> Vec<Value> {
        self.events.lock().unwrap().iter().filter(|e| e["event"] == kind).cloned().collect()
    }

    /// Waits (up to 10 s) until `count` events of this kind have come.
    pub fn wait_for(&self, kind: &str, count: usize) -> Vec<Value> {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let got = self.events(kind);
            if got.len() >= count || Instant::now() > deadline {
                return got;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    #[allow(dead_code, reason = "not every test binary stops its SMSC by hand")]
    pub fn stop(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Smsc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
