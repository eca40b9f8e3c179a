"""ZTE personalities: C300/C320 (ZXAN) and C600/C620 (TITAN).

Both log straight into privileged mode (`hostname#`), page with ` --More--` erased by backspaces until
`terminal length 0`, and answer an unknown command with a caret line and `%Error <code>: Invalid input
detected at '^' marker.`. The generations differ in interface names (C300 `gpon-onu_1/2/1:5`,
`gpon-olt_1/2/1`; C600 `gpon_onu-1/2/1:5`, `gpon_olt-1/2/1`), in column layouts (C600's ONU state
table has a speed-mode column where newer C300 firmware has a channel column, older none), in where
service ports live in the running configuration (C300: in the ONU interface; C600: in a
`vport-1/2/1.5:1` interface) and in the unconfigured-ONU command (C300 `show gpon onu uncfg`, C600
`show pon onu uncfg`). Layouts follow public captures where we found them (detail-info, MAC table,
uncfg, onu-rx); the rest mirror them.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from simulator.fleet import OLT_TZ, Olt, Onu, ServicePort
from simulator.personality import Personality, Reply, SessionState

ZERO_TS = "0000-00-00 00:00:00"
NO_INFO = "%Code 32310-GPONSRV : No related information to show.\r\n"  # ZTE's empty answer


def _ts(v: datetime | None) -> str:
    return v.astimezone(OLT_TZ).strftime("%Y-%m-%d %H:%M:%S") if v else ZERO_TS


def _dotted(mac: str) -> str:
    h = mac.replace(":", "")
    return f"{h[0:4]}.{h[4:8]}.{h[8:12]}"


def _key(port: str) -> tuple[int, ...]:
    return tuple(int(x) for x in port.split("/"))


class ZteBase(Personality):
    """What C300 and C600 share; subclasses set names, layouts and error codes."""

    onu_if = "gpon-onu_{port}:{onu}"
    olt_if = "gpon-olt_{port}"
    error_code = 20202
    uncfg_command = "show gpon onu uncfg"
    product = "C300"

    def __init__(self, name: str) -> None:
        super().__init__(name=name, more_prompt=" --More--", more_erase="\b" * 9 + " " * 9 + "\b" * 9)
        onu = self.onu_if.format(port=r"(\d+/\d+/\d+)", onu=r"(\d+)")
        olt = self.olt_if.format(port=r"(\d+/\d+/\d+)")
        self.commands = [
            (r"show system-group", self.system_group),
            (r"show card", self.card),
            (rf"show interface {olt}", self.interface),
            (r"show gpon onu state", self.onu_state),
            (rf"show gpon onu detail-info {onu}", self.detail_info),
            (rf"show pon power onu-rx {olt}", self.onu_rx),
            (rf"show pon power olt-rx {olt}", self.olt_rx),
            (r"show running-config", self.running_config),
            (rf"show mac gpon olt {olt}", self.mac_table),
            (re.escape(self.uncfg_command), self.uncfg),
        ]

    # --- session -------------------------------------------------------------------------------
    def banner(self, olt: Olt) -> str:
        return f"\r\nWelcome to ZXAN product {self.product} of ZTE Corporation\r\n\r\n"

    def prompt(self, olt: Olt, state: SessionState) -> str:
        return f"{olt.hostname}(config)#" if state.mode == "config" else f"{olt.hostname}#"

    def unknown(self, olt: Olt, state: SessionState, line: str) -> Reply:
        col = len(self.prompt(olt, state)) + len(line) - len(line.lstrip())
        return Reply(text=" " * col + "^\r\n"
                     f"%Error {self.error_code}: Invalid input detected at '^' marker.\r\n",
                     paged=False)

    def alarm(self, olt: Olt, n: int) -> str:
        onu = olt.onus[n % len(olt.onus)] if olt.onus else None
        where = self.onu_if.format(port=onu.port, onu=onu.onu_id) if onu else "slot 10"
        now = datetime.now(UTC).astimezone(OLT_TZ).strftime("%Y-%m-%d %H:%M:%S")
        return (f"\r\n[{now}] Alarm 33054 (GPON ONU LOS) raised: {where}, "
                "level: major\r\n\r\n")

    def execute(self, olt: Olt, state: SessionState, line: str) -> Reply:
        cmd = " ".join(line.split())
        if cmd == "":
            return Reply(paged=False)
        if cmd == "terminal length 0":
            if not olt.knobs.ignore_scroll:
                state.page_lines = None
            return Reply(paged=False)
        if cmd == "configure terminal" and state.mode != "config":
            state.mode = "config"
            return Reply(text="Enter configuration commands, one per line.  End with CTRL/Z.\r\n",
                         paged=False)
        if cmd in ("exit", "end") and state.mode == "config":
            state.mode = "enable"
            return Reply(paged=False)
        if cmd in ("exit", "quit"):
            return Reply(close=True, paged=False)
        for pattern, handler in self.commands:
            m = re.fullmatch(pattern, cmd)
            if m:
                return Reply(text=handler(olt, *m.groups()), command=cmd)
        return self.unknown(olt, state, line)

    # --- helpers -------------------------------------------------------------------------------
    def _onus(self, olt: Olt, port: str | None = None) -> list[Onu]:
        onus = [o for o in olt.onus if port is None or o.port == port]
        return sorted(onus, key=lambda o: (_key(o.port), o.onu_id))

    def _onu(self, olt: Olt, port: str, onu_id: str) -> Onu | None:
        return next((o for o in olt.onus if o.port == port and o.onu_id == int(onu_id)), None)

    def _no_port(self, olt: Olt, port: str) -> str | None:
        if any(p.port == port for p in olt.pon_ports):
            return None
        return f"%Error {self.error_code + 1}: The interface does not exist.\r\n"

    # --- data commands -------------------------------------------------------------------------
    def system_group(self, olt: Olt) -> str:
        up = int((datetime.now(UTC) - olt.booted_at).total_seconds())
        d, rem = divmod(up, 86400)
        h, rem = divmod(rem, 3600)
        mi, s = divmod(rem, 60)
        return (f"System Name:        {olt.hostname}\r\n"
                f"System Description: {olt.model}, ZTE ZXA10 Software Version: {olt.firmware}\r\n"
                "System ObjectId:    .1.3.6.1.4.1.3902.1082.1001\r\n"
                f"Started before:     {d} days, {h} hours, {mi} minutes, {s} seconds\r\n"
                "System Contact:     noc@example.net\r\n"
                "System Location:    POP-SIM\r\n")

    def card(self, olt: Olt) -> str:
        out = ["Rack Shelf Slot CfgType RealType Port  HardVer SoftVer         Status",
               "-" * 79]
        for b in olt.boards:
            ports = 16 if b.type in ("GTGH", "GFTH") else 4
            out.append(f"1    1     {b.slot:<4} {b.type:<7} {b.type:<8} {ports:<5} V1.0    "
                       f"{olt.firmware:<15} {b.status}")
        return "\r\n".join(out) + "\r\n"

    def interface(self, olt: Olt, port: str) -> str:
        pp = next((p for p in olt.pon_ports if p.port == port), None)
        if pp is None:
            return self._no_port(olt, port) or ""
        return self.render_interface(port, pp.admin_state == "up", pp.oper_state == "up")

    def render_interface(self, port: str, admin_up: bool, oper_up: bool) -> str:
        name = self.olt_if.format(port=port)
        return (f"{name} is {'activate' if admin_up else 'deactivate'},line protocol is "
                f"{'up' if oper_up else 'down'}.\r\n"
                "  Description is none.\r\n"
                "  The port link up/down notification is enabled.\r\n"
                "  Input rate :  1048576 Bps  Output rate: 8388608 Bps\r\n")

    def phase(self, o: Onu) -> str:
        return "working" if o.run_state == "online" else (o.last_down_cause or "OffLine")

    def onu_state(self, olt: Olt) -> str:
        onus = self._onus(olt)
        if not onus:
            return NO_INFO
        channel = olt.firmware.startswith("V2")  # V2.x firmware adds the channel column
        head = "OnuIndex   Admin State  OMCC State  Phase State  " + ("Channel" if channel else "")
        out = [head.rstrip(), "-" * (64 if channel else 54)]
        for o in onus:
            omcc = "enable" if o.run_state == "online" else "disable"
            row = f"{o.port}:{o.onu_id:<5} enable       {omcc:<11} {self.phase(o):<12}"
            out.append((row + (" 1(GPON)" if channel else "")).rstrip())
        online = sum(1 for o in onus if o.run_state == "online")
        out.append(f"ONU Number: {online}/{len(onus)}")
        return "\r\n".join(out) + "\r\n"

    def history(self, o: Onu) -> list[tuple[str, str, str]]:
        """The box's last-10 authentication history, oldest first, zero-padded."""
        rows: list[tuple[str, str, str]] = []
        if o.last_down_at and o.last_up_at and o.last_down_at < o.last_up_at:
            # down before the current up: an earlier session ended by the cause
            earlier = o.last_down_at - timedelta(hours=1)
            rows.append((_ts(earlier), _ts(o.last_down_at), o.last_down_cause or ""))
            rows.append((_ts(o.last_up_at), ZERO_TS, ""))
        elif o.last_down_at:
            rows.append((_ts(o.last_up_at), _ts(o.last_down_at), o.last_down_cause or ""))
        else:
            rows.append((_ts(o.last_up_at), ZERO_TS, ""))
        return rows + [(ZERO_TS, ZERO_TS, "")] * (10 - len(rows))

    def detail_info(self, olt: Olt, port: str, onu_id: str) -> str:
        o = self._onu(olt, port, onu_id)
        if o is None:
            return NO_INFO
        online = o.run_state == "online"
        lines = [
            f"ONU interface:         {self.onu_if.format(port=port, onu=onu_id)}",
            f"  Name:                ONU-{onu_id}",
            f"  Type:                {o.equipment}",
            f"  State:               {'ready' if online else 'configuring'}",
            "  Configured channel:  auto",
            "  Admin state:         enable",
            f"  Phase state:         {self.phase(o)}",
            "  Config state:        success",
            "  Authentication mode: sn",
            "  SN Bind:             enable with SN check",
            f"  Serial number:       {o.serial}",
            "  Password:",
            f"  Description:         {o.description or ''}",
            "  Vport mode:          gemport",
            "  DBA Mode:            Hybrid",
            "  ONU Status:          enable",
            "  Line Profile:        N/A",
            "  Service Profile:     N/A",
            f"  ONU Distance:        {f'{o.distance_m}m' if o.distance_m is not None else 'N/A'}",
            f"  Online Duration:     {'1h 2m 3s' if online else 'N/A'}",
            "  FEC:                 none",
            "-" * 42,
            "       Authpass Time          OfflineTime             Cause",
        ]
        for n, (up, down, cause) in enumerate(self.history(o), 1):
            lines.append(f"  {n:>2}   {up}    {down}     {cause}".rstrip())
        return "\r\n".join(lines) + "\r\n"

    def _power(self, olt: Olt, port: str, attr: str) -> str:
        problem = self._no_port(olt, port)
        if problem:
            return problem
        onus = self._onus(olt, port)
        if not onus:
            return NO_INFO
        out = ["Onu                    Rx power", "-" * 39]
        for o in onus:
            v = getattr(o, attr)
            value = f"{v:.3f}(dbm)" if v is not None and o.run_state == "online" else "N/A"
            out.append(f"{self.onu_if.format(port=port, onu=o.onu_id):<22} {value}")
        return "\r\n".join(out) + "\r\n"

    def onu_rx(self, olt: Olt, port: str) -> str:
        return self._power(olt, port, "rx_power_dbm")

    def olt_rx(self, olt: Olt, port: str) -> str:
        return self._power(olt, port, "olt_rx_power_dbm")

    def service_port_config(self, o: Onu, sps: list[ServicePort]) -> list[str]:
        raise NotImplementedError

    def onu_interface_head(self, o: Onu) -> list[str]:
        """The start of an ONU's interface block: the same lines in both generations."""
        out = [f"interface {self.onu_if.format(port=o.port, onu=o.onu_id)}", f"  name ONU-{o.onu_id}"]
        return out + ([f"  description {o.description}"] if o.description else [])

    def running_config(self, olt: Olt) -> str:
        out = ["Building configuration...", "!", f"hostname {olt.hostname}", "!",
               "vlan 100-130,600", "!"]
        for pp in olt.pon_ports:
            onus = self._onus(olt, pp.port)
            out.append(f"interface {self.olt_if.format(port=pp.port)}")
            out.append("  shutdown" if pp.admin_state == "down" else "  no shutdown")
            out += [f"  onu {o.onu_id} type {o.equipment} sn {o.serial}" for o in onus]
            out.append("!")
        by_onu: dict[tuple[str, int], list[ServicePort]] = {}
        for sp in sorted(olt.service_ports, key=lambda s: s.index):
            by_onu.setdefault((sp.port, sp.onu_id), []).append(sp)
        for o in self._onus(olt):
            out += self.service_port_config(o, by_onu.get((o.port, o.onu_id), []))
        out.append("end")
        return "\r\n".join(out) + "\r\n"

    def mac_table(self, olt: Olt, port: str) -> str:
        problem = self._no_port(olt, port)
        if problem:
            return problem
        macs = sorted((m for m in olt.macs if m.port == port and m.onu_id is not None),
                      key=lambda m: (m.onu_id, m.mac))
        if not macs:
            return NO_INFO
        out = [f"Total mac address : {len(macs)}", "",
               "Mac address      Vlan  Type      Port                      Vc", "-" * 79]
        for m in macs:
            out.append(f"{_dotted(m.mac):<16} {m.vlan:<5} {'Dynamic':<9} "
                       f"{self.onu_if.format(port=m.port, onu=m.onu_id):<25} vport {m.gem_index}")
        return "\r\n".join(out) + "\r\n"

    def uncfg(self, olt: Olt) -> str:
        raise NotImplementedError


