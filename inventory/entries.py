"""The inventory: which OLTs to sync and how to reach them. A YAML file, validated with clear errors.

Credentials are never inline: each OLT names an environment variable (`password_env`) or a Prefect
Secret block (`password_secret`) holding its password, resolved only inside the task that logs in.
"""

from __future__ import annotations

import os
import re
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from clients.rules import Rule, default_rules, parse_rules
from core.errors import ConfigError
from platforms import profile

DEFAULT_INVENTORY = "inventory.yaml"
_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")


class OltEntry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    host: str
    port: int = 22
    platform: str
    username: str | None = None
    username_env: str | None = None
    password_env: str | None = None
    password_secret: str | None = None
    # the password `enable` asks for, when the account lands at the user prompt (ZTE `OLT>`)
    enable_password_env: str | None = None
    enable_password_secret: str | None = None
    timezone: str = "UTC"
    max_sessions: int = Field(default=2, ge=1, le=8)
    enabled: bool = True
    # low-signal thresholds for this OLT (alerts/signal.py: onu_rx_warning, onu_rx_critical,
    # olt_rx_warning, olt_rx_critical in dBm, hysteresis_db); unset: the defaults
    signal: dict[str, float] | None = None
    # how this OLT's ONUs name their clients (clients/rules.py): preset names and custom rules,
    # in order; unset: the defaults
    client_rules: tuple[str | dict[str, Any], ...] | None = None

    @field_validator("client_rules")
    @classmethod
    def _client_rules(cls, v: tuple[str | dict[str, Any], ...] | None
                      ) -> tuple[str | dict[str, Any], ...] | None:
        if v is not None:
            parse_rules(v)  # a RuleError (a ValueError) is the entry's error, naming the rule
        return v

    def rules(self, pattern: str | None = None) -> tuple[Rule, ...]:
        """This OLT's client rules; `pattern` (OLTSYNC_CLIENT_PATTERN) where it names none."""
        return parse_rules(self.client_rules) if self.client_rules is not None \
            else default_rules(pattern)

    @field_validator("signal")
    @classmethod
    def _signal(cls, v: dict[str, float] | None) -> dict[str, float] | None:
        from dataclasses import fields

        from alerts.signal import Thresholds

        known = {f.name for f in fields(Thresholds)}
        unknown = sorted(set(v or {}) - known)
        if unknown:
            raise ValueError(f"unknown signal threshold(s) {unknown}; known: {sorted(known)}")
        return v

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        if not _NAME.match(v):
            raise ValueError("use lower-case letters, digits, '.', '_' or '-' (max 64)")
        return v

    @field_validator("platform")
    @classmethod
    def _platform(cls, v: str) -> str:
        if v not in profile.available():
            raise ValueError(f"unknown platform {v!r}; known: {', '.join(profile.available())}")
        return v

    @field_validator("timezone")
    @classmethod
    def _tz(cls, v: str) -> str:
        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {v!r}") from None
        return v

    @model_validator(mode="after")
    def _credentials(self) -> OltEntry:
        if bool(self.password_env) == bool(self.password_secret):
            raise ValueError("set exactly one of password_env or password_secret")
        if self.enable_password_env and self.enable_password_secret:
            raise ValueError("set at most one of enable_password_env or enable_password_secret")
        if not (self.username or self.username_env):
            raise ValueError("set username or username_env")
        return self

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def credentials(self) -> tuple[str, str]:
        """(username, password), resolved now. Call only where the login happens."""
        user = self.username or _env(self.name, self.username_env)
        return user, _secret(self.name, self.password_env, self.password_secret)

    def enable_password(self) -> str | None:
        """The enable password, resolved now (None: the inventory gives none)."""
        if not (self.enable_password_env or self.enable_password_secret):
            return None
        return _secret(self.name, self.enable_password_env, self.enable_password_secret)


def _secret(olt: str, env: str | None, block: str | None) -> str:
    if env:
        return _env(olt, env)
    from prefect.blocks.system import Secret

    try:
        return Secret.load(block).get()
    except ValueError:
        raise ConfigError(f"{olt}: Prefect Secret block {block!r} not found") from None


def _env(olt: str, var: str | None) -> str:
    value = os.environ.get(var or "")
    if not value:
        raise ConfigError(f"{olt}: environment variable {var} is not set (it holds a credential)")
    return value


