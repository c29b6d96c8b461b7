"""Older schema versions are upcast on decode; unknown newer ones are refused, not guessed."""

from datetime import date
from decimal import Decimal

import orjson
import pytest

from contracts.wire.catalog import CONTRACTS, contract_for_type, is_current
from contracts.wire.chain import GENESIS
from contracts.wire.codec import UndecodableMessage, decode, encode_envelope
from contracts.wire.upcasting import UPCASTERS, upcast
from domain.opportunity import Opportunity
from domain.partner import Partner
from domain.program import Tier

DEAL = Opportunity.create_id("OPP-7")


def lost_message(version: int, payload: dict) -> bytes:
    return encode_envelope(
        contract_for_type("opportunity.lost", version),
        aggregate_id=DEAL,
        version=3,
        position=12,
        effective_on="2011-03-01",
        recorded_at="2011-03-01T09:00:00+00:00",
        payload=payload,
        link=GENESIS,
    ).value


def test_a_version_1_loss_decodes_as_the_current_version_with_lost_to_unknown():
    envelope = decode(lost_message(1, {"lost_on": "2011-03-01", "reason": "budget"}))
    assert envelope.schema_version == 2
    assert envelope.payload == {"lost_on": date(2011, 3, 1), "reason": "budget", "lost_to": None}


def test_a_version_2_loss_keeps_its_lost_to():
    payload = {"lost_on": "2011-03-01", "reason": "price", "lost_to": "Rival Corp"}
    envelope = decode(lost_message(2, payload))
    assert (envelope.schema_version, envelope.payload["lost_to"]) == (2, "Rival Corp")


def test_a_version_1_message_carrying_the_version_2_field_is_refused():
    # Version 1 never had `lost_to`: a message claiming version 1 with it is not a version 1 loss.
    value = lost_message(1, {"lost_on": "2011-03-01", "reason": "x", "lost_to": "Rival"})
    with pytest.raises(UndecodableMessage, match="lost_to"):
        decode(value)


def test_an_unknown_newer_version_is_refused_with_its_version_named():
    raw = orjson.loads(lost_message(2, {"lost_on": "2011-03-01", "reason": "x", "lost_to": None}))
    raw["schema_version"] = 3
    with pytest.raises(UndecodableMessage, match="version 3"):
        decode(orjson.dumps(raw))


# One valid payload of each older version, as its own schema loads it.
OLDER_SAMPLES = {
    ("opportunity.lost", 1): {"lost_on": date(2011, 3, 1), "reason": "budget"},
    ("partner.tier-reviewed", 1): {
        "reviewed_on": date(2011, 11, 1),
        "rules_version": "2010.1",
        "tier": Tier.GOLD,
        "earned_tier": Tier.SILVER,
        "qualified_revenue": Decimal("1000"),
        "downgrade_due_on": date(2012, 1, 30),
    },
    ("opportunity.quote-issued", 1): {
        "partner_id": DEAL,
        "list_price": Decimal("100.00"),
        "tier": Tier.GOLD,
        "tier_discount": Decimal("15"),
        "registration_uplift": Decimal("0"),
        "net_price": Decimal("85.00"),
        "protection": "unprotected",
        "decision_id": None,
        "rules_version": "2010.1",
        "issued_on": date(2011, 3, 1),
    },
}


def test_every_older_contract_upcasts_to_a_payload_the_current_schema_accepts():
    older = [c for c in CONTRACTS if not is_current(c)]
    assert older, "at least one evolution is shipped"
    assert {(c.event_type, c.schema_version) for c in older} == set(OLDER_SAMPLES)
    for contract in older:
        assert (contract.event_type, contract.schema_version) in UPCASTERS
        sample = OLDER_SAMPLES[(contract.event_type, contract.schema_version)]
        assert contract.payload.validate(contract.payload.dump(sample)) == {}
        version, payload = upcast(contract.event_type, contract.schema_version, sample)
        current = contract_for_type(contract.event_type, version)
        assert is_current(current)
        assert current.payload.load(current.payload.dump(payload)) == payload


def test_the_domain_upcasts_a_stored_version_1_loss():
    state = {"lost_on": date(2011, 3, 1), "reason": "budget"}
    Opportunity.Lost.upcast_v1_v2(state)
    assert state["lost_to"] is None
    assert Opportunity.Lost.class_version == 2


def test_a_version_1_tier_review_with_a_due_date_reads_as_a_pending_downgrade():
    state = dict(OLDER_SAMPLES[("partner.tier-reviewed", 1)])
    Partner.TierReviewed.upcast_v1_v2(state)
    assert (state["outcome"], state["floor_tier"]) == ("downgrade-pending", None)


def test_a_version_1_tier_review_without_a_due_date_reads_as_unchanged():
    state = {**OLDER_SAMPLES[("partner.tier-reviewed", 1)], "downgrade_due_on": None}
    _, payload = upcast("partner.tier-reviewed", 1, state)
    assert payload["outcome"] == "unchanged"
