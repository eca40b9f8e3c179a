"""Run one TextFSM template over one command's output, after removing what real boxes print around it.

Templates are compiled once per process. Failures name the template rule and the input line, so a
firmware that prints something new is found at once instead of producing wrong rows.
"""

from __future__ import annotations

import io
import re
import threading
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import textfsm

from parsers.fast_fsm import FastFSM
from parsers.unwrap import join_terminal_wraps

TEMPLATES = Path(__file__).parent / "templates"


def template_path(name: str) -> Path:
    """`name` is a file in parsers/templates, or `ntc:<file>` for an ntc-templates template."""
    if name.startswith("ntc:"):
        import ntc_templates

        return Path(ntc_templates.__file__).parent / "templates" / name[4:]
    return TEMPLATES / name


@cache
def _template_text(name: str) -> str:
    return template_path(name).read_text()


@dataclass(frozen=True)
class Block:
    """A block of lines a box prints into a table (an alarm, an event), removed whole.

    It starts at a line matching `start` and either continues while lines match `line`, or runs to
    a line matching `end` (inclusive), plus one `trailer` line if the next one matches. A block
    whose end does not come within `max_lines` is left in place: the template then refuses the
    text, which is safer than swallowing a table."""

    start: str
    line: str | None = None
    end: str | None = None
    trailer: str | None = None
    max_lines: int = 80


# ANSI control sequences (CSI): never part of a table, whatever the transport left of them.
_ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")


@dataclass(frozen=True)
class Noise:
    """What a vendor prints that is not part of any table: alarm blocks, pager remnants."""

    strip: tuple[str, ...] = ()  # regexes removed wherever they occur
    blocks: tuple[Block, ...] = ()
    width: int | None = None  # the terminal's width, if the box wraps its lines at it

    def clean(self, text: str) -> str:
        # NUL is never part of a value: PostgreSQL's text cannot hold it, nor can the Prefect
        # server's JSON on PostgreSQL (an artifact or state message with one is refused, 503)
        if "\x00" in text:
            text = text.replace("\x00", "")
        if "\x1b" in text:
            text = _ANSI.sub("", text)
        for pattern in self.strip:
            needle = _needle(pattern)
            if needle and needle not in text:
                continue  # the usual case (no pager remnants): no regex scan of the whole text
            text = re.sub(pattern, "", text)
        for block in self.blocks:
            text = _drop_blocks(text, block)
        if self.width:
            text = join_terminal_wraps(text, self.width)
        return text


def _drop_blocks(text: str, block: Block) -> str:
    start = re.compile(block.start)
    if not _multiline(start).search(text):
        return text  # no such block at all (the usual case): no line-by-line pass
    cont = re.compile(block.line) if block.line else None
    end = re.compile(block.end) if block.end else None
    trailer = re.compile(block.trailer) if block.trailer else None
    lines = text.split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        if not start.search(lines[i]):
            out.append(lines[i])
            i += 1
            continue
        if end is not None:
            stop = next((j for j in range(i + 1, min(len(lines), i + block.max_lines))
                         if end.search(lines[j])), None)
            if stop is None:
                out.append(lines[i])  # no end in sight: not ours to remove
                i += 1
                continue
            j = stop + 1
            if trailer is not None and j < len(lines) and trailer.search(lines[j]):
                j += 1
        else:
            j = i + 1
            while j < len(lines) and cont is not None and cont.search(lines[j]):
                j += 1
        if out and not out[-1].strip():
            out.pop()  # the blank line the box prints before the block
        if j < len(lines) and not lines[j].strip() and end is None:
            j += 1  # and the one after it
        i = j
    return "\n".join(out)


@cache
def _needle(pattern: str) -> str:
    """The longest run of literal characters that every match of `pattern` contains, or "".

    A pattern that starts with `[ ]*` makes re try a match at every blank of a 2 MB output; a
    substring test first is ~50x cheaper."""
    try:
        from re import _constants, _parser  # Python 3.11+

        parsed = _parser.parse(pattern)
        if parsed.state.flags & re.IGNORECASE:
            return ""
        best = run = ""
        for op, arg in parsed:
            if op is _constants.LITERAL:
                run += chr(arg)
                continue
            best, run = max(best, run, key=len), ""
        return max(best, run, key=len)
    except Exception:  # an unusual pattern or another Python: just always run the regex
        return ""


@cache
def _multiline(rx: re.Pattern[str]) -> re.Pattern[str]:
    return re.compile(rx.pattern, rx.flags | re.M)


