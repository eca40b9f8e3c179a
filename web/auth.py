"""The web page is locked: OLTSYNC_WEB_AUTH holds one or more `user:password` pairs (space-separated;
the bootstrap or `service-files` writes one into the environment file, mode 600). A browser logs in
once and keeps a signed cookie; the API takes the same pair as HTTP basic auth. Without the
variable the page does not start.

OLTSYNC_WEB_PERSONAL_DATA says which of those users see clients' personal data (names, documents,
addresses): a space-separated list of users, or `*` (the default, unset) for every one of them;
set and empty: no one. The others see client keys only (web/privacy.py blanks the rest)."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import secrets
import time
from dataclasses import dataclass, field

from core.errors import ConfigError

VAR = "OLTSYNC_WEB_AUTH"
PERSONAL_VAR = "OLTSYNC_WEB_PERSONAL_DATA"
COOKIE = "oltsync_session"
SESSION_S = 12 * 3600


def generate(user: str = "oltsync") -> str:
    return f"{user}:{secrets.token_urlsafe(18)}"


@dataclass(frozen=True)
class Credentials:
    pairs: dict[str, str] = field(repr=False)
    key: bytes = field(repr=False)  # signs the session cookies; changes with any password
    # who may see clients' names, documents and addresses; None: every user
    personal: frozenset[str] | None = None

    @classmethod
    def parse(cls, value: str | None, personal: str | None = None) -> Credentials:
        """`personal`: OLTSYNC_WEB_PERSONAL_DATA's value (None: unset, every user)."""
        pairs: dict[str, str] = {}
        for part in (value or "").split():
            user, sep, password = part.partition(":")
            if not sep or not user or len(password) < 8:
                raise ConfigError(f"{VAR}: each entry is user:password, the password 8 characters "
                                  "or more (space between entries)")
            pairs[user] = password
        if not pairs:
            raise ConfigError(f"the web page is locked by default and {VAR} is not set: put "
                              f"{VAR}=user:password in the environment file (`oltsync bootstrap` "
                              "writes one), or in the environment")
        key = hashlib.sha256(b"oltsync-web-session\0" + " ".join(
            f"{u}:{p}" for u, p in sorted(pairs.items())).encode()).digest()
        return cls(pairs, key, _personal(personal, pairs))

    @classmethod
    def from_env(cls) -> Credentials:
        return cls.parse(os.environ.get(VAR), os.environ.get(PERSONAL_VAR))

    def sees_personal_data(self, user: str | None) -> bool:
        """Whether `user` (logged in; None: nobody is) sees clients' names, documents and
        addresses. The one place that decides it: web/privacy.py asks it for every answer."""
        if user is None or user not in self.pairs:
            return False
        return self.personal is None or user in self.personal

    def check(self, user: str, password: str) -> bool:
        expected = self.pairs.get(user, "\0" * 32)  # compare all the same: no timing on names
        return hmac.compare_digest(expected.encode(), password.encode()) and user in self.pairs

    def basic(self, header: str | None) -> str | None:
        """The user of a valid `Authorization: Basic …` header."""
        if not header or not header.lower().startswith("basic "):
            return None
        try:
            user, _, password = base64.b64decode(header[6:].strip()).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return None
        return user if self.check(user, password) else None

    def _sign(self, text: str) -> str:
        return hmac.new(self.key, text.encode(), hashlib.sha256).hexdigest()

    def cookie(self, user: str, now: float | None = None) -> str:
        body = f"{user}.{int((now or time.time()) + SESSION_S)}"
        return f"{body}.{self._sign(body)}"

    def session(self, value: str | None, now: float | None = None) -> str | None:
        """The user of a valid, unexpired session cookie."""
        if not value or value.count(".") < 2:
            return None
        body, _, sig = value.rpartition(".")
        user, _, expires = body.rpartition(".")
        if not hmac.compare_digest(sig, self._sign(body)) or not expires.isdigit():
            return None
        return user if int(expires) > (now or time.time()) and user in self.pairs else None


def _personal(value: str | None, pairs: dict[str, str]) -> frozenset[str] | None:
    """OLTSYNC_WEB_PERSONAL_DATA: unset or `*`, every user (None); otherwise the users listed,
    each one of OLTSYNC_WEB_AUTH's (a misspelt name would silently hide the data from its user)."""
    if value is None:
        return None
    names = value.split()
    if names == ["*"]:
        return None
    if "*" in names:
        raise ConfigError(f"{PERSONAL_VAR}: either * (every user) or a list of users, not both")
    unknown = sorted(set(names) - set(pairs))
    if unknown:
        raise ConfigError(f"{PERSONAL_VAR}: {', '.join(unknown)}: no such user in {VAR} (a "
                          "space-separated list of its users, or * for every one)")
    return frozenset(names)
