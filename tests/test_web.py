"""The web page and its JSON API (web/), through FastAPI's TestClient on a real database (SQLite and
PostgreSQL), filled through the normal store from the simulator (bench/web_data.py): what each page
and answer shows is compared with the database and with plain-Python versions of the filters."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text

from alerts.outages import cause_kind
from alerts.signal import Thresholds
from storage import schema
from storage.db import get_engine

ROOT = Path(__file__).resolve().parent.parent
AUTH = ("desk", "correct-horse-battery")
PLATFORMS = "huawei_smartax,zte_c300"
HOSTILE = ["'; DROP TABLE onus; --", "%", "%%%", "_", "___", "\\", "\\%", "' OR '1'='1", "<script>",
           "\" OR 1=1 --", "Fábio%' --", "\x00abc", "a" * 300, "🙂🙂🙂", "%_\\'\"", "$$; $$",
           "ILIKE", ") UNION SELECT * FROM clients --"]


def _build(url: str) -> dict[str, Any]:
    from bench import web_data
    from storage import migrate

    migrate.upgrade(url)
    olts = [web_data.store_olt(url, i, 64, 7, PLATFORMS) for i in range(2)]
    for olt in olts:
        web_data.fleet_events(url, olt, 7)
    web_data.history(url, olts[0], 2, 7)
    return {"olts": olts}


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def site(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
         ) -> Iterator[dict[str, Any]]:
    from web.app import create_app
    from web.auth import Credentials
    from web.db import read_only_engine

    def serve(url: str) -> Iterator[dict[str, Any]]:
        data = _build(url)
        engine = read_only_engine(url)
        app = create_app(engine, Credentials.parse(f"{AUTH[0]}:{AUTH[1]} other:another-password"))
        with TestClient(app) as client:
            yield {"url": url, "client": client, "db": get_engine(url), "ro": engine, **data}
        engine.dispose()

    if request.param == "sqlite":
        yield from serve(f"sqlite:///{tmp_path_factory.mktemp('web') / 'web.db'}")
        return
    from tests.conftest import empty_pg_database

    with empty_pg_database() as url:
        yield from serve(url)


def _get(site: dict, path: str, **kw: Any) -> Any:
    r = site["client"].get(path, auth=AUTH, **kw)
    assert r.status_code == 200, (path, r.status_code, r.text[:300])
    return r


def _present(site: dict) -> list[dict[str, Any]]:
    o, c = schema.onus, schema.clients
    with site["db"].connect() as conn:
        return [dict(r._mapping) for r in conn.execute(
            select(o, c.c.name.label("client_name")).select_from(
                o.outerjoin(c, c.c.key == o.c.client_key)).where(o.c.removed_at.is_(None)))]


# -- locked ----------------------------------------------------------------------------------

def _routes(app: Any) -> list[Any]:
    """Every route, those of included routers too."""
    out = []
    for r in app.routes:
        out += _routes(r.original_router) if hasattr(r, "original_router") else [r]
    return out


def _paths(site: dict, onu: dict | None = None) -> list[str]:
    onu = onu or _present(site)[0]
    fill = {"olt": onu["olt"], "serial": onu["serial"], "port": onu["port"], "kind": "shared"}
    return [re.sub(r"\{(\w+)(:path)?\}", lambda m: fill[m.group(1)], r.path)
            + ("?q=" + onu["serial"][4:9] if r.path == "/api/search" else "")
            for r in _routes(site["client"].app)
            if "GET" in getattr(r, "methods", ()) and not r.path.startswith(("/static", "/login",
                                                                              "/healthz"))]


def test_no_page_or_api_answer_without_credentials(site: dict) -> None:
    client = site["client"]
    paths = _paths(site)
    assert {"/", "/onus", "/onus.csv", "/api/onus", "/api/openapi.json", "/outages"} <= set(paths)
    assert len(paths) >= 18
    serial = _present(site)[0]["serial"]
    for path in paths:
        bare = client.get(path, follow_redirects=False)
        wrong = client.get(path, auth=(AUTH[0], "wrong-password"), follow_redirects=False)
        forged = client.get(path, cookies={"oltsync_session": f"{AUTH[0]}.9999999999.{'0' * 64}"},
                            follow_redirects=False)
        for r in (bare, wrong, forged):
            if path.startswith("/api/"):
                assert r.status_code == 401 and r.headers["www-authenticate"].startswith("Basic")
            else:
                assert r.status_code == 303 and r.headers["location"].startswith("/login?next=")
            assert serial not in r.text
        assert client.get(path, auth=AUTH).status_code == 200, path
    client.cookies.clear()


def test_no_write_path_exists(site: dict) -> None:
    """Only the login form and logout take anything but GET, and the web's own engine cannot
    write even if a route tried."""
    methods = {(r.path, m) for r in _routes(site["client"].app) for m in getattr(r, "methods", ())
               if m not in ("GET", "HEAD")}
    assert methods == {("/login", "POST"), ("/logout", "POST")}
    with pytest.raises(Exception, match="(?i)read.only|readonly"):
        with site["ro"].begin() as conn:
            conn.execute(text("UPDATE onus SET description = 'x'"))


def test_login_keeps_a_session_and_sends_only_to_this_site(site: dict) -> None:
    client = site["client"]
    client.cookies.clear()
    bad = client.post("/login", data={"user": AUTH[0], "password": "nope", "next": "/onus"})
    assert bad.status_code == 401 and "Wrong user or password." in bad.text
    for target, landed in (("/onus?state=offline", "/onus?state=offline"),
                           ("//evil.example/x", "/"), ("https://evil.example/", "/")):
        r = client.post("/login", data={"user": AUTH[0], "password": AUTH[1], "next": target},
                        follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == landed
        cookie = r.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=strict" in cookie.replace("Strict", "strict")
    assert client.get("/onus", follow_redirects=False).status_code == 200  # the cookie suffices
    client.post("/logout")
    client.cookies.clear()
    assert client.get("/onus", follow_redirects=False).status_code == 303


def test_credentials_are_checked_when_read() -> None:
    from core.errors import ConfigError
    from web.auth import Credentials

    for bad in ("", "   ", "nopassword", "user:short", ":password123"):
        with pytest.raises(ConfigError, match="OLTSYNC_WEB_AUTH"):
            Credentials.parse(bad)
    creds = Credentials.parse("a:password-one b:password-two")
    assert creds.check("b", "password-two") and not creds.check("b", "password-one")
    cookie = creds.cookie("a", now=1000)
    assert creds.session(cookie, now=1001) == "a"
    assert creds.session(cookie, now=1000 + 13 * 3600) is None  # expired
    assert creds.session(cookie.replace("a.", "b.", 1), now=1001) is None  # another user's name
    # a changed password ends the sessions signed with the old one
    assert Credentials.parse("a:password-new b:password-two").session(cookie, now=1001) is None
    assert "password" not in repr(creds)


# -- search ----------------------------------------------------------------------------------

def _hits(site: dict, q: str) -> list[dict[str, Any]]:
    return _get(site, "/api/search", params={"q": q}).json()["hits"]


def test_search_finds_a_serial_by_any_part_in_either_form(site: dict) -> None:
    onu = next(o for o in _present(site) if o["serial"].startswith("HWTC"))
    middle = onu["serial"][5:11]
    assert (onu["olt"], onu["serial"]) in {(h["olt"], h["serial"]) for h in _hits(site, middle)}
    hex_form = onu["serial"][:4].encode().hex().upper() + onu["serial"][4:10]  # 48575443 + digits
    found = _hits(site, hex_form.lower())
    assert [h["serial"] for h in found] == [onu["serial"]] and found[0]["matched"] == "serial"
    assert _hits(site, f"{onu['serial'][:4]}-{onu['serial'][4:]}")[0]["serial"] == onu["serial"]


def test_search_finds_a_mac_in_any_notation(site: dict) -> None:
    m = schema.macs
    with site["db"].connect() as conn:
        row = conn.execute(select(m.c.olt, m.c.mac, m.c.port, m.c.onu_id).where(
            m.c.removed_at.is_(None), m.c.port.is_not(None)).order_by(m.c.id).limit(1)).one()
        serial = conn.scalar(select(schema.onus.c.serial).where(
            schema.onus.c.olt == row.olt, schema.onus.c.port == row.port,
            schema.onus.c.onu_id == row.onu_id))
    digits = row.mac.replace(":", "")
    for q in (row.mac.upper(), f"{digits[:4]}.{digits[4:8]}.{digits[8:]}",
              f"{digits[2:6]}-{digits[6:10]}".upper(), row.mac[3:14]):
        hits = _hits(site, q)
        assert (row.olt, serial) in {(h["olt"], h["serial"]) for h in hits}, q
        assert any(h["matched"] == "mac" for h in hits)


def test_search_finds_clients_by_name_and_description_words(site: dict) -> None:
    onus = _present(site)
    named = next(o for o in onus if o["client_name"] and re.search(r"[ÁÉÍÓÚÂÊÔÃÕÇáéíóúâêôãõç]",
                                                                    o["client_name"]))
    word = next(w for w in re.split(r"[\s_]+", named["client_name"]) if len(w) >= 4)
    hits = _hits(site, word.lower() if word.lower() != word else word.upper())
    expected = {(o["olt"], o["serial"]) for o in onus
                if word.lower() in f"{o['description'] or ''} {o['client_key'] or ''} "
                                   f"{o['client_name'] or ''}".lower()}
    got = {(h["olt"], h["serial"]) for h in hits if h["kind"] == "onu"}
    assert (named["olt"], named["serial"]) in got
    assert got == set(list(sorted(expected))[:20]) or got <= expected
    key = named["client_key"]
    assert (named["olt"], named["serial"]) in {(h["olt"], h["serial"]) for h in _hits(site, key)}
    olt = named["olt"]
    assert any(h["kind"] == "olt" and h["olt"] == olt for h in _hits(site, olt))


@pytest.mark.parametrize("q", HOSTILE)
def test_search_takes_hostile_text_as_text(site: dict, q: str) -> None:
    before = len(_present(site))
    r = site["client"].get("/api/search", params={"q": q}, auth=AUTH)
    # 422: longer than the API's 100 characters; 400: a control character
    assert r.status_code in (200, 422) or (r.status_code == 400 and "\x00" in q), r.text
    if r.status_code == 200:
        # no wildcard or quote ever reaches SQL as syntax: text that no ONU holds matches none
        hits = [h for h in r.json()["hits"] if h["kind"] == "onu"]
        for h in hits:
            blob = f"{h['serial']} {h['description']} {h['client_key']} {h['client_name']}"
            assert all(w.lower() in blob.lower() for w in q.split() if len(w) >= 2), (q, h)
    page = site["client"].get("/search", params={"q": q}, auth=AUTH)
    listed = site["client"].get("/onus", params={"q": q}, auth=AUTH)
    if "\x00" in q:
        assert page.status_code == listed.status_code == 400
    else:
        assert page.status_code == listed.status_code == 200
        assert "<script>" not in page.text.split("<main>")[1]
    assert len(_present(site)) == before


def test_a_serial_with_a_numeric_vendor_and_a_dash_is_not_taken_for_a_mac() -> None:
    from web.search import mac_fragment, serial_fragments

    assert mac_fragment("2011-1A2B3C4D") and serial_fragments("2011-1A2B3C4D") == ["20111A2B3C4D"]
    assert serial_fragments("48575443") == ["48575443", "HWTC"]


def test_search_asks_for_three_characters(site: dict) -> None:
    r = _get(site, "/api/search", params={"q": "ab"}).json()
    assert r["hits"] == [] and "3 characters" in r["note"]


# -- the ONU list, its CSV and the API --------------------------------------------------------

def _expected(onus: list[dict], *, olt: str | None = None, state: str | None = None,
              band: str | None = None) -> set[tuple[str, str]]:
    t = Thresholds()

    def band_of(v: float | None) -> str:
        return "none" if v is None else "critical" if v <= t.onu_rx_critical else \
            "weak" if v <= t.onu_rx_warning else "ok"

    def state_ok(o: dict) -> bool:
        if state in (None, "online"):
            return state is None or o["run_state"] == "online"
        return o["run_state"] == "offline" and (
            state == "offline" or cause_kind(o["last_down_cause"]) == state)

    return {(o["olt"], o["serial"]) for o in onus
            if (olt is None or o["olt"] == olt) and state_ok(o)
            and (band is None or band_of(o["rx_power_dbm"]) == band)}


def _csv(site: dict, params: dict) -> list[dict[str, str]]:
    r = _get(site, "/onus.csv", params=params)
    assert r.headers["content-type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(r.text)))


@pytest.mark.parametrize("params", [
    {"state": "offline"}, {"state": "los"}, {"state": "power"}, {"state": "other"},
    {"state": "online", "band": "weak"}, {"band": "critical"}, {"band": "none"}, {"band": "ok"},
    {"olt": "FIRST", "state": "offline"}])
def test_the_csv_is_exactly_what_the_filter_shows(site: dict, params: dict) -> None:
    onus = _present(site)
    if params.get("olt") == "FIRST":
        params = {**params, "olt": sorted({o["olt"] for o in onus})[0]}
    expected = _expected(onus, **params)
    rows = _csv(site, params)
    assert {(r["olt"], r["serial"]) for r in rows} == expected
    assert len(rows) == len(expected)
    if params.get("state") == "offline":
        assert expected  # the simulated fleet has offline ONUs with each cause
    by_serial = {(o["olt"], o["serial"]): o for o in onus}
    for r in rows:
        o = by_serial[(r["olt"], r["serial"])]
        assert (float(r["rx_power_dbm"]) if r["rx_power_dbm"] else None) == o["rx_power_dbm"]
        assert (r["client_key"] or None) == o["client_key"]
        assert (r["description"] or None) == o["description"]
    # the list page and the API page through the same rows, in the same order
    api_rows, page = [], 1
    while page:
        body = _get(site, "/api/onus", params={**params, "size": 7, "page": page}).json()
        api_rows += [(x["olt"], x["serial"]) for x in body["onus"]]
        page = body["next_page"]
    assert api_rows == [(r["olt"], r["serial"]) for r in rows]
    html = _get(site, "/onus", params={**params, "size": 500}).text
    assert re.findall(r'class="onu-link" href="/onus/[^/]+/(\w+)"', html) == \
        [r["serial"] for r in rows]


def test_causes_are_sorted_as_the_alerts_sort_them(site: dict) -> None:
    from web.queries import cause_kind as sql_kind

    causes = ["LOS", "LOSi", "LOFi", "dying-gasp", "Dying Gasp", "DG", "power off", "PowerOff",
              "deactive", "ring", None, "", "Auth fail", "LOBi", "los", "OTHER_LOS"]
    with site["db"].connect() as conn:
        for cause in causes:
            assert conn.scalar(select(sql_kind(text(":c").bindparams(c=cause)))) == \
                cause_kind(cause), cause


def test_sorting_and_filters_refuse_what_they_do_not_know(site: dict) -> None:
    rows = _get(site, "/api/onus", params={"sort": "-rx", "size": 500}).json()["onus"]
    levels = [r["rx_power_dbm"] for r in rows if r["rx_power_dbm"] is not None]
    assert levels == sorted(levels, reverse=True) and rows[-1]["rx_power_dbm"] is None or \
        all(r["rx_power_dbm"] is not None for r in rows)
    for bad in ({"state": "broken"}, {"band": "x"}, {"sort": "id; drop"}, {"page": "-1"},
                {"size": "100000"}):
        for path in ("/api/onus", "/onus", "/onus.csv"):
            r = site["client"].get(path, params=bad, auth=AUTH)
            assert r.status_code == 400 and list(bad)[0] in r.text, (path, bad)


# -- the ONU page -----------------------------------------------------------------------------

def test_the_onu_page_carries_its_history_timeline_macs_and_port(site: dict) -> None:
    h, sc = schema.onu_optical_history, schema.onu_state_changes
    with site["db"].connect() as conn:
        olt, serial, n = conn.execute(
            select(h.c.olt, h.c.serial, text("count(*) AS n")).group_by(h.c.olt, h.c.serial)
            .order_by(text("n DESC"), h.c.serial).limit(1)).one()
        samples = conn.execute(select(h.c.sampled_at, h.c.rx_power_dbm, h.c.tx_power_dbm,
                                      h.c.olt_rx_power_dbm).where(
            h.c.olt == olt, h.c.serial == serial).order_by(h.c.sampled_at)).all()
        changes = conn.scalar(select(text("count(*)")).select_from(sc).where(
            sc.c.olt == olt, sc.c.serial == serial))
    assert n > 24
    page = _get(site, f"/onus/{olt}/{serial}").text
    data = json.loads(re.search(r'<script type="application/json" id="optical-data">(.*?)</script>',
                                page, re.S).group(1))
    assert len(data["t"]) == len(samples) == n
    assert data["rx"] == [s.rx_power_dbm for s in samples]
    assert data["olt_rx"] == [s.olt_rx_power_dbm for s in samples]
    assert data["thresholds"]["onu_rx_warning"] == -27.0
    api = _get(site, f"/api/onus/{olt}/{serial}").json()
    assert len(api["history"]) == n and len(api["timeline"]) == min(changes, 200)
    onus = _present(site)
    me = next(o for o in onus if (o["olt"], o["serial"]) == (olt, serial))
    port = {o["serial"] for o in onus if o["olt"] == olt and o["port"] == me["port"]}
    assert {x["serial"] for x in api["neighbours"]} == port
    assert site["client"].get(f"/onus/{olt}/NOSUCHSERIAL", auth=AUTH).status_code == 404
    assert site["client"].get(f"/api/onus/{olt}/NOSUCHSERIAL", auth=AUTH).status_code == 404


def test_port_olt_fleet_outages_unregistered_and_alert_pages(site: dict) -> None:
    onus = _present(site)
    olt = sorted({o["olt"] for o in onus})[0]
    fleet = {x["name"]: x for x in _get(site, "/api/olts").json()}
    mine = [o for o in onus if o["olt"] == olt]
    assert fleet[olt]["onus"] == len(mine)
    assert fleet[olt]["offline"] == sum(o["run_state"] == "offline" for o in mine)
    assert fleet[olt]["weak"] == len(_expected(mine, band="weak"))
    assert {r["dataset"] for r in fleet[olt]["runs"]} >= {"onus", "olt"}
    port = mine[0]["port"]
    body = _get(site, f"/api/olts/{olt}/ports/{port}").json()
    assert {x["serial"] for x in body["onus"]} == {o["serial"] for o in mine if o["port"] == port}
    strip = _get(site, f"/olts/{olt}/ports/{port}").text
    levels = [float(v) for v in re.findall(r'data-rx="([-\d.]+)"', strip)]
    assert levels == sorted(o["rx_power_dbm"] for o in mine
                            if o["port"] == port and o["rx_power_dbm"] is not None)
    with site["db"].connect() as conn:
        n_out = conn.scalar(select(text("count(*)")).select_from(schema.outages))
        n_alerts = conn.scalar(select(text("count(*)")).select_from(schema.signal_alerts).where(
            schema.signal_alerts.c.closed_at.is_(None)))
        n_unreg = conn.scalar(select(text("count(*)")).select_from(schema.unregistered_onus))
    assert len(_get(site, "/api/outages", params={"days": 365}).json()) == n_out > 0
    assert len(_get(site, "/api/signal-alerts").json()) == n_alerts > 0
    assert len(_get(site, "/api/unregistered").json()) == n_unreg
    for path in ("/", f"/olts/{olt}", "/outages", "/signal", "/unregistered"):
        assert "server-timing" in _get(site, path).headers


# -- clients: the reconciliation page and personal data --------------------------------------

IMPORTED = {"key": "IMP0001", "name": "Zuleica Quintanilha", "document": "987.654.321-00",
            "address": "Rua Ipê Amarelo 77", "plan": "Fibra 300M", "pppoe_login": "zuleica.q"}
LONELY = {"key": "IMP0002", "name": "Wenceslau Pimentel", "document": "111.222.333-44",
          "address": "Travessa Sabiá 9", "plan": "Fibra 100M", "pppoe_login": "wences.p"}
OLD_SERIAL = "ZTEG0000OLD1"  # IMP0001's ONU before the swap
# what a user not allowed personal data must never see (words of the names too: descriptions)
PERSONAL = ("Zuleica", "Quintanilha", IMPORTED["document"], "Ipê Amarelo", "Wenceslau",
            "Pimentel", LONELY["document"], "Travessa Sabiá")


@pytest.fixture(scope="module")
def clients_seeded(site: dict) -> dict[str, Any]:
    """On the simulated fleet (its ONUs named by their descriptions, links opened by the store):
    an imported client (name, document, address, plan) on two ONUs that named no client, one of
    them described with the client's name, its ONU swapped a day ago; an imported client no ONU
    names; a closed link on the first ONU's serial; a swap too old to count."""
    from datetime import UTC, datetime, timedelta

    o, c, cl = schema.onus, schema.clients, schema.client_links
    now = datetime.now(UTC)
    day = timedelta(days=1)
    with site["db"].begin() as conn:
        free = conn.execute(select(o.c.olt, o.c.serial).where(
            o.c.removed_at.is_(None), o.c.client_key.is_(None)).order_by(o.c.olt, o.c.serial)
            .limit(2)).all()
        assert len(free) == 2  # the simulated fleet has ONUs that name no client
        (olt_a, serial_a), (olt_b, serial_b) = free
        conn.execute(o.update().where(o.c.olt == olt_a, o.c.serial == serial_a).values(
            client_key=IMPORTED["key"], pppoe_login=IMPORTED["pppoe_login"],
            description=f"{IMPORTED['key']}_Zuleica_Quintanilha"))
        conn.execute(o.update().where(o.c.olt == olt_b, o.c.serial == serial_b).values(
            client_key=IMPORTED["key"]))
        for client in (IMPORTED, LONELY):
            conn.execute(c.insert().values(**client, first_seen=now - 30 * day, last_seen=now,
                                           imported_at=now, serial=serial_a
                                           if client is IMPORTED else "ZTEG0000GONE"))
        old_key = conn.scalar(select(o.c.client_key).where(
            o.c.removed_at.is_(None), o.c.client_key.like("00%")).order_by(o.c.client_key)
            .limit(1))
        conn.execute(cl.insert(), [
            {"olt": olt_a, "serial": serial_a, "client_key": IMPORTED["key"],
             "via": "import_pppoe", "linked_at": now - day, "unlinked_at": None},
            {"olt": olt_b, "serial": serial_b, "client_key": IMPORTED["key"],
             "via": "import_serial", "linked_at": now - day, "unlinked_at": None},
            {"olt": olt_a, "serial": OLD_SERIAL, "client_key": IMPORTED["key"],
             "via": "description", "linked_at": now - 40 * day, "unlinked_at": now - day},
            {"olt": olt_a, "serial": serial_a, "client_key": "00999999",
             "via": "description", "linked_at": now - 60 * day, "unlinked_at": now - 20 * day},
            {"olt": olt_a, "serial": "ZTEG0000OLD2", "client_key": old_key,
             "via": "description", "linked_at": now - 60 * day, "unlinked_at": now - 10 * day}])
    return {"onu": {"olt": olt_a, "serial": serial_a}, "second": {"olt": olt_b,
                                                                  "serial": serial_b},
            "old_key": old_key}


