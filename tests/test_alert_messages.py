"""What a NOC receives: status passes over simulated OLTs, the Prefect server's real automations
(made by the bootstrap from an alerts file) and a custom-webhook block posting to a receiver on
loopback, whose messages are counted. Each scenario is one the alerts once got wrong: a new cut
after RESOLVED left untold, a flood of per-port messages for one OLT-wide event, an outage lost to a
mistake in the alerts file, an OLT that logs in but cannot be read raising nothing.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select

from flows.status_pass import status_pass
from flows.sync_olt import sync_olt
from storage import schema
from storage.db import get_engine
from tools.webhook_inbox import WebhookInbox

pytestmark = pytest.mark.usefixtures("prefect_harness")
QUIET_S = 5  # no message in this long after the last expected one: none is coming


class Noc:
    """The receiver, the automations that post to it, and the alerts file the flows read."""

    def __init__(self, tmp: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        self.inbox = WebhookInbox()
        self.block = f"noc-{uuid.uuid4().hex[:8]}"
        self.path = tmp / "alerts.yaml"
        self.monkeypatch = monkeypatch

    def configure(self, **config: object) -> None:
        """Write the alerts file and make its automations, as `oltsync bootstrap` does."""
        from prefect.blocks.notifications import CustomWebhookNotificationBlock

        from oltsync.bootstrap import ensure_alert_automations

        CustomWebhookNotificationBlock(
            name="noc", url=self.inbox.url, method="POST", allow_private_urls=True,
            json_data={"text": "{{subject}} | {{body}}"}).save(self.block, overwrite=True)
        self.write(language="en", notify=[{"block": f"custom-webhook/{self.block}"}], **config)
        assert ensure_alert_automations(str(self.path)).startswith("alert automations (en):")
        self.monkeypatch.setenv("OLTSYNC_ALERTS", str(self.path))

    def write(self, **config: object) -> None:
        self.path.write_text(yaml.safe_dump(config))

    def settle(self) -> None:
        """A barrier: an event of our own through the automations, told and resolved, then the
        inbox emptied. What the server had to process before it (an earlier test's events, a
        baseline's) is behind us, and the automations are live (the server loads new ones on
        its own time: an event before that is never told)."""
        from prefect.events import emit_event

        from alerts.events import olt_event
        from alerts.outages import Outage

        for _ in range(24):
            name = f"barrier-{uuid.uuid4().hex[:6]}"
            emit_event(**olt_event(name, Outage(None, "unreachable", datetime.now(UTC), [])))
            if self._arrived(name, 5):
                break
        else:
            raise AssertionError("the automations told nothing of a barrier event in 2 minutes")
        emit_event(**olt_event(name, Outage(None, "unreachable", datetime.now(UTC), [],
                                            closed_at=datetime.now(UTC))))
        assert self._arrived(f"RESOLVED {name}", 60), self.inbox.messages
        self.inbox.arrived.clear()

    def _arrived(self, text: str, timeout: float) -> bool:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if any(text in m for m in self.inbox.messages):
                return True
            time.sleep(0.1)
        return False

    @property
    def messages(self) -> list[str]:
        """What arrived, barriers left out (a reminder may follow one that was not seen)."""
        return [m for m in self.inbox.messages if "barrier-" not in m]

    def wait_for(self, n: int, timeout: float) -> list[str]:
        end = time.monotonic() + timeout
        while len(self.messages) < n and time.monotonic() < end:
            time.sleep(0.05)
        return self.messages

    def expect(self, n: int, timeout: float = 60, quiet: bool = False) -> list[str]:
        """`n` messages so far (a scenario's last step: and none more in a quiet spell)."""
        got = self.wait_for(n, timeout)
        assert len(got) == n, got
        if quiet:
            time.sleep(QUIET_S)
            assert len(self.messages) == n, self.messages
        return self.messages

    def stop(self) -> None:
        from prefect.client.orchestration import get_client

        with get_client(sync_client=True) as client:
            for prefix in ("oltsync alerts", "oltsync reminder"):
                for a in client.read_automations_by_name(f"{prefix}: custom-webhook/{self.block}"):
                    client.delete_automation(a.id)
        self.inbox.stop()


@pytest.fixture
def noc(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Noc]:
    n = Noc(tmp_path, monkeypatch)
    yield n
    n.stop()


def _synced(fleet: Callable, monkeypatch: pytest.MonkeyPatch, n_olts: int, n_onus: int,
            per_port: int, seed: int):  # noqa: ANN202
    monkeypatch.setenv("OLTSYNC_SIM_ONUS_PER_PORT", str(per_port))
    monkeypatch.setenv("OLTSYNC_CONNECT_ATTEMPTS", "1")
    f = fleet(n_olts, n_onus, seed=seed)
    for name in f.olts:
        state = sync_olt(olt_name=name, inventory_path=str(f.inventory_path), return_state=True)
        assert state.is_completed(), state.message
    return f


def _pass(f, ok: bool = True) -> str:  # noqa: ANN001
    state = status_pass(inventory_path=str(f.inventory_path), return_state=True)
    assert state.is_completed() is ok, state.message
    return state.message or ""


def _online_ports(olt) -> list[str]:  # noqa: ANN001
    return sorted({o.port for o in olt.onus if o.run_state == "online"})


def test_a_new_cut_after_resolved_is_told_and_a_flapping_port_is_summarised(
        pg: str, fleet, noc: Noc, monkeypatch: pytest.MonkeyPatch) -> None:
    """Before: OUTAGE, RESOLVED, then nothing for a second cut within the cooldown (the last
    message said RESOLVED while the port was dark). Now: OUTAGE, RESOLVED, OUTAGE again, quiet
    flaps while its RESOLVED is held, and one RESOLVED that counts the flaps."""
    f = _synced(fleet, monkeypatch, 1, 96, 48, seed=301)
    olt = f.olts["olt-001"]
    port = _online_ports(olt)[0]
    noc.configure(cooldown="15s", reminder="off")
    noc.settle()
    f.sim.call(lambda: olt.cut_port(port))
    _pass(f)
    (first,) = noc.expect(1)
    assert first.startswith(f"OUTAGE olt-001 {port} | LOS outage on OLT olt-001, PON {port}: ")
    f.sim.call(olt.restore)
    _pass(f)
    assert noc.expect(2)[1].startswith(f"RESOLVED olt-001 {port} | ")
    f.sim.call(lambda: olt.cut_port(port))  # cut again within the cooldown: told
    _pass(f)
    again = noc.expect(3)[2]
    assert again.startswith(f"OUTAGE olt-001 {port} | LOS outage on OLT olt-001, PON {port} "
                            "again (dark 2 times since "), again
    for step in (olt.restore, lambda: olt.cut_port(port), olt.restore):  # flapping: held, quiet
        f.sim.call(step)
        _pass(f)
    assert len(noc.messages) == 3, noc.messages
    time.sleep(15)  # up for the cooldown: the held RESOLVED, once, with the flaps
    _pass(f)
    last = noc.expect(4, quiet=True)[3]
    assert last.startswith(f"RESOLVED olt-001 {port} | Resolved: OLT olt-001, PON {port} is "
                           "back (") and "it flapped 2 times before it stayed up" in last, last


def test_an_olt_wide_event_is_one_message_not_one_per_port(
        pg: str, fleet, noc: Noc, monkeypatch: pytest.MonkeyPatch) -> None:
    """A 64-port OLT losing every port: OUTAGE, one reminder, RESOLVED (before: 64 of each, 192).
    An OLT that refused connections and came back with its ONUs in dying gasp: unreachable,
    answers again, one power outage of its ports, resolved (before: 34 for 16 ports)."""
    f = _synced(fleet, monkeypatch, 2, 256, 4, seed=302)
    big, other = f.olts["olt-001"], f.olts["olt-002"]
    ports = _online_ports(big)
    assert len(ports) == 64
    noc.configure(reminder="10s")
    noc.settle()
    dark = sum(len(cut) for cut in f.sim.call(lambda: [big.cut_port(p) for p in ports]))
    _pass(f)
    (opened,) = noc.expect(1)
    assert opened.startswith(f"OUTAGE olt-001 (64 PON ports) | LOS outage on OLT olt-001: 64 PON "
                             f"ports, {dark} ONUs offline ({dark} LOS, 0 dying gasp)"), opened
    assert "Ports: 0/1/0 (4), 0/1/1 (4), 0/1/2 (" in opened  # every port and its count, in order
    assert all(f"{p} (" in opened for p in ports)
    reminder = noc.expect(2, timeout=45)[1]
    assert reminder.startswith("STILL DOWN olt-001 (64 PON ports) | The LOS outage on OLT "
                               "olt-001 (64 PON ports) is still open"), reminder
    f.sim.call(big.restore)
    _pass(f)
    resolved = noc.expect(3, quiet=True)[2]
    assert resolved.startswith("RESOLVED olt-001 (64 PON ports) | Resolved: OLT olt-001, its 64 "
                               "PON ports are back "), resolved
    noc.configure(reminder="off")
    noc.settle()
    f.sim.set_refuse("olt-002", True)
    assert "olt-002: cannot reach" in _pass(f, ok=False)
    assert noc.expect(1)[0] == "OUTAGE olt-002 | OLT olt-002 cannot be reached."
    serials = [o.serial for o in other.onus if o.run_state == "online"]
    f.sim.call(lambda: other.power_fail(serials))
    f.sim.set_refuse("olt-002", False)
    _pass(f)
    got = noc.expect(3)
    assert "RESOLVED olt-002 | OLT olt-002 answers again." in got
    (power,) = [m for m in got if m.startswith("OUTAGE olt-002 (")]
    assert power.startswith(f"OUTAGE olt-002 ({len(_online_ports_of(serials, other))} PON ports) "
                            "| POWER outage on OLT olt-002"), power
    f.sim.call(other.restore)
    _pass(f)
    assert noc.expect(4, quiet=True)[3].startswith("RESOLVED olt-002 (")


def _online_ports_of(serials: list[str], olt) -> set[str]:  # noqa: ANN001
    return {o.port for o in olt.onus if o.serial in serials}


def test_a_mistake_in_the_alerts_file_fails_the_run_and_the_outage_is_told_after_the_fix(
        pg: str, fleet, noc: Noc, monkeypatch: pytest.MonkeyPatch) -> None:
    """Before: the sync stored the ONUs offline, logged that outages could not be updated, ended
    Completed, and the outage was never told. Now the run fails naming the file, the states are
    stored, and the first pass after the fix tells the outage."""
    f = _synced(fleet, monkeypatch, 1, 96, 48, seed=303)
    olt = f.olts["olt-001"]
    port, second = _online_ports(olt)[:2]
    noc.configure(reminder="off")
    noc.settle()
    good = noc.path.read_text()
    noc.path.write_text(good + "outage:\n  min_share: 50\n")  # 50 meant 50 %
    cut = f.sim.call(lambda: olt.cut_port(port))
    state = sync_olt(olt_name="olt-001", inventory_path=str(f.inventory_path), return_state=True)
    assert state.is_failed()
    assert (f"olt-001: inventory stored, outages not evaluated (the next pass that can catches "
            f"up): alerts config {noc.path}: outage.min_share: 50: a share above 0") in \
        state.message, state.message
    o = schema.onus
    with get_engine(pg).connect() as conn:  # the rows are stored whatever the alerts file says
        states = set(conn.execute(select(o.c.run_state).where(o.c.serial.in_(cut))).scalars())
    assert states == {"offline"}
    f.sim.call(lambda: olt.cut_port(second))  # and a status pass: states stored, run failed
    message = _pass(f, ok=False)
    assert "olt-001: states stored, outages not evaluated (the first pass after the fix catches " \
           f"up): alerts config {noc.path}: outage.min_share" in message, message
    assert noc.wait_for(1, timeout=QUIET_S) == []
    noc.path.write_text(good)  # fixed: nothing changes on the OLT, both outages are told
    _pass(f)
    got = noc.expect(2, quiet=True)
    assert sorted(m.split(" | ")[0] for m in got) == sorted([f"OUTAGE olt-001 {port}",
                                                             f"OUTAGE olt-001 {second}"]), got


def test_an_olt_that_logs_in_but_cannot_be_read_opens_an_outage_after_n_passes(
        pg: str, fleet, noc: Noc, monkeypatch: pytest.MonkeyPatch) -> None:
    """Before: only the pass's flow run failed, every five minutes, and no message was sent."""
    f = _synced(fleet, monkeypatch, 1, 96, 48, seed=304)
    olt = f.olts["olt-001"]
    noc.configure(reminder="off", outage={"unreadable_after": 2})
    noc.settle()
    f.sim.call(lambda: setattr(olt.knobs, "reject", "display ont info"))
    first = _pass(f, ok=False)
    assert "olt-001 running 'display ont info " in first, first
    assert noc.wait_for(1, timeout=QUIET_S) == []  # one pass: not yet
    _pass(f, ok=False)
    (opened,) = noc.expect(1)
    assert opened.startswith("OUTAGE olt-001 | OLT olt-001 accepts the login but cannot be read: "
                             "olt-001 running 'display ont info "), opened
    _pass(f, ok=False)  # still unreadable: nothing more
    f.sim.call(lambda: setattr(olt.knobs, "reject", None))
    _pass(f)
    assert noc.expect(2, quiet=True)[1] == "RESOLVED olt-001 | OLT olt-001 can be read again."


def test_an_inventory_entry_the_pass_cannot_use_fails_the_pass_naming_it(
        pg: str, fleet, monkeypatch: pytest.MonkeyPatch) -> None:
    f = _synced(fleet, monkeypatch, 1, 64, 48, seed=305)
    inventory = yaml.safe_load(f.inventory_path.read_text())
    typo = dict(inventory["olts"][0], name="olt-typo", platform="huawei_smartx")
    inventory["olts"].append(typo)
    f.inventory_path.write_text(yaml.safe_dump(inventory))
    message = _pass(f, ok=False)
    assert "inventory: olt-typo: " in message and "unknown platform 'huawei_smartx'" in message \
        and "(left out of the status pass)" in message, message
    assert "1 of 2 OLTs failed" in message
