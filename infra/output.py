"""Rendering query results for people (tables) and for programs (JSON)."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from dataclasses import asdict, is_dataclass
from datetime import date, datetime
from types import TracebackType
from typing import Any, TextIO


def to_json(items: Sequence[Any]) -> str:
    return json.dumps(
        [
            asdict(item) if is_dataclass(item) and not isinstance(item, type) else item
            for item in items
        ],
        indent=2,
        default=_json_default,
    )


def _json_default(value: Any) -> str:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return str(value)


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A plain aligned text table."""
    cells = [[_cell(v) for v in row] for row in rows]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(headers)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in cells]
    return "\n".join(line.rstrip() for line in lines)


def _cell(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return ",".join(str(v) for v in value) or "-"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


class Progress:
    """A progress bar (or a running count when the total is unknown) on one terminal line;
    silent when output goes to a log or a pipe."""

    WIDTH = 30

    def __init__(self, label: str, stream: TextIO | None = None, total: int | None = None) -> None:
        self.label = label
        # Looked up per bar, not bound at import: the process's stderr may be replaced since.
        self.stream = stream or sys.stderr
        self.total = total
        self.shown = False

    def __call__(self, count: int, total: int | None = None) -> None:
        if total is not None:
            self.total = total
        if self.stream.isatty():
            print(f"\r{self.render(count)}", end="", file=self.stream, flush=True)
            self.shown = True

    def render(self, count: int) -> str:
        if not self.total:
            return f"{self.label}: {count:,}"
        done = min(count, self.total) / self.total
        filled = round(done * self.WIDTH)
        bar = "#" * filled + "." * (self.WIDTH - filled)
        return f"{self.label}: [{bar}] {done:4.0%} {count:,}/{self.total:,}"

    def __enter__(self) -> Progress:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self.shown:
            print(file=self.stream)
