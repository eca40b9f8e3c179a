"""SSH host keys of the OLTs: a known-hosts file of our own, checked before the password is sent.

Policies (OLTSYNC_HOST_KEY_POLICY):
- accept-new (default): an OLT seen for the first time has its key recorded; a key that differs
  from the recorded one is refused (the OLT was replaced, or someone is in the middle).
- strict: only OLTs whose key is already in the file (e.g. from `ssh-keyscan`) are contacted.
- off: any key is accepted and nothing is recorded (labs only).
The file (OLTSYNC_KNOWN_HOSTS, default ~/.config/oltsync/known_hosts) is OpenSSH's format.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

import paramiko

from core.errors import CollectError


class HostKeyError(CollectError):
    """The OLT's SSH host key is unknown (strict) or changed: never retried, nothing was sent."""


def known_hosts_path(setting: str) -> Path:
    return Path(os.path.expanduser(setting))


def load(path: Path) -> paramiko.HostKeys:
    keys = paramiko.HostKeys()
    if path.is_file():
        keys.load(str(path))
    return keys


class AcceptNew(paramiko.MissingHostKeyPolicy):
    """Record the key of a host the file does not know yet (appended under a lock)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def missing_host_key(self, client: paramiko.SSHClient, hostname: str,
                         key: paramiko.PKey) -> None:
        client.get_host_keys().add(hostname, key.get_name(), key)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path, "a", encoding="ascii") as f:
            fcntl.flock(f, fcntl.LOCK_EX)  # several sessions may meet new OLTs at once
            f.write(f"{hostname} {key.get_name()} {key.get_base64()}\n")


def prepare(client: paramiko.SSHClient, policy: str, setting: str) -> None:
    """Give a paramiko client (before connect) the known keys and the policy for unknown ones."""
    if policy == "off":
        client.set_missing_host_key_policy(paramiko.AutoAddPolicy())
        return
    path = known_hosts_path(setting)
    known = load(path)
    for host, entries in known.items():
        for key_type, key in entries.items():
            client.get_host_keys().add(host, key_type, key)
    client.set_missing_host_key_policy(AcceptNew(path) if policy == "accept-new"
                                       else paramiko.RejectPolicy())


def explain(olt: str, host: str, port: int, exc: BaseException, setting: str) -> HostKeyError | None:
    """A clear error for a host-key refusal, or None if `exc` is something else."""
    where = f"{host}:{port}"
    path = known_hosts_path(setting)
    inner = exc.__cause__ or exc.__context__  # netmiko wraps paramiko's exception
    if inner is not None and explain(olt, host, port, inner, setting) is not None:
        return explain(olt, host, port, inner, setting)
    if isinstance(exc, paramiko.BadHostKeyException):
        return HostKeyError(olt, None, f"the SSH host key of {where} changed "
                                       f"({exc.key.get_name()} {exc.key.get_fingerprint().hex()}): "
                                       "nothing was sent. If the OLT was replaced or re-keyed, remove "
                                       f"its line from {path}; otherwise someone may be in the middle")
    if isinstance(exc, paramiko.SSHException) and "not found in known_hosts" in str(exc):
        return HostKeyError(olt, None, f"the SSH host key of {where} is not in {path} and "
                                       "OLTSYNC_HOST_KEY_POLICY=strict: add it (ssh-keyscan -p "
                                       f"{port} {host} >> {path}) or use accept-new")
    return None
