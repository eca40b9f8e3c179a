"""`oltsync web`: the read-only web page and JSON API, served by uvicorn.

It listens on loopback unless told otherwise (put it behind a TLS reverse proxy to reach it from
elsewhere: docs/web.md), and refuses to start without credentials (OLTSYNC_WEB_AUTH). Access
lines carry the request line only; nothing else of a request is logged."""

from __future__ import annotations

import ipaddress
import os
import time

from core.errors import ConfigError, DatabaseError

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8300
DEFAULT_WORKERS = 2


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def address(host: str | None, port: int | None) -> tuple[str, int]:
    """The command line's, else OLTSYNC_WEB_HOST / OLTSYNC_WEB_PORT, else loopback:8300."""
    host = host or os.environ.get("OLTSYNC_WEB_HOST") or DEFAULT_HOST
    raw = port if port is not None else os.environ.get("OLTSYNC_WEB_PORT") or DEFAULT_PORT
    if not str(raw).isdigit() or not 1 <= int(raw) <= 65535:
        raise ConfigError(f"web: port {raw!r} is not a TCP port (1-65535): set --port or "
                          "OLTSYNC_WEB_PORT")
    return host, int(raw)


def load_env_file(path: str) -> None:
    """KEY=value lines (the environment file's format) into this process; the environment wins."""
    try:
        text = open(path, encoding="utf-8").read()  # noqa: PTH123, SIM115
    except OSError as exc:
        raise ConfigError(f"web: cannot read --env-file {path} ({exc.strerror})") from None
    for line in text.splitlines():
        key, sep, value = line.strip().partition("=")
        if sep and key and not key.startswith("#"):
            os.environ.setdefault(key.strip(), value.strip().strip("'\""))


def wait_for_database(url: str, wait_s: float) -> None:
    """Until the database answers at the code's revision (the bootstrap migrates it after the
    services start), saying once what it waits for; then the error, in one sentence."""
    from storage import migrate

    deadline, said = time.monotonic() + wait_s, False
    while True:
        try:
            migrate.check(url)
            return
        except DatabaseError as exc:
            if time.monotonic() >= deadline:
                raise
            if not said:
                print(f"oltsync web: waiting up to {wait_s:.0f} s for the database: {exc}",
                      flush=True)
                said = True
            time.sleep(2)


def serve(host: str | None = None, port: int | None = None, proxied: bool = False,
          wait_s: float = 300, workers: int | None = None) -> int:
    import uvicorn

    from storage.db import database_url, safe_url
    from web.auth import Credentials

    Credentials.from_env()  # before anything: a ConfigError names what to set
    host, port = address(host, port)
    workers = workers or int(os.environ.get("OLTSYNC_WEB_WORKERS") or DEFAULT_WORKERS)
    if not 1 <= workers <= 64:
        raise ConfigError(f"web: {workers} workers: use 1 to 64 (--workers or "
                          "OLTSYNC_WEB_WORKERS)")
    url = database_url()
    wait_for_database(url, wait_s)
    where = "loopback only" if _is_loopback(host) else "reachable from the network: put it " \
        "behind a TLS reverse proxy (docs/web.md)"
    print(f"oltsync web: http://{host}:{port}/ ({where}), {workers} worker process(es), "
          f"database {safe_url(url)}", flush=True)
    # Worker processes, each its own application (web.app.from_env): one Python process renders
    # pages on one core. Access lines: client, request line, status; nothing else of a request.
    uvicorn.run("web.app:from_env", factory=True, workers=workers, host=host, port=port,
                log_level="info", access_log=True, proxy_headers=proxied,
                forwarded_allow_ips="127.0.0.1" if proxied else None, server_header=False,
                date_header=False)
    return 0
