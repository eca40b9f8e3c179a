"""Child process of bench/status_pass.py: the real status-pass flow against a Prefect server, pass
after pass, and one port cut through the simulator's control socket; prints JSON figures.

Per pass: wall, this process's CPU (the flow), the Prefect server's and PostgreSQL's CPU over the
pass and the few seconds the server takes to record it, the simulator's CPU (the OLTs' side, not
ours), task and flow runs. For the cut: from the cut to the message at a local webhook, through the
automation the bootstrap makes and a custom-webhook notification block.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import psutil

from bench.run_flow import _counts, _cpu, _helpers_cpu, _postgres_cpu, _server_cpu
from tools.webhook_inbox import WebhookInbox


def _read_at(olt: str) -> float:
    """When the last pass read this OLT's states (its line of the status-pass artifact)."""
    from datetime import datetime

    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey
    from prefect.client.schemas.sorting import ArtifactSort

    with get_client(sync_client=True) as client:
        (art,) = client.read_artifacts(artifact_filter=ArtifactFilter(
            key=ArtifactFilterKey(any_=["status-pass"])), sort=ArtifactSort.CREATED_DESC, limit=1)
    rows = art.data if isinstance(art.data, list) else json.loads(art.data)
    return datetime.fromisoformat(next(r["read_at"] for r in rows if r["olt"] == olt)).timestamp()


def _sim_cpu() -> float:
    pid = os.environ.get("OLTSYNC_BENCH_SIM_PID")
    return _cpu([psutil.Process(int(pid))]) if pid else 0.0


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--inventory", required=True)
    ap.add_argument("--control", required=True)
    ap.add_argument("--passes", type=int, default=3, help="passes with nothing changed")
    ap.add_argument("--concurrency", type=int, default=32)
    ap.add_argument("--olt", required=True, help="whose port is cut: the last OLT, the worst case "
                                                 "(the pass announces each OLT as it finishes)")
    ap.add_argument("--flush-s", type=float, default=6.0,
                    help="seconds after a pass during which the server still records it")
    ap.add_argument("--profile", help="write here a pyinstrument profile of one pass over every "
                                      "OLT, one after the other in one thread")
    args = ap.parse_args()

    from prefect.blocks.notifications import CustomWebhookNotificationBlock
    from prefect.client.orchestration import get_client

    from core.settings import Settings
    from flows.status_pass import status_pass
    from oltsync.bootstrap import ensure_alert_automations, ensure_ssh_limit
    from simulator.control import send

    ensure_ssh_limit(Settings.from_env())
    inbox = WebhookInbox()
    CustomWebhookNotificationBlock(name="bench", url=inbox.url, method="POST",
                                   allow_private_urls=True,
                                   json_data={"text": "{{subject}} | {{body}}"}).save(
        "bench-noc", overwrite=True)
    config = Path(tempfile.mkdtemp()) / "alerts.yaml"
    config.write_text("reminder: off\nnotify:\n  - block: custom-webhook/bench-noc\n")
    ensure_alert_automations(str(config))

    def one(label: str) -> dict[str, Any]:
        with get_client(sync_client=True) as client:
            tasks0, flows0 = _counts(client)
        srv0, pg0, sim0, helpers0 = _server_cpu(), _postgres_cpu(), _sim_cpu(), _helpers_cpu()
        cpu0, t0 = time.process_time(), time.perf_counter()
        out = status_pass(inventory_path=args.inventory, concurrency=args.concurrency)
        wall = time.perf_counter() - t0
        # this process and its parse helpers (OLTSYNC_PARSE_PROCESSES), if any
        cpu = time.process_time() - cpu0 + _helpers_cpu() - helpers0

        time.sleep(args.flush_s)  # the server's recording of the pass belongs to its cost
        srv, pg, sim = _server_cpu() - srv0, _postgres_cpu() - pg0, _sim_cpu() - sim0
        with get_client(sync_client=True) as client:
            tasks1, flows1 = _counts(client)
        fig = {"label": label, "wall_s": round(wall, 2), "flow_cpu_s": round(cpu, 2),
               "prefect_server_cpu_s": round(srv, 2), "postgresql_cpu_s": round(pg, 2),
               "simulator_cpu_s": round(sim, 2), "task_runs": tasks1 - tasks0,
               "flow_runs": flows1 - flows0, "olts": out["olts"], "changed": out["changed"],
               "skipped": len(out["skipped"])}
        print(json.dumps({"pass": fig}), flush=True)
        return fig

    if args.profile:  # every OLT's pass in this thread, one after the other: what it costs
        from pyinstrument import Profiler

        from core.settings import Settings as _S
        from flows.status_pass import pass_olt
        from inventory import entries as inv
        from storage.db import get_engine

        settings, engine = _S.from_env(), get_engine()
        entries = inv.load(args.inventory).enabled
        profiler = Profiler(async_mode="disabled", interval=0.0005)
        profiler.start()
        for e in entries:
            pass_olt(e, settings, engine)
        profiler.stop()
        Path(args.profile).write_text(profiler.output_text(show_all=False, timeline=False))
    passes = [one("after the sync")] + [one(f"unchanged {i + 1}") for i in range(args.passes)]
    olt = args.olt
    ports = send(args.control, {"do": "ports", "olt": olt})["ports"]
    port = max(ports, key=lambda p: ports[p]["online"])
    before = len(inbox.arrived)
    t_cut = time.time()
    cut = send(args.control, {"do": "cut", "olt": olt, "port": port})["serials"]
    t_pass = time.time()
    cut_pass = one("a port cut")
    t_end = t_pass + cut_pass["wall_s"]
    if len(inbox.wait_for(before + 1, timeout=120)) <= before:
        print(json.dumps({"error": "no message within 120 s of the cut pass"}), flush=True)
        return 1
    t_msg, text = inbox.arrived[before]
    read_at = _read_at(olt)
    send(args.control, {"do": "restore", "olt": olt})
    back_pass = one("restored")
    got = inbox.wait_for(before + 2, timeout=120)
    print(json.dumps({"passes": passes + [cut_pass, back_pass], "cut": {
        "olt": olt, "port": port, "onus": len(cut), "message": text,
        "pass_start_to_message_s": round(t_msg - t_pass, 2),
        # the OLT is read at about the same point of every pass, 5 minutes apart: a cut just
        # after one read waits for the next, then this
        "olt_read_to_message_s": round(t_msg - read_at, 2),
        "pass_end_to_message_s": round(t_msg - t_end, 2),
        "cut_to_message_s_when_a_pass_starts_at_once": round(t_msg - t_cut, 2),
        "resolved_message": got[before + 1] if len(got) > before + 1 else None}}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
