"""The corpus of real captures: every capture parses to exactly the rows its .yml expects (or gets
the error it expects), the corpus is as wide as promised, and the README says what it covers."""

from __future__ import annotations

from pathlib import Path

import pytest

from capture.layout import command_dir
from platforms import profile
from tests.capture_corpus import (
    CAPTURES,
    case_id,
    cases,
    meta,
    platform,
    run,
    unsupported,
)
from tests.capture_corpus import (
    tested_against_table as corpus_table,
)

CASES = cases()
README = Path(__file__).parent.parent / "README.md"


@pytest.mark.parametrize("raw", CASES, ids=[case_id(c) for c in CASES])
def test_capture_gives_its_expected_outcome(raw: Path) -> None:
    m = meta(raw)
    out = run(raw)
    if "error" in m:
        assert out.error is not None, f"expected an error, got rows {out.rows}"
        assert m["error"] in out.error
        assert "capture" in out.error  # the one-line error names the OLT ...
        assert m["command"] in out.error  # ... and the command
        return
    assert out.error is None, out.error
    if "cleaned" in m:
        assert out.cleaned.strip() == m["cleaned"]
        return
    assert out.rows == m["rows"]


@pytest.mark.parametrize("raw", CASES, ids=[case_id(c) for c in CASES])
def test_capture_says_where_it_comes_from(raw: Path) -> None:
    m = meta(raw)
    for key in ("source", "lineage", "command", "profile"):
        assert m.get(key), f"{case_id(raw)}: no {key}"
    assert any(k in m for k in ("rows", "cleaned", "error")), f"{case_id(raw)}: no expected outcome"
    if m["profile"] != "noise":
        ds, name = m["profile"].split(".")
        names = [c.name for c in profile.load(platform(raw)).datasets[ds].commands]
        assert name in names, f"{case_id(raw)}: {m['profile']} is not a command of the profile"


def test_corpus_is_as_wide_as_promised() -> None:
    platforms = {platform(c) for c in CASES}
    assert platforms == {"huawei_smartax", "zte_c300", "zte_c600"}
    assert len(CASES) >= 40
    lineages = {meta(c)["lineage"] for c in CASES}
    assert len(lineages) >= 8, sorted(lineages)
    # at most one in ten is an unsupported variant (a rejected box answer is a correct outcome)
    assert len(unsupported()) * 10 <= len(CASES), [case_id(c) for c in unsupported()]


@pytest.mark.parametrize("platform_name", profile.available())
def test_every_command_is_captured_or_says_it_is_modelled(platform_name: str) -> None:
    """A layout the collector parses comes from a real capture; where none was found, the profile
    says so (`modelled`, with what the layout was modelled on)."""
    prof = profile.load(platform_name)
    captured = {meta(c)["profile"] for c in CASES if platform(c) == platform_name}
    templates = {c.template for ds, spec in prof.datasets.items() for c in spec.commands
                 if f"{ds}.{c.name}" in captured}
    for ds, spec in prof.datasets.items():
        for cmd in spec.commands:
            if cmd.template in templates:
                assert not cmd.modelled, f"{ds}.{cmd.name} has captures but is marked modelled"
            else:
                assert cmd.modelled, (f"{ds}.{cmd.name}: no capture in {CAPTURES} and not marked "
                                      "modelled")


def test_readme_tested_against_table_is_the_corpus() -> None:
    assert corpus_table() in README.read_text(encoding="utf-8")


@pytest.mark.parametrize("raw", CASES, ids=[case_id(c) for c in CASES])
def test_capture_lies_in_its_commands_folder(raw: Path) -> None:
    """The layout `python -m oltsync capture` and the collector's kept failures write."""
    m = meta(raw)
    if m["profile"] == "noise":
        return
    ds, name = m["profile"].split(".")
    spec = next(c for c in profile.load(platform(raw)).datasets[ds].commands if c.name == name)
    assert raw.parent.name == command_dir(spec.command)
