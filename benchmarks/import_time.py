"""``make importtime``: where a `ledger` start-up spends its imports (`python -X importtime`).

For `ledger --help` and `ledger partner status CODE`, prints the total import time and the
slowest top-level imports with what each pulled in (cumulative microseconds, as CPython reports
them). A figure to look at when a start-up slows; the timed targets are the benchmark's
`cli_help_ms` and `cli_partner_status_ms`.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass

COMMANDS: tuple[tuple[str, ...], ...] = (("--help",), ("partner", "status", "antemeta"))
SHOWN = 12
LINE = re.compile(r"^import time:\s+(\d+) \|\s+(\d+) \| (\s*)(\S+)$")


@dataclass(frozen=True)
class Imported:
    module: str
    self_us: int
    cumulative_us: int
    depth: int


def imports_of(args: Sequence[str]) -> list[Imported]:
    """Every import `ledger ARGS` made, in CPython's order (children before their parent)."""
    finished = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "cli.main", *args],
        capture_output=True,
        text=True,
        check=False,
    )
    imported = []
    for line in finished.stderr.splitlines():
        match = LINE.match(line)
        if match:
            self_us, cumulative_us, indent, module = match.groups()
            imported.append(Imported(module, int(self_us), int(cumulative_us), len(indent) // 2))
    if not imported:
        raise SystemExit(f"`ledger {' '.join(args)}` reported no imports: {finished.stderr[-400:]}")
    return imported


def report(args: Sequence[str], imported: list[Imported]) -> str:
    top_level = [i for i in imported if i.depth == 0]
    total_ms = sum(i.self_us for i in imported) / 1000
    lines = [f"ledger {' '.join(args)}: {len(imported)} modules imported in {total_ms:.1f} ms"]
    for item in sorted(top_level, key=lambda i: -i.cumulative_us)[:SHOWN]:
        lines.append(f"  {item.cumulative_us / 1000:8.1f} ms  {item.module}")
    return "\n".join(lines)


def main() -> int:
    print("\n\n".join(report(args, imports_of(args)) for args in COMMANDS))
    return 0


if __name__ == "__main__":
    sys.exit(main())
