"""Errors are JSON `{"error": {"code", "detail"}}`, never an HTML page or a stack
trace: unknown paths, wrong methods and failures nobody foresaw."""

from __future__ import annotations

import secrets
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from starlette.requests import Request
from starlette.routing import Route

from server.app import create_app
from server.config import load_settings
from server.services import Hearth


@pytest.fixture
def client(tmp_path: Path) -> httpx.AsyncClient:
    """The real application (no lifespan: nothing here needs the database), with one
    route that fails the way a bug would."""
    app = create_app(load_settings({"HEARTH_DATA_DIR": str(tmp_path), "HEARTH_SECRET_KEY": "error-test-" + "k" * 32}))

    async def broken(request: Request) -> None:
        raise RuntimeError("internal detail: /srv/hearth/server/db.py line 42")

    app.router.routes.insert(0, Route("/api/v1/broken", broken, methods=["GET", "POST"]))
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app, raise_app_exceptions=False), base_url="http://127.0.0.1:8000")


def _assert_json_error(response, status: int, code: str) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == status
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"} and body["error"]["code"] == code and body["error"]["detail"]
    assert "<html" not in response.text.lower() and "Traceback" not in response.text
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]


async def test_an_unforeseen_failure_is_a_plain_json_500(client: httpx.AsyncClient) -> None:
    for method in ("GET", "POST"):
        response = await client.request(method, "/api/v1/broken")
        _assert_json_error(response, 500, "internal")
        assert "internal detail" not in response.text and "db.py" not in response.text
        assert response.headers["cache-control"] == "no-store"


@pytest.mark.parametrize("path", ["/nothing-here", "/api/v1/nothing-here", "/static/nothing.js", "/ws", "/api/v1/rooms/1/nothing"])
async def test_unknown_paths_are_json_404s(client: httpx.AsyncClient, path: str) -> None:
    _assert_json_error(await client.get(path), 404, "not_found")


@pytest.mark.parametrize("method, path", [("DELETE", "/api/v1/rooms"), ("PUT", "/api/v1/auth/login"), ("POST", "/healthz")])
async def test_wrong_methods_are_json_405s(client: httpx.AsyncClient, method: str, path: str) -> None:
    _assert_json_error(await client.request(method, path), 405, "method_not_allowed")


async def test_a_database_error_never_carries_what_was_written(hearth: Hearth) -> None:
    # Its text can end up in a logged traceback; the values bound to it must not.
    words = "my private words " + secrets.token_hex(4)
    with pytest.raises(DBAPIError) as failed:
        async with hearth.transaction() as tx:
            await tx.session.execute(text("INSERT INTO no_such_table (body) VALUES (:body)"), {"body": words})
    assert words not in str(failed.value)
