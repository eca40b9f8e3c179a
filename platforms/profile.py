"""Platform profiles: vendor knowledge as data (platforms/<platform>.yaml), validated on load."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from core.errors import ConfigError
from parsers.textfsm_parse import Block, Noise, template_path
from storage.catalogue import COLLECTED

PROFILES = Path(__file__).parent

# The tables a dataset may produce (storage/catalogue.py); each dataset's rows are stored in one
# transaction. A table whose name starts with "_" is a scratch table: it only feeds `for_each`
# expansions and is never stored.
TABLES = set(COLLECTED)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ForEach(_Strict):
    """Repeat a command for rows already built in this dataset (boards, ports with ONUs...)."""

    table: str
    distinct: str | None = None  # one expansion per distinct value of this column
    # one expansion per n in 1..int(row[range]) of each row (e.g. each port of a line card)
    range: str | None = None
    match: dict[str, str] = Field(default_factory=dict)  # column -> regex the row must match
    vars: dict[str, str] = Field(default_factory=dict)  # constants added to the expansion


class Totals(_Strict):
    """A count the box prints, per group (e.g. per PON port) or for the whole output (per unset):
    the rows read must equal it."""

    field: str
    per: str | None = None


class Unwrap(_Strict):
    """A table whose last column wraps onto continuation lines (parsers/unwrap.py)."""

    after: str  # the section's header line
    row: str  # a row; its match ends where the wrapped column starts
    until: str  # the line after the section


class PrivateSpec(_Strict):
    """Text that names subscribers or the operator (descriptions, names, contacts, PPPoE users):
    the `text` group of `line`, anywhere or only in the section from `after` to `until`. The
    `capture` command anonymizes it (capture/anonymize.py)."""

    line: str
    after: str | None = None
    until: str | None = None

    @field_validator("line")
    @classmethod
    def _has_text(cls, v: str) -> str:
        if "text" not in re.compile(v).groupindex:
            raise ValueError(f"private line {v!r} has no (?P<text>...) group")
        return v


class Latest(_Strict):
    """Several records of one row disagree on a time (a history of sessions): keep the latest, and
    the columns that belong to it (e.g. the cause of the latest down)."""

    column: str
    with_: list[str] = Field(default_factory=list, alias="with")


class Refresh(_Strict):
    """A command run once per row (ZTE's detail-info per ONU) that is read only for the rows that
    need it: new ones, ones whose `changed` columns differ from what is stored, ones whose state
    changed since the last complete read, and each row's turn of a rolling refresh (every row
    once per `spread_hours`, in turns by its serial). The other rows keep the stored values of the
    columns this command fills; a run with `full` reads every row."""

    key: list[str] = Field(default_factory=lambda: ["port", "onu_id"])
    changed: list[str] = Field(default_factory=lambda: ["run_state"])
    spread_hours: int = Field(default=24, ge=1, le=168)


class CommandSpec(_Strict):
    name: str
    command: str = ""
    template: str = ""
    table: str
    fields: dict[str, str]
    values: dict[str, dict[str, str | None]] = Field(default_factory=dict)
    context: list[str] = Field(default_factory=list)
    for_each: ForEach | None = None
    empty: list[str] = Field(default_factory=list)
    totals: Totals | None = None
    skip_if_empty: str | None = None
    read_timeout: float | None = None
    unwrap: Unwrap | None = None
    latest: list[Latest] = Field(default_factory=list)
    refresh: Refresh | None = None
    # No public capture of this command's exact form was found: what it is modelled on instead.
    # The corpus test keeps this honest (tests/test_captures.py: a command is captured in its
    # exact form in tests/captures/, or says it is modelled).
    modelled: str | None = None
    # Core commands (the default) decide which rows exist: the ONU list, the MAC table. An
    # enrichment fills columns of rows a core command made (versions, levels, per-ONU details):
    # when it fails, the dataset is stored all the same and its columns keep their stored values
    # for the rows it would have filled (NULL on a first sync); the dataset's status says so.
    enrichment: bool = False
    # A key: value answer whose lines differ between boxes: `skip` a line the template refuses
    # when it is not one of the keys the template stores (logged with the dataset); `refuse`
    # (the default, for tables: their rows, totals and headers) fails the answer instead.
    unknown_lines: Literal["refuse", "skip"] = "refuse"
    # No command is sent: each expansion of `for_each` over rows an earlier command of the
    # dataset read is a row of `table`, its fields formatted from the expansion (TITAN's PON ports:
    # each port of a GPON card `show card` lists, states NULL). Names that command: "olt.cards".
    derived_from: str | None = None

    @field_validator("table")
    @classmethod
    def _known_table(cls, v: str) -> str:
        if v not in TABLES and not v.startswith("_"):
            raise ValueError(f"unknown table {v!r}; one of {sorted(TABLES)}")
        return v

    @model_validator(mode="after")
    def _refresh_needs_rows(self) -> CommandSpec:
        if self.refresh is not None and (self.for_each is None or self.for_each.table != self.table):
            raise ValueError(f"{self.name}: refresh is for a command run per row (or per "
                             f"distinct value) of its own table ({self.table})")
        return self

    @model_validator(mode="after")
    def _enrichment_fills_a_stored_table(self) -> CommandSpec:
        if self.enrichment and self.table.startswith("_"):
            raise ValueError(f"{self.name}: an enrichment fills columns of stored rows, not the "
                             f"scratch table {self.table}")
        return self

    @field_validator("template")
    @classmethod
    def _template_exists(cls, v: str) -> str:
        if v and not template_path(v).is_file():
            raise ValueError(f"template {v} not found")
        return v

    @model_validator(mode="after")
    def _sent_or_derived(self) -> CommandSpec:
        if self.derived_from is None and not (self.command and self.template):
            raise ValueError(f"{self.name}: a command and its template, or derived_from")
        if self.derived_from is not None and (self.command or self.template or self.context
                                              or self.for_each is None):
            raise ValueError(f"{self.name}: derived rows send nothing (no command, template or "
                             "context) and come from for_each")
        return self


class DatasetSpec(_Strict):
    commands: list[CommandSpec]
    # Read every this many hours (an hourly run reads it when its last complete read is that
    # old); 1: every run. OLTSYNC_DATASET_HOURS overrides it per dataset.
    every_hours: int = Field(default=1, ge=1, le=168)
    # ... and in any run where one of these datasets inserted or moved rows (a new or moved ONU
    # brings its service ports): read after them.
    also_after: list[str] = Field(default_factory=list)
    # ... and when those saw at least this many rows change state (ONUs going down or coming back
    # together: a board or PON port that failed, was reset or shut takes its ONUs with it).
    also_after_state_changes: int | None = Field(default=None, ge=1)
    # One of its commands that tells the OLT's uptime (`uptime_s`), sent by every run in which
    # the dataset is not due: an uptime below the stored one means the box restarted since its
    # last read, and every dataset not due is read after all (cadence.after_restart).
    uptime_probe: str | None = None

    @model_validator(mode="after")
    def _probe_is_one_uptime_command(self) -> DatasetSpec:
        if self.uptime_probe is None:
            return self
        cmd = next((c for c in self.commands if c.name == self.uptime_probe), None)
        if cmd is None or cmd.for_each is not None or "uptime_s" not in cmd.fields:
            raise ValueError(f"uptime_probe {self.uptime_probe!r}: name a command of this "
                             "dataset, sent once, whose fields give uptime_s")
        return self

    def check_core_first(self) -> None:
        """The first command that fills a table makes its rows (collector/parsing.py): a failed
        enrichment must never decide which rows exist. (A profile's datasets; the status pass
        runs enrichments alone on rows it already has.)"""
        first: dict[str, CommandSpec] = {}
        for c in self.commands:
            if c.table in COLLECTED and COLLECTED[c.table].per_olt_row:
                continue  # the OLT's own row exists whatever its commands answer
            if c.enrichment and first.setdefault(c.table, c) is c:
                raise ValueError(f"{c.name}: the first command to fill {c.table} makes its rows: "
                                 "it cannot be an enrichment")
            first.setdefault(c.table, c)

    def probe_spec(self) -> DatasetSpec | None:
        """The dataset cut down to its uptime command (None: it has none)."""
        if self.uptime_probe is None:
            return None
        return DatasetSpec(commands=[c for c in self.commands if c.name == self.uptime_probe])

    @model_validator(mode="after")
    def _one_refresh_key(self) -> DatasetSpec:
        # the change-driven commands of a dataset compare with the same stored rows
        keys = {(c.table, tuple(c.refresh.key)) for c in self.commands if c.refresh is not None}
        if len(keys) > 1:
            raise ValueError(f"change-driven commands on different tables or keys: {sorted(keys)}")
        return self


class StatusSpec(_Strict):
    """The light status pass (every few minutes): which of the profile's commands tell ONU state
    (`states`, as "dataset.command"), and which, run only for the PON ports whose ONUs changed,
    tell why (`causes`). `fields`/`values` add to the states command what only the status pass
    reads (ZTE's phase state is also the down cause)."""

    states: str
    causes: str | None = None
    fields: dict[str, str] = Field(default_factory=dict)
    values: dict[str, dict[str, str | None]] = Field(default_factory=dict)
    # Scratch tables the pass fills from a stored table instead of reading them every few
    # minutes: {"_pon_ports": "pon_ports"} repeats the states command over the PON ports the
    # hourly sync stored (a port added since is read by the next sync).
    seed: dict[str, str] = Field(default_factory=dict)


class NetmikoSpec(_Strict):
    device_type: str
    enable: bool = False
    session_commands: list[str] = Field(default_factory=list)  # sent once after login
    # The platform's netmiko class strips ANSI codes as it reads (huawei_smartax does, in its
    # session preparation): replayed captures get the same treatment (collector/transcript.py).
    strips_ansi: bool = False


class BlockSpec(_Strict):
    start: str
    line: str | None = None
    end: str | None = None
    trailer: str | None = None


class NoiseSpec(_Strict):
    strip: list[str] = Field(default_factory=list)
    blocks: list[BlockSpec] = Field(default_factory=list)


class Profile(_Strict):
    platform: str
    vendor: str
    netmiko: NetmikoSpec
    prompt_suffix: str
    pager: str | None = None  # the "more" prompt, answered with a space if the box pages anyway
    # The width at which a box that ignores the window we ask for wraps its lines: a line of
    # exactly this many characters goes on at the next (parsers/unwrap.py). None: it never wraps.
    terminal_width: int | None = Field(default=None, ge=40)
    context_exit: str = "exit"
    noise: NoiseSpec = NoiseSpec()
    errors: list[str] = Field(default_factory=list)
    private: list[PrivateSpec] = Field(default_factory=list)
    datasets: dict[str, DatasetSpec]
    status: StatusSpec | None = None

    def command(self, ref: str) -> CommandSpec:
        """A command by its "dataset.name"."""
        dataset, _, name = ref.partition(".")
        found = [c for c in self.datasets.get(dataset, DatasetSpec(commands=[])).commands
                 if c.name == name]
        if not found:
            raise ConfigError(f"platform {self.platform}: no command {ref!r}")
        return found[0]

    def status_commands(self) -> tuple[list[CommandSpec], CommandSpec | None]:
        """The status pass's states command (with its extra fields), after the commands of its
        dataset that list what it repeats over (scratch tables: Huawei's boards and ports), and
        its causes command."""
        if self.status is None:
            raise ConfigError(f"platform {self.platform} has no status pass (profile: status)")
        states = self.command(self.status.states)
        dataset = self.status.states.partition(".")[0]
        before = self.datasets[dataset].commands
        before = before[:before.index(states)]
        needs = states.for_each.table if states.for_each else None
        chain: list[CommandSpec] = []
        for cmd in reversed(before):  # what it repeats over, and what that repeats over
            if needs in self.status.seed:
                break  # filled from the database instead
            if cmd.table == needs:
                chain.insert(0, cmd)
                needs = cmd.for_each.table if cmd.for_each else None
        # only what the pass compares and writes: every 5 minutes, building fewer columns per
        # row is most of its CPU
        keep = {"port", "onu_id", "run_state"}
        fields = {k: v for k, v in states.fields.items() if k in keep}
        values = {k: v for k, v in states.values.items() if k in keep}
        states = states.model_copy(update={
            "fields": {**fields, **self.status.fields},
            "values": {**values, **self.status.values}, "totals": states.totals})
        return chain + [states], self.command(self.status.causes) if self.status.causes else None

    @model_validator(mode="after")
    def _core_makes_the_rows(self) -> Profile:
        for spec in self.datasets.values():
            spec.check_core_first()
        return self

    @field_validator("prompt_suffix")
    @classmethod
    def _regex(cls, v: str) -> str:
        re.compile(v)
        return v

    @property
    def cleaner(self) -> Noise:
        return Noise(strip=tuple(self.noise.strip),
                     blocks=tuple(Block(**b.model_dump()) for b in self.noise.blocks),
                     width=self.terminal_width)

    def all_commands(self) -> list[CommandSpec]:
        """Every command sent to the box (derived rows send none)."""
        return [c for d in self.datasets.values() for c in d.commands if c.derived_from is None]


def available() -> list[str]:
    return sorted(p.stem for p in PROFILES.glob("*.yaml"))


def _named(items: Any) -> bool:
    return isinstance(items, list) and all(isinstance(i, dict) and "name" in i for i in items)


def extended(base: dict[str, Any], child: dict[str, Any], depth: int = 0) -> dict[str, Any]:
    """A profile that `extends:` another: the base's keys, the child's where it gives them.
    Datasets merge by name and their commands by `name`: a child command replaces the keys it
    gives (whole: a `values` map is replaced, not merged), `drop: [key, ...]` removes keys of the
    base's command, and a command the base lacks is added after the base's. A dataset with
    `replace: true` is the child's alone."""
    out = dict(base)
    for key, value in child.items():
        old = out.get(key)
        if key == "datasets" and isinstance(old, dict) and isinstance(value, dict):
            out[key] = {**old, **{n: _dataset(old.get(n, {}), d) for n, d in value.items()}}
        elif depth == 1 and key == "commands" and _named(old) and _named(value):
            by_name = {c["name"]: c for c in value}
            merged = []
            for cmd in old:
                over = by_name.pop(cmd["name"], None)
                if over is not None:
                    drop = set(over.get("drop", ()))
                    cmd = {k: v for k, v in {**cmd, **over}.items() if k not in drop | {"drop"}}
                merged.append(cmd)
            out[key] = merged + list(by_name.values())
        else:
            out[key] = value
    return out


def _dataset(base: dict[str, Any], child: Any) -> Any:
    """A child's dataset over the base's: merged, or (`replace: true`) the child's alone."""
    if not isinstance(child, dict):
        return child
    if child.get("replace"):
        return {k: v for k, v in child.items() if k != "replace"}
    return extended(base, child, 1)


def _data(platform: str, chain: tuple[str, ...] = ()) -> dict[str, Any]:
    path = PROFILES / f"{platform}.yaml"
    if not path.is_file():
        raise ConfigError(f"unknown platform {platform!r}; known: {', '.join(available())}")
    data: Any = yaml.safe_load(path.read_text())
    if not isinstance(data, dict):
        raise ConfigError(f"platform profile {path.name} is not a mapping")
    base = data.pop("extends", None)
    if base is None:
        return data
    if base in chain + (platform,):
        raise ConfigError(f"platform profile {path.name} extends {base}, which extends it back")
    return extended(_data(base, chain + (platform,)), data)


def sources(platform: str) -> list[Path]:
    """The YAML files a profile is made of: its own, then those it extends."""
    out = [PROFILES / f"{platform}.yaml"]
    while True:
        base = (yaml.safe_load(out[-1].read_text()) or {}).get("extends")
        if base is None or PROFILES / f"{base}.yaml" in out:
            return out
        out.append(PROFILES / f"{base}.yaml")


@cache
def load(platform: str) -> Profile:
    data = _data(platform)
    try:
        return Profile.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(f"platform profile {platform}.yaml is invalid: {exc}") from None
