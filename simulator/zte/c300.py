"""ZTE C300/C320 (ZXAN): the personality's own layouts (simulator/zte/base.py has the rest)."""

from __future__ import annotations

from simulator.model import Olt, Onu, ServicePort
from simulator.zte.base import ZteBase, _key


class ZteC300(ZteBase):
    def __init__(self) -> None:
        super().__init__("zte_c300")

    def own_commands(self, onu_if: str, olt_if: str) -> list[tuple[str, object]]:
        return [(r"show system-group", self.system_group),
                (rf"show interface {olt_if}", self.interface), (r"show mac", self.mac_table)]

    def system_group(self, olt: Olt) -> str:
        # C320 V2.1.0 captures: the product and version in the description, uptime in minutes
        product = olt.model.split()[-1]
        return (f"System Description: {product} Version {olt.firmware} Software, Copyright (c) by "
                "ZTE Corporation Compiled\r\n"
                f"System ObjectId: .1.3.6.1.4.1.3902.1082.1001.{product[1:]}.2.1\r\n"
                f"Started before: {self._uptime(olt)}\r\n"
                "Contact with: noc@example.net\r\n"
                f"System name:  {olt.hostname}\r\n"
                "Location: POP-SIM\r\n"
                "System Info:  165  56d41deb\r\n"
                "This system primarily offers a set of 78 services\r\n")

    def interface(self, olt: Olt, port: str) -> str:
        pp = next((p for p in olt.pon_ports if p.port == port), None)
        if pp is None:
            return self._no_port(olt, port) or ""
        n = sum(1 for o in olt.onus if o.port == port)
        return self.render_interface(port, pp.admin_state == "up", pp.oper_state == "up", n)

    def render_interface(self, port: str, admin_up: bool, oper_up: bool, onus: int) -> str:
        # VANS C320 capture: the state line, settings, then statistics sections at column 0
        name = self.olt_if.format(port=port)
        state = "activate" if admin_up else "deactivate"
        return (f"{name} is {state},line protocol is {'up' if oper_up else 'down'}.\r\n"
                "  Description is none.\r\n"
                f"  The port is {state}.\r\n"
                "  The port link up/down notification is trap disable.\r\n"
                f"  The port has 128 onus, the number of registered onus is {onus}.\r\n"
                "\r\n"
                "Current channel num : 1\r\n"
                "\r\n"
                "OLT statistic:\r\n"
                "   Input rate :             162656 Bps              320 pps\r\n"
                "   Output rate:             528613 Bps              493 pps\r\n"
                "Interface peak rate:\r\n"
                "   Input peak rate :           12507538 Bps            10541 pps\r\n"
                "   Output peak rate:           13265967 Bps             9960 pps\r\n")

    def onu_interface_head(self, o: Onu, indent: str = "  ") -> list[str]:
        """The start of an ONU's interface block."""
        out = [f"interface {self.onu_if.format(port=o.port, onu=o.onu_id)}",
               f"{indent}name ONU-{o.onu_id}"]
        return out + ([f"{indent}description {o.description}"] if o.description else [])

    def running_config(self, olt: Olt) -> str:
        out = ["Building configuration...", "!", f"hostname {olt.hostname}", "!",
               "vlan 100-130,600", "!"]
        indent = self.config_indent
        for pp in olt.pon_ports:
            onus = self._onus(olt, pp.port)
            out.append(f"interface {self.olt_if.format(port=pp.port)}")
            out.append(f"{indent}shutdown" if pp.admin_state == "down" else f"{indent}no shutdown")
            out += [f"{indent}onu {o.onu_id} type {o.equipment} sn {o.serial}" for o in onus]
            out.append("!")
        by_onu: dict[tuple[str, int], list[ServicePort]] = {}
        for sp in sorted(olt.service_ports, key=lambda s: s.index):
            by_onu.setdefault((sp.port, sp.onu_id), []).append(sp)
        for o in self._onus(olt):
            out += self.service_port_config(o, by_onu.get((o.port, o.onu_id), []))
        out.append("end")
        return "\r\n".join(out) + "\r\n"

    config_indent = "  "

    def mac_table(self, olt: Olt) -> str:
        # the whole OLT (ZXAN capture of `show mac`: 'Vlan  Type', a 25-wide Port column, 79
        # dashes), ONU by ONU
        macs = sorted((m for m in olt.macs if m.onu_id is not None),
                      key=lambda m: (_key(m.port), m.onu_id, m.gem_index, m.mac))
        if not macs:
            return self.no_info(olt)
        out = [f"Total mac address : {len(macs)}",
               "Mac address      Vlan  Type      Port                     Vc", "-" * 79]
        return "\r\n".join(out + self.mac_rows(macs, 5, 24)) + "\r\n"

    def service_port_config(self, o: Onu, sps: list[ServicePort]) -> list[str]:
        # C320 blog and C300 Go captures: service ports inside the ONU interface; a bridged one
        # has 'user-vlan untagged'
        name = self.onu_if.format(port=o.port, onu=o.onu_id)
        out = self.onu_interface_head(o) + ["  sn-bind enable sn", "  tcont 1 profile 1G"]
        out += [f"  gemport {s.gem_port} tcont 1" for s in sps]
        for s in sps:
            user = "untagged" if s.user_vlan is None else s.user_vlan
            out.append(f"  service-port {s.index} vport {s.gem_port} user-vlan {user} vlan {s.vlan}")
        out += ["!", f"pon-onu-mng {name}"]
        out += [f"  service {s.index} gemport {s.gem_port} vlan {s.user_vlan or s.vlan}" for s in sps]
        if o.pppoe_login:
            # the C300 capture's line: on the service's gemport and host, its VLAN's profile; a
            # session that wraps at 80 columns cuts it there (Knobs.wrap_width), as in the capture
            n, vlan = (sps[0].gem_port, sps[0].user_vlan or sps[0].vlan) if sps else (1, "")
            out.append(f"  wan-ip {n} mode pppoe username {o.pppoe_login} password "
                       f"{o.pppoe_password} vlan-profile PPPOE-{vlan} host {n}")
        return out + ["!"]

    def uncfg(self, olt: Olt) -> str:
        if not olt.unregistered:
            return self.no_info(olt)
        # therecom C300 capture
        out = ["OnuIndex                 Sn                  State", "-" * 69]
        for n, u in enumerate(olt.unregistered, 1):
            out.append(f"{self.onu_if.format(port=u.port, onu=n):<24} {u.serial:<19} unknown")
        return "\r\n".join(out) + "\r\n"
