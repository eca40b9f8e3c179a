"""Collect one dataset of one inventory OLT over its session pool: what a collect task calls."""

from __future__ import annotations

from collector import rows as rowlib
from collector.dataset import DatasetResult, collect
from collector.pool import SessionPool
from collector.session import Target
from oltsync.inventory import OltEntry
from platforms import profile as profiles


def target_for(entry: OltEntry) -> Target:
    """Resolve credentials (environment or Secret block) into a login target."""
    username, password = entry.credentials()
    return Target(name=entry.name, host=entry.host, port=entry.port, platform=entry.platform,
                  username=username, password=password)


def make_pool(entry: OltEntry, max_sessions: int | None = None) -> SessionPool:
    return SessionPool(entry.name, lambda: target_for(entry), profiles.load(entry.platform),
                       max_sessions or entry.max_sessions)


def collect_dataset(pool: SessionPool, entry: OltEntry, dataset: str,
                    client_pattern: str) -> DatasetResult:
    profile = profiles.load(entry.platform)
    with pool.session() as session:
        result = collect(entry.name, session, profile, dataset, entry.tz)
        if dataset == "olt" and result.tables.get("olt"):
            result.tables["olt"][0]["hostname"] = session.conn.base_prompt
    if "onus" in result.tables:
        result.clients = rowlib.client_rows(result.tables["onus"], client_pattern)
    return result
