"""Inventory validation: clear errors, no inline passwords, bad entries isolated."""

from __future__ import annotations

import pytest

from core.errors import ConfigError
from inventory.entries import parse


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


def _entry(name: str, host: str, **kw) -> dict:  # noqa: ANN003
    return {"name": name, "host": host, "platform": "huawei_smartax", "username": "u",
            "password_env": "PW", **kw}


def test_one_box_under_two_names_is_refused_naming_both() -> None:
    inv = parse({"olts": [_entry("olt-a", "10.0.0.1"), _entry("olt-b", "10.0.0.1 "),
                          _entry("olt-c", "OLT.example.net"), _entry("olt-d", "olt.example.net."),
                          _entry("olt-e", "10.0.0.1", port=2222), _entry("olt-f", "10.0.0.2")]})
    assert [o.name for o in inv.olts] == ["olt-e", "olt-f"]  # another port is another box
    text = "\n".join(inv.problems)
    assert "olt-a: same host and port as olt-b (10.0.0.1:22)" in text
    assert "olt-b: same host and port as olt-a (10.0.0.1:22)" in text
    assert "olt-c: same host and port as olt-d (olt.example.net:22)" in text
    assert inv.listed == {"olt-a", "olt-b", "olt-c", "olt-d", "olt-e", "olt-f"}


def test_every_listed_name_counts_even_an_invalid_one() -> None:
    """An OLT whose entry has a typo is still in the inventory: not to be marked removed."""
    inv = parse({"olts": [_entry("olt-a", "h1"), _entry("olt-b", "h2", platform="huawei_smartx")]})
    assert [o.name for o in inv.olts] == ["olt-a"] and inv.listed == {"olt-a", "olt-b"}