def _counts(html: str) -> dict[str, int]:
    return {k: int(v) for k, v in re.findall(r'data-count="(\w+)">(?:<a[^>]*>)?(\d+)', html)}


def _all_rows(site: dict, kind: str, client: Any = None) -> list[dict[str, Any]]:
    rows, page = [], 1
    while page:
        r = (client or site["client"]).get(f"/api/clients/{kind}",
                                           params={"size": 3, "page": page}, auth=AUTH)
        assert r.status_code == 200, r.text
        rows += r.json()["rows"]
        page = r.json()["next_page"]
    return rows


def test_the_clients_page_and_api_count_as_the_reconciliation(site: dict,
                                                            clients_seeded: dict) -> None:
    from storage.reconcile import per_olt, reconcile

    rec, per = reconcile(site["db"]).as_dict(), per_olt(site["db"])
    assert rec["swapped"] >= 1 and rec["shared"] >= 1 and rec["clients_without_onu"] >= 1
    assert rec["without_client"] >= 1 and IMPORTED["key"] in rec["samples"]["swapped"]
    assert LONELY["key"] in rec["samples"]["without_onu"]
    assert clients_seeded["old_key"] not in rec["samples"]["swapped"]  # 10 days ago: too old
    api = _get(site, "/api/clients/reconciliation").json()
    assert api["reconciliation"] == rec and api["olts"] == per
    html = _get(site, "/clients").text
    assert _counts(html) == {k: rec[k] for k in ("onus", "with_client", "without_client",
                                                 "shared", "swapped", "clients",
                                                 "clients_without_onu")}
    table = re.findall(r'data-olt="([^"]+)">.*?<td class="num">(\d+)</td>\s*<td class="num">(\d+)'
                       r'</td><td class="num">(\d+)</td><td class="num">(\d+)</td>', html, re.S)
    assert [(olt, *map(int, n)) for olt, *n in table] == \
        [(r["olt"], r["onus"], r["without_client"], r["shared"], r["swapped"]) for r in per]
    assert 'href="/clients"' in _get(site, "/").text  # in the navigation
    # one OLT's
    olt = clients_seeded["onu"]["olt"]
    mine = reconcile(site["db"], olt).as_dict()
    assert _get(site, "/api/clients/reconciliation", params={"olt": olt}).json()[
        "reconciliation"] == mine
    assert _counts(_get(site, "/clients", params={"olt": olt}).text) == {
        k: mine[k] for k in ("onus", "with_client", "without_client", "shared", "swapped",
                             "clients")}
    for path in ("/clients?olt=nosuch", "/clients/nosuch", "/api/clients/nosuch",
                 "/api/clients/reconciliation?olt=nosuch"):
        assert site["client"].get(path, auth=AUTH).status_code == 404, path
    assert site["client"].get("/api/clients/shared?size=0", auth=AUTH).status_code == 400


