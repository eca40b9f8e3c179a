"""What the ZTE personalities share: C300/C320 (ZXAN, simulator/zte/c300.py) and C600/C610/C620/
C650 (TITAN, simulator/zte/c600.py).

Layouts follow the capture corpus (tests/captures/zte_c300/, zte_c600/), per firmware generation
(simulator/firmware.py). Both log into privileged mode (`hostname#`; an account of a lower level
at `hostname>`, raised with `enable` and a password), page with ` --More--` until `terminal length
0` (one TITAN generation pages anyway) and erase the pager with backspace-blank-backspace eight
times (C300 capture), and answer an unknown command with a caret line and `%Error <code>: Invalid
input detected at '^' marker.`. The generations differ in interface names (C300
`gpon-onu_1/2/1:5`, C600 `gpon_onu-1/2/1:5`), in the state table (short index with a Channel
column and footer, or full names with an O7 State column; TITAN: short index and a speed mode),
in the card table, in the detail-info fields (TITAN masks names and descriptions), in the
commands each answers (their own identity, PON port and MAC commands), in the running
configuration's layout and in the unconfigured-ONU command. What no capture shows is modelled and
says so: the per-port power tables of TITAN and ZXAN's OLT-side levels (on ZXAN's ONU-side
table), and ZTE alarms in CLI output (not captured at all).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from simulator import firmware
from simulator.model import OLT_TZ, Olt, Onu
from simulator.personality import Personality, Reply, SessionState

ZERO_TS = "0000-00-00 00:00:00"


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
    # the pager is erased with backspace, blank, backspace, eight times (ZTE-C300 Pesagi capture)
    ERASE = "\b \b" * 8

    def __init__(self, name: str) -> None:
        super().__init__(name=name, more_prompt=" --More--", more_erase=self.ERASE,
                         records=("show gpon onu detail-info",))
        onu = self.onu_if.format(port=r"(\d+/\d+/\d+)", onu=r"(\d+)")
        olt = self.olt_if.format(port=r"(\d+/\d+/\d+)")
        self.commands = [
            (r"show card", self.card),
            (r"show gpon onu state", self.onu_state),
            (rf"show gpon onu detail-info {onu}", self.detail_info),
            (rf"show pon power onu-rx {olt}", self.onu_rx),
            (rf"show pon power olt-rx {olt}", self.olt_rx),
            (r"show running-config", self.running_config),
            (re.escape(self.uncfg_command), self.uncfg),
        ] + self.own_commands(onu, olt)

    def own_commands(self, onu_if: str, olt_if: str) -> list[tuple[str, object]]:
        """What only this family answers (its identity, PON port and MAC commands); anything else
        gets its '%Error ... Invalid input' (TITAN refuses `show system-group`: captures)."""
        raise NotImplementedError

    def fw(self, olt: Olt) -> firmware.ZteFirmware:
        return firmware.zte(self.name, olt.generation or sorted(firmware.ZTE[self.name])[0])

    def no_info(self, olt: Olt) -> str:
        # ZTE's empty answer; the C320 of one capture prints code 62310 (assigned to V1.x: ours)
        code = "62310" if self.fw(olt).version.startswith("V1.") and self.name == "zte_c300" else "32310"
        return f"%Code {code}-GPONSRV : No related information to show.\r\n"

    # --- session -------------------------------------------------------------------------------
    def banner(self, olt: Olt) -> str:
        notice = self.fw(olt).login_notice
        return (f"\r\nWelcome to ZXAN product {olt.model} of ZTE Corporation\r\n\r\n"
                + (f"{notice}\r\n" if notice else ""))

    def start(self, olt: Olt, state: SessionState) -> None:
        # most accounts land at `#` (captures); one of a lower level at `>` (ZXAN transcript)
        state.mode = "user" if olt.knobs.user_mode else "enable"

    def prompt(self, olt: Olt, state: SessionState) -> str:
        if state.mode == "user":
            return f"{olt.hostname}>"
        return f"{olt.hostname}(config)#" if state.mode == "config" else f"{olt.hostname}#"

    def refused(self, olt: Olt, state: SessionState, line: str) -> Reply:
        """What `>` answers a command of a higher level: `terminal length 0` there gets a caret
        line and '%Error 20200: ...Invalid command' (ZXAN transcript); the data commands are
        modelled the same (that some `show` answer at `>` is captured too)."""
        col = len(self.prompt(olt, state)) + len(line) - len(line.lstrip())
        return Reply(text="\r\n" + " " * col + "^\r\n%Error 20200: Invalid input detected at '^' "
                     "marker.Invalid command\r\n", paged=False)

    def unknown(self, olt: Olt, state: SessionState, line: str) -> Reply:
        col = len(self.prompt(olt, state)) + len(line) - len(line.lstrip())
        return Reply(text=" " * col + "^\r\n"
                     f"%Error {self.error_code}: Invalid input detected at '^' marker.\r\n",
                     paged=False)

    def alarm(self, olt: Olt, n: int) -> str:
        # Modelled, not captured (no public capture shows a ZTE alarm in CLI output).
        onu = olt.onus[n % len(olt.onus)] if olt.onus else None
        where = self.onu_if.format(port=onu.port, onu=onu.onu_id) if onu else "slot 10"
        now = datetime.now(UTC).astimezone(OLT_TZ).strftime("%Y-%m-%d %H:%M:%S")
        return (f"\r\n[{now}] Alarm 33054 (GPON ONU LOS) raised: {where}, "
                "level: major\r\n\r\n")

    def execute(self, olt: Olt, state: SessionState, line: str) -> Reply:
        cmd = " ".join(line.split())
        if cmd == "":
            return Reply(paged=False)
        if any(cmd.startswith(p) for p in olt.knobs.forbidden):
            return self.unknown(olt, state, line)  # not for this account (modelled on Huawei's)
        if cmd == "enable":
            # 'Password:' whatever the prompt; a wrong one gets '%Error 20208: Bad password'
            # (TITAN transcript, C300 notes)
            return Reply(ask="enable", text="Password:", paged=False, secret=True)
        if state.mode == "user":
            if cmd in ("exit", "quit"):
                return Reply(close=True, paged=False)
            return self.refused(olt, state, line)
        if cmd == "terminal length 0":
            if not (olt.knobs.ignore_scroll or self.fw(olt).pages_anyway):
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

    def answer(self, olt: Olt, state: SessionState, question: str, line: str) -> Reply:
        if question == "enable":
            if olt.enable_password is not None and line == olt.enable_password:
                state.mode = "enable"
                return Reply(paged=False)
            return Reply(text="%Error 20208: Bad password\r\n", paged=False)
        return Reply(paged=False)

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

    def _uptime(self, olt: Olt) -> str:
        up = int((datetime.now(UTC) - olt.booted_at).total_seconds())
        d, rem = divmod(up, 86400)
        h, rem = divmod(rem, 3600)
        return f"{d} days, {h} hours, {rem // 60} minutes"  # no seconds (C320 captures)

    def phase(self, o: Onu) -> str:
        return "working" if o.run_state == "online" else (o.last_down_cause or "OffLine")

    # --- data commands -------------------------------------------------------------------------
    def card(self, olt: Olt) -> str:
        # ZXAN layout (VANS C320 capture): an absent card keeps its port count, no real type/versions
        out = ["Rack Shelf Slot CfgType RealType Port  HardVer SoftVer         Status",
               "-" * 79]
        for b in olt.boards:
            ports = self.card_ports(b.type)
            if b.status == "OFFLINE":
                out.append(f"1    1     {b.slot:<4} {b.type:<7}          {ports:<5} "
                           f"{'':<7} {'':<15} {b.status}")
            else:
                out.append(f"1    1     {b.slot:<4} {b.type:<7} {b.type:<8} {ports:<5} "
                           f"V1.0.0  {olt.firmware:<15} {b.status}")
        return "\r\n".join(out) + "\r\n"

    @staticmethod
    def card_ports(card: str) -> int:
        return {"GTGH": 16, "GFGL": 16, "SMXA": 3, "SFUB": 4}.get(card, 4)

    def onu_state(self, olt: Olt) -> str:
        onus = self._onus(olt)
        if not onus:
            return self.no_info(olt)
        if self.fw(olt).state == "o7":
            # full names and an O7 State column, no footer (C320 blog capture)
            out = ["OnuIndex               Admin State  OMCC State   O7 State     Phase State", "-" * 76]
            for o in onus:
                up = o.run_state == "online"
                out.append(f"{self.onu_if.format(port=o.port, onu=o.onu_id):<22} enable       "
                           f"{'enable' if up else 'disable':<12} {'operation' if up else 'unknown':<12} "
                           f"{self.phase(o)}")
            return "\r\n".join(out) + "\r\n"
        # short index, Channel column, 'ONU Number' footer (Pesagi C300, how-to captures)
        out = ["OnuIndex   Admin State  OMCC State  Phase State  Channel", "-" * 62]
        for o in onus:
            omcc = "enable" if o.run_state == "online" else "disable"
            out.append(f"{o.port}:{o.onu_id:<5} enable       {omcc:<11} {self.phase(o):<12} 1(GPON)")
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

    def detail_fields(self, olt: Olt, o: Onu, onu_id: str) -> list[tuple[str, str]]:
        online = o.run_state == "online"
        distance = f"{o.distance_m}m" if o.distance_m is not None else "N/A"
        if self.fw(olt).detail == "c320":  # the C320 blog capture's field set
            return [("Name", f"ONU-{onu_id}"), ("Type", o.equipment),
                    ("State", "ready" if online else "configuring"), ("Admin state", "enable"),
                    ("Phase state", self.phase(o)), ("Authentication mode", "sn"),
                    ("SN Bind", "enable with SN check"), ("Serial number", o.serial),
                    ("Password", ""), ("Device ID", ""), ("Description", o.description or ""),
                    ("Vport mode", "gemport"), ("DBA Mode", "Hybrid"), ("ONU Status", "enable"),
                    ("OMCI BW Profile", "enable"), ("Line Profile", "N/A"),
                    ("Service Profile", "N/A"), ("Alarm Profile", "N/A"),
                    ("Performance Profile", "N/A"), ("ONU Distance", distance),
                    ("Online Duration", "34h 45m 21s" if online else "N/A"), ("FEC", "none"),
                    ("1PPS+ToD", "disable")]
        return [("Name", f"ONU-{onu_id}"), ("Type", o.equipment),  # the hbnet C300 capture's
                ("State", "ready" if online else "configuring"), ("Configured channel", "auto"),
                ("Current channel", "1(GPON)"), ("Admin state", "enable"),
                ("Phase state", self.phase(o)), ("Config state", "success"),
                ("Authentication mode", "sn"), ("SN Bind", "enable with SN check"),
                ("Serial number", o.serial), ("Password", ""),
                ("Description", o.description or ""), ("Vport mode", "gemport"),
                ("DBA Mode", "Hybrid"), ("ONU Status", "enable"), ("OMCI BW Profile", ""),
                ("Line Profile", "N/A"), ("Service Profile", "N/A"), ("ONU Distance", distance),
                ("Online Duration", "127h 56m 21s" if online else "N/A"), ("FEC", "none"),
                ("FEC actual mode", "N/A"), ("1PPS+ToD", "disable"), ("Auto replace", "disable"),
                ("Multicast encryption", "disable"),
                ("Multicast encryption current state", "N/A")]

    def detail_info(self, olt: Olt, port: str, onu_id: str) -> str:
        o = self._onu(olt, port, onu_id)
        if o is None:
            return self.no_info(olt)
        # labels padded to one width, the value right after (a longer label leaves no blank:
        # 'Multicast encryption current state:N/A'); TITAN's width is one more (captures)
        w = 21 if self.name == "zte_c300" else 22
        lines = [f"{'ONU interface:':<{w + 2}}{self.onu_if.format(port=port, onu=onu_id)}"]
        for key, value in self.detail_fields(olt, o, onu_id):
            line = f"  {key + ':':<{w}}{value}"
            lines.append(line if self.name == "zte_c600" else line.rstrip())
        lines += ["-" * 42, "       Authpass Time          OfflineTime             Cause"]
        for n, (up, down, cause) in enumerate(self.history(o), 1):
            lines.append(f"  {n:>2}   {up}    {down}     {cause}".rstrip())
        return "\r\n".join(lines) + "\r\n"

    def _power(self, olt: Olt, port: str, attr: str, unheard: str = "N/A",
               width: int = 19) -> str:
        """A port's level table (C320 blog capture: 'N/A' for an ONU not heard, the name column
        19 wide)."""
        problem = self._no_port(olt, port)
        if problem:
            return problem
        onus = self._onus(olt, port)
        if not onus:
            return self.no_info(olt)
        out = [f"{'Onu':<{width}} Rx power", "-" * 36]
        for o in onus:
            v = getattr(o, attr)
            value = f"{v:.3f}(dbm)" if v is not None and o.run_state == "online" else unheard
            out.append(f"{self.onu_if.format(port=port, onu=o.onu_id):<{width}} {value}")
        return "\r\n".join(out) + "\r\n"

    def onu_rx(self, olt: Olt, port: str) -> str:
        return self._power(olt, port, "rx_power_dbm")

    def olt_rx(self, olt: Olt, port: str) -> str:
        return self._power(olt, port, "olt_rx_power_dbm")

    def mac_rows(self, macs: list, vlan_width: int, port_width: int) -> list[str]:
        return [f"{_dotted(m.mac):<16} {m.vlan:<{vlan_width}} {'Dynamic':<9} "
                f"{self.onu_if.format(port=m.port, onu=m.onu_id):<{port_width}} vport {m.gem_index}"
                for m in macs]

    def uncfg(self, olt: Olt) -> str:
        raise NotImplementedError
