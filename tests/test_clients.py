"""Clients as the ISP knows them: the client rules and their presets (on the styles operators write
and on every real description in the capture corpus), `oltsync clients test`, the ISP's client
list imported (dry run and apply, PostgreSQL and SQLite), and the reconciliation against the
simulator's truth (ONUs without a client, shared clients, a swap), with the links' history."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml
from sqlalchemy import func, select

from clients import csv_file
from clients.rules import PRESETS, RuleError, default_rules, first_match, is_placeholder, parse_rules
from core.errors import ConfigError
from inventory import entries as inv
from storage import schema, store
from storage.client_import import import_clients
from storage.db import get_engine
from storage.prune import prune
from storage.reconcile import per_olt, reconcile
from storage.sync import SyncOptions
from sync.olt import SyncRequest, sync_one_olt

ROOT = Path(__file__).resolve().parent.parent
CAPTURES = ROOT / "tests" / "captures"

# The styles Brazilian operators write (issue 29), and what each preset reads: (key, name) or None.
STYLES: dict[str, dict[str, tuple[str, str | None] | None]] = {
    "00343155_Fábio_Pereira": {"key_first": ("00343155", "Fábio Pereira")},
    "4512 - João da Silva": {"key_first": ("4512", "João da Silva")},
    "JOÃO DA SILVA 10234": {"key_last": ("10234", "JOÃO DA SILVA")},
    "JOAO_DA_SILVA_10234": {"key_last": ("10234", "JOAO DA SILVA")},
    "CLIENTE 14577 - RAIMUNDA SOUZA": {"cliente_prefix": ("14577", "RAIMUNDA SOUZA")},
    "CLI14577-SOUZA": {"cliente_prefix": ("14577", "SOUZA")},
    "cliente_00912 maria": {"cliente_prefix": ("00912", "maria")},
    # presets overlap: the order of the rules decides (cliente_prefix before key_last)
    "CLIENTE 14577": {"cliente_prefix": ("14577", None), "key_last": ("14577", "CLIENTE")},
    "Condomínio Ipê Amarelo Ap 12 14539": {"key_last": ("14539", "Condomínio Ipê Amarelo Ap 12")},
    "14577": {"key_only": ("14577", None)},
    "POSTE-741": {},
    "Rua 7 de Setembro": {},
    # SmartOLT's layout ends in the authorization date: not a code
    "Maria_Souza_zone_Centro_descr_Rua_1_authd_20240501": {},
}
DESCRIPTION_PRESETS = [n for n, r in PRESETS.items() if r.field == "description"]


@pytest.mark.parametrize("description", list(STYLES))
def test_every_preset_on_every_style(description: str) -> None:
    for name in DESCRIPTION_PRESETS:
        m = PRESETS[name].find(description, None)
        got = (m.key, m.name) if m else None
        assert got == STYLES[description].get(name), (name, description, m)


def _corpus_descriptions() -> list[tuple[str, str]]:
    """Every description a real capture's expected rows hold, with the capture it comes from."""
    out = set()
    for f in CAPTURES.rglob("*.yml"):
        data = yaml.safe_load(f.read_text(encoding="utf-8")) or {}
        for row in data.get("rows") or []:
            if isinstance(row, dict) and row.get("description"):
                out.add((row["description"], str(f.relative_to(CAPTURES))))
    return sorted(out)


def test_the_corpus_has_descriptions_to_try() -> None:
    samples = _corpus_descriptions()
    assert len(samples) >= 30
    assert {p.split("/")[0] for _, p in samples} >= {"huawei_smartax", "zte_c300", "zte_c600"}


@pytest.mark.parametrize("description,capture", _corpus_descriptions())
def test_no_preset_invents_a_client_in_the_real_descriptions(description: str,
                                                             capture: str) -> None:
    """The corpus's real descriptions are the box's default names (`ONU-1:1`), SmartOLT layouts
    ending in a date, test names and anonymized text: none names a client code, and no preset
    may read one from them (key_last once took SmartOLT's `_authd_20240501` for a code)."""
    hits = {n: PRESETS[n].find(description, None) for n in DESCRIPTION_PRESETS}
    assert {n: m for n, m in hits.items() if m} == {}, capture


@pytest.mark.parametrize("text", ["ONT_NO_DESCRIPTION", "********", "", "   ", "N/A", "-",
                                  "ont_no_description", "SEM DESCRIÇÃO", None])
def test_placeholders_are_never_clients_whatever_the_rule(text: str | None) -> None:
    catch_all = parse_rules([{"name": "anything", "pattern": r"(?P<key>.+)"}])
    assert is_placeholder(text)
    assert first_match(catch_all, text, None) is None