class Inventory(BaseModel):
    model_config = ConfigDict(frozen=True)

    olts: list[OltEntry]
    # Entries that failed validation: the fleet syncs the others, then fails naming these.
    problems: tuple[str, ...] = ()
    # Every name the file lists, valid or not: an OLT whose entry has a typo is still listed, and
    # is not marked removed from the inventory for it.
    listed: frozenset[str] = frozenset()

    def get(self, name: str) -> OltEntry:
        for o in self.olts:
            if o.name == name:
                return o
        bad = [p for p in self.problems if p.startswith(f"{name}:")]
        if bad:
            raise ConfigError("inventory entry is invalid: " + "; ".join(bad))
        raise ConfigError(f"OLT {name!r} is not in the inventory")

    @property
    def enabled(self) -> list[OltEntry]:
        return [o for o in self.olts if o.enabled]


def parse(data: Any, source: str = "inventory") -> Inventory:
    if not isinstance(data, dict) or not isinstance(data.get("olts"), list):
        raise ConfigError(f"{source}: expected a mapping with an 'olts' list")
    defaults = data.get("defaults") or {}
    errors: list[str] = []
    entries: list[OltEntry] = []
    names: set[str] = set()
    dupes: set[str] = set()
    listed: set[str] = set()
    for i, raw in enumerate(data["olts"]):
        label = raw.get("name", f"#{i + 1}") if isinstance(raw, dict) else f"#{i + 1}"
        if isinstance(raw, dict) and isinstance(raw.get("name"), str):
            listed.add(raw["name"])
        if not isinstance(raw, dict):
            errors.append(f"olts[{i}]: expected a mapping")
            continue
        if any(k in d for k in ("password", "enable_password") for d in (raw, defaults)):
            errors.append(f"{label}: inline passwords are not allowed; use password_env "
                          "(an environment variable) or password_secret (a Prefect Secret block)")
            continue
        try:
            entry = OltEntry.model_validate({**defaults, **raw})
        except ValidationError as exc:
            for err in exc.errors():
                loc = ".".join(str(x) for x in err["loc"]) or "entry"
                errors.append(f"{label}: {loc}: {err['msg']}")
            continue
        if entry.name in names or entry.name in dupes:
            dupes.add(entry.name)
            # Both entries are suspect: syncing either could write one box's data as the other's.
            errors.append(f"{label}: duplicate name in the inventory; neither entry is synced")
            entries = [e for e in entries if e.name != entry.name]
            continue
        names.add(entry.name)
        entries.append(entry)
    # One box under two names would be logged into twice as often as it allows, and its data
    # copied under both names: neither entry is synced. (A host given once by name and once by
    # address is not seen here: that needs DNS.)
    boxes: dict[tuple[str, int], list[str]] = {}
    for e in entries:
        boxes.setdefault((e.host.strip().lower().rstrip("."), e.port), []).append(e.name)
    for (host, port), same in boxes.items():
        if len(same) > 1:
            for name in same:
                others = ", ".join(n for n in same if n != name)
                errors.append(f"{name}: same host and port as {others} ({host}:{port}); one box "
                              "under two names would be synced twice: neither entry is synced")
    shared = {n for same in boxes.values() if len(same) > 1 for n in same}
    entries = [e for e in entries if e.name not in shared]
    return Inventory(olts=entries, problems=tuple(errors), listed=frozenset(listed))


def load(path: str | Path | None = None) -> Inventory:
    path = Path(path or os.environ.get("OLTSYNC_INVENTORY", DEFAULT_INVENTORY))
    if not path.is_file():
        raise ConfigError(f"inventory file {path} not found (set OLTSYNC_INVENTORY or pass "
                          "inventory_path)")
    return _load_text(path.read_text(encoding="utf-8"), str(path))


@lru_cache(maxsize=8)
def _load_text(text: str, source: str) -> Inventory:
    # Every one-OLT flow run reads the whole inventory: with hundreds of OLTs, parsing it each time
    # was quadratic (0.1 s per run at 200 OLTs). Keyed by the file's content, so an edit is seen at
    # once; the Inventory is frozen, so sharing it is safe.
    try:
        data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as exc:
        raise ConfigError(f"{source}: not valid YAML: {exc}") from None
    return parse(data, source)
