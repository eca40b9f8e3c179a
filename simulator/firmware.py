"""Firmware generations the simulator speaks: for each, the layouts the capture corpus shows.

Every layout named here is rendered the way a capture in tests/captures/ prints it (the comments
name the capture). Captures rarely say which firmware printed them; where the assignment of a
layout to a generation is ours, the comment says so. An OLT's `generation` picks one of these; its
`firmware` string (what `display version` / `show system-group` print) and model come from it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class HuaweiFirmware:
    version: str  # what `display version` prints
    models: tuple[str, ...]
    summary_dates: str  # 'dmy' (MA5603T capture) or 'iso' (ntc, EG8080P captures)
    optical_distance: bool  # Distance column (MA5800/ntc) or not (MA5608T capture)
    autofind_nni: bool  # 'ONT NNI type' lines and the closing count (MA5800 MARLLM01 capture)


HUAWEI = {
    "V800R015": HuaweiFirmware("MA5600V800R015C10", ("MA5608T", "MA5683T", "MA5603T"),
                               summary_dates="dmy", optical_distance=False,
                               autofind_nni=False),
    "V800R018": HuaweiFirmware("MA5600V800R018C10", ("MA5683T", "MA5608T"),
                               summary_dates="iso", optical_distance=True,
                               autofind_nni=False),
    "V100R019": HuaweiFirmware("MA5800V100R019C10", ("MA5800-X7", "MA5800-X17", "MA5800-X15"),
                               summary_dates="iso", optical_distance=True,
                               autofind_nni=True),
}


@dataclass(frozen=True)
class ZteFirmware:
    version: str
    models: tuple[str, ...]
    # `show gpon onu state`: 'channel' = short index + Channel column + 'ONU Number' footer
    # (Pesagi C300, how-to captures); 'o7' = full names + O7 State column, no footer (C320 blog);
    # 'titan' = short index + Speed mode (miracema, Kecicang C600). Which ZXAN firmware prints
    # which of the first two: ours.
    state: str
    detail: str  # 'c300' (hbnet C300 capture), 'c320' (C320 blog), 'titan' (masked, C600 capture)
    uncfg: str  # 'zxan' (therecom C300), 'titan_pw' (miracema), 'titan_mac' (docstring capture)
    pages_anyway: bool = False  # ignores `terminal length 0` (one C600 source reports this)
    masks_names: bool = False  # detail-info prints name and description as '********' (C600)
    masks_config: bool = False  # ... and the running configuration too (a C620 capture)
    indent: str = "  "  # of the running configuration's blocks: one blank on C600 V1.2.2 (captures)
    service_ports: bool = True  # False: VLANs mapped with vport-map, no service-port (V2.0.10, reported)
    no_signal: bool = False  # 'no signal' for an ONU not heard in level tables (V2.0.10 fixture)
    # TITAN's PPPoE line in pon-onu-mng: `wan-ip 1 ipv4 mode pppoe ...`, or (False) without the
    # index. Both are provisioning scripts' forms, not captured: modelled, and which release
    # prints which is ours. ZXAN prints the C300 capture's `wan-ip N mode pppoe ...`.
    wan_ip_index: bool = True
    # an informational line after login, before the first prompt (C300 capture: an account whose
    # password the box finds weak); which firmware prints it: ours
    login_notice: str | None = None


ZTE = {
    "zte_c300": {
        "V2.1.0": ZteFirmware("V2.1.0", ("C300", "C320"), state="channel", detail="c300",
                              uncfg="zxan", login_notice="% The password is not strong, please "
                                                         "change the password."),
        "V1.2.5": ZteFirmware("V1.2.5", ("C320",), state="o7", detail="c320", uncfg="zxan"),
    },
    "zte_c600": {
        # KusumaVision C600 (detail-info masked, configuration in clear, one-blank indentation),
        # miracema (uncfg with a PW column)
        "V1.2.2": ZteFirmware("V1.2.2", ("ZXA10 C600", "ZXA10 C620"), state="titan",
                              detail="titan", uncfg="titan_pw", pages_anyway=True,
                              masks_names=True, indent=" "),
        # OLT Manager's C600 (no service-port, 'no signal'); the C620 that masks its
        # configuration too, and the uncfg MAC column, assigned here: ours
        "V2.0.10": ZteFirmware("V2.0.10", ("ZXA10 C600", "ZXA10 C650"), state="titan",
                               detail="titan", uncfg="titan_mac", masks_names=True,
                               masks_config=True, service_ports=False, no_signal=True,
                               wan_ip_index=False),
    },
}


def generations(platform: str) -> dict[str, HuaweiFirmware | ZteFirmware]:
    return HUAWEI if platform == "huawei_smartax" else ZTE[platform]  # type: ignore[return-value]


def huawei(generation: str) -> HuaweiFirmware:
    return HUAWEI[generation]


def zte(platform: str, generation: str) -> ZteFirmware:
    return ZTE[platform][generation]


def hides_descriptions(platform: str, generation: str) -> bool:
    """Whether this firmware hides ONU descriptions wherever the collector reads them (the truth
    then holds none): TITAN masks them in detail-info, some releases in the configuration too."""
    if platform == "huawei_smartax":
        return False
    fw = zte(platform, generation)
    return fw.masks_names and (fw.masks_config or platform != "zte_c600")


def sees_service_ports(platform: str, generation: str) -> bool:
    """Whether the configuration holds service-port lines (a TITAN release maps VLANs otherwise)."""
    return platform == "huawei_smartax" or zte(platform, generation).service_ports
