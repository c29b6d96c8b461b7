"""Partners in the seed scenario that certify a person or two, short of a specialization."""

from __future__ import annotations

from datetime import timedelta

from domain.program import CertificationKind, Specialization
from infra.scenario.partners import PartnerDesk
from infra.scenario.roster import Roster
from infra.scenario.run import SeedRun

# Non-specialists with a few certified people, short of what a specialization demands.
PARTIALLY_CERTIFIED_COUNT = 55
SALES, TECHNICAL = CertificationKind.SALES, CertificationKind.TECHNICAL


def plan_partial_certifications(run: SeedRun, roster: Roster, desk: PartnerDesk) -> None:
    """Many partners certify a person or two, short of what a specialization demands."""
    codes = [p.code for p in roster.non_specialists]
    certified = run.rng.sample(codes, PARTIALLY_CERTIFIED_COUNT)
    for code in certified:
        area = run.rng.choice(list(Specialization))
        for kind in run.rng.sample([SALES, TECHNICAL, TECHNICAL], run.rng.randint(1, 2)):
            day = run.start + timedelta(days=run.rng.randint(5, 330))
            run.at(day, desk.certify_later(code, kind, area))
    # A few ask for a contract all the same: with two certified people at most they cannot
    # meet the three a specialization needs, and the award is refused.
    for code in certified[:4]:
        _plan_refused_award(run, desk, code, run.rng.choice(list(Specialization)))


def _plan_refused_award(run: SeedRun, desk: PartnerDesk, code: str, area: Specialization) -> None:
    run.at(run.start + timedelta(days=run.rng.randint(60, 340)), lambda: desk.award(code, area))
