"""The production compose file and the cluster command describe one topology."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
import yaml

from bench.harness import free_port_run
from server.config import SETTINGS
from tests.support import ROOT, Database, ServerProcess, Socket, configured_database_url, configured_redis_url, http, prepared_venv, sign_up

COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]


def _hearth_services() -> list[str]:
    return [name for name in SERVICES if name.startswith("hearth-")]


def test_compose_and_the_image_set_only_settings_that_exist() -> None:
    known = {s.env for s in SETTINGS}
    for name, service in SERVICES.items():
        for key in (service.get("environment") or {}):
            if key.startswith("HEARTH_"):
                assert key in known, f"{name} sets {key}, which Hearth does not read"
    image = set(re.findall(r"\b(HEARTH_[A-Z_]+)=", (ROOT / "Dockerfile").read_text()))
    assert image and image <= known


def test_compose_services_are_the_ones_the_readme_describes() -> None:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Running several processes", 1)[1].split("\n## ", 1)[0]
    described = set(re.findall(r"^\| `([a-z0-9-]+)`(?:, `([a-z0-9-]+)`)? \|", section, re.M))
    names = {n for pair in described for n in pair if n}
    assert names == set(SERVICES)


def test_compose_runs_two_processes_after_one_migration_behind_nginx() -> None:
    hearths = _hearth_services()
    assert len(hearths) >= 2
    assert SERVICES["migrate"]["command"] == ["hearth", "migrate"]
    for name in hearths:
        service = SERVICES[name]
        assert service["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
        assert service["environment"]["HEARTH_DATABASE_URL"].startswith("postgresql+asyncpg://")
        assert service["environment"]["HEARTH_REDIS_URL"].startswith("redis://")
        assert "/readyz" in " ".join(service["healthcheck"]["test"])
    assert "--no-migrate" in (ROOT / "Dockerfile").read_text()
    nginx = (ROOT / "deploy" / "nginx.conf").read_text()
    for name in hearths:
        assert f"server {name}:8000" in nginx
    assert "proxy_set_header Upgrade $http_upgrade" in nginx and "access_log off" in nginx
    assert "postgres-data" in COMPOSE["volumes"]


def test_cluster_refuses_several_processes_on_sqlite(tmp_path: Path) -> None:
    env = {"PATH": os.environ["PATH"], "HEARTH_DATA_DIR": str(tmp_path)}
    result = subprocess.run([sys.executable, "-m", "server", "cluster", "--processes", "2"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "PostgreSQL" in result.stderr


@pytest.mark.skipif(not (configured_database_url() and configured_redis_url()),
                    reason="several processes need PostgreSQL + Redis (CI runs this in its PostgreSQL + Redis pass)")
async def test_the_cluster_script_serves_chat_across_its_processes(tmp_path: Path) -> None:
    database = await asyncio.to_thread(Database.fresh)
    port = free_port_run(3)  # the balancer's port and its two processes' ports after it
    env = {k: v for k, v in os.environ.items() if not k.startswith("HEARTH_")}
    env.update({"HEARTH_DATA_DIR": str(database.data_dir), "HEARTH_DATABASE_URL": database.url or "",
                "HEARTH_REDIS_URL": configured_redis_url() or "", "HEARTH_BROKER_PREFIX": "cluster-" + database.data_dir.name,
                "HEARTH_SECRET_KEY": "cluster-secret-" + "c" * 32, "HEARTH_VENV": str(prepared_venv(tmp_path / "venv"))})
    cluster = subprocess.Popen([str(ROOT / "scripts" / "cluster"), "--processes", "2", "--port", str(port)],
                               cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if all(http.get(f"http://127.0.0.1:{p}/readyz", timeout=1).status_code == 200 for p in (port + 1, port + 2)):
                    break
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.1)

        front = ServerProcess(database, port=port)  # the balancer's address, not a process of ours
        a, b = sign_up(front), sign_up(front)
        # Round-robin: consecutive connections go to different processes.
        sa = await Socket.open(front.ws_url, a.headers)
        sb = await Socket.open(front.ws_url, b.headers)
        await sa.join(2)
        await sb.join(2)
        sent = await sa.say(2, "across the cluster")
        got = await sb.wait_for(lambda f: f["type"] == "message" and f["message"]["id"] == sent["message"]["id"])
        assert got["message"]["body"] == "across the cluster"
        assert http.get(base + "/healthz").status_code == 200
        await sa.close()
        await sb.close()
    finally:
        cluster.send_signal(signal.SIGTERM)
        try:
            cluster.wait(30)
        except subprocess.TimeoutExpired:
            cluster.kill()
