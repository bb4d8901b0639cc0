"""A throwaway PostgreSQL server on loopback, from Debian's packages, for the tests and benchmarks.

`initdb` makes a new cluster in a temporary folder; `postgres` serves it on a free 127.0.0.1 port
with trust authentication for one user. PostgreSQL refuses to run as root, so as root both run as
the `postgres` user that Debian's package creates. The cluster goes with the folder on stop().
"""

import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg

USER = "training"
# Debian keeps each major version's programs here; the newest installed one is used.
BIN_ROOT = Path("/usr/lib/postgresql")

# Settings for a throwaway test cluster only: nothing here survives a power cut, and nothing needs to.
# The cluster lives in memory where the machine has a tmpfs: each test's database is a copy of the template,
# and on disk those copies, not the tests, were most of the PostgreSQL run's time (its pytest process used a
# fifth of a core, waiting). A throwaway cluster loses nothing by it.
MEMORY_FOLDER = Path("/dev/shm")  # noqa: S108 - mkdtemp makes a private folder (mode 0700) inside it
FAST_SETTINGS = {"fsync": "off", "synchronous_commit": "off", "full_page_writes": "off"}


def bin_dir():
    """The newest installed PostgreSQL's bin folder, or an error that says how to get one."""
    installed = (p for p in BIN_ROOT.glob("*/bin") if (p / "postgres").exists())
    versions = sorted(installed, key=lambda p: float(p.parent.name))
    if not versions:
        raise RuntimeError("PostgreSQL is not installed: `make test` installs it (apt-get install postgresql).")
    return versions[-1]


def free_port():
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_server_user(argv):
    """Run as the `postgres` user when we are root (PostgreSQL will not run as root)."""
    return ["runuser", "-u", "postgres", "--", *argv] if os.geteuid() == 0 else argv


class PostgresServer:
    """One PostgreSQL cluster in a temporary folder, serving on 127.0.0.1."""

    def __init__(self, fast=True):
        in_memory = MEMORY_FOLDER if MEMORY_FOLDER.is_dir() else None
        self.folder = Path(tempfile.mkdtemp(prefix="training-pg-", dir=in_memory))
        self.data = self.folder / "data"
        self.port = free_port()
        self.fast = fast
        self.process = None

    def start(self):
        """Create the cluster and start the server; returns self once it accepts connections."""
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres", "postgres")
        binaries = bin_dir()
        subprocess.run(
            _as_server_user([str(binaries / "initdb"), "-D", str(self.data), "-U", USER, "--auth=trust",
                             "--encoding=UTF8", "--locale=C.UTF-8"]),  # fmt: skip
            check=True, capture_output=True,
        )  # fmt: skip
        settings = {"listen_addresses": "127.0.0.1", "port": str(self.port),
                    "unix_socket_directories": str(self.folder), "max_connections": "200"}  # fmt: skip
        if self.fast:
            settings |= FAST_SETTINGS
        options = [arg for name, value in settings.items() for arg in ("-c", f"{name}={value}")]
        log = open(self.folder / "server.log", "ab")  # noqa: SIM115 - the server writes to it until stop()
        self.process = subprocess.Popen(
            _as_server_user([str(binaries / "postgres"), "-D", str(self.data), *options]),
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        deadline = time.monotonic() + 30
        while True:
            try:
                psycopg.connect(self.url("postgres"), connect_timeout=1).close()
                return self
            except psycopg.OperationalError as error:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    log = (self.folder / "server.log").read_text()[-2000:]
                    raise RuntimeError(f"PostgreSQL did not start: {log}") from error
                time.sleep(0.1)

    def url(self, database):
        """The connection URL of one database on this server."""
        return f"postgresql://{USER}@127.0.0.1:{self.port}/{database}"

    def create_database(self, name, template=None):
        """Create a database (as a copy of `template` if given) and return its URL."""
        copy = f" TEMPLATE {template}" if template else ""
        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name}{copy}")
        return self.url(name)

    def drop_database(self, name):
        """Drop a database, ending any connection still open to it."""
        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    def stop(self):
        """Stop the server and remove the cluster."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()  # SIGTERM: PostgreSQL's "smart" shutdown
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.folder, ignore_errors=True)
