"""Simulated Huawei SmartAX OLTs: an MA5600-family or MA5800 chassis with its own boards, ports
frame/slot/port from 0, ONU ids 0..127 sampled with gaps like a real box after churn, service
ports numbered per OLT; MACs only behind ONUs (the MAC table is read per GPON board)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from simulator import chassis, firmware
from simulator.model import EPOCH, MAX_ONU_ID, Mac, Olt, Onu, ServicePort, Unregistered

ONT_MODELS = [("EG8145V5", "V5R020C00S115"), ("HG8245H", "V3R017C10S201"),
              ("EG8145X6", "V5R021C00S220"), ("HG8310M", "V3R016C10S120")]
DOWN_CAUSES = ["LOS", "dying-gasp", "LOFi", "ONT is reset by ONT command"]
# Per family, as the captures show them: an MA5600T/MA5683T/MA5608T (V800 firmware) with SCUN
# control boards in slots 9 and 10 and GPFD line boards (the Java OLT manager's display board); an
# MA5800 (V100 firmware) with MPLA control boards in 8 and 9 and GPHF line boards (LA MANÁ MA5800-X7
# project, MARLLM01 MA5800).
MA5600 = chassis.Chassis(
    controls=((9, "H802SCUN", "Active_normal"), (10, "H802SCUN", "Standby_normal")),
    line_card="H805GPFD", line_status="Normal",
    line_slots=(1, 2, 3, 4, 5, 6, 7, 8, 11, 12, 13, 14, 15, 16, 17, 18),
    ports_per_card=16, port="0/{slot}/{n}", first_port=0)
MA5800 = chassis.Chassis(
    controls=((8, "H901MPLA", "Active_normal"), (9, "H901MPLA", "Standby_normal")),
    line_card="H901GPHF", line_status="Normal",
    line_slots=(1, 2, 3, 4, 5, 6, 7, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19),
    ports_per_card=16, port="0/{slot}/{n}", first_port=0)


def generate(index: int, n_onus: int, seed: int, platform: str = "huawei_smartax",
             generation: str | None = None) -> Olt:
    rng = random.Random(f"{seed}:{index}")
    name = f"olt-{index + 1:03d}"
    gen = generation or rng.choice(sorted(firmware.HUAWEI))
    fw = firmware.huawei(gen)
    model = rng.choice(fw.models)
    olt = Olt(
        name=name,
        platform=platform,
        hostname=f"OLT-SIM-{index + 1:03d}",
        model=model,
        firmware=fw.version,
        generation=gen,
        patch=rng.choice(["SPC100", "SPH213", "SPC200"]),
        booted_at=datetime.now(UTC) - timedelta(seconds=rng.randrange(86400, 400 * 86400)),
        username="oltsync",
        password=f"sim-{seed}-{index}",
    )
    frame = MA5800 if model.startswith("MA5800") else MA5600
    slots, used_ports, per_port = chassis.lay_out(olt, frame, rng, n_onus)
    clients: list[tuple[str, str]] = []
    taken_codes: set[str] = set()
    serials: set[str] = set()
    sp_index = 0
    for port, count in zip(used_ports, per_port):
        ids = sorted(rng.sample(range(MAX_ONU_ID), count))
        for onu_id in ids:
            serial = chassis.serial(rng)
            while serial in serials:
                serial = chassis.serial(rng)
            serials.add(serial)
            equipment, ont_firmware = rng.choice(ONT_MODELS)
            description, client_key, client_name = chassis.client(rng, clients, taken_codes,
                                                                  f"{index + 1:03d}")
            online = rng.random() > 0.08
            last_up = EPOCH - timedelta(minutes=rng.randrange(60, 90 * 24 * 60))
            down_cause = rng.choice(DOWN_CAUSES) if rng.random() < 0.7 or not online else None
            last_down = (last_up - timedelta(minutes=rng.randrange(1, 600))) if down_cause else None
            if not online:
                down_cause = rng.choice(["LOS", "dying-gasp"])
                last_down = last_up + timedelta(minutes=rng.randrange(1, 6000))
            onu = Onu(
                port=port,
                onu_id=onu_id,
                serial=serial,
                run_state="online" if online else "offline",
                description=description,
                client_key=client_key,
                client_name=client_name,
                equipment=equipment,
                firmware=ont_firmware,
                distance_m=rng.randrange(150, 19000) if online else None,
                last_down_cause=down_cause,
                last_up_at=last_up,
                last_down_at=last_down,
                rx_power_dbm=chassis.rx_power(rng) if online else None,
                tx_power_dbm=round(rng.uniform(1.8, 2.9), 2) if online else None,
                olt_rx_power_dbm=round(rng.gauss(-22.0, 2.0), 2) if online else None,
                temperature_c=rng.randrange(35, 62) if online else None,
            )
            olt.onus.append(onu)
            vlan = 100 + int(port.split("/")[1])
            gems = [(1, vlan)]
            if rng.random() < 0.2:
                gems.append((2, 600))  # IPTV / VoIP on a second GEM
            for gem, v in gems:
                olt.service_ports.append(
                    ServicePort(index=sp_index, vlan=v, user_vlan=v, port=port, onu_id=onu_id,
                                gem_port=gem)
                )
                if online:
                    for _ in range(rng.choice([1, 1, 2, 3]) if gem == 1 else 1):
                        olt.macs.append(Mac(mac=chassis.mac(rng, "e4:c2:d1"), vlan=v, port=port,
                                            onu_id=onu_id, service_port=sp_index, gem_index=gem))
                sp_index += 1
    # No uplink MACs: the MAC table is read per GPON board (the captured command), which lists
    # what is learned behind the ONUs only.
    chassis.unique_macs(olt)
    for _ in range(rng.randrange(1, 4)):
        equipment, ont_firmware = rng.choice(ONT_MODELS)
        olt.unregistered.append(Unregistered(
            port=rng.choice(used_ports), serial=chassis.serial(rng), equipment=equipment,
            firmware=ont_firmware, found_at=EPOCH - timedelta(minutes=rng.randrange(1, 3000))))
    return olt
