"""The simulated fleet: what each OLT "is", generated deterministically from a seed.

The state here is vendor-neutral and already in the database's normal forms (port "0/1/0", serial
"HWTC1A2B3C4D", mac "aa:bb:cc:dd:ee:ff"); personalities render it the way each CLI prints it.
Tests mutate it in place (remove, move, change an ONU) while the SSH server is running.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone

from simulator import firmware as generations_

# Local time of the simulated boxes: Brazil, where most of our users are (no DST since 2019, so
# the fixed offset and the zone the inventory names agree).
OLT_TZ = timezone(timedelta(hours=-3))
OLT_ZONE = "America/Sao_Paulo"
# A fixed reference so that generated timestamps are reproducible across runs.
EPOCH = datetime(2026, 11, 1, 0, 0, 0, tzinfo=OLT_TZ)

FIRST_NAMES = [
    "João", "José", "Antônio", "Francisco", "Luís", "Mário", "Sebastião", "Conceição", "Ângela",
    "Lúcia", "Inês", "Pâmela", "Márcia", "Helena", "Ana", "Maria", "Cícero", "Joaquim", "Rosângela",
    "Vitória", "Fábio", "Júlio", "Raí", "Tânia",
]
LAST_NAMES = [
    "Silva", "Araújo", "Simões", "Magalhães", "Gonçalves", "Conceição", "Pereira", "Assunção",
    "Brandão", "Falcão", "Guimarães", "Lima", "Sousa", "Romão", "Estêvão", "Nóbrega", "Souza",
]
ONT_MODELS = [("EG8145V5", "V5R020C00S115"), ("HG8245H", "V3R017C10S201"),
              ("EG8145X6", "V5R021C00S220"), ("HG8310M", "V3R016C10S120")]
DOWN_CAUSES = ["LOS", "dying-gasp", "LOFi", "ONT is reset by ONT command"]
SERVICE_SLOTS = [1, 2, 3, 4, 5, 6, 7, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19]
PORTS_PER_BOARD = 16
MAX_ONU_ID = 128


@dataclass
class Onu:
    port: str
    onu_id: int
    serial: str
    run_state: str
    description: str | None
    equipment: str
    firmware: str | None
    distance_m: int | None
    last_down_cause: str | None
    last_up_at: datetime | None
    last_down_at: datetime | None
    rx_power_dbm: float | None
    tx_power_dbm: float | None
    olt_rx_power_dbm: float | None
    temperature_c: int | None
    config_state: str = "normal"
    match_state: str = "match"
    # What the generator put in the description; the ground truth for the `clients` table.
    client_key: str | None = None
    client_name: str | None = None


@dataclass
class Mac:
    mac: str
    vlan: int
    port: str
    onu_id: int | None
    service_port: int | None
    gem_index: int | None
    type: str = "dynamic"


@dataclass
class ServicePort:
    index: int
    vlan: int
    user_vlan: int | None  # None: untagged on the user side
    port: str
    onu_id: int
    gem_port: int


@dataclass
class Board:
    slot: int
    type: str
    status: str


@dataclass
class PonPort:
    port: str
    admin_state: str = "up"
    oper_state: str = "up"


@dataclass
class Unregistered:
    port: str
    serial: str
    equipment: str | None
    firmware: str | None
    found_at: datetime | None


@dataclass
class Knobs:
    """Per-OLT behaviour: latency and faults. Mutable while the server runs."""

    login_delay_s: float = 0.0
    command_latency_s: float = 0.0
    output_rate_bps: float = 0.0  # 0 = unlimited
    alarm_every_lines: int = 0  # interleave an alarm block every N lines of output
    wrong_password: bool = False  # the OLT rejects the inventory's password
    refuse: bool = False  # connection refused (the listener is closed)
    hang_on: str | None = None  # command prefix after which the OLT stops answering
    disconnect_on: str | None = None  # command prefix during whose output the session drops
    garble_on: str | None = None  # command prefix whose output gets a corrupted line
    reject: str | None = None  # command prefix the OLT answers with its unknown-command error
    truncate_on: str | None = None  # command prefix whose output loses its second half (prompt kept)
    ignore_scroll: bool = False  # keep paging even after `scroll` (old firmware, odd AAA profiles)
    # Commands (prefixes) this account may not run: the box answers them as unknown commands, as a
    # Huawei does for a user without the rights (netmiko #3412); an account in a restricted mode.
    forbidden: tuple[str, ...] = ()
    # 0: the command faults above fire every time; N: only the first N times (a transient fault)
    fault_times: int = 0
    faults_fired: int = 0

    def fires(self, prefix: str | None, command: str | None) -> bool:
        """Whether the fault keyed by `prefix` hits `command` now (and count it)."""
        if not prefix or not command or not command.startswith(prefix):
            return False
        if self.fault_times and self.faults_fired >= self.fault_times:
            return False
        self.faults_fired += 1
        return True


@dataclass
class Olt:
    name: str
    platform: str
    hostname: str
    model: str
    firmware: str
    patch: str | None
    booted_at: datetime
    username: str
    password: str
    boards: list[Board] = field(default_factory=list)
    pon_ports: list[PonPort] = field(default_factory=list)
    onus: list[Onu] = field(default_factory=list)
    macs: list[Mac] = field(default_factory=list)
    service_ports: list[ServicePort] = field(default_factory=list)
    unregistered: list[Unregistered] = field(default_factory=list)
    knobs: Knobs = field(default_factory=Knobs)
    # Every line the OLT received, in order: what the safety tests inspect.
    received: list[str] = field(default_factory=list)
    login_attempts: int = 0
    host: str = "127.0.0.1"
    port: int = 0
    # The firmware generation the OLT speaks (simulator/firmware.py): which layout each command
    # prints. `firmware` and `model` agree with it.
    generation: str = ""

    # --- helpers used by tests and personalities -------------------------------------------------
    def onu(self, serial: str) -> Onu:
        return next(o for o in self.onus if o.serial == serial)

    def gpon_slots(self) -> list[int]:
        return sorted({int(p.port.split("/")[1]) for p in self.pon_ports})

    def remove_onu(self, serial: str) -> None:
        """Deprovision an ONU: it disappears with its service ports and MACs."""
        onu = self.onu(serial)
        self.onus.remove(onu)
        key = (onu.port, onu.onu_id)
        self.service_ports = [s for s in self.service_ports if (s.port, s.onu_id) != key]
        self.macs = [m for m in self.macs if (m.port, m.onu_id) != key]

    def move_onu(self, serial: str, port: str, onu_id: int) -> None:
        """Re-provision an ONU on another port/id (a customer moved, a splitter re-cabled)."""
        onu = self.onu(serial)
        old = (onu.port, onu.onu_id)
        onu.port, onu.onu_id = port, onu_id
        for s in self.service_ports:
            if (s.port, s.onu_id) == old:
                s.port, s.onu_id = port, onu_id
        for m in self.macs:
            if (m.port, m.onu_id) == old:
                m.port, m.onu_id = port, onu_id

    def free_onu_id(self, port: str) -> int:
        used = {o.onu_id for o in self.onus if o.port == port}
        return next(i for i in range(MAX_ONU_ID) if i not in used)


def _serial(rng: random.Random, vendor: str = "HWTC") -> str:
    return vendor + "".join(rng.choice("0123456789ABCDEF") for _ in range(8))


def _mac(rng: random.Random, oui: str) -> str:
    tail = [rng.randrange(256) for _ in range(3)]
    return oui + ":" + ":".join(f"{b:02x}" for b in tail)


def _client(rng: random.Random, client_pool: list[tuple[str, str]],
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


def _rx_power(rng: random.Random) -> float:
    # Around -20 dBm with a tail below -27 (dirty connectors, long drops).
    if rng.random() < 0.05:
        return round(rng.uniform(-30.5, -27.0), 2)
    return round(rng.gauss(-20.0, 2.0), 2)


def generate_olt(index: int, n_onus: int, seed: int, platform: str = "huawei_smartax",
                 generation: str | None = None) -> Olt:
    rng = random.Random(f"{seed}:{index}")
    name = f"olt-{index + 1:03d}"
    gen = generation or rng.choice(sorted(generations_.HUAWEI))
    fw = generations_.huawei(gen)
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
    n_ports = max(2, math.ceil(n_onus / 48))
    n_boards = math.ceil(n_ports / PORTS_PER_BOARD)
    if n_boards > len(SERVICE_SLOTS):
        raise ValueError(f"{n_onus} ONUs do not fit in one simulated chassis")
    slots = sorted(rng.sample(SERVICE_SLOTS, n_boards))
    olt.boards.append(Board(slot=8, type="H901MPLA", status="Active_normal"))
    olt.boards.append(Board(slot=9, type="H901MPLA", status="Standby_normal"))
    ports: list[str] = []
    for slot in slots:
        olt.boards.append(Board(slot=slot, type="H901GPHF", status="Normal"))
        for p in range(PORTS_PER_BOARD):
            ports.append(f"0/{slot}/{p}")
    olt.boards.sort(key=lambda b: b.slot)
    used_ports = ports[:n_ports]
    olt.pon_ports = [PonPort(port=p) for p in ports]
    for pp in olt.pon_ports[n_ports:]:
        pp.oper_state = "down"  # a port with no fibre
    if len(olt.pon_ports) > 3:
        olt.pon_ports[-1].admin_state = "down"
        olt.pon_ports[-1].oper_state = "down"

    # Spread ONUs over the used ports, ids sampled with gaps like a real box after churn.
    per_port = [n_onus // n_ports + (1 if i < n_onus % n_ports else 0) for i in range(n_ports)]
    clients: list[tuple[str, str]] = []
    taken_codes: set[str] = set()
    serials: set[str] = set()
    sp_index = 0
    for port, count in zip(used_ports, per_port):
        ids = sorted(rng.sample(range(MAX_ONU_ID), count))
        for onu_id in ids:
            serial = _serial(rng)
            while serial in serials:
                serial = _serial(rng)
            serials.add(serial)
            equipment, firmware = rng.choice(ONT_MODELS)
            description, client_key, client_name = _client(rng, clients, taken_codes, f"{index + 1:03d}")
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
                firmware=firmware,
                distance_m=rng.randrange(150, 19000) if online else None,
                last_down_cause=down_cause,
                last_up_at=last_up,
                last_down_at=last_down,
                rx_power_dbm=_rx_power(rng) if online else None,
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
                        olt.macs.append(Mac(mac=_mac(rng, "e4:c2:d1"), vlan=v, port=port,
                                            onu_id=onu_id, service_port=sp_index, gem_index=gem))
                sp_index += 1
    # The uplink learns a few MACs of its own (routers, BRAS) with no ONU behind them.
    for _ in range(2):
        olt.macs.append(Mac(mac=_mac(rng, "00:e0:fc"), vlan=100 + slots[0], port="0/8/0",
                            onu_id=None, service_port=None, gem_index=None))
    # MAC keys (mac, vlan) must be unique per OLT.
    seen: set[tuple[str, int]] = set()
    olt.macs = [m for m in olt.macs if not ((m.mac, m.vlan) in seen or seen.add((m.mac, m.vlan)))]
    for _ in range(rng.randrange(1, 4)):
        equipment, firmware = rng.choice(ONT_MODELS)
        olt.unregistered.append(Unregistered(
            port=rng.choice(used_ports), serial=_serial(rng), equipment=equipment,
            firmware=firmware, found_at=EPOCH - timedelta(minutes=rng.randrange(1, 3000))))
    return olt


PLATFORMS = ("huawei_smartax", "zte_c300", "zte_c600")


def parse_platforms(platform: str) -> list[tuple[str, str | None]]:
    """'huawei_smartax,zte_c300:V1.2.5' -> [(platform, generation or None), ...]."""
    out: list[tuple[str, str | None]] = []
    for item in (p.strip() for p in platform.split(",")):
        if not item:
            continue
        name, _, gen = item.partition(":")
        if name not in PLATFORMS:
            raise ValueError(f"unknown platform {name!r}; known: {', '.join(PLATFORMS)}")
        if gen and gen not in generations_.generations(name):
            raise ValueError(f"unknown {name} firmware {gen!r}; known: "
                             f"{', '.join(sorted(generations_.generations(name)))}")
        out.append((name, gen or None))
    if not out:
        raise ValueError(f"no platform given; known: {', '.join(PLATFORMS)}")
    return out


def generate_fleet(n_olts: int, n_onus: int, seed: int = 1,
                   platform: str = "huawei_smartax") -> list[Olt]:
    """`platform` is one platform, or several separated by commas for a mixed fleet (OLT i gets
    the i-th, cycling); each may name a firmware generation ('zte_c300:V1.2.5'), else one is
    picked per OLT from the seed."""
    choices = parse_platforms(platform)
    olts = []
    for i in range(n_olts):
        p, gen = choices[i % len(choices)]
        if p.startswith("zte_"):
            from simulator.zte_fleet import generate_zte_olt
            olts.append(generate_zte_olt(i, n_onus, seed, p, gen))
        else:
            olts.append(generate_olt(i, n_onus, seed, p, gen))
    return olts
