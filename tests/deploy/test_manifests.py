"""The deployment files, checked without a Docker engine or a cluster: the Compose file
against the Compose specification, the Kubernetes manifests (base and example overlay, as
kustomize renders them) against the Kubernetes schemas in strict mode, the Dockerfiles
with hadolint; and all of them against the code: every FINDINGS_* variable they set is one
a service reads, and topics, consumer groups and partitions agree with the services'."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml
from pydantic_settings import BaseSettings

from findings_api.settings import ApiSettings
from findings_ingest.adapters.broker_memory import marker_topic
from findings_ingest.settings import IngestSettings
from findings_parse.app import PARSE_GROUP
from findings_parse.settings import ParseSettings
from findings_shared.events import Topics
from findings_store.settings import StoreSettings

ROOT = Path(__file__).parents[2]
COMPOSE = ROOT / "docker-compose.yml"
K8S = ROOT / "deploy" / "k8s"
BIN = Path(sys.executable).parent
KUBERNETES_VERSION = "1.32.0"
# Read straight from the environment rather than through a settings class.
PLAIN_VARIABLES = {"FINDINGS_LOG_LEVEL", "FINDINGS_LOG_FORMAT"}


def settings_variables() -> set[str]:
    """Every FINDINGS_* variable some service reads (nested settings read their own)."""
    names = set(PLAIN_VARIABLES)
    pending: list[type[BaseSettings]] = [ApiSettings, IngestSettings, ParseSettings, StoreSettings]
    seen: set[type[BaseSettings]] = set()
    while pending:
        cls = pending.pop()
        if cls in seen:
            continue
        seen.add(cls)
        prefix = cls.model_config.get("env_prefix", "")
        for name, field in cls.model_fields.items():
            kind = field.annotation
            if isinstance(kind, type) and issubclass(kind, BaseSettings):
                pending.append(kind)
            else:
                names.add(f"{prefix}{name}".upper())
    return names


def render(directory: Path) -> list[dict[str, Any]]:
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        pytest.fail("kubectl (with kustomize) is not installed: run `make setup`")
    result = subprocess.run(
        [kubectl, "kustomize", str(directory)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    return [doc for doc in yaml.safe_load_all(result.stdout) if doc]


def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(COMPOSE.read_text())
    return loaded


@pytest.fixture(scope="module")
def overlay() -> list[dict[str, Any]]:
    return render(K8S / "overlays" / "example")


def test_compose_file_follows_the_compose_specification() -> None:
    result = subprocess.run(
        [BIN / "check-jsonschema", "--builtin-schema", "vendor.compose-spec", str(COMPOSE)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_dockerfiles_pass_hadolint() -> None:
    dockerfiles = [ROOT / "Dockerfile", *sorted((ROOT / "deploy").rglob("*.Dockerfile"))]
    result = subprocess.run(
        [BIN / "hadolint", "--config", str(ROOT / ".hadolint.yaml"), *map(str, dockerfiles)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("directory", ["base", "overlays/example"])
def test_manifests_are_valid_kubernetes_in_strict_mode(directory: str) -> None:
    resources = render(K8S / directory)
    kinds = {doc["kind"] for doc in resources}
    assert {"Deployment", "Job", "Service", "Ingress", "ConfigMap", "ScaledObject"} <= kinds
    for resource in resources:
        if resource["apiVersion"].startswith("keda.sh/"):
            continue  # a custom resource: no Kubernetes schema (checked against the code below)
        kubernetes_validate.validate(resource, KUBERNETES_VERSION, strict=True)


def test_every_deployment_is_probed_limited_and_unprivileged(overlay: list[dict[str, Any]]) -> None:
    deployments = {doc["metadata"]["name"]: doc for doc in overlay if doc["kind"] == "Deployment"}
    assert set(deployments) == {f"findings-{s}" for s in ("ingest", "parse", "store", "api")}
    for name, deployment in deployments.items():
        pod = deployment["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"], name
        (container,) = pod["containers"]
        for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
            assert container[probe]["httpGet"]["path"] == "/health", (name, probe)
        assert container["resources"]["limits"]["memory"], name
        assert container["securityContext"]["allowPrivilegeEscalation"] is False, name
        assert container["securityContext"]["readOnlyRootFilesystem"] is True, name


def test_configuration_uses_only_variables_the_services_read(
    overlay: list[dict[str, Any]],
) -> None:
    known = settings_variables()
    used: dict[str, set[str]] = {}
    for name, service in compose()["services"].items():
        for variable in service.get("environment", {}):
            if variable.startswith("FINDINGS_"):
                used.setdefault(variable, set()).add(f"docker-compose.yml {name}")
    for doc in overlay:
        if doc["kind"] == "ConfigMap":
            for variable in doc["data"]:
                used.setdefault(variable, set()).add("k8s ConfigMap")
        if doc["kind"] in ("Deployment", "Job"):
            pod = doc["spec"]["template"]["spec"]
            for container in pod["containers"] + pod.get("initContainers", []):
                for env in container.get("env", []):
                    used.setdefault(env["name"], set()).add(f"k8s {doc['metadata']['name']}")
    readme = (ROOT / "README.md").read_text()
    for variable in re.findall(r"^\| `(FINDINGS_[A-Z0-9_]+)`", readme, re.MULTILINE):
        used.setdefault(variable, set()).add("README")
    unknown = {variable: where for variable, where in used.items() if variable not in known}
    assert unknown == {}
    # The test sees the settings: it would catch a misspelt name.
    assert "FINDINGS_KAFKA_SASL_PASSWORD" in known
    assert "FINDINGS_INGEST_NOTIFICATIONS_TOPIC" in known


def test_compose_creates_every_topic_the_services_use() -> None:
    services = compose()["services"]
    script = services["topics"]["command"][0]
    loop = re.search(r"for topic in (.*?); do", script, re.S)
    assert loop, script
    created = {f"findings.{t}" for t in loop.group(1).replace("\\", " ").split()}
    namespace = "findings"
    wanted = {*Topics(namespace=namespace).all(), marker_topic(namespace)}
    wanted.add(services["ingest"]["environment"]["FINDINGS_INGEST_NOTIFICATIONS_TOPIC"])
    assert created == wanted
    partitions = re.search(r"--partitions (\d+)", script)
    assert partitions
    assert partitions.group(1) == services["parse"]["environment"]["FINDINGS_KAFKA_PARTITIONS"]
    minio = services["minio"]["environment"]
    assert minio["MINIO_NOTIFY_KAFKA_TOPIC_FINDINGS"] in created


def test_parse_autoscaling_follows_the_group_and_topic_parse_consumes(
    overlay: list[dict[str, Any]],
) -> None:
    (config,) = [doc for doc in overlay if doc["kind"] == "ConfigMap"]
    namespace = config["data"]["FINDINGS_KAFKA_TOPIC_NAMESPACE"]
    (scaled,) = [doc for doc in overlay if doc["kind"] == "ScaledObject"]
    (trigger,) = scaled["spec"]["triggers"]
    assert scaled["spec"]["scaleTargetRef"]["name"] == "findings-parse"
    assert trigger["metadata"]["consumerGroup"] == f"{namespace}-{PARSE_GROUP}"
    assert trigger["metadata"]["topic"] == Topics(namespace=namespace).received
    assert (
        trigger["metadata"]["bootstrapServers"]
        == (config["data"]["FINDINGS_KAFKA_BOOTSTRAP_SERVERS"])
    )
    # More pods than partitions would sit idle.
    assert scaled["spec"]["maxReplicaCount"] == int(config["data"]["FINDINGS_KAFKA_PARTITIONS"])


def exposed_metric_names() -> set[str]:
    """Every metric the services expose: ours, FastStream's (a broker with its Prometheus
    middleware) and the API's (registered when findings_api.app is imported)."""
    from prometheus_client import REGISTRY

    from findings_api.app import create_app
    from findings_shared.kafka import make_broker
    from findings_shared.settings import KafkaSettings

    make_broker(KafkaSettings())
    create_app()
    # A family with labels has no samples until a label set is used: name them by type.
    suffixes = {"counter": ["_total"], "histogram": ["_bucket", "_count", "_sum"], "gauge": [""]}
    return {
        family.name + suffix
        for family in REGISTRY.collect()
        for suffix in suffixes.get(family.type, [""])
    }


