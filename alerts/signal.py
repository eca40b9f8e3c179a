"""Low signal: optical levels below a warning or critical threshold, with hysteresis, as plain
decisions (no database).

Defaults from common GPON practice: an ONU receiving below -27 dBm is at the edge of a class B+
ONU receiver's sensitivity (warning), below -30 dBm it drops out (critical); the OLT receiving an
ONU below -28 dBm (a class B+ OLT receiver's sensitivity) is a warning, below -30 dBm critical.
An alert opens when a level is at or below a threshold and closes only once the level is back
`hysteresis_db` above the warning threshold, so a reading that jitters around a threshold does not
flap. A level that falls from warning to critical raises the alert's severity; it stays open.
An inventory entry may override any threshold for its OLT (`signal:` in the inventory).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

METRICS = {"onu_rx": "rx_power_dbm", "olt_rx": "olt_rx_power_dbm"}


@dataclass(frozen=True)
class Thresholds:
    onu_rx_warning: float = -27.0
    onu_rx_critical: float = -30.0
    olt_rx_warning: float = -28.0
    olt_rx_critical: float = -30.0
    hysteresis_db: float = 1.0

    def with_overrides(self, overrides: dict[str, float] | None) -> Thresholds:
        return replace(self, **(overrides or {}))

    def levels(self, metric: str) -> tuple[float, float]:
        return getattr(self, f"{metric}_warning"), getattr(self, f"{metric}_critical")


@dataclass
class SignalAlert:
    serial: str
    port: str
    onu_id: int
    metric: str  # onu_rx | olt_rx
    severity: str  # warning | critical
    level_dbm: float  # the worst reading while open
    opened_at: datetime
    closed_at: datetime | None = None
    id: int | None = None


@dataclass
class SignalDecisions:
    opened: list[SignalAlert] = field(default_factory=list)
    raised: list[SignalAlert] = field(default_factory=list)  # warning became critical
    closed: list[SignalAlert] = field(default_factory=list)


def severity(level: float | None, warning: float, critical: float) -> str | None:
    if level is None:
        return None
    if level <= critical:
        return "critical"
    return "warning" if level <= warning else None


def evaluate(onus: list[dict[str, Any]], open_alerts: list[SignalAlert], at: datetime,
             t: Thresholds = Thresholds()) -> SignalDecisions:
    """`onus`: present ONUs (serial, port, onu_id and their levels). An ONU without a reading
    (offline) keeps its alerts as they are: an outage is not a recovery."""
    out = SignalDecisions()
    current = {(a.serial, a.metric): a for a in open_alerts if a.closed_at is None}
    present = set()
    for onu in onus:
        for metric, column in METRICS.items():
            level = onu.get(column)
            warning, critical = t.levels(metric)
            alert = current.get((onu["serial"], metric))
            present.add((onu["serial"], metric))
            if level is None:
                continue
            now = severity(level, warning, critical)
            if alert is None:
                if now is not None:
                    out.opened.append(SignalAlert(onu["serial"], onu["port"], onu["onu_id"],
                                                  metric, now, level, at))
                continue
            if level < alert.level_dbm:
                alert.level_dbm = level
            if now == "critical" and alert.severity == "warning":
                alert.severity = "critical"
                out.raised.append(alert)
            elif level >= warning + t.hysteresis_db:
                alert.closed_at = at
                out.closed.append(alert)
    for key, alert in current.items():  # the ONU left the inventory: nothing left to watch
        if key not in present and alert.closed_at is None:
            alert.closed_at = at
            out.closed.append(alert)
    return out
