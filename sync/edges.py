"""What the orchestrator gives one OLT's sync: how its datasets run at once, its logger, the
fleet-wide SSH slot, where its events and artifacts go. The defaults need no orchestrator: threads,
the standard logger, no fleet-wide slot, events and artifacts dropped (the database keeps
everything they say)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from collector.pool import SlotFactory
from sync.watch import Emit, no_events

# Runs sync.olt.sync_dataset(name, run) for each name, at once as the orchestrator does (Prefect:
# one mapped task each); each result is the dataset's Done, or the exception it raised.
# None: threads in this process (sync.olt.in_threads).
Runner = Callable[[list[str], Any], list[Any]]


def _nowhere(_key: str, _table: list[dict[str, Any]], _description: str) -> None:
    return None


@dataclass(frozen=True)
class Edges:
    run: Runner | None = None
    log: Callable[[], logging.Logger | logging.LoggerAdapter] = field(
        default=lambda: logging.getLogger("oltsync.sync"))
    slot: SlotFactory | None = None  # a fleet-wide SSH session slot (None: no fleet-wide limit)
    emit: Emit = no_events  # what the operator is told, as events
    publish: Callable[[str, list[dict[str, Any]], str], None] = _nowhere  # a table artifact
