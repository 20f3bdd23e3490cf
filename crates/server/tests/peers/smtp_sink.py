"""A real SMTP server for the tests (aiosmtpd): every message it accepts is appended to a
JSON-lines file with its envelope, decoded headers and parts, so the Rust tests can check
what arrived.

Usage: smtp_sink.py PORT OUTFILE [--delay SECONDS] [--starttls DIR]
--delay makes each message take that long (a dispatch batch then lasts long enough to be
interrupted); --starttls requires STARTTLS and AUTH (user `simexit`, password `secret`) with
a certificate from a test CA (trustme) whose PEM it writes to DIR/ca.pem. Runs until killed."""

import argparse
import asyncio
import email
import email.policy
import json
import os
import ssl

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class Sink:
    def __init__(self, path, delay):
        self.path = path
        self.delay = delay

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        parts = {}
        for part in msg.walk():
            if part.get_content_maintype() == "text":
                parts[part.get_content_subtype()] = part.get_content()
        login = getattr(session, "auth_data", None)
        record = {
            "from": envelope.mail_from,
            "to": envelope.rcpt_tos,
            "subject": str(msg["subject"]),
            "message_id": str(msg["message-id"]),
            "text": parts.get("plain", ""),
            "html": parts.get("html", ""),
            "tls": session.ssl is not None,
            "login": login.decode() if isinstance(login, bytes) else login,
        }
        with open(self.path, "a", encoding="utf-8") as f:
            f.write(json.dumps(record, ensure_ascii=False) + "\n")
        return "250 OK"


def authenticate(server, session, envelope, mechanism, auth_data):
    if isinstance(auth_data, LoginPassword) and auth_data.login == b"simexit" and auth_data.password == b"secret":
        return AuthResult(success=True, auth_data=auth_data.login.decode())
    return AuthResult(success=False, handled=False)


async def main(args):
    kwargs = {}
    if args.starttls:
        import trustme

        ca = trustme.CA()
        cert = ca.issue_cert("127.0.0.1", "localhost")
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        cert.configure_cert(context)
        ca.cert_pem.write_to_path(os.path.join(args.starttls, "ca.pem"))
        kwargs = dict(tls_context=context, require_starttls=True, authenticator=authenticate, auth_require_tls=True)
    controller = Controller(Sink(args.outfile, args.delay), hostname="127.0.0.1", port=args.port, **kwargs)
    controller.start()
    print("ready", flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("port", type=int)
    p.add_argument("outfile")
    p.add_argument("--delay", type=float, default=0.0)
    p.add_argument("--starttls")
    asyncio.run(main(p.parse_args()))
