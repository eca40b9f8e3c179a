"""Outages as Prefect events, one per outage (never one per ONU), and the notification texts an
automation renders from them (English, and Brazilian Portuguese for our users there).

An event's resource is the outage (`oltsync.outage.<id>`) labelled with its OLT, port and kind; the
OLT is a related resource; the payload has the counts, the first affected ONUs and clients.
"""

from __future__ import annotations

import re
from typing import Any

from alerts.outages import Decisions, Outage
from alerts.signal import SignalAlert, SignalDecisions

OPENED = "oltsync.outage.opened"
CLOSED = "oltsync.outage.closed"
SIGNAL_LOW = "oltsync.signal.opened"
SIGNAL_OK = "oltsync.signal.closed"
SHOWN = 10  # affected ONUs named in a payload


def _port_order(item: tuple[str, int]) -> list:
    """0/1/2 before 0/1/10: a port's numbers as numbers."""
    return [int(x) if x.isdigit() else x for x in re.split(r"(\d+)", item[0])]


def _event(name: str, olt: str, o: Outage, clients: list[str],
           rid: str | None = None, reason: str | None = None) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "olt": olt, "port": o.port or "", "kind": o.kind, "affected": o.affected, "los": o.los,
        "dying_gasp": o.dying_gasp, "clients": o.clients, "onus": o.serials[:SHOWN],
        "client_keys": clients[:SHOWN], "opened_at": o.opened_at.isoformat(),
        "flaps": o.reopened, "ports": [f"{p} ({n})" for p, n in sorted(o.ports.items(), key=_port_order)]}
    if reason:
        payload["reason"] = reason
    if o.closed_at is not None:
        payload["closed_at"] = o.closed_at.isoformat()
        payload["minutes"] = round((o.closed_at - o.opened_at).total_seconds() / 60)
    where = o.port or (f"({len(o.ports)} PON ports)" if o.ports else "(whole OLT)")
    return {
        "event": name,
        "resource": {"prefect.resource.id": rid or f"oltsync.outage.{o.id}",
                     "prefect.resource.name": f"{olt} {where}",
                     "oltsync.olt": olt, "oltsync.port": o.port or "", "oltsync.kind": o.kind},
        "related": [{"prefect.resource.id": f"oltsync.olt.{olt}",
                     "prefect.resource.role": "olt", "prefect.resource.name": olt}],
        "payload": payload,
    }


def outage_events(olt: str, decisions: Decisions,
                  clients: dict[str, str | None] | None = None) -> list[dict[str, Any]]:
    """The events of one evaluation: what the operator is told (decisions.tell), in order: one
    per outage opened, reopened after its RESOLVED, or closed (a flapping port's RESOLVED held
    until it stays up). `clients` maps serials to client keys."""
    clients = clients or {}

    def keys(o: Outage) -> list[str]:
        return sorted({k for s in o.serials if (k := clients.get(s))})

    return [_event(OPENED if change == "opened" else CLOSED, olt, o, keys(o))
            for change, o in decisions.tell]


def olt_event(olt: str, o: Outage, reason: str | None = None) -> dict[str, Any]:
    """The OLT's own outage (unreachable or unreadable) opened or closed: one per OLT and kind
    at a time, so its resource is the OLT's, and a reminder follows each opening."""
    return _event(OPENED if o.closed_at is None else CLOSED, olt, o, [],
                  rid=f"oltsync.outage.{olt}.{o.kind}", reason=reason)


def signal_events(olt: str, d: SignalDecisions) -> list[dict[str, Any]]:
    """Low-signal alerts as events, one per PON port and direction (never one per ONU): the
    ONUs whose level went low (or from warning to critical), worst first; those back."""
    out = []
    for name, alerts in ((SIGNAL_LOW, d.opened + d.raised), (SIGNAL_OK, d.closed)):
        by_port: dict[str, list[SignalAlert]] = {}
        for a in alerts:
            by_port.setdefault(a.port, []).append(a)
        for port, group in sorted(by_port.items()):
            group.sort(key=lambda a: a.level_dbm)
            out.append({
                "event": name,
                "resource": {"prefect.resource.id": f"oltsync.signal.{olt}.{port}",
                             "prefect.resource.name": f"{olt} {port}", "oltsync.olt": olt,
                             "oltsync.port": port, "oltsync.kind": "signal"},
                "related": [{"prefect.resource.id": f"oltsync.olt.{olt}",
                             "prefect.resource.role": "olt", "prefect.resource.name": olt}],
                "payload": {"olt": olt, "port": port, "kind": "signal", "count": len(group),
                            "critical": sum(a.severity == "critical" for a in group),
                            "onus": [f"{a.serial} {a.metric} {a.level_dbm:.2f} dBm {a.severity}"
                                     for a in group[:SHOWN]]},
            })
    return out


