"""Events stored before the aggregates' events moved to their own modules still load.

eventsourcing stores each event under its class's topic (``module:qualname``) and each
aggregate under its own; the Partner and Opportunity aggregates adopt the event classes of
domain.partner_events and domain.opportunity_events, which keeps those topics unchanged.
"""

from datetime import date
from decimal import Decimal

from eventsourcing.persistence import StoredEvent
from eventsourcing.utils import get_topic, resolve_topic

from contracts.wire.catalog import CONTRACTS
from domain.customer_claim import CustomerClaim
from domain.notice import Notice
from domain.opportunity import Opportunity
from domain.partner import Partner
from domain.partner_program import PartnerProgram
from domain.program import Specialization, Tier
from tests.builders.program import in_memory_ledger

# The topics the store held before the split, one per stored event class and aggregate.
TOPICS_BEFORE_THE_SPLIT = {
    "domain.opportunity:Opportunity",
    "domain.opportunity:Opportunity.BenefitsEnded",
    "domain.opportunity:Opportunity.BenefitsGranted",
    "domain.opportunity:Opportunity.EngineerDaysConsumed",
    "domain.opportunity:Opportunity.ExclusivityDenied",
    "domain.opportunity:Opportunity.ExclusivityExpired",
    "domain.opportunity:Opportunity.ExclusivityGranted",
    "domain.opportunity:Opportunity.ExclusivityReleased",
    "domain.opportunity:Opportunity.Lost",
    "domain.opportunity:Opportunity.Opened",
    "domain.opportunity:Opportunity.QuoteIssued",
    "domain.opportunity:Opportunity.Registered",
    "domain.opportunity:Opportunity.RegisteredNonExclusive",
    "domain.opportunity:Opportunity.VendorSalesEngaged",
    "domain.opportunity:Opportunity.Won",
    "domain.partner:Partner",
    "domain.partner:Partner.CertificationEarned",
    "domain.partner:Partner.CertificationExpired",
    "domain.partner:Partner.CertificationRevoked",
    "domain.partner:Partner.Enrolled",
    "domain.partner:Partner.QualifiedRevenueCredited",
    "domain.partner:Partner.SpecializationAwarded",
    "domain.partner:Partner.SpecializationWithdrawn",
    "domain.partner:Partner.TierChanged",
    "domain.partner:Partner.TierReviewed",
    "domain.partner:Partner.TransitionPlanClosed",
    "domain.partner:Partner.TransitionPlanMilestoneMet",
    "domain.partner:Partner.TransitionPlanOpened",
    "domain.partner_program:PartnerProgram",
    "domain.partner_program:PartnerProgram.RulesPublished",
    "domain.partner_program:PartnerProgram.SpecialistAdmitted",
    "domain.partner_program:PartnerProgram.SpecialistRemoved",
    "domain.partner_program:PartnerProgram.Started",
}


# Topics of events and aggregates added since: customer identities and their claims, notices.
TOPICS_ADDED_SINCE = {
    "domain.opportunity:Opportunity.ConflictSuspected",
    "domain.opportunity:Opportunity.CustomerIdentified",
    "domain.customer_claim:CustomerClaim",
    "domain.customer_claim:CustomerClaim.Claimed",
    "domain.customer_claim:CustomerClaim.Reclaimed",
    "domain.customer_claim:CustomerClaim.Released",
    "domain.notice:Notice",
    "domain.notice:Notice.Issued",
}


def test_every_published_event_and_aggregate_keeps_the_topic_it_was_stored_under():
    topics = {get_topic(c.domain_class) for c in CONTRACTS}
    topics |= {get_topic(a) for a in (Partner, Opportunity, PartnerProgram, CustomerClaim, Notice)}
    assert topics == TOPICS_BEFORE_THE_SPLIT | TOPICS_ADDED_SINCE


def test_each_old_topic_resolves_to_the_class_the_aggregate_records():
    assert resolve_topic("domain.partner:Partner.TierReviewed") is Partner.TierReviewed
    assert resolve_topic("domain.opportunity:Opportunity.Won") is Opportunity.Won
    assert issubclass(Partner.TierReviewed, Partner.Event)


def _stored(aggregate: type, version: int, topic: str, state: str) -> StoredEvent:
    code_or_reference = "antemeta" if aggregate is Partner else "ACME-2011"
    aggregate_id = aggregate.create_id(code_or_reference)
    return StoredEvent(aggregate_id, version, topic, state.encode())


def _iso(kind: str, value: str) -> str:
    return f'{{"_type_":"{kind}_iso","_data_":"{value}"}}'


STAMP = _iso("datetime", "2010-11-02T09:00:00+00:00")

# Bytes as the pre-split code stored them (a version 1 TierReviewed among them).
OLD_PARTNER_HISTORY = [
    _stored(
        Partner,
        1,
        "domain.partner:Partner.Enrolled",
        f'{{"timestamp":{STAMP},"originator_topic":"domain.partner:Partner","code":"antemeta",'
        f'"name":"Antemeta","legacy_tier":{{"_type_":"tier","_data_":"gold"}},'
        f'"enrolled_on":{_iso("date", "2010-11-02")}}}',
    ),
    _stored(
        Partner,
        2,
        "domain.partner:Partner.TierReviewed",
        f'{{"timestamp":{STAMP},"reviewed_on":{_iso("date", "2012-02-01")},'
        f'"rules_version":"2010.1","tier":{{"_type_":"tier","_data_":"gold"}},'
        f'"earned_tier":{{"_type_":"tier","_data_":"silver"}},'
        f'"qualified_revenue":{{"_type_":"decimal_str","_data_":"0"}},'
        f'"downgrade_due_on":{_iso("date", "2012-05-01")}}}',
    ),
]

OLD_OPPORTUNITY_HISTORY = [
    _stored(
        Opportunity,
        1,
        "domain.opportunity:Opportunity.Opened",
        f'{{"timestamp":{STAMP},"originator_topic":"domain.opportunity:Opportunity",'
        f'"reference":"ACME-2011","end_customer":"ACME",'
        f'"specialization":{{"_type_":"specialization","_data_":"data-protection"}},'
        f'"opened_on":{_iso("date", "2011-01-10")}}}',
    ),
]


def test_aggregates_stored_under_the_old_topics_load_with_their_events_upcast():
    ledger = in_memory_ledger()
    ledger.recorder.insert_events(OLD_PARTNER_HISTORY + OLD_OPPORTUNITY_HISTORY)

    partner = ledger.get_partner("antemeta")
    assert (partner.tier, partner.downgrade_due_on) == (Tier.GOLD, date(2012, 5, 1))
    reviewed = list(ledger.events.get(partner.id))[1]
    assert isinstance(reviewed, Partner.TierReviewed)
    assert (reviewed.outcome, reviewed.floor_tier) == ("downgrade-pending", None)
    assert reviewed.qualified_revenue == Decimal(0)

    opportunity = ledger.get_opportunity("ACME-2011")
    assert opportunity.specialization is Specialization.DATA_PROTECTION
