"""The OpenAPI document, public: it describes the endpoints, never anyone's data."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from server.openapi import document_bytes


async def openapi(request: Request) -> Response:
    return Response(document_bytes(), media_type="application/json")


routes = [Route("/api/v1/openapi.json", openapi, methods=["GET"])]