# Notification texts (Jinja, rendered by the Prefect server from the triggering event). A port's
# outage names the port; an OLT-wide one how many ports (each with its count in the body); the
# OLT's own outages (unreachable, unreadable) only the OLT.
_WHERE = ("{{ event.payload.olt }}{% if event.payload.port %} {{ event.payload.port }}"
          "{% elif event.payload.ports %} ({{ event.payload.ports | length }} PON ports)"
          "{% endif %}")
_ONDE = _WHERE.replace("PON ports", "PONs")

TEMPLATES: dict[str, dict[str, str]] = {
    "en": {
        "subject": "{% if event.event == 'oltsync.signal.opened' %}LOW SIGNAL"
                   "{% elif event.event == 'oltsync.signal.closed' %}SIGNAL OK"
                   "{% elif event.event == 'oltsync.outage.opened' %}OUTAGE{% else %}RESOLVED"
                   "{% endif %} " + _WHERE,
        "body": (
            "{% set p = event.payload %}"
            "{% if event.event == 'oltsync.signal.opened' %}{{ p.count }} ONUs on OLT {{ p.olt }},"
            " PON {{ p.port }} receive too little light ({{ p.critical }} critical): "
            "{{ p.onus | join('; ') }}"
            "{% elif event.event == 'oltsync.signal.closed' %}Signal back to normal on OLT "
            "{{ p.olt }}, PON {{ p.port }}: {{ p.onus | join('; ') }}"
            "{% elif event.event == 'oltsync.outage.opened' %}"
            "{% if p.kind == 'unreachable' %}OLT {{ p.olt }} cannot be reached."
            "{% elif p.kind == 'unreadable' %}OLT {{ p.olt }} accepts the login but cannot be "
            "read: {{ p.reason }}"
            "{% elif p.ports %}{{ p.kind | upper }} outage on OLT {{ p.olt }}: "
            "{{ p.ports | length }} PON ports, {{ p.affected }} ONUs offline ({{ p.los }} LOS, "
            "{{ p.dying_gasp }} dying gasp), {{ p.clients }} clients affected. Ports: "
            "{{ p.ports | join(', ') }}"
            "{% else %}{{ p.kind | upper }} outage on OLT {{ p.olt }}, PON {{ p.port }}"
            "{% if p.flaps %} again (dark {{ p.flaps + 1 }} times since {{ p.opened_at }}){% endif %}"
            ": {{ p.affected }} ONUs offline ({{ p.los }} LOS, {{ p.dying_gasp }} dying gasp), "
            "{{ p.clients }} clients affected. ONUs: {{ p.onus | join(', ') }}{% endif %}"
            "{% else %}"
            "{% if p.kind == 'unreachable' %}OLT {{ p.olt }} answers again."
            "{% elif p.kind == 'unreadable' %}OLT {{ p.olt }} can be read again."
            "{% elif p.ports %}Resolved: OLT {{ p.olt }}, its {{ p.ports | length }} PON ports are "
            "back ({{ p.affected }} ONUs, {{ p.minutes }} min)."
            "{% else %}Resolved: OLT {{ p.olt }}, PON {{ p.port }} is back "
            "({{ p.affected }} ONUs, {{ p.minutes }} min"
            "{% if p.flaps %}; it flapped {{ p.flaps }} times before it stayed up{% endif %})."
            "{% endif %}"
            "{% endif %}"),
    },
    "pt-BR": {
        "subject": "{% if event.event == 'oltsync.signal.opened' %}SINAL BAIXO"
                   "{% elif event.event == 'oltsync.signal.closed' %}SINAL NORMAL"
                   "{% elif event.event == 'oltsync.outage.opened' %}QUEDA{% else %}NORMALIZADO"
                   "{% endif %} " + _ONDE,
        "body": (
            "{% set p = event.payload %}"
            "{% if event.event == 'oltsync.signal.opened' %}{{ p.count }} ONUs na OLT {{ p.olt }},"
            " PON {{ p.port }} com sinal baixo ({{ p.critical }} críticas): "
            "{{ p.onus | join('; ') }}"
            "{% elif event.event == 'oltsync.signal.closed' %}Sinal normalizado na OLT "
            "{{ p.olt }}, PON {{ p.port }}: {{ p.onus | join('; ') }}"
            "{% elif event.event == 'oltsync.outage.opened' %}"
            "{% if p.kind == 'unreachable' %}A OLT {{ p.olt }} não responde."
            "{% elif p.kind == 'unreadable' %}A OLT {{ p.olt }} aceita o login mas não pode ser "
            "lida: {{ p.reason }}"
            "{% elif p.ports %}Queda ({{ p.kind | upper }}) na OLT {{ p.olt }}: "
            "{{ p.ports | length }} PONs, {{ p.affected }} ONUs offline ({{ p.los }} LOS, "
            "{{ p.dying_gasp }} dying gasp), {{ p.clients }} clientes afetados. PONs: "
            "{{ p.ports | join(', ') }}"
            "{% else %}Queda ({{ p.kind | upper }}) na OLT {{ p.olt }}, PON {{ p.port }}"
            "{% if p.flaps %} de novo ({{ p.flaps + 1 }} vezes desde {{ p.opened_at }}){% endif %}"
            ": {{ p.affected }} ONUs offline ({{ p.los }} LOS, {{ p.dying_gasp }} dying gasp), "
            "{{ p.clients }} clientes afetados. ONUs: {{ p.onus | join(', ') }}{% endif %}"
            "{% else %}"
            "{% if p.kind == 'unreachable' %}A OLT {{ p.olt }} voltou a responder."
            "{% elif p.kind == 'unreadable' %}A OLT {{ p.olt }} voltou a ser lida."
            "{% elif p.ports %}Normalizado: OLT {{ p.olt }}, suas {{ p.ports | length }} PONs "
            "({{ p.affected }} ONUs, {{ p.minutes }} min)."
            "{% else %}Normalizado: OLT {{ p.olt }}, PON {{ p.port }} "
            "({{ p.affected }} ONUs, {{ p.minutes }} min"
            "{% if p.flaps %}; oscilou {{ p.flaps }} vezes antes de estabilizar{% endif %})."
            "{% endif %}"
            "{% endif %}"),
    },
}

