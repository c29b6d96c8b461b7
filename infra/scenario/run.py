"""What every part of one seed run shares: the ledger, the dice, the agenda and the tally."""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TypeVar

from domain.errors import DomainError
from domain.ledger import Ledger, SweepReport

SWEEP_EVERY_DAYS = 7

C = TypeVar("C")
R = TypeVar("R")


class Rejected:
    """What `SeedRun.send` returns when the ledger refused a command."""


REJECTED = Rejected()


@dataclass
class Tally:
    recorded: Counter[str] = field(default_factory=Counter)
    rejected: Counter[str] = field(default_factory=Counter)
    decisions: Counter[str] = field(default_factory=Counter)
    time_effects: Counter[str] = field(default_factory=Counter)
    sweeps: int = 0

    def add_sweep(self, report: SweepReport) -> None:
        self.sweeps += 1
        self.time_effects.update(vars(report))


def is_business_day(day: date) -> bool:
    return day.weekday() < 5


class SeedRun:
    """One run: today's date, the agenda of planned actions, and what has been recorded."""

    def __init__(self, ledger: Ledger, rng: random.Random, start: date) -> None:
        self.ledger = ledger
        self.rng = rng
        self.start = start
        self.today = start
        # Planned actions by business day; set-up plans from the first day on, and once the
        # calendar runs, an action is planned for tomorrow at the earliest.
        self.agenda: defaultdict[date, list[Callable[[], None]]] = defaultdict(list)
        self.calendar_running = False
        self.tally = Tally()

    def at(self, day: date, action: Callable[[], None]) -> None:
        """Plan an action on a business day (a weekend moves to Monday)."""
        if self.calendar_running:
            day = max(day, self.today + timedelta(days=1))
        while not is_business_day(day):
            day += timedelta(days=1)
        self.agenda[day].append(action)

    def later(self, low: int, high: int, action: Callable[[], None]) -> None:
        self.at(self.today + timedelta(days=self.rng.randint(low, high)), action)

    def day_after_a_sweep(self, day: date) -> date:
        while (day - self.start).days % SWEEP_EVERY_DAYS != 1:
            day += timedelta(days=1)
        return day

    def send(self, handler: Callable[[C], R], command: C) -> R | Rejected:
        """Issue a command; a rejection is counted under its rule and the scenario goes on."""
        try:
            result = handler(command)
        except DomainError as error:
            self.tally.rejected[error.rule] += 1
            return REJECTED
        self.tally.recorded[type(command).__name__] += 1
        return result
