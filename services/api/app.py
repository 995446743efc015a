"""The HTTP app: FastAPI over the read models, NATS at its edge, and the dashboard page at ``/``.

``create_api(app)`` builds it from the composition root's ``App``. OpenAPI is at ``/docs`` and
``/openapi.json``, the AsyncAPI document of the NATS contract at ``/asyncapi`` and
``/asyncapi.json``. Errors are answered as ``{"detail": "one line in words"}``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from pingzhan.domain.errors import DomainError
from pingzhan.services import metrics
from pingzhan.services.api import actions, reads, stream
from pingzhan.services.api.auth import Tokens
from pingzhan.services.api.edge import Edge
from pingzhan.services.api.parts import Parts
from pingzhan.services.bootstrap import App

STATIC = Path(__file__).with_name("static")


def create_api(app: App, parts: Parts | None = None) -> FastAPI:
    parts = parts or Parts(app)
    edge = Edge(app.settings, parts.ticker.tick)

    @asynccontextmanager
    async def lifespan(api: FastAPI) -> AsyncIterator[None]:
        parts.ticker.bind()  # the broker's own lifespan comes with its router (include_router)
        yield

    api = FastAPI(
        title="pingzhan",
        summary="Peacetime/wartime switching and the duty record of a district's community grids",
        version="1",
        lifespan=lifespan,
    )
    api.state.parts, api.state.edge = parts, edge
    api.state.tokens = Tokens(lambda token: _authenticate(app, token))
    api.include_router(edge.router)
    _asyncapi_document(api, edge)
    api.include_router(actions.router)
    api.include_router(reads.router)
    api.include_router(stream.router)
    _answer_errors_in_words(api)

    @api.get("/metrics", include_in_schema=False)
    def prometheus() -> Response:  # for scrapers: no token
        page, content_type = metrics.exposition()
        return Response(page, media_type=content_type)

    api.mount("/", StaticFiles(directory=STATIC, html=True), name="dashboard")
    return api


def _asyncapi_document(api: FastAPI, edge: Edge) -> None:
    """faststream adds its AsyncAPI pages when the app starts, after the dashboard would have
    taken every path: add them now instead, without its "try it out", which would publish
    anything, unauthenticated."""
    docs = edge.router.docs_router
    if docs is None:
        return
    docs.routes = [r for r in docs.routes if not getattr(r, "path", "").endswith("/try")]
    schema = edge.router.schema
    schema.title, schema.version = api.title, api.version
    schema.description = edge.router.broker.specification.description  # type: ignore[attr-defined]
    api.include_router(docs)
    edge.router.docs_router = None


WORDS = {  # pydantic's error types, said for people
    "missing": "is required",
    "extra_forbidden": "is not taken here (who acts is who signed in)",
    "json_invalid": "is not valid JSON",
    "model_attributes_type": "must be a JSON object",
    "dict_type": "must be a JSON object",
    "bool_type": "must be true or false",
    "bool_parsing": "must be true or false",
    "int_parsing": "must be a whole number",
    "string_type": "must be text",
    "literal_error": "must be one of {expected}",
    "greater_than_equal": "must be at least {ge}",
    "less_than_equal": "must be at most {le}",
    "string_too_short": "must not be empty",
    "string_too_long": "is too long (at most {max_length} characters)",
}


def request_error(err: dict[str, Any]) -> str:
    """One line in words for the first thing wrong with a request."""
    loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path")]
    where = ".".join(p for p in loc if not p.isdigit()) or "the body"
    words = WORDS.get(err.get("type", ""))
    if words is None:
        return f"{where}: not valid ({str(err.get('msg', '')).split(',')[0].lower()})"
    return f"{where}: {words.format(**err.get('ctx', {}))}"


def _authenticate(app: App, token: str) -> tuple[str, str] | None:
    from pingzhan.services.accounts import authenticate

    return authenticate(app.ledger, token)


def _answer_errors_in_words(api: FastAPI) -> None:
    @api.exception_handler(RequestValidationError)
    async def invalid(_: Request, e: RequestValidationError) -> JSONResponse:
        return JSONResponse({"detail": request_error(e.errors()[0])}, status_code=400)

    @api.exception_handler(ValueError)
    async def not_valid(_: Request, e: ValueError) -> JSONResponse:
        return JSONResponse({"detail": str(e)}, status_code=400)

    @api.exception_handler(LookupError)
    async def not_found(_: Request, e: LookupError) -> JSONResponse:
        return JSONResponse({"detail": str(e).strip("'\"")}, status_code=404)

    @api.exception_handler(DomainError)
    async def refused(_: Request, e: DomainError) -> JSONResponse:
        return JSONResponse({"detail": str(e)}, status_code=400)
