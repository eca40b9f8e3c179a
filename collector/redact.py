"""Credentials out of an OLT's text before it is written anywhere (a kept failure, a capture).

A configuration listing carries secrets: the box's own accounts (`local-user … password
irreversible-cipher …`, `username … password …`), SNMP communities, and the subscribers' PPPoE and
TR-069 passwords ZTE keeps in `pon-onu-mng` blocks. The value after such a keyword is replaced,
whatever its form; so is any literal secret the caller knows (the login password), wherever it
appears. Over-redacting a line is harmless; a secret on disk is not.
"""

from __future__ import annotations

import re

MASK = "********"

# keyword, optional form words ("cipher", "simple", "irreversible-cipher", a type digit), the
# separator (blanks, or a table's "  : "), value
_SECRET = re.compile(
    r"(?i)(?<![\w-])(password|passwd|pwd|secret|community|cipher|key|psk|sharekey|pre-shared-key"
    r"|auth-key|md5|sha)((?:[ \t]+(?:irreversible-cipher|cipher|simple|encrypted|plain|[0-9]))*)"
    r"([ \t]*[:=][ \t]*|[ \t]+)(?!\*{8}(?:\s|$))([^\s:=]\S*)")


def redact(text: str, secrets: tuple[str | None, ...] = ()) -> tuple[str, int]:
    """`text` without credentials, and how many values were replaced."""
    n = 0
    for secret in secrets:
        if secret and len(secret) >= 3 and secret in text:
            n += text.count(secret)
            text = text.replace(secret, MASK)
    text, k = _SECRET.subn(lambda m: f"{m.group(1)}{m.group(2)}{m.group(3)}{MASK}", text)
    return text, n + k
