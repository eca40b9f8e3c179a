"""Nothing leaked, nothing unsafe sent: a full fleet sync with distinctive passwords leaves them in no
log line, artifact, flow-run parameter, state message or database row; and no command outside the
read-only allowlist reaches an OLT, whatever a profile says."""

from __future__ import annotations

import logging
import os
import secrets
import uuid

import pytest
from sqlalchemy import text

from collector.dataset import CollectRequest, collect
from collector.session import OltSession, Target
from core.errors import ForbiddenCommand
from flows.sync_fleet import sync_fleet
from platforms import profile
from storage import schema
from storage.db import get_engine


def _everything_prefect_holds() -> str:
    """Every log line, artifact, flow-run parameter and state message on the Prefect server."""
    from prefect.client.orchestration import get_client

    parts: list[str] = []
    with get_client(sync_client=True) as client:
        offset = 0
        while batch := client.read_logs(limit=200, offset=offset):
            parts += [f"{log.name} {log.message}" for log in batch]
            offset += len(batch)
        parts += [f"{a.key} {a.data} {a.description}" for a in client.read_artifacts()]
        for run in client.read_flow_runs(limit=200):
            parts += [str(run.parameters), str(run.state.message if run.state else ""), run.name]
        parts += [str(t.state.message if t.state else "") for t in client.read_task_runs(limit=200)]
    return "\n".join(parts)


@pytest.mark.usefixtures("prefect_harness")
def test_passwords_appear_nowhere(pg: str, fleet, caplog: pytest.LogCaptureFixture,
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    f = fleet(3, 32, seed=95)
    marks = {}
    for name, olt in f.olts.items():  # distinctive, so a leak cannot hide in ordinary text
        marks[name] = f"Sx{secrets.token_hex(6)}Pw"
        f.sim.call(lambda o=olt, p=marks[name]: setattr(o, "password", p))
        monkeypatch.setenv(f"OLTSYNC_TEST_OLT_PASSWORD_{name.upper().replace('-', '_')}", marks[name])
    f.sim.call(lambda: setattr(f.olts["olt-003"].knobs, "wrong_password", True))  # errors too
    marks["the Prefect API auth string"] = os.environ["PREFECT_API_AUTH_STRING"].split(":", 1)[1]
    caplog.set_level(logging.DEBUG)  # netmiko and paramiko at their most talkative
    state = sync_fleet(inventory_path=str(f.inventory_path), return_state=True)
    assert state.is_failed() and "olt-003: login failed" in state.message
    engine = get_engine(pg)
    with engine.connect() as conn:
        rows = "\n".join(str(tuple(r)) for t in schema.metadata.sorted_tables
                         for r in conn.execute(text(f"SELECT * FROM {t.name}")))
    assert "olt-001" in rows and "olt-003" in rows  # the search looks at real content
    places = {"logs captured in this process": caplog.text,
              "the Prefect server": _everything_prefect_holds(),
              "the database": rows,
              "the exception text": str(state.message)}
    for where, content in places.items():
        for name, password in marks.items():
            assert password not in content, f"{name}'s password found in {where}"


@pytest.mark.usefixtures("prefect_harness")
def test_the_prefect_api_refuses_requests_without_the_auth_string() -> None:
    """The tests' server is locked as production's is: no Secret block, no flow run, without it."""
    import base64

    import httpx
    from prefect.settings import PREFECT_API_URL

    from oltsync.api_auth import check_locked

    api = PREFECT_API_URL.value()
    auth = os.environ["PREFECT_API_AUTH_STRING"]
    good = {"Authorization": "Basic " + base64.b64encode(auth.encode()).decode()}
    bad = {"Authorization": "Basic " + base64.b64encode(b"oltsync:guess").decode()}
    for method, path, body in [("POST", "/block_documents/filter", {"include_secrets": True}),
                               ("POST", "/deployments/filter", {}), ("GET", "/flow_runs/count", None),
                               ("POST", "/flow_runs/", {"flow_id": str(uuid.uuid4())})]:
        for headers in ({}, bad):
            r = httpx.request(method, api + path, json=body, headers=headers, timeout=10)
            assert r.status_code == 401, (method, path, headers, r.status_code)
    assert httpx.post(api + "/block_documents/filter", json={}, headers=good,
                      timeout=10).status_code == 200
    assert httpx.get(api + "/health", timeout=10).status_code == 200  # probes stay open
    assert check_locked(api, auth).startswith("Prefect API: locked")


def test_no_command_outside_the_allowlist_reaches_an_olt(fleet) -> None:
    """A profile that asks for a configuration command (or smuggles one after a newline) is stopped
    before anything is written; the OLT receives only allowlisted lines."""
    f = fleet(1, 8, seed=96)
    olt = next(iter(f.olts.values()))
    base = profile.load("huawei_smartax")
    evil_commands = ["ont delete 0 1", "display version\nreboot system", "display board 0 | save"]
    sess = OltSession(Target(olt.name, olt.host, olt.port, olt.platform, olt.username,
                             olt.password), base).open()
    try:
        for evil in evil_commands:
            spec = base.datasets["olt"].commands[0].model_copy(update={"command": evil})
            hacked = base.model_copy(update={"datasets": {
                "olt": base.datasets["olt"].model_copy(update={"commands": [spec]})}})
            with pytest.raises(ForbiddenCommand):
                collect(sess, CollectRequest(olt.name, hacked, "olt"))
        ctx = base.datasets["olt"].commands[3].model_copy(update={"context": ["config", "reset"]})
        hacked = base.model_copy(update={"datasets": {
            "olt": base.datasets["olt"].model_copy(update={"commands": [
                base.datasets["olt"].commands[2], ctx]})}})
        with pytest.raises(ForbiddenCommand, match="'reset'"):
            collect(sess, CollectRequest(olt.name, hacked, "olt"))
    finally:
        sess.close()
    from collector.allowlist import is_allowed

    received = [line.strip() for line in f.sim.call(lambda: list(olt.received))]
    assert "display board 0" in received  # the session worked up to the refusal
    assert not any(r.startswith(("ont delete", "reboot", "reset")) or "|" in r for r in received)
    assert all(is_allowed(r) or r == "y" for r in received), received
