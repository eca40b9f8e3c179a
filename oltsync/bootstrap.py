"""One command that prepares a Prefect server and the database for oltsync, safe to re-run:
`python -m oltsync bootstrap`.

Each step checks what exists and only creates or corrects what is missing or different:
the Prefect API's auth string (generated into the environment file on first use) and a check that
the API refuses requests without it, the process work pool with a job template runs cannot change,
the block types we use, the fleet-wide SSH session limit, the automation that marks zombie flow
runs Crashed (self-hosted servers lack Prefect Cloud's managed one), the database schema, and
`prefect deploy --all` from prefect.yaml.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from core.errors import ConfigError, NextStep
from core.settings import Settings

PROJECT = Path(__file__).resolve().parent.parent
ZOMBIE_AUTOMATION = "oltsync: crash zombie flow runs"


def heartbeat_s() -> int:
    from prefect.settings import get_current_settings

    return int(get_current_settings().flows.heartbeat_frequency or 0)


def ensure_api_auth() -> str:
    """First, before anything else talks to the API: the API must be locked (oltsync/api_auth.py).
    Without an auth string in this process, one is generated into the environment file, and the
    server and workers must be restarted to load it."""
    from oltsync import api_auth

    auth = os.environ.get(api_auth.CLIENT_VAR)
    if not auth:
        path = api_auth.env_file_path()
        _value, written = api_auth.ensure_in_env_file(path)
        raise NextStep(
            f"{'wrote a new' if written else 'found the'} Prefect API auth string in {path} "
            f"(mode 600), which this process did not load: restart the Prefect server and the "
            "workers so that they use it (systemctl restart oltsync-prefect-server oltsync-worker, "
            "or supervisorctl restart oltsync-prefect-server 'oltsync-worker:*'), then run the "
            "bootstrap again through deployments/with-env")
    from prefect.settings import PREFECT_API_URL

    url = PREFECT_API_URL.value()
    if not url:
        raise ConfigError("PREFECT_API_URL is not set: point it at the Prefect server")
    return api_auth.check_locked(url, auth)


def _web_auth() -> str:
    from oltsync import api_auth

    return api_auth.ensure_web_auth(api_auth.env_file_path())


def locked_job_template() -> dict:
    """The process worker's job template without what a run could use to run something else: no
    command, environment or working directory variables, and no variables it does not list (the
    server then refuses a run or deployment that sets them, with HTTP 422)."""
    from prefect.workers.process import ProcessWorker

    template = ProcessWorker.get_default_base_job_template()
    for key in ("command", "env", "working_dir"):
        template["job_configuration"].pop(key)
        template["variables"]["properties"].pop(key)
    template["variables"]["additionalProperties"] = False
    return template


def ensure_work_pool(name: str) -> str:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import WorkPoolCreate, WorkPoolUpdate
    from prefect.exceptions import ObjectAlreadyExists, ObjectNotFound

    locked = locked_job_template()
    with get_client(sync_client=True) as client:
        try:
            pool = client.read_work_pool(name)
        except ObjectNotFound:
            try:
                client.create_work_pool(WorkPoolCreate(
                    name=name, type="process", description="oltsync: OLT inventory syncs",
                    base_job_template=locked))
                return f"work pool {name!r} (process): created, its job template locked"
            except ObjectAlreadyExists:
                # A worker started by its service unit creates its pool on start-up (with the
                # open default template), so it may win the race between our read and create.
                pool = client.read_work_pool(name)
        if pool.type != "process":
            raise ConfigError(f"work pool {name!r} exists with type {pool.type!r}; oltsync needs a "
                              "process pool: pick another OLTSYNC_WORK_POOL or delete that pool")
        if pool.base_job_template != locked:
            client.update_work_pool(name, WorkPoolUpdate(base_job_template=locked))
            return (f"work pool {name!r} (process): exists, its job template locked now (runs "
                    "can no longer set a command or environment)")
    return f"work pool {name!r} (process): exists"


def register_blocks() -> str:
    from prefect.blocks.system import Secret
    from prefect_sqlalchemy import SqlAlchemyConnector

    for block in (SqlAlchemyConnector, Secret):
        block.register_type_and_schema()
    return "block types sqlalchemy-connector, secret: registered"


def ensure_ssh_limit(settings: Settings) -> str:
    if not settings.ssh_limit:
        return "fleet-wide SSH session limit: off (OLTSYNC_SSH_LIMIT is empty)"
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import (
        GlobalConcurrencyLimitCreate,
        GlobalConcurrencyLimitUpdate,
    )
    from prefect.exceptions import ObjectNotFound

    name, slots = settings.ssh_limit, settings.ssh_limit_slots
    with get_client(sync_client=True) as client:
        try:
            limit = client.read_global_concurrency_limit_by_name(name)
        except ObjectNotFound:
            client.create_global_concurrency_limit(
                GlobalConcurrencyLimitCreate(name=name, limit=slots, active=True))
            return f"global concurrency limit {name!r}: created with {slots} slots"
        if limit.limit == slots and limit.active:
            return f"global concurrency limit {name!r}: {slots} slots, as configured"
        client.update_global_concurrency_limit(
            name, GlobalConcurrencyLimitUpdate(limit=slots, active=True))
        return f"global concurrency limit {name!r}: set to {slots} slots (was {limit.limit})"


def zombie_window_s(heartbeat: int) -> int:
    """How long a flow run may stay silent before it is declared Crashed: several missed heartbeats,
    so that a busy worker is never mistaken for a dead one. OLTSYNC_ZOMBIE_AFTER_S overrides it."""
    override = os.environ.get("OLTSYNC_ZOMBIE_AFTER_S", "").strip()
    return int(override) if override else max(90, 4 * heartbeat)


def ensure_zombie_automation() -> str:
    """Prefect's documented zombie detector: a Running flow run whose heartbeats stop is Crashed."""
    from prefect.automations import Automation
    from prefect.client.schemas.objects import StateType
    from prefect.events.actions import ChangeFlowRunState
    from prefect.events.schemas.automations import EventTrigger, Posture
    from prefect.events.schemas.events import ResourceSpecification

    heartbeat = heartbeat_s()
    if not heartbeat:
        return ("zombie automation: skipped, flow run heartbeats are off "
                "(set PREFECT_FLOWS_HEARTBEAT_FREQUENCY, e.g. 30, for the workers and here)")
    within = zombie_window_s(heartbeat)
    wanted = Automation(
        name=ZOMBIE_AUTOMATION,
        description="Marks a flow run Crashed when its heartbeats stop (worker or host died).",
        trigger=EventTrigger(
            after={"prefect.flow-run.heartbeat"},
            expect={"prefect.flow-run.heartbeat", "prefect.flow-run.Completed",
                    "prefect.flow-run.Failed", "prefect.flow-run.Cancelled",
                    "prefect.flow-run.Crashed"},
            match=ResourceSpecification({"prefect.resource.id": ["prefect.flow-run.*"]}),
            for_each={"prefect.resource.id"},
            posture=Posture.Proactive,
            threshold=1,
            within=timedelta(seconds=within),
        ),
        actions=[ChangeFlowRunState(
            state=StateType.CRASHED,
            message=f"no heartbeat for {within} s: the worker or its host stopped (oltsync zombie "
                    "automation)")],
    )
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        existing = client.read_automations_by_name(ZOMBIE_AUTOMATION)
    if existing:
        current = existing[0]
        if current.trigger.within == wanted.trigger.within and current.enabled:
            return f"zombie automation: exists (Crashed after {within} s without heartbeat)"
        wanted.id = current.id
        wanted.update()
        return f"zombie automation: updated (Crashed after {within} s without heartbeat)"
    wanted.create()
    return f"zombie automation: created (Crashed after {within} s without heartbeat)"


