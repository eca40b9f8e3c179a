"""Operations end to end with the parts an operator runs: supervisord with deployments/supervisor's
programs (a real `prefect server` on a free loopback port and two process workers), the bootstrap
command, `prefect deployment run` / `prefect flow-run cancel`, the OLT simulator over SSH, and
PostgreSQL. The tests run in order and share that installation, as an operator's day would."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import psycopg2
import pytest
import yaml
from sqlalchemy import select, text
from sqlalchemy.engine import Engine

from oltsync.api_auth import CLIENT_VAR, SERVER_VAR
from storage import schema
from storage.db import dispose_all, get_engine
from tests.conftest import IN_CI, PG_ADMIN, _pg_available
from tests.truth_compare import diff_olt, snapshot_olt
from tools.webhook_inbox import WebhookInbox

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
TERMINAL = {"COMPLETED", "FAILED", "CANCELLED", "CRASHED"}
pytestmark = pytest.mark.timeout(1200)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Ops:
    root: Path
    env: dict[str, str]  # the environment file, as the services and the CLI see it
    api: str
    engine: Engine
    sim: Any
    olts: dict[str, Any]
    supervisor_conf: Path
    bootstrap_out: list[str] = field(default_factory=list)
    mid: dict[str, dict] = field(default_factory=dict)  # snapshots taken right after an interruption

    def cli(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        """An operator's command, through deployments/with-env like the services."""
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "OLTSYNC_"))}
        env["OLTSYNC_ENV_FILE"] = self.env["_FILE"]
        env["PATH"] = f"{BIN}:{env.get('PATH', '')}"
        return subprocess.run([str(ROOT / "deployments" / "with-env"), *args], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=timeout)

    def supervisorctl(self, *args: str) -> str:
        done = subprocess.run([str(BIN / "supervisorctl"), "-c", str(self.supervisor_conf), *args],
                              capture_output=True, text=True, timeout=60)
        return done.stdout

    def truth(self) -> dict[str, dict]:
        from simulator.truth import fleet_truth

        return {o["name"]: o for o in
                self.sim.call(lambda: fleet_truth(list(self.olts.values())))["olts"]}

    @contextmanager
    def client(self) -> Iterator[Any]:
        from prefect.client.orchestration import get_client
        from prefect.settings import PREFECT_API_AUTH_STRING, PREFECT_API_URL, temporary_settings

        with temporary_settings(updates={PREFECT_API_URL: self.api,
                                         PREFECT_API_AUTH_STRING: self.env[CLIENT_VAR]}):
            with get_client(sync_client=True) as client:
                yield client

    def deployment_run(self, name: str, *params: str) -> str:
        args = ["prefect", "deployment", "run", name]
        for p in params:
            args += ["-p", p]
        done = self.cli(*args)
        assert done.returncode == 0, done.stdout + done.stderr
        return re.search(r"UUID:\s*([0-9a-f-]{36})", done.stdout).group(1)

    def flow_run(self, run_id: str) -> Any:
        with self.client() as client:
            return client.read_flow_run(uuid.UUID(run_id))

    def wait(self, run_id: str, until: Callable[[Any], bool] | None = None,
             timeout: float = 300) -> Any:
        until = until or (lambda r: r.state_type.value in TERMINAL)
        deadline = time.monotonic() + timeout
        while True:
            run = self.flow_run(run_id)
            if until(run):
                return run
            assert time.monotonic() < deadline, f"{run.name}: still {run.state_name} after {timeout} s"
            time.sleep(1)

    def child_runs(self, parent_id: str) -> list[Any]:
        """sync-olt runs started by a fleet run (as subflows or through run_deployment)."""
        from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterParentFlowRunId

        with self.client() as client:
            return client.read_flow_runs(flow_run_filter=FlowRunFilter(
                parent_flow_run_id=FlowRunFilterParentFlowRunId(any_=[uuid.UUID(parent_id)])))

    def workers(self) -> list[Any]:
        with self.client() as client:
            return client.read_workers_for_work_pool("oltsync")


