"""Keep the answer of a command that failed, so that the operator sees what the box printed and
can turn it into a capture of the test corpus.

`<capture dir>/<olt>/<run start, UTC>/<command>.raw` holds the answer as the session read it
(credentials redacted), `.yml` beside it what the corpus needs: command, profile command,
variables, and the error as the expected outcome of an unsupported variant. Only the newest
`KEEP_RUNS` runs per OLT are kept, so that a box failing every hour does not fill the disk.
"""

from __future__ import annotations

import logging
import re
import shutil
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

from collector.redact import redact

log = logging.getLogger("oltsync.collect")

KEEP_RUNS = 48


def _slug(text: str) -> str:
    return re.sub(r"[^\w.-]+", "_", text).strip("_") or "_"


@dataclass
class Keeper:
    directory: Path
    olt: str
    platform: str
    secrets: tuple[str | None, ...] = field(default=(), repr=False)
    started: datetime = field(default_factory=lambda: datetime.now(UTC))

    def run_dir(self) -> Path:
        return self.directory / _slug(self.olt) / self.started.strftime("%Y%m%dT%H%M%SZ")

    def keep(self, command: str, profile_command: str, variables: dict[str, str], text: str,
             error: str) -> Path:
        run = self.run_dir()
        run.mkdir(parents=True, exist_ok=True)
        raw = run / f"{_slug(command)}.raw"
        clean, redacted = redact(text, self.secrets)
        raw.write_text(clean, encoding="utf-8")
        meta: dict[str, Any] = {
            "source": f"kept by oltsync from {self.olt} on {self.started:%Y-%m-%d %H:%M} UTC "
                      "(fill in: model, firmware; anonymize before sharing)",
            "lineage": f"{self.olt} (operator's box)", "platform": self.platform,
            "command": command, "profile": profile_command, "variables": variables or None,
            "redacted_values": redacted, "unsupported": True, "error": error}
        raw.with_suffix(".yml").write_text(
            yaml.safe_dump({k: v for k, v in meta.items() if v is not None}, sort_keys=False,
                           allow_unicode=True, width=100), encoding="utf-8")
        self._prune()
        return raw.resolve()

    def _prune(self) -> None:
        runs = sorted(p for p in (self.directory / _slug(self.olt)).iterdir() if p.is_dir())
        for old in runs[:-KEEP_RUNS]:
            shutil.rmtree(old, ignore_errors=True)


def note_kept(exc: BaseException, keeper: Keeper | None, command: str, profile_command: str,
              variables: dict[str, str], text: str) -> None:
    """Keep the answer behind `exc` and say where in its message; never hide the error itself."""
    if keeper is None:
        return
    try:
        path = keeper.keep(command, profile_command, variables, text, str(exc))
        note = f"the answer is kept in {path}"
    except OSError as err:
        log.warning("%s: could not keep the answer of '%s': %s", keeper.olt, command, err)
        note = f"could not keep the answer: {err.strerror or err}"
    exc.args = (f"{exc} ({note})",)
