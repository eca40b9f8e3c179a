"""Clients' personal data on the web page and in the API: names, documents, addresses.

Who sees them is decided in one place, Credentials.sees_personal_data (OLTSYNC_WEB_PERSONAL_DATA,
web/auth.py); `allowed` asks it for a request's user. Every answer passes through `scrub` on its
way out: the pages' context (pages.render), every API answer (api.py), the CSV's rows. For a user
not allowed, scrub blanks every `client_name`, `client_document` and `client_address` it finds, in
dicts, lists and search hits alike, and masks the words of the client's name in the ONU's
description and PPPoE login next to it (where most names come from: `00343155_Fábio_Pereira`,
`fabio.pereira`).
The search and the ONU list's words do not look up names for such a user either (web/search.py).
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from typing import Any

from fastapi import Request

PERSONAL = ("client_name", "client_document", "client_address")  # blanked for users not allowed
MASKED = ("description", "pppoe_login")  # the words of the client's name masked in them
MASK = "***"
_WORD = re.compile(r"[^\W_]{2,}")  # letters and digits, two or more (underscores separate)


def allowed(request: Request) -> bool:
    """Whether this request's user sees clients' personal data."""
    return request.app.state.web.credentials.sees_personal_data(
        getattr(request.state, "user", None))


def _fold(text: str) -> str:
    """Lower case without accents, one character for each of `text` (positions kept)."""
    return "".join(unicodedata.normalize("NFKD", ch)[:1].lower()[:1] or ch for ch in text)


def mask_name(text: str | None, name: str | None) -> str | None:
    """`text` with each word of `name` in it masked, whatever its case, accents or separators:
    ('00343155_Fabio_Pereira', 'Fábio Pereira') -> '00343155_***_***'."""
    if not text or not name:
        return text
    words = {_fold(w) for w in _WORD.findall(name)}
    if not words:
        return text
    out, last = [], 0
    for m in _WORD.finditer(_fold(text)):
        if m.group() in words:
            out += [text[last:m.start()], MASK]
            last = m.end()
    return "".join(out) + text[last:] if out else text


def redact(obj: Any) -> Any:
    if isinstance(obj, dict):
        out = {k: redact(v) for k, v in obj.items()}
        if "client_name" in out:
            for k in MASKED:
                if out.get(k):
                    out[k] = mask_name(out[k], obj["client_name"])
        for k in PERSONAL:
            if k in out:
                out[k] = None
        return out
    if isinstance(obj, list | tuple):
        return [redact(v) for v in obj]
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        names = {f.name for f in dataclasses.fields(obj)}
        if names & set(PERSONAL):  # a search hit
            change: dict[str, Any] = {k: None for k in PERSONAL if k in names}
            for k in names & set(MASKED):
                change[k] = mask_name(getattr(obj, k), getattr(obj, "client_name", None))
            return dataclasses.replace(obj, **change)
    return obj


def scrub(request: Request, obj: Any) -> Any:
    """`obj` as this request's user may see it (unchanged for a user allowed personal data)."""
    return obj if allowed(request) else redact(obj)
