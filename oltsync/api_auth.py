"""The Prefect API is locked: one auth string (`user:password`, HTTP basic auth) shared by the
server (`PREFECT_SERVER_API_AUTH_STRING`) and every client (`PREFECT_API_AUTH_STRING`).

Without it, anyone who reaches the API can read every Secret block and the database block's
password, or start a flow run that runs as the service user with every OLT password in its
environment. The bootstrap generates the string on first use and keeps it in the environment
file (mode 600); `python -m oltsync server` refuses to start an open server; a throw-away server
(`demo`, `sync` without a server: oltsync/local_server.py) gets a fresh string of its own.
"""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path

from core.errors import ConfigError

SERVER_VAR = "PREFECT_SERVER_API_AUTH_STRING"
CLIENT_VAR = "PREFECT_API_AUTH_STRING"
USER = "oltsync"
DEFAULT_ENV_FILE = "/etc/oltsync/oltsync.env"


def generate() -> str:
    return f"{USER}:{secrets.token_urlsafe(32)}"


def fresh_pair() -> dict[str, str]:
    """Both variables with one new value: for a throw-away server and its clients."""
    value = generate()
    return {SERVER_VAR: value, CLIENT_VAR: value}


def lock_test_harness() -> None:
    """Before Prefect is imported, for code that runs Prefect's test harness (the benchmarks):
    its temporary server and this process's clients share a fresh auth string."""
    if not (os.environ.get(SERVER_VAR) or os.environ.get(CLIENT_VAR)):
        os.environ.update(fresh_pair())


def env_file_path() -> Path:
    return Path(os.environ.get("OLTSYNC_ENV_FILE") or DEFAULT_ENV_FILE)


def _read_value(text: str, var: str) -> str | None:
    m = re.search(rf"(?m)^[ \t]*{var}[ \t]*=[ \t]*(\S.*?)[ \t]*$", text)
    return m.group(1).strip("'\"") if m else None


def ensure_in_env_file(path: Path) -> tuple[str, bool]:
    """The auth string in `path`, written there (both variables, file made mode 600) if missing.
    Returns (value, whether it was written now)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read the environment file {path} ({exc.strerror}): set "
                          "OLTSYNC_ENV_FILE, or run this through deployments/with-env") from None
    server, client = _read_value(text, SERVER_VAR), _read_value(text, CLIENT_VAR)
    if server and client and server != client:
        raise ConfigError(f"{path}: {SERVER_VAR} and {CLIENT_VAR} differ; the server and its "
                          "clients must share one value")
    value = server or client
    if value and server and client:
        return value, False
    value = value or generate()
    lines = ["", "# The Prefect API's auth string (written by `python -m oltsync bootstrap`): the "
                 "server checks it, every client sends it.",
             *(f"{var}={value}" for var, have in ((SERVER_VAR, server), (CLIENT_VAR, client))
               if not have)]
    try:
        with path.open("a", encoding="utf-8") as f:
            f.write(("" if text.endswith("\n") or not text else "\n") + "\n".join(lines) + "\n")
        path.chmod(0o600)
    except OSError as exc:
        raise ConfigError(f"cannot write the environment file {path} ({exc.strerror})") from None
    return value, True


def ensure_web_auth(path: Path) -> str:
    """The web page's credentials (OLTSYNC_WEB_AUTH, web/auth.py), generated into the environment
    file when neither this process nor the file has them; one line saying where they are."""
    from web.auth import VAR, generate

    if os.environ.get(VAR):
        return f"web page: locked ({VAR} set)"
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read the environment file {path} ({exc.strerror}): set "
                          "OLTSYNC_ENV_FILE, or run this through deployments/with-env") from None
    if _read_value(text, VAR):
        return f"web page: locked ({VAR} in {path}; restart oltsync-web if it was just added)"
    try:
        with path.open("a", encoding="utf-8") as f:
            f.write(("" if text.endswith("\n") or not text else "\n")
                    + "\n# The web page's login, user:password (written by `oltsync bootstrap`)\n"
                    + f"{VAR}={generate()}\n")
        path.chmod(0o600)
    except OSError as exc:
        raise ConfigError(f"cannot write the environment file {path} ({exc.strerror})") from None
    return (f"web page: wrote a login ({VAR}) into {path} (mode 600): restart oltsync-web to "
            "use it")


def check_locked(api_url: str, auth: str) -> str:
    """The API refuses a request without credentials and accepts ours; else a ConfigError."""
    import base64

    import httpx

    probe = f"{api_url.rstrip('/')}/block_documents/filter"  # what would hand out secrets
    header = {"Authorization": "Basic " + base64.b64encode(auth.encode()).decode()}
    try:
        bare = httpx.post(probe, json={}, timeout=10)
        ours = httpx.post(probe, json={"limit": 1}, headers=header, timeout=10)
    except httpx.HTTPError as exc:
        raise ConfigError(f"the Prefect API at {api_url} is unreachable: {exc}") from None
    if bare.status_code != 401:
        raise ConfigError(f"the Prefect API at {api_url} answers without credentials (HTTP "
                          f"{bare.status_code}): set {SERVER_VAR} on the server, the same value as "
                          f"{CLIENT_VAR} here, and restart it")
    if ours.status_code == 401:
        raise ConfigError(f"the Prefect API at {api_url} refuses {CLIENT_VAR}: the server and "
                          "its clients must share one value")
    return "Prefect API: locked (requests without the auth string get 401)"
