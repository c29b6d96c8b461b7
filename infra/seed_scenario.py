"""The seed scenario: fifteen months of the partner program, generated from one seed.

It drives the real ledger through its commands, as the people in the design brief would:
the vendor publishes the program rules, carries its 120 managed partners over with their
legacy tiers, certifies individuals, signs fewer than 20 specialization contracts (Antemeta
first, in data protection), and then lets a year of business happen: partners register
opportunities (often competing for the same one), ask for quotes, win, lose, release or let
their protection expire and register again. Once a week the ledger's sweep applies what time
decides: expiries, withdrawn specializations and, after the transition, tier reviews.

Everything is drawn from ``random.Random(seed)`` and the business calendar, never from the
clock, so one seed always records the same history. A few commands are wrong on purpose (a win
reported on a closed deal, an award without the certified people) because real operators make
those mistakes; the ledger rejects them and the summary counts them by the rule they broke.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import TypeVar

from contracts.rules_schema import load_rules_file
from domain.commands import (
    AwardSpecialization,
    EngageVendorSales,
    EnrollPartner,
    IssueQuote,
    PublishRules,
    RecordCertification,
    RecordLoss,
    RecordWin,
    RegisterDeal,
    ReleaseExclusivity,
    RevokeCertification,
)
from domain.errors import DomainError
from domain.ledger import Ledger, SweepReport
from domain.partner import Partner
from domain.program import CertificationKind, Specialization, Tier
from domain.rules import ProgramRules

RULES_FILE = Path(__file__).with_name("default_rules.json")

SCENARIO_START = date(2010, 11, 2)
# 456 days run from 2010-11-02 to 2012-01-31. The transition from the old program ends on
# 2011-11-01 (a sweep day): the first tier reviews then upgrade the partners whose qualified
# revenue earns it. Those that fall short get 90 days' grace, and the review on 2012-01-31 is
# the first that can downgrade them. A shorter run sees no tier change at all.
DEFAULT_DAYS = 456
SWEEP_EVERY_DAYS = 7

PARTNER_COUNT = 120
ANTEMETA_CODE = "antemeta"
# The 119 partners after Antemeta (legacy Gold): 3 Platinum, 15 Gold in all, 40 Silver.
LEGACY_TIER_MIX = ((Tier.PLATINUM, 3), (Tier.GOLD, 14), (Tier.SILVER, 40), (Tier.REGISTERED, 62))
# "Fewer than 20 partners in total" will be specialized; the rules cap them at 19.
SPECIALIST_COUNT = 16
# Non-specialists with a few certified people, short of what a specialization demands.
PARTIALLY_CERTIFIED_COUNT = 55

# New opportunities on a business day, drawn uniformly: about 1.2 a day.
NEW_OPPORTUNITIES_PER_DAY = (0, 1, 1, 1, 2, 2)
# Share of opportunities whose pre-sales work a specialist did.
SPECIALIST_ORIGINATED = 0.45
CERTIFICATION_YEARS = 2

SALES, TECHNICAL = CertificationKind.SALES, CertificationKind.TECHNICAL

_PARTNER_STEMS = (
    "Nord", "Sud", "Alpes", "Atlantique", "Azur", "Loire", "Rhone", "Seine", "Data", "Secur",
    "Archi", "Stor", "Cyber", "Infra", "Logi", "Opti", "Axi", "Vega", "Orion", "Sigma", "Helio",
    "Kappa", "Nova", "Ocea",
)  # fmt: skip
_PARTNER_TAILS = (
    "Systemes", "Conseil", "Integration", "Services", "Informatique", "Solutions",
    "Technologies", "Reseaux",
)  # fmt: skip
_FIRST_NAMES = (
    "Claire", "Julien", "Sophie", "Marc", "Lea", "Paul", "Emma", "Thomas", "Camille", "Nicolas",
    "Julie", "Antoine", "Sarah", "Pierre", "Laura", "Hugo", "Manon", "Louis", "Chloe", "Lucas",
    "Ines", "Mathieu", "Elise", "Olivier", "Anne", "Romain", "Celine", "David", "Marie", "Yann",
)  # fmt: skip
_LAST_NAMES = (
    "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy",
    "Moreau", "Simon", "Laurent", "Lefebvre", "Michel", "Garcia", "David", "Bertrand", "Roux",
    "Vincent", "Fournier", "Morel", "Girard", "Andre", "Mercier", "Dupont", "Lambert", "Bonnet",
    "Francois", "Martinez", "Legrand",
)  # fmt: skip
_CUSTOMER_KINDS = (
    "Groupe Hospitalier", "Mairie de", "Conseil General de", "Mutuelle de", "Transports de",
    "Laboratoires de", "Assurances de", "Caisse Regionale de", "Universite de", "Clinique de",
    "Industries de", "Logistique de",
)  # fmt: skip
_CUSTOMER_PLACES = (
    "Lyon", "Lille", "Nantes", "Rennes", "Bordeaux", "Toulouse", "Grenoble", "Strasbourg",
    "Dijon", "Metz", "Rouen", "Tours", "Nice", "Brest", "Reims", "Limoges", "Angers", "Nancy",
    "Caen", "Amiens",
)  # fmt: skip
_PRESALES_WORK = (
    "discovery workshop with the IT director",
    "architecture study",
    "proof of concept on {n} servers",
    "pilot on {n} workstations",
    "audit of the existing installation",
    "sizing and migration plan",
)
_LOSS_REASONS = (
    "customer chose another vendor",
    "project cancelled",
    "budget frozen",
    "customer kept its incumbent solution",
)
_RELEASE_REASONS = (
    "customer postponed the project",
    "handed over to a specialist partner",
    "no capacity to deliver this quarter",
)
# What kind of registration an opportunity starts with, and how often.
_DEAL_KINDS = ("new-business", "renewal", "no-evidence", "vendor-first")
_DEAL_KIND_WEIGHTS = (78, 10, 6, 6)
# What happens when an opportunity reaches its close date.
_OUTCOMES = ("holder-wins", "competitor-wins", "lost", "stays-open")
_OUTCOME_WEIGHTS = (60, 12, 20, 8)
# Pre-sales activity by legacy tier: the bigger partners bring in more opportunities.
_ACTIVITY_BY_TIER = {Tier.PLATINUM: 4, Tier.GOLD: 3, Tier.SILVER: 2, Tier.REGISTERED: 1}
_LEAVER = "individual left the partner"
# How individual certifications go wrong for a few specialists during the year.
_TROUBLES = (
    "legacy-renewed-by-same-person",
    "legacy-replaced-by-colleague",
    "legacy-lapses",
    "leaver-replaced",
    "leaver-not-replaced",
)

C = TypeVar("C")
R = TypeVar("R")


@dataclass(frozen=True)
class SeedSummary:
    """What the scenario recorded: commands by kind, rejections by rule, decisions by reason."""

    first_day: date
    last_day: date
    recorded: dict[str, int]  # command class name -> commands the ledger recorded
    rejected: dict[str, int]  # rule name -> commands the ledger rejected under that rule
    decisions: dict[str, int]  # exclusivity reason code -> decisions taken
    time_effects: dict[str, int]  # SweepReport field -> total over every sweep
    sweeps: int
    events: int  # events stored by the scenario

    @property
    def commands_recorded(self) -> int:
        return sum(self.recorded.values())

    @property
    def commands_rejected(self) -> int:
        return sum(self.rejected.values())


class SeedStoreNotEmpty(ValueError):
    """The seed scenario starts a program from nothing; it refuses a store that has history."""


def run_seed_scenario(
    ledger: Ledger,
    seed: int = 2010,
    start: date = SCENARIO_START,
    days: int = DEFAULT_DAYS,
    on_progress: Callable[[int, int], None] | None = None,
) -> SeedSummary:
    """Record `days` days of the program from `start`, all drawn from `seed`, into an empty store.

    `on_progress(done_days, total_days)` is called once a simulated week and at the end.
    """
    if days < 1:
        raise ValueError(f"days must be at least 1, not {days}")
    rules = load_rules_file(RULES_FILE)
    if start < rules.effective_from:
        raise ValueError(
            f"the scenario cannot start on {start}, before the program rules take effect "
            f"({rules.effective_from}, version {rules.version})"
        )
    already_stored = ledger.recorder.max_notification_id() or 0
    if already_stored:
        raise SeedStoreNotEmpty(
            f"the event store already holds {already_stored} events; "
            "the seed scenario needs an empty one"
        )
    # A seeded generator, not a secure one: the point is that a seed replays the same history.
    rng = random.Random(seed)  # noqa: S311
    scenario = _Scenario(ledger, rng, start, days, on_progress)
    scenario.run(rules)
    return scenario.summary()


# --- what the scenario works with -------------------------------------------------------


class _Rejected:
    """What `send` returns when the ledger refused a command."""


REJECTED = _Rejected()


@dataclass
class _Deal:
    """An opportunity as the scenario follows it; the ledger holds the truth about it."""

    reference: str
    customer: str
    area: Specialization
    value: Decimal
    originator: str
    expected_close: date
    competitors: list[str] = field(default_factory=list)
    granted_to: list[str] = field(default_factory=list)
    closed: bool = False

    @property
    def involved(self) -> list[str]:
        return [self.originator, *self.competitors]


@dataclass
class _Tally:
    recorded: Counter[str] = field(default_factory=Counter)
    rejected: Counter[str] = field(default_factory=Counter)
    decisions: Counter[str] = field(default_factory=Counter)
    time_effects: Counter[str] = field(default_factory=Counter)
    sweeps: int = 0

    def add_sweep(self, report: SweepReport) -> None:
        self.sweeps += 1
        self.time_effects.update(vars(report))


class _People:
    """Unique names for certified individuals, drawn from French first and last names."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._used: set[str] = set()

    def next_name(self) -> str:
        name = f"{self._rng.choice(_FIRST_NAMES)} {self._rng.choice(_LAST_NAMES)}"
        # 900 combinations cover the few hundred people needed; past a clash, a middle initial.
        while name in self._used:
            initial = chr(ord("A") + self._rng.randrange(26))
            name = f"{self._rng.choice(_FIRST_NAMES)} {initial}. {self._rng.choice(_LAST_NAMES)}"
        self._used.add(name)
        return name


