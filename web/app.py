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

    @app.middleware("http")
    async def locked(request: Request, call_next: Any) -> Response:
        path = request.url.path
        if _CONTROL.search(unquote(str(request.url))):
            return PlainTextResponse("control characters in the address are not accepted",
                                     status_code=400)
        request.state.lang = i18n.pick(request)
        if path.startswith(OPEN_PATHS):
            return await call_next(request)
        request.state.user = _user(request, credentials)
        if request.state.user is None:
            if path.startswith("/api/"):
                return JSONResponse({"detail": "credentials needed (HTTP basic auth)"},
                                    status_code=401,
                                    headers={"WWW-Authenticate": 'Basic realm="oltsync"'})
            target = path + (f"?{request.url.query}" if request.url.query else "")
            return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)
        response = await call_next(request)
        response.headers.setdefault("Cache-Control", "no-store")  # customers' data: not cached
        return response

    @app.middleware("http")
    async def headers(request: Request, call_next: Any) -> Response:
        response = await call_next(request)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault(
            "Content-Security-Policy", "default-src 'self'; img-src 'self' data:; "
            "style-src 'self' 'unsafe-inline'; frame-ancestors 'none'")
        return response

    @app.exception_handler(FilterError)
    async def bad_filter(request: Request, exc: FilterError) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": str(exc)}, status_code=400)
        return PlainTextResponse(str(exc), status_code=400)

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> PlainTextResponse:
        return PlainTextResponse("ok")

    app.add_middleware(timing.ServerTiming)
    return app
