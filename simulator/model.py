"""The simulated OLT as it "is": vendor-neutral state, already in the database's normal forms
(port "0/1/0", serial "HWTC1A2B3C4D", mac "aa:bb:cc:dd:ee:ff"). Generators (simulator/<vendor>/
generate.py) fill it; personalities render it the way each CLI prints it. Tests mutate it in place
(remove, move, change an ONU) while the SSH server is running.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone

# Local time of the simulated boxes: Brazil, where most of our users are (no DST since 2019, so
# the fixed offset and the zone the inventory names agree).
OLT_TZ = timezone(timedelta(hours=-3))
OLT_ZONE = "America/Sao_Paulo"
# A fixed reference so that generated timestamps are reproducible across runs.
EPOCH = datetime(2026, 11, 1, 0, 0, 0, tzinfo=OLT_TZ)
MAX_ONU_ID = 128
# What an offline ONU does not report: its levels and its distance.
_LINE_LEVELS = ("rx_power_dbm", "tx_power_dbm", "olt_rx_power_dbm", "temperature_c", "distance_m")


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
    # The subscriber's PPPoE account where the ONU dials it itself (ZTE: the `wan-ip ... pppoe`
    # line of its pon-onu-mng block); None for a bridged ONU (the subscriber's router dials). The
    # password is the box's secret: printed in its configuration, never in the truth.
    pppoe_login: str | None = None
    pppoe_password: str | None = field(default=None, repr=False)


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
    # A command whose answer has more than `table_lines` lines (a table) takes this long instead
    # (0: the same as any other). Modelled, not captured: vendors' advice and operators' reports
    # put a short command at a few tenths of a second and a large table at seconds.
    table_latency_s: float = 0.0
    table_lines: int = 30
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
    # The account lands at the user prompt (ZTE `hostname>`) and must be raised with `enable` and
    # the OLT's enable password (Olt.enable_password); Huawei always lands there (no password).
    user_mode: bool = False
    # The box wraps every output line at this many columns, whatever window the SSH client asked
    # for (a ZTE session wraps at 80, mid-word: captures); None: it follows the client's window.
    wrap_width: int | None = None
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
    commands: int = 0  # commands answered (paging keys and confirmations not counted)
    device_s: float = 0.0  # seconds the box spent: login delays, command latency, output rate
    host: str = "127.0.0.1"
    port: int = 0
    # The firmware generation the OLT speaks (simulator/firmware.py): which layout each command
    # prints. `firmware` and `model` agree with it.
    generation: str = ""
    # what take_down() cleared of an ONU (serial -> its optical levels and distance), for restore()
    stashed: dict[str, dict] = field(default_factory=dict, repr=False)
    # the password `enable` asks for (ZTE); None: the inventory gives none
    enable_password: str | None = field(default=None, repr=False)

    # --- the outside plant, while the simulator runs: cut fibre, power failures, weak signal ----
    def take_down(self, serials: list[str], cause: str, at: datetime | None = None) -> list[str]:
        """Online ONUs go offline with `cause`: the ones that did."""
        at = (at or datetime.now(UTC)).replace(microsecond=0)  # boxes print whole seconds
        done = []
        for o in (self.onu(s) for s in serials):
            if o.run_state != "online":
                continue
            self.stashed[o.serial] = {k: getattr(o, k) for k in _LINE_LEVELS}
            for k in _LINE_LEVELS:
                setattr(o, k, None)
            o.run_state, o.last_down_cause, o.last_down_at = "offline", cause, at
            done.append(o.serial)
        return done

    def cut_port(self, port: str, n: int | None = None) -> list[str]:
        """A fibre cut on `port` (LOS) for its online ONUs (the first `n`, if given)."""
        online = [o.serial for o in self.onus if o.port == port and o.run_state == "online"]
        return self.take_down(online[:n], "LOS")

    def power_fail(self, serials: list[str]) -> list[str]:
        """Mains gone at these ONUs: they say goodbye (dying gasp, as the vendor spells it)."""
        return self.take_down(serials, "DyingGasp" if self.platform.startswith("zte")
                              else "dying-gasp")

    def restore(self, serials: list[str] | None = None, at: datetime | None = None) -> list[str]:
        """ONUs taken down come back online with their levels (all of them by default)."""
        at = (at or datetime.now(UTC)).replace(microsecond=0)  # boxes print whole seconds
        back = []
        for serial in list(serials if serials is not None else self.stashed):
            levels = self.stashed.pop(serial, None)
            if levels is None:
                continue
            o = self.onu(serial)
            for k, v in levels.items():
                setattr(o, k, v)
            o.run_state, o.last_up_at = "online", at
            back.append(serial)
        return back

    def degrade(self, serial: str, rx_power_dbm: float) -> None:
        """One ONU's received level drops (a dirty connector, a bent drop cable)."""
        self.onu(serial).rx_power_dbm = rx_power_dbm

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
