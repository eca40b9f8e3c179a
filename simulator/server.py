"""The SSH side of the simulator: one asyncssh listener per OLT, many OLTs in one event loop.

A session echoes what it receives, writes command output with the personality's pager, and applies the
OLT's knobs (latency, output rate, alarms, faults). It can run in its own thread so that tests can
mutate the fleet while netmiko talks to it over real SSH.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

import asyncssh

from simulator.model import Olt
from simulator.personality import Personality, Reply, SessionState
from simulator.platforms import personality as personality_of

log = logging.getLogger("simulator")

CHUNK = 4096


class _Input:
    """Buffers what the client types; hands out whole lines or single keys, echoing like a PTY."""

    def __init__(self, process: asyncssh.SSHServerProcess) -> None:
        self.process = process
        self.buf = b""

    async def _fill(self) -> bool:
        data = await self.process.stdin.read(1024)
        if not data:
            return False
        self.buf += data
        return True

    async def line(self, echo: bool = True) -> str | None:
        while True:
            for i, b in enumerate(self.buf):
                if b in (10, 13):
                    raw, rest = self.buf[:i], self.buf[i + 1:]
                    if b == 13 and rest[:1] == b"\n":
                        rest = rest[1:]
                    self.buf = rest
                    raw = raw.replace(b"\x00", b"")  # netmiko's keep-alive NUL
                    self.process.stdout.write((raw if echo else b"") + b"\r\n")
                    return raw.decode("utf-8", "replace")
            if not await self._fill():
                return None

    async def key(self) -> bytes | None:
        if not self.buf and not await self._fill():
            return None
        k, self.buf = self.buf[:1], self.buf[1:]
        return k

    async def drain_until_eof(self) -> None:
        while await self._fill():
            self.buf = b""


class _Session:
    def __init__(self, olt: Olt, personality: Personality, process: asyncssh.SSHServerProcess):
        self.olt = olt
        self.p = personality
        self.process = process
        self.state = SessionState()
        personality.start(olt, self.state)
        self.input = _Input(process)
        self.alarm_n = 0

    def write(self, text: str) -> None:
        self.process.stdout.write(text.encode("utf-8"))

    async def run(self) -> None:
        try:
            self.write(self.p.banner(self.olt) + self.p.prompt(self.olt, self.state))
            while True:
                line = await self.input.line()
                if line is None:
                    return
                self.olt.received.append(line)
                reply = self.p.execute(self.olt, self.state, line)
                while reply.ask:
                    self.write(reply.text)
                    answer = await self.input.line(echo=not reply.secret)
                    if answer is None:
                        return
                    if not reply.secret:  # a password is no command: not kept
                        self.olt.received.append(answer)
                    reply = self.p.answer(self.olt, self.state, reply.ask, answer)
                if not await self.output(reply):
                    return
                if reply.close:
                    return
                self.write("\r\n" + self.p.prompt(self.olt, self.state))
        except (asyncssh.Error, BrokenPipeError, ConnectionError):
            return
        finally:
            try:
                self.process.exit(0)
            except Exception:  # the client is already gone
                pass

    async def output(self, reply: Reply) -> bool:
        """Write a reply; False when the session must end (fault injected or client gone)."""
        knobs = self.olt.knobs
        cmd = reply.command
        if cmd is not None:
            self.olt.commands += 1
            delay = knobs.command_latency_s
            if (knobs.table_latency_s and (reply.text or "").count("\n") > knobs.table_lines
                    and not cmd.startswith(self.p.records)):
                delay = knobs.table_latency_s
            if delay:
                self.olt.device_s += delay
                await asyncio.sleep(delay)
            if knobs.fires(knobs.reject, cmd):
                reply = self.p.unknown(self.olt, self.state, cmd)
            elif knobs.fires(knobs.hang_on, cmd):
                await self.input.drain_until_eof()
                return False
        if not reply.text:
            return True
        if not reply.paged:
            self.write(reply.text)
            return True
        lines = reply.text.split("\r\n")
        if lines and lines[-1] == "":
            lines.pop()
        if knobs.wrap_width:  # a terminal of that width: long lines go on at the next line
            w = knobs.wrap_width
            lines = [line[i:i + w] for line in lines for i in range(0, max(len(line), 1), w)]
        if len(lines) > 4 and knobs.fires(knobs.garble_on, cmd):
            i = len(lines) // 2
            victim = lines[i]
            lines[i] = victim[: len(victim) // 3] + "~#!%\x7f?" + victim[2 * len(victim) // 3:]
        if len(lines) > 4 and knobs.fires(knobs.truncate_on, cmd):
            del lines[len(lines) // 3: 2 * len(lines) // 3]  # a table that lost rows in the middle
        cut = len(lines) // 2 if knobs.fires(knobs.disconnect_on, cmd) else None
        page = self.state.page_lines
        out: list[str] = []
        for n, line in enumerate(lines, 1):
            if cut is not None and n > cut:
                await self._send("".join(out))
                self.process.channel.get_connection().abort()
                return False
            out.append(line + "\r\n")
            if knobs.alarm_every_lines and n % knobs.alarm_every_lines == 0:
                self.alarm_n += 1
                out.append(self.p.alarm(self.olt, self.alarm_n))
            if page and n % page == 0 and n < len(lines):
                out.append(self.p.more_prompt)
                await self._send("".join(out))
                out = []
                key = await self.input.key()
                if key is None:
                    return False
                self.olt.received.append(key.decode("utf-8", "replace"))
                self.write(self.p.more_erase)
                if key in (b"q", b"Q"):
                    return True
        await self._send("".join(out))
        return True

    async def _send(self, text: str) -> None:
        data = text.encode("utf-8")
        rate = self.olt.knobs.output_rate_bps
        # Fixed-size chunks split multi-byte characters across reads, as real boxes do.
        for i in range(0, len(data), CHUNK):
            self.process.stdout.write(data[i:i + CHUNK])
            if rate:
                pause = min(CHUNK, len(data) - i) / rate
                self.olt.device_s += pause
                await asyncio.sleep(pause)
        await self.process.stdout.drain()


class _Server(asyncssh.SSHServer):
    def __init__(self, olt: Olt, sim: Simulator) -> None:
        self.olt = olt
        self.connections = sim._connections
        self.sim = sim
        self.conn: asyncssh.SSHServerConnection | None = None

    def connection_made(self, conn: asyncssh.SSHServerConnection) -> None:
        self.conn = conn
        self.connections.add(conn)
        self.sim.peak_connections = max(self.sim.peak_connections, len(self.connections))
        self.span = [time.monotonic(), float("inf")]
        self.sim.connection_spans.append(self.span)

    def connection_lost(self, exc: Exception | None) -> None:
        self.connections.discard(self.conn)
        self.span[1] = time.monotonic()

    def begin_auth(self, username: str) -> bool:
        return True

    def password_auth_supported(self) -> bool:
        return True

    async def validate_password(self, username: str, password: str) -> bool:
        self.olt.login_attempts += 1
        if self.olt.knobs.login_delay_s:
            self.olt.device_s += self.olt.knobs.login_delay_s
            await asyncio.sleep(self.olt.knobs.login_delay_s)
        if self.olt.knobs.wrong_password:
            return False
        return username == self.olt.username and password == self.olt.password


def _host_key(path: str | None) -> Any:
    if path is None:
        return asyncssh.generate_private_key("ssh-ed25519")
    if os.path.exists(path):
        return asyncssh.read_private_key(path)
    key = asyncssh.generate_private_key("ssh-ed25519")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(key.export_private_key())
    return key


class Simulator:
    """Serves a fleet of simulated OLTs over SSH on loopback."""

    def __init__(self, olts: Iterable[Olt], host: str = "127.0.0.1", base_port: int = 0,
                 host_key: str | None = None) -> None:
        self.olts = {o.name: o for o in olts}
        self.host = host
        self.base_port = base_port
        self._listeners: dict[str, Any] = {}
        self._connections: set = set()
        # Fleet-wide, for tests of the SSH session limit: the most connections open at once, and
        # each connection's [opened, closed] (monotonic seconds) as this server saw it.
        self.peak_connections = 0
        self.connection_spans: list[list[float]] = []
        # one key for the fleet; kept in `host_key` (a file) when given, so that a restarted lab
        # fleet keeps its identity and `accept-new` known_hosts do not refuse it
        self._key = _host_key(host_key)
        self._olt_keys: dict[str, Any] = {}  # an OLT whose key was changed (replaced hardware)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    def peak_overlap(self, grace_s: float = 0.1) -> int:
        """Most connections open at once, forgiving a close seen up to `grace_s` after the client
        let go (its next login may arrive before this server has processed the EOF)."""
        spans = list(self.connection_spans)
        events = sorted([(a, 1) for a, _ in spans] + [(b - grace_s, -1) for _, b in spans])
        peak = cur = 0
        for _, d in events:
            cur += d
            peak = max(peak, cur)
        return peak

    # --- asyncio API ---------------------------------------------------------------------------
    async def _listen(self, olt: Olt) -> None:
        personality = personality_of(olt.platform)

        async def handle(process: asyncssh.SSHServerProcess) -> None:
            await _Session(olt, personality, process).run()

        server = await asyncssh.create_server(
            lambda: _Server(olt, self), olt.host, olt.port,
            server_host_keys=[self._olt_keys.get(olt.name, self._key)],
            process_factory=handle, encoding=None, line_editor=False,
            keepalive_interval=0, login_timeout=60,
        )
        olt.port = server.sockets[0].getsockname()[1]
        self._listeners[olt.name] = server

    async def start(self) -> None:
        for i, olt in enumerate(self.olts.values()):
            olt.host = self.host
            olt.port = self.base_port + i if self.base_port else 0
            if not olt.knobs.refuse:
                await self._listen(olt)

    async def stop(self) -> None:
        for server in self._listeners.values():
            server.close()
        self._listeners.clear()
        for conn in list(self._connections):
            conn.abort()
        await asyncio.sleep(0.05)
        tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _set_refuse(self, name: str, refuse: bool) -> None:
        olt = self.olts[name]
        olt.knobs.refuse = refuse
        if refuse and name in self._listeners:
            self._listeners.pop(name).close()
        elif not refuse and name not in self._listeners:
            await self._listen(olt)  # same port as before

    # --- thread API (tests, the demo) ----------------------------------------------------------
    def start_in_thread(self) -> Simulator:
        ready = threading.Event()

        def run() -> None:
            self._loop = asyncio.new_event_loop()
            asyncio.set_event_loop(self._loop)
            self._loop.run_until_complete(self.start())
            ready.set()
            self._loop.run_forever()

        self._thread = threading.Thread(target=run, name="olt-simulator", daemon=True)
        self._thread.start()
        if not ready.wait(60):
            raise RuntimeError("simulator did not start")
        return self

    def call(self, fn: Callable[[], Any]) -> Any:
        """Run fn in the simulator's loop (mutations that must not race a session)."""
        assert self._loop is not None

        async def wrapper() -> Any:
            return fn()

        return asyncio.run_coroutine_threadsafe(wrapper(), self._loop).result(30)

    def set_refuse(self, name: str, refuse: bool) -> None:
        assert self._loop is not None
        asyncio.run_coroutine_threadsafe(self._set_refuse(name, refuse), self._loop).result(30)

    def change_host_key(self, name: str) -> None:
        """Give one OLT a new SSH host key, as a replaced or re-installed box has (same port)."""
        assert self._loop is not None

        async def change() -> None:
            self._olt_keys[name] = asyncssh.generate_private_key("ssh-ed25519")
            await self._set_refuse(name, True)
            await self._set_refuse(name, False)

        asyncio.run_coroutine_threadsafe(change(), self._loop).result(30)

    def stop_thread(self) -> None:
        if self._loop is None:
            return
        asyncio.run_coroutine_threadsafe(self.stop(), self._loop).result(30)
        self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread:
            self._thread.join(10)
        self._loop = None

    def __enter__(self) -> Simulator:
        return self.start_in_thread()

    def __exit__(self, *exc: object) -> None:
        self.stop_thread()