def test_the_dashboard_and_the_scrapers_ask_only_for_what_the_services_expose(
    overlay: list[dict[str, Any]],
) -> None:
    dashboard = json.loads((ROOT / "deploy/grafana/dashboards/findings.json").read_text())
    exprs = [t["expr"] for panel in dashboard["panels"] for t in panel["targets"]]
    used = {
        name
        for expr in exprs
        for name in re.findall(r"\b((?:findings|faststream|http)_[a-z_]+)\b", expr)
    }
    exposed = exposed_metric_names()
    assert used - exposed == set()
    # What an operator needs first is on it: lag, dead letters, parse time, HTTP latency.
    for wanted in (
        "findings_consumer_lag_messages",
        "findings_dead_lettered_total",
        "findings_parse_seconds_bucket",
        "http_request_duration_seconds_bucket",
    ):
        assert wanted in used
    # Compose's Prometheus scrapes each service on the port it serves /metrics on.
    prometheus = yaml.safe_load((ROOT / "deploy/prometheus/prometheus.yml").read_text())
    targets = {
        job["job_name"]: job["static_configs"][0]["targets"][0]
        for job in prometheus["scrape_configs"]
    }
    services = compose()["services"]
    assert set(targets) == {"ingest", "parse", "store", "api"} <= set(services)
    assert targets["api"] == "api:8000"
    assert {targets[s] for s in ("ingest", "parse", "store")} == {
        f"{s}:8080" for s in ("ingest", "parse", "store")
    }
    # Kubernetes: every pod says where its metrics are, on the port its container names.
    for doc in overlay:
        if doc["kind"] != "Deployment":
            continue
        template = doc["spec"]["template"]
        annotations = template["metadata"]["annotations"]
        (container,) = template["spec"]["containers"]
        (port,) = container["ports"]
        assert annotations["prometheus.io/scrape"] == "true"
        assert annotations["prometheus.io/port"] == str(port["containerPort"])
        assert annotations["prometheus.io/path"] == "/metrics"
