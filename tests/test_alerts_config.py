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
    # a share as a percentage, the OLT-wide rule and the unreadable count are settings too
    c = config.parse({"outage": {"min_share": "40%", "olt_share": 0.25, "olt_min_ports": 4,
                                 "unreadable_after": 2}}, "x")
    assert c.rules == Rules(min_share=0.4, olt_share=0.25, olt_min_ports=4, unreadable_after=2)


@pytest.mark.parametrize("data,message", [
    ({"langauge": "en"}, "x: unknown keys ['langauge']"),
    ({"language": "fr"}, "x: language 'fr'; one of ['en', 'pt-BR']"),
    ({"cooldown": "soon"}, "x: cooldown: 'soon' is not a duration such as 90s, 30m, 4h or 1d"),
    ({"reminder": "5s"}, "x: reminder '5s': at least 10s"),
    ({"outage": {"min_onu": 3}}, "x: outage.min_onu: unknown rule; allowed: ['close_share', "),
    ({"outage": {"min_onus": "many"}}, "x: outage.min_onus: 'many': a whole number of at least 1"),
    ({"outage": [1]}, "x: outage: [1]; a mapping of rules among"),
    # the mistakes an operator made that were accepted silently before
    ({"outage": {"min_share": 50}},
     "x: outage.min_share: 50: a share above 0 and at most 1 (or 1% to 100%)"),
    ({"outage": {"min_onus": -1}}, "x: outage.min_onus: -1: a whole number of at least 1"),
    ({"outage": {"min_onus": True}}, "x: outage.min_onus: True: a whole number of at least 1"),
    ({"outage": {"min_onus": 4.7}}, "x: outage.min_onus: 4.7: a whole number of at least 1"),
    ({"outage": {"close_share": "150%"}}, "x: outage.close_share: '150%': a share above 0"),
    ({"cooldown": -30}, "x: cooldown: -30: a duration must be more than zero"),
    ({"cooldown": "0s"}, "x: cooldown: '0s': a duration must be more than zero"),
    ({"notify": ["custom-webhook/noc"]},
     "x: notify[0]: 'custom-webhook/noc'; each entry is a mapping such as {block: "),
    ({"notify": {"block": "custom-webhook/noc"}},
     "x: notify: {'block': 'custom-webhook/noc'}; a list of entries such as {block: "),
    ({"notify": [{"block": "noc"}]}, "x: notify[0].block: 'noc'; block is '<type slug>/<name>'"),
    ({"notify": [{"block": "slack-webhook/noc", "events": ["open"]}]},
     "x: notify[0].events: ['open']; a list of events among ['opened', 'closed', 'low_signal']"),
    ({"notify": [{"block": "slack-webhook/noc", "event": ["opened"]}]},
     "x: notify[0]: unknown keys ['event']; allowed: ['block', 'events']"),
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
