"""Where a capture goes in the corpus, and the .yml that goes with it."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml


def command_dir(command: str) -> str:
    """The corpus folder of a profile command: its words up to the first argument (a
    placeholder, a number, a port), e.g. 'display ont info summary {port}' -> display_ont_info_summary,
    'show gpon onu detail-info gpon-onu_{port}:{onu_id}' -> show_gpon_onu_detail-info."""
    words = []
    for word in command.split():
        if "{" in word or any(c.isdigit() for c in word) or word == "all":
            break
        words.append(word)
    return "_".join(words)


# What a capture may add to a command without changing the form of its answer: Huawei's
# `| no-more` (no paging for this one command).
_PAGING_ONLY = re.compile(r"\s*\|\s*no-more\s*$")


def same_form(command_template: str, asked: str, platform: str) -> bool:
    """Whether `asked` (a command as a capture asked it) is of the exact form of a profile
    command: the same words, each argument of its placeholder's shape (collector/allowlist.py).
    `display ont version 0 all` and `display ont version 1 all` are of the form of
    `display ont version {pon} all`; `display ont version 0 0 3 0` is not."""
    from collector.allowlist import shape

    text = " ".join(_PAGING_ONLY.sub("", asked).split())
    return re.fullmatch(shape(command_template, platform), text) is not None


def view_of(context: list[str]) -> str:
    """The CLI view a profile command runs in, as a capture's `view` names it: `interface` (a
    per-port view), `config`, or `privileged` (no context)."""
    if not context:
        return "privileged"
    return "interface" if context[-1].startswith("interface") else context[-1].split()[0]


def write_case(root: Path, platform: str, command_template: str, case: str, text: str,
               meta: dict[str, Any]) -> Path:
    """<root>/<platform>/<command dir>/<case>.raw and .yml; returns the .raw."""
    folder = root / platform / command_dir(command_template)
    folder.mkdir(parents=True, exist_ok=True)
    name = re.sub(r"[^\w.-]+", "_", case)
    raw = folder / f"{name}.raw"
    raw.write_text(text, encoding="utf-8")
    raw.with_suffix(".yml").write_text(
        yaml.safe_dump({k: v for k, v in meta.items() if v is not None}, sort_keys=False,
                       allow_unicode=True, width=100), encoding="utf-8")
    return raw
