#!/usr/bin/python3
"""A real SMTP server (Debian's python3-aiosmtpd) on 127.0.0.1 for the mail tests (tests/integration/mail_test.cpp).

usage: smtp_relay.py PORT FOLDER

Writes every message it accepts to FOLDER/NNNNNN.eml (written aside, then renamed), and appends one line per RCPT TO
it answers to FOLDER/rcpt.log: "<address> <code>". Recipients whose local part starts with "refused" get 550 (a
permanent refusal); those starting with "later" get 451 (try again later) to their first two RCPT TO, then 250.
A sender (MAIL FROM) whose local part starts with "blocked" gets 530 (log in first): the whole session is refused.
Prints "listening PORT" once it accepts connections; stops on SIGTERM or SIGINT.
Run it with Debian's /usr/bin/python3 (the package's interpreter), not another python3 on PATH.
"""
import collections
import itertools
import os
import signal
import sys

from aiosmtpd.controller import Controller


class Relay:
    def __init__(self, folder):
        self.folder = folder
        self.numbers = itertools.count(1)
        self.deferred = collections.Counter()

    def log_rcpt(self, address, code):
        with open(os.path.join(self.folder, "rcpt.log"), "a", encoding="utf-8") as log:
            log.write(f"{address} {code}\n")

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if address.split("@")[0].lower().startswith("blocked"):
            return "530 5.7.0 Authentication required"
        envelope.mail_from = address
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        local = address.split("@")[0].lower()
        if local.startswith("refused"):
            answer = "550 5.1.1 Mailbox unavailable"
        elif local.startswith("later") and self.deferred[address] < 2:
            self.deferred[address] += 1
            answer = "451 4.3.0 Try again later"
        else:
            envelope.rcpt_tos.append(address)
            answer = "250 OK"
        self.log_rcpt(address, answer[:3])
        return answer

    async def handle_DATA(self, server, session, envelope):
        name = f"{next(self.numbers):06d}.eml"
        aside = os.path.join(self.folder, "." + name)
        with open(aside, "wb") as out:
            out.write(envelope.original_content or envelope.content)
        os.rename(aside, os.path.join(self.folder, name))
        return "250 Message accepted for delivery"


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    port, folder = int(sys.argv[1]), sys.argv[2]
    os.makedirs(folder, exist_ok=True)
    controller = Controller(Relay(folder), hostname="127.0.0.1", port=port)
    controller.start()
    print(f"listening {port}", flush=True)
    stop = lambda *_: (controller.stop(), sys.exit(0))
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    while True:
        signal.pause()


if __name__ == "__main__":
    main()
