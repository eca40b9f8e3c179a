"""The corpus of real captures: tests/captures/<platform>/<command>/<case>.raw, each with a .yml.

The .yml says where the text comes from (`source`, and `lineage`: which independent origin it
belongs to, since several sources copy one another), the model/firmware when known, the command as
it was asked, which profile command's template and fields apply (`profile: dataset.command`, or
`noise` for text that is only noise), the variables our own command would have carried, textual
`replace`ments of placeholders a source put in (kept out of the .raw so that it stays as printed),
and the expected outcome: `rows` (what reaches the database, in normal forms), `cleaned` (for
noise), or `error` (a substring of the one-line error an unsupported or rejected answer gets).

`run` (capture/replay.py) takes the text the way the collector does. A file the collector kept
after a failure, or one `python -m oltsync capture` wrote, has this layout already.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from capture.replay import Outcome, meta, outcome, run, text_of

__all__ = ["CAPTURES", "Outcome", "case_id", "cases", "meta", "outcome", "platform", "releases_table",
           "run", "text_of", "tested_against_table", "unsupported"]

CAPTURES = Path(__file__).parent / "captures"


def cases() -> list[Path]:
    return sorted(CAPTURES.rglob("*.raw"))


def case_id(raw: Path) -> str:
    return str(raw.relative_to(CAPTURES).with_suffix(""))


def platform(raw: Path) -> str:
    return raw.relative_to(CAPTURES).parts[0]


def unsupported() -> list[Path]:
    """Captures of a variant the collector refuses (listed in docs/captures.md with their error)."""
    return [raw for raw in cases() if meta(raw).get("unsupported")]


PLATFORM_NAMES = {"huawei_smartax": "Huawei SmartAX", "zte_c300": "ZTE C300/C320 (ZXAN)",
                  "zte_c600": "ZTE C600/C620 (TITAN)"}


def tested_against_table() -> str:
    """The "Tested against" table of docs/captures.md, made from the corpus so that it cannot drift."""
    lines = ["| platform | models / firmware in the captures | captures | independent sources "
             "| unsupported variants |", "|---|---|---|---|---|"]
    for name, label in PLATFORM_NAMES.items():
        raws = [r for r in cases() if platform(r) == name]
        ms = [meta(r) for r in raws]
        seen = sorted({" ".join(x for x in (m.get("model"), m.get("firmware")) if x)
                       for m in ms if m.get("model")})
        bad = [case_id(r) for r in raws if meta(r).get("unsupported")]
        lines.append(f"| {label} | {', '.join(seen)} | {len(raws)} | "
                     f"{len({m['lineage'] for m in ms})} | {', '.join(bad) or 'none'} |")
    return "\n".join(lines)


def releases_table(platform_name: str) -> str:
    """Per command a platform sends, the models and releases its exact-form captures were taken
    on (docs/captures.md's, kept true by a test)."""
    from platforms import profile as profiles
    from tests.test_captures import _captures_of

    prof = profiles.load(platform_name)
    lines = ["| command | role | captured on |", "|---|---|---|"]
    for ds, spec in prof.datasets.items():
        for cmd in spec.commands:
            role = "enrichment" if cmd.enrichment else "core"
            if cmd.derived_from is not None:
                seen = f"nothing sent: rows from `{cmd.derived_from}`"
            elif cmd.modelled:
                seen = "modelled (no capture of this form)"
            else:
                ms = [meta(c) for c in _captures_of(platform_name, cmd)]
                seen = ", ".join(sorted({" ".join(x for x in (m.get("model"), m.get("firmware"))
                                                  if x) or "release not stated" for m in ms}))
            what = f"`{cmd.command}`" if cmd.command else cmd.name.replace("_", " ")
            lines.append(f"| {what} ({ds}) | {role} | {seen} |")
    return "\n".join(lines)


if __name__ == "__main__":  # fill in the outcome of cases that have none, to be reviewed by eye
    import sys

    if "--table" in sys.argv:
        print(tested_against_table())
        sys.exit(0)
    if "--releases" in sys.argv:
        print(releases_table(sys.argv[-1]))
        sys.exit(0)
    for raw in cases():
        m = meta(raw)
        if any(k in m for k in ("rows", "cleaned", "error")) and "--all" not in sys.argv:
            continue
        out = run(raw)
        if out.error is not None:
            print(f"{case_id(raw)}: ERROR {out.error}")
            continue
        key, value = ("cleaned", out.cleaned) if out.cleaned is not None else ("rows", out.rows)
        m[key] = value
        raw.with_suffix(".yml").write_text(
            yaml.safe_dump(m, sort_keys=False, allow_unicode=True, width=100), encoding="utf-8")
        print(f"{case_id(raw)}: wrote {key}")
