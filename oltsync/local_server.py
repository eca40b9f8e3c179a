"""A throw-away Prefect server for `python -m oltsync demo` and `sync` when no server is
configured: locked with a fresh auth string, on a free loopback port, and gone when this process
goes — even when it is killed with SIGKILL, which Prefect's own temporary server outlives.

It is the command Prefect's temporary server runs (uvicorn with Prefect's app, one process), so
the kernel's parent-death signal reaches the whole server (Linux `PR_SET_PDEATHSIG`).
"""

from __future__ import annotations

import ctypes
import importlib.util
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from core.errors import ConfigError
from oltsync import api_auth

PR_SET_PDEATHSIG = 1


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _die_with(parent: int) -> Callable[[], None]:
    def preexec() -> None:  # in the child, before exec: it keeps the setting across exec
        if sys.platform.startswith("linux"):
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
        if os.getppid() != parent:  # the parent died before the line above
            os._exit(1)
    return preexec


@contextmanager
def local_server(say: Callable[[str], None] = print) -> Iterator[bool]:
    """Make sure this process has a Prefect server; yield whether it is a throw-away one started
    here (which then holds nothing yet). Call before Prefect is imported: the URL and auth string
    reach this process's clients through the environment."""
    if os.environ.get("PREFECT_API_URL"):
        yield False  # a real server, with the environment file's auth string
        return
    # Prefect's location, without importing it: its settings are read from the environment once,
    # at import, and the environment is only right after the server is up.
    spec = importlib.util.find_spec("prefect")
    app_dir = Path(spec.origin).parent.parent if spec and spec.origin else None
    if app_dir is None:
        raise ConfigError("Prefect is not installed in this environment")
    auth = api_auth.generate()
    port = _free_port()
    url = f"http://127.0.0.1:{port}/api"
    env = {**os.environ, api_auth.SERVER_VAR: auth, "PREFECT_UI_ENABLED": "0",
           "PREFECT__SERVER_EPHEMERAL": "1", "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--app-dir", str(app_dir),
         "--factory", "prefect.server.api.server:create_app", "--host", "127.0.0.1", "--port",
         str(port), "--log-level", "error", "--lifespan", "on"],
        env=env, preexec_fn=_die_with(os.getpid()))
    try:
        _wait_healthy(url, proc)
        os.environ.update({"PREFECT_API_URL": url, api_auth.CLIENT_VAR: auth,
                           "PREFECT_SERVER_ALLOW_EPHEMERAL_MODE": "false"})
        say(f"temporary Prefect server (pid {proc.pid}) on {url}, locked with a one-time auth "
            "string; it stops with this command")
        yield True
    finally:
        drain_prefect()
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def drain_prefect() -> None:
    """Send the logs and events still queued in this process while the server can take them
    (else Prefect prints "Error logging to API" for each at exit)."""
    if "prefect" not in sys.modules:
        return
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker

    for worker in (APILogWorker, EventsWorker):
        try:
            worker.drain_all(timeout=5)
        except Exception:  # noqa: BLE001,S110 - best effort: the server goes either way
            pass


def _wait_healthy(url: str, proc: subprocess.Popen, timeout: float = 120) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise ConfigError(f"the temporary Prefect server exited with {proc.returncode}")
        try:
            if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise ConfigError(f"the temporary Prefect server did not answer within {timeout:.0f} s")
