"""The lines our collector sends to one OLT, worked out from the platform profile and the simulator's
ground truth, so that every reference implementation reads exactly the same output as our run.

A plan maps each dataset to its steps: (line to send, the profile's command spec or None for a
context move, the expansion's variables, whether the command is the first to fill its table).
"""

from __future__ import annotations

from typing import Any

from collector.parsing import expansions
from platforms.profile import CommandSpec, Profile

Step = tuple[str, CommandSpec | None, dict[str, str], bool]


def olt_plan(profile: Profile, truth: dict[str, Any]) -> dict[str, list[Step]]:
    """{dataset: [step, ...]} with the context moves (`config`, `interface`, `quit`) in place."""
    # what the commands repeat over, from the truth: the tables, and the scratch tables the
    # profiles fill with the same rows (GPON boards, PON ports, ports with ONUs)
    rows = {"boards": truth.get("boards", []), "onus": truth.get("onus", []),
            "_gpon_boards": truth.get("boards", []), "_pon_ports": truth.get("pon_ports", []),
            "_onu_ports": truth.get("onus", [])}
    tables = {name: dict(enumerate(r)) for name, r in rows.items()}
    plan: dict[str, list[tuple[str, bool]]] = {}
    for dataset, spec in profile.datasets.items():
        steps: list[Step] = []
        stack: list[str] = []
        filled: set[str] = set()
        for cmd in spec.commands:
            if cmd.derived_from is not None:
                continue  # nothing sent
            primary = cmd.table not in filled
            filled.add(cmd.table)
            for variables in expansions(cmd, tables):
                wanted = [c.format_map(variables) for c in cmd.context]
                common = 0
                while (common < min(len(wanted), len(stack))
                       and wanted[common] == stack[common]):
                    common += 1
                while len(stack) > common:
                    steps.append((profile.context_exit, None, {}, False))
                    stack.pop()
                for c in wanted[common:]:
                    steps.append((c, None, {}, False))
                    stack.append(c)
                steps.append((cmd.command.format_map(variables), cmd, variables, primary))
        steps += [(profile.context_exit, None, {}, False)] * len(stack)
        plan[dataset] = steps
    return plan

