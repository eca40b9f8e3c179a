"""The pages: server-rendered, each linkable; htmx swaps in search results and list pages."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse
from fastapi.templating import Jinja2Templates

from sync.report import artifact_key
from web import clients, i18n, privacy, queries
from web.auth import COOKIE, SESSION_S
from web.filters import BANDS, SORTS, STATES, OnuFilter
from web.search import search as run_search

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=Path(__file__).resolve().parent / "templates")
CSV_COLUMNS = ("olt", "port", "onu_id", "serial", "run_state", "last_down_cause", "last_up_at",
               "last_down_at", "rx_power_dbm", "tx_power_dbm", "olt_rx_power_dbm", "band",
               "distance_m", "equipment", "firmware", "description", "client_key", "client_name")


def when(v: datetime | None) -> str:
    return v.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC") if v else "—"


def dbm(v: float | None) -> str:
    return "—" if v is None else f"{v:.2f}"


templates.env.filters.update(when=when, dbm=dbm)
templates.env.globals.update(urlencode=urlencode, STATES=STATES, BANDS=BANDS, SORTS=SORTS,
                             artifact_key=artifact_key)


def _web(request: Request) -> Any:
    return request.app.state.web


def render(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    """A page; what it shows passes web/privacy.py's scrub first (`personal`: whether the user
    sees clients' names, documents and addresses)."""
    lang = request.state.lang
    web = _web(request)
    response = templates.TemplateResponse(request, name, {
        "t": i18n.translator(lang), "lang": lang, "user": getattr(request.state, "user", None),
        "thresholds": web.thresholds, "prefect_ui": web.prefect_ui,
        "personal": privacy.allowed(request), **privacy.scrub(request, context)},
        status_code=status)
    if request.query_params.get("lang") in i18n.LANGS:
        response.set_cookie("lang", lang, max_age=365 * 86400, samesite="lax")
    return response


def _safe_next(target: str | None) -> str:
    """Only a path of this site: a login link must not send the user elsewhere."""
    return target if target and target.startswith("/") and not target.startswith("//") else "/"


@router.get("/login")
def login_page(request: Request, next: str = "/") -> HTMLResponse:  # noqa: A002
    return render(request, "login.html", next=_safe_next(next), failed=False)


@router.post("/login")
async def login(request: Request) -> Response:
    form = {k: v[0] for k, v in parse_qs((await request.body()).decode("utf-8", "replace"),
                                           keep_blank_values=True).items()}
    creds = _web(request).credentials
    user, target = form.get("user", ""), _safe_next(form.get("next"))
    if not creds.check(user, form.get("password", "")):
        await asyncio.sleep(1)  # a guess a second, per connection
        return render(request, "login.html", status=401, next=target, failed=True)
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(COOKIE, creds.cookie(user), max_age=SESSION_S, httponly=True,
                        samesite="strict", secure=request.url.scheme == "https")
    return response


@router.post("/logout")
def logout() -> Response:
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE)
    return response


@router.get("/")
def fleet_page(request: Request) -> HTMLResponse:
    web = _web(request)
    with web.engine.connect() as conn:
        rows = queries.fleet(conn, web.thresholds)
    return render(request, "fleet.html", olts=rows)


@router.get("/search")
def search_page(request: Request, q: str = "") -> HTMLResponse:
    with _web(request).engine.connect() as conn:
        hits, short = run_search(conn, q, names=privacy.allowed(request)) if q.strip() \
            else ([], None)
    name = "_search_results.html" if request.headers.get("hx-request") else "search.html"
    return render(request, name, q=q, hits=hits, short=short)


@router.get("/onus")
def onus_page(request: Request) -> HTMLResponse:
    web = _web(request)
    f = OnuFilter.from_params(request.query_params)
    with web.engine.connect() as conn:
        rows, more = queries.onu_page(conn, f, web.thresholds, names=privacy.allowed(request))
        olt_names = queries.fleet_names(conn)
    name = "_onu_rows.html" if request.headers.get("hx-request") else "onus.html"
    return render(request, name, f=f, rows=rows, more=more, olt_names=olt_names)


def _csv_lines(request: Request, f: OnuFilter) -> Iterator[str]:
    web = _web(request)
    names = privacy.allowed(request)
    buf = io.StringIO()
    out = csv.writer(buf)
    out.writerow(CSV_COLUMNS)
    with web.engine.connect() as conn:
        for i, found in enumerate(queries.onu_rows(conn, f, web.thresholds, names=names)):
            row = found if names else privacy.redact(found)
            out.writerow(["" if row[k] is None else row[k].isoformat()
                          if isinstance(row[k], datetime) else row[k] for k in CSV_COLUMNS])
            if i % 500 == 0:
                yield buf.getvalue()
                buf.seek(0)
                buf.truncate()
    yield buf.getvalue()


