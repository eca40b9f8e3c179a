"""The search box: one text, matched against what a support desk is given over the phone — a serial
(any part, either form), a MAC (any notation), a client's code or name, words of the description,
an OLT's name. Every value reaches the database as a bound parameter, never as SQL text."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select, tuple_
from sqlalchemy.engine import Connection

from storage import schema

MIN_FRAGMENT = 3  # a trigram index finds nothing shorter; a shorter text would scan every ONU
CLIENT_KEYS = 500  # clients a name fragment may name before the search narrows on other columns
FETCH = 200  # rows a part of the search fetches, unordered (ordered, PostgreSQL would walk the
# ONUs in that order testing each one instead of using the trigram indexes), sorted here
_VENDOR = re.compile(r"[A-Z0-9]{4}")


def like(text: str) -> str:
    """`text` anywhere, with LIKE's wildcards in it taken literally (escape character '\\')."""
    return "%" + re.sub(r"([\\%_])", r"\\\1", text) + "%"


def serial_fragments(text: str) -> list[str]:
    """The serial forms a fragment may stand for, in the stored form (upper case, 4-character
    vendor then 8 hex digits): 'hwtc-1a2b' -> ['HWTC1A2B']; a hex form '485754431A2B' (vendor
    bytes as hex) -> ['485754431A2B', 'HWTC1A2B']."""
    v = re.sub(r"[\s\-:]", "", text.upper())
    out = [v] if v else []
    if re.fullmatch(r"[0-9A-F]{8,16}", v):
        vendor = bytes.fromhex(v[:8]).decode("ascii", "replace")
        if _VENDOR.fullmatch(vendor):
            out.append(vendor + v[8:])
    return out


def mac_fragment(text: str) -> str | None:
    """Hex digits of a MAC written in any notation ('E4C2-D1AB', 'e4:c2:d1', 'e4c2.d1ab'), lower
    case; None if the text is not one (it has other characters, or fewer than 4 digits)."""
    if not re.fullmatch(r"[0-9A-Fa-f]{2,4}([.:\- ]?[0-9A-Fa-f]{1,4})*", text.strip()):
        return None
    h = re.sub(r"[^0-9a-fA-F]", "", text).lower()
    return h if len(h) >= 4 else None


def mac_digits(column: Any) -> ColumnElement:
    """A stored MAC without its colons: the expression the MAC trigram index is built on."""
    return func.replace(column, ":", "")


@dataclass(frozen=True)
class Hit:
    kind: str  # onu | olt
    olt: str
    serial: str | None = None
    port: str | None = None
    onu_id: int | None = None
    run_state: str | None = None
    rx_power_dbm: float | None = None
    description: str | None = None
    client_key: str | None = None
    client_name: str | None = None
    matched: str = ""  # what matched: serial, mac, client, description, olt


def word_matches(conn: Connection, word: str, names: bool = True) -> ColumnElement:
    """One word of the text in any of an ONU's searchable columns, or its client's name (unless
    `names` is false: a user who may not see names cannot look clients up by them either, nor by
    the words of a name in a description). The query joins `clients` to `onus`.

    The clients named by it are looked up first and matched by key: inside the OR a subquery
    would keep PostgreSQL from combining the trigram indexes (it would scan every ONU)."""
    o, c = schema.onus, schema.clients
    p = like(word)
    # names have no digits: a word with one (a serial, a code) is not looked up among them
    keys = [] if not names or any(ch.isdigit() for ch in word) else list(conn.scalars(
        select(c.c.key).where(c.c.name.ilike(p, escape="\\")).limit(CLIENT_KEYS)))
    in_description = o.c.description.ilike(p, escape="\\")
    if not names:  # nor by the words of a name that its ONU's description carries
        in_description = and_(in_description,
                              or_(c.c.name.is_(None), ~c.c.name.ilike(p, escape="\\")))
    parts = [in_description, o.c.client_key.ilike(p, escape="\\")]
    parts += [o.c.serial.like(like(s), escape="\\") for s in serial_fragments(word)]
    if keys:
        parts.append(o.c.client_key.in_(keys))
    return or_(*parts)


def search(conn: Connection, text: str, limit: int = 20, names: bool = True
           ) -> tuple[list[Hit], str | None]:
    """Hits for `text`, and a sentence when the text is too short to search; `names`: whether
    clients' names are looked up (web/privacy.py)."""
    text = " ".join(text.split())[:100]
    if len(text.replace(" ", "")) < MIN_FRAGMENT:
        return [], f"at least {MIN_FRAGMENT} characters"
    o, c, m, olts = schema.onus, schema.clients, schema.macs, schema.olts
    present = and_(o.c.removed_at.is_(None), o.c.olt.in_(
        select(olts.c.name).where(olts.c.removed_at.is_(None))))
    cols = (o.c.olt, o.c.serial, o.c.port, o.c.onu_id, o.c.run_state, o.c.rx_power_dbm,
            o.c.description, o.c.client_key, c.c.name)
    joined = o.outerjoin(c, c.c.key == o.c.client_key)
    words = [w for w in text.split(" ") if len(w) >= 2]
    serials = serial_fragments(text) if " " not in text else []

    def fetch(*where: ColumnElement) -> list[Any]:
        return conn.execute(select(*cols).select_from(joined).where(present, *where)
                            .limit(FETCH)).all()

    def said(r: Any) -> str:
        if any(s in r[1] for s in serials):
            return "serial"
        about = f"{r[7] or ''} {(r[8] or '') if names else ''}".lower()
        return "client" if all(w.lower() in about for w in words) else "description"

    hexes = mac_fragment(text)
    # a MAC written with its separators is nothing else: no other column is searched for it
    groups = re.split(r"[.:\-]", text)
    if hexes and len(groups) > 1 and all(1 <= len(g) <= 4 for g in groups):
        words = []
    # one query for every column a word may be in (the serial's forms among them), one for MACs
    rows = [(said(r), r) for r in fetch(*(word_matches(conn, w, names) for w in words))] \
        if words else []
    if hexes:
        places = conn.execute(select(m.c.olt, m.c.port, m.c.onu_id).where(
            m.c.removed_at.is_(None), m.c.port.is_not(None),
            mac_digits(m.c.mac).like(like(hexes), escape="\\")).limit(FETCH)).all()
        if places:
            rows += [("mac", r) for r in fetch(tuple_(o.c.olt, o.c.port, o.c.onu_id).in_(
                [tuple(p) for p in places]))]
    rank = {"serial": 0, "mac": 1, "client": 2, "description": 3}
    hits: dict[tuple[str, str], Hit] = {}
    for matched, r in sorted(rows, key=lambda x: (rank[x[0]], x[1][0], x[1][2], x[1][3])):
        if (r[0], r[1]) not in hits and len(hits) < limit:
            hits[(r[0], r[1])] = Hit("onu", *r, matched=matched)
    found = list(hits.values())
    for (name,) in conn.execute(select(olts.c.name).where(
            olts.c.removed_at.is_(None), olts.c.name.ilike(like(text), escape="\\")).order_by(
            olts.c.name).limit(5)):
        found.append(Hit("olt", name, matched="olt"))
    return found, None
