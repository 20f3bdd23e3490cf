#!/usr/bin/env python3
"""A payment provider speaking simexit's generic provider contract (docs/PAYMENTS.md),
written from that document with Python's standard library only: none of simexit's code
signs or reads what passes between them.

    payment_provider.py API_KEY NOTIFICATION_SECRET

Binds a free port on 127.0.0.1 and prints `ready PORT`. The provider's API:

    POST /v1/payments            start a payment (Bearer API_KEY, Idempotency-Key)
    GET  /v1/payments/{id}       what the provider holds of it (Bearer API_KEY)
    POST /v1/refunds             refund a succeeded payment to its card (Idempotency-Key)

and, standing for the payer and the provider's own machinery, a control call:

    POST /checkout/{id}  {"notify_url", "pay": true|false, "sent_at",
                          "claim_amount"?, "secret"?}

which settles the payment on the provider's side (paid or cancelled) and sends the signed
notification to `notify_url`; `claim_amount` and `secret` let a test send what a forger
would. It answers with simexit's status and body.
"""

import hashlib
import hmac
import itertools
import json
import sys
import threading
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

API_KEY, SECRET = sys.argv[1], sys.argv[2]
payments = {}
by_key = {}
refunds = {}
lock = threading.Lock()
ids = itertools.count(1)


def notify(url, payment, amount, sent_at, secret):
    body = json.dumps(
        {
            "event": "payment." + payment["status"],
            "payment_id": payment["id"],
            "amount": amount,
            "currency": "RUB",
            "reference": payment["reference"],
            "sent_at": sent_at,
        }
    ).encode()
    signature = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={"content-type": "application/json", "x-signature": signature},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, json.loads(answer.read() or b"null")
    except urllib.error.HTTPError as refused:
        return refused.code, json.loads(refused.read() or b"null")


class Provider(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def reply(self, status, value):
        body = json.dumps(value).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def authorized(self):
        if self.headers.get("authorization") != "Bearer " + API_KEY:
            self.reply(401, {"error": "unauthorized"})
            return False
        return True

    def do_GET(self):
        parts = self.path.split("/")
        if self.path.startswith("/v1/payments/") and len(parts) == 4:
            if not self.authorized():
                return
            with lock:
                payment = payments.get(parts[3])
            if payment is None:
                return self.reply(404, {"error": "no such payment"})
            return self.reply(200, payment)
        self.reply(404, {"error": "not found"})

    def do_POST(self):
        raw = self.rfile.read(int(self.headers.get("content-length") or 0))
        if self.path == "/v1/payments":
            if not self.authorized():
                return
            asked = json.loads(raw)
            key = self.headers.get("idempotency-key")
            if not key or asked.get("currency") != "RUB" or not isinstance(asked.get("amount"), int):
                return self.reply(400, {"error": "amount, currency RUB and an Idempotency-Key are needed"})
            with lock:
                if key in by_key:
                    return self.reply(200, payments[by_key[key]])
                pid = "pp_%d" % next(ids)
                payment = {
                    "id": pid,
                    "status": "pending",
                    "amount": asked["amount"],
                    "currency": "RUB",
                    "reference": asked["reference"],
                    "description": asked.get("description", ""),
                    "confirmation_url": "http://127.0.0.1:%d/checkout/%s" % (PORT, pid),
                }
                payments[pid] = payment
                by_key[key] = pid
            return self.reply(201, payment)
        if self.path == "/v1/refunds":
            if not self.authorized():
                return
            asked = json.loads(raw)
            key = self.headers.get("idempotency-key")
            with lock:
                if key in refunds:
                    return self.reply(200, refunds[key])
                payment = payments.get(asked.get("payment_id"))
                if payment is None or payment["status"] != "succeeded":
                    return self.reply(409, {"error": "no succeeded payment to refund"})
                done = sum(r["amount"] for r in refunds.values() if r["payment_id"] == payment["id"])
                if not key or asked.get("currency") != "RUB" or done + asked.get("amount", 0) > payment["amount"]:
                    return self.reply(400, {"error": "more than was paid, or no Idempotency-Key"})
                refund = {"id": "rf_%d" % next(ids), "status": "succeeded", "payment_id": payment["id"],
                          "amount": asked["amount"]}
                refunds[key] = refund
            return self.reply(201, refund)
        if self.path.startswith("/checkout/"):
            order = json.loads(raw or b"{}")
            with lock:
                payment = payments.get(self.path.split("/")[2])
                if payment is None:
                    return self.reply(404, {"error": "no such payment"})
                if payment["status"] == "pending":
                    payment["status"] = "succeeded" if order.get("pay", True) else "canceled"
                payment = dict(payment)
            status, answer = notify(
                order["notify_url"],
                payment,
                order.get("claim_amount", payment["amount"]),
                order["sent_at"],
                order.get("secret", SECRET),
            )
            return self.reply(200, {"simexit_status": status, "simexit_answer": answer})
        self.reply(404, {"error": "not found"})


server = ThreadingHTTPServer(("127.0.0.1", 0), Provider)
PORT = server.server_address[1]
print("ready %d" % PORT, flush=True)
server.serve_forever()
