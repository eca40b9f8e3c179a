"""Ground truth: what each simulated OLT reports, in the database's normal forms.

Tests compare the database to this exactly; it is built from the simulator's own state, never from
the collector's parsing, so a parsing mistake cannot hide in both.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from typing import Any

from simulator import firmware
from simulator.model import OLT_ZONE, Olt


def _ts(v: datetime | None) -> str | None:
    return v.astimezone(UTC).isoformat() if v else None


def olt_truth(olt: Olt) -> dict[str, Any]:
    per_port = Counter(o.port for o in olt.onus)
    # A firmware that masks descriptions (ZTE TITAN) leaves the collector none, hence no clients.
    hidden = firmware.hides_descriptions(olt.platform, olt.generation)
    # TITAN: PON ports from its cards (no state printed), MACs read per online ONU, and a release
    # that maps VLANs without service-port lines
    titan = olt.platform == "zte_c600"
    online = {(o.port, o.onu_id) for o in olt.onus if o.run_state == "online"}
    services = firmware.sees_service_ports(olt.platform, olt.generation)
    zte = olt.platform.startswith("zte_")
    return {
        "name": olt.name,
        "platform": olt.platform,
        "host": olt.host,
        "port": olt.port,
        "hostname": olt.hostname,
        "model": olt.model,
        "firmware": olt.firmware,
        "patch": olt.patch,
        "boards": [{"slot": b.slot, "type": b.type, "status": b.status} for b in olt.boards],
        "pon_ports": [{"port": p.port, "admin_state": None if titan else p.admin_state,
                       "oper_state": None if titan else p.oper_state,
                       "onu_count": per_port.get(p.port, 0)} for p in olt.pon_ports],
        "onus": [{
            "port": o.port, "onu_id": o.onu_id, "serial": o.serial, "run_state": o.run_state,
            "description": None if hidden else o.description,
            "client_key": None if hidden else o.client_key, "equipment": o.equipment,
            "firmware": o.firmware if o.run_state == "online" else None,
            "distance_m": o.distance_m, "last_down_cause": o.last_down_cause,
            "last_up_at": _ts(o.last_up_at), "last_down_at": _ts(o.last_down_at),
            "rx_power_dbm": o.rx_power_dbm, "tx_power_dbm": o.tx_power_dbm,
            "olt_rx_power_dbm": o.olt_rx_power_dbm, "temperature_c": o.temperature_c,
            # ZTE's running configuration gives the login (never the password); Huawei: no column
            **({"pppoe_login": o.pppoe_login} if zte else {}),
        } for o in olt.onus],
        "macs": [{"mac": m.mac, "vlan": m.vlan, "port": m.port, "onu_id": m.onu_id,
                  "service_port": m.service_port, "gem_port": m.gem_index, "type": m.type}
                 for m in olt.macs if not titan or (m.port, m.onu_id) in online],
        "service_ports": [{"index": s.index, "vlan": s.vlan, "user_vlan": s.user_vlan,
                           "port": s.port, "onu_id": s.onu_id, "gem_port": s.gem_port}
                          for s in olt.service_ports] if services else [],
        "unregistered_onus": [{"port": u.port, "serial": u.serial, "equipment": u.equipment,
                               "firmware": u.firmware, "found_at": _ts(u.found_at)}
                              for u in olt.unregistered],
        "clients": {} if hidden else {o.client_key: o.client_name for o in olt.onus if o.client_key},
    }


def fleet_truth(olts: list[Olt]) -> dict[str, Any]:
    return {"olts": [olt_truth(o) for o in olts]}


def inventory(olts: list[Olt], password_env: str, per_olt_env: bool = False) -> dict[str, Any]:
    """An inventory file for the collector. Passwords by reference to environment variables."""
    entries = []
    for o in olts:
        e: dict[str, Any] = {"name": o.name, "host": o.host, "port": o.port,
                             "platform": o.platform, "username": o.username,
                             "timezone": OLT_ZONE}
        e["password_env"] = env_name(o, password_env) if per_olt_env else password_env
        entries.append(e)
    return {"olts": entries}


def env_name(olt: Olt, prefix: str) -> str:
    return f"{prefix}_{olt.name.upper().replace('-', '_').replace('.', '_')}"
