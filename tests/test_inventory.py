"""Inventory validation: clear errors, no inline passwords, bad entries isolated."""

from __future__ import annotations

import pytest

from oltsync.errors import ConfigError
from oltsync.inventory import parse


def test_valid_with_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    inv = parse({"defaults": {"platform": "huawei_smartax", "username": "u", "password_env": "PW"},
                 "olts": [{"name": "olt-a", "host": "10.0.0.1"}, {"name": "olt-b", "host": "h"}]})
    assert [o.name for o in inv.olts] == ["olt-a", "olt-b"] and inv.problems == ()
    monkeypatch.setenv("PW", "s3cret")
    assert inv.get("olt-a").credentials() == ("u", "s3cret")


def test_bad_entries_are_isolated_and_named() -> None:
    inv = parse({"olts": [
        {"name": "good", "host": "h", "platform": "huawei_smartax", "username": "u",
         "password_env": "PW"},
        {"name": "typo", "host": "h", "platform": "huawei_smartx", "username": "u",
         "password_env": "PW"},
        {"name": "inline", "host": "h", "platform": "huawei_smartax", "username": "u",
         "password": "hunter2"},
        {"name": "nocred", "host": "h", "platform": "huawei_smartax", "username": "u"},
        {"name": "dup", "host": "a", "platform": "huawei_smartax", "username": "u", "password_env": "P"},
        {"name": "dup", "host": "b", "platform": "huawei_smartax", "username": "u", "password_env": "P"},
    ]})
    assert [o.name for o in inv.olts] == ["good"]
    text = "\n".join(inv.problems)
    assert "typo: platform: Value error, unknown platform 'huawei_smartx'" in text
    assert "inline: inline passwords are not allowed" in text
    assert "nocred: entry: Value error, set exactly one of password_env or password_secret" in text
    assert "dup: duplicate name" in text
    assert "hunter2" not in text
    with pytest.raises(ConfigError, match="typo: platform"):
        inv.get("typo")


def test_missing_password_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NOPE", raising=False)
    inv = parse({"olts": [{"name": "a", "host": "h", "platform": "huawei_smartax", "username": "u",
                           "password_env": "NOPE"}]})
    with pytest.raises(ConfigError, match="a: environment variable NOPE is not set"):
        inv.get("a").credentials()
