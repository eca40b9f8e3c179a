"""The alerts config: what an operator writes in it is what the flows and the bootstrap use, and
a mistake in it is refused with where and what."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from alerts import config
from alerts.outages import Rules
from core.errors import ConfigError

ROOT = Path(__file__).resolve().parent.parent


def test_the_example_config_loads_with_its_documented_values() -> None:
    c = config.load(ROOT / "deployments" / "alerts.example.yaml")
    assert c.language == "en"
    assert c.rules == Rules()  # the example spells out the defaults
    assert c.reminder == timedelta(hours=4)
    assert c.notify == (config.Notify("custom-webhook", "noc-telegram",
                                      ("opened", "closed", "low_signal")),)


def test_durations_thresholds_and_a_reminder_turned_off() -> None:
    c = config.parse({"language": "pt-BR", "cooldown": "90s", "reminder": "off",
                      "outage": {"min_onus": 6, "power_min_share": "0.9"},
                      "notify": [{"block": "slack-webhook/noc"}]}, "x")
    assert c.language == "pt-BR" and c.reminder is None
    assert c.rules == Rules(min_onus=6, power_min_share=0.9, cooldown=timedelta(seconds=90))
    assert c.notify == (config.Notify("slack-webhook", "noc", ("opened", "closed")),)
    assert config.parse({"reminder": "1.5h", "cooldown": 45}, "x").reminder == timedelta(minutes=90)
    assert config.parse({"cooldown": 45}, "x").rules.cooldown == timedelta(minutes=45)
    assert config.parse({}, "x") == config.AlertsConfig()


@pytest.mark.parametrize("data,message", [
    ({"langauge": "en"}, "x: unknown keys ['langauge']"),
    ({"language": "fr"}, "x: language 'fr'; one of ['en', 'pt-BR']"),
    ({"cooldown": "soon"}, "x: cooldown: 'soon' is not a duration such as 90s, 30m, 4h or 1d"),
    ({"reminder": "5s"}, "x: reminder '5s': at least 10s"),
    ({"outage": {"min_onu": 3}}, "x: outage: {'min_onu': 3}; keys among"),
    ({"outage": {"min_onus": "many"}}, "x: outage: invalid literal for int()"),
    ({"notify": [{"block": "noc"}]}, "block is '<type slug>/<name>'"),
    ({"notify": [{"block": "slack-webhook/noc", "events": ["open"]}]}, "events among"),
])
def test_a_mistake_is_refused_saying_where_and_what(data: dict, message: str) -> None:
    with pytest.raises(ConfigError) as err:
        config.parse(data, "x")
    assert message in str(err.value)


def test_the_flows_take_the_rules_from_the_file_the_environment_names(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OLTSYNC_ALERTS", raising=False)
    assert config.from_env() == config.AlertsConfig()
    f = tmp_path / "alerts.yaml"
    f.write_text("outage:\n  min_onus: 2\n")
    monkeypatch.setenv("OLTSYNC_ALERTS", str(f))
    assert config.from_env().rules.min_onus == 2
    f.write_text("outage: [1\n")
    with pytest.raises(ConfigError, match=f"alerts config {f}: "):
        config.from_env()
