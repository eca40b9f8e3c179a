"""python -m simulator --olts N --onus M --seed S --listen 127.0.0.1 --inventory-out FILE
--truth-out FILE [--control SOCKET]: serve a simulated fleet over SSH until stopped (Ctrl-C or SIGTERM)."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import sys
from collections import Counter

import yaml

from simulator.control import serve as serve_control
from simulator.fleet import generate_fleet
from simulator.model import Knobs
from simulator.server import Simulator
from simulator.truth import env_name, fleet_truth, inventory


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m simulator", description=__doc__)
    ap.add_argument("--olts", type=int, default=3)
    ap.add_argument("--onus", type=int, default=512, help="ONUs per OLT")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--platform", default="huawei_smartax",
                    help="huawei_smartax, zte_c300, zte_c600, or several comma-separated for a "
                         "mixed fleet (OLT i gets the i-th, cycling)")
    ap.add_argument("--listen", default="127.0.0.1", help="loopback address to listen on")
    ap.add_argument("--base-port", type=int, default=0,
                    help="first TCP port (OLT i listens on base+i); 0 picks free ports")
    ap.add_argument("--inventory-out", help="write the collector's inventory YAML here")
    ap.add_argument("--truth-out", help="write the ground-truth JSON here")
    ap.add_argument("--password-env", default="OLTSYNC_OLT_PASSWORD",
                    help="environment variable holding the OLTs' password (read here, referenced "
                         "by name in the inventory); unset: each OLT gets its own generated "
                         "password, written to --secrets-out")
    ap.add_argument("--secrets-out", help="env file with per-OLT passwords (mode 0600)")
    ap.add_argument("--latency", type=float, default=0.0, help="seconds before each output")
    ap.add_argument("--table-latency", type=float, default=0.0,
                    help="seconds before the output of a table: an answer of more than 30 lines, "
                         "but not one ONU's record (ZTE detail-info); 0: --latency")
    ap.add_argument("--login-delay", type=float, default=0.0)
    ap.add_argument("--output-rate", type=float, default=0.0, help="bytes/s, 0 = unlimited")
    ap.add_argument("--alarm-every", type=int, default=0,
                    help="interleave an alarm block every N output lines")
    ap.add_argument("--control", help="a Unix socket (mode 0600) through which "
                                      "`python -m simulator.control` cuts ports, power-fails, "
                                      "degrades and restores ONUs while the simulator runs")
    ap.add_argument("--host-key", help="the fleet's SSH host key file: read if it exists, else "
                                       "created (mode 0600); unset: a new key each start")
    args = ap.parse_args(argv)
    if not args.listen.startswith("127.") and args.listen not in ("::1", "localhost"):
        ap.error("the simulator only listens on loopback")

    olts = generate_fleet(args.olts, args.onus, args.seed, args.platform)
    shared = os.environ.get(args.password_env)
    for o in olts:
        o.knobs = Knobs(command_latency_s=args.latency, table_latency_s=args.table_latency,
                        login_delay_s=args.login_delay,
                        output_rate_bps=args.output_rate, alarm_every_lines=args.alarm_every)
        if shared:
            o.password = shared
    sim = Simulator(olts, host=args.listen, base_port=args.base_port, host_key=args.host_key)

    async def run() -> None:
        await sim.start()
        control = await serve_control(args.control, olts) if args.control else None
        if args.inventory_out:
            with open(args.inventory_out, "w", encoding="utf-8") as f:
                yaml.safe_dump(inventory(olts, args.password_env, per_olt_env=not shared), f,
                               sort_keys=False, allow_unicode=True)
        if args.truth_out:
            with open(args.truth_out, "w", encoding="utf-8") as f:
                json.dump(fleet_truth(olts), f, ensure_ascii=False, indent=1)
        if not shared and args.secrets_out:
            fd = os.open(args.secrets_out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as f:
                for o in olts:
                    f.write(f"{env_name(o, args.password_env)}={o.password}\n")
        kinds = Counter(f"{o.platform} {o.generation}" for o in olts)
        print(f"simulating {len(olts)} OLTs x {args.onus} ONUs on {args.listen}: "
              + ", ".join(f"{n} {kind}" for kind, n in sorted(kinds.items())), flush=True)
        for o in olts:
            print(f"  {o.name:<10} {o.host}:{o.port:<6} {o.platform:<15} {o.model} {o.firmware}",
                  flush=True)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await stop.wait()
        if control is not None:
            control.close()
            os.unlink(args.control)
        await sim.stop()

    asyncio.run(run())
    return 0


if __name__ == "__main__":
    sys.exit(main())