def test_the_first_rule_that_matches_wins_and_a_login_can_be_the_key() -> None:
    rules = parse_rules(["cliente_prefix", "key_last", "pppoe_login"])
    assert first_match(rules, "CLIENTE 100234 - ANA 2024", None).rule == "cliente_prefix"
    m = first_match(rules, "ONU-1:1", "maria.souza@isp")
    assert (m.rule, m.key, m.field) == ("pppoe_login", "maria.souza@isp", "pppoe_login")
    custom = parse_rules([{"name": "ixc", "pattern": r"^ixc(?P<key>\d+)$", "field": "pppoe_login",
                           "ignore_case": True}])
    assert first_match(custom, None, "IXC0042").key == "0042"
    assert first_match(default_rules(), "ONU-1:1", "maria") is None  # not in the defaults


@pytest.mark.parametrize("rules,says", [
    (["key_frist"], "unknown preset 'key_frist'"),
    ([{"name": "x", "pattern": "(?P<key>[0-9+)"}], "not a regular expression"),
    ([{"name": "x", "pattern": r"\d+"}], "needs a named group (?P<key>...)"),
    ([{"name": "x", "pattern": r"(?P<key>\d+)", "field": "serial"}], "field must be one of"),
    (["key_first", "key_first"], "key_first listed twice"),
])
def test_a_bad_rule_is_one_sentence_naming_it(rules: list, says: str) -> None:
    with pytest.raises(RuleError) as err:
        parse_rules(rules)
    assert says in str(err.value)


def test_rules_per_inventory_overridable_per_olt() -> None:
    data = {"defaults": {"client_rules": ["key_last"], "password_env": "P", "username": "u"},
            "olts": [{"name": "olt-a", "host": "10.0.0.1", "platform": "huawei_smartax"},
                     {"name": "olt-b", "host": "10.0.0.2", "platform": "zte_c300",
                      "client_rules": ["pppoe_login", "key_first"]},
                     {"name": "olt-c", "host": "10.0.0.3", "platform": "zte_c300",
                      "client_rules": ["key_lsat"]}]}
    inventory = inv.parse(data)
    assert [r.name for r in inventory.get("olt-a").rules()] == ["key_last"]
    assert [r.name for r in inventory.get("olt-b").rules()] == ["pppoe_login", "key_first"]
    assert len(inventory.problems) == 1 and "olt-c" in inventory.problems[0] and \
        "unknown preset 'key_lsat'" in inventory.problems[0]
    bare = inv.parse({"olts": [{"name": "olt-d", "host": "h", "platform": "zte_c300",
                                "password_env": "P", "username": "u"}]}).get("olt-d")
    assert [r.name for r in bare.rules()] == ["key_first", "cliente_prefix"]
    assert [r.name for r in bare.rules(r"^(?P<key>\d+)")] == ["OLTSYNC_CLIENT_PATTERN"]


def _oltsync(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "oltsync", *args], cwd=ROOT, text=True,
                          capture_output=True, timeout=120, env={**os.environ, **(env or {})})


def test_clients_test_says_which_rule_matched_and_what_it_read() -> None:
    out = _oltsync("clients", "test", "CLIENTE 14577 - RAIMUNDA SOUZA")
    assert out.returncode == 0, out.stderr
    assert "key_first                no match" in out.stdout
    assert "cliente_prefix           match: key '14577', name 'RAIMUNDA SOUZA'" in out.stdout
    assert "client key '14577' (rule cliente_prefix)" in out.stdout
    out = _oltsync("clients", "test", "JOÃO DA SILVA 10234")
    assert out.returncode == 1 and "no rule matched" in out.stdout
    out = _oltsync("clients", "test", "JOÃO DA SILVA 10234", "--preset", "key_last")
    assert out.returncode == 0 and "key '10234', name 'JOÃO DA SILVA'" in out.stdout
    out = _oltsync("clients", "test", "********")
    assert out.returncode == 1 and "placeholder" in out.stdout
    out = _oltsync("clients", "test", "x", "--preset", "nope")
    assert out.returncode == 2 and "unknown preset 'nope'" in out.stderr and \
        "Traceback" not in out.stderr


# --- the ISP's client list ------------------------------------------------------------------

T0 = datetime(2026, 11, 1, tzinfo=UTC)


def _onu(i: int, description: str | None, pppoe: str | None = None) -> dict:
    return {"port": "0/1/0", "onu_id": i, "serial": f"ZTEG{i:08X}", "run_state": "online",
            "description": description, "pppoe_login": pppoe}


