"""Sync semantics on real PostgreSQL and SQLite: insert, update, skip unchanged without writing,
mark removed, restore, moves, the shrink guard, and one transaction per dataset."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select, text

from storage import schema, store
from storage.db import get_engine
from storage.sync import SyncOptions


@pytest.fixture(params=["postgresql", "sqlite"])
def engine(request: pytest.FixtureRequest):  # noqa: ANN201
    url = request.getfixturevalue("pg" if request.param == "postgresql" else "sqlite_url")
    eng = get_engine(url)
    store.ensure_olt(eng, "olt-t", "127.0.0.1", 22, "huawei_smartax", "Huawei")
    return eng


def onu(i: int, **kw) -> dict:  # noqa: ANN003
    row = {"port": f"0/1/{i % 4}", "onu_id": i, "serial": f"HWTC{i:08X}", "run_state": "online",
           "description": f"{10000 + i}_Cliente_{i}", "client_key": str(10000 + i),
           "rx_power_dbm": -20.0 - i / 10, "last_up_at": datetime(2026, 1, 1, tzinfo=UTC)}
    row.update(kw)
    return row


T0 = datetime(2026, 11, 1, tzinfo=UTC)
OPTS = SyncOptions()


def sync(engine, rows, **kw):  # noqa: ANN001, ANN003, ANN201
    return store.store_dataset(engine, "olt-t", "onus", {"onus": rows}, T0, kw.pop("opts", OPTS),
                               clients=kw.pop("clients", {}))


def present(engine) -> dict:  # noqa: ANN001
    with engine.connect() as c:
        rows = c.execute(select(schema.onus).where(schema.onus.c.removed_at.is_(None))).all()
    return {r.serial: r._mapping for r in rows}


def test_insert_update_unchanged_removed_moved(engine) -> None:  # noqa: ANN001
    rows = [onu(i) for i in range(20)]
    out = sync(engine, rows)
    assert out.status == "ok" and out.counts.as_dict() == dict(inserted=20, updated=0, unchanged=0,
                                                                removed=0, moved=0)
    rows2 = [dict(r) for r in rows[1:]]  # ONU 0 deprovisioned
    rows2[0]["run_state"] = "offline"  # ONU 1 went down
    rows2[1].update(port="0/3/7", onu_id=99)  # ONU 2 moved
    rows2[2]["rx_power_dbm"] += 0.2  # ONU 3: within the deadband -> no write
    out = sync(engine, rows2)
    assert out.counts.as_dict() == dict(inserted=0, updated=2, unchanged=17, removed=1, moved=1)
    now = present(engine)
    assert "HWTC00000000" not in now and now["HWTC00000001"]["run_state"] == "offline"
    moved = now["HWTC00000002"]
    assert (moved["port"], moved["onu_id"], moved["previous_port"], moved["previous_onu_id"]) == \
        ("0/3/7", 99, "0/1/2", 2)
    assert moved["moved_at"] is not None
    assert now["HWTC00000003"]["rx_power_dbm"] == pytest.approx(-20.3)
    with engine.connect() as c:
        gone = c.execute(select(schema.onus).where(schema.onus.c.serial == "HWTC00000000")).one()
    assert gone.removed_at is not None and gone.description == "10000_Cliente_0"  # kept, marked
    out = sync(engine, [onu(0)] + rows2)  # it comes back
    assert out.counts.inserted == 1 and present(engine)["HWTC00000000"]["removed_at"] is None


def test_shrink_guard_holds_back_and_changes_nothing(engine) -> None:  # noqa: ANN001
    sync(engine, [onu(i) for i in range(40)])
    before = present(engine)
    out = sync(engine, [onu(i) for i in range(10)])
    assert out.status == "held" and "would shrink from 40 to 10" in out.error
    assert present(engine) == before
    out = sync(engine, [onu(i) for i in range(10)], opts=SyncOptions(allow_shrink=True))
    assert out.status == "ok" and out.counts.removed == 30
    with engine.connect() as c:
        statuses = [r.status for r in c.execute(select(schema.sync_runs.c.status)
                                                .order_by(schema.sync_runs.c.id))]
    assert statuses == ["ok", "held", "ok"]


def test_failed_write_rolls_back_the_whole_dataset(engine) -> None:  # noqa: ANN001
    sync(engine, [onu(i) for i in range(20)])
    before = present(engine)
    bad = [onu(i, run_state="offline") for i in range(20)] + [onu(5)]  # a duplicate serial
    out = sync(engine, bad)
    assert out.status == "failed" and "HWTC00000005" in out.error
    assert present(engine) == before


def test_clients_upsert(engine) -> None:  # noqa: ANN001
    sync(engine, [onu(1)], clients={"10001": "Cliente 1", "20000": None})
    sync(engine, [onu(1)], clients={"10001": "Cliente Um"})
    with engine.connect() as c:
        got = dict(c.execute(select(schema.clients.c.key, schema.clients.c.name)).all())
    assert got == {"10001": "Cliente Um", "20000": None}


def test_unchanged_resync_writes_no_row(pg: str) -> None:
    """PostgreSQL's xmin changes when a row is rewritten: a no-op sync must leave it alone."""
    eng = get_engine(pg)
    store.ensure_olt(eng, "olt-t", "127.0.0.1", 22, "huawei_smartax", "Huawei")
    rows = [onu(i) for i in range(50)]
    sync(eng, rows)
    q = text("SELECT id, xmin::text FROM onus ORDER BY id")
    with eng.connect() as c:
        before = c.execute(q).all()
    out = sync(eng, [dict(r) for r in rows])
    with eng.connect() as c:
        after = c.execute(q).all()
    assert out.counts.unchanged == 50 and before == after


