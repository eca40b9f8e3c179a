"""What a newcomer meets: every command's help without any configuration, and an operator's
mistake (no database, no server, no password, a broken inventory) in one sentence that says what to
fix — never a traceback, never a side effect such as an empty database file."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
OLTSYNC = [sys.executable, "-m", "oltsync"]
COMMANDS = ["demo", "sync", "db", "summary", "bootstrap", "server", "worker", "web",
            "service-files", "status", "drain", "prune", "rename", "capture", "check", "clients"]


def _bare_env(**extra: str) -> dict[str, str]:
    """No configuration at all: what a new shell has (PATH, HOME, our checkout importable)."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": os.environ.get("HOME", "/root"),
           "PYTHONPATH": str(ROOT), "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    return {**env, **extra}


def _run(args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(OLTSYNC + args, cwd=cwd, capture_output=True, text=True, timeout=120,
                          env=_bare_env(**env))


def test_the_help_lists_every_command_and_the_readme_names_them(tmp_path: Path) -> None:
    done = _run(["--help"], tmp_path)
    assert done.returncode == 0
    listed = done.stdout.split("{", 1)[1].split("}", 1)[0].split(",")
    assert listed == COMMANDS
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert all(f"`{c}`" in readme for c in COMMANDS), [c for c in COMMANDS if f"`{c}`" not in readme]


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_without_configuration(command: str, tmp_path: Path) -> None:
    done = _run([command, "--help"], tmp_path)
    assert done.returncode == 0, done.stderr
    assert "usage" in (done.stdout + done.stderr).lower() and "Traceback" not in done.stderr
    assert list(tmp_path.iterdir()) == []  # nothing created


def test_a_missing_database_is_said_and_not_created(tmp_path: Path) -> None:
    for command in (["summary"], ["db", "current"], ["prune"]):
        done = _run(command, tmp_path)
        assert done.returncode == 2, (command, done.stderr)
        assert done.stderr.strip() == (
            f"error: database sqlite:///oltsync.db does not exist ({tmp_path / 'oltsync.db'}): "
            "run `oltsync db upgrade` to create it, or set OLTSYNC_DATABASE_URL to yours"), command
        assert not (tmp_path / "oltsync.db").exists()


def test_status_without_a_server_says_so_and_starts_none(tmp_path: Path) -> None:
    done = _run(["status"], tmp_path)
    assert done.returncode == 1 and "Traceback" not in done.stdout + done.stderr
    assert "Prefect API: no Prefect server configured (PREFECT_API_URL is not set)" in done.stdout
    assert "temporary Prefect server" not in done.stdout + done.stderr  # no throw-away one
    assert "Work pool" not in done.stdout  # nothing reported as if it were the real server
    assert not (tmp_path / "oltsync.db").exists()


def test_one_olt_without_its_password_is_one_sentence(tmp_path: Path) -> None:
    (tmp_path / "inventory.yaml").write_text(
        "olts:\n  - {name: olt-002, host: 127.0.0.1, platform: zte_c300, username: u,\n"
        "     password_env: OLTSYNC_OLT_PASSWORD}\n")
    done = _run(["sync", "--olt", "olt-002", "--inventory", "inventory.yaml"], tmp_path)
    assert done.returncode == 2
    assert done.stderr.strip() == ("error: olt-002: environment variable OLTSYNC_OLT_PASSWORD is "
                                   "not set (it holds a credential)")
    assert done.stdout == ""


def test_a_broken_inventory_is_one_sentence(tmp_path: Path) -> None:
    (tmp_path / "inventory.yaml").write_text("olts: [ {name: olt-1, host: \n")
    done = _run(["check", "--olt", "olt-1", "--inventory", "inventory.yaml"], tmp_path)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.startswith("error: inventory.yaml: not valid YAML:"), done.stderr


def test_the_server_shows_its_help_unconfigured_and_refuses_to_start_open(tmp_path: Path) -> None:
    helped = _run(["server", "--help"], tmp_path)
    assert helped.returncode == 0 and "refusing" not in helped.stderr
    assert "--port" in helped.stdout  # prefect server start's own options
    refused = _run(["server"], tmp_path)
    assert refused.returncode == 78 and refused.stderr.startswith(
        "error: refusing to start an open Prefect server")


@pytest.mark.usefixtures("prefect_harness")
def test_a_failed_run_logs_our_error_in_one_line(pg: str, fleet,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """Prefect logs a failed task or flow run with its traceback; ours (a wrong password, a
    refused command) are their message: no traceback (OLTSYNC_DEBUG=1 brings it back)."""
    from flows.sync_olt import sync_olt

    f = fleet(1, 8, seed=61)
    olt = next(iter(f.olts.values()))
    olt.knobs.wrong_password = True
    seen: list[logging.LogRecord] = []
    handlers = logging.Logger.callHandlers

    def call_handlers(self: logging.Logger, record: logging.LogRecord) -> None:
        # every record a logger passes on, after its filters, whatever handlers are configured
        if record.name.startswith("prefect"):
            seen.append(record)
        handlers(self, record)

    monkeypatch.setattr(logging.Logger, "callHandlers", call_handlers)
    state = sync_olt(olt_name=olt.name, inventory_path=str(f.inventory_path), return_state=True)
    monkeypatch.undo()
    assert state.is_failed() and "login failed" in (state.message or "")
    ours = [r for r in seen if "login failed" in r.getMessage() and r.levelno >= logging.ERROR]
    assert len(ours) >= 5 and all(r.exc_info is None for r in ours), [r.getMessage() for r in ours]


def test_a_socket_closed_under_paramiko_is_not_logged_as_an_error(
        caplog: pytest.LogCaptureFixture) -> None:
    """Normal passes logged paramiko's "Socket exception: Connection reset by peer (104)" at
    ERROR; a session that really drops is our own error, naming the OLT and command."""
    import logging

    from core.quiet_logs import keep_out_of_logs

    keep_out_of_logs()
    log = logging.getLogger("paramiko.transport")
    with caplog.at_level(logging.DEBUG, logger="paramiko.transport"):
        log.error("Socket exception: Connection reset by peer (104)")
        log.error("Exception (client): Error reading SSH protocol banner")
    assert [r.getMessage() for r in caplog.records] == [
        "Exception (client): Error reading SSH protocol banner"]
