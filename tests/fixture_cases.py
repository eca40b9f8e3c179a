"""Parser fixtures in the ntc-templates layout: tests/fixtures/<platform>/<template>/<case>.raw with the
expected records in <case>.yml (`parsed_sample`, lower-case keys). Templates from ntc-templates live
under an `ntc/` folder. Raw text goes through the platform's noise cleaning first, as in production."""

from __future__ import annotations

from pathlib import Path

import yaml

from parsers.textfsm_parse import parse
from platforms import profile

FIXTURES = Path(__file__).parent / "fixtures"


def template_for(raw: Path) -> str:
    rel = raw.parent.relative_to(FIXTURES).parts  # (platform, [ntc,] template)
    name = rel[-1] + ".textfsm"
    return f"ntc:{name}" if rel[1] == "ntc" else name


def platform_for(raw: Path) -> str:
    return raw.parent.relative_to(FIXTURES).parts[0]


def cases() -> list[Path]:
    return sorted(FIXTURES.rglob("*.raw"))


def parse_raw(raw: Path) -> list[dict]:
    cleaner = profile.load(platform_for(raw)).cleaner
    records = parse(template_for(raw), cleaner.clean(raw.read_text(encoding="utf-8")))
    return [{k.lower(): v for k, v in r.items()} for r in records]


def expected(raw: Path) -> list[dict]:
    return yaml.safe_load(raw.with_suffix(".yml").read_text(encoding="utf-8"))["parsed_sample"]


if __name__ == "__main__":  # (re)write a missing .yml, to be reviewed by eye before committing
    for raw in cases():
        yml = raw.with_suffix(".yml")
        if not yml.exists():
            yml.write_text(yaml.safe_dump({"parsed_sample": parse_raw(raw)}, allow_unicode=True,
                                          sort_keys=False), encoding="utf-8")
            print("wrote", yml)
