"""Projecting envelopes: redelivery, batch boundaries and the rows a tricky history leaves.

Envelopes are built the way the projector receives them: real domain events, encoded as the
relay publishes them and decoded as the projector decodes them.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, inspect, select

from contracts.wire.codec import decode, encode
from contracts.wire.envelope import Envelope
from domain.commands import (
    AwardSpecialization,
    EnrollPartner,
    IssueQuote,
    PublishRules,
    RecordCertification,
    RecordWin,
    RegisterDeal,
    RevokeCertification,
)
from domain.ledger import Ledger
from domain.program import CertificationKind, Specialization, Tier
from domain.rules import ProgramRules
from infra.scenario.seed import SCENARIO_START, run_seed_scenario
from projections.database import open_projection_db
from projections.dispatch import EventTypeClaimedTwice, assemble_handlers, project_envelopes
from projections.models.certifications import partner_certification
from projections.models.program_rules import rules_document_in_force
from projections.models.quotes import quotes_for
from projections.models.specializations import partner_specialization
from projections.partner_statuses import partner_statuses
from projections.schema import metadata

RULES_FILE = Path(__file__).resolve().parents[3] / "tests" / "fixtures" / "rules-2010.1.json"
DP = Specialization.DATA_PROTECTION
SALES, TECHNICAL = CertificationKind.SALES, CertificationKind.TECHNICAL
ENROLLED_ON = date(2010, 11, 2)
CERTIFIED_ON = date(2010, 11, 15)
CERTIFIED_UNTIL = date(2013, 11, 15)
SEED_DAYS = 420  # long enough for revocations, expiries, withdrawals and tier changes

Snapshot = dict[str, list[tuple[Any, ...]]]


# --- building histories -----------------------------------------------------------------------


def default_rules(**changes: Any) -> ProgramRules:
    rules = ProgramRules.from_document(json.loads(RULES_FILE.read_text(encoding="utf-8")))
    return replace(rules, **changes)


def new_ledger() -> Ledger:
    ledger = Ledger(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    ledger.publish_rules(PublishRules(default_rules()))
    return ledger


def envelopes_of(ledger: Ledger) -> list[Envelope]:
    """Every stored event, as the projector decodes it off Kafka, in the store's order."""
    notifications = ledger.recorder.select_notifications(start=1, limit=10**6)
    return [decode(encode(ledger.mapper.to_domain_event(n), n.id).value) for n in notifications]


def enroll(ledger: Ledger, code: str) -> None:
    ledger.enroll_partner(EnrollPartner(code, code.title(), Tier.GOLD, ENROLLED_ON))


def certify(
    ledger: Ledger,
    code: str,
    individual: str,
    kind: CertificationKind,
    on: date = CERTIFIED_ON,
    until: date = CERTIFIED_UNTIL,
) -> None:
    ledger.record_certification(RecordCertification(code, individual, kind, DP, on, until))


def make_specialist(ledger: Ledger, code: str, awarded_on: date = date(2010, 12, 1)) -> None:
    for individual, kind in (("Ann", SALES), ("Bob", TECHNICAL), ("Cid", TECHNICAL)):
        certify(ledger, code, individual, kind)
    ledger.award_specialization(AwardSpecialization(code, DP, f"contract-{code}", awarded_on))


