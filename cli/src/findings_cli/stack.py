"""`findings up`: the embedded infrastructure plus the four services as processes.

Services that exit unexpectedly are restarted (with a pause), as a process manager
would; Ctrl-C or SIGTERM stops the services first, then the infrastructure.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import signal
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

from findings_cli.embedded import EmbeddedKafka, EmbeddedPostgres, free_port, wait_for_port
from findings_shared.lifetime import PARENT_PID_VARIABLE

log = logging.getLogger("findings.up")
SERVICES = ("store", "parse", "ingest", "api")
CONSUMERS = ("store", "parse", "ingest")


@dataclass
class ServiceProcess:
    name: str
    env: dict[str, str]
    process: subprocess.Popen[bytes] | None = None
    restarts: int = 0
    # Where its output goes (appended); None: this process's own stdout and stderr.
    log_path: Path | None = None

    def start(self) -> None:
        output = self.log_path.open("ab") if self.log_path else None
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-m", f"findings_{self.name}"],
                env=self.env,
                stdout=output,
                stderr=subprocess.STDOUT if output else None,
            )
        finally:
            if output:
                output.close()

    def kill(self) -> None:
        """SIGKILL: no clean-up, no commit, as in a crash or an OOM kill."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def pid(self) -> int | None:
        """The running process's id; None when it is not running."""
        if self.process is None or self.process.poll() is not None:
            return None
        return self.process.pid

    def exited(self) -> int | None:
        return None if self.process is None else self.process.poll()

    def stop(self, timeout_s: float = 10) -> int | None:
        """SIGTERM, then SIGKILL after `timeout_s`; the exit code (None if not running)."""
        if self.process is None or self.process.poll() is not None:
            return None
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout_s)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait()


def service_env(
    *,
    bootstrap: str,
    database_url: str,
    inbox: Path,
    api_port: int,
    namespace: str,
    health_ports: dict[str, int] | None = None,
) -> dict[str, str]:
    env = dict(os.environ)
    env[PARENT_PID_VARIABLE] = str(os.getpid())  # the services end with this process
    env.update(
        {
            "FINDINGS_KAFKA_BOOTSTRAP_SERVERS": bootstrap,
            "FINDINGS_KAFKA_TOPIC_NAMESPACE": namespace,
            # Cheap to compress, and the embedded broker keeps every event in memory.
            "FINDINGS_KAFKA_COMPRESSION": "zstd",
            "FINDINGS_DATABASE_URL": database_url,
            "FINDINGS_INGEST_INBOX": str(inbox.resolve()),
            # Uploads (POST /reports) go where ingest looks.
            "FINDINGS_API_INBOX": str(inbox.resolve()),
            "FINDINGS_API_PORT": str(api_port),
        }
    )
    for name, port in (health_ports or {}).items():
        env[f"FINDINGS_{name.upper()}_HEALTH_PORT"] = str(port)
    return env


def health_urls(api_port: int, health_ports: dict[str, int]) -> dict[str, str]:
    urls = {name: f"http://127.0.0.1:{port}/health" for name, port in health_ports.items()}
    return urls | {"api": f"http://127.0.0.1:{api_port}/health"}


def run_stack(*, inbox: Path, api_port: int, state_dir: Path, namespace: str) -> int:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s up     %(message)s", datefmt="%H:%M:%S"
    )
    state_dir.mkdir(parents=True, exist_ok=True)
    inbox.mkdir(parents=True, exist_ok=True)
    stopping = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stopping.set())

    kafka: EmbeddedKafka | None = None
    postgres: EmbeddedPostgres | None = None
    bootstrap = os.environ.get("FINDINGS_KAFKA_BOOTSTRAP_SERVERS")
    database_url = os.environ.get("FINDINGS_DATABASE_URL")
    services: list[ServiceProcess] = []
    try:
        if not bootstrap:
            kafka = EmbeddedKafka(log_path=state_dir / "broker.log").start()
            bootstrap = kafka.bootstrap_servers
            log.info("embedded Kafka-protocol broker (Tansu) on %s", bootstrap)
        if not database_url:
            postgres = EmbeddedPostgres(data_dir=(state_dir / "postgres").resolve()).start()
            database_url = postgres.url
            log.info("embedded PostgreSQL on 127.0.0.1:%d (%s)", postgres.port, postgres.data_dir)
        health_ports = {name: free_port() for name in CONSUMERS}
        # An upload key for this stack, unless the operator chose keys.
        upload_key = os.environ.get("FINDINGS_API_WRITE_KEYS") or secrets.token_urlsafe(24)
        (state_dir / "stack.json").write_text(
            json.dumps(
                {
                    "bootstrap_servers": bootstrap,
                    "database_url": database_url,
                    "inbox": str(inbox.resolve()),
                    "api": f"http://127.0.0.1:{api_port}",
                    "namespace": namespace,
                    "health": health_urls(api_port, health_ports),
                    "upload_key": upload_key.split(",")[0],
                },
                indent=2,
            )
        )
        (state_dir / "stack.json").chmod(0o600)  # it holds the upload key
        env = service_env(
            bootstrap=bootstrap,
            database_url=database_url,
            inbox=inbox,
            api_port=api_port,
            namespace=namespace,
            health_ports=health_ports,
        )
        env["FINDINGS_API_WRITE_KEYS"] = upload_key
        # Newer editions of Ofsted's outcome tables (`findings reference load`).
        env.setdefault("FINDINGS_API_REFERENCE_DIR", str((state_dir / "reference").resolve()))
        services = [ServiceProcess(name, env) for name in SERVICES]
        for service in services:
            service.start()
        wait_for_port(api_port, 60, None)
        log.info(
            "API on http://127.0.0.1:%d (docs at /docs); drop reports into %s", api_port, inbox
        )
        log.info("upload key (X-API-Key for POST /reports): see %s", state_dir / "stack.json")
        while not stopping.wait(0.5):
            for service in services:
                code = service.exited()
                if code is not None:
                    pause = min(30.0, 2.0**service.restarts)
                    log.warning("%s exited with %s; restarting in %.0fs", service.name, code, pause)
                    if stopping.wait(pause):
                        break
                    service.restarts += 1
                    service.start()
        return 0
    finally:
        log.info("stopping")
        for service in reversed(services):
            service.stop()
        if kafka:
            kafka.stop()
        if postgres:
            postgres.stop()