def _store(engine, onus: list[dict], at: datetime = T0):  # noqa: ANN001, ANN202
    store.ensure_olt(engine, "olt-t", "127.0.0.1", 22, "zte_c300", "zte")
    from collector.rows import client_rows

    rows = [dict(o) for o in onus]
    clients, _ = client_rows(rows, default_rules())
    return store.store_dataset(engine, "olt-t", "onus", {"onus": rows}, at, SyncOptions(),
                               clients=clients)


ONUS = [_onu(1, "10001_Ana_Lima"), _onu(2, "ONT_NO_DESCRIPTION", "ana.lima2"),
        _onu(3, None, "carlos@isp"), _onu(4, "POSTE-9"), _onu(5, "10005_Bia_Reis")]


def _csv(tmp_path: Path, text: str, mode: int = 0o600) -> Path:
    p = tmp_path / "clientes.csv"
    p.write_text(text, encoding="utf-8")
    p.chmod(mode)
    return p


LIST = ("key;name;pppoe_login;serial;document;plan\n"
        "10001;Ana Lima Souza;;;123.456.789-09;100M\n"      # by key (her ONU's description)
        "20002;Carlos Nunes;carlos@isp;;;300M\n"            # by PPPoE login
        "20003;Duda Melo;;ZTEG00000004;;50M\n"              # by serial (a POSTE description)
        "20004;Edu Paz;;;;100M\n")                          # no ONU


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest) -> str:
    return request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "pg")


def _clients(engine) -> dict:  # noqa: ANN001
    with engine.connect() as conn:
        return {r.key: r._mapping for r in conn.execute(select(schema.clients))}


def _keys(engine) -> dict:  # noqa: ANN001
    with engine.connect() as conn:
        return dict(conn.execute(select(schema.onus.c.serial, schema.onus.c.client_key)).all())


def test_an_import_s_dry_run_then_apply(db: str, tmp_path: Path) -> None:
    engine = get_engine(db)
    assert _store(engine, ONUS).status == "ok"
    before_clients, before_keys = _clients(engine), _keys(engine)
    assert set(before_clients) == {"10001", "10005"}
    listing = csv_file.read(_csv(tmp_path, LIST))
    assert listing.errors == [] and listing.columns == ("key", "name", "pppoe_login", "serial",
                                                        "document", "plan")
    plan = import_clients(engine, listing, dry_run=True)
    assert not plan.applied and plan.added == ["20002", "20003", "20004"]
    assert plan.changed == {"10001": ["name", "document", "plan"]}
    assert plan.linked == {"import_pppoe": 1, "import_serial": 1} and plan.without_onu == 1
    assert _clients(engine) == before_clients and _keys(engine) == before_keys  # nothing written
    done = import_clients(engine, listing, dry_run=False)
    assert done.applied and (done.added, done.changed, done.linked, done.without_onu) == (
        plan.added, plan.changed, plan.linked, plan.without_onu)
    after = _clients(engine)
    assert after["10001"]["name"] == "Ana Lima Souza" and after["10001"]["document"] == "12345678909"
    assert after["10005"]["imported_at"] is None  # not in the list: kept as it was
    assert _keys(engine) == {"ZTEG00000001": "10001", "ZTEG00000002": None,
                             "ZTEG00000003": "20002", "ZTEG00000004": "20003",
                             "ZTEG00000005": "10005"}
    # the next hourly sync keeps the ISP list's links and names, and the descriptions as they are
    _store(engine, ONUS, T0 + timedelta(hours=1))
    assert _keys(engine)["ZTEG00000003"] == "20002" and _keys(engine)["ZTEG00000004"] == "20003"
    assert _clients(engine)["10001"]["name"] == "Ana Lima Souza"
    with engine.connect() as conn:
        links = {(r.serial, r.client_key): r.via for r in conn.execute(
            select(schema.client_links).where(schema.client_links.c.unlinked_at.is_(None)))}
        descriptions = dict(conn.execute(select(schema.onus.c.serial,
                                                schema.onus.c.description)).all())
    assert links == {("ZTEG00000001", "10001"): "description",
                     ("ZTEG00000003", "20002"): "import_pppoe",
                     ("ZTEG00000004", "20003"): "import_serial",
                     ("ZTEG00000005", "10005"): "description"}
    assert descriptions["ZTEG00000004"] == "POSTE-9"
    again = import_clients(engine, listing, dry_run=False)
    assert (again.added, again.changed, again.unchanged) == ([], {}, 4)
    # a later list without Edu: he is kept, and counted
    shorter = csv_file.parse(LIST.replace("20004;Edu Paz;;;;100M\n", ""))
    assert import_clients(engine, shorter, dry_run=True).not_in_file == 1
    fleet = reconcile(engine)
    assert (fleet.onus, fleet.with_client, fleet.clients, fleet.clients_without_onu) == (5, 4, 5, 1)
    assert fleet.samples["without_onu"] == ["20004"]


