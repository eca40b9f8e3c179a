"""`oltsync worker`: a Prefect process worker for oltsync's work pool, started only once the
Prefect API answers its health check. Started beside the server (supervisor starts both at once,
systemd may too), it would otherwise log "Unable to reach the Prefect API" and stop."""

from __future__ import annotations

import base64
import os
import shutil
import socket
import sys
import time
from collections.abc import Callable
from pathlib import Path

from core.errors import ConfigError


def wait_for_api(api_url: str, auth: str | None, wait_s: float, poll_s: float = 1.0,
                 out: Callable[[str], None] = print) -> None:
    """Return once `{api_url}/health` answers 200; raise ConfigError after `wait_s` seconds."""
    import httpx

    headers = {"Authorization": "Basic " + base64.b64encode(auth.encode()).decode()} if auth else {}
    deadline = time.monotonic() + wait_s
    said = 0.0
    while True:
        try:
            reply = httpx.get(f"{api_url.rstrip('/')}/health", headers=headers, timeout=5)
            if reply.status_code == 200:
                return
            why = f"HTTP {reply.status_code}"
        except httpx.HTTPError as exc:
            why = f"{type(exc).__name__}: {exc}"
        now = time.monotonic()
        if now >= deadline:
            raise ConfigError(f"the Prefect API at {api_url} did not answer its health check within "
                              f"{wait_s:.0f} s ({why}): is the server running, and PREFECT_API_URL "
                              "right?")
        if now - said >= 15:
            out(f"waiting for the Prefect API at {api_url} ({why})")
            said = now
        time.sleep(poll_s)


def run(pool: str, name: str | None, limit: int, wait_s: float) -> int:
    api = os.environ.get("PREFECT_API_URL")
    if not api:
        raise ConfigError("PREFECT_API_URL is not set: the worker needs the server's address")
    wait_for_api(api, os.environ.get("PREFECT_API_AUTH_STRING"), wait_s)
    prefect = shutil.which("prefect", path=str(Path(sys.executable).parent)) or shutil.which("prefect")
    if prefect is None:
        raise ConfigError("no `prefect` command beside this Python or on PATH (make install)")
    argv = [prefect, "worker", "start", "--pool", pool, "--type", "process",
            "--name", name or f"oltsync-{socket.gethostname()}", "--limit", str(limit)]
    sys.stdout.flush()
    os.execv(prefect, argv)  # the service manager supervises the worker itself
    return 0  # not reached