def _wait_healthy(url: str, timeout_s: float, why: Callable[[], str]) -> None:
    """Until `url` answers 200; failing with `why()` after `timeout_s`."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        assert time.monotonic() < deadline, why()
        time.sleep(0.5)


def _env_file(path: Path, values: dict[str, str]) -> None:
    path.write_text("".join(f"{k}={v}\n" for k, v in values.items()))
    path.chmod(0o600)


def _render_supervisor(tmp: Path, env_file: Path) -> Path:
    """The supervisor configuration as an operator gets it: `oltsync service-files --supervisor`,
    for this checkout's paths, two workers, no user switch (the tests are not root-owned)."""
    done = subprocess.run(
        [str(BIN / "oltsync"), "service-files", "--supervisor", "--out", str(tmp),
         "--prefix", str(ROOT), "--venv", str(BIN.parent), "--user", "", "--env-file", str(env_file),
         "--log-dir", str(tmp), "--state-dir", str(tmp), "--workers", "2"],
        capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    conf = (tmp / "oltsync.conf").read_text()
    assert "numprocs=2" in conf and "user=" not in conf and str(env_file) in conf
    assert f"{BIN}/oltsync worker" in conf  # waits for the server's health endpoint
    return tmp / "supervisord.conf"


@pytest.fixture(scope="module")
def ops(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Ops]:
    problem = _pg_available()
    if problem:
        if IN_CI:
            pytest.fail(f"PostgreSQL is required in CI and is not reachable at {PG_ADMIN}: {problem}")
        pytest.skip(f"PostgreSQL not reachable ({problem})")
    from simulator.fleet import generate_fleet
    from simulator.server import Simulator
    from simulator.truth import env_name, inventory

    tmp = tmp_path_factory.mktemp("ops")
    db = f"oltsync_e2e_{uuid.uuid4().hex[:8]}"
    admin = psycopg2.connect(PG_ADMIN)
    admin.autocommit = True
    admin.cursor().execute(f'CREATE DATABASE "{db}"')
    admin.cursor().execute(f'CREATE DATABASE "{db}_prefect"')
    base = PG_ADMIN.rsplit("/", 1)[0]
    url = base.replace("postgresql://", "postgresql+psycopg2://") + f"/{db}"

    olts = generate_fleet(3, 64, seed=41)
    sim = Simulator(olts).start_in_thread()
    inv = tmp / "inventory.yaml"
    inv.write_text(yaml.safe_dump(inventory(olts, "OLTSYNC_E2E_PW", per_olt_env=True)))
    port = _free_port()
    api = f"http://127.0.0.1:{port}/api"
    env_file = tmp / "oltsync.env"
    env = {
        "OLTSYNC_WEB_PORT": str(_free_port()),  # supervisor's oltsync-web program
        "PREFECT_SERVER_API_HOST": "127.0.0.1", "PREFECT_SERVER_API_PORT": str(port),
        "PREFECT_API_URL": api, "PREFECT_HOME": str(tmp / "prefect-home"),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "PREFECT_SERVER_ALLOW_EPHEMERAL_MODE": "false",
        # the server's own state on PostgreSQL, as deployments/oltsync.env.example advises
        "PREFECT_API_DATABASE_CONNECTION_URL":
            base.replace("postgresql://", "postgresql+asyncpg://") + f"/{db}_prefect",
        # Prefect's shortest heartbeat (30 s) against a 75 s zombie window: two heartbeats may be
        # late before a run is Crashed (with 45 s one late heartbeat was enough; a local run of the
        # suite once ended Crashed where Failed was expected)
        "PREFECT_FLOWS_HEARTBEAT_FREQUENCY": "30", "PREFECT_WORKER_QUERY_SECONDS": "2",
        "PREFECT_WORKER_PREFETCH_SECONDS": "2", "PREFECT_LOGGING_LEVEL": "INFO",
        "PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS": "5",
        "PREFECT_SERVER_SERVICES_CANCELLATION_CLEANUP_LOOP_SECONDS": "5",
        "OLTSYNC_ZOMBIE_AFTER_S": "75",  # max(90 s, 4 heartbeats) by default
        "OLTSYNC_DATABASE_URL": url, "OLTSYNC_INVENTORY": str(inv),
        "OLTSYNC_KNOWN_HOSTS": str(tmp / "known_hosts"),
        # the tests change the simulator between syncs minutes apart and expect every table to
        # follow: read everything (cadence is proven in tests/test_change_driven.py)
        "OLTSYNC_CADENCE": "off",
        **{env_name(o, "OLTSYNC_E2E_PW"): o.password for o in olts},
    }
    _env_file(env_file, env)  # without the API's auth string: the first bootstrap writes it
    env["_FILE"] = str(env_file)
    conf = _render_supervisor(tmp, env_file)
    ops = Ops(ROOT, env, api, get_engine(url), sim, {o.name: o for o in olts}, conf)
    first = ops.cli(str(BIN / "python"), "-m", "oltsync", "bootstrap")
    ops.bootstrap_out.append(first.stdout + first.stderr)
    assert first.returncode == 3, first.stdout + first.stderr  # a planned step, not an error
    written = env_file.read_text()
    env[CLIENT_VAR] = re.search(rf"^{CLIENT_VAR}=(\S+)$", written, re.M).group(1)
    assert f"{SERVER_VAR}={env[CLIENT_VAR]}" in written and env_file.stat().st_mode & 0o777 == 0o600
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "OLTSYNC_"))}
    supervisord = subprocess.Popen([str(BIN / "supervisord"), "-n", "-c", str(conf)], cwd=ROOT,
                                   env=clean,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_healthy(f"{api}/health", 120, lambda: (
            "supervisord exited" if supervisord.poll() is not None
            else (tmp / "prefect-server.log").read_text()[-3000:]))
        for _ in range(2):  # the second run must find everything in place
            done = ops.cli(str(BIN / "python"), "-m", "oltsync", "bootstrap")
            assert done.returncode == 0, done.stdout + done.stderr
            ops.bootstrap_out.append(done.stdout)
        yield ops
    finally:
        supervisord.send_signal(signal.SIGTERM)  # stops the server and the workers it started
        try:
            supervisord.wait(60)
        except subprocess.TimeoutExpired:
            supervisord.kill()
        sim.stop_thread()
        dispose_all()
        admin.cursor().execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
        admin.cursor().execute(f'DROP DATABASE IF EXISTS "{db}_prefect" WITH (FORCE)')
        admin.close()


def _mutate(ops: Ops, names: list[str], tag: str) -> None:
    """Change data the next sync must write: a description and an ONU gone, on each named OLT."""

    def change() -> None:
        for name in names:
            olt = ops.olts[name]
            olt.onus[0].description = f"00777{len(tag):03d}_{tag}"
            olt.onus[0].client_key, olt.onus[0].client_name = f"00777{len(tag):03d}", tag
            olt.remove_onu(olt.onus[-1].serial)

    ops.sim.call(change)


def _assert_no_partial_dataset(ops: Ops, olt: str, before: dict, after: dict) -> None:
    """Each table holds exactly what it held before the interrupted run, or exactly what a complete
    run leaves: never a mix (one transaction per dataset). Row by row, every column."""
    for table, rows in before.items():
        if table in ("onu_optical_history", "sync_runs", "olts"):
            continue
        mid = ops.mid[olt][table]
        assert mid in (rows, after[table]), f"{olt}.{table}: a partial dataset"


def test_bootstrap_creates_everything_and_is_safe_to_rerun(ops: Ops) -> None:
    auth, first, second = ops.bootstrap_out
    # the first run, on an environment file without it, writes the API's auth string and stops
    assert "wrote a new Prefect API auth string in" in auth and "restart the Prefect server" in auth
    assert "next step: " in auth and "error:" not in auth
    assert "- Prefect API: locked" in first and "- Prefect API: locked" in second
    # the web page's login: written into the environment file once, found there after
    assert f"- web page: wrote a login (OLTSYNC_WEB_AUTH) into {ops.env['_FILE']}" in first
    assert "- web page: locked (OLTSYNC_WEB_AUTH " in second
    # created here, or a moment before by a supervised worker starting with --type process
    assert re.search(r"work pool 'oltsync' \(process\): (created|exists)", first)
    assert "work pool 'oltsync' (process): exists" in second
    assert "'oltsync-ssh-sessions': created with 32 slots" in first
    assert "zombie automation: created (Crashed after 75 s without heartbeat)" in first
    assert "zombie automation: exists" in second
    assert "database " in first and "at revision" in first
    for out in (first, second):
        assert "prefect deploy --all: sync-fleet/hourly, sync-olt/one-olt, " \
               "prune-history/daily" in out
    with ops.client() as client:
        hourly = client.read_deployment_by_name("sync-fleet/hourly")
        assert [s.schedule.cron for s in hourly.schedules] == ["0 * * * *"]
        assert hourly.global_concurrency_limit.limit == 1
        assert hourly.concurrency_options.collision_strategy.value == "CANCEL_NEW"
        limit = client.read_global_concurrency_limit_by_name("oltsync-ssh-sessions")
        assert (limit.limit, limit.active) == (32, True)
        assert client.read_work_pool("oltsync").type == "process"
    # the server's scheduler has created the next hourly runs, at the top of the hour
    from prefect.client.schemas.filters import DeploymentFilter, DeploymentFilterId

    deadline = time.monotonic() + 90
    while True:
        with ops.client() as client:
            scheduled = client.read_flow_runs(deployment_filter=DeploymentFilter(
                id=DeploymentFilterId(any_=[hourly.id])))
        scheduled = [r for r in scheduled if r.state_name == "Scheduled"]
        if scheduled or time.monotonic() > deadline:
            break
        time.sleep(2)
    assert scheduled and all(r.expected_start_time.minute == 0
                             and r.expected_start_time.second == 0 for r in scheduled)
    # The tests below start runs by hand: keep the top of the hour from starting one in between.
    with ops.client() as client:
        for name in ("sync-fleet/hourly", "prune-history/daily"):
            dep = client.read_deployment_by_name(name)
            for s in dep.schedules:
                client.update_deployment_schedule(dep.id, s.id, active=False)
        left = client.read_flow_runs(deployment_filter=DeploymentFilter(
            id=DeploymentFilterId(any_=[hourly.id])))
    assert [r for r in left if r.state_name == "Scheduled"] == []  # pausing removed them
    # both supervised workers are polling the pool
    deadline = time.monotonic() + 60
    while len([w for w in ops.workers() if w.status.value == "ONLINE"]) < 2:
        assert time.monotonic() < deadline, ops.supervisorctl("status")
        time.sleep(1)


def test_the_api_is_locked_and_a_run_cannot_choose_what_the_worker_runs(ops: Ops,
                                                                          tmp_path: Path) -> None:
    from prefect.exceptions import PrefectHTTPStatusError

    # without the auth string: no secrets, no runs (the UI's static files and /health stay open)
    for path, body in [("/block_documents/filter", {"include_secrets": True}),
                       ("/deployments/filter", {}), ("/work_pools/oltsync", None)]:
        r = httpx.request("GET" if body is None else "POST", ops.api + path, json=body, timeout=10)
        assert r.status_code == 401, (path, r.status_code)
    # with it, a run that asks the worker for another command or environment is refused
    marker = tmp_path / "ran"
    with ops.client() as client:
        pool = client.read_work_pool("oltsync")
        assert set(pool.base_job_template["job_configuration"]) == {"name", "labels",
                                                                    "stream_output"}
        dep = client.read_deployment_by_name("sync-olt/one-olt")
        for job_variables in ({"command": f"touch {marker}"}, {"env": {"PYTHONSTARTUP": "/x"}},
                              {"working_dir": str(tmp_path)}):
            with pytest.raises(PrefectHTTPStatusError) as err:
                client.create_flow_run_from_deployment(dep.id, parameters={"olt_name": "olt-001"},
                                                       job_variables=job_variables)
            assert err.value.response.status_code == 422, job_variables
    done = ops.cli("prefect", "deployment", "run", "sync-olt/one-olt", "-p", "olt_name=olt-001",
                   "--job-variable", f"command=touch {marker}")
    assert done.returncode != 0
    time.sleep(5)  # what a worker would have had to pick it up
    assert not marker.exists()
    with ops.client() as client:  # nothing was queued
        from prefect.client.schemas.filters import DeploymentFilter, DeploymentFilterId

        runs = client.read_flow_runs(deployment_filter=DeploymentFilter(
            id=DeploymentFilterId(any_=[dep.id])))
    assert runs == []


def test_one_olt_deployment_run_lands_the_truth(ops: Ops) -> None:
    run_id = ops.deployment_run("sync-olt/one-olt", "olt_name=olt-001")
    run = ops.wait(run_id)
    assert (run.name, run.state_name) == ("olt-001", "Completed"), run.state.message
    assert diff_olt(ops.engine, ops.truth()["olt-001"]) == {}


def test_hourly_fleet_run_completes_with_per_olt_runs(ops: Ops) -> None:
    _mutate(ops, ["olt-001"], "Hourly")
    run_id = ops.deployment_run("sync-fleet/hourly")
    run = ops.wait(run_id)
    assert run.state_name == "Completed", run.state.message
    children = ops.child_runs(run_id)
    assert sorted((c.name, c.state_name) for c in children) == [
        (n, "Completed") for n in sorted(ops.olts)]
    for name, truth in ops.truth().items():
        assert diff_olt(ops.engine, truth) == {}, name
    with ops.client() as client:
        from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

        keys = {a.key for a in client.read_artifacts(artifact_filter=ArtifactFilter(
            key=ArtifactFilterKey(any_=["fleet-progress", "fleet-last-sync", "olt-001",
                                        "olt-olt-001"])))}
    assert keys == {"fleet-progress", "fleet-last-sync", "olt-001"}  # the OLT's name, once


def test_deployment_fanout_shares_the_fleet_and_syncs_each_olt_once(ops: Ops) -> None:
    _mutate(ops, list(ops.olts), "Fanout")
    since = datetime.now(UTC)
    run_id = ops.deployment_run("sync-fleet/hourly", "fanout=deployment")
    run = ops.wait(run_id)
    assert run.state_name == "Completed", run.state.message
    children = ops.child_runs(run_id)
    assert sorted(c.name for c in children) == sorted(ops.olts)  # exactly one run per OLT
    assert all(c.state_name == "Completed" and c.deployment_id is not None for c in children)
    r = schema.sync_runs
    with ops.engine.connect() as conn:
        per_olt = conn.execute(select(r.c.olt, r.c.flow_run_id).where(r.c.started_at >= since)
                               .distinct()).all()
    assert sorted(o for o, _ in per_olt) == sorted(ops.olts)  # one flow run's datasets each
    assert {str(fr) for _, fr in per_olt} == {str(c.id) for c in children}
    for name, truth in ops.truth().items():
        assert diff_olt(ops.engine, truth) == {}, name


def test_wrong_password_fails_the_fleet_run_and_the_others_land(ops: Ops) -> None:
    _mutate(ops, list(ops.olts), "Senha")
    before = snapshot_olt(ops.engine, "olt-002")
    ops.sim.call(lambda: setattr(ops.olts["olt-002"].knobs, "wrong_password", True))
    try:
        run = ops.wait(ops.deployment_run("sync-fleet/hourly"))
    finally:
        ops.sim.call(lambda: setattr(ops.olts["olt-002"].knobs, "wrong_password", False))
    assert run.state_name == "Failed", run.state.message
    assert "olt-002" in run.state.message and "login failed" in run.state.message
    truth = ops.truth()
    assert diff_olt(ops.engine, truth["olt-001"]) == {}
    assert diff_olt(ops.engine, truth["olt-003"]) == {}
    after = snapshot_olt(ops.engine, "olt-002")
    # its inventory is untouched; the run's log and the unreachable watch (a failed login is a
    # failed pass: alerts/outages.py counts them towards an outage) are meant to move
    moving = ("sync_runs", "outage_watch")
    assert {t: v for t, v in after.items() if t not in moving} == \
           {t: v for t, v in before.items() if t not in moving}


def _slow(ops: Ops, seconds: float) -> None:
    def set_latency() -> None:
        for o in ops.olts.values():
            o.knobs.command_latency_s = seconds

    ops.sim.call(set_latency)


def _running_with_sessions(ops: Ops, logins_before: int) -> Callable[[Any], bool]:
    def ready(run: Any) -> bool:
        logins = sum(o.login_attempts for o in ops.olts.values())
        return run.state_name == "Running" and logins > logins_before
    return ready


def test_cancelled_run_ends_cancelled_and_leaves_no_partial_dataset(ops: Ops) -> None:
    _mutate(ops, ["olt-003"], "Cancelada")
    before = snapshot_olt(ops.engine, "olt-003")
    _slow(ops, 1.0)
    try:
        logins = sum(o.login_attempts for o in ops.olts.values())
        run_id = ops.deployment_run("sync-olt/one-olt", "olt_name=olt-003")
        ops.wait(run_id, _running_with_sessions(ops, logins), timeout=120)
        done = ops.cli("prefect", "flow-run", "cancel", run_id)
        assert done.returncode == 0, done.stdout + done.stderr
        run = ops.wait(run_id, timeout=120)
    finally:
        _slow(ops, 0)
    assert run.state_name == "Cancelled", run.state.message
    ops.mid = {"olt-003": snapshot_olt(ops.engine, "olt-003")}
    # the next run completes; each table is then before or after, never between
    rerun = ops.wait(ops.deployment_run("sync-olt/one-olt", "olt_name=olt-003"))
    assert rerun.state_name == "Completed", rerun.state.message
    assert diff_olt(ops.engine, ops.truth()["olt-003"]) == {}
    _assert_no_partial_dataset(ops, "olt-003", before, snapshot_olt(ops.engine, "olt-003"))


def test_worker_killed_mid_run_damages_nothing_and_the_next_run_succeeds(ops: Ops) -> None:
    _mutate(ops, list(ops.olts), "Queda")
    before = {n: snapshot_olt(ops.engine, n) for n in ops.olts}
    _slow(ops, 1.0)
    try:
        logins = sum(o.login_attempts for o in ops.olts.values())
        run_id = ops.deployment_run("sync-fleet/hourly")
        run = ops.wait(run_id, _running_with_sessions(ops, logins), timeout=120)
        time.sleep(1)
        flow_pid = int(str(run.infrastructure_pid).rsplit(":", 1)[-1])
        workers = _worker_pids(ops)
        assert len(workers) == 2
        os.kill(flow_pid, signal.SIGKILL)  # the host's view of a crash: no clean-up runs
        for pid in workers.values():
            os.kill(int(pid), signal.SIGKILL)
        ops.mid = {n: snapshot_olt(ops.engine, n) for n in ops.olts}
    finally:
        _slow(ops, 0)
    # supervisor brings both workers back
    deadline = time.monotonic() + 60
    while True:
        again = _worker_pids(ops)
        if len(again) == 2 and not set(again.values()) & set(workers.values()):
            break
        assert time.monotonic() < deadline, ops.supervisorctl("status")
        time.sleep(1)
    # the zombie automation marks the silent run Crashed, which frees the hourly deployment's slot
    crashed = ops.wait(run_id, timeout=180)
    assert crashed.state_name == "Crashed", crashed.state.message
    nxt = ops.wait(ops.deployment_run("sync-fleet/hourly"))
    assert nxt.state_name == "Completed", nxt.state.message
    for name, truth in ops.truth().items():
        assert diff_olt(ops.engine, truth) == {}, name
        _assert_no_partial_dataset(ops, name, before[name], snapshot_olt(ops.engine, name))


def _worker_pids(ops: Ops) -> dict[str, str]:
    return dict(re.findall(r"(oltsync-worker:\S+)\s+RUNNING\s+pid (\d+)", ops.supervisorctl("status")))


def test_drain_restarts_workers_without_stranding_a_run(ops: Ops) -> None:
    _mutate(ops, ["olt-001", "olt-002"], "Drenagem")
    pids = _worker_pids(ops)
    _slow(ops, 0.5)
    try:
        logins = sum(o.login_attempts for o in ops.olts.values())
        first = ops.deployment_run("sync-olt/one-olt", "olt_name=olt-001")
        ops.wait(first, _running_with_sessions(ops, logins), timeout=120)
        restart = f"{BIN / 'supervisorctl'} -c {ops.supervisor_conf} restart oltsync-worker:*"
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "OLTSYNC_"))}
        drain = subprocess.Popen(
            [str(ROOT / "deployments" / "with-env"), str(BIN / "python"), "-m", "oltsync", "drain",
             "--restart", restart, "--timeout", "300"],
            cwd=ROOT, env={**env, "OLTSYNC_ENV_FILE": ops.env["_FILE"], "PYTHONUNBUFFERED": "1"},
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        lines: list[str] = []
        reader = threading.Thread(target=lambda: lines.extend(drain.stdout), daemon=True)
        reader.start()
        deadline = time.monotonic() + 30
        with ops.client() as client:
            while not client.read_work_pool("oltsync").is_paused:
                assert time.monotonic() < deadline and drain.poll() is None
                time.sleep(0.2)
        _slow(ops, 5.0)  # the first run stays in flight while we look
        second = ops.deployment_run("sync-olt/one-olt", "olt_name=olt-002")  # arrives mid-drain
        # Two worker polls: a paused pool hands it to no one. Looked at only while the drain still
        # waits for the first run (once it has printed that none is in flight, it restarts and
        # resumes, and the new workers may take it at once).
        seen = []
        for _ in range(20):
            waiting = not any("no flow run in flight" in line for line in lines)
            state = ops.flow_run(second).state_name
            if not waiting:
                break
            seen.append(state)
            time.sleep(0.2)
        assert seen and set(seen) <= {"Scheduled", "Late"}, seen
        _slow(ops, 0)
        drain.wait(timeout=400)
        reader.join(timeout=10)
        out = "".join(lines)
    finally:
        _slow(ops, 0)
    assert drain.returncode == 0, out
    assert "work pool 'oltsync' paused" in out and "waiting for 1 flow run(s): olt-001" in out
    assert "ran `" in out and out.rstrip().endswith("work pool 'oltsync' resumed")
    assert ops.flow_run(first).state_name == "Completed"  # finished before the restart
    with ops.client() as client:
        assert not client.read_work_pool("oltsync").is_paused
    after = _worker_pids(ops)
    assert len(after) == 2 and not set(after.values()) & set(pids.values())
    run = ops.wait(second)  # the restarted workers pick up what waited
    assert run.state_name == "Completed", run.state.message
    truth = ops.truth()
    assert diff_olt(ops.engine, truth["olt-001"]) == {}
    assert diff_olt(ops.engine, truth["olt-002"]) == {}


def test_status_command_reports_runs_pool_and_olts(ops: Ops) -> None:
    done = ops.cli(str(BIN / "python"), "-m", "oltsync", "status", "--json")
    assert done.returncode == 0, done.stderr
    status = yaml.safe_load(done.stdout)
    assert status["prefect"]["api"].startswith("http://127.0.0.1:")  # the server it talks to
    assert status["prefect"]["pool"]["name"] == "oltsync"
    assert len([w for w in status["prefect"]["pool"]["workers"] if w["status"] == "ONLINE"]) == 2
    olts = {o["olt"]: o for o in status["olts"]}
    assert sorted(olts) == sorted(ops.olts)
    assert all(o["status"] == "ok" and o["error"] is None for o in olts.values())
    # one run, one time: the last good sync is the last sync when it went well
    assert all(o["last_ok"] == o["last_sync"] for o in olts.values()), olts
    schedules = {d["name"]: d["schedules"] for d in status["prefect"]["deployments"]}
    assert schedules["sync-fleet/hourly"] == ["0 * * * * (America/Sao_Paulo)"], schedules


def test_outage_alerts_reach_a_webhook_once_per_outage(ops: Ops, tmp_path: Path) -> None:
    """Through the status-pass deployment, the real server's automations and a custom-webhook
    notification block: a cut PON port sends one message, one reminder while it stays dark, its
    return one more; dark again after that RESOLVED is told again, and its return within the
    cooldown is held (a flapping port's RESOLVED waits until it stays up)."""
    from prefect.blocks.notifications import CustomWebhookNotificationBlock

    inbox = WebhookInbox()
    try:
        with ops.client():
            CustomWebhookNotificationBlock(
                name="noc", url=inbox.url, method="POST", allow_private_urls=True,
                json_data={"text": "{{subject}} | {{body}}"}).save("noc-e2e", overwrite=True)
        config = tmp_path / "alerts.yaml"
        config.write_text(yaml.safe_dump({"language": "en", "reminder": "15s",
                                          "notify": [{"block": "custom-webhook/noc-e2e"}]}))
        done = ops.cli("env", f"OLTSYNC_ALERTS={config}", str(BIN / "python"), "-m", "oltsync",
                       "bootstrap", "--skip", "deployments", "--skip", "database")
        assert done.returncode == 0 and ("custom-webhook/noc-e2e created (reminder after 0:00:15)"
                                         in done.stdout), done.stdout + done.stderr
        olt = ops.olts["olt-001"]
        port = olt.onus[0].port

        def status_pass() -> None:
            # the scheduled pass may be running: ours is then cancelled (never overlapping)
            for _ in range(5):
                run = ops.wait(ops.deployment_run("status-pass/every-5-minutes"))
                if run.state_name != "Cancelled":
                    break
                time.sleep(5)
            assert run.state_name == "Completed", run.state.message

        run = ops.wait(ops.deployment_run("sync-olt/one-olt", "olt_name=olt-001"))
        assert run.state_name == "Completed", run.state.message  # the baseline after earlier tests
        cut = ops.sim.call(lambda: olt.cut_port(port))
        assert len(cut) >= 4
        status_pass()
        (opened,) = inbox.wait_for(1)
        assert opened.startswith(f"OUTAGE olt-001 {port} | LOS outage on OLT olt-001, PON {port}: "
                                 f"{len(cut)} ONUs offline ({len(cut)} LOS, 0 dying gasp)"), opened
        messages = inbox.wait_for(2, timeout=60)  # still dark after the reminder time: told again
        assert len(messages) == 2 and messages[1].startswith(
            f"STILL DOWN olt-001 {port} | The LOS outage on OLT olt-001, PON {port} is still "
            f"open (since "), messages
        ops.sim.call(olt.restore)
        status_pass()
        messages = inbox.wait_for(3)
        assert len(messages) == 3 and messages[2].startswith(f"RESOLVED olt-001 {port} | "), messages
        ops.sim.call(lambda: olt.cut_port(port))  # dark again: the operator saw RESOLVED
        status_pass()
        messages = inbox.wait_for(4)
        assert len(messages) == 4 and messages[3].startswith(
            f"OUTAGE olt-001 {port} | LOS outage on OLT olt-001, PON {port} again (dark 2 "
            "times since "), messages
        messages = inbox.wait_for(5, timeout=60)  # its reminder window started again
        assert len(messages) == 5 and messages[4].startswith(f"STILL DOWN olt-001 {port} | "), \
            messages
        ops.sim.call(olt.restore)  # back within the cooldown: flapping, its RESOLVED held
        status_pass()
        assert inbox.wait_for(6, timeout=12) == messages
    finally:
        inbox.stop()


def test_the_web_page_runs_beside_the_server_and_workers_locked(ops: Ops) -> None:
    """supervisor's oltsync-web program, restarted once the bootstrap wrote its login (as the
    bootstrap says), serves the inventory the runs above stored, and only with that login."""
    login = re.search(r"^OLTSYNC_WEB_AUTH=(\S+):(\S+)$", Path(ops.env["_FILE"]).read_text(),
                      re.M)
    assert login, "the bootstrap wrote no web login"
    ops.supervisorctl("restart", "oltsync-web")
    base = f"http://127.0.0.1:{ops.env['OLTSYNC_WEB_PORT']}"
    _wait_healthy(f"{base}/healthz", 60, lambda: ops.supervisorctl("status"))
    assert re.search(r"oltsync-web\s+RUNNING", ops.supervisorctl("status"))
    assert httpx.get(f"{base}/api/olts", timeout=10).status_code == 401
    assert httpx.get(f"{base}/onus", timeout=10).status_code == 303
    fleet = httpx.get(f"{base}/api/olts", auth=(login.group(1), login.group(2)), timeout=30)
    assert fleet.status_code == 200
    with ops.engine.connect() as conn:
        counts = dict(conn.execute(text(
            "SELECT olt, count(*) FROM onus WHERE removed_at IS NULL GROUP BY olt")).all())
    assert {o["name"]: o["onus"] for o in fleet.json()} == counts
    assert sorted(counts) == sorted(ops.olts)
