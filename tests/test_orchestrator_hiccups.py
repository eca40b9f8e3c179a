"""An orchestrator's hiccup must not cost an OLT its hour: a Prefect server that answers 503 when
the fleet's fan-out starts an OLT's run (a busy server does, to the task run and the flow run it
creates for each OLT) has the OLT's flow run created all the same, once, after the refusals.
Tested against the real server behind a proxy that answers 503, Prefect's own client retries off
so that every 503 reaches us."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.usefixtures("prefect_harness")


class _Busy:
    """A loopback proxy to the Prefect API that answers 503 to the first `refuse` creations of a
    task run or of a deployment's flow run (POST …/task_runs/, …/create_flow_run: what starting
    an OLT's run from the fleet asks for), and passes everything else on."""

    def __init__(self, upstream: str, refuse: int) -> None:
        self.upstream, self.refuse, self.refused = upstream.rstrip("/"), refuse, 0
        self.lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_: Any) -> None:  # quiet
                return None

            def _pass(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length") or 0))
                path = self.path.rstrip("/")
                if self.command == "POST" and path.endswith(("/task_runs", "/create_flow_run")):
                    with proxy.lock:
                        busy = proxy.refused < proxy.refuse
                        proxy.refused += busy
                    if busy:
                        self.send_response(503)
                        self.send_header("content-length", "0")
                        self.end_headers()
                        return
                headers = {k: v for k, v in self.headers.items()
                           if k.lower() not in ("host", "content-length", "connection")}
                up = httpx.request(self.command, proxy.upstream + self.path[len("/api"):],
                                   headers=headers, content=body, timeout=60)
                self.send_response(up.status_code)
                for k, v in up.headers.items():
                    if k.lower() not in ("content-length", "transfer-encoding", "connection",
                                         "content-encoding"):
                        self.send_header(k, v)
                self.send_header("content-length", str(len(up.content)))
                self.end_headers()
                self.wfile.write(up.content)

            do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/api"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def busy_api() -> Iterator[_Busy]:
    from prefect.settings import PREFECT_API_URL, PREFECT_CLIENT_MAX_RETRIES, temporary_settings

    proxy = _Busy(PREFECT_API_URL.value(), refuse=3)
    try:
        # the client's own retries (5 by default, 62 s of backoff) off: every 503 reaches the flow
        with temporary_settings(updates={PREFECT_API_URL: proxy.url,
                                         PREFECT_CLIENT_MAX_RETRIES: 0}):
            yield proxy
    finally:
        proxy.close()


@pytest.fixture
def deployment() -> str:
    """A deployment of a flow no worker will run: its runs are created, never started."""
    from prefect import flow
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import WorkPoolCreate

    @flow(name="hiccup-target")
    def target(olt_name: str = "") -> None:
        return None

    with get_client(sync_client=True) as client:
        try:
            client.create_work_pool(WorkPoolCreate(name="hiccups", type="process"))
        except Exception:  # noqa: BLE001 - it exists from an earlier test of this session
            pass
    target.to_deployment(name="one-olt", work_pool_name="hiccups").apply()
    return "hiccup-target/one-olt"


def test_a_busy_api_does_not_cost_an_olt_its_flow_run(deployment: str, busy_api: _Busy,
                                                      caplog: pytest.LogCaptureFixture) -> None:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterName

    from flows.sync_fleet import run_olt

    key = f"fleet-{uuid.uuid4()}:olt-009"
    slept: list[float] = []
    run = run_olt(deployment, "olt-009", {"olt_name": "olt-009"}, key, timeout_s=0,
                  sleep=slept.append)
    assert busy_api.refused == 3 and len(slept) == 3  # refused three times, tried a fourth
    assert run.name == "olt-009" and run.idempotency_key == key
    with get_client(sync_client=True) as client:
        runs = client.read_flow_runs(flow_run_filter=FlowRunFilter(
            name=FlowRunFilterName(any_=["olt-009"])))
    assert [r.id for r in runs if r.idempotency_key == key] == [run.id]  # one run, not four
    said = [r.getMessage() for r in caplog.records if "trying again" in r.getMessage()]
    assert len(said) == 3 and all("olt-009" in m and "HTTP 503" in m for m in said), said


def test_without_an_idempotency_key_nothing_is_tried_twice(deployment: str,
                                                           busy_api: _Busy) -> None:
    import httpx as _httpx

    from flows.sync_fleet import run_olt

    with pytest.raises(_httpx.HTTPStatusError, match="503"):
        run_olt(deployment, "olt-010", {"olt_name": "olt-010"}, None, timeout_s=0)
    assert busy_api.refused == 1
