"""The partner commands of the seed scenario: enrolment, certification, award and revocation."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import date

from domain.commands import AwardSpecialization, RecordCertification, RevokeCertification
from domain.program import CertificationKind, Specialization
from infra.scenario.names import People
from infra.scenario.roster import Roster
from infra.scenario.run import REJECTED, SeedRun

CERTIFICATION_YEARS = 2


class ContractNumbers:
    """Specialization contracts, numbered per year in award order: SPEC-2010-001.

    A refused award takes no number, so the references the store shows have no gaps.
    """

    def __init__(self) -> None:
        self._awarded: Counter[int] = Counter()

    def upcoming(self, on: date) -> str:
        return f"SPEC-{on.year}-{self._awarded[on.year] + 1:03d}"

    def awarded(self, on: date) -> None:
        self._awarded[on.year] += 1


def years_later(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


class PartnerDesk:
    """Sends the partner commands, dated today; names people and numbers contracts."""

    def __init__(self, run: SeedRun, roster: Roster) -> None:
        self.run = run
        self.roster = roster
        self.people = People(run.rng)
        self.contracts = ContractNumbers()

    def enrol_all(self) -> None:
        # "No rupture": every managed partner is carried over on the first day.
        for enrolment in self.roster.partners:
            self.run.send(self.run.ledger.enroll_partner, enrolment)

    def certify_later(
        self, code: str, kind: CertificationKind, area: Specialization, person: str | None = None
    ) -> Callable[[], None]:
        individual = person or self.people.next_name()
        return lambda: self.certify(code, individual, kind, area)

    def certify(
        self, code: str, individual: str, kind: CertificationKind, area: Specialization
    ) -> None:
        today = self.run.today
        expires_on = years_later(today, CERTIFICATION_YEARS)
        command = RecordCertification(code, individual, kind, area, today, expires_on)
        self.run.send(self.run.ledger.record_certification, command)

    def award(self, code: str, area: Specialization) -> None:
        reference = self.contracts.upcoming(self.run.today)
        command = AwardSpecialization(code, area, reference, self.run.today)
        if self.run.send(self.run.ledger.award_specialization, command) is REJECTED:
            return
        self.contracts.awarded(self.run.today)
        self.roster.add_award(code, area)

    def revoke(
        self,
        code: str,
        individual: str,
        kind: CertificationKind,
        area: Specialization,
        reason: str,
    ) -> None:
        revocation = RevokeCertification(code, individual, kind, area, self.run.today, reason)
        self.run.send(self.run.ledger.revoke_certification, revocation)
