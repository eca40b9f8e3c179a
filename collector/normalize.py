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


class ValueProblem(ValueError):
    """A value that cannot be put in normal form; the caller adds OLT/command context."""


_SERIAL_HEX = re.compile(r"^([0-9A-F]{8})([0-9A-F]{8})$")
_SERIAL_TEXT = re.compile(r"^([A-Z]{4})-?([0-9A-F]{8})$")


def serial(value: str) -> str:
    """'485754431A2B3C4D', 'HWTC-1A2B3C4D', 'hwtc1a2b3c4d', '4857...(HWTC-1A2B3C4D)' -> 'HWTC1A2B3C4D'."""
    v = value.strip().upper()
    m = re.search(r"\(([A-Z]{4}-?[0-9A-F]{8})\)", v)
    if m:
        v = m.group(1)
    m = _SERIAL_TEXT.match(v)
    if m:
        return m.group(1) + m.group(2)
    m = _SERIAL_HEX.match(v)
    if m:
        vendor = bytes.fromhex(m.group(1)).decode("ascii", "replace")
        if re.fullmatch(r"[A-Z]{4}", vendor):
            return vendor + m.group(2)
    raise ValueProblem(f"not a GPON serial: {value!r}")


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


_DHMS = re.compile(r"^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$")


def duration(value: str) -> int:
    """'11d22h5m17s' (built by the profile from the CLI's pieces) -> seconds."""
    m = _DHMS.match(value.replace(" ", ""))
    if not m or not any(m.groups()):
        raise ValueProblem(f"not a duration: {value!r}")
    d, h, mi, s = (int(x or 0) for x in m.groups())
    return ((d * 24 + h) * 60 + mi) * 60 + s


_TS = re.compile(r"^(\d{4}-\d\d-\d\d)[ T]+(\d\d:\d\d:\d\d)(?:\s*(?:UTC|GMT)?([+-]\d\d:?\d\d|Z))?$")


def timestamp(value: str, tz: tzinfo = UTC) -> datetime:
    """'2026-10-28 08:12:44-03:00' -> aware UTC; without an offset, the OLT's own time zone."""
    m = _TS.match(value.strip())
    if not m:
        raise ValueProblem(f"not a timestamp: {value!r}")
    date, time_, offset = m.groups()
    if offset:
        dt = datetime.fromisoformat(f"{date}T{time_}{'+00:00' if offset == 'Z' else offset}")
    else:
        dt = datetime.fromisoformat(f"{date}T{time_}").replace(tzinfo=tz)
    return dt.astimezone(UTC)


def text(value: str) -> str:
    return value.strip()


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
NULLS = {"", "-", "--", "N/A", "n/a"}


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
