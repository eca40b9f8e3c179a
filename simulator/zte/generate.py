"""ZTE OLTs for the simulated fleet: C300/C320 (ZXAN) and C600/C620 (TITAN).

Vendor-neutral state (simulator/model.py), shaped the way a ZTE box has it: ports are
shelf/slot/port ("1/2/1", 1-based, rack 1 implied), ONU ids 1..128, serials ZTEG + 8 hex, a service
port index that counts per ONU (1, 2, ...) bound to the ONU's vport of the same number. Fields a ZTE
box does not report with the commands we use are None, so the ground truth holds exactly what the
collector can see: no ONU firmware, no ONU tx power or temperature (per-port optics only give rx
levels), MACs tied to a vport rather than a service-port index, no uplink MACs (per-PON MAC tables).
"""

from __future__ import annotations

import random
import unicodedata
from datetime import UTC, datetime, timedelta

from simulator import chassis, firmware
from simulator.model import EPOCH, MAX_ONU_ID, Mac, Olt, Onu, ServicePort, Unregistered

ZTE_ONU_MODELS = ["F601", "F660", "F670L", "F6600P", "F680"]
ZTE_DOWN_CAUSES = ["LOS", "DyingGasp", "LOFi", "Reset"]

# Card names from the captures (VANS C320: SMXA control, GTGH line; KusumaVision C600: SFUB
# switch, GFGL line). A configured line card that is not in the chassis (VANS C320 slot 4,
# KusumaVision C600 slot 17) is listed OFFLINE without a real type; its ports are not queried.
CHASSIS = {
    "zte_c300": chassis.Chassis(
        controls=((3, "SMXA", "INSERVICE"), (10, "SMXA", "STANDBY")), line_card="GTGH",
        line_status="INSERVICE", line_slots=(2, 4, 5, 6, 7, 8, 12, 13, 14, 15, 16, 17),
        ports_per_card=16, port="1/{slot}/{n}", first_port=1, absent_status="OFFLINE"),
    "zte_c600": chassis.Chassis(
        controls=((10, "SFUB", "INSERVICE"), (11, "SFUB", "STANDBY")), line_card="GFGL",
        line_status="INSERVICE", line_slots=(1, 2, 3, 4, 5, 6, 7, 8, 12, 13, 14, 15, 16),
        ports_per_card=16, port="1/{slot}/{n}", first_port=1, absent_status="OFFLINE"),
}


