"""What every simulated OLT is built from, whatever its vendor: the chassis skeleton (control and
line cards, PON ports, ONUs spread over the ports) and the random parts (serials, MACs, clients in
descriptions, rx levels). A vendor's generator (simulator/<vendor>/generate.py) says only what
differs: card names, slots, port numbering, what its commands report.
"""

from __future__ import annotations

import math
import os
import random
from dataclasses import dataclass

from simulator.model import Board, Olt, PonPort

ONUS_PER_PORT = 48

FIRST_NAMES = [
    "João", "José", "Antônio", "Francisco", "Luís", "Mário", "Sebastião", "Conceição", "Ângela",
    "Lúcia", "Inês", "Pâmela", "Márcia", "Helena", "Ana", "Maria", "Cícero", "Joaquim", "Rosângela",
    "Vitória", "Fábio", "Júlio", "Raí", "Tânia",
]
LAST_NAMES = [
    "Silva", "Araújo", "Simões", "Magalhães", "Gonçalves", "Conceição", "Pereira", "Assunção",
    "Brandão", "Falcão", "Guimarães", "Lima", "Sousa", "Romão", "Estêvão", "Nóbrega", "Souza",
]


@dataclass(frozen=True)
class Chassis:
    controls: tuple[tuple[int, str, str], ...]  # (slot, card type, status) of each control card
    line_card: str
    line_status: str  # how a working line card's status reads
    line_slots: tuple[int, ...]  # where line cards may sit
    ports_per_card: int
    port: str  # a PON port's name from {slot} and {n}
    first_port: int  # the first port number of a card (0: Huawei, 1: ZTE)
    # A configured line card that is not in the chassis: listed with this status (None: never)
    absent_status: str | None = None


def lay_out(olt: Olt, chassis: Chassis, rng: random.Random, n_onus: int
            ) -> tuple[list[int], list[str], list[int]]:
    """Fill the OLT's boards and PON ports for `n_onus` ONUs: returns the line slots used, the
    ports that get ONUs and how many each gets."""
    # OLTSYNC_SIM_ONUS_PER_PORT: a big chassis with few ONUs (64 ports of 4 ONUs for the
    # alert tests) without generating 48 per port
    per = int(os.environ.get("OLTSYNC_SIM_ONUS_PER_PORT") or ONUS_PER_PORT)
    n_ports = max(2, math.ceil(n_onus / per))
    n_cards = math.ceil(n_ports / chassis.ports_per_card)
    if n_cards > len(chassis.line_slots):
        raise ValueError(f"{n_onus} ONUs do not fit in one simulated {olt.platform} chassis")
    slots = sorted(rng.sample(list(chassis.line_slots), n_cards))
    olt.boards += [Board(slot=s, type=t, status=st) for s, t, st in chassis.controls]
    ports: list[str] = []
    for slot in slots:
        olt.boards.append(Board(slot=slot, type=chassis.line_card, status=chassis.line_status))
        ports += [chassis.port.format(slot=slot, n=n) for n in
                  range(chassis.first_port, chassis.first_port + chassis.ports_per_card)]
    absent = next((s for s in chassis.line_slots if s not in slots), None)
    if chassis.absent_status and absent is not None:
        olt.boards.append(Board(slot=absent, type=chassis.line_card, status=chassis.absent_status))
    olt.boards.sort(key=lambda b: b.slot)
    olt.pon_ports = [PonPort(port=p) for p in ports]
    for pp in olt.pon_ports[n_ports:]:
        pp.oper_state = "down"  # a port with no fibre
    if len(olt.pon_ports) > 3:
        olt.pon_ports[-1].admin_state = olt.pon_ports[-1].oper_state = "down"
    per_port = [n_onus // n_ports + (1 if i < n_onus % n_ports else 0) for i in range(n_ports)]
    return slots, ports[:n_ports], per_port


def unique_macs(olt: Olt) -> None:
    """MAC keys (mac, vlan) are unique per OLT: drop a random repeat."""
    seen: set[tuple[str, int]] = set()
    olt.macs = [m for m in olt.macs if not ((m.mac, m.vlan) in seen or seen.add((m.mac, m.vlan)))]


def serial(rng: random.Random, vendor: str = "HWTC") -> str:
    return vendor + "".join(rng.choice("0123456789ABCDEF") for _ in range(8))


def mac(rng: random.Random, oui: str) -> str:
    tail = [rng.randrange(256) for _ in range(3)]
    return oui + ":" + ":".join(f"{b:02x}" for b in tail)


def client(rng: random.Random, client_pool: list[tuple[str, str]],
            taken: set[str], prefix: str) -> tuple[str | None, str | None, str | None]:
    """(description, client key, client name); some ONUs serve infrastructure, not clients."""
    r = rng.random()
    if r < 0.04:
        return f"POSTE-{rng.randrange(1, 999):03d}", None, None
    if r < 0.06:
        return None, None, None
    if r < 0.16 and client_pool:
        code, name = rng.choice(client_pool)  # a client with a second ONU
    else:
        # Client codes are unique ISP-wide: the prefix keeps OLTs from colliding.
        code = f"{prefix}{rng.randrange(100000):05d}"
        while code in taken:
            code = f"{prefix}{rng.randrange(100000):05d}"
        taken.add(code)
        name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        if rng.random() < 0.15:
            # SmartOLT-style metadata in the description (the LA MANÁ capture): long enough to wrap
            # in Huawei's description column. The client name is what the default client pattern
            # reads from it: everything after the code, underscores as blanks.
            zone = rng.choice(["Centro", "Zona Norte", "Vila_Nova", "Jardim São José"])
            street = rng.choice(["Rua das Flores 120", "Av. Brasil_455", "Travessa Dois, casa 3"])
            name = (f"{name.replace(' ', '_')}_zone_{zone}_descr_{street}_authd_"
                    f"2026{rng.randrange(1, 13):02d}{rng.randrange(1, 29):02d}")
            client_pool.append((code, " ".join(name.replace("_", " ").split())))
            return f"{code}_{name}", code, client_pool[-1][1]
        client_pool.append((code, name))
    return f"{code}_{name.replace(' ', '_')}", code, name


def rx_power(rng: random.Random) -> float:
    # Around -20 dBm with a tail below -27 (dirty connectors, long drops).
    if rng.random() < 0.05:
        return round(rng.uniform(-30.5, -27.0), 2)
    return round(rng.gauss(-20.0, 2.0), 2)