@pytest.fixture(scope="module")
def seeded_envelopes() -> list[Envelope]:
    ledger = Ledger(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    run_seed_scenario(ledger, days=SEED_DAYS)
    ledger.sweep(SCENARIO_START + timedelta(days=SEED_DAYS))
    envelopes = envelopes_of(ledger)
    kinds = {e.event_type for e in envelopes}
    # The history this module relies on to be telling.
    assert {
        "partner.certification-revoked",
        "partner.certification-expired",
        "partner.specialization-withdrawn",
        "partner.tier-changed",
        "opportunity.exclusivity-expired",
        "opportunity.won",
    } <= kinds
    return envelopes


# --- projecting and looking at every table ----------------------------------------------------


@pytest.fixture
def new_engine() -> Iterator[Any]:
    engines: list[Engine] = []

    def make() -> Engine:
        engine = open_projection_db("sqlite://")
        engines.append(engine)
        return engine

    yield make
    for engine in engines:
        engine.dispose()


def project(engine: Engine, *batches: list[Envelope]) -> None:
    """One transaction per batch, as the projector does per partition poll."""
    for batch in batches:
        with engine.begin() as connection:
            project_envelopes(connection, batch)


def snapshot(engine: Engine) -> Snapshot:
    """Every row of every projection table."""
    with engine.connect() as connection:
        return {
            table.name: [
                tuple(row)
                for row in connection.execute(select(table).order_by(*table.primary_key.columns))
            ]
            for table in metadata.sorted_tables
        }


def projected(new_engine: Any, *batches: list[Envelope]) -> Snapshot:
    engine = new_engine()
    project(engine, *batches)
    return snapshot(engine)


def one_by_one(envelopes: list[Envelope]) -> list[list[Envelope]]:
    return [[envelope] for envelope in envelopes]


def chunks(envelopes: list[Envelope], size: int, step: int | None = None) -> list[list[Envelope]]:
    return [envelopes[i : i + size] for i in range(0, len(envelopes), step or size)]


# --- redelivery -------------------------------------------------------------------------------


def test_a_redelivered_batch_changes_nothing(new_engine, seeded_envelopes):
    engine = new_engine()
    project(engine, *chunks(seeded_envelopes, 200))
    before = snapshot(engine)

    project(engine, seeded_envelopes)  # everything again, in one batch
    project(engine, *chunks(seeded_envelopes, 300, step=100))  # overlapping batches
    project(engine, seeded_envelopes[-1:], seeded_envelopes[:1])

    assert snapshot(engine) == before


def test_overlapping_batches_project_each_event_once(new_engine, seeded_envelopes):
    overlapping = chunks(seeded_envelopes, 150, step=100)
    assert projected(new_engine, *overlapping) == projected(new_engine, seeded_envelopes)


def test_a_batch_repeating_its_own_events_projects_them_once(new_engine):
    ledger = new_ledger()
    enroll(ledger, "acme")
    make_specialist(ledger, "acme")
    ledger.revoke_certification(
        RevokeCertification("acme", "Bob", TECHNICAL, DP, date(2011, 2, 1), "left the company")
    )
    envelopes = envelopes_of(ledger)

    assert projected(new_engine, envelopes + envelopes) == projected(new_engine, envelopes)


def test_versions_are_known_per_aggregate(new_engine, seeded_envelopes):
    engine = new_engine()
    project(engine, seeded_envelopes)
    latest: dict[str, int] = {}
    for envelope in seeded_envelopes:
        latest[str(envelope.aggregate_id)] = envelope.aggregate_version
    rows = snapshot(engine)["projected_version"]
    assert {aggregate_id: version for aggregate_id, _, version in rows} == latest


# --- assembling the read models' handlers ---------------------------------------------------


def test_an_event_type_claimed_by_two_read_models_is_refused():
    def handler(_writer: Any, _envelope: Envelope) -> None:
        return None

    models = [
        ("opportunities", {"opportunity.opened": handler, "opportunity.won": handler}),
        ("exclusivity_decisions", {"opportunity.won": handler}),
    ]
    with pytest.raises(
        EventTypeClaimedTwice, match=r"opportunity\.won.*opportunities.*exclusivity"
    ):
        assemble_handlers(models)


def test_each_event_type_goes_to_the_one_model_that_claims_it():
    def opened(_writer: Any, _envelope: Envelope) -> None:
        return None

    def won(_writer: Any, _envelope: Envelope) -> None:
        return None

    models = [
        ("opportunities", {"opportunity.opened": opened}),
        ("decisions", {"opportunity.won": won}),
    ]
    assert assemble_handlers(models) == {"opportunity.opened": opened, "opportunity.won": won}


# --- batch boundaries -------------------------------------------------------------------------


def test_one_batch_projects_what_one_event_per_batch_projects(new_engine, seeded_envelopes):
    assert projected(new_engine, seeded_envelopes) == projected(
        new_engine, *one_by_one(seeded_envelopes)
    )


def test_partitions_projected_one_after_another_agree_with_the_store_order(
    new_engine, seeded_envelopes
):
    """Topics are per aggregate type: the projector sees them interleaved in any order."""
    by_type: dict[str, list[Envelope]] = {}
    for envelope in seeded_envelopes:
        by_type.setdefault(envelope.aggregate_type, []).append(envelope)
    streams = [chunks(stream, 97) for _, stream in sorted(by_type.items(), reverse=True)]
    assert projected(new_engine, *[b for s in streams for b in s]) == projected(
        new_engine, seeded_envelopes
    )


def test_a_revocation_does_not_end_a_certification_earned_after_it(new_engine):
    ledger = new_ledger()
    enroll(ledger, "acme")
    certify(ledger, "acme", "Bob", TECHNICAL)
    ledger.revoke_certification(
        RevokeCertification("acme", "Bob", TECHNICAL, DP, date(2011, 2, 1), "exam fraud")
    )
    # Certified again, for a period that covers the revocation date.
    certify(ledger, "acme", "Bob", TECHNICAL, on=date(2011, 1, 20), until=date(2014, 1, 20))
    envelopes = envelopes_of(ledger)
    as_of = date(2011, 3, 1)

    for batches in ([envelopes], one_by_one(envelopes)):
        engine = new_engine()
        project(engine, *batches)
        with engine.connect() as connection:
            (view,) = partner_statuses(connection, as_of)
            ended = connection.execute(
                select(
                    partner_certification.c.effective_on, partner_certification.c.ended_on
                ).order_by(partner_certification.c.partner_version)
            ).all()
        assert view.active_technical_certifications == 1
        assert ended == [(CERTIFIED_ON, date(2011, 2, 1)), (date(2011, 1, 20), None)]
    assert ledger.get_partner("acme").certified_individuals(DP, TECHNICAL, as_of) == 1


def test_a_certification_earned_and_revoked_in_one_batch_ends(new_engine):
    ledger = new_ledger()
    enroll(ledger, "acme")
    certify(ledger, "acme", "Bob", TECHNICAL)
    ledger.revoke_certification(
        RevokeCertification("acme", "Bob", TECHNICAL, DP, date(2011, 2, 1), "exam fraud")
    )
    envelopes = envelopes_of(ledger)

    assert projected(new_engine, envelopes) == projected(new_engine, *one_by_one(envelopes))
    engine = new_engine()
    project(engine, envelopes)
    with engine.connect() as connection:
        (view,) = partner_statuses(connection, date(2011, 3, 1))
    assert view.active_technical_certifications == 0


# --- specializations --------------------------------------------------------------------------


def test_a_specialization_withdrawn_and_awarded_again_the_same_day(new_engine):
    day = date(2011, 3, 1)
    ledger = new_ledger()
    enroll(ledger, "acme")
    make_specialist(ledger, "acme", awarded_on=day)
    ledger.revoke_certification(RevokeCertification("acme", "Bob", TECHNICAL, DP, day, "left"))
    ledger.sweep(day)  # the requirements lapsed: withdrawn on the day it was awarded
    certify(ledger, "acme", "Dan", TECHNICAL, on=day)
    ledger.award_specialization(AwardSpecialization("acme", DP, "contract-acme-2", day))
    envelopes = envelopes_of(ledger)
    assert [e.event_type for e in envelopes].count("partner.specialization-awarded") == 2

    for batches in ([envelopes], one_by_one(envelopes)):
        engine = new_engine()
        project(engine, *batches)
        with engine.connect() as connection:
            (view,) = partner_statuses(connection, day)
            rows = connection.execute(
                select(
                    partner_specialization.c.contract_reference,
                    partner_specialization.c.awarded_on,
                    partner_specialization.c.withdrawn_on,
                ).order_by(partner_specialization.c.contract_reference)
            ).all()
        assert view.specializations == [DP.value]
        assert rows == [("contract-acme", day, day), ("contract-acme-2", day, None)]
    assert DP in ledger.get_partner("acme").specializations


def test_specializations_are_keyed_by_their_award_event(new_engine):
    ledger = new_ledger()
    enroll(ledger, "acme")
    make_specialist(ledger, "acme")
    envelopes = envelopes_of(ledger)
    (award,) = [e for e in envelopes if e.event_type == "partner.specialization-awarded"]
    engine = new_engine()
    project(engine, envelopes)
    with engine.connect() as connection:
        keys = connection.execute(select(partner_specialization.c.event_id)).scalars().all()
    assert keys == [str(award.event_id)]


# --- rules ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("first", "last"), [("2011.1", "2011.2"), ("2011.2", "2011.1")])
def test_of_two_rule_sets_effective_the_same_day_the_last_published_is_in_force(
    new_engine, first, last
):
    day = date(2011, 6, 1)
    ledger = new_ledger()
    for version in (first, last):
        ledger.publish_rules(PublishRules(default_rules(version=version, effective_from=day)))
    assert ledger.program().rules_in_force(day).version == last
    engine = new_engine()
    project(engine, envelopes_of(ledger))
    with engine.connect() as connection:
        assert rules_document_in_force(connection, day)["version"] == last
        assert rules_document_in_force(connection, day - timedelta(days=1))["version"] == "2010.1"


# --- money and indexes ------------------------------------------------------------------------


@pytest.mark.parametrize("amount", [Decimal("1234567890.12"), Decimal("999999999999.99")])
def test_large_amounts_read_back_exactly_on_sqlite(new_engine, amount):
    ledger = new_ledger()
    enroll(ledger, "acme")
    make_specialist(ledger, "acme")
    registered_on = date(2010, 12, 10)
    ledger.register_deal(
        RegisterDeal(
            "opp-big",
            "Acme",
            DP,
            "acme",
            amount,
            registered_on + timedelta(days=60),
            "workshop and proof of concept",
            True,
            registered_on,
        )
    )
    price = ledger.issue_quote(IssueQuote("opp-big", "acme", amount, date(2010, 12, 20))).price
    assert ledger.record_win(RecordWin("opp-big", "acme", amount, date(2011, 1, 10)))
    engine = new_engine()
    project(engine, *one_by_one(envelopes_of(ledger)))

    with engine.connect() as connection:
        (quote,) = quotes_for(connection, "opp-big")
        (view,) = partner_statuses(connection, date(2011, 2, 1))
        (credited,) = connection.execute(select(metadata.tables["revenue_credit"].c.amount))
    for value, expected in (
        (quote.list_price, amount),
        (quote.net_price, price.net_price),
        (view.qualified_revenue, amount),
        (credited.amount, amount),
    ):
        assert isinstance(value, Decimal)
        assert value.as_tuple() == expected.as_tuple()


def test_expiring_registrations_query_is_indexed(new_engine):
    indexes = inspect(new_engine()).get_indexes("exclusivity_decision")
    assert ["valid_until"] in [index["column_names"] for index in indexes]
