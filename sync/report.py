"""What one OLT's sync reports: a typed report built as its datasets finish, and the table and text
the Prefect UI shows of it (the per-OLT artifact) and of a fleet run."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

from core.timers import Timers
from storage.reconcile import SAMPLE_LABELS, Reconciliation
from storage.store import DatasetOutcome


@dataclass
class DatasetReport:
    """One dataset of one OLT: collected, parsed and stored, or why not."""

    dataset: str
    status: str  # ok | failed | held | carried (not due this run: not read, rows left as they are)
    error: str | None = None
    rows: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    commands: int = 0
    bytes: int = 0
    seconds: float | None = None  # collecting and storing it, wall time
    timers: Timers = field(default_factory=Timers)
    note: str | None = None  # why a dataset was carried over

    @classmethod
    def stored(cls, out: DatasetOutcome, commands: int, bytes_read: int, seconds: float,
               timers: Timers) -> DatasetReport:
        counts = out.counts.as_dict()
        if out.counts.transitions:  # rows whose state changed (ONUs down or back)
            counts["state_changes"] = len(out.counts.transitions)
        return cls(out.dataset, out.status, out.error, out.rows, counts, commands,
                   bytes_read, round(seconds, 2), timers)


@dataclass
class OnuTally:
    total: int
    online: int
    offline: int


@dataclass
class OltReport:
    olt: str
    datasets: list[DatasetReport]
    onus: OnuTally | None = None  # from the onus dataset, when it was stored
    worst_optical: list[dict[str, Any]] = field(default_factory=list)
    client_rules: dict[str, int] | None = None  # ONUs each client rule named
    clients: Reconciliation | None = None  # the OLT's ONUs and clients after the run
    logins: int = 0
    seconds: float = 0.0
    timers: Timers = field(default_factory=Timers)  # logging in and the session's transport

    @property
    def status(self) -> str:
        """failed (a dataset failed or was held back), partial (all stored, an enrichment not
        read) or ok."""
        if not all(d.status in ("ok", "carried", "partial") for d in self.datasets):
            return "failed"
        return "partial" if any(d.status == "partial" for d in self.datasets) else "ok"

    @property
    def errors(self) -> list[str]:
        return list(dict.fromkeys(d.error for d in self.datasets
                                  if d.error and d.status != "carried"))

    def as_dict(self) -> dict[str, Any]:
        """What the flow returns (plain data); `timers` sums every stage of the OLT."""
        out = asdict(self)
        out["status"] = self.status
        out["timers"] = self.timers.merged(*(d.timers for d in self.datasets)).as_dict()
        for d, rep in zip(out["datasets"], self.datasets):
            d["timers"] = rep.timers.as_dict()
        return out


def worst_optical(onus: list[dict[str, Any]], n: int = 5) -> list[dict[str, Any]]:
    levels = [o for o in onus if o.get("rx_power_dbm") is not None]
    levels.sort(key=lambda o: o["rx_power_dbm"])
    # the client's key, not the description: a description holds the client's name, personal
    # data that stays out of Prefect's artifacts (the web page shows it behind its login)
    return [{k: o.get(k) for k in ("port", "onu_id", "serial", "rx_power_dbm", "client_key")}
            for o in levels[:n]]


def onu_tally(onus: list[dict[str, Any]]) -> OnuTally:
    online = sum(1 for o in onus if o["run_state"] == "online")
    return OnuTally(len(onus), online, len(onus) - online)


def artifact_key(olt: str) -> str:
    """The per-OLT artifact's key: the OLT's name as Prefect allows it (lowercase letters, digits,
    dashes), starting "olt-" (never one of the fleet run's keys), without saying it twice."""
    key = re.sub(r"[^a-z0-9-]", "-", olt.lower())
    return key if key.startswith("olt-") else f"olt-{key}"


def olt_table(report: OltReport) -> list[dict[str, Any]]:
    """One row per dataset: status and counts, for the per-OLT table artifact."""
    return [{"dataset": d.dataset, "status": d.status, "rows": d.rows,
             **{k: d.counts.get(k, 0) for k in ("inserted", "updated", "unchanged", "removed",
                                                 "moved", "carried")},
             "seconds": d.seconds, "error": d.error or d.note or ""} for d in report.datasets]


def web_url() -> str | None:
    """Where users reach the web page (OLTSYNC_WEB_URL), for links from the artifacts."""
    import os

    return (os.environ.get("OLTSYNC_WEB_URL") or "").rstrip("/") or None


def olt_markdown(report: OltReport, web: str | None = None) -> str:
    """The run's artifact; with `web` (the web page's address) the OLT and each ONU named link to
    their pages."""
    from urllib.parse import quote

    olt_page = f"{web}/olts/{quote(report.olt, safe='')}" if web else None
    lines = [f"## [{report.olt}]({olt_page}): {report.status}" if olt_page
             else f"## {report.olt}: {report.status}", ""]
    if report.onus is not None:
        lines.append(f"ONUs {report.onus.total}: {report.onus.online} online, "
                     f"{report.onus.offline} offline.")
    lines += clients_lines(report)
    if report.worst_optical:
        lines += ["", "Worst ONU rx levels:", "", "| port | onu | serial | rx dBm | client |",
                  "|---|---|---|---|---|"]
        lines += [f"| {w['port']} | {w['onu_id']} | "
                  + (f"[{w['serial']}]({web}/onus/{quote(report.olt, safe='')}/{w['serial']})"
                     if web else w["serial"])
                  + f" | {w['rx_power_dbm']} | {w['client_key'] or ''} |"
                  for w in report.worst_optical]
    if olt_page:
        lines += ["", f"[{report.olt} in the web page]({olt_page})"]
    if report.errors:
        lines += ["", "Errors:", ""] + [f"- {e}" for e in report.errors]
    return "\n".join(lines)


def clients_lines(report: OltReport) -> list[str]:
    """Which client rules named how many ONUs (a rule that named none is said), and the OLT's
    reconciliation. Keys and serials only: names are personal data."""
    lines: list[str] = []
    if report.client_rules:
        named = ", ".join(f"{rule} {n}" for rule, n in report.client_rules.items() if n)
        idle = [rule for rule, n in report.client_rules.items() if not n]
        lines.append("Client rules: " + (named or "none matched")
                     + (f"; matched no ONU of this OLT: {', '.join(idle)}" if idle else "") + ".")
    r = report.clients
    if r is not None:
        lines.append(f"Clients: {r.line()}.")
        shown = {"without_client": "without a client", "shared": "shared keys",
                 "swapped": "swapped keys"}
        lines += [f"- {label}: {', '.join(r.samples[k])}" for k, label in shown.items()
                  if r.samples.get(k)]
    return ["", *lines] if lines else []


def fleet_clients_markdown(r: Reconciliation, olts: list[dict[str, Any]]) -> str:
    """The fleet's reconciliation, for the fleet run's artifact: counts, keys or serials, and
    every OLT's counts (storage/reconcile.py per_olt)."""
    lines = ["## Clients", "", f"{r.line()}.", ""]
    lines += [f"- {label}: {', '.join(r.samples[k])}" for k, label in SAMPLE_LABELS.items()
              if r.samples.get(k)]
    lines += ["", "| OLT | ONUs | without a client | shared keys | swapped |", "|---|---|---|---|---|"]
    lines += [f"| {o['olt']} | {o['onus']} | {o['without_client']} | {o['shared']} | "
              f"{o['swapped']} |" for o in olts]
    return "\n".join(lines)


def fleet_table(results: dict[str, dict[str, Any]], problems: tuple[str, ...],
                counts: dict[str, tuple[int, int]]) -> list[dict[str, Any]]:
    """One row per OLT of the fleet run, invalid inventory entries included."""
    table = [{"olt": n, "status": r["status"], "onus": counts.get(n, (None, None))[0],
              "online": counts.get(n, (None, None))[1], "seconds": r.get("seconds"),
              "error": r.get("error") or ""} for n, r in results.items()]
    table += [{"olt": p.split(":", 1)[0], "status": "invalid", "onus": None, "online": None,
               "seconds": None, "error": p} for p in problems]
    return table
