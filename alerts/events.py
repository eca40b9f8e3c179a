"""Outages as Prefect events, one per outage (never one per ONU), and the notification texts an
automation renders from them (English, and Brazilian Portuguese for our users there).

An event's resource is the outage (`oltsync.outage.<id>`) labelled with its OLT, port and kind; the
OLT is a related resource; the payload has the counts, the first affected ONUs and clients.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from alerts.outages import Decisions, Outage
from alerts.signal import SignalAlert, SignalDecisions

OPENED = "oltsync.outage.opened"
CLOSED = "oltsync.outage.closed"
SIGNAL_LOW = "oltsync.signal.opened"
SIGNAL_OK = "oltsync.signal.closed"
SHOWN = 10  # affected ONUs named in a payload


def _event(name: str, olt: str, o: Outage, clients: list[str],
           rid: str | None = None) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "olt": olt, "port": o.port or "", "kind": o.kind, "affected": o.affected, "los": o.los,
        "dying_gasp": o.dying_gasp, "clients": o.clients, "onus": o.serials[:SHOWN],
        "client_keys": clients[:SHOWN], "opened_at": o.opened_at.isoformat()}
    if o.closed_at is not None:
        payload["closed_at"] = o.closed_at.isoformat()
        payload["minutes"] = round((o.closed_at - o.opened_at).total_seconds() / 60)
    return {
        "event": name,
        "resource": {"prefect.resource.id": rid or f"oltsync.outage.{o.id}",
                     "prefect.resource.name": f"{olt} {o.port or '(whole OLT)'}",
                     "oltsync.olt": olt, "oltsync.port": o.port or "", "oltsync.kind": o.kind},
        "related": [{"prefect.resource.id": f"oltsync.olt.{olt}",
                     "prefect.resource.role": "olt", "prefect.resource.name": olt}],
        "payload": payload,
    }


def outage_events(olt: str, decisions: Decisions,
                  clients: dict[str, str | None] | None = None) -> list[dict[str, Any]]:
    """The events of one pass: each outage opened and each closed, quiet (flapping) ones left
    out. `clients` maps serials to client keys."""
    clients = clients or {}

    def keys(o: Outage) -> list[str]:
        return sorted({k for s in o.serials if (k := clients.get(s))})

    return ([_event(OPENED, olt, o, keys(o)) for o in decisions.opened if not o.quiet]
            + [_event(CLOSED, olt, o, keys(o)) for o in decisions.closed if not o.quiet])


def unreachable_event(olt: str, change: str, at: datetime) -> dict[str, Any]:
    """The OLT's own outage, `change` 'opened' or 'closed' (one per OLT at a time)."""
    o = Outage(None, "unreachable", at, [])
    return _event(OPENED if change == "opened" else CLOSED, olt, o, [],
                  rid=f"oltsync.outage.{olt}.unreachable")


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


