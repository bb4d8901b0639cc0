"""A throwaway redis-server on a free loopback port (Debian's `redis-server`), for the Redis backends' tests.

No persistence (no RDB snapshots, no append-only file), its own empty working folder, stopped at the end.
"""

import os
import shutil
import socket
import subprocess
import tempfile
import time

from safeguarding_smtp import free_port


class RedisServer:
    """One redis-server process; `url` is its address (database 0)."""

    def __init__(self):
        binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        if not os.path.exists(binary):
            raise RuntimeError("redis-server is not installed: `apt-get install redis-server` (`make test` does it).")
        self.port = free_port()
        self.folder = tempfile.mkdtemp(prefix="redis-test-")
        command = [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                   "--dir", self.folder, "--protected-mode", "yes", "--loglevel", "warning"]  # fmt: skip
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self._wait_until_listening()

    def _wait_until_listening(self, seconds=20):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"redis-server stopped at once: {self.process.stdout.read().decode()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                    sock.sendall(b"PING\r\n")
                    if sock.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError("redis-server did not start listening in time")

    def stop(self):
        """Stop the server and remove its folder."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.folder, ignore_errors=True)
