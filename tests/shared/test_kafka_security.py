"""Kafka TLS and SASL settings become the options every client of the services uses."""

from __future__ import annotations

import ssl
from pathlib import Path

import pytest
from pydantic import ValidationError

from findings_shared.kafka import client_options, make_broker
from findings_shared.settings import KafkaSettings
from tests.certificates import write_ca


def test_plaintext_adds_nothing() -> None:
    assert client_options(KafkaSettings(bootstrap_servers="kafka:9092")) == {
        "bootstrap_servers": "kafka:9092"
    }


def test_sasl_over_tls_verifies_brokers_with_the_given_ca(tmp_path: Path) -> None:
    ca = write_ca(tmp_path / "ca.pem", "Findings test CA")
    settings = KafkaSettings(
        bootstrap_servers="b-1.example:9096",
        security_protocol="SASL_SSL",
        sasl_mechanism="SCRAM-SHA-512",
        sasl_username="findings-parse",
        sasl_password="s3cret",
        ssl_cafile=str(ca),
    )
    options = client_options(settings)
    assert options["security_protocol"] == "SASL_SSL"
    assert options["sasl_mechanism"] == "SCRAM-SHA-512"
    assert options["sasl_plain_username"] == "findings-parse"
    assert options["sasl_plain_password"] == "s3cret"
    context: ssl.SSLContext = options["ssl_context"]
    assert context.verify_mode is ssl.CERT_REQUIRED
    assert context.check_hostname
    subjects = [str(cert["subject"]) for cert in context.get_ca_certs()]
    assert any("Findings test CA" in subject for subject in subjects), subjects
    # The services' brokers connect with the same security as the bare clients.
    connection = make_broker(settings)._connection_kwargs
    for option in ("security_protocol", "sasl_mechanism", "sasl_plain_username"):
        assert connection[option] == options[option]


def test_sasl_without_tls_and_plain_mechanism() -> None:
    options = client_options(
        KafkaSettings(
            security_protocol="SASL_PLAINTEXT",
            sasl_mechanism="PLAIN",
            sasl_username="u",
            sasl_password="p",
        )
    )
    assert options["security_protocol"] == "SASL_PLAINTEXT"
    assert options["sasl_mechanism"] == "PLAIN"
    assert options["ssl_context"] is None


def test_tls_alone_uses_the_system_roots_when_no_ca_is_given() -> None:
    options = client_options(KafkaSettings(security_protocol="SSL"))
    assert options["security_protocol"] == "SSL"
    assert options["ssl_context"].verify_mode is ssl.CERT_REQUIRED
    assert "sasl_mechanism" not in options


def test_sasl_without_credentials_is_refused_with_the_variables_to_set() -> None:
    with pytest.raises(ValidationError, match="FINDINGS_KAFKA_SASL_PASSWORD"):
        KafkaSettings(security_protocol="SASL_SSL", sasl_username="u")


def test_a_missing_ca_file_fails_at_start(tmp_path: Path) -> None:
    settings = KafkaSettings(security_protocol="SSL", ssl_cafile=str(tmp_path / "absent.pem"))
    with pytest.raises(FileNotFoundError):
        client_options(settings)
