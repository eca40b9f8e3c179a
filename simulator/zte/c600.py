"""ZTE C600/C620/C650 (TITAN): the personality's own layouts, from TITAN captures per release
(simulator/firmware.py; simulator/zte/base.py has what ZXAN and TITAN print alike)."""

from __future__ import annotations

from simulator.model import Olt, Onu, ServicePort
from simulator.zte.base import ZteBase, _dotted

MASK = "********"  # TITAN's mask for names and descriptions (C600 captures)


class ZteC600(ZteBase):
    onu_if = "gpon_onu-{port}:{onu}"
    olt_if = "gpon_olt-{port}"
    error_code = 140303  # '%Error 140303: Invalid input detected' (C600 sources)
    uncfg_command = "show pon onu uncfg"

    def __init__(self) -> None:
        super().__init__("zte_c600")

    def own_commands(self, onu_if: str, olt_if: str) -> list[tuple[str, object]]:
        # `show system-group`, `show version` and `show mac gpon olt ...` are refused (captures,
        # reports); no capture shows a `show interface gpon_olt-...` answer: not answered either
        return [(r"show software", self.software),
                (rf"show mac interface {onu_if}", self.mac_table)]

    def software(self, olt: Olt) -> str:
        # the C610 V1.2.2 capture: model, version, build, image, uptime, then each board's
        # packages
        up = self._uptime(olt).replace(" days", " day(s)").replace(" hours", " hour(s)")
        up = up.replace(" minutes", " minute(s)")
        v = olt.firmware
        return (f"{olt.model}\r\n"
                f"ZTE ZXA10 Software, Version: {v}, Release software\r\n"
                "Copyright (c) 2021 by ZTE Corporation\r\n"
                "Built on 2021/07/28 19:48:25\r\n"
                f"System image file is <sysdisk0: verset/ZXA10{olt.model.split()[-1]}{v}B6.set>, "
                "file size is 431,812,846 Bytes\r\n"
                "System image is loaded from local\r\n"
                f"System uptime is {up}\r\n"
                "\r\n"
                "[GMPA, shelf 1, slot 1]:\r\n"
                "  Active Packages on Node MPU-1/1/0:\r\n"
                f"    Base-{v[1:]}:\r\n"
                "      Package: Base\r\n"
                f"      Version: {v}\r\n")

    def mac_table(self, olt: Olt, port: str, onu_id: str) -> str:
        # one ONU's MACs, each on its vport (C6xx docstring capture: the rows one column to the
        # right of the header, nothing under Vc)
        macs = sorted((m for m in olt.macs if m.port == port and m.onu_id == int(onu_id)),
                      key=lambda m: (m.gem_index, m.mac))
        if self._onu(olt, port, onu_id) is None or not macs:
            return self.no_info(olt)
        out = [f"Total mac address : {len(macs)}", "",
               "Mac address      Vlan  Type      Port                     Vc" + " " * 33,
               "-" * 79]
        out += [f"{_dotted(m.mac)}   {m.vlan:<4}   Dynamic   vport-{port}.{onu_id}:{m.gem_index}"
                for m in macs]
        return "\r\n".join(out) + "\r\n"

    def _power(self, olt: Olt, port: str, attr: str, unheard: str = "N/A",
               width: int = 19) -> str:
        # Modelled: the C320 blog's table with TITAN's names; a release that says 'no signal'
        # for an ONU not heard, the name column one wider (a V2.0.10 project's table)
        if self.fw(olt).no_signal:
            unheard, width = "no signal", 20
        return super()._power(olt, port, attr, unheard, width)

    def running_config(self, olt: Olt) -> str:
        # TITAN's layout (C620 captures, a C6xx fragment, KusumaVision C600): sections marked
        # !<name> ... !</name>, blocks ended by `$`; the ONUs' interfaces (name and description,
        # masked where the release masks them) and their pon-onu-mng in the xpon section, their
        # vport interfaces with the service ports in the MSAN one. A release that maps VLANs with
        # vport-map has no service-port lines (reported, V2.0.10: its lines are modelled).
        fw, i = self.fw(olt), self.fw(olt).indent
        masked = fw.masks_config
        out = ["!<system-config>", f"hostname {olt.hostname}", "!</system-config>", "!<xpon>"]
        for pp in olt.pon_ports:
            out.append(f"interface {self.olt_if.format(port=pp.port)}")
            out += [f"{i}onu {o.onu_id} type {o.equipment} sn {o.serial}"
                    for o in self._onus(olt, pp.port)]
            out.append("$")
        by_onu: dict[tuple[str, int], list[ServicePort]] = {}
        for sp in sorted(olt.service_ports, key=lambda s: s.index):
            by_onu.setdefault((sp.port, sp.onu_id), []).append(sp)
        for o in self._onus(olt):
            sps = by_onu.get((o.port, o.onu_id), [])
            out.append(f"interface {self.onu_if.format(port=o.port, onu=o.onu_id)}")
            out.append(f"{i}name {MASK if masked else f'ONU-{o.onu_id}'}")
            if o.description:
                out.append(f"{i}description {MASK if masked else o.description}")
            out += [f"{i}tcont 1 profile T1G", f"{i}gemport 1 tcont 1"]
            if not fw.service_ports:
                out += [f"{i}vport-mode manual"] + [
                    f"{i}vport-map {s.gem_port} 1 vlan {s.vlan}" for s in sps]
            out += ["$", f"pon-onu-mng {self.onu_if.format(port=o.port, onu=o.onu_id)}"]
            out += [f"{i}service {s.index} gemport 1 vlan {s.user_vlan}" for s in sps]
            if o.pppoe_login:  # modelled: provisioning scripts' form, no TITAN capture shows it
                vlan = sps[0].user_vlan if sps else ""
                out.append(f"{i}wan-ip {'1 ' if fw.wan_ip_index else ''}ipv4 mode pppoe username "
                           f"{o.pppoe_login} password {o.pppoe_password} vlan-profile PPPOE-{vlan} "
                           "host 1")
            out.append("$")
        out += ["!</xpon>", "!<MSAN>"]
        for o in self._onus(olt):
            for s in by_onu.get((o.port, o.onu_id), []):
                out.append(f"interface vport-{o.port}.{o.onu_id}:{s.gem_port}")
                if fw.service_ports:
                    out.append(f"{i}service-port {s.index} user-vlan {s.user_vlan} vlan {s.vlan}")
                out.append("$")
        out.append("!</MSAN>")
        return "\r\n".join(out) + "\r\n"

    def banner(self, olt: Olt) -> str:
        star = "*" * 57  # Kecicang C600 capture
        return (f"\r\n{star}\r\nWelcome to TITAN series OLT of ZTE Corporation\r\n{star}\r\n"
                "Login at 17:21:44 08-22-2026 from 127.0.0.1 through SSH.\r\n")

    def card(self, olt: Olt) -> str:
        # TITAN layout (IRARA and KusumaVision captures): no rack, CardName, no SoftVer
        out = ["Shelf Slot CfgType CardName     Port HardVer Status", "-" * 51]
        for b in olt.boards:
            ports = self.card_ports(b.type)
            hard = "" if b.status == "OFFLINE" else "V1.8.0"
            out.append(f"1     {b.slot:<4} {b.type:<7} {b.type:<12} {ports:<4} {hard:<7} {b.status}")
        return "\r\n".join(out) + "\r\n"

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
