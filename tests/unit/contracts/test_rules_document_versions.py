"""Rules documents are history: a version 1 document (2010.1 as it was published) still loads,
with the meaning it had then; today's documents round-trip exactly."""

import json
from datetime import date

from domain.partner_program import PartnerProgram
from domain.program import Tier
from domain.rules import ProgramRules
from domain.rules_document import RULES_DOCUMENT_VERSION, upcast_rules_document
from tests.builders.program import RULES_2010_1_FILE, current_rules


def v1_document() -> dict:
    return json.loads(RULES_2010_1_FILE.read_text(encoding="utf-8"))


def test_a_current_document_round_trips_exactly():
    rules = current_rules()

    assert ProgramRules.from_document(rules.to_document()) == rules
    assert rules.to_document()["document_version"] == RULES_DOCUMENT_VERSION


def test_a_current_document_is_not_changed_by_the_upcaster():
    document = current_rules().to_document()

    assert upcast_rules_document(document) == document


def test_a_version_1_document_keeps_every_field_it_had():
    original = v1_document()

    upcast = upcast_rules_document(original)

    assert {k: upcast[k] for k in original if k != "tiers"} == {
        k: v for k, v in original.items() if k != "tiers"
    }
    for before, after in zip(original["tiers"], upcast["tiers"], strict=True):
        assert {k: after[k] for k in before} == before


def test_a_version_1_document_reads_with_the_rules_it_meant():
    rules = ProgramRules.from_document(v1_document())

    assert rules.version == "2010.1"
    assert rules.max_downgrade_steps == 3  # straight to the earned tier
    assert rules.qualified_revenue_requires_exclusivity
    assert not rules.non_exclusive_registration_allowed
    assert rules.transition_plan_days == 0
    assert all(t.min_sales_certified == t.min_technical_certified == 0 for t in rules.tiers)
    assert rules.tier_earned(10**6, specializations_held=0) is Tier.REGISTERED


def test_a_program_whose_store_holds_a_version_1_document_still_loads_its_rules():
    program = PartnerProgram(name="partner-program", started_on=date(2010, 11, 1))
    # As the event was recorded before document versions existed: the raw 2010.1 document.
    program._rules_published("2010.1", date(2010, 11, 1), v1_document())

    assert program.rules_in_force(date(2011, 1, 1)) == ProgramRules.from_document(v1_document())
