"""How individual certifications go wrong for a few specialists during the seed scenario."""

from __future__ import annotations

from datetime import date, timedelta

from domain.commands import RecordCertification
from domain.program import CertificationKind, Specialization
from infra.scenario.partners import PartnerDesk
from infra.scenario.run import SeedRun

TECHNICAL = CertificationKind.TECHNICAL
TROUBLES = (
    "legacy-renewed-by-same-person",
    "legacy-replaced-by-colleague",
    "legacy-lapses",
    "leaver-replaced",
    "leaver-not-replaced",
)
_LEAVER = "individual left the partner"


class CertificationTroubles:
    """Plans one specialist's trouble: a legacy certification ending, or a leaver."""

    def __init__(self, run: SeedRun, desk: PartnerDesk) -> None:
        self.run = run
        self.desk = desk

    def plan(self, code: str, area: Specialization, award_on: date, trouble: str) -> None:
        if trouble in ("leaver-replaced", "leaver-not-replaced"):
            self._plan_leaver(code, area, award_on, trouble)
        else:
            self._plan_legacy_certification(code, area, award_on, trouble)

    def _plan_legacy_certification(
        self, code: str, area: Specialization, award_on: date, trouble: str
    ) -> None:
        """A technical certification from the old program, recognized until its own expiry.

        Certifications from the old program are carried over at enrolment with the expiry
        they had; new ones last two years.
        """
        person = self.desk.people.next_name()
        expires_on = award_on + timedelta(days=self.run.rng.randint(90, 200))
        command = RecordCertification(code, person, TECHNICAL, area, self.run.start, expires_on)
        self.run.send(self.run.ledger.record_certification, command)
        renew_on = expires_on - timedelta(days=21)
        if trouble == "legacy-renewed-by-same-person":
            self.run.at(renew_on, self.desk.certify_later(code, TECHNICAL, area, person))
        elif trouble == "legacy-replaced-by-colleague":
            self.run.at(renew_on, self.desk.certify_later(code, TECHNICAL, area))
        else:  # lapses: a sweep withdraws the specialization; it is earned again weeks later
            self._plan_requalification(code, area, expires_on, person)

    def _plan_leaver(self, code: str, area: Specialization, award_on: date, trouble: str) -> None:
        """A certified engineer leaves the partner, and the certification is revoked."""
        run, desk = self.run, self.desk
        person = desk.people.next_name()
        run.at(award_on - timedelta(days=1), desk.certify_later(code, TECHNICAL, area, person))
        # The day after a sweep, so that a prompt replacement is in before the next sweep.
        leaves_on = run.day_after_a_sweep(award_on + timedelta(days=run.rng.randint(60, 200)))
        run.at(leaves_on, lambda: desk.revoke(code, person, TECHNICAL, area, _LEAVER))
        if trouble == "leaver-replaced":
            run.at(leaves_on + timedelta(days=2), desk.certify_later(code, TECHNICAL, area))
        else:
            self._plan_requalification(code, area, leaves_on, None)

    def _plan_requalification(
        self, code: str, area: Specialization, lapsed_on: date, person: str | None
    ) -> None:
        certified_on = lapsed_on + timedelta(days=self.run.rng.randint(25, 50))
        self.run.at(certified_on, self.desk.certify_later(code, TECHNICAL, area, person))
        awarded_on = certified_on + timedelta(days=self.run.rng.randint(3, 10))
        self.run.at(awarded_on, lambda: self.desk.award(code, area))
