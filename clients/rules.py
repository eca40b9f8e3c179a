"""Client rules: how an ONU's own data names its client.

An ordered list; the first rule that matches an ONU wins. A rule is a named preset (the common
styles Brazilian ISPs write descriptions in) or the operator's own regular expression with a named
group `key` (and optionally `name`), read from the ONU's description or its PPPoE login. The list
lives in the inventory (`defaults: client_rules:`, overridable per OLT: `client_rules:`).

Placeholders (`ONT_NO_DESCRIPTION`, a masked `********`, blank) are never clients, whatever rule.
Names keep their accents; underscores become spaces (CLIs forbid spaces, so operators use `_`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from core.errors import ConfigError

FIELDS = ("description", "pppoe_login")
KEY_MAX = 64  # clients.key


@dataclass(frozen=True)
class Rule:
    name: str
    pattern: re.Pattern[str]
    field: str = "description"  # which of the ONU's columns the pattern reads
    about: str = ""  # what it matches, for `oltsync clients test` and the docs

    def find(self, description: str | None, pppoe_login: str | None) -> Match | None:
        text = description if self.field == "description" else pppoe_login
        if not text or (self.field == "description" and is_placeholder(text)):
            return None
        m = self.pattern.search(text.strip())
        if m is None or not (key := (m.group("key") or "").strip()) or len(key) > KEY_MAX:
            return None
        name = m.groupdict().get("name")
        return Match(self.name, key, clean_name(name), self.field)


@dataclass(frozen=True)
class Match:
    rule: str
    key: str
    name: str | None
    field: str  # where the key was read: description or pppoe_login


def clean_name(name: str | None) -> str | None:
    """Underscores as spaces, blanks collapsed, separators at the ends dropped; accents kept."""
    if not name:
        return None
    name = " ".join(name.replace("_", " ").split()).strip(" -_:;,.")
    return name or None


_PLACEHOLDER = re.compile(
    r"(?i)^(?:ONT_NO_DESCRIPTION|ONU_NO_DESCRIPTION|NO[_ ]DESCRIPTION|N/?A|NONE|NULL|-+|\.+|\*+"
    r"|SEM[_ ]DESCRI(?:C|Ç)(?:A|Ã)O|SEM[_ ]NOME)$")


def is_placeholder(description: str | None) -> bool:
    """A description that names nobody: empty, the box's default, or masked by the box (C600)."""
    return description is None or not description.strip() or bool(
        _PLACEHOLDER.match(description.strip()))


def _rx(pattern: str, ignore_case: bool = False) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE if ignore_case else 0)


# A client code: 4 to 10 digits (billing systems' ids; CPFs are 11 and are not codes).
PRESETS: dict[str, Rule] = {r.name: r for r in (
    Rule("key_first", _rx(r"^(?P<key>\d{4,10})\s*[-_ ]\s*(?P<name>\S.*)$"),
         about="code, then the name: 00343155_Fábio_Pereira, 4512 - João"),
    Rule("cliente_prefix",
         _rx(r"^(?:CLIENTE|CLI)[\s_.:#-]*(?P<key>\d{3,10})(?:[\s_]*[-_:]?[\s_]*(?P<name>\S.*?))?$",
             ignore_case=True),
         about="CLIENTE or CLI, the code, maybe a name: CLIENTE 14577 - RAIMUNDA SOUZA, "
               "CLI14577-SOUZA"),
    # SmartOLT's descriptions end in the authorization date (`…_authd_20240501`: captures):
    # a date, not a code
    Rule("key_last", _rx(r"^(?=.*[^\W\d_])(?P<name>\S.*?)(?<!_authd)[\s_-]+(?P<key>\d{4,10})$"),
         about="the name (with letters), then the code: JOÃO DA SILVA 10234, Condomínio Ipê "
               "Amarelo Ap 12 14539"),
    Rule("key_only", _rx(r"^(?P<key>\d{4,10})$"), about="the code alone: 14577"),
    Rule("pppoe_login", _rx(r"^(?P<key>\S+)$"), field="pppoe_login",
         about="the ONU's PPPoE login (ZTE configuration) is the client key"),
)}

# Unambiguous styles only: a name that ends in digits ("Rua 7 de Setembro 1500") is not read as
# a code unless the operator asks for key_last.
DEFAULT_RULES = ("key_first", "cliente_prefix")


class RuleError(ConfigError, ValueError):
    """An operator's rule that cannot be used: one sentence naming it and what to fix."""


def _custom(i: int, item: Mapping[str, Any]) -> Rule:
    where = f"client_rules[{i}]"
    unknown = sorted(set(item) - {"name", "pattern", "field", "ignore_case", "preset"})
    if unknown:
        raise RuleError(f"{where}: unknown key(s) {unknown}; a rule has name, pattern, field "
                        "(description or pppoe_login) and ignore_case")
    if "preset" in item:
        return preset(i, str(item["preset"]))
    name, pattern = item.get("name"), item.get("pattern")
    if not isinstance(name, str) or not name.strip() or not isinstance(pattern, str):
        raise RuleError(f"{where}: a custom rule needs a name and a pattern")
    field = str(item.get("field", "description"))
    if field not in FIELDS:
        raise RuleError(f"{where} ({name}): field must be one of {', '.join(FIELDS)}, "
                        f"not {field!r}")
    try:
        rx = _rx(pattern, bool(item.get("ignore_case", False)))
    except re.error as exc:
        raise RuleError(f"{where} ({name}): the pattern is not a regular expression: {exc}") \
            from None
    if "key" not in rx.groupindex:
        raise RuleError(f"{where} ({name}): the pattern needs a named group (?P<key>...)")
    return Rule(name.strip(), rx, field, about=f"custom: {pattern}")


def preset(i: int, name: str) -> Rule:
    if name not in PRESETS:
        raise RuleError(f"client_rules[{i}]: unknown preset {name!r}; presets: "
                        f"{', '.join(PRESETS)}")
    return PRESETS[name]


def parse_rules(items: Iterable[str | Mapping[str, Any]]) -> tuple[Rule, ...]:
    """The inventory's `client_rules` list: preset names and custom rules, in order."""
    rules: list[Rule] = []
    for i, item in enumerate(items):
        if isinstance(item, str):
            rules.append(preset(i, item))
        elif isinstance(item, Mapping):
            rules.append(_custom(i, item))
        else:
            raise RuleError(f"client_rules[{i}]: a preset's name or a mapping, not {item!r}")
    names = [r.name for r in rules]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise RuleError(f"client_rules: {', '.join(twice)} listed twice")
    return tuple(rules)


def default_rules(pattern: str | None = None) -> tuple[Rule, ...]:
    """The rules when the inventory names none: the presets above, or the one pattern of
    OLTSYNC_CLIENT_PATTERN where it is set (the setting before client rules existed)."""
    if pattern:
        return parse_rules([{"name": "OLTSYNC_CLIENT_PATTERN", "pattern": pattern}])
    return parse_rules(DEFAULT_RULES)


def first_match(rules: Iterable[Rule], description: str | None,
                pppoe_login: str | None = None) -> Match | None:
    """The first rule's match, or None: the ONU names no client."""
    for rule in rules:
        m = rule.find(description, pppoe_login)
        if m is not None:
            return m
    return None
