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