def test_deadband_is_configurable(engine) -> None:  # noqa: ANN001
    sync(engine, [onu(1)])
    out = sync(engine, [onu(1, rx_power_dbm=-20.2)], opts=SyncOptions(power_deadband_db=0.0))
    assert out.counts.updated == 1
    assert present(engine)["HWTC00000001"]["rx_power_dbm"] == pytest.approx(-20.2)


def test_history_sample_per_sync(engine) -> None:  # noqa: ANN001
    for _ in range(3):
        sync(engine, [onu(i) for i in range(5)] + [onu(9, rx_power_dbm=None)])
    with engine.connect() as c:
        n = c.scalar(select(schema.onu_optical_history.c.id).order_by(
            schema.onu_optical_history.c.id.desc()).limit(1))
    assert n == 15


def test_last_seen_moves_only_with_change(engine) -> None:  # noqa: ANN001
    sync(engine, [onu(1)])
    first = present(engine)["HWTC00000001"]["last_seen"]
    sync(engine, [onu(1)])
    assert present(engine)["HWTC00000001"]["last_seen"] == first


@pytest.mark.parametrize("order", [("olt", "onus"), ("onus", "olt")])
def test_pon_port_onu_counts_right_whichever_dataset_is_stored_first(engine, order) -> None:  # noqa: ANN001
    """Each dataset is stored as soon as it is read, so on a first sync the ONUs may be stored
    before the PON ports exist; the counts must come out the same either way."""
    ports = [{"port": f"0/1/{p}", "admin_state": "up", "oper_state": "up"} for p in range(5)]
    data = {"olt": {"olt": [{"model": "MA5800-X7"}], "boards": [], "pon_ports": ports},
            "onus": {"onus": [onu(i) for i in range(11)]}}  # ports 0/1/0..3: 3, 3, 3, 2; 0/1/4: 0
    for dataset in order:
        assert store.store_dataset(engine, "olt-t", dataset, data[dataset], T0, OPTS).status == "ok"
    store.count_onus_per_port(engine, "olt-t")
    with engine.connect() as c:
        counts = dict(c.execute(select(schema.pon_ports.c.port, schema.pon_ports.c.onu_count)
                                .where(schema.pon_ports.c.olt == "olt-t")).all())
    assert counts == {"0/1/0": 3, "0/1/1": 3, "0/1/2": 3, "0/1/3": 2, "0/1/4": 0}


@pytest.fixture(params=["postgresql", "sqlite"])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    from tests.conftest import empty_pg_database

    with empty_pg_database() as url:
        yield url


def test_migrations_build_exactly_the_declared_schema(empty_url: str) -> None:
    """A change to storage/schema.py without its migration fails here."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from storage import migrate

    migrate.upgrade(empty_url)
    with get_engine(empty_url).connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True,
                                                     "include_object": schema.declared_object})
        assert compare_metadata(ctx, schema.metadata) == []


def test_upgrade_to_longer_serials_and_unknown_run_state_keeps_rows(empty_url: str) -> None:
    from alembic import command

    from storage import migrate

    command.upgrade(migrate.alembic_config(empty_url), "0002")
    eng = get_engine(empty_url)
    cols = "olt, port, onu_id, serial, run_state, description, client_key, rx_power_dbm, " \
           "last_up_at, first_seen, last_seen"
    row = {**onu(1), "olt": "olt-t", "first_seen": T0, "last_seen": T0}
    with eng.begin() as conn:  # as revision 0002's code registered an OLT and stored an ONU
        conn.execute(text("INSERT INTO olts (name, host, port, platform, first_seen) VALUES "
                          "('olt-t', '127.0.0.1', 22, 'huawei_smartax', :t)"), {"t": T0})
        conn.execute(text(f"INSERT INTO onus ({cols}) VALUES "
                          f"({', '.join(':' + c.strip() for c in cols.split(','))})"), row)

    def stored() -> dict:
        with eng.connect() as conn:
            return dict(conn.execute(text(f"SELECT {cols} FROM onus WHERE serial = "
                                          "'HWTC00000001'")).one()._mapping)

    before = stored()
    migrate.upgrade(empty_url)
    # the forms real captures showed: a 16-hex serial (unprintable vendor id), no run state
    out = sync(eng, [onu(1), onu(2, serial="0011223344556677", run_state=None)])
    assert out.status == "ok" and out.counts.as_dict() == dict(inserted=1, updated=0, unchanged=1,
                                                                removed=0, moved=0)
    now = present(eng)
    assert stored() == before
    assert now["0011223344556677"]["run_state"] is None
