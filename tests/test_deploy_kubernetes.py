"""deploy/kubernetes/: the manifests an operator applies, checked without a cluster.

No schema validator here (kubeconform is not on PyPI; the PyPI validators fetch or bundle whole schema sets), so
the checks are the fields a cluster would refuse or an operator would regret: two replicas, probes on /healthz,
a non-root read-only pod with /data on a volume, Secrets referenced and never written, a disruption budget, and
every environment variable one that Briefbot actually reads.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import BaseModel

from bot.config import Settings, load_settings
from bot.credentials import Secrets

ROOT = Path(__file__).resolve().parent.parent
KUBE = ROOT / "deploy" / "kubernetes"
UID = 10001
APP_LABELS = {"app.kubernetes.io/name": "briefbot"}
# Read by Briefbot outside Settings and Secrets, before the config is loaded: which config file, the log format.
PROCESS_VARIABLES = {"BRIEFBOT_CONFIG": ROOT / "bot" / "config.py", "BRIEFBOT_LOG_FORMAT": ROOT / "bot" / "logs.py"}


def _documents() -> list[dict[str, Any]]:
    docs: list[dict[str, Any]] = []
    for path in sorted(KUBE.glob("*.yaml")):
        if path.name == "kustomization.yaml":
            continue
        docs.extend(d for d in yaml.safe_load_all(path.read_text(encoding="utf-8")) if d)
    return docs


def _one(kind: str) -> dict[str, Any]:
    found = [d for d in _documents() if d["kind"] == kind]
    assert len(found) == 1, f"one {kind} in deploy/kubernetes, found {len(found)}"
    return found[0]


def _container() -> dict[str, Any]:
    containers = _one("Deployment")["spec"]["template"]["spec"]["containers"]
    assert len(containers) == 1
    container: dict[str, Any] = containers[0]
    return container


def test_every_document_has_api_version_kind_and_name_and_kustomize_lists_every_file() -> None:
    for doc in _documents():
        assert {"apiVersion", "kind", "metadata"} <= set(doc), doc
        assert doc["metadata"].get("name"), doc
    listed = yaml.safe_load((KUBE / "kustomization.yaml").read_text(encoding="utf-8"))["resources"]
    assert sorted(listed) == sorted(p.name for p in KUBE.glob("*.yaml") if p.name != "kustomization.yaml")


def test_two_replicas_selected_by_the_service_and_protected_by_the_disruption_budget() -> None:
    deployment = _one("Deployment")["spec"]
    assert deployment["replicas"] == 2
    assert deployment["selector"]["matchLabels"] == APP_LABELS
    assert APP_LABELS.items() <= deployment["template"]["metadata"]["labels"].items(), "the selector finds the pods"
    assert deployment["strategy"]["rollingUpdate"]["maxUnavailable"] == 0, "a rolling update keeps one posting"
    service = _one("Service")["spec"]
    assert service["selector"] == APP_LABELS
    port_names = {p["name"] for p in _container()["ports"]}
    assert all(p["targetPort"] in port_names for p in service["ports"])
    pdb = _one("PodDisruptionBudget")
    assert pdb["apiVersion"] == "policy/v1"
    assert pdb["spec"]["selector"]["matchLabels"] == APP_LABELS
    assert pdb["spec"]["minAvailable"] == 1


@pytest.mark.parametrize("probe", ["livenessProbe", "readinessProbe", "startupProbe"])
def test_probes_ask_healthz_on_the_http_port(probe: str) -> None:
    container = _container()
    check = container[probe]["httpGet"]
    assert check["path"] == "/healthz"
    http = next(p for p in container["ports"] if p["name"] == check["port"])
    env = {e["name"]: e.get("value") for e in container["env"]}
    assert str(http["containerPort"]) == env["BRIEFBOT_HTTP__PORT"], "probes reach the port the bot listens on"
    assert env["BRIEFBOT_HTTP__HOST"] == "0.0.0.0", "the kubelet probes the pod's address, not its loopback"


def test_the_pod_runs_as_10001_on_a_read_only_root_with_data_on_a_volume() -> None:
    pod = _one("Deployment")["spec"]["template"]["spec"]
    container = _container()
    ctx = container["securityContext"]
    assert ctx["runAsUser"] == UID and ctx["runAsNonRoot"] is True
    assert ctx["readOnlyRootFilesystem"] is True
    assert ctx["allowPrivilegeEscalation"] is False
    assert ctx["capabilities"]["drop"] == ["ALL"]
    assert pod["securityContext"]["fsGroup"] == UID, "mounted secrets and volumes readable by the bot's group"
    volumes = {v["name"]: v for v in pod["volumes"]}
    mounts = {m["mountPath"]: m for m in container["volumeMounts"]}
    assert "/data" in mounts and not mounts["/data"].get("readOnly"), "the one writable path"
    assert "emptyDir" in volumes[mounts["/data"]["name"]] or "persistentVolumeClaim" in volumes[mounts["/data"]["name"]]
    assert pod["terminationGracePeriodSeconds"] >= 10, "time for a graceful stop after SIGTERM"


def test_secrets_are_referenced_never_written() -> None:
    assert not [d for d in _documents() if d["kind"] == "Secret"], "a Secret with values does not belong in git"
    container = _container()
    pod = _one("Deployment")["spec"]["template"]["spec"]
    secret_volumes = {v["name"]: v["secret"] for v in pod["volumes"] if "secret" in v}
    mounted = {m["mountPath"]: m["name"] for m in container["volumeMounts"] if m["name"] in secret_volumes}
    for env in container["env"]:
        name = env["name"]
        if name.endswith("_FILE"):
            folder, _, key = env["value"].rpartition("/")
            assert folder in mounted, f"{name} points into a mounted Secret"
            assert key in {i["path"] for i in secret_volumes[mounted[folder]]["items"]}, f"{name}: no such key"
        elif "valueFrom" in env:
            assert set(env["valueFrom"]) == {"secretKeyRef"}, name
        else:
            assert name.removeprefix("BRIEFBOT_") not in {"OPERATOR_TOKEN", "STATE_URL"}, f"{name} as a plain value"
            assert not name.startswith(("SLACK_", "DISCORD_")), f"{name} as a plain value"


def _settings_paths(model: type[BaseModel], prefix: str = "BRIEFBOT_") -> set[str]:
    """Every BRIEFBOT_* variable Settings reads: fields, and nested ones with a double underscore."""
    names = set()
    for field_name, info in model.model_fields.items():
        name = f"{prefix}{field_name.upper()}"
        names.add(name)
        if isinstance(info.annotation, type) and issubclass(info.annotation, BaseModel):
            names |= _settings_paths(info.annotation, f"{name}__")
    return names


def test_every_environment_variable_is_one_briefbot_reads(tmp_path: Path) -> None:
    settings_names = _settings_paths(Settings)
    for env in _container()["env"]:
        name = env["name"]
        if name in settings_names:
            continue
        if name in PROCESS_VARIABLES:
            assert name in PROCESS_VARIABLES[name].read_text(encoding="utf-8"), f"{name} is no longer read"
            continue
        # A secret: Secrets.from_env must pick the variable up (as a value, or as a file with _FILE).
        secret = tmp_path / "secret"
        secret.write_text("s3cret\n", encoding="utf-8")
        value = str(secret) if name.endswith("_FILE") else "s3cret"
        picked = Secrets.from_env({name: value}).model_dump()
        assert "s3cret" in picked.values(), f"{name} is neither a setting, a secret nor a variable Briefbot reads"


def test_the_configmap_is_a_valid_briefbot_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("BRIEFBOT_"):
            monkeypatch.delenv(name)
    configmap = _one("ConfigMap")
    container = _container()
    mount = next(m for m in container["volumeMounts"] if m["name"] == "config")
    env = {e["name"]: e.get("value") for e in container["env"]}
    folder, _, file_name = env["BRIEFBOT_CONFIG"].rpartition("/")
    assert folder == mount["mountPath"] and file_name in configmap["data"], "BRIEFBOT_CONFIG names the mounted file"
    path = tmp_path / file_name
    path.write_text(configmap["data"][file_name], encoding="utf-8")
    settings = load_settings(path)
    assert settings.as_of is None, "a store frozen at a date would post no daily briefings"
