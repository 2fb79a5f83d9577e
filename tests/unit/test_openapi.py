"""The OpenAPI document stays true: every REST route is described, every
described operation is routed, and the document is valid OpenAPI 3.1."""

from __future__ import annotations

import re
from pathlib import Path

from starlette.routing import Route

from server.app import create_app
from server.config import load_settings
from server.openapi import OPERATIONS, document


def _routed(tmp_path: Path) -> set[tuple[str, str]]:
    app = create_app(load_settings({"HEARTH_DATA_DIR": str(tmp_path), "HEARTH_SECRET_KEY": "k" * 40}))
    found: set[tuple[str, str]] = set()
    for route in app.routes:
        if isinstance(route, Route) and route.path.startswith("/api/"):
            path = re.sub(r"{(\w+)(:\w+)?}", r"{\1}", route.path)  # {room_id:int} -> {room_id}
            for method in route.methods or ():
                if method != "HEAD":
                    found.add((method, path))
    return found


def test_every_rest_route_is_described_and_every_description_is_routed(tmp_path: Path) -> None:
    described = {(op.method, op.path) for op in OPERATIONS}
    routed = _routed(tmp_path)
    assert routed - described == set(), "routes missing from server/openapi.py"
    assert described - routed == set(), "described operations with no route"
    assert len(described) == len(OPERATIONS), "an operation is described twice"


def test_the_document_is_valid_openapi_3_1() -> None:
    from schemathesis.openapi import from_dict

    schema = from_dict(document())
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == len(OPERATIONS)


def test_public_operations_are_only_the_ones_meant_to_be() -> None:
    public = {(op.method, op.path) for op in OPERATIONS if op.public}
    assert public == {
        ("POST", "/api/v1/auth/signup"), ("POST", "/api/v1/auth/login"), ("POST", "/api/v1/auth/recover"),
        ("GET", "/api/v1/auth/suggestions"), ("GET", "/api/v1/resources"), ("GET", "/api/v1/openapi.json"),
        ("POST", "/api/v1/auth/appeal"),  # a suspended member appeals with their password, not a session
    }


def test_no_operation_lists_members() -> None:
    """C17: there is no member directory to page through (staff look one member up by id)."""
    for op in OPERATIONS:
        assert not re.search(r"/(users|members|people|directory|profiles)/?$", op.path), op.path