def test_the_clients_lists_are_what_the_counts_count(site: dict, clients_seeded: dict) -> None:
    from storage.reconcile import reconcile

    rec = reconcile(site["db"]).as_dict()
    onus = _present(site)
    with site["db"].connect() as conn:
        keys = set(conn.scalars(select(schema.clients.c.key)))
    named: dict[str, list] = {}
    for o in onus:
        if o["client_key"]:
            named.setdefault(o["client_key"], []).append((o["olt"], o["serial"]))
    lonely = _all_rows(site, "without_onu")
    assert [r["client_key"] for r in lonely] == sorted(keys - set(named))
    assert len(lonely) == rec["clients_without_onu"]
    shared = _all_rows(site, "shared")
    assert {g["client_key"]: {(u["olt"], u["serial"]) for u in g["onus"]} for g in shared} == \
        {k: set(v) for k, v in named.items() if len(v) > 1}
    assert len(shared) == rec["shared"]
    free = _all_rows(site, "without_client")
    assert [r["serial"] for r in free] == [o["serial"] for o in sorted(
        (o for o in onus if not o["client_key"]), key=lambda o: (o["olt"], o["port"],
                                                                 o["onu_id"]))]
    assert len(free) == rec["without_client"]
    swaps = _all_rows(site, "swapped")
    assert len({r["client_key"] for r in swaps}) == rec["swapped"]
    onu = clients_seeded["onu"]
    assert {"client_key": IMPORTED["key"], "old_serial": OLD_SERIAL, "serial": onu["serial"],
            "olt": onu["olt"]}.items() <= next(r for r in swaps
                                               if r["client_key"] == IMPORTED["key"]).items()
    # the page: each list's first rows, each linking to the ONU pages; the rest a page at a time
    html = _get(site, "/clients").text
    assert f'href="/onus/{onu["olt"]}/{OLD_SERIAL}"' in html  # old -> new
    assert f'href="/onus/{onu["olt"]}/{onu["serial"]}"' in html
    assert LONELY["key"] in html and free[0]["serial"] in html
    pages, page = [], 1
    while page:
        body = _get(site, "/clients/without_client", params={"size": 4, "page": page}).text
        pages += re.findall(r'class="onu-link" href="/onus/[^/]+/(\w+)"', body)
        page = page + 1 if 'id="next-page"' in body else 0
    assert pages == [r["serial"] for r in free]


