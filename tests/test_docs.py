"""The guides build into a site with no broken link, and the README's links lead somewhere: a
newcomer's next step is never a dead end."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_guides_build_with_no_broken_link(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet",
                           "--site-dir", str(tmp_path / "site")], cwd=ROOT, capture_output=True,
                          text=True, timeout=300, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    assert done.returncode == 0, done.stdout + done.stderr
    assert (tmp_path / "site" / "first-contact" / "index.html").is_file()


def test_the_readme_fits_on_a_page_and_its_links_exist() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) <= 250
    local = [t for t in re.findall(r"\]\(([^)#\s]+)", readme) if not t.startswith("http")]
    assert local and [t for t in local if not (ROOT / t).exists()] == []
    # every guide is linked from the README
    guides = {p.name for p in (ROOT / "docs").glob("*.md")} - {"index.md"}
    assert guides <= {Path(t).name for t in local}, guides - {Path(t).name for t in local}


def test_each_guide_starts_with_what_it_is_for() -> None:
    for page in sorted((ROOT / "docs").glob("*.md")):
        lines = [ln for ln in page.read_text(encoding="utf-8").splitlines() if ln.strip()]
        assert lines[0].startswith("# "), page.name
        if page.name not in ("index.md", "first-contact.md"):
            assert lines[1].startswith("What this guide is for:"), page.name
