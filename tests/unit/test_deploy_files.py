"""The deploy files are used as they are written: the compose file and the Kubernetes manifests
parse, set only settings that services/settings.py reads, run real `pingzhan` commands, and give
worker i of N the index i; the NATS configs are accepted by nats-server itself; kustomize renders
the manifests (with kubectl, where it is installed). Docker is not needed."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from pingzhan.services.cli.main import parser
from pingzhan.services.nats.embedded import nats_server_binary
from pingzhan.services.settings import Settings

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
PASSWORDS = {
    f"NATS_{role}_PASSWORD": f"pw{role.lower()}" for role in ("OPERATOR", "FIELD", "DASHBOARD", "WORKER")
}


def setting_names() -> set[str]:
    """Every environment variable Settings reads."""
    names = set()
    for name, field in Settings.model_fields.items():
        alias = field.validation_alias
        names |= set(alias.choices) if alias is not None else {f"PINGZHAN_{name.upper()}"}  # type: ignore[union-attr]
    return names


def pingzhan_env_names(env: dict[str, Any]) -> set[str]:
    return {k for k in env if k.startswith(("PINGZHAN_", "POSTGRES_"))}


def compose() -> dict[str, Any]:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))


def manifests() -> list[dict[str, Any]]:
    docs = []
    for path in sorted((DEPLOY / "k8s").glob("*.yaml")):
        docs += [d for d in yaml.safe_load_all(path.read_text(encoding="utf-8")) if d]
    return docs


def test_the_compose_file_runs_a_nats_cluster_postgres_the_projector_and_up_to_four_workers() -> None:
    services = compose()["services"]
    assert {"pingzhan-nats-1", "pingzhan-nats-2", "pingzhan-nats-3", "postgres", "projector"} <= set(services)
    pingzhan = {name: s for name, s in services.items() if s.get("image") == "pingzhan:latest"}
    workers = sorted(name for name in pingzhan if name.startswith("ingest-"))
    assert workers == ["ingest-0", "ingest-1", "ingest-2", "ingest-3"]
    for name, service in pingzhan.items():
        unknown = pingzhan_env_names(service["environment"]) - setting_names()
        assert not unknown, f"{name} sets what services/settings.py does not read: {unknown}"
        args = parser().parse_args(service["command"])  # a real pingzhan command
        assert (args.command, args.role) == ("serve", "project" if name == "projector" else "ingest")
    for i, name in enumerate(workers):
        assert pingzhan[name]["environment"]["PINGZHAN_WORKER_INDEX"] == str(i)
    # the profiles start 1, 2 or 4 workers: w2 has ingest-0..1, w4 ingest-0..3
    started = {p: [w for w in workers if p in pingzhan[w].get("profiles", [p])] for p in ("w2", "w4")}
    assert started == {"w2": workers[:2], "w4": workers}
    assert "profiles" not in pingzhan["ingest-0"]


def test_the_kubernetes_manifests_name_real_settings_and_take_the_worker_index_from_the_pod_ordinal() -> None:
    docs = manifests()
    kinds = {(d["kind"], d["metadata"]["name"]) for d in docs}
    assert {
        ("StatefulSet", "nats"),
        ("StatefulSet", "pingzhan-ingest"),
        ("Deployment", "pingzhan-projector"),
    } <= kinds
    config = next(
        d for d in docs if d["kind"] == "ConfigMap" and d["metadata"]["name"] == "pingzhan-settings"
    )
    assert not pingzhan_env_names(config["data"]) - setting_names()
    secret = next(d for d in docs if d["kind"] == "Secret")
    assert not pingzhan_env_names(secret["stringData"]) - setting_names()
    for d in docs:
        if d["kind"] not in ("Deployment", "StatefulSet") or d["metadata"]["name"] == "nats":
            continue
        (container,) = d["spec"]["template"]["spec"]["containers"]
        env = {e["name"]: e for e in container["env"]}
        assert not pingzhan_env_names(env) - setting_names(), d["metadata"]["name"]
        assert parser().parse_args(container["args"]).command == "serve"
    ingest = next(
        d for d in docs if d["metadata"]["name"] == "pingzhan-ingest" and d["kind"] == "StatefulSet"
    )
    env = {e["name"]: e for e in ingest["spec"]["template"]["spec"]["containers"][0]["env"]}
    index = env["PINGZHAN_WORKER_INDEX"]["valueFrom"]["fieldRef"]["fieldPath"]
    assert index == "metadata.labels['apps.kubernetes.io/pod-index']"
    assert env["PINGZHAN_WORKERS"]["value"] == str(ingest["spec"]["replicas"])


@pytest.mark.parametrize("conf", ["nats-server.conf", "nats-cluster.conf", "k8s/nats.conf"])
def test_nats_server_accepts_each_config(conf: str, tmp_path: Path) -> None:
    """`nats-server -t` (check the config and exit) on a copy beside nats-accounts.conf, with the
    passwords in the environment as deployments give them."""
    (tmp_path / "nats-accounts.conf").write_text((DEPLOY / "nats-accounts.conf").read_text())
    (tmp_path / "nats.conf").write_text((DEPLOY / conf).read_text())
    env = {**os.environ, **PASSWORDS, "POD_NAME": "nats-0"}
    checked = subprocess.run(
        [str(nats_server_binary()), "-c", str(tmp_path / "nats.conf"), "-t"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert checked.returncode == 0, checked.stderr + checked.stdout


def test_kustomize_renders_the_manifests_with_the_nats_configs() -> None:
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        pytest.skip("kubectl is not installed: the manifests are checked as YAML only")
    rendered = subprocess.run([kubectl, "kustomize", str(DEPLOY)], capture_output=True, text=True)
    assert rendered.returncode == 0, rendered.stderr
    docs = [d for d in yaml.safe_load_all(rendered.stdout) if d]
    config = next(d for d in docs if d["kind"] == "ConfigMap" and d["metadata"]["name"] == "nats-config")
    assert config["data"]["nats-accounts.conf"] == (DEPLOY / "nats-accounts.conf").read_text()
    assert {d["metadata"].get("namespace") for d in docs if d["kind"] != "Namespace"} == {"pingzhan"}
