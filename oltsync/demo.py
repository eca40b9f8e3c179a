"""The quick start: a small simulated fleet, one sync-fleet run into the embedded SQLite database,
and a summary of what landed. Everything runs on this machine, over real SSH on loopback."""

from __future__ import annotations

import logging
import os
import secrets
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import yaml

from simulator.fleet import generate_fleet
from simulator.server import Simulator
from simulator.truth import inventory

PASSWORD_ENV = "OLTSYNC_DEMO_OLT_PASSWORD"
DEMO_PLATFORMS = "huawei_smartax,zte_c300,huawei_smartax,zte_c600"


@contextmanager
def _logs_in(path: Path) -> Iterator[None]:
    """Prefect's and paramiko's lines go to `path`; the terminal keeps errors only."""
    handler = logging.FileHandler(path, mode="w", encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    # Prefect's console handler sits on the root logger, where its run loggers' lines arrive
    quieted = [(h, h.level) for h in logging.getLogger().handlers
               if isinstance(h, logging.StreamHandler) and not isinstance(h, logging.FileHandler)]
    for h, _ in quieted:
        h.setLevel(logging.ERROR)
    paramiko = logging.getLogger("paramiko")
    propagate, paramiko.propagate = paramiko.propagate, False  # its end-of-session noise
    for name in ("prefect", "paramiko"):
        logging.getLogger(name).addHandler(handler)
    try:
        yield
    finally:
        for h, level in quieted:
            h.setLevel(level)
        for name in ("prefect", "paramiko"):
            logging.getLogger(name).removeHandler(handler)
        paramiko.propagate = propagate
        handler.close()


def run_demo(olts: int = 4, onus: int = 256, seed: int = 1, workdir: str = "demo-out") -> int:
    from core.settings import Settings
    from core.terminal import format_summary
    from flows.sync_fleet import sync_fleet
    from oltsync.bootstrap import ensure_ssh_limit
    from storage import migrate
    from storage.db import database_url, get_engine, safe_url
    from storage.queries import database_summary

    out = Path(workdir)
    out.mkdir(exist_ok=True)
    password = secrets.token_urlsafe(12)  # exists only in this process
    os.environ[PASSWORD_ENV] = password
    # The simulator makes a new host key on every start: keep its keys apart from real OLTs'.
    known = out / "simulator_known_hosts"
    known.unlink(missing_ok=True)
    os.environ["OLTSYNC_KNOWN_HOSTS"] = str(known)
    # Both vendor families our users run: Huawei SmartAX beside ZTE C300 (ZXAN) and C600 (TITAN).
    fleet = generate_fleet(olts, onus, seed, DEMO_PLATFORMS)
    for o in fleet:
        o.password = password
    url = database_url()
    print(f"database: {safe_url(url)} (migrating to {migrate.upgrade(url)})")
    with Simulator(fleet):
        inv_path = out / "inventory.yaml"
        inv_path.write_text(yaml.safe_dump(inventory(fleet, PASSWORD_ENV), sort_keys=False))
        kinds = Counter(o.platform for o in fleet)
        print(f"simulated fleet: {olts} OLTs ({', '.join(f'{n} {p}' for p, n in kinds.items())}) "
              f"x {onus} ONUs on 127.0.0.1 (inventory: {inv_path})")
        log = out / "demo.log"
        print(f"running the sync-fleet flow (its log: {log})...")
        ensure_ssh_limit(Settings.from_env())  # what `python -m oltsync bootstrap` does on a server
        with _logs_in(log):
            state = sync_fleet(inventory_path=str(inv_path), return_state=True)
    print(f"\nsync-fleet: {state.name}")
    print(format_summary(database_summary(get_engine(url))))
    user, password = _web_login(out / "web.env", url)
    print(f"\nBrowse it: .venv/bin/oltsync web --env-file {out / 'web.env'}\n"
          f"  then open http://127.0.0.1:8300/ and log in as {user} / {password}")
    return 0 if state.is_completed() else 1


def _web_login(path: Path, url: str) -> tuple[str, str]:
    """The web page's login for the demo's database, in `path` (mode 600), kept across demos."""
    from sqlalchemy.engine import make_url

    from web.auth import VAR, generate

    u = make_url(url)
    if u.get_backend_name() == "sqlite" and u.database:  # where the demo ran, wherever it is opened
        url = u.set(database=str(Path(u.database).resolve())).render_as_string(hide_password=False)
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    login = next((line.split("=", 1)[1] for line in old.splitlines()
                  if line.startswith(f"{VAR}=")), None) or generate("demo")
    path.touch(mode=0o600, exist_ok=True)
    path.chmod(0o600)
    path.write_text(f"# the demo's web page (`oltsync web --env-file {path}`)\n"
                    f"{VAR}={login}\nOLTSYNC_DATABASE_URL={url}\n", encoding="utf-8")
    user, _, password = login.partition(":")
    return user, password
