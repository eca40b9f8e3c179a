"""Prefect servers oltsync starts are locked, and none outlives its command: `python -m oltsync
server` refuses to start an open server; the throw-away server of `sync` is locked with a one-time
auth string and stops when `sync` dies, even by SIGKILL."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent


def _fresh_shell_env(**extra: str) -> dict[str, str]:
    """An operator's shell: none of the tests' Prefect or oltsync settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "OLTSYNC_"))}
    return {**env, "PREFECT_SERVER_ANALYTICS_ENABLED": "false", **extra}


def test_the_server_command_refuses_to_start_an_open_api(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "oltsync", "server", "--port", "1"], cwd=ROOT,
                          env=_fresh_shell_env(PREFECT_HOME=str(tmp_path)), capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 78
    assert "refusing to start an open Prefect server" in done.stderr
    assert "PREFECT_SERVER_API_AUTH_STRING is not set" in done.stderr


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def test_sync_without_a_server_is_locked_and_its_server_dies_with_it(fleet, tmp_path: Path) -> None:
    f = fleet(1, 2048, seed=61)  # big enough to be mid-sync when it is killed
    olt = next(iter(f.olts.values()))
    env = _fresh_shell_env(
        PREFECT_HOME=str(tmp_path / "prefect"), OLTSYNC_DATABASE_URL=f"sqlite:///{tmp_path / 'x.db'}",
        OLTSYNC_KNOWN_HOSTS=str(tmp_path / "known_hosts"), OLTSYNC_CAPTURE_DIR="",
        **{f"OLTSYNC_TEST_OLT_PASSWORD_{olt.name.upper().replace('-', '_')}": olt.password})
    subprocess.run([sys.executable, "-m", "oltsync", "db", "upgrade"], cwd=ROOT, env=env,
                   check=True, capture_output=True, timeout=120)
    proc = subprocess.Popen([sys.executable, "-m", "oltsync", "sync", "--inventory",
                             str(f.inventory_path)], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 120
        line = ""
        while "temporary Prefect server" not in line:
            line = proc.stdout.readline()
            assert line or proc.poll() is None, "sync ended before its server started"
            assert time.monotonic() < deadline
        m = re.search(r"\(pid (\d+)\) on (http://127\.0\.0\.1:(\d+)/api)", line)
        api, port = m.group(2), int(m.group(3))
        assert httpx.post(f"{api}/block_documents/filter", json={}, timeout=10).status_code == 401
        while olt.login_attempts == 0:  # the sync is under way
            assert proc.poll() is None, proc.stdout.read()[-3000:]
            assert time.monotonic() < deadline
            time.sleep(0.1)
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        deadline = time.monotonic() + 20
        while _answers(port):
            assert time.monotonic() < deadline, "the temporary server outlived its command"
            time.sleep(0.2)
    finally:
        if proc.poll() is None:
            proc.kill()