def test_the_import_command_dry_run_apply_and_its_refusals(sqlite_url: str,
                                                           tmp_path: Path) -> None:
    engine = get_engine(sqlite_url)
    _store(engine, ONUS)
    path = _csv(tmp_path, LIST, mode=0o644)
    out = _oltsync("clients", "import", str(path), "--dry-run")
    assert out.returncode == 2 and "chmod o-rwx" in out.stderr and "Traceback" not in out.stderr
    path.chmod(0o600)
    out = _oltsync("clients", "import", str(path), "--dry-run")
    assert out.returncode == 0, out.stderr
    assert "dry run, nothing written" in out.stdout and "clients would be added: 3" in out.stdout
    assert "Ana" not in out.stdout and "Carlos" not in out.stdout  # keys, never names
    assert set(_clients(engine)) == {"10001", "10005"}
    out = _oltsync("clients", "import", str(path), "--apply")
    assert out.returncode == 0 and "clients added: 3" in out.stdout
    out = _oltsync("clients", "report")
    assert out.returncode == 0, out.stderr
    assert "olt-t: 4/5 ONUs with a client, 1 without" in out.stdout
    assert "fleet: 4/5 ONUs with a client" in out.stdout and "1/5 clients without an ONU" in \
        out.stdout and "clients without an ONU (keys): 20004" in out.stdout
    assert "Ana" not in out.stdout
    assert len(_clients(engine)) == 5
    bad = _csv(tmp_path, "key,name,serial\n30001,Zé,NOTASERIAL\n30001,Zé 2,\n,nobody,\n")
    out = _oltsync("clients", "import", str(bad), "--apply")
    assert out.returncode == 1 and "nothing was written" in out.stdout
    assert "line 2: not a GPON serial: 'NOTASERIAL'" in out.stdout and "line 4: no key" in out.stdout
    assert len(_clients(engine)) == 5
    with pytest.raises(ConfigError, match="unknown: cpf"):
        csv_file.parse("key,cpf\n1,2\n")


# --- reconciliation against the simulator's truth --------------------------------------------

def _truth_counts(truth: dict) -> tuple[int, int, list[str]]:
    onus = truth["onus"]
    keys = Counter(o["client_key"] for o in onus if o["client_key"])
    return len(onus), sum(1 for o in onus if not o["client_key"]), sorted(
        k for k, n in keys.items() if n > 1)


