"""Turning a box's output into test data: the answer of a failed command is kept, corpus-ready;
`python -m oltsync capture` records every profile command over real SSH (the simulator),
anonymized so that nothing of the original is left, parsing as the original did."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml

from capture.anonymize import Anonymizer
from capture.replay import meta, run
from clients.rules import default_rules
from collector.allowlist import is_allowed
from collector.redact import redact
from collector.run import collect_dataset, request_for
from core.errors import ParseError
from core.settings import Settings
from inventory import entries as inv
from oltsync.__main__ import main
from platforms import profile
from sync.access import keeper_for, make_pool

PATTERN = r"^(?P<key>\d{8})_(?P<name>.+)$"


def _entry(f, name: str | None = None) -> inv.OltEntry:  # noqa: ANN001
    olts = inv.load(f.inventory_path)
    return olts.get(name) if name else olts.olts[0]


def _all_text(folder: Path) -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted(folder.rglob("*"))
                     if p.is_file())


def test_a_failed_answer_is_kept_redacted_and_replays_to_the_same_error(
        fleet, _capture_dir: Path) -> None:
    f = fleet(1, 100, seed=3)
    olt = next(iter(f.olts.values()))
    f.sim.call(lambda: setattr(olt.knobs, "garble_on", "display service-port"))
    entry, settings = _entry(f), Settings.from_env()
    pool = make_pool(entry, settings=settings)
    try:
        with pytest.raises(ParseError) as err:
            collect_dataset(pool, request_for(
                pool, "service_ports", client_rules=default_rules(PATTERN),
                keeper=keeper_for(entry, settings, datetime.now(UTC))))
    finally:
        pool.close()
    msg = str(err.value)
    kept = Path(re.search(r"the answer is kept in (\S+)\)", msg).group(1))
    assert kept.parent.parent.parent == _capture_dir and kept.parent.parent.name == olt.name
    assert kept.name == "display_service-port_all.raw"
    text = kept.read_text(encoding="utf-8")
    assert "~#!%" in text and olt.password not in text  # the garbled line, no credentials
    m = meta(kept)
    assert m["command"] == "display service-port all" and m["profile"] == "service_ports.service_ports"
    assert m["unsupported"] is True
    # corpus-ready: replayed as a capture, the kept answer fails the same way
    again = run(kept).error
    assert again is not None and "could not parse the output at line" in again
    assert again.split(": ", 1)[1] == msg.split(": ", 1)[1].split(" (the answer is kept")[0]


def test_keeping_can_be_switched_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OLTSYNC_CAPTURE_DIR", "")
    entry = inv.OltEntry(name="x", host="127.0.0.1", platform="huawei_smartax", username="u",
                         password_env="NOPE")
    assert keeper_for(entry, Settings.from_env(), datetime.now(UTC)) is None


def test_credentials_are_redacted_in_configuration_text() -> None:
    text = ("local-user admin password irreversible-cipher $1a$Qw$\n"
            " wan-ip 1 mode pppoe username joao@isp password s3cr3t vlan-profile PPPOE\n"
            "snmp-server community public view AllView ro\n"
            "banner: the login hunter22 echoed\n")
    out, n = redact(text, ("hunter22",))
    assert n == 4
    for secret in ("$1a$Qw$", "s3cr3t", "public", "hunter22"):
        assert secret not in out
    assert "vlan-profile PPPOE" in out and "username joao@isp" in out  # the rest stays


def test_anonymizer_keeps_shapes_and_identities_consistent() -> None:
    anon = Anonymizer(profile.load("huawei_smartax").private, salt=b"fixed")
    text = ("  0/ 1/0       3   00111013_José_Araújo_descr_Rua das      \n"
            "                   Flores_authd_20261103\n")
    section = "  F/S/P   ONT-ID   Description\n" + text + "  In port 0/ 1/0, the total\n"
    anon.learn(section)
    other = ("  3   485754435C8A8255 HG8310M   120   -18.85/2.20  00111013_José_Ara\n"
             "  HWTC-5C8A8255 e0:4f:43:12:34:56 10.20.30.40 255.255.255.0\n")
    a, b = anon.apply(section), anon.apply(other)
    assert [len(x) for x in a.split("\n")] == [len(x) for x in section.split("\n")]
    assert "José" not in a + b and "Flores" not in a + b and "Ara\n" not in b
    row = a.split("\n")[1]
    assert re.fullmatch(r"  0/ 1/0       3   \d{8}_Xxxx_Xxxxxx_xxxxx_Xxx xxx\s+", row)
    key = row.split()[3][:8]
    assert key != "00111013" and f" {key}_Xxxx_Xxx" in b  # the same client key in both commands
    tail = re.search(r"48575443([0-9A-F]{8}) HG8310M", b).group(1)
    assert tail != "5C8A8255" and f"HWTC-{tail}" in b  # hex and text form stay one ONU
    assert "e0:4f:43:" in b and "12:34:56" not in b  # the OUI stays
    assert "192.0.2.1" in b and "255.255.255.0" in b  # a mask says nothing
    assert " 120 " in b  # numbers of the table are not descriptions
    assert anon.leftovers(a + b) == []
    assert anon.leftovers(b + " 00111013_x HWTC5C8A8255") == ["00111013", "5C8A8255"]


@pytest.mark.parametrize("platform", ["huawei_smartax:V800R018", "zte_c300:V2.1.0",
                                      "zte_c600:V1.2.2"])
def test_capture_writes_an_anonymized_corpus_that_parses_like_the_box(
        platform: str, fleet, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture) -> None:
    f = fleet(1, 48, seed=4, platform=platform)
    olt = next(iter(f.olts.values()))
    truth = f.truth()[olt.name]
    monkeypatch.setenv("OLTSYNC_INVENTORY", str(f.inventory_path))
    out = tmp_path / "corpus"
    assert main(["capture", "--olt", olt.name, "--anonymize", "--out", str(out)]) == 0
    said = capsys.readouterr().out
    assert "cases written (anonymized" in said
    assert not [line for line in said.splitlines() if line.startswith("  ")]  # no dataset failed
    raws = sorted(out.rglob("*.raw"))
    name = platform.split(":")[0]
    prof = profile.load(name)
    # every profile command is in the capture, in the corpus layout
    assert {meta(r)["profile"] for r in raws} == {f"{d}.{c.name}" for d, s in prof.datasets.items()
                                                  for c in s.commands if c.derived_from is None}
    assert all(r.parent.parent.name == name for r in raws)
    # nothing of the original: serials, descriptions' words, host name, password
    everything = _all_text(out)
    assert olt.password not in everything
    for onu in truth["onus"]:
        assert onu["serial"][4:] not in everything
        for word in re.findall(r"[^\W\d_]{4,}", onu["description"] or ""):
            assert not re.search(rf"(?<![^\W_]){word}(?![^\W_])", everything), word
    # ... and yet it parses as the box's own text did: as many ONUs as the box has
    for raw in raws:
        m, got = meta(raw), run(raw)
        assert got.error is None and "unsupported" not in m, (raw.name, got.error)
        assert got.rows == m["rows"]
    onus = [r for r in raws if meta(r)["profile"] in ("onus.info", "onus.state")]
    assert sum(len(meta(r)["rows"]) for r in onus) == len(truth["onus"])
    # read-only: every line the box received is on the allowlist
    sent = f.sim.call(lambda: list(olt.received))
    assert sent and all(is_allowed(line) or line.strip().lower() == "y" for line in sent), sent


def test_capture_keeps_the_answer_a_template_refuses(fleet, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture) -> None:
    f = fleet(1, 48, seed=5, platform="zte_c300:V1.2.5")
    olt = next(iter(f.olts.values()))
    f.sim.call(lambda: setattr(olt.knobs, "garble_on", "show card"))
    monkeypatch.setenv("OLTSYNC_INVENTORY", str(f.inventory_path))
    out = tmp_path / "corpus"
    assert main(["capture", "--olt", olt.name, "--out", str(out)]) == 0
    assert "  olt: olt-001 running 'show card': template" in capsys.readouterr().out
    (card,) = (out / "zte_c300" / "show_card").glob("*.raw")
    m = yaml.safe_load(card.with_suffix(".yml").read_text(encoding="utf-8"))
    assert m["unsupported"] is True and "could not parse the output at line" in m["error"]
    assert run(card).error == m["error"]
    assert (out / "zte_c300" / "show_gpon_onu_state").is_dir()  # the other datasets go on
