"""`python -m oltsync capture`: record a real box's answers to every profile command, anonymized,
as corpus cases (tests/captures/ layout) with the outcome the collector gives them today.

Over one read-only session (the allowlist guards every line sent, as in a sync), each dataset is
collected the collector's own way, a repeated command for its first `per_command` rows only.
A dataset that fails is recorded up to the failing answer: that answer is the point of a
capture. Then every text is anonymized (capture/anonymize.py) and checked: nothing of the
original may be left, and the anonymized text must parse to as many rows as the original.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from capture import layout, replay
from capture.anonymize import Anonymizer, template_words
from collector.dataset import CollectRequest, collect
from collector.redact import redact
from collector.session import OltSession, Target
from core.errors import CollectError, OltSyncError
from core.settings import Settings
from inventory.entries import OltEntry
from parsers.textfsm_parse import TEMPLATES
from platforms import profile as profiles
from platforms.profile import CommandSpec
from sync.access import target_for


class CaptureError(OltSyncError):
    """The capture could not be made safe to share, or could not be made at all."""


@dataclass
class Answer:
    dataset: str
    spec: CommandSpec
    command: str
    variables: dict[str, str]
    text: str


@dataclass(frozen=True)
class Case:
    """One answer as written: which profile command, what the collector made of it."""

    profile: str  # "dataset.name"
    command: str
    path: Path
    rows: int | None  # rows it parsed to; None when it was refused
    error: str | None
    view: str = ""  # the CLI view it was sent in (`interface gpon 0/1`), "" at the prompt


@dataclass
class Report:
    olt: str
    written: list[Path] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)  # dataset -> its error
    commands: int = 0
    redacted: int = 0
    cases: list[Case] = field(default_factory=list)
    hostname: str | None = None


def record(entry: OltEntry, target: Target,
           per_command: int = 2) -> tuple[list[Answer], dict[str, Any]]:
    """Every profile command's answers from one OLT, with the facts the anonymizer needs
    (descriptions, host name, model and firmware)."""
    profile = profiles.load(entry.platform)
    answers: list[Answer] = []
    facts: dict[str, Any] = {"descriptions": [], "failed": {}}
    session = OltSession(target, profile).open()
    try:
        for name in profile.datasets:
            def observe(spec: CommandSpec, command: str, variables: dict[str, str], text: str,
                        ds: str = name) -> None:
                answers.append(Answer(ds, spec, command, dict(variables), text))

            try:
                result = collect(session, CollectRequest(entry.name, profile, name, entry.tz,
                                                         limit=per_command, observe=observe))
            except CollectError as exc:  # recorded up to the answer that failed: kept as a case
                facts["failed"][name] = str(exc)
                continue
            for row in result.tables.get("onus", []):
                facts["descriptions"].append(row.get("description"))
            for row in result.tables.get("olt", []):
                facts.update(model=row.get("model"), firmware=row.get("firmware"))
        facts["hostname"] = session.conn.base_prompt
    finally:
        session.close()
    return answers, facts


def _vocabulary(platform: str) -> set[str]:
    prof = profiles.load(platform)
    paths = [str(p) for p in profiles.sources(platform)]
    paths += [str(TEMPLATES / c.template) for c in prof.all_commands()
              if not c.template.startswith("ntc:")]
    return template_words(paths)


def _rows(platform: str, m: dict[str, Any], text: str) -> int | None:
    out = replay.outcome(platform, m, text)
    return None if out.rows is None else len(out.rows)


def capture(entry: OltEntry, out_dir: Path, anonymize: bool = True, per_command: int = 2,
            settings: Settings | None = None) -> Report:
    target = target_for(entry, settings or Settings.from_env())
    answers, facts = record(entry, target, per_command)
    platform = entry.platform
    report = Report(entry.name, failed=facts["failed"], commands=len(answers))
    anon = Anonymizer(profiles.load(platform).private, keep=_vocabulary(platform))
    texts = []
    for a in answers:
        text, n = redact(a.text, (target.password, target.secret))
        report.redacted += n
        texts.append(text)
    if anonymize:
        for text in texts:
            anon.learn(text)
        for value in facts["descriptions"]:
            anon.add_words(value)
        anon.add_words(facts.get("hostname"))
        anon.add_words(entry.name)
    when = datetime.now(UTC)
    box = hashlib.sha256(anon.salt + entry.name.encode()).hexdigest()[:8]
    cases = []
    for a, text in zip(answers, texts):
        m: dict[str, Any] = {
            "source": f"captured with `python -m oltsync capture` on {when:%Y-%m-%d}"
                      + (" (anonymized)" if anonymize else " (NOT anonymized: do not share)"),
            "lineage": f"oltsync capture {box}", "model": facts.get("model"),
            "firmware": facts.get("firmware"), "command": a.command,
            "profile": f"{a.dataset}.{a.spec.name}", "variables": a.variables or None}
        final = anon.apply(text) if anonymize else text
        if anonymize:
            _check(entry.name, a.command, anon, platform, m, text, final)
        result = replay.outcome(platform, m, final)
        if result.error is not None:
            m.update(unsupported=True, error=result.error)
        else:
            m["rows"] = result.rows
        cases.append((a, final, m))
    seen: dict[str, int] = {}
    for a, final, m in cases:  # only once every text is known to be safe
        key = layout.command_dir(a.spec.command)
        seen[key] = seen.get(key, 0) + 1
        case = f"capture_{when:%Y%m%d}_{box}_{seen[key]}"
        path = layout.write_case(out_dir, platform, a.spec.command, case, final, m)
        report.written.append(path)
        view = a.spec.context[-1].format_map(a.variables) if a.spec.context else ""
        report.cases.append(Case(m["profile"], m["command"], path,
                                 len(m["rows"]) if "rows" in m else None, m.get("error"), view))
    report.hostname = facts.get("hostname")
    return report


def _check(olt: str, command: str, anon: Anonymizer, platform: str, m: dict[str, Any],
           original: str, final: str) -> None:
    left = anon.leftovers(final)
    if left:  # counted, not shown: showing them would defeat the purpose
        raise CaptureError(f"{olt}: '{command}': {len(left)} original value(s) are still in the "
                           "anonymized text; nothing was written")
    before, after = _rows(platform, m, original), _rows(platform, m, final)
    if before != after:
        raise CaptureError(f"{olt}: '{command}': the anonymized text parses to {after} rows, the "
                           f"original to {before}; nothing was written")
