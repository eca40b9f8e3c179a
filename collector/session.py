"""One netmiko SSH session to one OLT, guarded by the allowlist, with errors that say what happened.

Two changes to stock netmiko, both in a thin subclass of the platform's own class:
- every write goes through the allowlist guard (including netmiko's own session set-up);
- reads are decoded with an incremental UTF-8 decoder, so an accented character split across two
  socket reads is kept (netmiko decodes each read on its own with errors ignored and drops it).
"""

from __future__ import annotations

import codecs
import logging
import os
import re
import select
import socket
import time
from dataclasses import dataclass, field
from typing import Any

import paramiko
from netmiko import ConnectHandler  # noqa: F401  (ensures platform classes are registered)
from netmiko.channel import SSHChannel
from netmiko.exceptions import (
    NetmikoAuthenticationException,
    NetmikoTimeoutException,
    ReadException,
    ReadTimeout,
)
from netmiko.ssh_dispatcher import CLASS_MAPPER

from collector import host_keys, linefeeds
from collector.allowlist import Guard
from core.errors import CollectError, LoginError, UnreachableError
from platforms.profile import Profile

log = logging.getLogger("oltsync.session")


@dataclass(frozen=True)
class Target:
    """Where and how to log in. The password never appears in repr, logs or errors."""

    name: str
    host: str
    port: int
    platform: str
    username: str
    password: str = field(repr=False)
    # what `enable` asks for when the account lands at the user prompt (ZTE `hostname>`)
    secret: str | None = field(default=None, repr=False)
    conn_timeout: float = 10.0
    auth_timeout: float = 20.0
    read_timeout: float = 120.0
    host_key_policy: str = "accept-new"
    # The same default as the settings (OLTSYNC_KNOWN_HOSTS), also for a Target built directly:
    # otherwise such a caller (the tests) would record keys in the user's own file.
    known_hosts: str = field(default_factory=lambda: os.environ.get(
        "OLTSYNC_KNOWN_HOSTS", "~/.config/oltsync/known_hosts"))


class _Utf8Channel(SSHChannel):
    def __init__(self, conn: Any, encoding: str) -> None:
        super().__init__(conn, encoding)
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._cr = ""

    def read_buffer(self) -> str:
        # Characters split across reads are joined by the incremental decoder; so is a "\r\n"
        # split after its "\r": netmiko normalizes line ends per read, and a lone "\r" at the end
        # of one read would become a line end of its own, a blank line inside a table (measured
        # with 61-byte chunks). The "\r" waits for the next read.
        if self.remote_conn is None:
            raise ReadException("Attempt to read, but there is no active channel.")
        if self.remote_conn.recv_ready():
            data = self.remote_conn.recv(65535)
            if len(data) == 0:
                raise ReadException("Channel stream closed by remote device.")
            text = self._cr + self._decoder.decode(data)
            self._cr = "\r" if text.endswith("\r") else ""
            return text[:-1] if self._cr else text
        if self.remote_conn.closed or self.remote_conn.exit_status_ready():
            raise ReadException("Channel stream closed by remote device.")
        return ""


_GUARDED: dict[str, type] = {}


def guarded_class(device_type: str) -> type:
    """The platform's netmiko class with the allowlist guard and UTF-8-safe reads."""
    if device_type not in _GUARDED:
        base = CLASS_MAPPER[device_type]

        class Guarded(base):  # type: ignore[misc, valid-type]
            def __init__(self, *args: Any, olt_name: str, platform: str,
                         host_key_policy: str = "accept-new", known_hosts: str = "",
                         **kwargs: Any) -> None:
                self._guard = Guard(olt_name, platform, kwargs.get("secret"))
                self._host_key_policy = host_key_policy
                self._known_hosts = known_hosts
                super().__init__(*args, **kwargs)

            def _build_ssh_client(self) -> paramiko.SSHClient:
                client = super()._build_ssh_client()
                host_keys.prepare(client, self._host_key_policy, self._known_hosts)
                return client

            def establish_connection(self, *args: Any, **kwargs: Any) -> None:
                super().establish_connection(*args, **kwargs)
                self.channel = _Utf8Channel(self.remote_conn, self.encoding)

            def write_channel(self, out_data: str) -> None:
                self._guard.check(out_data)
                super().write_channel(out_data)

            def normalize_linefeeds(self, a_string: str) -> str:
                return linefeeds.normalize(a_string)  # a lone CR is text, not a line end

            def is_alive(self) -> bool:
                # Stock netmiko writes a NUL to find out, and logs a traceback when the OLT has
                # just closed the session after `quit` (which is how every session ends).
                chan = self.remote_conn
                transport = chan.get_transport() if chan is not None else None
                return bool(transport and transport.is_active() and not chan.closed)

        Guarded.__name__ = f"Guarded{base.__name__}"
        _GUARDED[device_type] = Guarded
    return _GUARDED[device_type]