class ZteC300(ZteBase):
    def __init__(self) -> None:
        super().__init__("zte_c300")

    def service_port_config(self, o: Onu, sps: list[ServicePort]) -> list[str]:
        name = self.onu_if.format(port=o.port, onu=o.onu_id)
        out = self.onu_interface_head(o) + ["  sn-bind enable sn", "  tcont 1 profile 1G"]
        for s in sps:
            out.append(f"  gemport {s.gem_port} tcont 1")
        for s in sps:
            out.append(f"  service-port {s.index} vport {s.gem_port} user-vlan {s.user_vlan} "
                       f"vlan {s.vlan}")
        out += ["!", f"pon-onu-mng {name}"]
        out += [f"  service {s.index} gemport {s.gem_port} vlan {s.user_vlan}" for s in sps]
        return out + ["!"]

    def uncfg(self, olt: Olt) -> str:
        if not olt.unregistered:
            return NO_INFO
        out = ["OnuIndex                 Sn                  State", "-" * 69]
        for n, u in enumerate(olt.unregistered, 1):
            out.append(f"{self.onu_if.format(port=u.port, onu=n):<24} {u.serial:<19} unknown")
        return "\r\n".join(out) + "\r\n"


class ZteC600(ZteBase):
    onu_if = "gpon_onu-{port}:{onu}"
    olt_if = "gpon_olt-{port}"
    error_code = 140305
    uncfg_command = "show pon onu uncfg"
    product = "C600"

    def __init__(self) -> None:
        super().__init__("zte_c600")

    def banner(self, olt: Olt) -> str:
        star = "*" * 77
        return (f"\r\n{star}\r\n             Welcome to ZXA10 {self.product} of ZTE Corporation\r\n"
                f"{star}\r\n\r\n")

    def render_interface(self, port: str, admin_up: bool, oper_up: bool) -> str:
        name = self.olt_if.format(port=port)
        state = "up" if admin_up and oper_up else ("down" if admin_up else "administratively down")
        return (f"{name} is {state}, line protocol is {'up' if oper_up else 'down'}\r\n"
                "  Description: none\r\n"
                "  Hardware is GPON, transceiver type is C+\r\n")

    def onu_state(self, olt: Olt) -> str:
        onus = self._onus(olt)
        if not onus:
            return NO_INFO
        out = ["OnuIndex            Admin state  OMCC state  Phase state  Speed mode", "-" * 70]
        for o in onus:
            omcc = "enable" if o.run_state == "online" else "disable"
            out.append(f"{self.onu_if.format(port=o.port, onu=o.onu_id):<19} enable       "
                       f"{omcc:<11} {self.phase(o):<12} GPON")
        return "\r\n".join(out) + "\r\n"

    def service_port_config(self, o: Onu, sps: list[ServicePort]) -> list[str]:
        out = self.onu_interface_head(o) + ["  vport-mode manual", "  tcont 1 profile 1G"]
        out += [f"  gemport {s.gem_port} tcont 1" for s in sps]
        out += [f"  vport {s.gem_port} map-type vlan" for s in sps]
        out.append("!")
        for s in sps:
            # vport-1/2/1.5:1 is vport 1 of ONU 5 on port 1/2/1
            out += [f"interface vport-{o.port}.{o.onu_id}:{s.gem_port}",
                    f"  service-port {s.index} user-vlan {s.user_vlan} vlan {s.vlan}", "!"]
        return out

    def uncfg(self, olt: Olt) -> str:
        if not olt.unregistered:
            return NO_INFO
        out = ["OltIndex            Model                SN                  PW", "-" * 76]
        for u in olt.unregistered:
            out.append(f"{self.olt_if.format(port=u.port):<19} {u.equipment or 'N/A':<20} "
                       f"{u.serial:<19} N/A")
        return "\r\n".join(out) + "\r\n"
