"""Shared fixtures: a real PostgreSQL database, SQLite files, the OLT simulator over real SSH, and one
Prefect test harness (a temporary Prefect server) for the whole session."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg2
import pytest
import yaml
from sqlalchemy import text

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
# Every Prefect server of the tests is locked, as in production: the test harness's server checks
# this auth string and every client sends it (set before Prefect is imported).
_AUTH = f"oltsync-tests:{uuid.uuid4().hex}"
os.environ.setdefault("PREFECT_SERVER_API_AUTH_STRING", _AUTH)
os.environ.setdefault("PREFECT_API_AUTH_STRING", os.environ["PREFECT_SERVER_API_AUTH_STRING"])

PG_ADMIN = os.environ.get("OLTSYNC_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")

DATA_TABLES = ["onu_optical_history", "onu_state_changes", "outages", "sync_runs", "clients",
               "macs", "service_ports", "unregistered_onus", "onus", "pon_ports", "boards", "olts"]


# Modules whose tests are one scenario, in the order they are written (the bootstrap, then runs
# on the supervised server, then status...): a random order (pytest-randomly) moves the module as
# a block and never shuffles its tests.
SCENARIOS = {"test_ops_e2e.py"}


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for name in SCENARIOS:
        at = [i for i, item in enumerate(items) if item.path.name == name]
        if not at:
            continue
        block = sorted((items[i] for i in at), key=lambda item: item.location[1])
        rest = [item for item in items if item.path.name != name]
        items[:] = rest[:at[0]] + block + rest[at[0]:]


def _pg_available() -> str | None:
    try:
        psycopg2.connect(PG_ADMIN, connect_timeout=3).close()
        return None
    except psycopg2.OperationalError as exc:
        return str(exc).strip()


@pytest.fixture(autouse=True)
def _known_hosts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test records the simulator's host keys in a file of its own (ports get reused)."""
    path = tmp_path / "known_hosts"
    monkeypatch.setenv("OLTSYNC_KNOWN_HOSTS", str(path))
    return path


