"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives, for the safeguarding tests."""

import socket
import threading
from email import message_from_bytes, policy

from aiosmtpd.controller import Controller


class Inbox:
    """Collects every message the server accepts, parsed."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        """aiosmtpd calls this with each message."""
        message = message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append({"to": list(envelope.rcpt_tos), "message": message})
        return "250 Message accepted for delivery"

    def bodies(self):
        """The plain-text body of every message received."""
        return [m["message"].get_body(("plain",)).get_content() for m in self.messages]


def free_port():
    """A TCP port on 127.0.0.1 that nothing is listening on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_smtp():
    """Start the server on a free loopback port; returns (controller, inbox)."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    return controller, inbox


class HungServer:
    """A TCP server on loopback that accepts connections and never answers (a mail server that hangs)."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.sock.settimeout(0.1)  # so the thread notices stop()
        self.stopped = False
        self.accepted = []  # the connections, held open and never written to
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while not self.stopped:
            try:
                connection, _address = self.sock.accept()
            except TimeoutError:
                continue
            self.accepted.append(connection)

    def stop(self):
        """Close the listening socket and every connection it took."""
        self.stopped = True
        self.thread.join()
        self.sock.close()
        for connection in self.accepted:
            connection.close()
