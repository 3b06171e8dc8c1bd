"""A throwaway PostgreSQL server for the tests and ``make bench-api --postgres`` (the tests
import it through ``tests/postgres_server.py``): ``initdb`` into a temporary directory,
start it on 127.0.0.1 (free port, unix socket in that directory), stop it and remove
the directory at the end.

The server binaries are looked up on ``PATH`` (``initdb``), then in
``/usr/lib/postgresql/*/bin`` (Debian's ``postgresql`` package, newest version first).
``initdb`` and ``postgres`` refuse to run as root, so as root every server command runs
as the ``postgres`` system user and the directory is handed to it.

Authentication is ``trust`` for everyone except :data:`PASSWORD_ROLE`, which must give
its password over TCP (scram-sha-256), so that a wrong password can be tested.
Durability is off (``fsync``, ``full_page_writes``): the data is thrown away anyway.
The directory goes in /dev/shm when it has room (a tmpfs: a database is created in
~10 ms there, 100-300 ms on disk). Needs PostgreSQL 13 or newer (DROP ... WITH (FORCE)).
Server start (initdb included) takes about half a second.

>>> with PostgresServer.start() as server:  # doctest: +SKIP
...     url = server.url(server.create_database())
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

SUPERUSER = "postgres"
SYSTEM_USER = "postgres"  # the account the server runs as when we are root
PASSWORD_ROLE = "eventcoder_pw"  # the one role that must authenticate with a password
HOST = "127.0.0.1"
BINARIES = ("initdb", "pg_ctl", "postgres")
START_TIMEOUT_S = 30

# Appended to postgresql.conf: a small, fast server that writes nothing durably.
SETTINGS = """
listen_addresses = '{host}'
unix_socket_directories = '{socket_dir}'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 50
shared_buffers = 32MB
min_wal_size = 32MB
max_wal_size = 128MB
wal_level = minimal
max_wal_senders = 0
"""


class PostgresUnavailable(RuntimeError):
    """The server could not be set up or started; the message says why."""


def find_bindir() -> Path | None:
    """The directory holding initdb, pg_ctl and postgres, or None if there is none."""
    candidates: list[Path] = []
    on_path = shutil.which("initdb")
    if on_path:  # follow symlinks such as /usr/local/bin/initdb -> .../15/bin/initdb
        candidates.append(Path(on_path).resolve().parent)
    candidates += sorted(
        Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: _version(p.parent.name)
    )[::-1]
    for bindir in candidates:
        if all(os.access(bindir / name, os.X_OK) for name in BINARIES):
            return bindir
    return None


def _version(name: str) -> tuple[int, ...]:
    return tuple(int(part) if part.isdigit() else -1 for part in name.split("."))


def free_port() -> int:
    """A TCP port on the loopback interface that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def _as_server_user() -> dict[str, Any]:
    """subprocess arguments that run a command as the server's system user if we are root."""
    if os.geteuid() != 0:
        return {}
    import pwd

    try:
        account = pwd.getpwnam(SYSTEM_USER)
    except KeyError:
        raise PostgresUnavailable(
            f"running as root, but there is no {SYSTEM_USER!r} system user to run the "
            "PostgreSQL server as (initdb and postgres refuse root); install the "
            "'postgresql' package, which creates it, or run the tests as another user"
        ) from None
    env = {**os.environ, "HOME": account.pw_dir, "USER": SYSTEM_USER, "LOGNAME": SYSTEM_USER}
    return {"user": account.pw_uid, "group": account.pw_gid, "extra_groups": [], "env": env}


def _base_dir() -> str:
    """Where to make the server's directory: /dev/shm if it is roomy (a tmpfs: creating
    a database there takes ~10 ms instead of ~100+ ms on disk), else the temp dir, else
    /tmp when the server user cannot enter the temp dir or its path is too long for a
    unix socket (about 100 bytes)."""
    shm = "/dev/shm"
    try:
        if os.access(shm, os.W_OK | os.X_OK) and shutil.disk_usage(shm).free > 512 * 2**20:
            return shm
    except OSError:
        pass
    base = tempfile.gettempdir()
    path = Path(base).resolve()
    everyone_may_enter = all(p.stat().st_mode & 0o001 for p in [path, *path.parents])
    if len(base) > 60 or (os.geteuid() == 0 and not everyone_may_enter):
        return "/tmp"
    return base


