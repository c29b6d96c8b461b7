"""The projections built from Kafka say what folding the event store's aggregates says."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from domain.opportunity import Opportunity
from domain.partner import Partner
from domain.program import CertificationKind
from infra.bootstrap import open_projector, open_relay
from infra.scenario.seed import SCENARIO_START, run_seed_scenario
from infra.store.event_store import open_ledger
from projections.models.exclusivity_decisions import decision_history
from projections.partner_statuses import partner_statuses

pytestmark = pytest.mark.kafka
DAYS = 150


def aggregates(ledger, created_event):
    return [
        ledger.repository.get(aggregate_id) for aggregate_id in ledger.aggregate_ids(created_event)
    ]


def folded_partner(partner: Partner, as_of: date, rules, opportunities) -> tuple:
    active = partner.active_certifications(as_of)
    revenue, _ = partner.qualified_revenue(as_of, rules)
    protected = sum(
        1
        for o in opportunities
        if o.protection
        and o.protection.partner_id == partner.id
        and as_of < o.protection.valid_until
    )
    return (
        partner.tier.value,
        partner.legacy_tier.value,
        sorted(s.value for s in partner.specializations),
        sum(1 for c in active if c.kind is CertificationKind.SALES),
        sum(1 for c in active if c.kind is CertificationKind.TECHNICAL),
        revenue.quantize(Decimal("0.01")),
        protected,
    )


def projected_partner(view) -> tuple:
    return (
        view.tier,
        view.legacy_tier,
        view.specializations,
        view.active_sales_certifications,
        view.active_technical_certifications,
        Decimal(view.qualified_revenue).quantize(Decimal("0.01")),
        view.protected_opportunities,
    )


def test_projections_built_from_kafka_equal_the_folded_store(settings):
    ledger = open_ledger(settings)
    run_seed_scenario(ledger, seed=7, days=DAYS)
    as_of = SCENARIO_START + timedelta(days=DAYS)
    ledger.sweep(as_of)  # so lazily expired protections are recorded on both sides
    relay = open_relay(settings, ledger)
    relay.drain()
    relay.close()
    projector = open_projector(settings)
    projector.drain()

    rules = ledger.program().rules_in_force(as_of)
    opportunities = aggregates(ledger, Opportunity.Opened)
    partners = {p.code: p for p in aggregates(ledger, Partner.Enrolled)}
    with projector.engine.connect() as connection:
        views = {v.code: v for v in partner_statuses(connection, as_of)}
        assert sorted(views) == sorted(partners)
        for code, partner in partners.items():
            assert projected_partner(views[code]) == folded_partner(
                partner, as_of, rules, opportunities
            ), code
        for opportunity in opportunities:
            projected = [
                (d.decision_id, d.partner, d.outcome == "granted", d.reason_code)
                for d in decision_history(connection, opportunity.reference)
            ]
            codes = {p.id: p.code for p in partners.values()}
            folded = [
                (str(d.decision_id), codes[d.partner_id], d.granted, d.reason_code)
                for d in opportunity.decisions
            ]
            assert projected == folded, opportunity.reference
    projector.close()
    ledger.close()
