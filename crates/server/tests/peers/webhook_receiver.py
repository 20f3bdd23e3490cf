#!/usr/bin/env python3
"""A webhook receiver that is not simexit's code: every delivery is verified with the
`standardwebhooks` package (PyPI, the Standard Webhooks reference library) and parsed with the
`cloudevents` package (PyPI, the CloudEvents Python SDK).

    webhook_receiver.py PORT SECRET FILE [--fail-first N]

Listens on 127.0.0.1:PORT and prints `ready` once it does. Each verified event is appended to
FILE as a JSON line {"webhook_id", "id", "type", "source", "subject", "time", "data"}; a
delivery that fails verification or parsing is answered 400 and appended as {"rejected":
reason}. With --fail-first N, the first N deliveries are answered 503 (and not recorded), as a
receiver that is down would.
"""

import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks.webhooks import Webhook

try:
    from cloudevents.http import from_json
except ImportError:  # cloudevents 2.x keeps the 1.x API under cloudevents.v1
    from cloudevents.v1.http import from_json

PORT, SECRET, FILE = int(sys.argv[1]), sys.argv[2], sys.argv[3]
FAIL_FIRST = int(sys.argv[sys.argv.index("--fail-first") + 1]) if "--fail-first" in sys.argv else 0
verifier = Webhook(SECRET)
lock = threading.Lock()
seen = {"count": 0}


def record(entry):
    with lock, open(FILE, "a", encoding="utf-8") as out:
        out.write(json.dumps(entry, ensure_ascii=False) + "\n")


class Receiver(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def answer(self, status):
        self.send_response(status)
        self.send_header("content-length", "0")
        self.end_headers()

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("content-length") or 0))
        with lock:
            seen["count"] += 1
            failing = seen["count"] <= FAIL_FIRST
        if failing:
            return self.answer(503)
        headers = {k.lower(): v for k, v in self.headers.items()}
        try:
            verifier.verify(body, headers)
            event = from_json(body)
        except Exception as refused:  # noqa: BLE001 - every refusal is recorded as such
            record({"rejected": "%s: %s" % (type(refused).__name__, refused)})
            return self.answer(400)
        record(
            {
                "webhook_id": headers.get("webhook-id"),
                "id": event["id"],
                "type": event["type"],
                "source": event["source"],
                "subject": event.get("subject"),
                "time": event.get("time"),
                "content_type": headers.get("content-type"),
                "data": event.data,
            }
        )
        self.answer(204)


server = ThreadingHTTPServer(("127.0.0.1", PORT), Receiver)
print("ready", flush=True)
server.serve_forever()