def test_the_onu_page_shows_login_plan_and_the_links_history(site: dict,
                                                             clients_seeded: dict) -> None:
    cl = schema.client_links
    onu = clients_seeded["onu"]
    with site["db"].connect() as conn:
        links = conn.execute(select(cl.c.client_key, cl.c.via, cl.c.unlinked_at).where(
            cl.c.olt == onu["olt"], cl.c.serial == onu["serial"])
            .order_by(cl.c.linked_at.desc())).all()
    assert len(links) == 2
    api = _get(site, f"/api/onus/{onu['olt']}/{onu['serial']}").json()
    assert api["pppoe_login"] == IMPORTED["pppoe_login"]
    assert api["client_plan"] == IMPORTED["plan"] and api["client_name"] == IMPORTED["name"]
    assert api["client_document"] == IMPORTED["document"]
    assert [(x["client_key"], x["via"], x["unlinked_at"] is None) for x in api["client_links"]] \
        == [(k, v, u is None) for k, v, u in links]
    page = _get(site, f"/onus/{onu['olt']}/{onu['serial']}").text
    for shown in (IMPORTED["pppoe_login"], IMPORTED["plan"], IMPORTED["name"],
                  IMPORTED["document"], IMPORTED["address"], "00999999", "import_pppoe"):
        assert shown in page, shown
    table = page.split('id="client-links"')[1].split("</table>")[0]
    assert re.findall(r'class="client-key">([^<]+)<', table) == [k for k, _, _ in links]
    # an ONU of a client known from its description only: no plan, no document
    plain = next(o for o in _present(site) if o["client_name"] and o["client_key"].startswith(
        "00"))
    other = _get(site, f"/api/onus/{plain['olt']}/{plain['serial']}").json()
    assert other["client_plan"] is other["client_document"] is other["client_address"] is None


