"""ZTE C600/C620 (TITAN): the personality's own layouts (simulator/zte/base.py has the rest)."""

from __future__ import annotations

from simulator.model import Olt, Onu, ServicePort
from simulator.zte.base import ZteBase

MASK = "********"  # TITAN's mask for names and descriptions (C600 captures)


class ZteC600(ZteBase):
    onu_if = "gpon_onu-{port}:{onu}"
    olt_if = "gpon_olt-{port}"
    error_code = 140303  # '%Error 140303: Invalid input detected' (C600 sources)
    uncfg_command = "show pon onu uncfg"
    config_indent = " "  # one blank (KusumaVision C600 capture)

    def __init__(self) -> None:
        super().__init__("zte_c600")

    def mac_commands(self, olt_if: str) -> list[tuple[str, object]]:
        return [(rf"show mac gpon olt {olt_if}", self.mac_table)]

    def mac_table(self, olt: Olt, port: str) -> str:
        # Modelled: the C320 blog's table (its per-ONU form) with TITAN's names
        problem = self._no_port(olt, port)
        if problem:
            return problem
        macs = sorted((m for m in olt.macs if m.port == port and m.onu_id is not None),
                      key=lambda m: (m.onu_id, m.mac))
        if not macs:
            return self.no_info(olt)
        out = [f"Total mac address : {len(macs)}", "",
               "Mac address      Vlan   Type      Port                         Vc", "-" * 72]
        return "\r\n".join(out + self.mac_rows(macs, 6, 25)) + "\r\n"

    def banner(self, olt: Olt) -> str:
        star = "*" * 57  # Kecicang C600 capture
        return (f"\r\n{star}\r\nWelcome to TITAN series OLT of ZTE Corporation\r\n{star}\r\n"
                "Login at 17:21:44 08-22-2026 from 127.0.0.1 through SSH.\r\n")

    def system_group(self, olt: Olt) -> str:
        # Modelled: TITAN's description is its sysDescr (SNMP capture, V1.2.2); the other fields
        # as ZXAN prints them.
        return (f"System Description: {olt.model}, ZTE ZXA10 Software Version: {olt.firmware}\r\n"
                "System ObjectId: .1.3.6.1.4.1.3902.1082.1001.600.1.1\r\n"
                f"Started before: {self._uptime(olt)}\r\n"
                "Contact with: noc@example.net\r\n"
                f"System name:  {olt.hostname}\r\n"
                "Location: POP-SIM\r\n")

    def card(self, olt: Olt) -> str:
        # TITAN layout (IRARA and KusumaVision captures): no rack, CardName, no SoftVer
        out = ["Shelf Slot CfgType CardName     Port HardVer Status", "-" * 51]
        for b in olt.boards:
            ports = self.card_ports(b.type)
            hard = "" if b.status == "OFFLINE" else "V1.8.0"
            out.append(f"1     {b.slot:<4} {b.type:<7} {b.type:<12} {ports:<4} {hard:<7} {b.status}")
        return "\r\n".join(out) + "\r\n"

    def render_interface(self, port: str, admin_up: bool, oper_up: bool, onus: int) -> str:
        # Modelled on TITAN's `show interface xgei-1/10/1` (capture); no gpon_olt capture found
        name = self.olt_if.format(port=port)
        return (f"{name} admin status is {'up' if admin_up else 'down'}, line protocol is "
                f"{'up' if oper_up else 'down'}, detect status is OK\r\n"
                "Description is none\r\n"
                "  Interface current rate:\r\n"
                "        input  : 228277505 Bps,     178577 pps\r\n"
                "        output :  23596770 Bps,      79610 pps\r\n")

    def onu_state(self, olt: Olt) -> str:
        onus = self._onus(olt)
        if not onus:
            return self.no_info(olt)
        # short index, speed mode, no footer (miracema and Kecicang C600 captures)
        out = ["OnuIndex     Admin state  OMCC state  Phase state  Speed mode", "-" * 63]
        for o in onus:
            omcc = "enable" if o.run_state == "online" else "disable"
            out.append(f"{o.port}:{o.onu_id:<7} enable       {omcc:<11} {self.phase(o):<12} GPON")
        return "\r\n".join(out) + "\r\n"

    def detail_fields(self, olt: Olt, o: Onu, onu_id: str) -> list[tuple[str, str]]:
        # the C600 capture's field set; name and description masked
        online = o.run_state == "online"
        return [("Name", MASK), ("Splitter", ""), ("Type", o.equipment),
                ("Configured speed mode", "auto"), ("Current speed mode", "GPON"),
                ("Admin state", "enable"), ("Phase state", self.phase(o)),
                ("Config state", "success" if online else "fail"), ("Authentication mode", "sn"),
                ("SN Bind", "enable with SN check"), ("Serial number", o.serial),
                ("Password", ""), ("Description", MASK if o.description else ""),
                ("Vport mode", "gemport"), ("DBA Mode", "Hybrid"), ("ONU Status", "enable"),
                ("OMCI BW Profile", "704kbps"), ("OMCC Encrypt", "disable"),
                ("Line Profile", "N/A"), ("Service Profile", "N/A"),
                ("ONU Distance", f"{o.distance_m}m" if o.distance_m is not None else "N/A"),
                ("Online Duration", "98h 17m 26s" if online else "0h 0m 0s"), ("FEC", "disable"),
                ("FEC actual mode", "disable"), ("1PPS+ToD", "disable"),
                ("Auto replace", "disable"), ("Multicast encryption", "disable"),
                ("Multicast encryption current state", "N/A")]

    def service_port_config(self, o: Onu, sps: list[ServicePort]) -> list[str]:
        # KusumaVision C600 capture and guide: one-blank indentation, service ports in the
        # vport interface of each ONU (vport-1/3/13.8:1 is vport 1 of ONU 8 on 1/3/13)
        out = self.onu_interface_head(o, indent=" ")
        out += [f" tcont {s.gem_port} profile 1G" for s in sps]
        out += [f" gemport {s.gem_port} name internet tcont {s.gem_port}" for s in sps]
        out.append("!")
        for s in sps:
            out += [f"interface vport-{o.port}.{o.onu_id}:{s.gem_port}",
                    f" service-port {s.index} user-vlan {s.user_vlan} vlan {s.vlan}", "!"]
        return out

    def uncfg(self, olt: Olt) -> str:
        if not olt.unregistered:
            return self.no_info(olt)
        if self.fw(olt).uncfg == "titan_mac":  # the docstring capture's layout: MAC before SN
            out = ["OltIndex            Model              MAC               SN", "-" * 73]
            for u in olt.unregistered:
                out.append(f"{self.olt_if.format(port=u.port):<19} {u.equipment or 'N/A':<18} "
                           f"{'N/A':<17} {u.serial}")
            return "\r\n".join(out) + "\r\n"
        out = ["OltIndex            Model                SN                 PW", "-" * 77]  # miracema
        for u in olt.unregistered:
            out.append(f"{self.olt_if.format(port=u.port):<19} {u.equipment or 'N/A':<20} "
                       f"{u.serial:<18} N/A")
        return "\r\n".join(out) + "\r\n"
