"""Errors that name the OLT, the command and what was wrong, in one line an operator can act on."""

from __future__ import annotations


class OltSyncError(Exception):
    """Base class. `str()` is the one-line message shown in the Prefect UI and in `sync_runs`."""


class ConfigError(OltSyncError):
    """The inventory, a profile or a setting is invalid."""


class CollectError(OltSyncError):
    """Something went wrong talking to an OLT or reading its answer."""

    def __init__(self, olt: str | None, command: str | None, cause: str, *,
                 transient: bool = False):
        self.olt = olt  # None where it is raised (the parse stage knows no OLT): see `of`
        self.command = command
        self.cause = cause
        self.transient = transient  # worth retrying later (network), unlike a wrong password
        super().__init__(self._message())

    def _message(self) -> str:
        where = f" running '{self.command}'" if self.command else ""
        return f"{self.olt or ''}{where}: {self.cause}".lstrip()

    def of(self, olt: str) -> CollectError:
        """This error, naming `olt` if it did not yet: done once, where the collector calls
        the parse stage."""
        if not self.olt:
            self.olt = olt
            self.args = (self._message(),)
        return self


class LoginError(CollectError):
    """Authentication failed: never retried (AAA servers lock accounts)."""


class UnreachableError(CollectError):
    """TCP/SSH could not be established or timed out."""


class CommandRejected(CollectError):
    """The OLT answered a command with an error."""


class ForbiddenCommand(OltSyncError):
    """A command outside the read-only allowlist was about to be sent to an OLT."""

    def __init__(self, olt: str, command: str):
        self.olt = olt
        self.command = command
        shown = "".join(c if c.isprintable() else ascii(c)[1:-1] for c in command)
        super().__init__(f"{olt}: refused to send '{shown}': not in the read-only allowlist")


class ParseError(CollectError):
    """A template met text it does not understand, or a value is not what the field must hold."""


class ShrinkHeld(OltSyncError):
    """A dataset shrank suspiciously and was not applied."""


class DatabaseError(OltSyncError):
    """The database is unreachable, not migrated, or failed during a write."""


class NextStep(OltSyncError):
    """Not an error: a planned step the operator takes before running the command again (the
    first bootstrap wrote the API's auth string: restart the server and workers)."""
