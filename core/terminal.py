"""What we print, made safe: text from an OLT goes through `printable`, since a description can
hold escape sequences that would recolour, retitle or rewrite an operator's terminal (the database
keeps what the OLT sent)."""

from __future__ import annotations

import re
from typing import Any

# C0 and C1 controls and DEL (a line feed is kept: it is ours), the bidirectional overrides
# that make text read differently than it is, and Unicode's line and paragraph separators.
_UNSAFE = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069"
                     r"\u2028\u2029]")


def printable(text: str) -> str:
    """`text` with every control character shown as its escape (`\\x1b`), visible and inert."""
    return _UNSAFE.sub(lambda m: ascii(m.group(0))[1:-1], text)


def format_summary(s: dict[str, Any]) -> str:
    """The inventory summary (storage/queries.py: database_summary) as the quick start prints it."""
    lines = [
        f"OLTs: {s['olts']}   ONUs: {s['onus']} ({s['online']} online, {s['offline']} offline)",
        f"MACs: {s['macs']}   service ports: {s['service_ports']}   clients: {s['clients']}   "
        f"unregistered ONUs: {s['unregistered']}",
        "Five worst ONU rx levels:",
    ]
    for w in s["worst_optical"]:
        lines.append(f"  {w['rx_power_dbm']:>7.2f} dBm  {w['olt']}  {w['port']}:{w['onu_id']}  "
                     f"{w['serial']}" + (f"  client {w['client_key']}" if w["client_key"] else ""))
    return "\n".join(printable(line) for line in lines)  # keys and serials are the OLT's text
