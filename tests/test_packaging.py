"""The installed `oltsync` command works from any directory: every package the flows import is in
pyproject's package list (an editable install maps only those)."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOT_SHIPPED = {"tests", "bench", "tools"}  # development only


def test_every_package_of_the_checkout_is_installed() -> None:
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {".".join(p.parent.relative_to(ROOT).parts) for p in ROOT.glob("*/**/__init__.py")
             if ".venv" not in p.parts and p.parent.relative_to(ROOT).parts[0] not in NOT_SHIPPED}
    assert found - listed == set(), f"add to [tool.setuptools] packages: {sorted(found - listed)}"


def test_the_flows_import_outside_the_checkout(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", "import flows.sync_fleet, flows.status_pass, oltsync.bootstrap, "
         "oltsync.demo; import flows; print(flows.__file__)"],
        cwd=tmp_path, capture_output=True, text=True, env={"PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().startswith(str(ROOT)), done.stdout
