"""Which ONU serves which client: the ISP's list's matches, and the links' history.

An ONU names its client by the client rules (its description or PPPoE login: clients/rules.py);
one that names none is matched to the ISP's imported list by PPPoE login, then by serial. The
result is `onus.client_key`, the same every hour for the same data. `client_links` keeps each
(ONU, client) pair with when it started and ended, so a client whose ONU was swapped shows both.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import and_, select, update
from sqlalchemy.engine import Connection

from storage import bulk, schema
from storage.catalogue import KEEP

CHUNK = 1000


def _lookup(conn: Connection, column: str, values: Iterable[str]) -> dict[str, str]:
    """{value of clients.column: client key} among imported clients."""
    t = schema.clients
    col = t.c[column]
    vals, out = sorted(set(values)), {}
    for i in range(0, len(vals), CHUNK):
        out.update(conn.execute(select(col, t.c.key).where(
            col.in_(vals[i:i + CHUNK]), t.c.imported_at.is_not(None))).all())
    return out


def fill_from_import(conn: Connection, onus: list[dict[str, Any]]) -> dict[str, str]:
    """ONUs whose own data names no client get the imported client with their PPPoE login, else
    their serial. Returns {serial: how it was matched} for those."""
    open_ = [o for o in onus if o.get("client_key") is None
             and "client_key" not in o.get(KEEP, ()) and o.get("serial")]
    if not open_:
        return {}
    by_login = _lookup(conn, "pppoe_login", (o["pppoe_login"] for o in open_
                                             if o.get("pppoe_login")))
    by_serial = _lookup(conn, "serial", (o["serial"] for o in open_))
    via: dict[str, str] = {}
    for o in open_:
        key = by_login.get(o.get("pppoe_login") or "")
        if key is not None:
            o["client_key"], via[o["serial"]] = key, "import_pppoe"
        elif (key := by_serial.get(o["serial"])) is not None:
            o["client_key"], via[o["serial"]] = key, "import_serial"
    return via


def relink(conn: Connection, olt: str, now: datetime, via: dict[str, str] | None = None
           ) -> tuple[int, int]:
    """Bring the OLT's open links in line with its present ONUs' client keys: close the links
    that ended, open the new ones. Returns (opened, closed)."""
    o, cl = schema.onus, schema.client_links
    present = {(r.serial, r.client_key): r.pppoe_login for r in conn.execute(
        select(o.c.serial, o.c.client_key, o.c.pppoe_login).where(
            o.c.olt == olt, o.c.removed_at.is_(None), o.c.client_key.is_not(None)))}
    open_links = {(r.serial, r.client_key): r.id for r in conn.execute(
        select(cl.c.id, cl.c.serial, cl.c.client_key).where(
            cl.c.olt == olt, cl.c.unlinked_at.is_(None)))}
    ended = sorted(i for pair, i in open_links.items() if pair not in present)
    for i in range(0, len(ended), CHUNK):
        conn.execute(update(cl).where(and_(cl.c.id.in_(ended[i:i + CHUNK])))
                     .values(unlinked_at=now))
    via = via or {}
    new = [{"olt": olt, "serial": serial, "client_key": key, "linked_at": now,
            "unlinked_at": None, "via": via.get(serial) or (
                "pppoe_login" if login and key in login else "description")}
           for (serial, key), login in sorted(present.items()) if (serial, key) not in open_links]
    if new:
        bulk.insert_rows(conn, cl, new)
    return len(new), len(ended)
