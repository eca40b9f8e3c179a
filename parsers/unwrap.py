"""Join a table's wrapped last column back onto its row, before the template sees the text.

Huawei wraps a long ONT description onto lines indented to the description column (capture:
MA5800-X7 at LA MANÁ). A line cut at a word boundary is padded with blanks; a line cut inside a
word is not; when the column filled exactly at a word's end, the separating blank starts the next
line (one blank more of indentation). Joining follows the same three cases, so the description is
what the operator typed.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import cache


@cache
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def join_wrapped(text: str, after: str, row: str, until: str) -> str:
    """In each section (from a line matching `after` to one matching `until`, or the end), append
    continuation lines to the row before them. A row is a line matching `row`; its match ends where
    the wrapped column starts. A continuation is a line, right after a row or another
    continuation, whose text starts at or beyond that column (the column most rows of the section
    agree on, so that a row shifted by cursor noise does not move it, and at most the column of
    the header's last title)."""
    header, row_rx, end = _compiled(after), _compiled(row), _compiled(until)
    if not _compiled(f"(?m){after}").search(text):
        return text  # no such section (the usual case): no line-by-line pass
    lines = text.split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        out.append(lines[i])
        if not header.search(lines[i]):
            i += 1
            continue
        j = next((k for k in range(i + 1, len(lines)) if end.search(lines[k])), len(lines))
        title = lines[i].rstrip()
        out.extend(_join_section(lines[i + 1:j], row_rx, len(title) - len(title.split()[-1])))
        i = j
    return "\n".join(out)


def _join_section(lines: list[str], row: re.Pattern[str], title: int) -> list[str]:
    starts = Counter(m.end() for m in map(row.match, lines) if m)
    if not starts:
        return lines
    # Continuations are indented to the column's title (capture); rows of a two-digit port may
    # start their text one further right (modelled, not captured), so the smaller one counts.
    col = min(starts.most_common(1)[0][0], title)
    out: list[str] = []
    joinable = False  # the last line out is a row (or a row with continuations joined)
    for line in lines:
        m = row.match(line)
        if m:
            out.append(line)
            joinable = True
            continue
        if joinable and line.strip() and not line[:col].strip():
            prev, cont = out[-1], line[col:].rstrip()
            # padded: cut at a word boundary; not padded: cut inside a word, or the blank moved
            # to the continuation's start
            out[-1] = (prev.rstrip() + " " + cont.lstrip()) if prev.endswith(" ") else prev + cont
            continue
        out.append(line)
        joinable = False
    return out


_RULE = re.compile(r"^[\s\-=*_]*$")


def join_terminal_wraps(text: str, width: int) -> str:
    """Join the lines a terminal of `width` columns broke: a line of exactly `width` characters
    goes on at the next line (a box wraps mid-word, at the column: ZTE captures at 80). Only in
    an answer that shows the wrap (a line of exactly that width) and no line longer than it (a
    wider window never wraps there); a rule of dashes that happens to fill the width is its own
    line. Whatever the command: a property of the session, not of a template."""
    lines = text.split("\n")
    if not any(len(line) == width for line in lines) or any(len(line) > width for line in lines):
        return text
    out: list[str] = []
    carry = ""
    for line in lines:
        if len(line) == width and not _RULE.match(line):
            carry += line
            continue
        out.append(carry + line)
        carry = ""
    if carry:
        out.append(carry)
    return "\n".join(out)
