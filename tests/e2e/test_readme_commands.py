"""The project's shape, the README's two commands (serve, test) and CI's two passes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import httpx

from tests.support import PASSWORD, ROOT, free_port, http, prepared_venv


def _clean_env(**extra: str) -> dict[str, str]:
    """This machine's environment without any HEARTH_ or CI setting of the run that calls us."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HEARTH_", "PYTEST_")) and k != "CI"}
    return {**env, **extra}


def test_the_project_has_its_required_shape() -> None:
    for path in ("server", "client", "moderation", "tests", "pyproject.toml", "docker-compose.yml", "README.md", ".ci/run"):
        assert (ROOT / path).exists(), path
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["scripts"]["hearth"] == "server.cli:main"
    assert project["requires-python"] == ">=3.11"
    dev = {requirement.split(">")[0].split("=")[0].strip() for requirement in project["optional-dependencies"]["dev"]}
    assert {"pytest", "pytest-asyncio", "httpx"} <= dev
    readme = (ROOT / "README.md").read_text()
    assert "python3 scripts/dev.py serve" in readme and "python3 scripts/dev.py test" in readme


def test_the_hearth_command_is_installed() -> None:
    done = subprocess.run([str(Path(sys.executable).parent / "hearth"), "--help"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0
    for command in ("serve", "migrate", "cluster", "user"):
        assert command in done.stdout


def test_ci_runs_the_test_command_on_sqlite_and_again_on_postgresql_and_redis() -> None:
    script = (ROOT / ".ci" / "run").read_text()
    runs = [i for i, line in enumerate(script.splitlines()) if "python3 scripts/dev.py test" in line]
    assert len(runs) == 2
    second = "\n".join(script.splitlines()[runs[0] + 1:runs[1] + 1])
    for setting in ("HEARTH_TEST_DATABASE_URL=\"postgresql+asyncpg://", "HEARTH_TEST_REDIS_URL=\"redis://", "HEARTH_TEST_REQUIRE_SERVICES=1"):
        assert setting in second


def test_ci_without_its_services_fails_instead_of_skipping() -> None:
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/unit/test_pseudonyms.py"],
                          cwd=ROOT, env=_clean_env(CI="true", HEARTH_TEST_REQUIRE_SERVICES="1"), capture_output=True, text=True, timeout=120)
    assert done.returncode != 0
    assert "HEARTH_TEST_DATABASE_URL must be set" in done.stdout + done.stderr


def test_a_database_that_does_not_answer_fails_the_tests_that_need_it() -> None:
    nowhere = f"postgresql+asyncpg://postgres@127.0.0.1:{free_port()}/nowhere"
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/e2e/test_restart.py"],
                          cwd=ROOT, env=_clean_env(HEARTH_TEST_DATABASE_URL=nowhere), capture_output=True, text=True, timeout=120)
    assert done.returncode == 1 and "skipped" not in done.stdout, done.stdout[-500:]


def test_the_serve_command_migrates_sqlite_in_the_data_folder_and_serves(tmp_path: Path) -> None:
    port = free_port()
    env = _clean_env(HEARTH_VENV=str(prepared_venv(tmp_path / "venv")), HEARTH_DATA_DIR=str(tmp_path / "data"), HEARTH_PORT=str(port))
    log = open(tmp_path / "serve.log", "wb")
    # Its own process group: the script's child (the server) is stopped with it.
    serving = subprocess.Popen([sys.executable, "scripts/dev.py", "serve"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                               start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert serving.poll() is None, (tmp_path / "serve.log").read_text()
            try:
                if http.get(base + "/readyz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        assert (tmp_path / "data" / "hearth.db").is_file() and (tmp_path / "data" / "secret.key").is_file()
        page = http.get(base + "/")
        assert page.status_code == 200 and "text/html" in page.headers["content-type"]
        signed = http.post(base + "/api/v1/auth/signup", json={"pseudonym": "FirstLantern", "password": PASSWORD})
        assert signed.status_code == 201
        rooms = http.get(base + "/api/v1/rooms", headers={"Authorization": f"Bearer {signed.json()['token']}"}).json()["rooms"]
        assert "welcome" in [room["slug"] for room in rooms]  # migrated and seeded
    finally:
        os.killpg(serving.pid, signal.SIGTERM)
        serving.wait(30)
        log.close()


def test_the_test_command_runs_pytest_and_passes_its_result_on(tmp_path: Path) -> None:
    env = _clean_env(HEARTH_VENV=str(prepared_venv(tmp_path / "venv")))
    passing = subprocess.run([sys.executable, "scripts/dev.py", "test", "-q", "-p", "no:cacheprovider", "tests/unit/test_pseudonyms.py"],
                             cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert passing.returncode == 0 and " passed" in passing.stdout
    nothing = subprocess.run([sys.executable, "scripts/dev.py", "test", "-q", "-p", "no:cacheprovider", "tests/unit/test_pseudonyms.py",
                              "-k", "no_test_has_this_name"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert nothing.returncode == 5  # pytest's "no tests ran": CI sees a failure, not a pass
