"""A GPON serial's normal form, wherever it comes from (an OLT's answer, the ISP's client list)."""

from __future__ import annotations

import re

_SERIAL_HEX = re.compile(r"^([0-9A-F]{8})([0-9A-F]{8})$")
_SERIAL_TEXT = re.compile(r"^([A-Z0-9]{4})-?([0-9A-F]{8})$")
_VENDOR = re.compile(r"[A-Z0-9]{4}")


def serial(value: str) -> str:
    """'485754431A2B3C4D', 'HWTC-1A2B3C4D', 'hwtc1a2b3c4d', '4857...(HWTC-1A2B3C4D)' -> 'HWTC1A2B3C4D'.

    The vendor id is 4 letters or digits (real ONTs report '2011', 'GPON'); a hex serial whose
    vendor bytes are not printable has no text form and keeps its 16 hex digits."""
    v = value.strip().upper()
    m = re.search(r"\(([A-Z0-9]{4}-?[0-9A-F]{8})\)", v)
    if m:
        v = m.group(1)
    m = _SERIAL_TEXT.match(v)
    if m:
        return m.group(1) + m.group(2)
    m = _SERIAL_HEX.match(v)
    if m:
        vendor = bytes.fromhex(m.group(1)).decode("ascii", "replace")
        return vendor + m.group(2) if _VENDOR.fullmatch(vendor) else v
    raise ValueError(f"not a GPON serial: {value!r}")