class _ContractNumbers:
    """Specialization contracts, numbered per year in award order: SPEC-2010-001.

    A refused award takes no number, so the references the store shows have no gaps.
    """

    def __init__(self) -> None:
        self._awarded: Counter[int] = Counter()

    def upcoming(self, on: date) -> str:
        return f"SPEC-{on.year}-{self._awarded[on.year] + 1:03d}"

    def awarded(self, on: date) -> None:
        self._awarded[on.year] += 1


def _partner_roster(rng: random.Random, enrolled_on: date) -> list[EnrollPartner]:
    """Antemeta, then 119 partners with generated names and a shuffled legacy tier mix."""
    others = PARTNER_COUNT - 1
    names = rng.sample([f"{s} {t}" for s in _PARTNER_STEMS for t in _PARTNER_TAILS], others)
    tiers = [tier for tier, count in LEGACY_TIER_MIX for _ in range(count)]
    rng.shuffle(tiers)
    return [
        EnrollPartner(ANTEMETA_CODE, "Antemeta", Tier.GOLD, enrolled_on),
        *(
            EnrollPartner(name.lower().replace(" ", "-"), name, tier, enrolled_on)
            for name, tier in zip(names, tiers, strict=True)
        ),
    ]


def _end_customers(rng: random.Random, count: int = 150) -> list[str]:
    return rng.sample([f"{k} {p}" for k in _CUSTOMER_KINDS for p in _CUSTOMER_PLACES], count)


