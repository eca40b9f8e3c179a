"""What an ONU list shows: one filter, read from a request's query parameters, used alike by the
page, its CSV and the JSON API (so the CSV is exactly what the filter shows)."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, fields
from typing import Any

STATES = ("online", "offline", "los", "power", "other")  # the last three: offline, by cause
BANDS = ("ok", "weak", "critical", "none")  # ONU rx against the alert thresholds; none: no reading
SORTS = ("olt", "port", "serial", "rx", "-rx", "olt_rx", "-olt_rx", "distance", "-distance",
         "down", "-down", "client")
PAGE_SIZE = 50
MAX_PAGE_SIZE = 500
CSV_MAX_ROWS = 500_000


class FilterError(ValueError):
    """A query parameter out of its domain: answered 400 with this sentence."""


def _choice(name: str, value: str | None, allowed: tuple[str, ...]) -> str | None:
    if value in (None, ""):
        return None
    if value not in allowed:
        raise FilterError(f"{name}={value!r}: use one of {', '.join(allowed)}")
    return value


def _int(name: str, value: str | None, low: int, high: int) -> int | None:
    if value in (None, ""):
        return None
    if not re.fullmatch(r"\d{1,9}", value) or not low <= int(value) <= high:
        raise FilterError(f"{name}={value!r}: a whole number from {low} to {high}")
    return int(value)


@dataclass(frozen=True)
class OnuFilter:
    olt: str | None = None
    port: str | None = None
    state: str | None = None
    band: str | None = None
    down_days: int | None = None  # offline for at least this many days
    q: str | None = None  # words of the description or client, serial or MAC fragment
    sort: str = "olt"
    page: int = 1
    size: int = PAGE_SIZE

    @classmethod
    def from_params(cls, params: Any) -> OnuFilter:
        get = params.get
        return cls(olt=get("olt") or None, port=get("port") or None,
                   state=_choice("state", get("state"), STATES),
                   band=_choice("band", get("band"), BANDS),
                   down_days=_int("down_days", get("down_days"), 0, 36500),
                   q=(get("q") or "").strip()[:100] or None,
                   sort=_choice("sort", get("sort"), SORTS) or "olt",
                   page=_int("page", get("page"), 1, 1_000_000) or 1,
                   size=_int("size", get("size"), 1, MAX_PAGE_SIZE) or PAGE_SIZE)

    def params(self, **change: Any) -> dict[str, Any]:
        """The query parameters that give this filter (with `change`), defaults left out."""
        values = {**asdict(self), **change}
        defaults = {f.name: f.default for f in fields(self)}
        return {k: v for k, v in values.items() if v is not None and v != defaults[k]}
