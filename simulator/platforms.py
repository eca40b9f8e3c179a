"""Every simulated platform, registered once: how its OLTs are generated and how its CLI speaks.
One entry per profile in platforms/ (the collector's side of the same vendor knowledge)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from simulator.huawei_smartax import generate as huawei
from simulator.huawei_smartax.cli import HuaweiSmartax
from simulator.model import Olt
from simulator.personality import Personality
from simulator.zte import generate as zte
from simulator.zte.c300 import ZteC300
from simulator.zte.c600 import ZteC600

# (index, ONUs, seed, platform, firmware generation or None) -> a generated OLT
Generator = Callable[[int, int, int, str, "str | None"], Olt]


@dataclass(frozen=True)
class SimPlatform:
    generate: Generator
    personality: Personality


PLATFORMS: dict[str, SimPlatform] = {
    "huawei_smartax": SimPlatform(huawei.generate, HuaweiSmartax()),
    "zte_c300": SimPlatform(zte.generate, ZteC300()),
    "zte_c600": SimPlatform(zte.generate, ZteC600()),
}


def personality(platform: str) -> Personality:
    return PLATFORMS[platform].personality