@pytest.fixture(scope="module")
def restricted(site: dict, clients_seeded: dict) -> Iterator[Any]:
    """The same site with OLTSYNC_WEB_PERSONAL_DATA naming only `desk` (AUTH): `other` sees keys."""
    from web.app import create_app
    from web.auth import Credentials
    from web.db import read_only_engine

    engine = read_only_engine(site["url"])
    creds = Credentials.parse(f"{AUTH[0]}:{AUTH[1]} {OTHER[0]}:{OTHER[1]}", personal=AUTH[0])
    with TestClient(create_app(engine, creds)) as client:
        yield client
    engine.dispose()


OTHER = ("other", "another-password")


def _privacy_paths(site: dict, seeded: dict) -> list[str]:
    """Every GET route, on the imported client's ONU, and the places names are looked up."""
    onu = next(o for o in _present(site) if (o["olt"], o["serial"]) == (
        seeded["onu"]["olt"], seeded["onu"]["serial"]))
    return _paths(site, onu) + [
        "/onus?size=500", "/api/onus?size=500", "/onus.csv", f"/onus?q={onu['serial']}",
        f"/search?q={onu['serial']}", f"/api/search?q={onu['serial'][3:]}",
        f"/search?q={IMPORTED['key']}", "/search?q=Zuleica", "/api/search?q=Quintanilha",
        "/onus?q=Zuleica", "/onus.csv?q=Zuleica", "/api/onus?q=Zuleica",
        "/clients/shared?size=500", "/clients/swapped", "/clients/without_onu?size=500",
        "/api/clients/shared?size=500", "/api/clients/swapped?size=500",
        "/api/clients/without_onu?size=500", f"/clients?olt={onu['olt']}",
        f"/api/olts/{onu['olt']}/ports/{onu['port']}", f"/olts/{onu['olt']}/ports/{onu['port']}"]


