"""Turn the outside plant's knobs of a running simulator: cut a PON port's fibre, power-fail ONUs,
degrade one ONU's signal, bring them back.

    python -m simulator ... --control /tmp/sim.sock &          # the simulator listens on a socket
    python -m simulator.control /tmp/sim.sock ports olt-001
    python -m simulator.control /tmp/sim.sock cut olt-001 0/1/0 [--n 6]
    python -m simulator.control /tmp/sim.sock power-fail olt-001 --port 0/1/1 --n 3 | SERIAL ...
    python -m simulator.control /tmp/sim.sock degrade olt-001 SERIAL -31.5
    python -m simulator.control /tmp/sim.sock restore olt-001 [SERIAL ...]
    python -m simulator.control /tmp/sim.sock stats        # per OLT: commands, logins, device s

A Unix socket (mode 0600), not a TCP port: only this machine's user can turn the knobs. One JSON
request per line, one JSON answer per line. The changes are made on the simulator's event loop,
between two SSH answers, as the in-process knobs of `simulator.model.Olt` are.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from simulator.model import Olt


def apply(olts: dict[str, Olt], req: dict[str, Any]) -> dict[str, Any]:
    """One knob turned: the ONUs it changed (or the ports, for `ports`, the counters for `stats`)."""
    if req.get("do") == "stats":  # what each box has done since the simulator started
        return {"ok": True, "olts": {o.name: {"platform": o.platform, "commands": o.commands,
                                              "logins": o.login_attempts,
                                              "device_s": round(o.device_s, 3)}
                                     for o in olts.values()}}
    olt = olts.get(str(req.get("olt")))
    if olt is None:
        return {"ok": False, "error": f"no OLT {req.get('olt')!r}; OLTs: {', '.join(olts)}"}
    do, serials = req.get("do"), list(req.get("serials") or [])
    known = {o.serial for o in olt.onus}
    unknown = [s for s in serials if s not in known]
    if unknown:
        return {"ok": False, "error": f"{olt.name}: no ONU {', '.join(unknown)}"}
    port = req.get("port")
    if port is not None and port not in {p.port for p in olt.pon_ports}:
        return {"ok": False, "error": f"{olt.name}: no PON port {port!r}"}
    n = req.get("n")
    if do == "ports":
        online = Counter(o.port for o in olt.onus if o.run_state == "online")
        return {"ok": True, "ports": {p.port: {"onus": sum(o.port == p.port for o in olt.onus),
                                                "online": online[p.port]}
                                      for p in olt.pon_ports}}
    if do == "cut" and port:
        return {"ok": True, "serials": olt.cut_port(port, n)}
    if do == "power-fail":
        if not serials and port:
            serials = [o.serial for o in olt.onus if o.port == port and o.run_state == "online"]
            serials = serials[:n] if n is not None else serials
        return {"ok": True, "serials": olt.power_fail(serials)}
    if do == "degrade" and len(serials) == 1 and req.get("dbm") is not None:
        olt.degrade(serials[0], float(req["dbm"]))
        return {"ok": True, "serials": serials}
    if do == "restore":
        return {"ok": True, "serials": olt.restore(serials or None)}
    return {"ok": False, "error": f"cannot {do!r} with {req!r}"}


async def serve(path: str, olts: list[Olt]) -> asyncio.AbstractServer:
    """Listen on a Unix socket only this user can open."""
    by_name = {o.name: o for o in olts}

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while line := await reader.readline():
                try:
                    answer = apply(by_name, json.loads(line))
                except (ValueError, TypeError) as exc:
                    answer = {"ok": False, "error": f"bad request: {exc}"}
                writer.write(json.dumps(answer).encode() + b"\n")
                await writer.drain()
        finally:
            writer.close()

    Path(path).unlink(missing_ok=True)
    old = os.umask(0o177)  # the socket is created 0600, never briefly open to others
    try:
        return await asyncio.start_unix_server(handle, path=path)
    finally:
        os.umask(old)


def send(path: str, req: dict[str, Any], timeout: float = 30) -> dict[str, Any]:
    """One request to a running simulator's control socket; its answer."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(timeout)
        s.connect(path)
        s.sendall(json.dumps(req).encode() + b"\n")
        data = b""
        while not data.endswith(b"\n"):
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    return json.loads(data)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m simulator.control", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("socket", help="the simulator's --control socket")
    sub = ap.add_subparsers(dest="do", required=True)
    sub.add_parser("ports", help="ONUs and online ONUs per PON port").add_argument("olt")
    p = sub.add_parser("cut", help="fibre cut: the port's online ONUs go LOS")
    p.add_argument("olt"), p.add_argument("port"), p.add_argument("--n", type=int)
    p = sub.add_parser("power-fail", help="mains gone: ONUs go offline with dying gasp")
    p.add_argument("olt"), p.add_argument("serials", nargs="*")
    p.add_argument("--port"), p.add_argument("--n", type=int)
    p = sub.add_parser("degrade", help="one ONU receives less light")
    p.add_argument("olt"), p.add_argument("serial"), p.add_argument("dbm", type=float)
    p = sub.add_parser("restore", help="ONUs taken down come back (all by default)")
    p.add_argument("olt"), p.add_argument("serials", nargs="*")
    sub.add_parser("stats", help="per OLT: commands answered, logins, seconds of device time")
    args = ap.parse_args(argv)
    req: dict[str, Any] = {"do": args.do, "olt": getattr(args, "olt", None)}
    for key in ("port", "n", "serials"):
        if getattr(args, key, None) is not None:
            req[key] = getattr(args, key)
    if args.do == "degrade":
        req.update(serials=[args.serial], dbm=args.dbm)
    try:
        answer = send(args.socket, req)
    except OSError as exc:
        print(f"cannot reach the simulator at {args.socket}: {exc}", file=sys.stderr)
        return 2
    if not answer.get("ok"):
        print(answer.get("error"), file=sys.stderr)
        return 1
    if "olts" in answer:
        for name, c in answer["olts"].items():
            print(f"{name:<10} {c['platform']:<15} {c['commands']:>6} commands "
                  f"{c['logins']:>4} logins {c['device_s']:>9.1f} device s")
    elif "ports" in answer:
        for port, c in answer["ports"].items():
            print(f"{port:<10} {c['onus']:>4} ONUs  {c['online']:>4} online")
    else:
        print(f"{args.do}: {len(answer['serials'])} ONUs: {' '.join(answer['serials'])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
