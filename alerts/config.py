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
KEYS = ("language", "cooldown", "reminder", "outage", "notify")
_DURATION = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*([smhd])\s*$")
_UNIT = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_PERCENT = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*%\s*$")
RULE_KEYS = {f.name for f in fields(Rules)} - {"cooldown"}
COUNTS = {k for k in RULE_KEYS if isinstance(getattr(Rules, k), int)}
SHARES = RULE_KEYS - COUNTS
_NOTIFY_SHAPE = ("a list of entries such as {block: custom-webhook/noc, events: [opened, closed]}")


def duration(value: Any, what: str) -> timedelta:
    """'90s', '30m', '4h', '1d' (a bare number is minutes); always more than zero."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        seconds = float(value) * 60
    elif (m := _DURATION.match(str(value))) and not isinstance(value, bool):
        seconds = float(m.group(1)) * _UNIT[m.group(2)]
    else:
        raise ConfigError(f"{what}: {value!r} is not a duration such as 90s, 30m, 4h or 1d")
    if seconds <= 0:
        raise ConfigError(f"{what}: {value!r}: a duration must be more than zero")
    return timedelta(seconds=seconds)


def _count(value: Any, what: str) -> int:
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)  # quoted in the YAML: the same number
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigError(f"{what}: {value!r}: a whole number of at least 1")
    return value


def _share(value: Any, what: str) -> float:
    """0.5, or 50% (a percentage is written with %: 50 alone is refused, it cannot be 5,000 %)."""
    if isinstance(value, str) and (m := _PERCENT.match(value)):
        share = float(m.group(1)) / 100
    elif isinstance(value, str) and re.fullmatch(r"\s*\d+(\.\d+)?\s*", value):
        share = float(value)  # quoted in the YAML: the same number
    elif isinstance(value, int | float) and not isinstance(value, bool):
        share = float(value)
    else:
        raise ConfigError(f"{what}: {value!r}: a share such as 0.5, or a percentage such as 50%")
    if not 0 < share <= 1:
        raise ConfigError(f"{what}: {value!r}: a share above 0 and at most 1 (or 1% to 100%)")
    return share


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


def _rules(outage: Any, where: str) -> Rules:
    if not isinstance(outage, dict):
        raise ConfigError(f"{where}: outage: {outage!r}; a mapping of rules among "
                          f"{sorted(RULE_KEYS)}")
    values: dict[str, Any] = {}
    for key, value in outage.items():
        what = f"{where}: outage.{key}"
        if key in COUNTS:
            values[key] = _count(value, what)
        elif key in SHARES:
            values[key] = _share(value, what)
        else:
            raise ConfigError(f"{what}: unknown rule; allowed: {sorted(RULE_KEYS)}")
    return replace(Rules(), **values)


def _notify(raw: Any, where: str) -> tuple[Notify, ...]:
    if not isinstance(raw, list):
        raise ConfigError(f"{where}: notify: {raw!r}; {_NOTIFY_SHAPE}")
    out = []
    for i, entry in enumerate(raw):
        what = f"{where}: notify[{i}]"
        if not isinstance(entry, dict):
            raise ConfigError(f"{what}: {entry!r}; each entry is a mapping such as "
                              "{block: custom-webhook/noc, events: [opened, closed]}")
        unknown = sorted(set(entry) - {"block", "events"})
        if unknown:
            raise ConfigError(f"{what}: unknown keys {unknown}; allowed: ['block', 'events']")
        slug, _, name = str(entry.get("block") or "").partition("/")
        if not slug or not name:
            raise ConfigError(f"{what}.block: {entry.get('block')!r}; block is "
                              "'<type slug>/<name>', e.g. custom-webhook/noc")
        events = entry.get("events", ["opened", "closed"])
        if (not isinstance(events, list) or not events
                or any(e not in EVENTS for e in events)):
            raise ConfigError(f"{what}.events: {events!r}; a list of events among {list(EVENTS)}")
        out.append(Notify(slug, name, tuple(events)))
    return tuple(out)


def parse(data: dict[str, Any], where: str) -> AlertsConfig:
    unknown = sorted(set(data) - set(KEYS))
    if unknown:
        raise ConfigError(f"{where}: unknown keys {unknown}; allowed: {list(KEYS)}")
    language = data.get("language", "en")
    if language not in TEMPLATES:
        raise ConfigError(f"{where}: language {language!r}; one of {sorted(TEMPLATES)}")
    rules = _rules(data.get("outage") or {}, where)
    if "cooldown" in data:
        rules = replace(rules, cooldown=duration(data["cooldown"], f"{where}: cooldown"))
    reminder: timedelta | None = AlertsConfig.reminder
    if "reminder" in data:
        raw = data["reminder"]
        reminder = None if raw in (None, False, "off", "none") else \
            duration(raw, f"{where}: reminder")
        if reminder is not None and reminder < timedelta(seconds=10):
            raise ConfigError(f"{where}: reminder {raw!r}: at least 10s (Prefect's shortest)")
    notify = _notify(data.get("notify") or [], where)
    return AlertsConfig(language, rules, reminder, notify)


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
