"""Text from an OLT, made safe to print: a description can hold escape sequences that would
recolour, retitle or rewrite an operator's terminal (the database keeps what the OLT sent)."""

from __future__ import annotations

import re

# C0 and C1 controls and DEL (a line feed is kept: it is ours), the bidirectional overrides
# that make text read differently than it is, and Unicode's line and paragraph separators.
_UNSAFE = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069"
                     r"\u2028\u2029]")


def printable(text: str) -> str:
    """`text` with every control character shown as its escape (`\\x1b`), visible and inert."""
    return _UNSAFE.sub(lambda m: ascii(m.group(0))[1:-1], text)
