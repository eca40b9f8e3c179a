"""The JSON API (/api/…, OpenAPI at /api/openapi.json): the pages' data for the ISP's own systems,
with the same filters and paging. Read-only, HTTP basic auth (web/app.py). Every answer passes
web/privacy.py's scrub: clients' names, documents and addresses only for the users allowed them."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Query, Request

from web import clients, privacy, queries
from web.filters import OnuFilter
from web.search import search as run_search

router = APIRouter(prefix="/api", tags=["inventory"])


def _web(request: Request) -> Any:
    return request.app.state.web


def _shown(request: Request, data: Any) -> Any:
    return privacy.scrub(request, data)


@router.get("/olts", summary="The fleet: every OLT with its ONU counts and last syncs")
def olts(request: Request) -> list[dict[str, Any]]:
    web = _web(request)
    with web.engine.connect() as conn:
        return _shown(request, queries.fleet(conn, web.thresholds))


@router.get("/olts/{olt}", summary="One OLT: boards, PON ports, datasets' last syncs")
def olt(request: Request, olt: str) -> dict[str, Any]:
    web = _web(request)
    with web.engine.connect() as conn:
        row = queries.olt(conn, olt, web.thresholds)
    if row is None:
        raise HTTPException(404, f"no OLT named {olt!r}")
    return _shown(request, row)


@router.get("/olts/{olt}/ports/{port:path}", summary="One PON port: its ONUs and outages")
def port(request: Request, olt: str, port: str) -> dict[str, Any]:
    web = _web(request)
    with web.engine.connect() as conn:
        row = queries.port(conn, olt, port, web.thresholds)
    if row is None:
        raise HTTPException(404, f"no port {port!r} on OLT {olt!r}")
    return _shown(request, row)


@router.get("/search", summary="Serial (any part, either form), MAC (any notation), client, "
                               "description words, OLT name")
def search(request: Request, q: str = Query(..., max_length=100)) -> dict[str, Any]:
    with _web(request).engine.connect() as conn:
        hits, short = run_search(conn, q, names=privacy.allowed(request))
    return _shown(request, {"q": q, "hits": [h.__dict__ for h in hits], "note": short})


@router.get("/onus", summary="ONUs, filtered, sorted and paged as the ONU list page")
def onus(request: Request,
         olt: str | None = None, port: str | None = None,
         state: str | None = Query(None, description="online, offline, los, power, other"),
         band: str | None = Query(None, description="ok, weak, critical, none (ONU rx against "
                                                    "the alert thresholds)"),
         down_days: int | None = Query(None, description="offline for at least this many days"),
         q: str | None = Query(None, description="words of description or client, serial"),
         sort: str = "olt", page: int = 1, size: int = 50) -> dict[str, Any]:
    web = _web(request)
    f = OnuFilter.from_params(request.query_params)
    with web.engine.connect() as conn:
        rows, more = queries.onu_page(conn, f, web.thresholds, names=privacy.allowed(request))
    return _shown(request, {"page": f.page, "size": f.size,
                            "next_page": f.page + 1 if more else None, "onus": rows})


@router.get("/onus/{olt}/{serial}", summary="One ONU: client, state, timeline, MACs, service "
                                            "ports, optical history")
def onu(request: Request, olt: str, serial: str,
        days: int | None = Query(None, ge=1, le=3650, description="history: the last days only")
        ) -> dict[str, Any]:
    web = _web(request)
    with web.engine.connect() as conn:
        row = queries.onu(conn, olt, serial, web.thresholds, history_days=days)
    if row is None:
        raise HTTPException(404, f"no ONU {serial!r} on OLT {olt!r}")
    return _shown(request, row)


@router.get("/outages", summary="Open outages and those closed in the last `days`")
def outages(request: Request, olt: str | None = None,
            days: int = Query(7, ge=0, le=365)) -> list[dict[str, Any]]:
    with _web(request).engine.connect() as conn:
        return _shown(request, queries.outages(conn, olt_name=olt, days=days))


@router.get("/unregistered", summary="ONUs the OLTs see but have not provisioned")
def unregistered(request: Request, olt: str | None = None) -> list[dict[str, Any]]:
    with _web(request).engine.connect() as conn:
        return _shown(request, queries.unregistered(conn, olt))


@router.get("/signal-alerts", summary="Open low-signal alerts, critical first")
def signal_alerts(request: Request, olt: str | None = None) -> list[dict[str, Any]]:
    with _web(request).engine.connect() as conn:
        return _shown(request, queries.signal_alerts(conn, olt))


@router.get("/clients/reconciliation",
            summary="ONUs and clients reconciled: the fleet's counts and samples (or one OLT's: "
                    "`olt`), and every OLT's counts")
def clients_reconciliation(request: Request, olt: str | None = None) -> dict[str, Any]:
    web = _web(request)
    if olt:
        with web.engine.connect() as conn:
            if not clients.olt_known(conn, olt):
                raise HTTPException(404, f"no OLT named {olt!r}")
    return _shown(request, clients.summary(web.engine, olt or None))


@router.get("/clients/{kind}",
            summary="A list behind the reconciliation, paged: without_client (ONUs), shared, "
                    "swapped, without_onu (clients)")
def client_list(request: Request, kind: str, olt: str | None = None, page: int = 1,
                size: int = 50) -> dict[str, Any]:
    if kind not in clients.KINDS:
        raise HTTPException(404, f"no list {kind!r}: {', '.join(clients.KINDS)}")
    web = _web(request)
    page_no, size = clients.paging(request.query_params)
    with web.engine.connect() as conn:
        if olt and not clients.olt_known(conn, olt):
            raise HTTPException(404, f"no OLT named {olt!r}")
        rows, more = clients.page(conn, kind, olt or None, page_no, size)
    return _shown(request, {"kind": kind, "olt": olt or None, "page": page_no, "size": size,
                            "next_page": page_no + 1 if more else None, "rows": rows})