class TemplateError(Exception):
    def __init__(self, template: str, detail: str, line: str | None):
        self.template = template
        self.line = line
        where = f" at line {line!r}" if line is not None else ""
        super().__init__(f"template {template} could not parse the output{where} ({detail})")


_INPUT_LINE = re.compile(r"Input Line: (.*)$", re.S)


_local = threading.local()


def _fsm(template: str) -> textfsm.TextFSM:
    """A compiled template for this thread (compiling costs more than parsing a port's output)."""
    cache = _local.__dict__.setdefault("fsms", {})
    fsm = cache.get(template)
    if fsm is None:
        fsm = cache[template] = textfsm.TextFSM(io.StringIO(_template_text(template)))
    else:
        fsm.Reset()
    return fsm


@cache
def _fast(template: str) -> FastFSM | None:
    """The fast runner for a template it supports (it keeps no state: one per process)."""
    fsm = textfsm.TextFSM(io.StringIO(_template_text(template)))
    return FastFSM(fsm) if FastFSM.supports(fsm) else None


# What str.splitlines() (TextFSM's, the fast runner's) takes for a line end besides "\n": inside a
# line they are text (a description may hold them), so they are swapped for private-use
# characters while the template runs, and back in the values it returns.
_IN_LINE = "\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
_HIDE = str.maketrans({c: chr(0xF0000 + ord(c)) for c in _IN_LINE})
_SHOW = str.maketrans({chr(0xF0000 + ord(c)): c for c in _IN_LINE})


def parse(template: str, text: str) -> list[dict[str, str]]:
    """Parse text with template; records as dicts of template value names to strings."""
    fast = _fast(template)
    protect = any(c in text for c in _IN_LINE)
    hidden = text.translate(_HIDE) if protect else text
    try:
        if fast is not None:
            header, rows = fast.header, fast.parse(hidden)
        else:
            fsm = _fsm(template)
            rows = fsm.ParseText(hidden)
            header = fsm.header
    except textfsm.TextFSMError as exc:
        m = _INPUT_LINE.search(str(exc))
        raise TemplateError(template, str(exc).split(". Input Line")[0],
                            m.group(1).strip("\n").translate(_SHOW) if m else None) from None
    if not protect:
        return [dict(zip(header, row)) for row in rows]
    return [dict(zip(header, (_show(v) for v in row))) for row in rows]


@cache
def _stored_keys(template: str) -> tuple[re.Pattern[str], ...]:
    """For each rule that stores a value, the part of its regex before the value: the line's
    key. A rule whose value comes first (a table row) matches any line: nothing is skippable."""
    fsm = textfsm.TextFSM(io.StringIO(_template_text(template)))
    out = []
    for rules in fsm.states.values():
        for rule in rules:
            text = rule.match
            if "${" not in text:
                continue
            try:
                out.append(re.compile(text[:text.index("${")]))
            except re.error:  # the value sits inside a group: count the rule as any line
                out.append(re.compile(""))
    return tuple(out)


def parse_skipping(template: str, text: str, limit: int = 20
                   ) -> tuple[list[dict[str, str]], list[str]]:
    """`parse`, but a line the template refuses is skipped when it is not one of the template's
    stored keys (an informational line, a key we do not keep, that differs between boxes); the
    skipped lines are returned. A stored key whose value the template cannot read is still an
    error: a refused answer is safer than a wrong value. At most `limit` lines are skipped."""
    skipped: list[str] = []
    while True:
        try:
            return parse(template, text), skipped
        except TemplateError as exc:
            line = exc.line
            if (line is None or len(skipped) >= limit or not line.strip()
                    or any(k.match(line) for k in _stored_keys(template))):
                raise
            lines = text.split("\n")
            at = next((i for i, x in enumerate(lines) if x.strip("\n") == line), None)
            if at is None:
                raise
            skipped.append(line.strip())
            text = "\n".join(lines[:at] + lines[at + 1:])


def _show(value: str | list[str]) -> str | list[str]:
    return value.translate(_SHOW) if isinstance(value, str) else [v.translate(_SHOW) for v in value]


def parse_textfsm(template: str, text: str) -> list[dict[str, str]]:
    """The same with TextFSM's own runner (the reference the fast one is tested against)."""
    fsm = _fsm(template)
    return [dict(zip(fsm.header, row)) for row in fsm.ParseText(text)]
