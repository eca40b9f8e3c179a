"""Normal forms for the database, whatever the CLI printed.

port "0/1/0" (no spaces), serial 4 upper-case letters + 8 upper-case hex, MAC "aa:bb:cc:dd:ee:ff",
powers as float dBm, timestamps as timezone-aware UTC, "-" and "" as NULL. The column name decides
the normalizer, so vendors only map their template values to our column names.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, tzinfo
from functools import lru_cache
from typing import Any

from core import serials


class ValueProblem(ValueError):
    """A value that cannot be put in normal form; the caller adds OLT/command context."""


def serial(value: str) -> str:
    try:
        return serials.serial(value)
    except ValueError as exc:
        raise ValueProblem(str(exc)) from None


def mac(value: str) -> str:
    """'e4c2-d1ab-cdef', 'E4:C2:D1:AB:CD:EF', 'e4c2.d1ab.cdef' -> 'e4:c2:d1:ab:cd:ef'."""
    h = re.sub(r"[^0-9a-fA-F]", "", value)
    if len(h) != 12 or len(re.sub(r"[0-9a-fA-F.:\- ]", "", value)):
        raise ValueProblem(f"not a MAC address: {value!r}")
    h = h.lower()
    return ":".join(h[i:i + 2] for i in range(0, 12, 2))


def port(value: str) -> str:
    """'0/ 1/0', '0 /1 /0', '0/1 /0' -> '0/1/0'."""
    parts = [p.strip() for p in value.split("/")]
    if not parts or not all(p.isdigit() for p in parts):
        raise ValueProblem(f"not a port: {value!r}")
    return "/".join(str(int(p)) for p in parts)


def integer(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise ValueProblem(f"not an integer: {value!r}") from None


def dbm(value: str) -> float:
    try:
        return float(value)
    except ValueError:
        raise ValueProblem(f"not a power in dBm: {value!r}") from None


_DURATION_PART = re.compile(
    r"(\d+)\s*(day\(s\)|days?|d|hour\(s\)|hours?|h|minute\(s\)|minutes?|min|m|second\(s\)|seconds?|s)"
    r"\s*,?\s*")
_UNIT_S = {"d": 86400, "h": 3600, "m": 60, "s": 1}


def duration(value: str) -> int:
    """'11d22h5m17s', '141 days, 15 hours, 25 minutes', '20 day(s), 23 hour(s), ...' -> seconds."""
    v, pos, total, seen = value.strip().lower(), 0, 0, False
    while pos < len(v):
        m = _DURATION_PART.match(v, pos)
        if not m:
            raise ValueProblem(f"not a duration: {value!r}")
        unit = m.group(2)
        total += int(m.group(1)) * _UNIT_S["m" if unit.startswith("mi") else unit[0]]
        pos, seen = m.end(), True
    if not seen:
        raise ValueProblem(f"not a duration: {value!r}")
    return total


_TS = re.compile(r"^(\d{4}-\d\d-\d\d|\d{1,2}/\d{1,2}/\d{4})[ T]+(\d\d:\d\d:\d\d)"
                 r"(?:\s*(?:UTC|GMT)?([+-]\d\d:?\d\d|Z))?(?:\s+DST)?$")
# Dates a box prints for "never" rather than a moment: ZTE's zeros, and the Unix epoch.
_NEVER = ("0000-00-00", "1970-01-01")


def timestamp(value: str, tz: tzinfo = UTC) -> datetime | None:
    """'2026-10-28 08:12:44-03:00' -> aware UTC; without an offset, the OLT's own time zone. A
    trailing 'DST' (Huawei, in daylight-saving time) changes nothing: the offset includes it.

    Slashed dates are day/month/year: every capture where the order shows (28/09/2023) has the
    day first. One that cannot be day/month/year is refused rather than read the other way."""
    m = _TS.match(value.strip())
    if not m:
        raise ValueProblem(f"not a timestamp: {value!r}")
    date, time_, offset = m.groups()
    if "/" in date:
        day, month, year = (int(x) for x in date.split("/"))
        if month > 12:
            raise ValueProblem(f"not a day/month/year date: {value!r}")
        date = f"{year:04d}-{month:02d}-{day:02d}"
    if date in _NEVER:
        return None
    if offset:
        dt = datetime.fromisoformat(f"{date}T{time_}{'+00:00' if offset == 'Z' else offset}")
    else:
        dt = datetime.fromisoformat(f"{date}T{time_}").replace(tzinfo=tz)
    return dt.astimezone(UTC)


def text(value: str) -> str:
    return value.strip()


def description(value: str) -> str | None:
    """ZTE TITAN prints a hidden or unset name and description as asterisks: not a description."""
    v = value.strip()
    return None if v.strip("*") == "" else v


def run_state(value: str) -> str:
    v = value.strip().lower()
    if v not in ("online", "offline"):
        raise ValueProblem(f"run state must be online or offline, got {value!r}")
    return v


def state(value: str) -> str:
    v = value.strip().lower()
    if v not in ("up", "down"):
        raise ValueProblem(f"port state must be up or down, got {value!r}")
    return v


NORMALIZERS: dict[str, Callable[[str], Any]] = {
    "port": port,
    "serial": serial,
    "mac": mac,
    "onu_id": integer,
    "slot": integer,
    "vlan": integer,
    "user_vlan": integer,
    "index": integer,
    "service_port": integer,
    "gem_port": integer,
    "distance_m": integer,
    "temperature_c": integer,
    "description": description,
    "uptime_s": duration,
    "rx_power_dbm": dbm,
    "tx_power_dbm": dbm,
    "olt_rx_power_dbm": dbm,
    "last_up_at": timestamp,
    "last_down_at": timestamp,
    "found_at": timestamp,
    "run_state": run_state,
    "admin_state": state,
    "oper_state": state,
}
TIMESTAMPS = {"last_up_at", "last_down_at", "found_at"}
NULLS = {"", "-", "--", "N/A", "n/a", "no signal"}  # no signal: a TITAN level table


def value(column: str, raw: str | None, tz: tzinfo = UTC) -> Any:
    """Normalize one raw value for `column`; None for the CLI's ways of saying 'nothing'."""
    if raw is None:
        return None
    return cached_value(column, raw, tz)


@lru_cache(maxsize=1 << 16)
def cached_value(column: str, raw: str, tz: tzinfo) -> Any:
    # Cached: an OLT repeats most values (ports, states, models, dates) thousands of times, and
    # every result is immutable (str, int, float, aware datetime). Errors are not cached.
    raw = raw.strip()
    if raw in NULLS:
        return None
    if column in TIMESTAMPS:
        return timestamp(raw, tz)
    return NORMALIZERS.get(column, text)(raw)