# The reminder: sent by a proactive automation when an outage opened and no "closed" followed
# within the config's reminder time; the event it renders is the one that opened the outage.
REMINDER: dict[str, dict[str, str]] = {
    "en": {
        "subject": "STILL DOWN " + _WHERE,
        "body": (
            "{% set p = event.payload %}"
            "{% if p.kind == 'unreachable' %}OLT {{ p.olt }} still cannot be reached "
            "(since {{ p.opened_at }})."
            "{% elif p.kind == 'unreadable' %}OLT {{ p.olt }} still cannot be read "
            "(since {{ p.opened_at }}): {{ p.reason }}"
            "{% elif p.ports %}The {{ p.kind | upper }} outage on OLT {{ p.olt }} "
            "({{ p.ports | length }} PON ports) is still open (since {{ p.opened_at }}; "
            "{{ p.affected }} ONUs and {{ p.clients }} clients when it opened)."
            "{% else %}The {{ p.kind | upper }} outage on OLT {{ p.olt }}, PON {{ p.port }} is "
            "still open (since {{ p.opened_at }}; {{ p.affected }} ONUs and {{ p.clients }} "
            "clients when it opened).{% endif %}"),
    },
    "pt-BR": {
        "subject": "AINDA EM QUEDA " + _ONDE,
        "body": (
            "{% set p = event.payload %}"
            "{% if p.kind == 'unreachable' %}A OLT {{ p.olt }} ainda não responde "
            "(desde {{ p.opened_at }})."
            "{% elif p.kind == 'unreadable' %}A OLT {{ p.olt }} ainda não pode ser lida "
            "(desde {{ p.opened_at }}): {{ p.reason }}"
            "{% elif p.ports %}A queda ({{ p.kind | upper }}) na OLT {{ p.olt }} "
            "({{ p.ports | length }} PONs) continua (desde {{ p.opened_at }}; "
            "{{ p.affected }} ONUs e {{ p.clients }} clientes na abertura)."
            "{% else %}A queda ({{ p.kind | upper }}) na OLT {{ p.olt }}, PON {{ p.port }} "
            "continua (desde {{ p.opened_at }}; {{ p.affected }} ONUs e {{ p.clients }} "
            "clientes na abertura).{% endif %}"),
    },
}
