#!/usr/bin/env python3
"""A small SMSC for simexit's SMPP tests, built on python-smpplib's PDU codec (PyPI
`smpplib`), so the bytes simexit sends are read, and the bytes it reads are written, by code
that shares nothing with simexit.

    smsc.py PORT [--tls CERT KEY] [--fail-part N] [--receipt-state N] [--tlv-only]

It accepts binds (any system_id and password, reported as received), answers submit_sm with
a message id, reassembles concatenated parts by their reference, and after a part that asks
for a receipt sends a deliver_sm delivery receipt carrying the receipted_message_id and
message_state TLVs and the usual text. `--fail-part N` answers the first submit of part N
with ESME_RTHROTTLED. Every event is one JSON line on stdout.
"""

import argparse
import json
import socket
import ssl
import struct
import sys
import threading

import smpplib.smpp as smpp

ESME_RTHROTTLED = 0x58


class Sequences:
    """smpplib asks its client for sequence numbers; the SMSC numbers its own requests."""

    def __init__(self):
        self.sequence = 0
        self.lock = threading.Lock()

    def next_sequence(self):
        with self.lock:
            self.sequence += 1
            return self.sequence


SEQ = Sequences()
LOCK = threading.Lock()
STATE = {"ids": 0, "failed": set(), "parts": {}}


def say(**event):
    with LOCK:
        sys.stdout.write(json.dumps(event, ensure_ascii=False) + "\n")
        sys.stdout.flush()


def text_of(data_coding, payload):
    if data_coding == 8:
        return payload.decode("utf-16-be")
    return payload.decode("latin-1")


def read_pdu(sock):
    header = b""
    while len(header) < 4:
        chunk = sock.recv(4 - len(header))
        if not chunk:
            return None
        header += chunk
    (length,) = struct.unpack(">L", header)
    body = b""
    while len(body) < length - 4:
        chunk = sock.recv(length - 4 - len(body))
        if not chunk:
            return None
        body += chunk
    return header + body


def answer(command, sequence, status=0, **fields):
    pdu = smpp.make_pdu(command, client=SEQ, **fields)
    pdu.sequence = sequence
    pdu.status = status
    return pdu.generate()


def str_of(value):
    return value.decode("latin-1") if isinstance(value, bytes) else (value or "")


def serve(sock, args):
    send_lock = threading.Lock()

    def send(raw):
        with send_lock:
            try:
                sock.sendall(raw)
            except OSError:  # the client went away; its next read says so
                pass

    while True:
        try:
            raw = read_pdu(sock)
        except OSError:  # the client went away mid-read (ssl.SSLError is an OSError)
            raw = None
        if raw is None:
            say(event="closed")
            return
        sequence = struct.unpack(">L", raw[12:16])[0]
        pdu = smpp.parse_pdu(raw, client=SEQ)
        command = pdu.command
        if command in ("bind_transmitter", "bind_transceiver", "bind_receiver"):
            say(
                event="bind",
                command=command,
                system_id=str_of(pdu.system_id),
                password=str_of(pdu.password),
                interface_version=pdu.interface_version,
            )
            send(answer(command + "_resp", sequence, system_id="pysmsc"))
        elif command == "submit_sm":
            short_message = pdu.short_message or b""
            udh = None
            payload = short_message
            if pdu.esm_class & 0x40:
                udh_length = short_message[0]
                header = short_message[1 : 1 + udh_length]
                if header[0] == 0x00 and header[1] == 3:
                    udh = [header[2], header[3], header[4]]
                payload = short_message[1 + udh_length :]
            with LOCK:
                fail = (
                    udh is not None
                    and udh[2] == args.fail_part
                    and (udh[0], udh[2]) not in STATE["failed"]
                )
                if fail:
                    STATE["failed"].add((udh[0], udh[2]))
                STATE["ids"] += 1
                message_id = "py%d" % STATE["ids"]
            text = text_of(pdu.data_coding, payload)
            say(
                event="submit",
                id=message_id,
                status=ESME_RTHROTTLED if fail else 0,
                source_addr=str_of(pdu.source_addr),
                source_addr_ton=pdu.source_addr_ton,
                destination_addr=str_of(pdu.destination_addr),
                dest_addr_ton=pdu.dest_addr_ton,
                data_coding=pdu.data_coding,
                esm_class=pdu.esm_class,
                registered_delivery=pdu.registered_delivery,
                udh=udh,
                text=text,
            )
            if fail:
                send(answer("submit_sm_resp", sequence, status=ESME_RTHROTTLED, message_id=""))
                continue
            send(answer("submit_sm_resp", sequence, message_id=message_id))
            if udh is not None:
                with LOCK:
                    parts = STATE["parts"].setdefault(udh[0], {})
                    parts[udh[2]] = text
                    complete = len(parts) == udh[1]
                    if complete:
                        whole = "".join(parts[i] for i in sorted(parts))
                        del STATE["parts"][udh[0]]
                if complete:
                    say(event="message", reference=udh[0], parts=udh[1], text=whole)
            else:
                say(event="message", reference=None, parts=1, text=text)
            if pdu.registered_delivery & 1:
                stat = {2: "DELIVRD", 5: "UNDELIV", 8: "REJECTD"}.get(args.receipt_state, "UNKNOWN")
                receipt_text = (
                    "id:%s sub:001 dlvrd:001 submit date:2611301200 done date:2611301201 stat:%s err:000 text:"
                    % (message_id, stat)
                ).encode("ascii")
                if args.tlv_only:
                    receipt_text = b""
                receipt = smpp.make_pdu(
                    "deliver_sm",
                    client=SEQ,
                    source_addr=str_of(pdu.destination_addr),
                    destination_addr=str_of(pdu.source_addr),
                    esm_class=0x04,
                    short_message=receipt_text,
                    receipted_message_id=message_id,
                    message_state=args.receipt_state,
                )
                receipt.sequence = SEQ.next_sequence()
                receipt.status = 0
                send(receipt.generate())
                say(event="receipt", id=message_id, message_state=args.receipt_state)
        elif command == "deliver_sm_resp":
            say(event="receipt_acked", sequence=sequence)
        elif command == "enquire_link":
            send(answer("enquire_link_resp", sequence))
            say(event="enquire_link")
        elif command == "unbind":
            send(answer("unbind_resp", sequence))
            say(event="unbind")
            return
        else:
            send(answer("generic_nack", sequence, status=0x03))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("port", type=int)
    parser.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"))
    parser.add_argument("--fail-part", type=int, default=0)
    parser.add_argument("--receipt-state", type=int, default=2)
    parser.add_argument("--tlv-only", action="store_true", help="receipts carry no text")
    args = parser.parse_args()
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", args.port))
    listener.listen(8)
    context = None
    if args.tls:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(args.tls[0], args.tls[1])
    say(event="listening", port=args.port, tls=bool(args.tls))
    while True:
        conn, _ = listener.accept()
        if context is not None:
            try:
                conn = context.wrap_socket(conn, server_side=True)
            except (ssl.SSLError, OSError) as e:
                say(event="tls_refused", error=str(e))
                conn.close()
                continue
        say(event="connected")
        threading.Thread(target=serve, args=(conn, args), daemon=True).start()


if __name__ == "__main__":
    main()
