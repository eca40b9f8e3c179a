"""A screenshot of the Prefect UI showing a fleet run and its per-OLT runs.

    python -m tools.ui_screenshot --out docs/prefect-ui-fleet-run.png          # the README's picture
    python -m tools.ui_screenshot --out run.png --api-url http://127.0.0.1:4200/api [--flow-run ID]

Needs headless Chromium (Debian's `chromium`: apt-get install chromium), checked before anything
starts. Without --api-url it starts a throw-away Prefect server on a free loopback port and a
simulated fleet, runs `sync-fleet` once into a temporary SQLite database and photographs that run;
everything it starts is stopped again. With --api-url it photographs a run on your own server (the
latest sync-fleet run, or --flow-run), with PREFECT_API_AUTH_STRING from the environment.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import yaml


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_healthy(api: str, proc: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"prefect server exited with {proc.returncode}")
        try:
            if httpx.get(f"{api}/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise SystemExit("prefect server did not become healthy")


class AuthProxy:
    """The browser's way in: the server is locked, and headless Chromium cannot type the auth
    string into the UI's login page, so it talks to this loopback proxy, which adds it (what a
    reverse proxy in front of the UI can do in production)."""

    def __init__(self, upstream: str, auth: str | None) -> None:
        import base64
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        header = "Basic " + base64.b64encode(auth.encode()).decode() if auth else None
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def _forward(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                headers = {k: v for k, v in self.headers.items()
                           if k.lower() not in ("host", "content-length", "connection")}
                if header:
                    headers["Authorization"] = header
                r = httpx.request(self.command, upstream + self.path, content=body or None,
                                  headers=headers, timeout=60)
                content = r.content
                if self.path.split("?")[0].endswith("/ui-settings") and r.status_code == 200:
                    # the UI asks the server where its API is: here, through this proxy
                    settings = r.json()
                    settings["api_url"] = f"{proxy.url}/api"
                    content = json.dumps(settings).encode()
                self.send_response(r.status_code)
                for k, v in r.headers.items():
                    if k.lower() not in ("content-length", "transfer-encoding", "connection",
                                         "content-encoding"):
                        self.send_header(k, v)
                self.send_header("Content-Length", str(len(content)))
                self.end_headers()
                self.wfile.write(content)

            do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _forward

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()


def browser() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if not found:
        raise SystemExit("ui_screenshot: chromium not found (apt-get install chromium); "
                         "nothing was started")
    return found


def shoot(browser: str, url: str, out: Path, size: str, wait_ms: int) -> None:
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                        f"--user-data-dir={profile}", f"--window-size={size}",
                        f"--virtual-time-budget={wait_ms}", f"--screenshot={out.resolve()}", url],
                       check=True, capture_output=True, timeout=180)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, required=True, help="the PNG to write")
    ap.add_argument("--api-url", help="your Prefect server's API (default: a throw-away one)")
    ap.add_argument("--flow-run", help="with --api-url: the run to show (default: the latest "
                                       "sync-fleet run)")
    ap.add_argument("--olts", type=int, default=6)
    ap.add_argument("--onus", type=int, default=256)
    ap.add_argument("--size", default="1600,1000")
    ap.add_argument("--wait-ms", type=int, default=25000, help="virtual time for the page to render")
    args = ap.parse_args(argv)
    chromium = browser()  # before anything is started
    args.out.parent.mkdir(parents=True, exist_ok=True)
    if args.api_url:
        return _own_server(chromium, args)
    return _throw_away(chromium, args)


def _own_server(chromium: str, args: argparse.Namespace) -> int:
    from oltsync.api_auth import CLIENT_VAR

    api = args.api_url.rstrip("/")
    run_id = args.flow_run or _latest_fleet_run(api)
    proxy = AuthProxy(api.removesuffix("/api"), os.environ.get(CLIENT_VAR))
    try:
        shoot(chromium, f"{proxy.url}/runs/flow-run/{run_id}", args.out, args.size, args.wait_ms)
    finally:
        proxy.stop()
    print(f"wrote {args.out} (flow run {run_id})")
    return 0


def _latest_fleet_run(api: str) -> str:
    os.environ["PREFECT_API_URL"] = api
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowFilter, FlowFilterName
    from prefect.client.schemas.sorting import FlowRunSort

    with get_client(sync_client=True) as client:
        runs = client.read_flow_runs(flow_filter=FlowFilter(name=FlowFilterName(any_=["sync-fleet"])),
                                     sort=FlowRunSort.START_TIME_DESC, limit=1)
    if not runs:
        raise SystemExit(f"ui_screenshot: no sync-fleet run on {api}; give --flow-run")
    return str(runs[0].id)


def _throw_away(chromium: str, args: argparse.Namespace) -> int:
    from oltsync.api_auth import CLIENT_VAR, fresh_pair

    tmp = Path(tempfile.mkdtemp(prefix="oltsync-ui-"))
    port = _free_port()
    api = f"http://127.0.0.1:{port}/api"
    auth = fresh_pair()  # locked like a real server; this process and the proxy send the string
    proxy = AuthProxy(f"http://127.0.0.1:{port}", auth[CLIENT_VAR])
    env = {**os.environ, **auth, "PREFECT_HOME": str(tmp / "prefect"),
           "PREFECT_SERVER_API_HOST": "127.0.0.1", "PREFECT_SERVER_API_PORT": str(port),
           "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    server = subprocess.Popen([str(Path(sys.executable).with_name("prefect")), "server", "start"],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    sim = None
    try:
        _wait_healthy(api, server)
        os.environ.update({**auth, "PREFECT_API_URL": api,
                           "PREFECT_SERVER_ALLOW_EPHEMERAL_MODE": "false",
                           "OLTSYNC_DATABASE_URL": f"sqlite:///{tmp / 'oltsync.db'}",
                           "OLTSYNC_KNOWN_HOSTS": str(tmp / "known_hosts")})
        from core.settings import Settings
        from oltsync.bootstrap import ensure_ssh_limit
        from simulator.fleet import generate_fleet
        from simulator.server import Simulator
        from simulator.truth import env_name, inventory
        from storage import migrate

        olts = generate_fleet(args.olts, args.onus, seed=7)
        sim = Simulator(olts).start_in_thread()
        for o in olts:
            os.environ[env_name(o, "OLTSYNC_SCREENSHOT_PW")] = o.password
        inv = tmp / "inventory.yaml"
        inv.write_text(yaml.safe_dump(inventory(olts, "OLTSYNC_SCREENSHOT_PW", per_olt_env=True)))
        migrate.upgrade(os.environ["OLTSYNC_DATABASE_URL"])
        ensure_ssh_limit(Settings.from_env())
        from flows.sync_fleet import sync_fleet

        state = sync_fleet(inventory_path=str(inv), concurrency=3, return_state=True)
        run_id = state.state_details.flow_run_id
        print(f"fleet run {run_id}: {state.name}")
        shoot(chromium, f"{proxy.url}/runs/flow-run/{run_id}", args.out, args.size, args.wait_ms)
        print(f"wrote {args.out}")
        return 0 if state.is_completed() else 1
    finally:
        if sim is not None:
            sim.stop_thread()
        proxy.stop()
        server.terminate()
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
