"""`oltsync check --olt NAME`: the first-contact report. One read-only session runs every command of
the OLT's profile once (a repeated command for its first row only) and says, per command, whether
its answer parsed and to how many rows, whether it is core (it decides which rows exist) or an
enrichment (it fills columns of rows that exist), and where a refused answer is kept. The answers
are written as corpus cases (`capture`), anonymized by default: what an operator runs on day one,
and attaches to a bug report.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from capture.record import Case, Report, capture
from inventory.entries import OltEntry
from platforms import profile as profiles


@dataclass(frozen=True)
class Line:
    dataset: str
    name: str
    role: str  # core | enrichment
    command: str  # as sent (the first one, for a repeated command; with its CLI view), else
    # the profile's
    result: str  # "ok", "refused", "not run", "derived" (nothing sent)
    rows: int | None = None
    detail: str = ""  # the error, or why it was not run
    kept: Path | None = None

    @property
    def fine(self) -> bool:
        return self.result in ("ok", "derived")


def lines_of(platform: str, report: Report) -> list[Line]:
    """One line per profile command, from what `capture` recorded."""
    prof = profiles.load(platform)
    by_ref: dict[str, list[Case]] = {}
    for case in report.cases:
        by_ref.setdefault(case.profile, []).append(case)
    out = []
    for ds, spec in prof.datasets.items():
        for cmd in spec.commands:
            role = "enrichment" if cmd.enrichment else "core"
            if cmd.derived_from is not None:  # nothing sent: rows of what another command read
                out.append(Line(ds, cmd.name, role, f"(rows from {cmd.derived_from})", "derived"))
                continue
            cases = by_ref.get(f"{ds}.{cmd.name}", [])
            bad = next((c for c in cases if c.error is not None), None)
            if bad is not None:
                out.append(Line(ds, cmd.name, role, _sent(bad), "refused", None, bad.error,
                                bad.path))
            elif cases:
                out.append(Line(ds, cmd.name, role, _sent(cases[0]), "ok",
                                sum(c.rows or 0 for c in cases), kept=cases[0].path))
            else:
                why = report.failed.get(ds)
                out.append(Line(ds, cmd.name, role, cmd.command, "not run",
                                detail=("its dataset stopped at a core command" if why else
                                        "no rows to run it for")))
    return out


def _sent(case: Case) -> str:
    return f"{case.command} (in {case.view})" if case.view else case.command


def check(entry: OltEntry, out_dir: Path, anonymize: bool = True) -> tuple[Report, list[Line]]:
    report = capture(entry, out_dir, anonymize=anonymize, per_command=1)
    return report, lines_of(entry.platform, report)


def format_check(entry: OltEntry, report: Report, lines: list[Line], anonymized: bool = True
                 ) -> str:
    sent = [ln for ln in lines if ln.result != "derived"]
    ok = sum(1 for ln in sent if ln.result == "ok")
    head = (f"{entry.name} ({entry.platform}, prompt {report.hostname or '?'}): {ok} of "
            f"{len(sent)} commands answered and parsed; {report.commands} answers read")
    width = max(len(ln.command) for ln in lines)
    rows = [head, ""]
    for ln in lines:
        what = (f"ok, {ln.rows} row{'s' if ln.rows != 1 else ''}" if ln.result == "ok"
                else "nothing sent" if ln.result == "derived" else ln.result.upper())
        rows.append(f"  {ln.dataset + '.' + ln.name:<28} {ln.role:<10} {ln.command:<{width}}  "
                    f"{what}")
        if ln.result == "refused":
            rows.append(f"      {ln.detail}")
            rows.append(f"      answer kept in {ln.kept}")
        elif ln.result == "not run":
            rows.append(f"      {ln.detail}")
    core_bad = [ln for ln in lines if ln.role == "core" and not ln.fine]
    enrich_bad = [ln for ln in lines if ln.role == "enrichment" and not ln.fine]
    rows.append("")
    if core_bad:
        rows.append(f"{len(core_bad)} core command(s) failed: their datasets would not be stored. "
                    "Attach the folder below to a bug report.")
    elif enrich_bad:
        rows.append(f"Every dataset would be stored; {len(enrich_bad)} enrichment(s) would keep "
                    "their stored values (NULL on a first sync). Attach the folder below to a "
                    "bug report.")
    else:
        rows.append("Every command answered and parsed: this OLT can be synced.")
    folders = sorted({str(p.parent.parent) for p in report.written})
    state = "anonymized" if anonymized else "NOT anonymized: for your eyes only"
    rows.append(f"Answers ({state}) under: {', '.join(folders) or '(none)'}")
    for ds, err in report.failed.items():
        rows.append(f"  {ds}: {err}")
    return "\n".join(rows)
