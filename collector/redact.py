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


WRAPPED = 79  # a line this long may be cut by the box's terminal width (ZTE: 80 columns)


def _crosses(joined: str, cut: int, secrets: tuple[str, ...]) -> bool:
    """Whether a secret, or a keyword and its value, spans the cut between two lines."""
    if any(m.start() < cut < m.end() for m in _SECRET.finditer(joined)):
        return True
    return any(0 <= (i := joined.find(s, max(0, cut - len(s) + 1))) < cut < i + len(s)
               for s in secrets)


def _literal(text: str, secrets: tuple[str, ...]) -> tuple[str, int]:
    n = 0
    for secret in secrets:
        if secret in text:
            n += text.count(secret)
            text = text.replace(secret, MASK)
    return text, n


def _line(text: str, secrets: tuple[str, ...]) -> tuple[str, int]:
    text, n = _literal(text, secrets)
    text, k = _SECRET.subn(lambda m: f"{m.group(1)}{m.group(2)}{m.group(3)}{MASK}", text)
    return text, n + k


def redact(text: str, secrets: tuple[str | None, ...] = ()) -> tuple[str, int]:
    """`text` without credentials, and how many values were replaced. A line the box's terminal
    width wrapped is redacted whole: a password cut in two (or cut from its keyword) by the wrap
    is found across the cut, and the redacted line is cut again at the same column."""
    known = tuple(s for s in secrets if s and len(s) >= 3)
    lines = text.split("\n")
    out: list[str] = []
    n = i = 0
    while i < len(lines):
        group, width = [lines[i]], len(lines[i].rstrip("\r"))
        # a wrapped line: its cut parts, each as long as the first, then the rest
        while (len(group[-1].rstrip("\r")) >= max(WRAPPED, width) and i + len(group) < len(lines)
               and _crosses("".join(g.rstrip("\r") for g in group) + lines[i + len(group)],
                            sum(len(g.rstrip("\r")) for g in group), known)):
            group.append(lines[i + len(group)])
        if len(group) == 1:
            line, k = _line(lines[i], known)
            out.append(line)
        else:
            end = "\r" if group[-1].endswith("\r") else ""
            joined, k = _line("".join(g.rstrip("\r") for g in group), known)
            cuts = [joined[j:j + width] for j in range(0, len(joined), width)] or [""]
            out += [c + ("\r" if g.endswith("\r") else "") for c, g in zip(cuts, group)]
            if len(cuts) > len(group):
                out[-1] += "".join(cuts[len(group):])
            out[-1] = out[-1].rstrip("\r") + end
            out += [end] * (len(group) - len(cuts))
        n += k
        i += len(group)
    return "\n".join(out), n
