"""One simulated OLT in its own process (as a real OLT is elsewhere), and a fresh database: what
the one-OLT benchmarks start from."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bench.ref_tables import fresh_database

ROOT = Path(__file__).resolve().parent.parent


@contextmanager
def one_simulated_olt(onus: int, platform: str, pg_admin: str, db_name: str
                      ) -> Iterator[tuple[Path, str]]:
    """(its inventory file, the database's URL, also OLTSYNC_DATABASE_URL) while it runs."""
    tmp = Path(tempfile.mkdtemp(prefix="oltsync-bench-"))
    os.environ["OLTSYNC_OLT_PASSWORD"] = "bench-password"
    os.environ["OLTSYNC_KNOWN_HOSTS"] = str(tmp / "known_hosts")  # a new key each run
    sim = subprocess.Popen(
        [sys.executable, "-m", "simulator", "--olts", "1", "--onus", str(onus),
         "--platform", platform, "--inventory-out", str(tmp / "inv.yaml"),
         "--truth-out", str(tmp / "truth.json")], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        sim.stdout.readline()  # "simulating ..." once listening
        url = fresh_database(pg_admin, db_name).replace("postgresql://", "postgresql+psycopg2://")
        os.environ["OLTSYNC_DATABASE_URL"] = url
        from storage import migrate

        migrate.upgrade(url)
        yield tmp / "inv.yaml", url
    finally:
        sim.terminate()  # by its PID
        sim.wait(10)
