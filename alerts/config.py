"""The alerts config (deployments/alerts.example.yaml, named by OLTSYNC_ALERTS): where messages go,
in which language, and the outage rules an ISP tunes — the thresholds, the cooldown within which a
flapping port is not announced again, and the reminder for an outage still open after some hours.

The bootstrap reads it to make the automations; the flows read it for the rules (the worker's
environment names the same file), so one file says both.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, fields, replace
from datetime import timedelta
from pathlib import Path
from typing import Any

from alerts.events import TEMPLATES
from alerts.outages import Rules
from core.errors import ConfigError

EVENTS = ("opened", "closed", "low_signal")
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd])\s*$")
_UNIT = {"s": 1, "m": 60, "h": 3600, "d": 86400}
RULE_KEYS = {f.name for f in fields(Rules)} - {"cooldown"}


def duration(value: Any, what: str) -> timedelta:
    """'90s', '30m', '4h', '1d' (a bare number is minutes)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return timedelta(minutes=value)
    m = _DURATION.match(str(value))
    if not m:
        raise ConfigError(f"{what}: {value!r} is not a duration such as 90s, 30m, 4h or 1d")
    return timedelta(seconds=float(m.group(1)) * _UNIT[m.group(2)])


@dataclass(frozen=True)
class Notify:
    block_type: str  # the notification block's type slug, e.g. custom-webhook
    block_name: str
    events: tuple[str, ...] = ("opened", "closed")


@dataclass(frozen=True)
class AlertsConfig:
    language: str = "en"
    rules: Rules = Rules()
    # an outage still open this long after it opened is told once more; None: never
    reminder: timedelta | None = timedelta(hours=4)
    notify: tuple[Notify, ...] = field(default_factory=tuple)


def parse(data: dict[str, Any], where: str) -> AlertsConfig:
    unknown = set(data) - {"language", "cooldown", "reminder", "outage", "notify"}
    if unknown:
        raise ConfigError(f"{where}: unknown keys {sorted(unknown)}")
    language = data.get("language", "en")
    if language not in TEMPLATES:
        raise ConfigError(f"{where}: language {language!r}; one of {sorted(TEMPLATES)}")
    outage = data.get("outage") or {}
    if not isinstance(outage, dict) or set(outage) - RULE_KEYS:
        raise ConfigError(f"{where}: outage: {outage!r}; keys among {sorted(RULE_KEYS)}")
    try:
        rules = replace(Rules(), **{k: type(getattr(Rules, k))(v) for k, v in outage.items()})
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{where}: outage: {exc}") from None
    if "cooldown" in data:
        rules = replace(rules, cooldown=duration(data["cooldown"], f"{where}: cooldown"))
    reminder: timedelta | None = AlertsConfig.reminder
    if "reminder" in data:
        raw = data["reminder"]
        reminder = None if raw in (None, False, "off", "none") else \
            duration(raw, f"{where}: reminder")
        if reminder is not None and reminder < timedelta(seconds=10):
            raise ConfigError(f"{where}: reminder {raw!r}: at least 10s (Prefect's shortest)")
    notify = []
    for entry in data.get("notify") or []:
        slug, _, name = str((entry or {}).get("block", "")).partition("/")
        events = tuple((entry or {}).get("events") or ("opened", "closed"))
        if not slug or not name or any(e not in EVENTS for e in events):
            raise ConfigError(f"{where}: {entry!r}: block is '<type slug>/<name>', "
                              f"events among {list(EVENTS)}")
        notify.append(Notify(slug, name, events))
    return AlertsConfig(language, rules, reminder, tuple(notify))


def load(path: str | os.PathLike[str]) -> AlertsConfig:
    import yaml

    try:
        data = yaml.safe_load(Path(path).read_text()) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"alerts config {path}: {exc}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"alerts config {path}: a mapping is expected")
    return parse(data, f"alerts config {path}")


def from_env() -> AlertsConfig:
    """The config OLTSYNC_ALERTS names, or the defaults (no messages sent)."""
    path = os.environ.get("OLTSYNC_ALERTS")
    return load(path) if path else AlertsConfig()
