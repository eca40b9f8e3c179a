"""`oltsync web`: the read-only web page and JSON API over the inventory database.

create_app() builds the FastAPI application; oltsync/web_server.py runs it with uvicorn. Every page
and API answer needs credentials (web/auth.py); only the login page, the static assets and a bare
health check answer without."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy.engine import Engine

from alerts.signal import Thresholds
from web import api, i18n, pages, timing
from web.auth import COOKIE, Credentials
from web.filters import FilterError

HERE = Path(__file__).resolve().parent
OPEN_PATHS = ("/login", "/static/", "/healthz")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")  # NUL and the like: no text of ours has them


@dataclass(frozen=True)
class WebState:
    engine: Engine
    credentials: Credentials
    thresholds: Thresholds
    prefect_ui: str | None  # where the Prefect UI is, for links to an OLT's flow runs


def prefect_ui_url() -> str | None:
    ui = os.environ.get("PREFECT_UI_URL")
    if ui:
        return ui.rstrip("/")
    api_url = os.environ.get("PREFECT_API_URL", "").rstrip("/")
    return api_url[:-4] if api_url.endswith("/api") else None


def _user(request: Request, creds: Credentials) -> str | None:
    return (creds.session(request.cookies.get(COOKIE))
            or creds.basic(request.headers.get("authorization")))


def from_env() -> FastAPI:
    """The application as `oltsync web` configures it (each uvicorn worker process calls it)."""
    from storage.db import database_url
    from web.db import read_only_engine

    return create_app(read_only_engine(database_url()), Credentials.from_env())


def create_app(engine: Engine, credentials: Credentials,
               thresholds: Thresholds | None = None) -> FastAPI:
    app = FastAPI(title="oltsync inventory", docs_url=None, redoc_url=None,
                  openapi_url="/api/openapi.json",
                  description="Read-only: the GPON inventory oltsync collects. HTTP basic auth "
                              "with the web page's credentials (OLTSYNC_WEB_AUTH).")
    timing.watch(engine)
    app.state.web = WebState(engine, credentials, thresholds or Thresholds(), prefect_ui_url())
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.include_router(pages.router)
    app.include_router(api.router)

    @app.exception_handler(FilterError)
    async def bad_filter(request: Request, exc: FilterError) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": str(exc)}, status_code=400)
        return PlainTextResponse(str(exc), status_code=400)

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> PlainTextResponse:
        return PlainTextResponse("ok")

    app.add_middleware(Locked, credentials=credentials)
    app.add_middleware(timing.ServerTiming)
    return app


SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"), (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"content-security-policy", b"default-src 'self'; img-src 'self' data:; "
                                 b"style-src 'self' 'unsafe-inline'; frame-ancestors 'none'")]


class Locked:
    """ASGI middleware (plain: Starlette's per-function middleware costs a task per request):
    control characters refused, the language picked, credentials required outside OPEN_PATHS,
    and the security headers on every answer; customers' data never cached."""

    def __init__(self, app: Any, credentials: Credentials) -> None:
        self.app, self.credentials = app, credentials

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        path = request.url.path
        if _CONTROL.search(unquote(str(request.url))):
            await PlainTextResponse("control characters in the address are not accepted",
                                    status_code=400)(scope, receive, send)
            return
        scope.setdefault("state", {})["lang"] = i18n.pick(request)
        private = not path.startswith(OPEN_PATHS)
        if private:
            user = _user(request, self.credentials)
            scope["state"]["user"] = user
            if user is None:
                await self._refuse(request, path)(scope, receive, send)
                return

        async def with_headers(message: dict) -> None:
            if message["type"] == "http.response.start":
                headers = message.setdefault("headers", [])
                have = {k.lower() for k, _ in headers}
                headers += [(k, v) for k, v in SECURITY_HEADERS if k not in have]
                if private and b"cache-control" not in have:
                    headers.append((b"cache-control", b"no-store"))
            await send(message)

        await self.app(scope, receive, with_headers)

    @staticmethod
    def _refuse(request: Request, path: str) -> Response:
        if path.startswith("/api/"):
            return JSONResponse({"detail": "credentials needed (HTTP basic auth)"},
                                status_code=401,
                                headers={"WWW-Authenticate": 'Basic realm="oltsync"'})
        target = path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)