def _years_later(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _is_business_day(day: date) -> bool:
    return day.weekday() < 5


def _rounded(amount: Decimal) -> Decimal:
    return amount.quantize(Decimal(1))


# --- the scenario ---------------------------------------------------------------------------


class _Scenario:
    """One run: the calendar, the agenda of planned actions, and what has been recorded."""

    def __init__(
        self,
        ledger: Ledger,
        rng: random.Random,
        start: date,
        days: int,
        on_progress: Callable[[int, int], None] | None,
    ) -> None:
        self.ledger = ledger
        self.rng = rng
        self.start = start
        self.days = days
        self.on_progress = on_progress
        self.today = start
        # Planned actions by business day; set-up plans from the first day on, and once the
        # calendar runs, an action is planned for tomorrow at the earliest.
        self.agenda: defaultdict[date, list[Callable[[], None]]] = defaultdict(list)
        self.calendar_running = False
        self.tally = _Tally()
        self.people = _People(rng)
        self.contracts = _ContractNumbers()
        self.partners = _partner_roster(rng, start)
        self.codes_by_id = {Partner.create_id(p.code): p.code for p in self.partners}
        self.customers = _end_customers(rng)
        self.planned_areas: defaultdict[str, list[Specialization]] = defaultdict(list)
        self.non_specialists: list[EnrollPartner] = []
        # Awards recorded so far, per partner and per area. Withdrawals are not followed: a
        # partner that lost a specialization goes on registering in it, and is denied.
        self.specialties: dict[str, list[Specialization]] = {}
        self.specialists_in: dict[Specialization, list[str]] = {s: [] for s in Specialization}
        self.opportunities_opened = 0

    # --- driving the calendar ---------------------------------------------------------------

    def run(self, rules: ProgramRules) -> None:
        self.send(self.ledger.publish_rules, PublishRules(rules))
        self._enrol_partners()
        self._plan_specialists()
        self._plan_partial_certifications()
        self.calendar_running = True
        for index in range(self.days):
            self._run_day(index)
            done = index + 1
            if self.on_progress and (done % SWEEP_EVERY_DAYS == 0 or done == self.days):
                self.on_progress(done, self.days)

    def _run_day(self, index: int) -> None:
        self.today = self.start + timedelta(days=index)
        # The weekly sweep runs first thing, so the day's business sees its effects.
        if index % SWEEP_EVERY_DAYS == 0 or index == self.days - 1:
            self.tally.add_sweep(self.ledger.sweep(self.today))
        if _is_business_day(self.today):
            for _ in range(self.rng.choice(NEW_OPPORTUNITIES_PER_DAY)):
                self._open_opportunity()
        for action in self.agenda.pop(self.today, []):
            action()

    def at(self, day: date, action: Callable[[], None]) -> None:
        """Plan an action on a business day (a weekend moves to Monday)."""
        if self.calendar_running:
            day = max(day, self.today + timedelta(days=1))
        while not _is_business_day(day):
            day += timedelta(days=1)
        self.agenda[day].append(action)

    def later(self, low: int, high: int, action: Callable[[], None]) -> None:
        self.at(self.today + timedelta(days=self.rng.randint(low, high)), action)

    def send(self, handler: Callable[[C], R], command: C) -> R | _Rejected:
        """Issue a command; a rejection is counted under its rule and the scenario goes on."""
        try:
            result = handler(command)
        except DomainError as error:
            self.tally.rejected[error.rule] += 1
            return REJECTED
        self.tally.recorded[type(command).__name__] += 1
        return result

    def summary(self) -> SeedSummary:
        return SeedSummary(
            first_day=self.start,
            last_day=self.start + timedelta(days=self.days - 1),
            recorded=dict(self.tally.recorded),
            rejected=dict(self.tally.rejected),
            decisions=dict(self.tally.decisions),
            time_effects=dict(self.tally.time_effects),
            sweeps=self.tally.sweeps,
            events=self.ledger.recorder.max_notification_id() or 0,
        )

    # --- program set-up ---------------------------------------------------------------------

    def _enrol_partners(self) -> None:
        # "No rupture": every managed partner is carried over on the first day.
        for enrolment in self.partners:
            self.send(self.ledger.enroll_partner, enrolment)

    def _plan_specialists(self) -> None:
        """Choose the specialists, their areas and contract dates; a few will meet trouble."""
        specialists = self._choose_specialists()
        first_areas = self._spread_areas(len(specialists) - 1)
        troubled = self.rng.sample(specialists[1:], len(_TROUBLES))
        # The interview's first contract: Antemeta, data protection, in the first weeks.
        self._plan_specialization(ANTEMETA_CODE, Specialization.DATA_PROTECTION, offset=13)
        for code, area in zip(specialists[1:], first_areas, strict=True):
            trouble = _TROUBLES[troubled.index(code)] if code in troubled else None
            self._plan_specialization(code, area, self.rng.randint(20, 150), trouble)
        self._plan_second_specializations(specialists)
        untroubled = [c for c in specialists[1:] if c not in troubled]
        self._plan_mistaken_partner_commands(self.rng.sample(untroubled, 2))

    def _choose_specialists(self) -> list[str]:
        # Contracts go first to the partners that already invested: every legacy Platinum,
        # then some Gold and Silver, and one from the Registered ranks.
        by_tier = {
            tier: [p.code for p in self.partners[1:] if p.legacy_tier is tier] for tier in Tier
        }
        chosen = [ANTEMETA_CODE, *by_tier[Tier.PLATINUM]]
        chosen += self.rng.sample(by_tier[Tier.GOLD], 7)
        chosen += self.rng.sample(by_tier[Tier.SILVER], 4)
        chosen += self.rng.sample(by_tier[Tier.REGISTERED], SPECIALIST_COUNT - len(chosen))
        self.non_specialists = [p for p in self.partners if p.code not in chosen]
        return chosen

    def _spread_areas(self, count: int) -> list[Specialization]:
        # Deal every area out once before any repeats, so all nine get a specialist.
        areas: list[Specialization] = []
        while len(areas) < count:
            deck = list(Specialization)
            self.rng.shuffle(deck)
            areas += deck
        return areas[:count]

    def _plan_second_specializations(self, specialists: list[str]) -> None:
        # Platinum asks for two specializations: Antemeta adds storage management; the legacy
        # Platinum partners and one Gold partner add a second area of their own.
        self._plan_specialization(
            ANTEMETA_CODE, Specialization.STORAGE_MANAGEMENT, self.rng.randint(120, 200)
        )
        for code in specialists[1:5]:
            taken = self.planned_areas[code]
            area = self.rng.choice([s for s in Specialization if s not in taken])
            self._plan_specialization(code, area, self.rng.randint(160, 300))

    def _plan_specialization(
        self, code: str, area: Specialization, offset: int, trouble: str | None = None
    ) -> None:
        """Certify the people a specialization needs in the days before its contract."""
        award_on = self.start + timedelta(days=offset)
        self.planned_areas[code].append(area)
        # A troubled specialist has nobody to spare (1 sales, exactly 2 technical people), and
        # one of its technical people is planned by the trouble itself.
        sales = 1 if trouble else self.rng.randint(1, 2)
        technical = 1 if trouble else self.rng.randint(2, 3)
        for kind, count in ((SALES, sales), (TECHNICAL, technical)):
            for _ in range(count):
                certified_on = award_on - timedelta(days=self.rng.randint(1, 12))
                self.at(max(certified_on, self.start), self._certify_later(code, kind, area))
        if trouble in ("leaver-replaced", "leaver-not-replaced"):
            self._plan_leaver(code, area, award_on, trouble)
        elif trouble:
            self._plan_legacy_certification(code, area, award_on, trouble)
        self.at(award_on, lambda: self._award(code, area))

    def _certify_later(
        self, code: str, kind: CertificationKind, area: Specialization, person: str | None = None
    ) -> Callable[[], None]:
        individual = person or self.people.next_name()
        return lambda: self._certify(code, individual, kind, area)

    def _certify(
        self, code: str, individual: str, kind: CertificationKind, area: Specialization
    ) -> None:
        expires_on = _years_later(self.today, CERTIFICATION_YEARS)
        command = RecordCertification(code, individual, kind, area, self.today, expires_on)
        self.send(self.ledger.record_certification, command)

    def _award(self, code: str, area: Specialization) -> None:
        reference = self.contracts.upcoming(self.today)
        command = AwardSpecialization(code, area, reference, self.today)
        if self.send(self.ledger.award_specialization, command) is REJECTED:
            return
        self.contracts.awarded(self.today)
        if area not in self.specialties.setdefault(code, []):
            self.specialties[code].append(area)
            self.specialists_in[area].append(code)

    def _plan_legacy_certification(
        self, code: str, area: Specialization, award_on: date, trouble: str
    ) -> None:
        """A technical certification from the old program, recognized until its own expiry.

        Certifications from the old program are carried over at enrolment with the expiry
        they had; new ones last two years.
        """
        person = self.people.next_name()
        expires_on = award_on + timedelta(days=self.rng.randint(90, 200))
        command = RecordCertification(code, person, TECHNICAL, area, self.start, expires_on)
        self.send(self.ledger.record_certification, command)
        renew_on = expires_on - timedelta(days=21)
        if trouble == "legacy-renewed-by-same-person":
            self.at(renew_on, self._certify_later(code, TECHNICAL, area, person))
        elif trouble == "legacy-replaced-by-colleague":
            self.at(renew_on, self._certify_later(code, TECHNICAL, area))
        else:  # lapses: a sweep withdraws the specialization; it is earned again weeks later
            self._plan_requalification(code, area, expires_on, person)

    def _plan_leaver(self, code: str, area: Specialization, award_on: date, trouble: str) -> None:
        """A certified engineer leaves the partner, and the certification is revoked."""
        person = self.people.next_name()
        self.at(award_on - timedelta(days=1), self._certify_later(code, TECHNICAL, area, person))
        # The day after a sweep, so that a prompt replacement is in before the next sweep.
        leaves_on = self._day_after_a_sweep(award_on + timedelta(days=self.rng.randint(60, 200)))
        self.at(leaves_on, lambda: self._revoke(code, person, TECHNICAL, area, _LEAVER))
        if trouble == "leaver-replaced":
            self.at(leaves_on + timedelta(days=2), self._certify_later(code, TECHNICAL, area))
        else:
            self._plan_requalification(code, area, leaves_on, None)

    def _revoke(
        self,
        code: str,
        individual: str,
        kind: CertificationKind,
        area: Specialization,
        reason: str,
    ) -> None:
        revocation = RevokeCertification(code, individual, kind, area, self.today, reason)
        self.send(self.ledger.revoke_certification, revocation)

    def _plan_requalification(
        self, code: str, area: Specialization, lapsed_on: date, person: str | None
    ) -> None:
        certified_on = lapsed_on + timedelta(days=self.rng.randint(25, 50))
        self.at(certified_on, self._certify_later(code, TECHNICAL, area, person))
        awarded_on = certified_on + timedelta(days=self.rng.randint(3, 10))
        self.at(awarded_on, lambda: self._award(code, area))

    def _day_after_a_sweep(self, day: date) -> date:
        while (day - self.start).days % SWEEP_EVERY_DAYS != 1:
            day += timedelta(days=1)
        return day

    def _plan_partial_certifications(self) -> None:
        """Many partners certify a person or two, short of what a specialization demands."""
        codes = [p.code for p in self.non_specialists]
        certified = self.rng.sample(codes, PARTIALLY_CERTIFIED_COUNT)
        for code in certified:
            area = self.rng.choice(list(Specialization))
            for kind in self.rng.sample([SALES, TECHNICAL, TECHNICAL], self.rng.randint(1, 2)):
                day = self.start + timedelta(days=self.rng.randint(5, 330))
                self.at(day, self._certify_later(code, kind, area))
        # A few ask for a contract all the same: with two certified people at most they cannot
        # meet the three a specialization needs, and the award is refused.
        for code in certified[:4]:
            self._plan_refused_award(code, self.rng.choice(list(Specialization)))

    def _plan_refused_award(self, code: str, area: Specialization) -> None:
        self.at(
            self.start + timedelta(days=self.rng.randint(60, 340)), lambda: self._award(code, area)
        )

    def _plan_mistaken_partner_commands(self, codes: list[str]) -> None:
        # A contract entered a second time, and a revocation for someone never certified.
        twice, wrong_partner = codes
        area = self.planned_areas[twice][0]
        self.at(self.start + timedelta(days=200), lambda: self._award(twice, area))
        person, wrong_area = self.people.next_name(), self.planned_areas[wrong_partner][0]
        self.at(
            self.start + timedelta(days=170),
            lambda: self._revoke(wrong_partner, person, SALES, wrong_area, "entered in error"),
        )

    # --- opportunities ----------------------------------------------------------------------

    def _open_opportunity(self) -> None:
        self.opportunities_opened += 1
        originator, area = self._choose_originator()
        deal = _Deal(
            reference=f"OPP-{self.today.year}-{self.opportunities_opened:04d}",
            customer=self.rng.choice(self.customers),
            area=area,
            value=self._estimated_value(),
            originator=originator,
            expected_close=self.today + timedelta(days=self.rng.randint(30, 120)),
        )
        kind = self.rng.choices(_DEAL_KINDS, _DEAL_KIND_WEIGHTS)[0]
        if kind == "vendor-first":
            # The vendor's own sales already work the account: nobody can be protected.
            engagement = EngageVendorSales(
                deal.reference, deal.customer, deal.area, self.today, "named account"
            )
            self.send(self.ledger.engage_vendor_sales, engagement)
            self.later(1, 5, lambda: self._register(deal, originator))
        else:
            evidence = "" if kind == "no-evidence" else None
            self._register(deal, originator, new_business=kind != "renewal", evidence=evidence)
        self._plan_deal(deal)

    def _choose_originator(self) -> tuple[str, Specialization]:
        """Who did the pre-sales work, and in which area."""
        if self.specialties and self.rng.random() < SPECIALIST_ORIGINATED:
            # Antemeta, the flagship specialist, brings in three times a specialist's share.
            code = self.rng.choice([ANTEMETA_CODE, ANTEMETA_CODE, *self.specialties])
            areas = self.specialties.get(code) or [Specialization.DATA_PROTECTION]
            return code, self.rng.choice(areas)
        weights = [_ACTIVITY_BY_TIER[p.legacy_tier] for p in self.non_specialists]
        code = self.rng.choices(self.non_specialists, weights)[0].code
        return code, self.rng.choice(list(Specialization))

    def _estimated_value(self) -> Decimal:
        # The smaller of two draws: many modest deals, a few large ones (15k to 600k).
        hundreds = min(self.rng.randint(150, 6000), self.rng.randint(150, 6000))
        return Decimal(hundreds * 100)

    def _register(
        self,
        deal: _Deal,
        code: str,
        new_business: bool = True,
        evidence: str | None = None,
        area: Specialization | None = None,
    ) -> None:
        command = RegisterDeal(
            opportunity=deal.reference,
            end_customer=deal.customer,
            specialization=area or deal.area,
            partner_code=code,
            estimated_value=deal.value,
            expected_close=deal.expected_close,
            presales_evidence=self._presales_evidence() if evidence is None else evidence,
            new_business=new_business,
            registered_on=self.today,
        )
        result = self.send(self.ledger.register_deal, command)
        if isinstance(result, _Rejected):
            return
        self.tally.decisions[result.decision.reason.value] += 1
        if result.decision.granted:
            deal.granted_to.append(code)

    def _presales_evidence(self) -> str:
        work = self.rng.choice(_PRESALES_WORK).format(n=self.rng.randint(3, 40))
        return f"{work}, {self.today.isoformat()}"

    def _plan_deal(self, deal: _Deal) -> None:
        """Everything that may follow a first registration, planned on the day it happens."""
        for _ in range(self.rng.choices((0, 1, 2), (60, 28, 12))[0]):
            self.later(1, 25, lambda: self._competitor_registers(deal))
        self.later(3, 30, lambda: self._quote(deal, deal.originator))
        if self.rng.random() < 0.3:
            self.later(31, 60, lambda: self._quote(deal, deal.originator))  # a revised quote
        if self.rng.random() < 0.12:
            # Only a partner still protected then can release (most registrants never are).
            self.later(10, 45, lambda: self._release(deal))
        closes_in = self.rng.randint(20, 160)
        self.later(closes_in, closes_in, lambda: self._close(deal))
        if closes_in > 100 and self.rng.random() < 0.5:
            # Protection lasts 90 days; half the holders of a longer deal register it again.
            self.later(90, 100, lambda: self._register_again(deal))
        self._plan_deal_mistakes(deal)

    def _competitor_registers(self, deal: _Deal) -> None:
        if deal.closed:
            return
        code = self._competitor(deal)
        deal.competitors.append(code)
        self._register(deal, code, new_business=self.rng.random() < 0.9)
        if self.rng.random() < 0.7:
            self.later(1, 10, lambda: self._quote(deal, code))

    def _competitor(self, deal: _Deal) -> str:
        # Often a specialist of the same area: the customer is shopping the deal around.
        rivals = [c for c in self.specialists_in[deal.area] if c not in deal.involved]
        if rivals and self.rng.random() < 0.4:
            return self.rng.choice(rivals)
        while True:
            code = self.rng.choice(self.partners).code
            if code not in deal.involved:
                return code

    def _quote(self, deal: _Deal, code: str) -> None:
        if deal.closed:
            return
        list_price = _rounded(deal.value * Decimal(self.rng.randint(95, 110)) / 100)
        quote = IssueQuote(deal.reference, code, list_price, self.today)
        self.send(self.ledger.issue_quote, quote)

    def _holder(self, deal: _Deal) -> str | None:
        """The partner protected on the deal today, if any (a lapsed protection does not count)."""
        protection = self.ledger.get_opportunity(deal.reference).protection
        if protection is None or protection.valid_until <= self.today:
            return None
        return self.codes_by_id[protection.partner_id]

    def _release(self, deal: _Deal) -> None:
        holder = None if deal.closed else self._holder(deal)
        if holder is None:
            return
        reason = self.rng.choice(_RELEASE_REASONS)
        self.send(
            self.ledger.release_exclusivity,
            ReleaseExclusivity(deal.reference, holder, self.today, reason),
        )
        # A released deal is often taken up by a specialist of the area.
        others = [c for c in self.specialists_in[deal.area] if c not in deal.involved]
        if others and self.rng.random() < 0.6:
            taker = self.rng.choice(others)
            self.later(2, 15, lambda: self._take_over(deal, taker))

    def _take_over(self, deal: _Deal, code: str) -> None:
        if deal.closed:
            return
        deal.competitors.append(code)
        self._register(deal, code)
        self.later(1, 10, lambda: self._quote(deal, code))

    def _register_again(self, deal: _Deal) -> None:
        """Registration by the last protected partner after its protection expired."""
        if deal.closed or not deal.granted_to or self._holder(deal) is not None:
            return
        self._register(deal, deal.granted_to[-1])

    def _close(self, deal: _Deal) -> None:
        if deal.closed:
            return
        outcome = self.rng.choices(_OUTCOMES, _OUTCOME_WEIGHTS)[0]
        if outcome == "stays-open":
            return  # the customer went quiet; nobody ever closes the opportunity
        if outcome == "lost":
            loss = RecordLoss(deal.reference, self.today, self.rng.choice(_LOSS_REASONS))
            self.send(self.ledger.record_loss, loss)
        else:
            amount = _rounded(deal.value * Decimal(self.rng.randint(85, 105)) / 100)
            self._report_win(deal.reference, self._winner(deal, outcome), amount)
        deal.closed = True
        self._plan_after_close(deal)

    def _winner(self, deal: _Deal, outcome: str) -> str:
        if outcome == "competitor-wins" and deal.competitors:
            return self.rng.choice(deal.competitors)
        return self._holder(deal) or deal.originator

    def _report_win(self, reference: str, code: str, amount: Decimal) -> None:
        self.send(self.ledger.record_win, RecordWin(reference, code, amount, self.today))

    # --- operators' mistakes: the ledger must refuse them, or record them as denied ------

    def _plan_deal_mistakes(self, deal: _Deal) -> None:
        draw = self.rng.random()
        if draw < 0.015:
            # The same reference entered again with another area: refused.
            wrong = self.rng.choice([s for s in Specialization if s is not deal.area])
            self.later(1, 10, lambda: self._register(deal, deal.originator, area=wrong))
        elif draw < 0.025:
            # Another partner tries to lift a protection it does not hold: refused.
            self.later(5, 30, lambda: self._release_by_outsider(deal))
        elif draw < 0.035:
            # A typo in the partner code: refused.
            self.later(1, 10, lambda: self._register(deal, f"{deal.originator}-fr"))
        elif draw < 0.04:
            # A win reported under a reference nobody registered: refused.
            reference = f"{deal.reference}-X"
            self.later(20, 60, lambda: self._report_win(reference, deal.originator, deal.value))

    def _release_by_outsider(self, deal: _Deal) -> None:
        outsider = self._competitor(deal)
        release = ReleaseExclusivity(deal.reference, outsider, self.today, "not our deal")
        self.send(self.ledger.release_exclusivity, release)

    def _plan_after_close(self, deal: _Deal) -> None:
        draw = self.rng.random()
        if draw < 0.04:
            # Another partner reports a win on the already closed deal: refused.
            code = self.rng.choice(deal.involved)
            self.later(1, 20, lambda: self._report_win(deal.reference, code, deal.value))
        elif draw < 0.07:
            # A late registration: recorded, and denied because the deal is closed.
            self.later(1, 30, lambda: self._register(deal, self._competitor(deal)))
        elif draw < 0.09:
            # A quote asked for after the close: refused.
            self.later(1, 20, lambda: self._quote_after_close(deal))

    def _quote_after_close(self, deal: _Deal) -> None:
        quote = IssueQuote(deal.reference, deal.originator, deal.value, self.today)
        self.send(self.ledger.issue_quote, quote)
