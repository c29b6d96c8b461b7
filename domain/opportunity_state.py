"""What an Opportunity remembers between events: its protection, preferences, decisions, outcome."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from uuid import UUID


@dataclass
class ActiveProtection:
    decision_id: UUID
    partner_id: UUID
    valid_until: date


@dataclass
class PreferredRegistration:
    """Pre-sales work registered without exclusivity: preferential conditions until then."""

    decision_id: UUID
    valid_until: date


@dataclass
class Outcome:
    won_by: UUID | None
    amount: Decimal
    closed_on: date
    qualified: bool


@dataclass
class DecisionRecord:
    decision_id: UUID
    partner_id: UUID
    granted: bool
    reason_code: str
    decided_on: date
    valid_until: date | None