def ensure_alert_automations(path: str | None) -> str:
    """Per entry of the alerts config (deployments/alerts.example.yaml), one automation that sends
    its events through a notification block in the config's language and, when the entry is told
    of outages opened and a reminder is set, one that tells an outage still open once more."""
    if not path:
        return "alert automations: none configured (OLTSYNC_ALERTS names the config)"
    from prefect.automations import Automation
    from prefect.client.orchestration import get_client
    from prefect.events.actions import SendNotification
    from prefect.events.schemas.automations import EventTrigger, Posture
    from prefect.events.schemas.events import ResourceSpecification
    from prefect.exceptions import ObjectNotFound

    from alerts import config as alerts_config
    from alerts.events import CLOSED, OPENED, REMINDER, SIGNAL_LOW, SIGNAL_OK, TEMPLATES

    config = alerts_config.load(path)
    names = {"opened": {OPENED}, "closed": {CLOSED}, "low_signal": {SIGNAL_LOW, SIGNAL_OK}}
    outage_ids = ResourceSpecification({"prefect.resource.id": "oltsync.outage.*"})
    done = []

    def put(client: Any, wanted: Automation) -> str:
        existing = client.read_automations_by_name(wanted.name)
        if existing:
            wanted.id = existing[0].id
            wanted.update()
            return "updated"
        wanted.create()
        return "created"

    for entry in config.notify:
        label = f"{entry.block_type}/{entry.block_name}"
        with get_client(sync_client=True) as client:
            try:
                client.read_block_type_by_slug(entry.block_type)
            except ObjectNotFound:
                kinds = sorted({s.block_type.slug for s in client.read_block_schemas()
                                if "notify" in s.capabilities and s.block_type})
                raise ConfigError(f"alerts config {path}: notify block {label}: there is no "
                                  f"block type {entry.block_type!r}; notification types: "
                                  f"{', '.join(kinds)}") from None
            try:
                block = client.read_block_document_by_name(entry.block_name,
                                                           block_type_slug=entry.block_type)
            except ObjectNotFound:
                raise ConfigError(f"alerts config {path}: no notification block {label} "
                                  "on this Prefect server (create it in the UI: Blocks)") from None
            done.append(f"{label} " + put(client, Automation(
                name=f"oltsync alerts: {label}",
                description="oltsync outages and low signal sent through a notification block.",
                trigger=EventTrigger(expect=set().union(*(names[e] for e in entry.events)),
                                     match=ResourceSpecification(
                                         {"prefect.resource.id": ["oltsync.outage.*",
                                                                  "oltsync.signal.*"]}),
                                     posture=Posture.Reactive, threshold=1,
                                     within=timedelta(seconds=0)),
                actions=[SendNotification(block_document_id=block.id,
                                          **TEMPLATES[config.language])])))
            reminder_name = f"oltsync reminder: {label}"
            if config.reminder is None or "opened" not in entry.events:
                for old in client.read_automations_by_name(reminder_name):
                    client.delete_automation(old.id)
                continue
            # Proactive: an outage's "opened" starts a window per outage; no "closed" for the
            # same outage within it sends the reminder, once (Prefect then drops the window).
            put(client, Automation(
                name=reminder_name,
                description="An oltsync outage still open after the reminder time, told once more.",
                trigger=EventTrigger(after={OPENED}, expect={CLOSED}, match=outage_ids,
                                     for_each={"prefect.resource.id"},
                                     posture=Posture.Proactive, threshold=1,
                                     within=config.reminder),
                actions=[SendNotification(block_document_id=block.id,
                                          **REMINDER[config.language])]))
            done[-1] += f" (reminder after {config.reminder})"
    return f"alert automations ({config.language}): {', '.join(done) or 'none listed'}"