@router.get("/onus.csv")
def onus_csv(request: Request) -> StreamingResponse:
    f = OnuFilter.from_params(request.query_params)
    name = "-".join(filter(None, ["onus", f.olt, (f.port or "").replace("/", "-"), f.state,
                                  f.band])) + ".csv"
    return StreamingResponse(_csv_lines(request, f), media_type="text/csv; charset=utf-8",
                             headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.get("/onus/{olt}/{serial}")
def onu_page(request: Request, olt: str, serial: str, days: int | None = None) -> HTMLResponse:
    """`days`: the graph's last days only (7, 30); none: all the history kept (the prune's
    retention bounds it, 90 days by default)."""
    web = _web(request)
    days = days if days and 0 < days <= 3650 else None
    with web.engine.connect() as conn:
        onu = queries.onu(conn, olt, serial, web.thresholds, history_days=days)
    if onu is None:
        return render(request, "missing.html", status=404)
    th = web.thresholds
    chart = {"t": [int(h["sampled_at"].timestamp()) for h in onu["history"]],
             "rx": [h["rx_power_dbm"] for h in onu["history"]],
             "tx": [h["tx_power_dbm"] for h in onu["history"]],
             "olt_rx": [h["olt_rx_power_dbm"] for h in onu["history"]],
             "thresholds": {"onu_rx_warning": th.onu_rx_warning,
                            "onu_rx_critical": th.onu_rx_critical,
                            "olt_rx_warning": th.olt_rx_warning,
                            "olt_rx_critical": th.olt_rx_critical}}
    # inside a <script type="application/json">: "</" must not close the tag
    data = json.dumps(chart).replace("</", "<\\/")
    return render(request, "onu.html", onu=onu, chart=data, days=days)


@router.get("/olts/{olt}")
def olt_page(request: Request, olt: str) -> HTMLResponse:
    web = _web(request)
    with web.engine.connect() as conn:
        row = queries.olt(conn, olt, web.thresholds)
    if row is None:
        return render(request, "missing.html", status=404)
    return render(request, "olt.html", olt=row)


@router.get("/olts/{olt}/ports/{port:path}")
def port_page(request: Request, olt: str, port: str) -> HTMLResponse:
    web = _web(request)
    with web.engine.connect() as conn:
        row = queries.port(conn, olt, port, web.thresholds)
    if row is None:
        return render(request, "missing.html", status=404)
    strip = sorted((o for o in row["onus"] if o["rx_power_dbm"] is not None),
                   key=lambda o: o["rx_power_dbm"])
    return render(request, "port.html", port=row, strip=strip)


@router.get("/outages")
def outages_page(request: Request) -> HTMLResponse:
    with _web(request).engine.connect() as conn:
        rows = queries.outages(conn)
        for r in rows:
            r["onus"] = queries.affected_onus(conn, r["olt"], r["serials"])
    return render(request, "outages.html", outages=rows)


@router.get("/unregistered")
def unregistered_page(request: Request) -> HTMLResponse:
    with _web(request).engine.connect() as conn:
        rows = queries.unregistered(conn)
    return render(request, "unregistered.html", rows=rows)


@router.get("/signal")
def signal_page(request: Request) -> HTMLResponse:
    with _web(request).engine.connect() as conn:
        rows = queries.signal_alerts(conn)
    return render(request, "signal.html", rows=rows)


@router.get("/clients")
def clients_page(request: Request, olt: str | None = None) -> HTMLResponse:
    """The reconciliation of ONUs and clients (the fleet's or `olt`'s), every OLT's counts, and
    the first rows of each list."""
    web = _web(request)
    olt = olt or None
    if olt:
        with web.engine.connect() as conn:
            if not clients.olt_known(conn, olt):
                return render(request, "missing.html", status=404)
    data = clients.overview(web.engine, olt)
    return render(request, "clients.html", olt=olt, rec=data["reconciliation"],
                  per_olt=data["olts"], lists=data["lists"], swap_days=data["swap_days"],
                  kinds=clients.KINDS)


@router.get("/clients/{kind}")
def client_list_page(request: Request, kind: str, olt: str | None = None) -> HTMLResponse:
    """One of the clients page's lists, a page at a time (`page`, `size`)."""
    if kind not in clients.KINDS:
        return render(request, "missing.html", status=404)
    web = _web(request)
    olt = olt or None
    page_no, size = clients.paging(request.query_params)
    with web.engine.connect() as conn:
        if olt and not clients.olt_known(conn, olt):
            return render(request, "missing.html", status=404)
        rows, more = clients.page(conn, kind, olt, page_no, size)
    return render(request, "client_list.html", kind=kind, olt=olt, rows=rows, more=more,
                  page_no=page_no, size=size, swap_days=clients.SWAP_DAYS)
