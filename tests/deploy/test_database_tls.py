"""PostgreSQL over TLS as the README and deploy/README.md describe it: `?ssl=verify-full`
in FINDINGS_DATABASE_URL and the CA in PGSSLROOTCERT, on a real server with TLS on."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from findings_cli.embedded import EmbeddedPostgres, system_postgres_bindir
from tests.certificates import issue_server_certificate, write_ca

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def tls_postgres() -> Iterator[tuple[EmbeddedPostgres, Path]]:
    base = Path(tempfile.mkdtemp(prefix="findings-pg-tls-"))
    base.chmod(0o755)  # the server runs as `postgres`
    ca, certificate, key = issue_server_certificate(base)
    key.chmod(0o600)  # PostgreSQL refuses a key others can read
    if os.geteuid() == 0:
        shutil.chown(key, "postgres")
        shutil.chown(certificate, "postgres")
    system = system_postgres_bindir()
    if system is None:  # the wheel's build has no TLS
        pytest.fail("no PostgreSQL built with TLS: run `make test` (it installs Debian's)")
    server = EmbeddedPostgres(
        bindir=system,
        data_dir=base / "data",
        settings={"ssl": "on", "ssl_cert_file": str(certificate), "ssl_key_file": str(key)},
        durable=False,
    ).start()
    yield server, ca
    server.stop("immediate")
    shutil.rmtree(base, ignore_errors=True)


def migrate_store(url: str, root_certificate: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, FINDINGS_DATABASE_URL=url, PGSSLROOTCERT=str(root_certificate))
    return subprocess.run(
        [sys.executable, "-m", "findings_store", "migrate"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_verify_full_connects_over_tls_with_the_ca_given(
    tls_postgres: tuple[EmbeddedPostgres, Path],
) -> None:
    server, ca = tls_postgres
    result = migrate_store(f"{server.url}?ssl=verify-full", ca)
    assert result.returncode == 0, result.stderr
    assert "schema store migrated" in result.stderr
    # The server saw a TLS connection (psql with libpq's own verify-full, same CA).
    check = subprocess.run(
        [
            "psql",
            f"host=127.0.0.1 port={server.port} user=postgres dbname={server.database} "
            f"sslmode=verify-full sslrootcert={ca}",
            "-Atc",
            "select ssl from pg_stat_ssl where pid = pg_backend_pid()",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert check.stdout.strip() == "t", check.stderr


def test_verify_full_refuses_a_server_the_ca_did_not_sign(
    tls_postgres: tuple[EmbeddedPostgres, Path], tmp_path: Path
) -> None:
    server, _ = tls_postgres
    stranger = write_ca(tmp_path / "other-ca.pem", "Some other CA")
    result = migrate_store(f"{server.url}?ssl=verify-full", stranger)
    assert result.returncode != 0
    assert "certificate verify failed" in result.stderr