def migrate_database() -> str:
    from storage import migrate
    from storage.db import database_url, safe_url

    url = database_url()
    return f"database {safe_url(url)}: at revision {migrate.upgrade(url)}"


def deploy(project: Path = PROJECT) -> str:
    prefect = Path(sys.executable).with_name("prefect")
    cmd = [str(prefect) if prefect.exists() else "prefect", "--no-prompt", "deploy", "--all"]
    env = {**os.environ, "COLUMNS": "400"}  # rich wraps long lines at 80 columns off a terminal
    done = subprocess.run(cmd, cwd=project, capture_output=True, text=True, env=env)
    if done.returncode != 0:
        tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-15:])
        raise ConfigError(f"`prefect deploy --all` failed (exit {done.returncode}):\n{tail}")
    names = re.findall(r"Deployment\s+'([^']+)'\s+successfully", done.stdout)
    return f"prefect deploy --all: {', '.join(names) or 'done'}"


STEPS: list[tuple[str, Callable[[Settings], str]]] = [
    ("api auth", lambda s: ensure_api_auth()),
    ("web auth", lambda s: _web_auth()),
    ("work pool", lambda s: ensure_work_pool(s.work_pool)),
    ("block types", lambda s: register_blocks()),
    ("concurrency limits", ensure_ssh_limit),
    ("zombie automation", lambda s: ensure_zombie_automation()),
    ("alert automations", lambda s: ensure_alert_automations(os.environ.get("OLTSYNC_ALERTS"))),
    ("database", lambda s: migrate_database()),
    ("deployments", lambda s: deploy()),
]


def run(skip: set[str] | None = None, out: Callable[[str], None] = print) -> None:
    """Every step, in order; stops at the first that fails (its message says why)."""
    settings = Settings.from_env()
    for name, step in STEPS:
        if skip and name in skip:
            out(f"- {name}: skipped")
            continue
        out(f"- {step(settings)}")