class PostgresServer:
    """A running throwaway server; :meth:`start` it, :meth:`stop` it (or use ``with``)."""

    def __init__(self, bindir: Path, directory: Path, port: int) -> None:
        self.bindir = bindir
        self.directory = directory
        self.port = port
        self.host = HOST
        self._admin: Any = None  # psycopg connection to the "postgres" database
        self.version = 0  # server_version_num, e.g. 150018
        self._stopped = False

    # -- lifecycle -------------------------------------------------------------------

    @classmethod
    def start(cls, bindir: Path | None = None, base: str | None = None) -> PostgresServer:
        """initdb and start a server; raise PostgresUnavailable (with the log) if it fails."""
        bindir = bindir or find_bindir()
        if bindir is None:
            raise PostgresUnavailable(
                "no PostgreSQL server binaries (initdb, pg_ctl, postgres) on PATH or in "
                "/usr/lib/postgresql/*/bin; install the Debian package 'postgresql'"
            )
        as_user = _as_server_user()
        server = cls(bindir, Path(tempfile.mkdtemp(prefix="ec-pg-", dir=base or _base_dir())), 0)
        try:
            if as_user:
                os.chown(server.directory, as_user["user"], as_user["group"])
            server._initdb()
            server._launch()
            return server
        except BaseException:
            server.stop()
            raise

    def _run(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        cmd = [str(self.bindir / args[0]), *args[1:]]
        try:
            return subprocess.run(
                cmd,
                cwd=self.directory,
                capture_output=True,
                text=True,
                timeout=timeout,
                check=True,
                **_as_server_user(),
            )
        except subprocess.CalledProcessError as exc:
            raise PostgresUnavailable(
                f"{' '.join(cmd)} failed (exit {exc.returncode}):\n{exc.stdout}{exc.stderr}"
                + self.log_tail()
            ) from None
        except subprocess.TimeoutExpired:
            raise PostgresUnavailable(
                f"{' '.join(cmd)} did not finish in {timeout} s" + self.log_tail()
            ) from None

    @property
    def data_dir(self) -> Path:
        return self.directory / "data"

    @property
    def log_file(self) -> Path:
        return self.directory / "server.log"

    def log_tail(self, lines: int = 20) -> str:
        try:
            text = self.log_file.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return "\nserver log (last lines):\n" + "\n".join(text.splitlines()[-lines:])

    def _initdb(self) -> None:
        self._run(
            "initdb",
            "--pgdata",
            str(self.data_dir),
            "--username",
            SUPERUSER,
            "--auth",
            "trust",
            "--encoding",
            "UTF8",
            "--locale",
            "C",
            "--no-sync",
            "--no-instructions",
        )
        conf = self.data_dir / "postgresql.conf"
        with conf.open("a", encoding="utf-8") as fh:
            fh.write(SETTINGS.format(host=HOST, socket_dir=self.directory))
        # First match wins: the password role must authenticate over TCP.
        hba = self.data_dir / "pg_hba.conf"
        rules = f"host all {PASSWORD_ROLE} {HOST}/32 scram-sha-256\n"
        hba.write_text(rules + hba.read_text(encoding="utf-8"), encoding="utf-8")

    def _launch(self, attempts: int = 3) -> None:
        for attempt in range(attempts):
            self.port = free_port()  # another process may take it first: then retry
            try:
                self._run(
                    "pg_ctl",
                    "start",
                    "--pgdata",
                    str(self.data_dir),
                    "--log",
                    str(self.log_file),
                    "--wait",
                    "--timeout",
                    str(START_TIMEOUT_S),
                    "--silent",
                    "-o",
                    f"-p {self.port}",
                    timeout=START_TIMEOUT_S + 10,
                )
                break
            except PostgresUnavailable:
                if attempt == attempts - 1 or "already in use" not in self.log_tail(5):
                    raise
        self._admin = self._connect_admin()
        self.version = int(self.admin_execute("SHOW server_version_num")[0][0])
        self.admin_execute(f"CREATE ROLE {PASSWORD_ROLE} LOGIN PASSWORD 'right-password'")

    def _connect_admin(self) -> Any:
        import psycopg

        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            try:
                return psycopg.connect(self.conninfo("postgres"), autocommit=True)
            except psycopg.OperationalError as exc:
                if time.monotonic() > deadline:
                    raise PostgresUnavailable(
                        f"cannot connect to the test server on port {self.port}: {exc}"
                        + self.log_tail()
                    ) from None
                time.sleep(0.1)

    def stop(self) -> None:
        """Stop the server (fast shutdown) and remove its directory; safe to call twice."""
        if self._stopped:
            return
        self._stopped = True
        if self._admin is not None:
            self._admin.close()
        self._cleanup(stop=True)

    def _cleanup(self, *, stop: bool) -> None:
        if stop and (self.data_dir / "postmaster.pid").exists():
            for mode in ("fast", "immediate"):
                try:
                    self._run("pg_ctl", "stop", "-D", str(self.data_dir), "-m", mode, "-w")
                    break
                except PostgresUnavailable:
                    continue
        shutil.rmtree(self.directory, ignore_errors=True)

    def __enter__(self) -> PostgresServer:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- databases -------------------------------------------------------------------

    def conninfo(self, dbname: str, user: str = SUPERUSER) -> str:
        return f"host={self.host} port={self.port} user={user} dbname={dbname} connect_timeout=5"

    def url(self, dbname: str, *, user: str = SUPERUSER, password: str | None = None) -> str:
        """SQLAlchemy URL of ``dbname`` on this server (psycopg 3 driver)."""
        auth = user if password is None else f"{user}:{password}"
        return f"postgresql+psycopg://{auth}@{self.host}:{self.port}/{dbname}"

    def admin_execute(self, statement: str, params: Sequence[Any] | None = None) -> list[Any]:
        """Run one statement as the superuser in the ``postgres`` database (autocommit)."""
        cursor = self._admin.execute(statement, params)
        return cursor.fetchall() if cursor.description else []

    def create_database(self, name: str | None = None, *, options: str = "") -> str:
        """Create an empty database (unique name unless given) and return its name."""
        name = name or f"t_{uuid.uuid4().hex[:16]}"
        if self.version >= 150000 and "STRATEGY" not in options.upper():
            options += " STRATEGY FILE_COPY"  # faster than WAL_LOG for a tiny template
        self.admin_execute(f'CREATE DATABASE "{name}" {options}')
        return name

    def drop_database(self, name: str) -> None:
        """Drop ``name``, disconnecting whoever is still connected to it."""
        self.admin_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
