"""The simulated fleet: OLTs generated deterministically from a seed, one platform each (a mixed
fleet cycles through several), by the generators simulator/platforms.py registers."""

from __future__ import annotations

from simulator import firmware
from simulator.model import Olt
from simulator.platforms import PLATFORMS


def parse_platforms(platform: str) -> list[tuple[str, str | None]]:
    """'huawei_smartax,zte_c300:V1.2.5' -> [(platform, generation or None), ...]."""
    out: list[tuple[str, str | None]] = []
    for item in (p.strip() for p in platform.split(",")):
        if not item:
            continue
        name, _, gen = item.partition(":")
        if name not in PLATFORMS:
            raise ValueError(f"unknown platform {name!r}; known: {', '.join(PLATFORMS)}")
        if gen and gen not in firmware.generations(name):
            raise ValueError(f"unknown {name} firmware {gen!r}; known: "
                             f"{', '.join(sorted(firmware.generations(name)))}")
        out.append((name, gen or None))
    if not out:
        raise ValueError(f"no platform given; known: {', '.join(PLATFORMS)}")
    return out


def generate_fleet(n_olts: int, n_onus: int, seed: int = 1,
                   platform: str = "huawei_smartax") -> list[Olt]:
    """`platform` is one platform, or several separated by commas for a mixed fleet (OLT i gets
    the i-th, cycling); each may name a firmware generation ('zte_c300:V1.2.5'), else one is
    picked per OLT from the seed."""
    choices = parse_platforms(platform)
    olts = []
    for i in range(n_olts):
        p, gen = choices[i % len(choices)]
        olts.append(PLATFORMS[p].generate(i, n_onus, seed, p, gen))
    return olts