def test_reconciliation_matches_the_simulator_and_a_swap_is_seen(
        fleet, sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OLTSYNC_FULL_SYNC_HOUR", "off")
    f = fleet(1, 96, seed=29)
    engine = get_engine(sqlite_url)
    first = sync_one_olt(SyncRequest.load("olt-001", str(f.inventory_path)))
    assert first.failures == []
    total, without, shared = _truth_counts(f.truth()["olt-001"])
    assert shared, "the seed must give a client two ONUs"
    r = first.report.clients  # the OLT's own counts; shared keys and swaps: the fleet's run
    assert (r.onus, r.without_client, r.shared, r.swapped) == (total, without, None, None)
    r = reconcile(engine, "olt-001")
    assert (r.onus, r.without_client, r.shared, r.swapped) == (total, without, len(shared), 0)
    assert r.samples["shared"] == shared[:10]
    assert first.report.client_rules["key_first"] == total - without
    assert first.report.client_rules["cliente_prefix"] == 0
    from sync.report import olt_markdown

    text = olt_markdown(first.report)
    assert "matched no ONU of this OLT: cliente_prefix" in text
    assert f"Clients: {total - without}/{total} ONUs with a client" in text
    assert per_olt(engine) == [{"olt": "olt-001", "onus": total, "without_client": without,
                                "shared": len(shared), "swapped": 0}]
    # a technician swaps a client's ONU: same place, same description, a new serial
    olt = f.olts["olt-001"]
    old = next(o for o in olt.onus if o.client_key and o.client_key not in shared)

    def swap() -> None:
        olt.remove_onu(old.serial)
        olt.onus.append(replace(old, serial="ZTEGFEEDBEEF" if old.serial.startswith("ZTE")
                                else "HWTCFEEDBEEF"))

    f.sim.call(swap)
    second = sync_one_olt(SyncRequest.load("olt-001", str(f.inventory_path), datasets=["onus"]))
    assert second.failures == []
    again = reconcile(engine, "olt-001")
    assert again.swapped == 1 and again.samples["swapped"] == [old.client_key]
    assert per_olt(engine)[0]["swapped"] == 1
    from oltsync.status import format_status

    status = format_status("not asked", [], [], [], {"olts": per_olt(engine),
                                                      "fleet": reconcile(engine).as_dict()})
    assert "Clients (`oltsync clients report` lists the keys):" in status
    assert f"olt-001  {total:<4}  {without:<14}  {len(shared):<6}  1" in status
    with engine.connect() as conn:
        history = conn.execute(select(schema.client_links.c.serial,
                                      schema.client_links.c.unlinked_at)
                               .where(schema.client_links.c.client_key == old.client_key)
                               .order_by(schema.client_links.c.id)).all()
    assert [s for s, _ in history] == [old.serial, "HWTCFEEDBEEF"]
    assert history[0].unlinked_at is not None and history[1].unlinked_at is None
    # the links' history is pruned like the optical history; the present link never is
    later = datetime.now(UTC) + timedelta(days=91)
    assert prune(engine, 90, 0, now=later)["client_links"] == 1
    with engine.connect() as conn:
        left = conn.execute(select(func.count()).select_from(schema.client_links)
                            .where(schema.client_links.c.client_key == old.client_key)).scalar()
    assert left == 1


def test_the_run_s_artifact_names_clients_by_key_never_by_name() -> None:
    from sync.report import OltReport, olt_markdown, worst_optical

    onus = [{"port": "0/1/0", "onu_id": 1, "serial": "HWTC00000001", "rx_power_dbm": -29.5,
             "description": "00343155_Fábio_Pereira", "client_key": "00343155"}]
    report = OltReport(olt="olt-x", datasets=[], worst_optical=worst_optical(onus))
    text = olt_markdown(report)
    assert "00343155" in text and "Fábio" not in text and "Pereira" not in text


def test_an_error_names_a_row_by_its_place_never_by_its_client() -> None:
    from collector.rows import check_required, merge
    from core.errors import ParseError

    table: dict = {}
    merge("display ont info 0 all", "onus", table,
          [{"port": "0/1/0", "onu_id": 1, "serial": "HWTC00000001",
            "description": "00343155_Fábio_Pereira"}], True)
    with pytest.raises(ParseError) as err:
        merge("display ont info 0 all", "onus", table,
              [{"port": "0/1/0", "onu_id": 1, "description": "00343155_Fábio_Souza"}], True)
    assert "conflicting description" in str(err.value) and "Fábio" not in str(err.value)
    with pytest.raises(ParseError) as err:
        check_required("onus", [{"port": "0/1/0", "onu_id": 2, "serial": None,
                                 "description": "00343155_Fábio_Pereira"}])
    assert "'onu_id': 2" in str(err.value) and "lacks serial" in str(err.value) and \
        "Fábio" not in str(err.value)


def test_the_pppoe_login_as_the_client_key_on_a_simulated_zte(
        fleet, pg: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A ZTE OLT whose rules read the login: each ONU's client is its PPPoE account (the
    simulator's truth), a bridged ONU (no login) falls through to the next rule."""
    monkeypatch.setenv("OLTSYNC_FULL_SYNC_HOUR", "off")
    f = fleet(1, 48, seed=291, platform="zte_c300")
    data = yaml.safe_load(f.inventory_path.read_text())
    data["olts"][0]["client_rules"] = ["pppoe_login", "key_first"]
    f.inventory_path.write_text(yaml.safe_dump(data))
    out = sync_one_olt(SyncRequest.load("olt-001", str(f.inventory_path)))
    assert out.failures == []
    truth = {o["serial"]: o for o in f.truth()["olt-001"]["onus"]}
    want = {s: o["pppoe_login"] or o["client_key"] for s, o in truth.items()}
    assert sum(1 for o in truth.values() if o["pppoe_login"]) >= 24  # most ONUs dial PPPoE
    assert _keys(get_engine(pg)) == want
    assert out.report.client_rules["pppoe_login"] == sum(1 for o in truth.values()
                                                         if o["pppoe_login"])
    with get_engine(pg).connect() as conn:
        via = Counter(conn.execute(select(schema.client_links.c.via)).scalars())
    assert via["pppoe_login"] == out.report.client_rules["pppoe_login"]