@pytest.fixture(autouse=True)
def _read_everything(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests change the simulator between two syncs seconds apart and expect the database to
    follow: they read everything (OLTSYNC_CADENCE=off). Tests marked `cadence` run as production
    does: periods, change-driven commands, the daily full hour."""
    if request.node.get_closest_marker("cadence") is None:
        monkeypatch.setenv("OLTSYNC_CADENCE", "off")


@contextmanager
def empty_pg_database() -> Iterator[str]:
    """A new, empty database on the machine's PostgreSQL (its URL); dropped afterwards."""
    problem = _pg_available()
    if problem:
        if IN_CI:
            pytest.fail(f"PostgreSQL is required in CI and is not reachable at {PG_ADMIN}: {problem}")
        pytest.skip(f"PostgreSQL not reachable ({problem})")
    name = f"oltsync_test_{uuid.uuid4().hex[:8]}"
    admin = psycopg2.connect(PG_ADMIN)
    admin.autocommit = True
    admin.cursor().execute(f'CREATE DATABASE "{name}"')
    base = PG_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg2://")
    try:
        yield f"{base}/{name}"
    finally:
        from storage.db import dispose_all

        dispose_all()
        admin.cursor().execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@pytest.fixture(autouse=True)
def _capture_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Answers of failed commands are kept in the test's own folder, not the checkout's."""
    path = tmp_path / "captures"
    monkeypatch.setenv("OLTSYNC_CAPTURE_DIR", str(path))
    return path


class ThrowawayCluster:
    """A PostgreSQL cluster of the test's own (initdb, pg_ctl on a free loopback port), so that a
    test may restart it under a running sync. As root, its programs run as the postgres user."""

    def __init__(self, root: Path) -> None:
        import shutil
        import socket

        initdb = shutil.which("initdb") or next(iter(sorted(
            Path("/usr/lib/postgresql").glob("*/bin/initdb"))), None)
        if initdb is None:
            if IN_CI:
                pytest.fail("initdb not found: the PostgreSQL server programs are required in CI")
            pytest.skip("initdb not found")
        self.bin = Path(initdb).parent
        self.data = root / "pgdata"
        self.data.mkdir()
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_postgres:
            root.chmod(0o755)
            shutil.chown(root, "postgres")
            shutil.chown(self.data, "postgres")
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync")
        self.start()
        self.url = f"postgresql+psycopg2://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, program: str, *args: str) -> None:
        import subprocess

        subprocess.run([*self.as_postgres, str(self.bin / program), *args], check=True,
                       capture_output=True, timeout=120)

    def start(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-w", "-l", str(self.data / "log"), "-o",
                  f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.data}", "start")

    def restart(self) -> None:
        # -l: the server must not keep our output pipe open (run() would wait for it forever)
        self._run("pg_ctl", "-D", str(self.data), "-w", "-m", "fast", "-l",
                  str(self.data / "log"), "restart")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-w", "-m", "immediate", "stop")


@pytest.fixture
def throwaway_pg() -> Iterator[ThrowawayCluster]:
    import shutil
    import tempfile

    # not under pytest's own folder: that is private to root, and the cluster runs as postgres
    root = Path(tempfile.mkdtemp(prefix="oltsync-pg-"))
    try:
        cluster = ThrowawayCluster(root)
        try:
            yield cluster
        finally:
            from storage.db import dispose_all

            dispose_all()
            cluster.stop()
    finally:
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """A fresh database on the machine's PostgreSQL, migrated to head; dropped afterwards."""
    from storage import migrate

    with empty_pg_database() as url:
        migrate.upgrade(url)
        yield url


@pytest.fixture
def pg(pg_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The PostgreSQL test database, emptied, and made the collector's database for this test."""
    from storage.db import get_engine

    with get_engine(pg_url).begin() as conn:
        conn.execute(text(f"TRUNCATE {', '.join(DATA_TABLES)} RESTART IDENTITY CASCADE"))
    monkeypatch.setenv("OLTSYNC_DATABASE_URL", pg_url)
    yield pg_url


@pytest.fixture
def sqlite_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    from storage import migrate

    url = f"sqlite:///{tmp_path / 'oltsync.db'}"
    migrate.upgrade(url)
    monkeypatch.setenv("OLTSYNC_DATABASE_URL", url)
    return url


@contextmanager
def _prefect_server_on_postgresql() -> Iterator[None]:
    """Prefect's test harness, but its temporary server keeps its state in PostgreSQL, as in
    production: on the harness's SQLite file, hundreds of flow runs in one session meant "database
    is locked" answers (503) that clients retry after 2, 4, 8 … s, and tests that took minutes."""
    from prefect.server.api.server import SubprocessASGIServer
    from prefect.server.database.dependencies import temporary_database_interface
    from prefect.settings import (
        PREFECT_API_URL,
        PREFECT_SERVER_DATABASE_CONNECTION_URL,
        temporary_settings,
    )
    from prefect.testing.utilities import _find_available_port

    from oltsync.local_server import drain_prefect

    with empty_pg_database() as url, temporary_database_interface():
        db = url.replace("postgresql+psycopg2://", "postgresql+asyncpg://")
        with temporary_settings(updates={PREFECT_SERVER_DATABASE_CONNECTION_URL: db}):
            server = SubprocessASGIServer(port=_find_available_port())
            SubprocessASGIServer._instances[None] = server  # flows find it, start no other
            server.start(timeout=120)
            try:
                with temporary_settings(updates={PREFECT_API_URL: server.api_url}):
                    yield
                    drain_prefect()  # this process's queued logs and events, while it answers
            finally:
                server.stop()
                SubprocessASGIServer._instances.pop(None, None)


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    from core.settings import Settings
    from oltsync.bootstrap import ensure_ssh_limit

    with _prefect_server_on_postgresql():
        ensure_ssh_limit(Settings.from_env())  # the fleet-wide SSH session limit the flows require
        yield


class SimFleet:
    """A running simulator plus the inventory file and password variable that point at it."""

    def __init__(self, olts: list, tmp: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        from simulator.server import Simulator
        from simulator.truth import inventory

        self.olts = {o.name: o for o in olts}
        self.sim = Simulator(olts).start_in_thread()
        env = "OLTSYNC_TEST_OLT_PASSWORD"
        for o in olts:
            monkeypatch.setenv(f"{env}_{o.name.upper().replace('-', '_')}", o.password)
        self.inventory_path = tmp / "inventory.yaml"
        self.inventory_path.write_text(yaml.safe_dump(inventory(olts, env, per_olt_env=True)))

    def truth(self) -> dict:
        from simulator.truth import fleet_truth

        return {o["name"]: o for o in self.sim.call(lambda: fleet_truth(list(self.olts.values())))["olts"]}

    def stop(self) -> None:
        self.sim.stop_thread()


@pytest.fixture
def fleet(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # noqa: ANN201
    """Factory: fleet(n_olts, n_onus, seed, platform) -> a running SimFleet, stopped after the test.
    `platform` may list several, comma-separated, for a mixed fleet."""
    from simulator.fleet import generate_fleet

    started: list[SimFleet] = []

    def make(n_olts: int = 3, n_onus: int = 64, seed: int = 1,
             platform: str = "huawei_smartax") -> SimFleet:
        f = SimFleet(generate_fleet(n_olts, n_onus, seed, platform), tmp_path, monkeypatch)
        started.append(f)
        return f

    yield make
    for f in started:
        f.stop()
