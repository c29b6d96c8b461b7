"""Partners in the seed scenario that certify people without becoming specialists.

Legacy metal partners are accompanied into the program: most certify the sales and technical
people their tier asks for during the transition year; a few do not and slip one tier.
"""

from __future__ import annotations

from datetime import timedelta

from domain.program import CertificationKind, Specialization, Tier
from infra.scenario.partners import PartnerDesk
from infra.scenario.roster import Roster
from infra.scenario.run import SeedRun

# Non-specialists with a few certified people, short of what a specialization demands.
PARTIALLY_CERTIFIED_COUNT = 55
SALES, TECHNICAL = CertificationKind.SALES, CertificationKind.TECHNICAL
# Share of legacy metal partners that certify the people their tier asks for in time.
LEGACY_TEAMS_CERTIFIED = 0.9
# People of each kind a legacy partner certifies, by legacy tier (the default rules' counts).
_TEAM_BY_TIER = {Tier.SILVER: 1, Tier.GOLD: 2, Tier.PLATINUM: 3}


def plan_legacy_teams(run: SeedRun, roster: Roster, desk: PartnerDesk) -> None:
    """Legacy metal non-specialists certify their sales and technical people in the year."""
    for partner in roster.non_specialists:
        team = _TEAM_BY_TIER.get(partner.legacy_tier, 0)
        if not team or run.rng.random() >= LEGACY_TEAMS_CERTIFIED:
            continue
        area = run.rng.choice(list(Specialization))
        for kind in (SALES, TECHNICAL):
            for _ in range(team):
                day = run.start + timedelta(days=run.rng.randint(20, 300))
                run.at(day, desk.certify_later(partner.code, kind, area))


def plan_partial_certifications(run: SeedRun, roster: Roster, desk: PartnerDesk) -> None:
    """Many partners certify a person or two, short of what a specialization demands."""
    plan_legacy_teams(run, roster, desk)
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