def _text(r: Any) -> str:
    """What an answer says, JSON decoded (names are not \\u-escaped then)."""
    if r.headers["content-type"].startswith("application/json"):
        return json.dumps(r.json(), ensure_ascii=False)
    return r.text


def test_a_user_not_allowed_personal_data_never_sees_a_name_or_document(
        site: dict, clients_seeded: dict, restricted: Any) -> None:
    paths = _privacy_paths(site, clients_seeded)
    seen_by_desk, described = "", next(o for o in _present(site) if o["client_name"] and (
        o["description"] or "").startswith(o["client_key"] + "_"))
    word = max(re.findall(r"[^\W_]{3,}", described["client_name"]), key=len)
    paths.append(f"/onus/{described['olt']}/{described['serial']}")
    for path in paths:
        mine = restricted.get(path, auth=OTHER)
        assert mine.status_code == 200, (path, mine.status_code)
        typed = re.search(r"[?&]q=([^&]*)", path)  # the text typed is said back: not a leak
        said = _text(mine).replace(typed.group(1), "") if typed else _text(mine)
        for secret in (*PERSONAL, described["client_name"]):
            assert secret.lower() not in said.lower(), (path, secret)
        assert IMPORTED["address"] not in said and LONELY["address"] not in said
        desk = restricted.get(path, auth=AUTH)
        assert desk.status_code == 200
        seen_by_desk += _text(desk) + "\n"
    # the ONU whose description carries its client's name: masked for `other`, whole for `desk`
    page = restricted.get(f"/onus/{described['olt']}/{described['serial']}", auth=OTHER).text
    assert word not in page and described["client_key"] in page and "***" in page
    assert described["description"] in restricted.get(
        f"/onus/{described['olt']}/{described['serial']}", auth=AUTH).text
    # `desk` sees all of it: on the ONU page, the lists, the CSV, the search, the API
    for secret in (IMPORTED["name"], IMPORTED["document"], IMPORTED["address"], LONELY["name"]):
        assert secret in seen_by_desk, secret
    onu = clients_seeded["onu"]
    for path in (f"/onus/{onu['olt']}/{onu['serial']}", "/onus?size=500", "/onus.csv",
                 "/search?q=Zuleica", "/clients/shared?size=500"):
        assert IMPORTED["name"] in _text(restricted.get(path, auth=AUTH)), path
    assert IMPORTED["document"] in _text(restricted.get(
        f"/api/onus/{onu['olt']}/{onu['serial']}", auth=AUTH))
    # a name finds nothing for `other`, not even through the description that carries it
    assert [h for h in restricted.get("/api/search", params={"q": "Zuleica"},
                                      auth=OTHER).json()["hits"] if h["kind"] == "onu"] == []
    assert (onu["olt"], onu["serial"]) in {(h["olt"], h["serial"]) for h in restricted.get(
        "/api/search", params={"q": "Zuleica"}, auth=AUTH).json()["hits"]}
    assert "Names, documents and addresses are not shown" in restricted.get(
        "/clients", auth=OTHER).text
    # keys, serials, logins and plans are for everyone
    mine = restricted.get(f"/onus/{onu['olt']}/{onu['serial']}", auth=OTHER).text
    for shown in (IMPORTED["key"], IMPORTED["plan"], onu["serial"]):
        assert shown in mine, shown
    assert "***.q" in mine  # the login, the words of the client's name masked


