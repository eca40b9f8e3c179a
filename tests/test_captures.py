"""The corpus of real captures: every capture parses to exactly the rows its .yml expects (or gets
the error it expects), the corpus is as wide as promised, and docs/captures.md says what it covers."""

from __future__ import annotations

from pathlib import Path

import pytest

from capture.layout import command_dir, same_form, view_of
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
CORPUS_DOC = Path(__file__).parent.parent / "docs" / "captures.md"


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


def of_form(raw: Path, cmd: profile.CommandSpec) -> bool:
    """Whether a capture is of the exact form a profile command sends: the same words, each
    argument of its placeholder's shape, and (where the .yml says) the same CLI view
    (`display ont version 0 all` asks for a port in a GPON interface view, for a frame at the
    privileged prompt), read by the same template."""
    m = meta(raw)
    if m["profile"] == "noise":
        return False
    filed = profile.load(platform(raw)).command(m["profile"])
    return (filed.template == cmd.template
            and same_form(cmd.command, m["command"], platform(raw))
            and m.get("view", view_of(cmd.context)) == view_of(cmd.context))


def exact_form(raw: Path) -> bool:
    """Of the exact form of the profile command it is filed under."""
    return of_form(raw, profile.load(platform(raw)).command(meta(raw)["profile"]))


def _captures_of(platform_name: str, cmd: profile.CommandSpec) -> list[Path]:
    """Captures of the exact form of `cmd`, whichever dataset they are filed under (a dataset may
    send a command another one sends too: Huawei's `display board 0`)."""
    return [c for c in CASES if platform(c) == platform_name and of_form(c, cmd)]


@pytest.mark.parametrize("platform_name", profile.available())
def test_every_command_is_captured_in_its_exact_form_or_says_it_is_modelled(
        platform_name: str) -> None:
    """A layout the collector parses comes from a real capture of the exact command form it
    sends; where none was found, the profile says so (`modelled`, with what the layout was
    modelled on). A capture of a neighbouring form (one ONU instead of a port, another view)
    does not count: its answer may have another layout."""
    prof = profile.load(platform_name)
    for ds, spec in prof.datasets.items():
        for cmd in spec.commands:
            ref = f"{ds}.{cmd.name}"
            if cmd.derived_from is not None:  # sends nothing: rows of what another one read
                source = prof.command(cmd.derived_from)
                assert source in spec.commands[:spec.commands.index(cmd)], ref
                assert not source.modelled, f"{ref} is derived from a modelled command"
                continue
            if _captures_of(platform_name, cmd):
                assert not cmd.modelled, f"{ref} has captures of its exact form but says modelled"
            else:
                assert cmd.modelled, (f"{ref}: no capture of '{cmd.command}' in {CAPTURES} and "
                                      "not marked modelled")


@pytest.mark.parametrize("raw", CASES, ids=[case_id(c) for c in CASES])
def test_a_capture_of_a_neighbouring_form_says_so(raw: Path) -> None:
    """Kept beside the exact form (its rows are facts about the box too), but marked, so that no
    one takes it for a capture of the command the collector sends."""
    m = meta(raw)
    if m["profile"] == "noise":
        return
    if exact_form(raw):
        assert m.get("form") != "neighbour", f"{case_id(raw)} is of the exact form"
    else:
        assert m.get("form") == "neighbour", (
            f"{case_id(raw)}: '{m['command']}' is not of the form the profile sends for "
            f"{m['profile']}: mark it `form: neighbour`")


@pytest.mark.parametrize("platform_name", profile.available())
def test_each_captured_command_says_what_was_searched(platform_name: str) -> None:
    """For each command with captures, one of its exact-form captures says which exact strings
    were searched for in the public corpora, and what was found."""
    prof = profile.load(platform_name)
    for ds, spec in prof.datasets.items():
        for cmd in spec.commands:
            if not cmd.modelled and cmd.derived_from is None:
                assert any(meta(c).get("searched") for c in _captures_of(platform_name, cmd)), (
                    f"{ds}.{cmd.name}: no capture of its form says `searched`")


@pytest.mark.parametrize("platform_name", profile.available())
def test_a_modelled_command_is_never_core(platform_name: str) -> None:
    """What no capture shows may cost an enrichment's columns, never the rows themselves."""
    prof = profile.load(platform_name)
    core = [f"{ds}.{c.name}" for ds, spec in prof.datasets.items() for c in spec.commands
            if c.modelled and not c.enrichment]
    assert core == KNOWN_MODELLED_CORE.get(platform_name, [])


# Modelled commands that are core, known and to be replaced: none. (May only shrink.)
KNOWN_MODELLED_CORE: dict[str, list[str]] = {}


def test_the_tested_against_table_is_the_corpus() -> None:
    assert corpus_table() in CORPUS_DOC.read_text(encoding="utf-8")


def test_the_guide_says_which_titan_releases_each_command_was_captured_on() -> None:
    from tests.capture_corpus import releases_table

    assert releases_table("zte_c600") in CORPUS_DOC.read_text(encoding="utf-8")


@pytest.mark.parametrize("raw", CASES, ids=[case_id(c) for c in CASES])
def test_capture_lies_in_its_commands_folder(raw: Path) -> None:
    """The layout `python -m oltsync capture` and the collector's kept failures write."""
    m = meta(raw)
    if m["profile"] == "noise":
        return
    ds, name = m["profile"].split(".")
    spec = next(c for c in profile.load(platform(raw)).datasets[ds].commands if c.name == name)
    assert raw.parent.name == command_dir(spec.command)