def generate(index: int, n_onus: int, seed: int, platform: str,
             generation: str | None = None) -> Olt:
    rng = random.Random(f"{seed}:{index}:{platform}")
    gen = generation or rng.choice(sorted(firmware.ZTE[platform]))
    fw = firmware.zte(platform, gen)
    olt = Olt(
        name=f"olt-{index + 1:03d}",
        platform=platform,
        hostname=f"OLT-SIM-{index + 1:03d}",
        model=rng.choice(fw.models),
        firmware=fw.version,
        generation=gen,
        patch=None,
        booted_at=datetime.now(UTC) - timedelta(seconds=rng.randrange(86400, 400 * 86400)),
        username="oltsync",
        password=f"sim-{seed}-{index}",
    )
    _, used_ports, per_port = chassis.lay_out(olt, CHASSIS[platform], rng, n_onus)
    clients: list[tuple[str, str]] = []
    taken: set[str] = set()
    serials: set[str] = set()
    for port, count in zip(used_ports, per_port):
        for onu_id in sorted(rng.sample(range(1, MAX_ONU_ID + 1), count)):
            serial = chassis.serial(rng, "ZTEG")
            while serial in serials:
                serial = chassis.serial(rng, "ZTEG")
            serials.add(serial)
            description, client_key, client_name = chassis.client(rng, clients, taken, f"{index + 1:03d}")
            online = rng.random() > 0.08
            # ZTE prints local times to the second, with no offset.
            last_up = EPOCH - timedelta(minutes=rng.randrange(60, 90 * 24 * 60))
            cause = rng.choice(ZTE_DOWN_CAUSES) if rng.random() < 0.7 else None
            last_down = (last_up - timedelta(minutes=rng.randrange(1, 600))) if cause else None
            if not online:
                cause = rng.choice(["LOS", "DyingGasp"])
                last_down = last_up + timedelta(minutes=rng.randrange(1, 6000))
            olt.onus.append(Onu(
                port=port, onu_id=onu_id, serial=serial,
                run_state="online" if online else "offline",
                description=description, client_key=client_key, client_name=client_name,
                equipment=rng.choice(ZTE_ONU_MODELS), firmware=None,
                distance_m=rng.randrange(150, 19000) if online else None,
                last_down_cause=cause, last_up_at=last_up, last_down_at=last_down,
                rx_power_dbm=chassis.rx_power(rng) if online else None, tx_power_dbm=None,
                olt_rx_power_dbm=round(rng.gauss(-22.0, 2.0), 2) if online else None,
                temperature_c=None,
            ))
            vlan = 100 + int(port.split("/")[1])
            vports = [(1, vlan)] + ([(2, 600)] if rng.random() < 0.2 else [])
            # a bridged ONU's service port with no user VLAN ('user-vlan untagged', C300 capture)
            untagged = platform == "zte_c300" and rng.random() < 0.05
            for vport, v in vports:
                olt.service_ports.append(ServicePort(
                    index=vport, vlan=v, user_vlan=None if untagged and vport == 1 else v,
                    port=port, onu_id=onu_id, gem_port=vport))
                if online:
                    for _ in range(rng.choice([1, 1, 2, 3]) if vport == 1 else 1):
                        olt.macs.append(Mac(mac=chassis.mac(rng, "34:e0:cf"), vlan=v, port=port,
                                            onu_id=onu_id, service_port=None, gem_index=vport))
    chassis.unique_macs(olt)
    for n in range(rng.randrange(1, 4)):
        # C300's uncfg list shows only where and which serial; C600's adds the model. Third-party
        # ONUs wait there too (a Huawei one in the therecom C300 capture).
        olt.unregistered.append(Unregistered(
            port=rng.choice(used_ports), serial=chassis.serial(rng, "HWTC" if n == 1 else "ZTEG"),
            equipment=rng.choice(ZTE_ONU_MODELS) if platform == "zte_c600" else None,
            firmware=None, found_at=None))
    # a generator of its own: the ONUs' other values stay what they were before logins existed
    pppoe_accounts(olt, random.Random(f"{seed}:{index}:{platform}:pppoe"))
    return olt


# Brazilian ISPs' PPPoE logins: the client code of the billing system (then the `pppoe_login`
# client rule finds the same key as the description), name.surname, or cliente<number>@<isp>.
ISP_REALMS = ["fibranet", "conectanet", "rapidanet", "infovale"]
_ALNUM = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def _ascii(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if c.isascii()).lower()


def pppoe_accounts(olt: Olt, rng: random.Random) -> None:
    """Most client ONUs dial PPPoE themselves (a login and a password in their pon-onu-mng block);
    about one in eight is bridged (the subscriber's router dials), and so are infrastructure ONUs
    (no client) and those with an untagged service. Logins are unique on the OLT, as a RADIUS
    server needs them, and at most 25 characters: a session that wraps at 80 columns cuts the
    line after the 10-character password (the C300 capture: inside the profile name). A login
    of 32 to 47 characters would put the cut inside the password, which collector/redact.py
    does not mask whole yet (tests/test_pppoe_login.py)."""
    realm = rng.choice(ISP_REALMS)
    untagged = {(s.port, s.onu_id) for s in olt.service_ports if s.user_vlan is None}
    taken: set[str] = set()
    for o in olt.onus:
        bridged = rng.random() < 0.12
        style = rng.random()
        password = "".join(rng.choice(_ALNUM) for _ in range(10))
        if bridged or o.client_key is None or (o.port, o.onu_id) in untagged:
            continue
        first, last = (_ascii(w) for w in (o.client_name or "cliente sem nome").split()[:2])
        number = int(o.client_key[3:])
        if style < 0.4:
            login = o.client_key
        elif style < 0.75:
            login = f"{first}.{last}"
        elif style < 0.9:
            login = f"cliente{number}@{realm}"
        else:
            login = f"{first[0]}{last}{number % 10000:04d}"
        base, n = login, 1
        while login in taken:  # a client's second ONU, or a namesake: its own login
            n += 1
            login = (f"{base}-{n}" if base.isdigit() else base.replace("@", f"-{n}@")
                     if "@" in base else f"{base}{n}")
        taken.add(login)
        o.pppoe_login, o.pppoe_password = login, password