def test_by_default_every_user_sees_personal_data(site: dict, clients_seeded: dict) -> None:
    onu = clients_seeded["onu"]
    for auth in (AUTH, OTHER):
        r = site["client"].get(f"/onus/{onu['olt']}/{onu['serial']}", auth=auth)
        assert IMPORTED["name"] in r.text and IMPORTED["document"] in r.text
        rows = _all_rows(site, "without_onu")
        assert {"client_key": LONELY["key"], "client_name": LONELY["name"]}.items() <= \
            next(x for x in rows if x["client_key"] == LONELY["key"]).items()


def test_the_personal_data_setting_is_checked_when_read() -> None:
    from core.errors import ConfigError
    from web.auth import Credentials

    pairs = "a:password-one b:password-two"
    assert Credentials.parse(pairs).personal is None  # unset: every user
    for everyone in ("*", " * "):
        assert Credentials.parse(pairs, everyone).sees_personal_data("b")
    only_a = Credentials.parse(pairs, "a")
    assert only_a.sees_personal_data("a") and not only_a.sees_personal_data("b")
    assert not only_a.sees_personal_data(None) and not only_a.sees_personal_data("c")
    nobody = Credentials.parse(pairs, "")  # set and empty: no one
    assert not nobody.sees_personal_data("a") and not nobody.sees_personal_data("b")
    assert not Credentials.parse(pairs, "*").sees_personal_data(None)
    for bad in ("c", "a c", "a *"):
        with pytest.raises(ConfigError, match="OLTSYNC_WEB_PERSONAL_DATA"):
            Credentials.parse(pairs, bad)


def test_a_name_is_masked_whatever_its_case_accents_or_separators() -> None:
    from web.privacy import mask_name

    assert mask_name("00343155_Fabio_Pereira", "Fábio Pereira") == "00343155_***_***"
    assert mask_name("cli 12 - FÁBIO pereira-sul", "fabio Pereira") == "cli 12 - *** ***-sul"
    assert mask_name("POSTE-12 Pereirinha", "Pereira") == "POSTE-12 Pereirinha"
    assert mask_name("x", None) == "x" and mask_name(None, "a b") is None


@pytest.mark.parametrize("site", ["postgresql"], indirect=True)
def test_the_clients_lists_are_read_through_indexes_on_postgresql(site: dict,
                                                                  clients_seeded: dict) -> None:
    """Every statement of every list, for the fleet and for one OLT, has an index path and a
    LIMIT where it walks a table (fleets have 400,000 ONUs: nothing scans them whole)."""
    from sqlalchemy import create_engine, event

    from web import clients

    engine = create_engine(site["url"])
    said: list[tuple[str, Any]] = []
    event.listen(engine, "before_cursor_execute",
                 lambda _c, _cur, statement, params, *_: said.append((statement, params)))
    olt = clients_seeded["onu"]["olt"]
    try:
        with engine.connect() as conn:
            conn.execute(text("SET enable_seqscan = off"))
            for kind in clients.KINDS:
                for where in (None, olt):
                    said.clear()
                    clients.page(conn, kind, where, 1, 50)
                    statements = list(said)
                    assert statements or (kind, where) == ("without_onu", olt)
                    for statement, params in statements:
                        plan = "\n".join(conn.exec_driver_sql(f"EXPLAIN {statement}",
                                                               params).scalars())
                        assert "Seq Scan" not in plan, (kind, where, plan)
                        assert "Index" in plan, (kind, where, plan)
                    if statements:  # the first one walks (or reads one OLT's keys, a bounded
                        # list); the next (shared) reads its keys' ONUs
                        assert "LIMIT" in statements[0][0] or "onus.olt =" in statements[0][0], \
                            (kind, statements[0][0])
    finally:
        engine.dispose()


# -- language, assets ------------------------------------------------------------------------

def test_every_text_of_the_pages_has_its_portuguese(site: dict) -> None:
    from web.i18n import PT_BR

    used = set()
    for f in (ROOT / "web" / "templates").glob("*.html"):
        used |= set(re.findall(r"""t\(\s*["']([^"']+)["']\s*\)""", f.read_text()))
    missing = sorted(used - set(PT_BR))
    assert not missing, missing
    pt = _get(site, "/", headers={"accept-language": "pt-BR,pt;q=0.9"}).text
    assert "Frota" in pt and "Quedas abertas" in pt
    en = _get(site, "/?lang=en", headers={"accept-language": "pt-BR"})
    assert "Open outages" in en.text and "lang=en" in en.headers["set-cookie"]


