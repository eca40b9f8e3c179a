"""Host-key policy and retries, over real SSH to the simulator."""

from __future__ import annotations

import threading
import time
from dataclasses import replace
from pathlib import Path

import pytest

from clients.rules import default_rules
from collector.host_keys import HostKeyError
from collector.pool import SessionPool
from collector.run import collect_dataset, request_for
from collector.session import OltSession, Target
from core.errors import CollectError, LoginError, UnreachableError
from inventory.entries import OltEntry
from platforms import profile

KEY_RULES = default_rules(r"^(?P<key>\d+)_")
PROFILE = profile.load("huawei_smartax")


def _target(olt, known: Path, policy: str = "accept-new") -> Target:  # noqa: ANN001
    return Target(olt.name, olt.host, olt.port, olt.platform, olt.username, olt.password,
                  host_key_policy=policy, known_hosts=str(known))


def _open(target: Target) -> None:
    OltSession(target, PROFILE).open().close()


def test_accept_new_records_the_key_and_refuses_a_changed_one(fleet, _known_hosts: Path) -> None:
    f = fleet(1, 4, seed=61)
    olt = next(iter(f.olts.values()))
    _open(_target(olt, _known_hosts))
    lines = _known_hosts.read_text().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"[127.0.0.1]:{olt.port} ssh-ed25519 ")
    _open(_target(olt, _known_hosts))  # known and equal
    assert len(_known_hosts.read_text().splitlines()) == 1
    logins = olt.login_attempts
    f.sim.change_host_key(olt.name)
    with pytest.raises(HostKeyError) as err:
        _open(_target(olt, _known_hosts))
    msg = str(err.value)
    assert msg.startswith(f"{olt.name}: the SSH host key of 127.0.0.1:{olt.port} changed")
    assert "nothing was sent" in msg and str(_known_hosts) in msg and not err.value.transient
    assert olt.login_attempts == logins  # refused before the password left
    assert olt.password not in msg


def test_strict_contacts_only_known_hosts(fleet, _known_hosts: Path) -> None:
    f = fleet(1, 4, seed=62)
    olt = next(iter(f.olts.values()))
    with pytest.raises(HostKeyError, match="is not in .* OLTSYNC_HOST_KEY_POLICY=strict"):
        _open(_target(olt, _known_hosts, "strict"))
    assert olt.login_attempts == 0 and not _known_hosts.exists()
    _open(_target(olt, _known_hosts))  # accept-new records it...
    _open(_target(olt, _known_hosts, "strict"))  # ...then strict accepts it
    f.sim.change_host_key(olt.name)
    with pytest.raises(HostKeyError, match="changed"):
        _open(_target(olt, _known_hosts, "strict"))
    _open(_target(olt, _known_hosts, "off"))  # labs: anything goes


def test_connect_retries_with_backoff_until_the_olt_answers(fleet, _known_hosts: Path) -> None:
    f = fleet(1, 4, seed=63)
    olt = next(iter(f.olts.values()))
    f.sim.set_refuse(olt.name, True)
    threading.Timer(1.0, f.sim.set_refuse, args=(olt.name, False)).start()
    pool = SessionPool(olt.name, lambda: _target(olt, _known_hosts), PROFILE, connect_attempts=4,
                       retry_backoff_s=0.6)
    t0 = time.monotonic()
    with pool.session() as sess:
        assert "System up time" in sess.send("display sysuptime")
    pool.close()
    assert time.monotonic() - t0 >= 1.0 and pool.logins == 1


def test_unreachable_after_every_attempt_fails_the_pool_fast(fleet, _known_hosts: Path) -> None:
    f = fleet(1, 4, seed=64)
    olt = next(iter(f.olts.values()))
    f.sim.set_refuse(olt.name, True)
    pool = SessionPool(olt.name, lambda: _target(olt, _known_hosts), PROFILE, connect_attempts=2,
                       retry_backoff_s=0.1)
    with pytest.raises(UnreachableError) as err:
        with pool.session():
            pass
    assert str(err.value) == (f"{olt.name}: cannot reach 127.0.0.1:{olt.port}: connection refused "
                              "(after 2 attempts)")
    t0 = time.monotonic()
    with pytest.raises(UnreachableError):  # the next dataset does not wait through it all again
        with pool.session():
            pass
    assert time.monotonic() - t0 < 0.05


def _entry(olt) -> OltEntry:  # noqa: ANN001
    return OltEntry(name=olt.name, host=olt.host, port=olt.port, platform=olt.platform,
                    username=olt.username, password_env="UNUSED")


def test_dataset_tried_again_after_the_session_dropped(fleet, _known_hosts: Path) -> None:
    f = fleet(1, 64, seed=65)
    olt = next(iter(f.olts.values()))
    olt.knobs.disconnect_on, olt.knobs.fault_times = "display ont info 0 all", 1
    pool = SessionPool(olt.name, lambda: _target(olt, _known_hosts), PROFILE)
    slept: list[float] = []
    result = collect_dataset(pool, request_for(pool, "onus", client_rules=KEY_RULES), attempts=2,
                             retry_backoff_s=0.2, sleep=slept.append)
    pool.close()
    assert len(slept) == 1 and 0.1 <= slept[0] <= 0.2  # backoff with jitter
    assert sorted(r["serial"] for r in result.tables["onus"]) == sorted(o.serial for o in olt.onus)
    assert pool.logins == 2  # the dropped session was replaced, not reused
    olt.knobs.faults_fired, olt.knobs.fault_times = 0, 0  # now it drops every time
    pool = SessionPool(olt.name, lambda: _target(olt, _known_hosts), PROFILE)
    with pytest.raises(CollectError, match=r"dropped mid-output .*\(after 2 tries\)"):
        collect_dataset(pool, request_for(pool, "onus", client_rules=KEY_RULES), attempts=2,
                        retry_backoff_s=0.01)
    pool.close()


def test_wrong_password_is_never_retried(fleet, _known_hosts: Path) -> None:
    f = fleet(1, 4, seed=66)
    olt = next(iter(f.olts.values()))
    pool = SessionPool(olt.name, lambda: replace(_target(olt, _known_hosts), password="wrong"),
                       PROFILE, connect_attempts=3, retry_backoff_s=0.01)
    for dataset in ("olt", "onus"):
        with pytest.raises(LoginError):
            collect_dataset(pool, request_for(pool, dataset, client_rules=KEY_RULES), attempts=2,
                            retry_backoff_s=0.01)
    assert olt.login_attempts == 1
