"""Huawei SmartAX (MA5600T / MA5608T / MA5683T / MA5800) personality.

Layouts follow the capture corpus (tests/captures/huawei_smartax/), per firmware generation
(simulator/firmware.py): F/S/P printed as "0/ 1/0" in ONT tables, "0 /1 /0" in the MAC table and
"0/1 /0" in the service-port table; serials in hex ("485754431A2B3C4D"); MACs as "e4c2-d1ab-cdef";
per-port totals lines worded by firmware; long descriptions wrapped at the column; the alarm block
of netmiko #3559; the unknown-command answer of #3412 for what a restricted account may not run.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from simulator import firmware
from simulator.model import OLT_TZ, Olt, Onu
from simulator.personality import Personality, Reply, SessionState

SEP = "  " + "-" * 77
SEP_WIDE = "  " + "-" * 78


def hex_serial(serial: str) -> str:
    """HWTC1A2B3C4D -> 485754431A2B3C4D, as `display ont info` prints it."""
    return serial[:4].encode().hex().upper() + serial[4:]


def fsp_ont(port: str) -> str:
    f, s, p = port.split("/")
    return f"{f}/{int(s):>2}/{p}"


def fsp_mac(port: str) -> str:
    f, s, p = port.split("/")
    return f"{f:<2}/{s:<2}/{p}"


def fsp_sp(port: str) -> str:
    f, s, p = port.split("/")
    return f"{f}/{s:<2}/{p}"


def huawei_mac(mac: str) -> str:
    h = mac.replace(":", "")
    return f"{h[0:4]}-{h[4:8]}-{h[8:12]}"


def ts(value: datetime | None, dates: str = "iso", offset: bool = True) -> str:
    """A time as the box prints it: ISO or day/month/year (MA5603T capture), with the OLT's UTC
    offset where the command prints one (autofind; the summary does not)."""
    if value is None:
        return "-"
    local = value.astimezone(OLT_TZ)
    text = local.strftime("%d/%m/%Y %H:%M:%S" if dates == "dmy" else "%Y-%m-%d %H:%M:%S")
    return text + ("-03:00" if offset else "")


DESCRIPTION_WIDTH = 56  # the description column of `display ont info` (MA5800-X7 capture)


def wrap_description(text: str, width: int = DESCRIPTION_WIDTH) -> list[str]:
    """Huawei's wrap of a long description (MA5800-X7 capture): at a word boundary the line is
    padded; a word too long for the line is cut; a line that fills exactly at a word's end leaves
    the separating blank to start the next line."""
    lines: list[str] = []
    rest = text
    while len(rest) > width:
        chunk = rest[:width]
        if rest[width] == " ":
            lines.append(chunk)
            rest = rest[width:]
            continue
        cut = chunk.rfind(" ")
        if cut > 0:
            lines.append(chunk[:cut].ljust(width))
            rest = rest[cut + 1:]
        else:
            lines.append(chunk)
            rest = rest[width:]
    return lines + [rest]


def num(value: float | int | None, fmt: str = "") -> str:
    return "-" if value is None else format(value, fmt)


def _port_sort(port: str) -> tuple[int, ...]:
    return tuple(int(x) for x in port.split("/"))


class HuaweiSmartax(Personality):
    def __init__(self) -> None:
        super().__init__(name="huawei_smartax",
                         more_prompt="  ---- More ( Press 'Q' to break ) ----",
                         more_erase="\x1b[37D" + " " * 37 + "\x1b[37D")
        # (pattern, handler, minimum mode, smart-interactive)
        self.commands = [
            (r"display version", self.version, "user", False),
            (r"display sysuptime", self.sysuptime, "user", False),
            (r"display board 0", self.board, "user", True),
            # in a GPON interface view: port N of the board (MA5800-X7 capture)
            (r"display ont info (\d+) all", self.ont_info, "interface", False),
            (r"display ont info summary (\d+)/(\d+)/(\d+)", self.ont_summary, "enable", False),
            (r"display ont optical-info (\d+) all", self.optical, "interface", False),
            # at the privileged prompt: frame 0, the whole chassis (MA5600T capture)
            (r"display ont version 0 all", self.ont_version, "enable", False),
            (r"display port state all", self.port_state, "interface", False),
            (r"display mac-address port 0/(\d+)", self.mac_table, "enable", True),
            (r"display service-port all", self.service_ports, "enable", True),
            (r"display ont autofind all", self.autofind, "enable", False),
        ]

    # --- session -------------------------------------------------------------------------------
    def banner(self, olt: Olt) -> str:
        return (
            f"\r\n  Huawei Integrated Access Software ({olt.model}).\r\n"
            "  Copyright(C) Huawei Technologies Co., Ltd. 2002-2024. All rights reserved.\r\n\r\n"
            "  -----------------------------------------------------------------------------\r\n"
            "  User last login information:\r\n"
            "  -----------------------------------------------------------------------------\r\n"
            "  Access Type : SSH \r\n"
            "  IP-Address  : 127.0.0.1 ssh\r\n"
            "  Login  Time : 2026-11-21 23:00:02-03:00\r\n"
            "  Logout Time : 2026-11-21 23:00:09-03:00\r\n"
            "  -----------------------------------------------------------------------------\r\n"
            "\r\n"
        )

    def prompt(self, olt: Olt, state: SessionState) -> str:
        if state.mode == "user":
            return f"{olt.hostname}>"
        if state.mode == "enable":
            return f"{olt.hostname}#"
        if state.mode == "config":
            return f"{olt.hostname}(config)#"
        return f"{olt.hostname}(config-if-gpon-{state.interface})#"

    def unknown(self, olt: Olt, state: SessionState, line: str) -> Reply:
        # The caret points under the first word the box did not understand.
        col = len(self.prompt(olt, state)) + len(line) - len(line.lstrip())
        return Reply(text=" " * col + "^\r\n  % Unknown command, the error locates at '^'\r\n",
                     paged=False)

    def alarm(self, olt: Olt, n: int) -> str:
        """An alarm block as the box prints it into output (netmiko #3559, verbatim layout)."""
        onu = olt.onus[n % len(olt.onus)] if olt.onus else None
        f, slot, pon = onu.port.split("/") if onu else ("0", "8", "0")
        now = datetime.now(UTC).astimezone(OLT_TZ).strftime("%d/%m/%Y %H:%M:%S-03:00")
        return (
            f"  ! {n} [{now}]:\r\n"
            "\r\n"
            f"  ALARM {4000 + n} FAULT WARNING 0x2e112007 SERVICE QUALITY {now[:10]} \r\n"
            f"{now[11:]}\r\n"
            "  ALARM NAME  : The distribute fiber is broken or the OLT cannot receive \r\n"
            "                expected optical signals from the ONT(LOSi/LOBi)\r\n"
            "  SRVEFF      : SA\r\n"
            f"  PARAMETERS  : FrameID: {f}, SlotID: {slot}, PortID: {pon}, ONT ID: "
            f"{onu.onu_id if onu else 0}, Equipment ID: \r\n"
            f"                {onu.equipment if onu else '-'}\r\n"
            "  DESCRIPTION : The OLT cannot receive expected optical signals from the ONT \r\n"
            "                in four consecutive frames\r\n"
            "  CAUSE       : (1) The fiber is broken\r\n"
            "                (2) The quality of the optical path is poor\r\n"
            "                (3) The ONT hardware fails\r\n"
            "  ADVICE      : (1) Check tributary optical fiber connection and backbone \r\n"
            "                optical fiber orderly, clean the fiber connector and replace \r\n"
            "                the fiber if necessary\r\n"
            "  --- END-\r\n"
            "****\r\n"
        )

    _LEVEL = {"user": 0, "enable": 1, "config": 2, "interface": 3}

    def execute(self, olt: Olt, state: SessionState, line: str) -> Reply:
        cmd = " ".join(line.split())
        if cmd == "":
            return Reply(paged=False)
        if any(cmd.startswith(p) for p in olt.knobs.forbidden):
            return self.unknown(olt, state, line)  # what a user without the rights gets (#3412)
        mode = state.mode
        if cmd == "enable" and mode == "user":
            state.mode = "enable"
            return Reply(paged=False)
        if cmd == "disable" and mode == "enable":
            state.mode = "user"
            return Reply(paged=False)
        if cmd in ("config", "configure terminal") and mode == "enable":
            state.mode = "config"
            return Reply(paged=False)
        m = re.fullmatch(r"interface gpon (\d+)/(\d+)", cmd)
        if m and mode in ("config", "interface"):
            slot = int(m.group(2))
            if slot not in olt.gpon_slots():
                return Reply(text="  Failure: The board does not exist\r\n", paged=False)
            state.mode, state.interface = "interface", f"{m.group(1)}/{slot}"
            return Reply(paged=False)
        if cmd == "quit":
            if mode == "interface":
                state.mode, state.interface = "config", None
                return Reply(paged=False)
            if mode == "config":
                state.mode = "enable"
                return Reply(paged=False)
            return Reply(ask="logout", text="  Are you sure to log out? (y/n)[n]:", paged=False)
        if cmd == "return" and mode in ("config", "interface"):
            state.mode, state.interface = "enable", None
            return Reply(paged=False)
        if cmd == "undo smart":
            state.smart = False
            return Reply(paged=False)
        if cmd == "smart":
            state.smart = True
            return Reply(paged=False)
        m = re.fullmatch(r"scroll(?: (\d+))?", cmd)
        if m:
            if m.group(1) is None and state.smart:
                return Reply(ask="scroll", text="{ <cr>|number<U><10,512> }:", paged=False)
            n = int(m.group(1)) if m.group(1) else None
            if not olt.knobs.ignore_scroll:
                state.page_lines = n if n is None or 10 <= n <= 512 else state.page_lines
            return Reply(paged=False)
        if cmd == "infoswitch cli OFF" and self._LEVEL[mode] >= 1:
            return Reply(paged=False)
        for pattern, handler, min_mode, smart in self.commands:
            m = re.fullmatch(pattern, cmd)
            if not m:
                continue
            if self._LEVEL[mode] < self._LEVEL[min_mode]:
                break
            if min_mode == "interface" and mode != "interface":
                break
            if smart and state.smart:
                return Reply(ask=f"smart:{cmd}", text="{ <cr>||<K> }:", paged=False)
            return Reply(text=handler(olt, state, *m.groups()), command=cmd)
        return self.unknown(olt, state, line)

    def answer(self, olt: Olt, state: SessionState, question: str, line: str) -> Reply:
        if question == "logout":
            if line.strip().lower() == "y":
                return Reply(text="\r\n  Check whether system data has been changed. Please save data "
                                  "before logout.\r\n  Configuration console exit, please retry to "
                                  "log on\r\n", close=True, paged=False)
            return Reply(paged=False)
        if question == "scroll":
            if not olt.knobs.ignore_scroll:
                state.page_lines = None
            return Reply(paged=False)
        if question.startswith("smart:"):
            if line.strip():
                return self.unknown(olt, state, line)
            state_smart, state.smart = state.smart, False
            try:
                return self.execute(olt, state, question[len("smart:"):])
            finally:
                state.smart = state_smart
        return Reply(paged=False)

    # --- data commands -------------------------------------------------------------------------
    def version(self, olt: Olt, state: SessionState) -> str:
        up = int((datetime.now(UTC) - olt.booted_at).total_seconds())
        d, rem = divmod(up, 86400)
        h, rem = divmod(rem, 3600)
        mi, s = divmod(rem, 60)
        area = (
            "  --------------------------------------------------\r\n"
            "  Current Program Area : Area A \r\n"
            "  Current Data Area : Area A\r\n \r\n"
            f"  Program Area A Version : {olt.firmware} \r\n"
            f"  Program Area B Version : {olt.firmware}\r\n \r\n"
            f"  Data Area A Version : {olt.firmware} \r\n"
            f"  Data Area B Version : {olt.firmware} \r\n"
            "  --------------------------------------------------\r\n \r\n"
        )
        return (
            f"\r\n  VERSION : {olt.firmware}\r\n  PATCH   : {olt.patch}\r\n"
            f"  PRODUCT : {olt.model}\r\n \r\n"
            "  Active Mainboard Running Area Information: \r\n" + area
            + "  Standby Mainboard Running Area Information: \r\n" + area
            + f"  Uptime is {d} day(s), {h} hour(s), {mi} minute(s), {s} second(s)\r\n"
        )

    def sysuptime(self, olt: Olt, state: SessionState) -> str:
        up = int((datetime.now(UTC) - olt.booted_at).total_seconds())
        d, rem = divmod(up, 86400)
        h, rem = divmod(rem, 3600)
        mi, s = divmod(rem, 60)
        return f"  System up time: {d} day {h} hour {mi} minute {s} second\r\n"

    def board(self, olt: Olt, state: SessionState) -> str:
        sep = "  " + "-" * 73
        out = [sep, "  SlotID  BoardName  Status          SubType0 SubType1    Online/Offline", sep]
        boards = {b.slot: b for b in olt.boards}
        last = 21 if olt.model.endswith("X17") else (8 if olt.model.endswith("X7") else 21)
        last = max(last, max(boards))
        for slot in range(0, last + 1):
            b = boards.get(slot)
            if b is None:
                out.append(f"  {slot:<6}")
            else:
                out.append(f"  {slot:<8}{b.type:<11}{b.status:<16}")
        out.append(sep)
        return "\r\n".join(out) + "\r\n"

    def _ports(self, olt: Olt) -> list[str]:
        return sorted({o.port for o in olt.onus}, key=_port_sort)

    @staticmethod
    def _fw(olt: Olt) -> firmware.HuaweiFirmware:
        return firmware.huawei(olt.generation or "V100R019")

    def ont_info(self, olt: Olt, state: SessionState, pon: str) -> str:
        # one port's serial table, then its description table; no totals line in this view
        # (MA5800-X7 capture)
        onus = self._iface_onus(olt, state, pon)
        if not onus:
            return "  Failure: The ONT does not exist\r\n"
        port = onus[0].port
        out = [SEP, "  F/S/P   ONT         SN         Control     Run      Config   Match    Protect",
               "          ID                     flag        state    state    state    side ", SEP]
        for o in onus:
            cfg = o.config_state if o.run_state == "online" else "initial"
            match = o.match_state if o.run_state == "online" else "initial"
            out.append(f"  {fsp_ont(port):<8}{o.onu_id:>3}  {hex_serial(o.serial):<16}  "
                       f"{'active':<12}{o.run_state:<9}{cfg:<9}{match:<9}no ")
        out += [SEP, "  F/S/P   ONT-ID   Description", SEP]
        for o in onus:
            first, *more = wrap_description(o.description or "ONT_NO_DESCRIPTION")
            out.append(f"  {fsp_ont(port)}{o.onu_id:>8}   {first}")
            out += [" " * 19 + line for line in more]
        out.append(SEP)
        return "\r\n".join(out) + "\r\n"

    def ont_summary(self, olt: Olt, state: SessionState, f: str, s: str, p: str) -> str:
        fw = self._fw(olt)
        port = f"{int(f)}/{int(s)}/{int(p)}"
        onus = sorted((o for o in olt.onus if o.port == port), key=lambda o: o.onu_id)
        if not any(pp.port == port for pp in olt.pon_ports):
            return "  Failure: The port does not exist\r\n"
        if not onus:
            return "  Failure: The ONT does not exist\r\n"
        online = sum(1 for o in onus if o.run_state == "online")
        out = ["  Command is being executed. Please wait", SEP_WIDE,
               f"  In port {port}, the total of ONTs are: {len(onus)}, online: {online}", SEP_WIDE,
               "  ONT  Run     Last                Last                Last",
               "  ID   State   UpTime              DownTime            DownCause", SEP_WIDE]
        for o in onus:
            up = ts(o.last_up_at, fw.summary_dates, offset=False)
            down = ts(o.last_down_at, fw.summary_dates, offset=False)
            out.append(f"  {o.onu_id:<4} {o.run_state:<7} {up:<19} {down:<19} "
                       f"{o.last_down_cause or '-'}")
        out += [SEP_WIDE,
                "  ONT        SN        Type          Distance Rx/Tx power  Description",
                "  ID                                    (m)      (dBm)", SEP_WIDE]
        for o in onus:
            power = f"{num(o.rx_power_dbm, '.2f')}/{num(o.tx_power_dbm, '.2f')}"
            # the summary cuts descriptions to its column (captures: 21 characters)
            desc = (o.description or "ONT_NO_DESCRIPTION")[:21]
            out.append(f"  {o.onu_id:<3} {hex_serial(o.serial):<16} {o.equipment:<13} "
                       f"{num(o.distance_m):>8}   {power:<12} {desc}")
        out.append(SEP_WIDE)
        return "\r\n".join(out) + "\r\n"

    def _iface_onus(self, olt: Olt, state: SessionState, pon: str) -> list[Onu]:
        port = f"{state.interface}/{int(pon)}"
        return sorted((o for o in olt.onus if o.port == port), key=lambda o: o.onu_id)

    def optical(self, olt: Olt, state: SessionState, pon: str) -> str:
        onus = [o for o in self._iface_onus(olt, state, pon) if o.run_state == "online"]
        if not onus:
            return "  Failure: All ONTs on the port are offline or do not exist\r\n"
        if not self._fw(olt).optical_distance:
            # the older layout: no Distance column, wider columns (MA5608T capture)
            sep = "  " + "-" * 77
            out = [sep, "  ONT  Rx power    Tx power    OLT Rx ONT  Temperature  Voltage     Current",
                   "  ID   (dBm)       (dBm)       power(dBm)  (C)          (V)         (mA)", sep]
            for o in onus:
                out.append(f"  {o.onu_id:>3}  {o.rx_power_dbm:<10.2f}  {o.tx_power_dbm:<10.2f}  "
                           f"{o.olt_rx_power_dbm:<10.2f}  {o.temperature_c:<11}  {'3.220':<10}  13")
            out.append(sep)
            return "\r\n".join(out) + "\r\n"
        sep = "  " + "-" * 77 + " "
        out = [sep,
               "  ONT  Rx power  Tx power  OLT Rx ONT  Temperature  Voltage  Current  Distance  ",
               "  ID   (dBm)     (dBm)     power(dBm)  (C)          (V)      (mA)     (m)       ",
               sep]
        for o in onus:
            out.append(f"  {o.onu_id:>3}  {o.rx_power_dbm:<8.2f}  {o.tx_power_dbm:<8.2f}  "
                       f"{o.olt_rx_power_dbm:<10.2f}  {o.temperature_c:<11}  {'3.280':<7}  "
                       f"{'12':<7}  {o.distance_m:<8}  ")
        out.append(sep)
        return "\r\n".join(out) + "\r\n"

    def ont_version(self, olt: Olt, state: SessionState) -> str:
        # the frame's online ONTs, one line each (MA5600T capture: its header line, the rule at
        # column 0, rows F/ S/ P/ ID with vendor at 16, model at 24, version at 50, '-' at 68)
        onus = sorted((o for o in olt.onus if o.run_state == "online"),
                      key=lambda o: (_port_sort(o.port), o.onu_id))
        if not onus:
            return "  Failure: The ONT does not exist\r\n"
        out = ["  F/S/P/ONT-ID  Vendor  ONT Model             Software Version   Customized Vendors",
               "-" * 82]
        for o in onus:
            f, s, p = o.port.split("/")
            out.append(f"  {f}/{s:>2}/{p:>2}/{o.onu_id:>3}   {o.serial[:4]:<8}{o.equipment:<26}"
                       f"{o.firmware:<18}{'-':<7}")
        rule = "  " + "-" * 77
        out += [rule, f"  The total of online ONTs are: {len(onus)}", rule]
        return "\r\n".join(out) + "\r\n"

    def port_state(self, olt: Olt, state: SessionState) -> str:
        out: list[str] = []
        sep = "  " + "-" * 76
        for pp in olt.pon_ports:
            if pp.port.rsplit("/", 1)[0] != state.interface:
                continue
            optical = "Online" if pp.oper_state == "up" or pp.admin_state == "down" else "Offline"
            port_state = "Online" if pp.oper_state == "up" else "Offline"
            laser = "Normal" if pp.admin_state == "up" else "Shutdown"
            out += [sep,
                    f"  F/S/P                               {pp.port}",
                    f"  Optical Module status               {optical}",
                    f"  Port state                          {port_state}",
                    f"  Laser state                         {laser}",
                    "  Available bandwidth(Kbps)           1238110",
                    "  Temperature(C)                      42",
                    "  TX power(dBm)                       4.37",
                    "  Max Distance(Km)                    20",
                    "  Wave length(nm)                     1490"]
        out.append(sep)
        return "\r\n".join(out) + "\r\n"

    def mac_table(self, olt: Olt, state: SessionState, slot: str) -> str:
        # one board's MACs: the rows of the MA5608T capture of `display mac-address port 0/1`,
        # the header and notes of ntc's `display mac-address`
        macs = [m for m in olt.macs if m.port.split("/")[1] == str(int(slot))]
        if not macs:
            return "  Failure: There is not any MAC address record\r\n"
        sep = "  " + "-" * 71
        out = ["  It will take some time, please wait...", sep,
               "   SRV-P BUNDLE TYPE MAC            MAC TYPE F /S /P   VPI  VCI   VLAN ID",
               "   INDEX INDEX", sep]
        for m in sorted(macs, key=lambda m: (_port_sort(m.port), m.onu_id or -1, m.mac)):
            kind = "gpon" if m.onu_id is not None else "eth"
            out.append(f"  {num(m.service_port):>6}     -  {kind:<4} {huawei_mac(m.mac):<14} "
                       f"{m.type:<8} {fsp_mac(m.port):<9} {num(m.onu_id):<4} "
                       f"{num(m.gem_index):<5} {m.vlan:>7}")
        out += [sep, f"  Total: {len(macs)}",
                "  Note: F--Frame, S--Slot, P--Port, F/S/P indicates PW Index for PW,",
                "        A--The MAC address is learned or configured on the aggregation port,",
                "        VPI indicates ONT ID for PON, VCI indicates GEM index for GPON,",
                "        v/e--vlan/encap, pritag--priority-tagged,",
                "        ppp--pppoe, ip--ipoe, ip4--ipv4oe, ip6--ipv6oe"]
        return "\r\n".join(out) + "\r\n"

    def service_ports(self, olt: Olt, state: SessionState) -> str:
        out = ["  Switch-Oriented Flow List", SEP,
               "   INDEX VLAN VLAN     PORT F/ S/ P VPI  VCI   FLOW  FLOW       RX   TX   STATE",
               "         ID   ATTR     TYPE                    TYPE  PARA", SEP]
        for s in sorted(olt.service_ports, key=lambda s: s.index):
            out.append(f"  {s.index:>6} {s.vlan:<4} {'common':<8} {'gpon':<4} {fsp_sp(s.port):<7} "
                       f"{s.onu_id:<4} {s.gem_port:<5} {'vlan':<5} {s.user_vlan:<10} "
                       f"{'-':<4} {'-':<4} {'up':<5}")
        n = len(olt.service_ports)
        out += [SEP, f"   Total : {n}  (Up/Down :    {n}/0)",
                "   Note : F--Frame, S--Slot, P--Port,",
                "          VPI indicates ONT ID for PON, VCI indicates GEM index for GPON,",
                "          v/e--vlan/encap, pritag--priority-tagged,",
                "          ppp--pppoe, ip--ipoe, ip4--ipv4oe, ip6--ipv6oe, vxl--vxlan."]
        return "\r\n".join(out) + "\r\n"

    def autofind(self, olt: Olt, state: SessionState) -> str:
        if not olt.unregistered:
            return "  Failure: The automatically found ONTs do not exist\r\n"
        nni = self._fw(olt).autofind_nni
        sep = "   " + "-" * 76
        out = [sep]
        for n, u in enumerate(olt.unregistered, 1):
            out += [f"   Number              : {n}", f"   F/S/P               : {u.port}"]
            if nni:
                out.append("   ONT NNI type        : 2.5G/1.25G")  # MA5800 capture
            out += [
                f"   Ont SN              : {hex_serial(u.serial)} ({u.serial[:4]}-{u.serial[4:]})",
                "   Password            : 0x00000000000000000000",
                "   Loid                :",
                "   Checkcode           :",
                f"   VendorID            : {u.serial[:4]}",
                "   Ont Version         : 10C7.A",
                f"   Ont SoftwareVersion : {u.firmware}",
                f"   Ont EquipmentID     : {u.equipment}",
                "   Ont Customized Info : COMMON",
                f"   Ont MAC             : {'E4C2-D100-000' + str(n) if n % 2 else '-'}",
                f"   Ont Equipment SN    : {'2150083345ABC000000' + str(n) if n % 2 else '-'}",
                f"   Ont autofind time   : {ts(u.found_at)}",
                "   Multi channel       : -",
                sep,
            ]
        if nni:
            out.append(f"   The number of GPON autofind ONT is {len(olt.unregistered)}")
        return "\r\n".join(out) + "\r\n"