def test_every_asset_is_served_by_the_application(site: dict) -> None:
    for f in (ROOT / "web" / "templates").glob("*.html"):
        body = f.read_text()
        assert not re.search(r"""(src|href)=["'](https?:)?//""", body), f.name
    page = _get(site, f"/onus/{_present(site)[0]['olt']}/{_present(site)[0]['serial']}").text
    for asset in re.findall(r"""(?:src|href)="(/static/[^"]+)\"""", page):
        r = site["client"].get(asset)
        assert r.status_code == 200 and len(r.content) > 100, asset
    vendored = (ROOT / "web" / "static" / "vendor" / "README.md").read_text()
    for f in (ROOT / "web" / "static" / "vendor").glob("*.js"):
        assert f.name in vendored


@pytest.mark.parametrize("site", ["postgresql"], indirect=True)  # trigram indexes are PostgreSQL's
def test_the_search_indexes_are_used_on_postgresql(site: dict) -> None:
    from storage.schema import SEARCH_INDEXES

    with site["db"].connect() as conn:
        names = set(conn.scalars(text("SELECT indexname FROM pg_indexes WHERE schemaname = "
                                      "'public'")))
        assert set(SEARCH_INDEXES) <= names
        # no pending list for searches to read through (fastupdate off)
        options = dict(conn.execute(text(
            "SELECT relname, array_to_string(reloptions, ',') FROM pg_class "
            "WHERE relname LIKE '%_trgm'")).all())
        assert all(options.get(n) == "fastupdate=off" for n in SEARCH_INDEXES), options
        conn.execute(text("SET enable_seqscan = off"))
        plan = "\n".join(conn.scalars(text(
            "EXPLAIN SELECT id FROM onus WHERE serial LIKE '%1A2B3%'")))
        assert "ix_onus_serial_trgm" in plan
        plan = "\n".join(conn.scalars(text(
            "EXPLAIN SELECT id FROM macs WHERE replace(mac, ':', '') LIKE '%a1b2c%'")))
        assert "ix_macs_mac_digits_trgm" in plan


# -- running it -------------------------------------------------------------------------------

def _web_cli(*args: str, env: dict[str, str]) -> Any:
    import os
    import subprocess
    import sys

    base = {k: v for k, v in os.environ.items() if not k.startswith("OLTSYNC_")}
    return subprocess.run([sys.executable, "-m", "oltsync", "web", *args], cwd=ROOT,
                          env={**base, **env}, capture_output=True, text=True, timeout=60)


def test_the_web_command_says_what_is_missing_in_one_sentence(tmp_path: Path) -> None:
    done = _web_cli(env={})
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.strip().startswith("error: the web page is locked by default") and \
        "OLTSYNC_WEB_AUTH" in done.stderr
    done = _web_cli("--wait", "0", env={"OLTSYNC_WEB_AUTH": "a:password-1",
                                        "OLTSYNC_DATABASE_URL": f"sqlite:///{tmp_path}/none.db"})
    assert done.returncode == 2 and "does not exist" in done.stderr and "Traceback" not in \
        done.stderr
    assert not (tmp_path / "none.db").exists()
    done = _web_cli("--port", "70000", env={"OLTSYNC_WEB_AUTH": "a:password-1"})
    assert done.returncode == 2 and "70000" in done.stderr and "Traceback" not in done.stderr
    done = _web_cli(env={"OLTSYNC_WEB_AUTH": "a:password-1", "OLTSYNC_WEB_PERSONAL_DATA": "b"})
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "OLTSYNC_WEB_PERSONAL_DATA: b: no such user in OLTSYNC_WEB_AUTH" in done.stderr
    env_file = tmp_path / "web.env"
    env_file.write_text("OLTSYNC_WEB_AUTH=short\n")
    done = _web_cli("--env-file", str(env_file), env={})
    assert done.returncode == 2 and "8 characters" in done.stderr


def test_the_bootstrap_writes_a_web_login_once(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    from oltsync.api_auth import ensure_web_auth

    monkeypatch.delenv("OLTSYNC_WEB_AUTH", raising=False)
    env_file = tmp_path / "oltsync.env"
    env_file.write_text("OLTSYNC_INVENTORY=/x.yaml")  # no newline at the end
    said = ensure_web_auth(env_file)
    assert "wrote a login" in said and "restart oltsync-web" in said
    text_ = env_file.read_text()
    assert text_.startswith("OLTSYNC_INVENTORY=/x.yaml\n")
    login = re.findall(r"^OLTSYNC_WEB_AUTH=(oltsync:\S{20,})$", text_, re.M)
    assert len(login) == 1 and login[0] not in said and env_file.stat().st_mode & 0o777 == 0o600
    assert "locked (OLTSYNC_WEB_AUTH in" in ensure_web_auth(env_file)
    assert env_file.read_text() == text_
    monkeypatch.setenv("OLTSYNC_WEB_AUTH", "x:password-x")
    assert ensure_web_auth(tmp_path / "absent.env") == "web page: locked (OLTSYNC_WEB_AUTH set)"


def test_the_run_artifact_links_to_the_web_page_when_its_address_is_set() -> None:
    from sync.report import OltReport, olt_markdown

    report = OltReport(olt="olt 7/a", datasets=[])
    report.worst_optical = [{"port": "0/1/0", "onu_id": 3, "serial": "HWTC00000001",
                             "rx_power_dbm": -29.1, "client_key": None}]
    linked = olt_markdown(report, "https://inv.example.net")
    assert "## [olt 7/a](https://inv.example.net/olts/olt%207%2Fa):" in linked
    assert "[HWTC00000001](https://inv.example.net/onus/olt%207%2Fa/HWTC00000001)" in linked
    plain = olt_markdown(report)
    assert "http" not in plain and "| HWTC00000001 |" in plain
