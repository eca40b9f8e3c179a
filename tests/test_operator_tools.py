"""What an operator installs with: rendered service files, the environment file, the worker that
waits for its server, a lab simulator that keeps its host key, the UI screenshot tool's checks."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from core.errors import ConfigError
from oltsync import service_files as sf
from oltsync.worker import wait_for_api

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def _oltsync(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / "oltsync"), *args], capture_output=True, text=True,
                          timeout=120, env=env)


def test_systemd_units_for_another_prefix_user_and_env_file(tmp_path: Path) -> None:
    env_file = tmp_path / "etc" / "olt.env"
    done = _oltsync("service-files", "--systemd", "--out", str(tmp_path / "units"),
                    "--prefix", "/srv/olt", "--user", "gpon", "--env-file", str(env_file),
                    "--log-dir", str(tmp_path / "log"), "--state-dir", str(tmp_path / "state"))
    assert done.returncode == 0, done.stderr
    server = (tmp_path / "units" / "oltsync-prefect-server.service").read_text()
    worker = (tmp_path / "units" / "oltsync-worker.service").read_text()
    web = (tmp_path / "units" / "oltsync-web.service").read_text()
    for unit in (server, worker, web):
        assert "User=gpon" in unit and "Group=gpon" in unit and "User=oltsync" not in unit
        assert f"EnvironmentFile={env_file}" in unit and "WorkingDirectory=/srv/olt" in unit
        assert "/opt/oltsync" not in unit and "/etc/oltsync" not in unit
    assert "ExecStart=/srv/olt/.venv/bin/oltsync server" in server
    assert "ExecStart=/srv/olt/.venv/bin/oltsync worker --name oltsync-%H --limit 8" in worker
    assert "ExecStart=/srv/olt/.venv/bin/oltsync web\n" in web
    # no --set and no file: the environment file is created from the example, for these paths
    text = env_file.read_text()
    assert env_file.stat().st_mode & 0o777 == 0o600
    assert "OLTSYNC_INVENTORY=/srv/olt/inventory.yaml" in text
    # the web page is locked from the start: a login of its own, generated
    login = re.search(r"^OLTSYNC_WEB_AUTH=oltsync:(\S{20,})$", text, re.M)
    assert login and login.group(1) not in done.stdout + done.stderr
    assert f"PREFECT_HOME={tmp_path / 'state'}/prefect" in text
    assert "next:" in done.stdout and "systemctl enable --now" in done.stdout
    steps = done.stdout.split("next:", 1)[1]
    # the bootstrap before the services start (it writes the API's auth string) and after
    assert steps.count("oltsync bootstrap") == 2
    assert steps.index("oltsync bootstrap") < steps.index("systemctl enable --now")


def test_supervisor_files_and_set_values_in_an_existing_env_file(tmp_path: Path) -> None:
    env_file = tmp_path / "olt.env"
    env_file.write_text("PREFECT_API_URL=http://127.0.0.1:4200/api\nOLTSYNC_OLT_PASSWORD=old\n"
                        "# OLTSYNC_WORK_POOL=oltsync\n")
    layout = sf.Layout(prefix="/srv/olt", env_file=str(env_file), log_dir="/srv/log",
                       state_dir="/srv/state", user=None, workers=3)
    out = tmp_path / "sup"
    names = [p.name for p in sf.render("supervisor", layout, out)]
    assert names == ["supervisord.conf", "oltsync.conf"]
    main = (out / "supervisord.conf").read_text()
    assert "file=/srv/state/supervisor.sock" in main and "serverurl=unix:///srv/state/" in main
    assert "supervisor.rpcinterface:make_main_rpcinterface" in main
    assert "files = oltsync.conf" in main and "logfile=/srv/log/supervisord.log" in main
    programs = (out / "oltsync.conf").read_text()
    assert "numprocs=3" in programs and "\nuser=" not in programs
    assert "[program:oltsync-web]" in programs and \
        "command=/srv/olt/deployments/with-env /srv/olt/.venv/bin/oltsync web\n" in programs
    assert ("command=/srv/olt/deployments/with-env /srv/olt/.venv/bin/oltsync worker"
            in programs)
    assert f'OLTSYNC_ENV_FILE="{env_file}"' in programs
    assert f"-c {out.resolve()}/supervisord.conf restart" in programs  # the drain line
    created = sf.write_env_file(env_file, layout, {"OLTSYNC_OLT_PASSWORD": "n3w=pw",
                                                   "OLTSYNC_WORK_POOL": "gpon",
                                                   "OLTSYNC_SSH_LIMIT_SLOTS": "16"})
    assert not created
    assert env_file.read_text() == ("PREFECT_API_URL=http://127.0.0.1:4200/api\n"
                                    "OLTSYNC_OLT_PASSWORD=n3w=pw\nOLTSYNC_WORK_POOL=gpon\n"
                                    "OLTSYNC_SSH_LIMIT_SLOTS=16\n")
    assert env_file.stat().st_mode & 0o777 == 0o600
    with pytest.raises(ConfigError, match="not an environment variable name"):
        sf.write_env_file(env_file, layout, {"lower; rm -rf": "x"})


class _Health(BaseHTTPRequestHandler):
    answers: list[int] = []

    def do_GET(self) -> None:  # noqa: N802
        code = self.answers.pop(0) if self.answers else 200
        self.send_response(code)
        self.send_header("Content-Length", "4")
        self.end_headers()
        self.wfile.write(b"true")

    def log_message(self, *args: object) -> None:
        pass


def test_the_worker_waits_for_the_api_health_then_goes_and_gives_up_clearly() -> None:
    _Health.answers = [503, 503]
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Health)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    said: list[str] = []
    try:
        t0 = time.monotonic()
        wait_for_api(f"http://127.0.0.1:{server.server_address[1]}/api", "u:p", 30, poll_s=0.1,
                     out=said.append)
        assert time.monotonic() - t0 < 10 and not _Health.answers  # asked until it answered 200
        assert said and "HTTP 503" in said[0]
    finally:
        server.shutdown()
        server.server_close()  # refused from now on
    with pytest.raises(ConfigError, match=r"did not answer its health check within 1 s"):
        wait_for_api(f"http://127.0.0.1:{server.server_address[1]}/api", None, 1, poll_s=0.2,
                     out=said.append)


def test_the_simulator_keeps_its_host_key_across_restarts(tmp_path: Path) -> None:
    from simulator.fleet import generate_fleet
    from simulator.server import Simulator

    key = tmp_path / "sim_host_key"
    olts = generate_fleet(1, 4, seed=3)
    first = Simulator(olts, host_key=str(key))._key.export_public_key()
    assert key.stat().st_mode & 0o777 == 0o600
    assert Simulator(olts, host_key=str(key))._key.export_public_key() == first
    assert Simulator(olts)._key.export_public_key() != first  # without a file: a new key


def test_the_screenshot_tool_checks_for_chromium_before_starting_anything(tmp_path: Path) -> None:
    env = {**os.environ, "PATH": str(tmp_path)}  # no chromium here
    t0 = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "tools.ui_screenshot", "--out",
                           str(tmp_path / "x.png")], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode != 0 and "chromium not found" in done.stderr
    assert "nothing was started" in done.stderr and time.monotonic() - t0 < 30
    assert not (tmp_path / "x.png").exists()
    needs_out = subprocess.run([sys.executable, "-m", "tools.ui_screenshot"], cwd=ROOT, env=env,
                               capture_output=True, text=True, timeout=60)
    assert needs_out.returncode == 2 and "--out" in needs_out.stderr  # no default over a tracked file