# Notification texts (Jinja, rendered by the Prefect server from the triggering event).
TEMPLATES: dict[str, dict[str, str]] = {
    "en": {
        "subject": "{% if event.event == 'oltsync.signal.opened' %}LOW SIGNAL"
                   "{% elif event.event == 'oltsync.signal.closed' %}SIGNAL OK"
                   "{% elif event.event == 'oltsync.outage.opened' %}OUTAGE{% else %}RESOLVED"
                   "{% endif %} {{ event.payload.olt }} {{ event.payload.port }}",
        "body": (
            "{% set p = event.payload %}"
            "{% if event.event == 'oltsync.signal.opened' %}{{ p.count }} ONUs on OLT {{ p.olt }},"
            " PON {{ p.port }} receive too little light ({{ p.critical }} critical): "
            "{{ p.onus | join('; ') }}"
            "{% elif event.event == 'oltsync.signal.closed' %}Signal back to normal on OLT "
            "{{ p.olt }}, PON {{ p.port }}: {{ p.onus | join('; ') }}"
            "{% elif event.event == 'oltsync.outage.opened' %}"
            "{% if p.kind == 'unreachable' %}OLT {{ p.olt }} cannot be reached."
            "{% else %}{{ p.kind | upper }} outage on OLT {{ p.olt }}, PON {{ p.port }}: "
            "{{ p.affected }} ONUs offline ({{ p.los }} LOS, {{ p.dying_gasp }} dying gasp), "
            "{{ p.clients }} clients affected. ONUs: {{ p.onus | join(', ') }}{% endif %}"
            "{% else %}"
            "{% if p.kind == 'unreachable' %}OLT {{ p.olt }} answers again."
            "{% else %}Resolved: OLT {{ p.olt }}, PON {{ p.port }} is back "
            "({{ p.affected }} ONUs, {{ p.minutes }} min).{% endif %}"
            "{% endif %}"),
    },
    "pt-BR": {
        "subject": "{% if event.event == 'oltsync.signal.opened' %}SINAL BAIXO"
                   "{% elif event.event == 'oltsync.signal.closed' %}SINAL NORMAL"
                   "{% elif event.event == 'oltsync.outage.opened' %}QUEDA{% else %}NORMALIZADO"
                   "{% endif %} {{ event.payload.olt }} {{ event.payload.port }}",
        "body": (
            "{% set p = event.payload %}"
            "{% if event.event == 'oltsync.signal.opened' %}{{ p.count }} ONUs na OLT {{ p.olt }},"
            " PON {{ p.port }} com sinal baixo ({{ p.critical }} críticas): "
            "{{ p.onus | join('; ') }}"
            "{% elif event.event == 'oltsync.signal.closed' %}Sinal normalizado na OLT "
            "{{ p.olt }}, PON {{ p.port }}: {{ p.onus | join('; ') }}"
            "{% elif event.event == 'oltsync.outage.opened' %}"
            "{% if p.kind == 'unreachable' %}A OLT {{ p.olt }} não responde."
            "{% else %}Queda ({{ p.kind | upper }}) na OLT {{ p.olt }}, PON {{ p.port }}: "
            "{{ p.affected }} ONUs offline ({{ p.los }} LOS, {{ p.dying_gasp }} dying gasp), "
            "{{ p.clients }} clientes afetados. ONUs: {{ p.onus | join(', ') }}{% endif %}"
            "{% else %}"
            "{% if p.kind == 'unreachable' %}A OLT {{ p.olt }} voltou a responder."
            "{% else %}Normalizado: OLT {{ p.olt }}, PON {{ p.port }} "
            "({{ p.affected }} ONUs, {{ p.minutes }} min).{% endif %}"
            "{% endif %}"),
    },
}

# The reminder: sent by a proactive automation when an outage opened and no "closed" followed
# within the config's reminder time; the event it renders is the one that opened the outage.
REMINDER: dict[str, dict[str, str]] = {
    "en": {
        "subject": "STILL DOWN {{ event.payload.olt }} {{ event.payload.port }}",
        "body": (
            "{% set p = event.payload %}"
            "{% if p.kind == 'unreachable' %}OLT {{ p.olt }} still cannot be reached "
            "(since {{ p.opened_at }})."
            "{% else %}The {{ p.kind | upper }} outage on OLT {{ p.olt }}, PON {{ p.port }} is "
            "still open (since {{ p.opened_at }}; {{ p.affected }} ONUs and {{ p.clients }} "
            "clients when it opened).{% endif %}"),
    },
    "pt-BR": {
        "subject": "AINDA EM QUEDA {{ event.payload.olt }} {{ event.payload.port }}",
        "body": (
            "{% set p = event.payload %}"
            "{% if p.kind == 'unreachable' %}A OLT {{ p.olt }} ainda não responde "
            "(desde {{ p.opened_at }})."
            "{% else %}A queda ({{ p.kind | upper }}) na OLT {{ p.olt }}, PON {{ p.port }} "
            "continua (desde {{ p.opened_at }}; {{ p.affected }} ONUs e {{ p.clients }} "
            "clientes na abertura).{% endif %}"),
    },
}
