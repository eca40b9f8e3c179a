"""Odd text from an OLT loses nothing and damages nothing: descriptions that quote the box's own
"nothing to show" and error answers, control and line-separator characters, NUL bytes, values too
long for their column — through the real flow (SSH to the simulator, PostgreSQL), and at the store
on both backends. What reaches a terminal is made inert."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from core.terminal import format_summary
from flows.sync_olt import sync_olt
from oltsync.status import format_status
from platforms import profile
from storage import schema, store
from storage.db import get_engine
from storage.queries import database_summary, last_syncs
from storage.sync import SyncOptions
from tests.truth_compare import diff_olt

pytestmark = pytest.mark.usefixtures("prefect_harness")


def _phrases(platform: str) -> list[str]:
    """Every empty-answer and error phrase of a profile, as a box would print it."""
    prof = profile.load(platform)
    patterns = {p for c in prof.all_commands() for p in c.empty} | set(prof.errors)
    return sorted(re.sub(r"\\d\+", "32310", p).lstrip("^").replace("\\", "") for p in patterns)


def _describe(f, olt, descriptions: list[str]) -> None:  # noqa: ANN001
    def change() -> None:
        for onu, text in zip(olt.onus, descriptions):
            onu.description, onu.client_key, onu.client_name = text, None, None
    f.sim.call(change)


def _sync(olt_name: str, inventory: str) -> None:
    state = sync_olt(olt_name=olt_name, inventory_path=inventory, return_state=True)
    assert state.is_completed(), state.message


@pytest.mark.parametrize("platform", ["huawei_smartax", "zte_c300"])
@pytest.mark.parametrize("onus", [8, 64])  # below the shrink guard's minimum, and above it
def test_descriptions_quoting_the_boxs_own_answers_change_nothing(platform: str, onus: int,
                                                                  pg: str, fleet) -> None:
    f = fleet(1, onus, seed=131, platform=platform)
    olt = next(iter(f.olts.values()))
    _sync(olt.name, str(f.inventory_path))
    phrases = _phrases(platform)
    assert len(phrases) >= 3
    # each phrase alone as a description (the worst case), the rest on the following ONUs
    texts = (phrases * (onus // len(phrases) + 1))[:onus]
    _describe(f, olt, texts)
    _sync(olt.name, str(f.inventory_path))
    engine = get_engine(pg)
    truth = f.truth()[olt.name]
    assert diff_olt(engine, truth) == {}  # every ONU still there, with the phrase as description
    with engine.connect() as conn:
        described = {r.description for r in conn.execute(
            select(schema.onus.c.description).where(schema.onus.c.removed_at.is_(None)))}
    assert set(texts) <= described


HOSTILE = ["POSTE\x1b[31m-RED\x1b]0;owned\x07", "CAIXA\u2028-14", "CTO\r-7", "SPLIT\x0b\x0c-2",
           "RUA\u202eDIREITA", "NUL\x00-BYTE", "TAB\tINSIDE"]


@pytest.mark.parametrize("platform", ["huawei_smartax", "zte_c300"])
def test_control_and_separator_characters_are_stored_as_sent_and_printed_inert(
        platform: str, pg: str, fleet) -> None:
    f = fleet(1, 16, seed=133, platform=platform)
    olt = next(iter(f.olts.values()))
    _describe(f, olt, HOSTILE)
    _sync(olt.name, str(f.inventory_path))
    engine = get_engine(pg)
    truth = f.truth()[olt.name]
    for onu in truth["onus"]:
        # The database keeps what the OLT sent, minus NUL, and minus ANSI CSI sequences: they are
        # stripped from the whole stream (netmiko's Huawei class does; so does the cleaning),
        # since pagers erase themselves with them and a description's own cannot be told apart.
        onu["description"] = onu["description"] and re.sub(
            r"\x1b\[[0-?]*[ -/]*[@-~]", "", onu["description"].replace("\x00", ""))
    assert diff_olt(engine, truth) == {}
    with engine.connect() as conn:
        stored = set(conn.execute(select(schema.onus.c.description)).scalars())
    assert {"CAIXA\u2028-14", "CTO\r-7", "NUL-BYTE"} <= stored
    # what reaches a terminal: no escape sequence, no bidi override, no line break of its own
    summary = format_summary(database_summary(engine))
    store.record_failure(engine, olt.name, "macs", datetime.now(UTC),
                         f"{olt.name} running 'x': template could not parse the output at line "
                         "'\x1b[2J\x1b[31mgotcha'")
    status = format_status("not asked", last_syncs(engine))
    for text in (summary, status):
        assert not re.search(r"[\x00-\x09\x0b-\x1f\x7f\u2028\u202e]", text), repr(text)
    assert "\\x1b[2J" in status


@pytest.fixture(params=["postgresql", "sqlite"])
def engine(request: pytest.FixtureRequest):  # noqa: ANN201
    url = request.getfixturevalue("pg" if request.param == "postgresql" else "sqlite_url")
    eng = get_engine(url)
    store.ensure_olt(eng, "olt-v", "127.0.0.1", 22, "huawei_smartax", "Huawei")
    return eng


def _onu(i: int, **kw) -> dict:  # noqa: ANN003
    return {"port": "0/1/0", "onu_id": i, "serial": f"HWTC{i:08X}", "run_state": "online",
            "description": f"desc {i}", "rx_power_dbm": -20.0, **kw}


def _runs(engine) -> list[tuple[str, str, str]]:  # noqa: ANN001
    r = schema.sync_runs
    with engine.connect() as conn:
        return [tuple(x) for x in conn.execute(
            select(r.c.dataset, r.c.status, r.c.error).order_by(r.c.id)).all()]


def _present(engine) -> dict[str, dict]:  # noqa: ANN001
    with engine.connect() as conn:
        return {r.serial: dict(r._mapping) for r in conn.execute(select(schema.onus))}


def test_values_are_checked_alike_on_both_backends(engine) -> None:  # noqa: ANN001
    now = datetime.now(UTC)
    first = [_onu(i) for i in range(12)]
    assert store.store_dataset(engine, "olt-v", "onus", {"onus": first}, now,
                               SyncOptions()).status == "ok"
    before = _present(engine)
    # a NUL is dropped, the rest of the text kept
    out = store.store_dataset(engine, "olt-v", "onus",
                              {"onus": first[:11] + [_onu(11, description="a\x00b")]}, now,
                              SyncOptions())
    assert out.status == "ok" and _present(engine)["HWTC0000000B"]["description"] == "ab"
    # too long for its column: the dataset fails whole, named, recorded, nothing changed
    long = first[:11] + [_onu(11, description="changed", equipment="E" * 80)]
    out = store.store_dataset(engine, "olt-v", "onus", {"onus": long}, now, SyncOptions())
    assert out.status == "failed"
    assert out.error == ("olt-v: storing onus failed, nothing of it was written: onus serial "
                         "'HWTC0000000B': equipment is 80 characters long, the column holds 64")
    assert _runs(engine)[-1] == ("onus", "failed", out.error)
    after = _present(engine)
    assert after["HWTC0000000B"]["description"] == "ab" and after.keys() == before.keys()


def test_a_store_failure_of_any_kind_rolls_back_and_is_recorded(engine, monkeypatch) -> None:  # noqa: ANN001
    """The write path raising something that is not a database error (a driver's ValueError, a
    bug) still rolls the dataset back whole and leaves its failed sync_runs row."""
    from storage import bulk

    now = datetime.now(UTC)
    assert store.store_dataset(engine, "olt-v", "onus", {"onus": [_onu(i) for i in range(12)]},
                               now, SyncOptions()).status == "ok"
    before = _present(engine)

    def broken(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        raise ValueError("A string literal cannot contain NUL (0x00) characters.")

    monkeypatch.setattr(bulk, "insert_rows", broken)  # after the ONU rows were written
    changed = [_onu(i, description=f"new {i}") for i in range(12)]
    out = store.store_dataset(engine, "olt-v", "onus", {"onus": changed}, now, SyncOptions())
    assert out.status == "failed" and "storing onus failed, nothing of it was written: " \
                                      "ValueError: A string literal cannot contain NUL" in out.error
    assert _runs(engine)[-1] == ("onus", "failed", out.error)
    assert _present(engine) == before  # the ONU rows written before the failure rolled back
