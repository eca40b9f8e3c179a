"""Replay a capture: what the collector makes of a box's printed answer to one command.

The text is taken the way the collector takes it: as a live session reads it
(collector/transcript.py), cut to the command's answer, then cleaned, checked, parsed and built
into rows by the collector's own function, and merged as the dataset merges a command's rows.
The capture corpus (tests/captures/) and the `capture` command both use it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

from collector import parse_pool, parsing, transcript
from core.errors import CollectError
from platforms import profile as profiles

OLT = "capture"  # the OLT name errors carry in a replay


@dataclass
class Outcome:
    rows: list[dict[str, Any]] | None = None
    cleaned: str | None = None
    error: str | None = None


def meta(raw: Path) -> dict[str, Any]:
    return yaml.safe_load(raw.with_suffix(".yml").read_text(encoding="utf-8"))


def platform_of(raw: Path, m: dict[str, Any]) -> str:
    """The .yml's `platform`, else the folder: <platform>/<command>/<case>.raw."""
    return m.get("platform") or raw.parent.parent.name


def plain(value: Any) -> Any:
    """A value as the .yml holds it (timestamps as ISO strings in UTC)."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    return value


def text_of(raw: Path, m: dict[str, Any]) -> str:
    """The .raw with the .yml's `replace`ments of placeholders a source put in."""
    text = raw.read_text(encoding="utf-8")
    for old, new in m.get("replace") or []:
        if old not in text:
            raise ValueError(f"{raw}: replace {old!r} does not occur")
        text = text.replace(old, new)
    return text


def outcome(platform: str, m: dict[str, Any], text: str) -> Outcome:
    prof = profiles.load(platform)
    answer = transcript.answer(text, m["command"], prof, m.get("prompt"))
    if m["profile"] == "noise":
        return Outcome(cleaned=prof.cleaner.clean(answer))
    ds, name = m["profile"].split(".")
    spec = next(c for c in prof.datasets[ds].commands if c.name == name)
    variables = parsing.port_vars(m.get("variables") or {})
    try:
        tables = parsing.Tables(prof.datasets[ds])
        rows, _ = parse_pool.rows_for(prof, spec, m["command"], answer, variables, UTC)
        tables.add(spec, m["command"], rows, primary=True)
    except CollectError as exc:
        return Outcome(error=str(exc.of(OLT)))
    return Outcome(rows=[{k: plain(v) for k, v in r.items()}
                         for r in tables.tables.get(spec.table, {}).values()])


def run(raw: Path, text: str | None = None) -> Outcome:
    """The outcome of a capture, or of other `text` read as if it were that capture."""
    m = meta(raw)
    return outcome(platform_of(raw, m), m, text_of(raw, m) if text is None else text)
