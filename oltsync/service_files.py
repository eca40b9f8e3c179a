"""`oltsync service-files`: the systemd units or the supervisor configuration for this machine's
paths and user, rendered from the files in deployments/ (which are written for the conventional
paths: /opt/oltsync, /etc/oltsync/oltsync.env, /var/log/oltsync, /var/lib/oltsync, user oltsync),
and the environment file, created from its example when missing, with the values given."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from core.errors import ConfigError

DEPLOYMENTS = Path(__file__).resolve().parent.parent / "deployments"
DEFAULTS = {"prefix": "/opt/oltsync", "env_file": "/etc/oltsync/oltsync.env",
            "log_dir": "/var/log/oltsync", "state_dir": "/var/lib/oltsync",
            "supervisor_dir": "/etc/oltsync/supervisor", "user": "oltsync"}
_KEY = re.compile(r"^[A-Z][A-Z0-9_]*$")


@dataclass(frozen=True)
class Layout:
    prefix: str = DEFAULTS["prefix"]
    venv: str | None = None  # default: PREFIX/.venv
    env_file: str = DEFAULTS["env_file"]
    log_dir: str = DEFAULTS["log_dir"]
    state_dir: str = DEFAULTS["state_dir"]
    user: str | None = DEFAULTS["user"]  # None: run as whoever starts the service manager
    workers: int = 1  # supervisor: worker processes on this host

    def render(self, text: str, out: Path) -> str:
        venv = self.venv or f"{self.prefix}/.venv"
        # the longest conventional paths first: /opt/oltsync/.venv before /opt/oltsync
        for old, new in ((f"{DEFAULTS['prefix']}/.venv", venv),
                         (DEFAULTS["supervisor_dir"], str(out)),
                         (DEFAULTS["env_file"], self.env_file),
                         (DEFAULTS["prefix"], self.prefix), (DEFAULTS["log_dir"], self.log_dir),
                         (DEFAULTS["state_dir"], self.state_dir)):
            text = text.replace(old, new)
        text = text.replace("numprocs=1", f"numprocs={self.workers}")
        lines = []
        for line in text.splitlines():
            if re.match(r"^(User|Group|user)=oltsync$", line):
                if self.user is None:
                    continue
                line = line.replace("=oltsync", f"={self.user}")
            lines.append(line)
        return "\n".join(lines) + "\n"


def render(kind: str, layout: Layout, out: Path) -> list[Path]:
    """Write the files of `kind` ('systemd' or 'supervisor') into `out`; their paths."""
    sources = {"systemd": sorted((DEPLOYMENTS / "systemd").glob("*.service")),
               "supervisor": [DEPLOYMENTS / "supervisor" / "supervisord.conf",
                              DEPLOYMENTS / "supervisor" / "oltsync.conf"]}[kind]
    if layout.workers < 1:
        raise ConfigError("service-files: --workers must be at least 1")
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for src in sources:
        dest = out / src.name
        dest.write_text(layout.render(src.read_text(), out.resolve()))
        written.append(dest)
    return written


def write_env_file(path: Path, layout: Layout, values: dict[str, str]) -> bool:
    """Create the environment file from the example (this layout's paths) when it is missing, and
    set `values` in it; mode 600. Returns whether it was created."""
    bad = [k for k in values if not _KEY.match(k)]
    if bad:
        raise ConfigError(f"service-files: not an environment variable name: {', '.join(bad)}")
    created = not path.exists()
    if created and "OLTSYNC_WEB_AUTH" not in values:  # the web page is locked from the start
        from web.auth import generate

        values = {**values, "OLTSYNC_WEB_AUTH": generate()}
    text = (layout.render((DEPLOYMENTS / "oltsync.env.example").read_text(), path.parent)
            if created else path.read_text())
    for key, value in values.items():
        line = f"{key}={value}"
        # the key's line, or its commented-out example line, or a new line at the end
        for pattern in (rf"^{key}=.*$", rf"^# {key}=.*$"):
            found = re.search(pattern, text, re.M)
            if found:
                text = text[:found.start()] + line + text[found.end():]
                break
        else:
            text = text.rstrip("\n") + f"\n{line}\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600, exist_ok=True)
    path.chmod(0o600)
    path.write_text(text)
    return created


def next_steps(kind: str, layout: Layout, out: Path) -> list[str]:
    bin_ = f"{layout.venv or layout.prefix + '/.venv'}/bin"
    # the bootstrap, twice: the first writes the API's auth string (the server refuses to start
    # without it), the second prepares the running server (docs/operations.md)
    boot = f"cd {layout.prefix} && deployments/with-env {bin_}/oltsync bootstrap"
    if kind == "systemd":
        return [f"cp {out}/*.service /etc/systemd/system/ && systemctl daemon-reload", boot,
                "systemctl enable --now oltsync-prefect-server oltsync-worker oltsync-web", boot]
    conf = out.resolve() / "supervisord.conf"
    return [boot, f"{bin_}/supervisord -c {conf}", boot, f"{bin_}/supervisorctl -c {conf} status"]