def _cause(exc: BaseException) -> str:
    """What went wrong at connect time, in words (netmiko hides the socket error in __context__)."""
    inner = exc.__context__ or exc
    # paramiko's NoValidConnectionsError keeps the per-address socket errors in .errors
    causes = [inner, exc, *getattr(inner, "errors", {}).values()]
    if any(isinstance(c, ConnectionRefusedError) for c in causes):
        return "connection refused"
    if isinstance(inner, TimeoutError) or "timed out" in str(inner).lower():
        return "timed out"
    if "DNS failure" in str(exc) or isinstance(inner, socket.gaierror):
        return "host name does not resolve"
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return f"SSH failed ({first})"


def _thread_cpu(thread: Any) -> float:
    """CPU seconds a live thread has used (paramiko's transport thread decrypts what we read)."""
    try:
        return time.clock_gettime(time.pthread_getcpuclockid(thread.ident))
    except (AttributeError, OSError, TypeError):
        return 0.0


class OltSession:
    """An open, prepared session. `send` returns the command's output without echo or prompt."""

    def __init__(self, target: Target, profile: Profile) -> None:
        self.target = target
        self.profile = profile
        self.conn: Any = None
        self.prompt_re = ""
        self._prompt: re.Pattern[str] | None = None
        self._pager: re.Pattern[str] | None = None
        self.commands_sent = 0
        self.transport_cpu_s = 0.0

    def open(self) -> OltSession:
        t = self.target
        cls = guarded_class(self.profile.netmiko.device_type)
        started = time.monotonic()
        try:
            self.conn = cls(
                olt_name=t.name, platform=self.profile.platform, host=t.host, port=t.port,
                username=t.username, password=t.password, secret=t.secret or "",
                device_type=self.profile.netmiko.device_type,
                conn_timeout=t.conn_timeout, auth_timeout=t.auth_timeout,
                banner_timeout=t.auth_timeout, read_timeout_override=None,
                session_timeout=t.read_timeout, fast_cli=True, allow_agent=False,
                use_keys=False, ssh_strict=False, system_host_keys=False,
                host_key_policy=t.host_key_policy, known_hosts=t.known_hosts,
            )
        except NetmikoAuthenticationException as exc:
            if "timeout" in str(exc.__context__ or exc).lower():
                # paramiko reports a box too slow to answer the login as an auth failure
                raise UnreachableError(t.name, None, f"cannot reach {t.host}:{t.port}: no answer to "
                                                     f"the login within {t.auth_timeout:.0f} s",
                                       transient=True) from None
            log.debug("%s: authentication failed: %s", t.name, type(exc).__name__)
            raise LoginError(t.name, None, f"login failed: the OLT at {t.host}:{t.port} rejected "
                                           f"user '{t.username}' (check the password; not retried)") from None
        except (NetmikoTimeoutException, TimeoutError, ConnectionError, paramiko.SSHException,
                OSError, EOFError) as exc:
            refused_key = host_keys.explain(t.name, t.host, t.port, exc, t.known_hosts)
            if refused_key is not None:
                raise refused_key from None
            raise UnreachableError(t.name, None, f"cannot reach {t.host}:{t.port}: {_cause(exc)}",
                                   transient=True) from None
        except ReadTimeout:
            raise UnreachableError(t.name, None, "logged in but the OLT never showed its prompt",
                                   transient=True) from None
        try:
            if self.profile.netmiko.enable:
                self._enable()
            base = re.escape(self.conn.base_prompt)
            self.prompt_re = rf"\n[ \t]*{base}{self.profile.prompt_suffix}[ \t]*$"
            self._prompt = re.compile(self.prompt_re)
            self._pager = re.compile(self.profile.pager + r"\s*$") if self.profile.pager else None
            for cmd in self.profile.netmiko.session_commands:
                self.send(cmd)
        except (OSError, EOFError, ReadException, ReadTimeout) as exc:
            self.close()
            raise UnreachableError(t.name, None, f"session set-up failed: {exc}",
                                   transient=True) from None
        log.debug("%s: session ready in %.2fs", t.name, time.monotonic() - started)
        return self

    def _enable(self) -> None:
        """Raise an account that landed at the user prompt to the privileged one (`#`): netmiko
        sends `enable`, and the inventory's enable password if the box asks for one. An account
        already at `#` sends nothing (a ZTE box asks `enable`'s password even there)."""
        t = self.target
        try:
            self.conn.enable()
        except ValueError:  # netmiko: still not at the privileged prompt
            self.close(graceful=False)
            fix = ("set enable_password_env or enable_password_secret for it in the inventory"
                   if not t.secret else "check its enable password in the inventory")
            raise LoginError(t.name, None, f"the account '{t.username}' lands at the user prompt "
                                           f"and `enable` did not raise it: {fix} (not "
                                           "retried)") from None

    def send(self, command: str, read_timeout: float | None = None) -> str:
        """Send one command; return its output without the echoed command and the prompt.

        Reads until the prompt with select() on the channel rather than netmiko's send_command,
        which sleeps 25 ms per read loop: on a fleet, that fixed cost is most of the scrape time.
        A pager prompt, if the box pages anyway, is answered with a space.
        """
        self.conn._guard.check(command)  # before anything leaves: a clear error, nothing sent
        timeout = read_timeout or self.target.read_timeout
        conn = self.conn
        try:
            conn.write_channel(conn.normalize_cmd(command))
            out = self._read_until_prompt(command, timeout)
        except (OSError, EOFError, ReadException) as exc:
            raise CollectError(self.target.name, command, f"the session dropped mid-output "
                                                          f"({type(exc).__name__})",
                               transient=True) from None
        self.commands_sent += 1
        lines = out.split("\n")
        if lines and command.strip() in lines[0]:
            lines = lines[1:]  # the echo
        return "\n".join(lines[:-1]) + ("\n" if len(lines) > 1 else "")

    _TAIL = 4096

    def _read_until_prompt(self, command: str, timeout: float) -> str:
        conn, chan = self.conn, self.conn.remote_conn
        prompt, pager = self._prompt, self._pager
        parts: list[str] = []
        tail, total = "", 0
        deadline = time.monotonic() + timeout
        while True:
            data = conn.read_channel()
            if data:
                parts.append(data)
                total += len(data)
                tail = (tail + data)[-self._TAIL:]
                # A prompt is a whole line; the window only starts a line if it holds everything.
                window = tail if total > self._TAIL else "\n" + tail
                if prompt.search(window):
                    return "".join(parts)
                if pager is not None and pager.search(tail):
                    tail = pager.sub("", tail)  # the pager text itself is noise the parser strips
                    conn.write_channel(" ")
                continue
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise CollectError(self.target.name, command, f"no prompt within {timeout:.0f}s "
                                                              "(the OLT stopped answering)",
                                   transient=True)
            if chan.closed:
                raise ReadException("channel closed")
            select.select([chan], [], [], min(remaining, 0.5))

    def close(self, graceful: bool = True) -> None:
        """Log out (graceful), or just drop the connection when the session is in an unknown state
        (a hung or half-read command): a graceful logout would wait on a box that is not answering."""
        if self.conn is None:
            return
        chan = getattr(self.conn, "remote_conn", None)
        self.transport_cpu_s = _thread_cpu(chan.get_transport() if chan is not None else None)
        try:
            if graceful:
                self.conn.disconnect()
            else:
                self.conn.paramiko_cleanup()
        except Exception as exc:  # closing a broken session must not hide the real error
            log.debug("%s: disconnect: %s", self.target.name, exc)
        self.conn = None
