"""ZTE C300/C320 (ZXAN): the personality's own layouts (simulator/zte/base.py has the rest)."""

from __future__ import annotations

from simulator.model import Olt, Onu, ServicePort
from simulator.zte.base import ZteBase, _key


class ZteC300(ZteBase):
    def __init__(self) -> None:
        super().__init__("zte_c300")

    def mac_commands(self, olt_if: str) -> list[tuple[str, object]]:
        return [(r"show mac", self.mac_table)]

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
        return out + ["!"]

    def uncfg(self, olt: Olt) -> str:
        if not olt.unregistered:
            return self.no_info(olt)
        # therecom C300 capture
        out = ["OnuIndex                 Sn                  State", "-" * 69]
        for n, u in enumerate(olt.unregistered, 1):
            out.append(f"{self.onu_if.format(port=u.port, onu=n):<24} {u.serial:<19} unknown")
        return "\r\n".join(out) + "\r\n"
