"""A rules file is published only when sound; otherwise every bad field is named by its path."""

import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from marshmallow import ValidationError

from contracts.inputs.rules_schema import (
    DEFAULT_RULES_FILE,
    ProgramRulesSchema,
    RulesFileError,
    describe_rule_errors,
    load_rules_file,
)
from domain.program import Specialization, Tier
from domain.rules import ProgramRules
from tests.builders.program import RULES_2010_1_FILE


def default_document() -> dict[str, Any]:
    return json.loads(DEFAULT_RULES_FILE.read_text(encoding="utf-8"))


def problems_loading(tmp_path: Path, document: object) -> str:
    path = tmp_path / "rules.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(RulesFileError) as raised:
        load_rules_file(path)
    return str(raised.value)


def edited(**changes: Any) -> dict[str, Any]:
    document = default_document()
    document.update(changes)
    return document


def with_tier_field(index: int, field: str, value: object) -> dict[str, Any]:
    document = default_document()
    document["tiers"][index][field] = value
    return document


def with_specialization_field(index: int, field: str, value: object) -> dict[str, Any]:
    document = default_document()
    document["specializations"][index][field] = value
    return document


# --- the default rule set ------------------------------------------------------------------


def test_default_rules_file_loads_through_the_schema():
    rules = load_rules_file(DEFAULT_RULES_FILE)

    assert rules.version == "2010.2"
    assert rules.effective_from == date(2010, 11, 1)


def test_default_rules_file_loads_the_same_through_the_domain_document():
    assert load_rules_file(DEFAULT_RULES_FILE) == ProgramRules.from_document(default_document())


def test_default_rules_file_is_exactly_what_the_domain_would_publish():
    assert load_rules_file(DEFAULT_RULES_FILE).to_document() == default_document()


def test_default_rules_ask_a_specialization_of_platinum_only():
    rules = load_rules_file(DEFAULT_RULES_FILE)

    assert [rules.tier_terms(tier).min_specializations for tier in Tier] == [0, 0, 0, 1]


def test_default_rules_let_certified_non_specialists_earn_gold_on_qualified_revenue():
    rules = load_rules_file(DEFAULT_RULES_FILE)

    assert rules.tier_earned(Decimal(2_000_000), 0, 2, 2) is Tier.GOLD
    assert rules.tier_earned(Decimal(2_000_000), 0, 0, 0) is Tier.REGISTERED


def test_default_rules_move_a_partner_down_one_tier_per_review_and_plan_the_way_back():
    rules = load_rules_file(DEFAULT_RULES_FILE)

    assert rules.max_downgrade_steps == 1
    assert rules.transition_plan_days > 0
    assert not rules.qualified_revenue_requires_exclusivity
    assert rules.non_exclusive_registration_allowed


def test_the_2010_1_document_loads_with_the_meaning_it_had(tmp_path):
    legacy = RULES_2010_1_FILE
    assert "document_version" not in json.loads(legacy.read_text(encoding="utf-8"))

    rules = load_rules_file(legacy)

    assert rules.version == "2010.1"
    assert rules.tier_earned(Decimal(2_000_000), specializations_held=0) is Tier.REGISTERED
    assert rules.max_downgrade_steps == 3
    assert rules.qualified_revenue_requires_exclusivity
    assert not rules.non_exclusive_registration_allowed
    assert (rules.transition_plan_days, rules.presales_engineer_days) == (0, 0)


def test_a_document_of_an_unknown_version_is_refused(tmp_path):
    problems = problems_loading(tmp_path, edited(document_version=3))

    assert "document_version: Must be equal to 2." in problems


def test_default_rules_keep_specialized_partners_below_twenty():
    assert load_rules_file(DEFAULT_RULES_FILE).max_specialized_partners == 19


def test_default_rules_ask_one_sales_and_two_technical_certified_people_per_specialization():
    rules = load_rules_file(DEFAULT_RULES_FILE)

    assert {(s.min_sales_certified, s.min_technical_certified) for s in rules.specializations} == {
        (1, 2)
    }


def test_default_rules_keep_legacy_tiers_for_twelve_months():
    rules = load_rules_file(DEFAULT_RULES_FILE)

    assert rules.in_transition(date(2011, 10, 31))
    assert not rules.in_transition(date(2011, 11, 1))


# --- what is accepted ----------------------------------------------------------------------


def test_decimals_may_be_written_as_json_numbers(tmp_path):
    path = tmp_path / "rules.json"
    path.write_text(json.dumps(with_tier_field(3, "base_discount", 20.5)), encoding="utf-8")

    assert load_rules_file(path).tier_terms(Tier.PLATINUM).base_discount == Decimal("20.5")


def test_decimals_written_as_strings_keep_their_exact_digits():
    rules = ProgramRulesSchema().load(with_tier_field(3, "base_discount", "20.50"))

    assert str(rules.tier_terms(Tier.PLATINUM).base_discount) == "20.50"


def test_schema_load_returns_program_rules_with_tuples():
    rules = ProgramRulesSchema().load(default_document())

    assert isinstance(rules, ProgramRules)
    assert isinstance(rules.tiers, tuple)
    assert isinstance(rules.specializations, tuple)


def test_zero_downgrade_grace_is_accepted():
    assert ProgramRulesSchema().load(edited(downgrade_grace_days=0)).downgrade_grace_days == 0


def test_tiers_and_specializations_may_be_listed_in_any_order():
    document = default_document()
    document["tiers"].reverse()
    document["specializations"].reverse()

    rules = ProgramRulesSchema().load(document)

    assert rules.tier_terms(Tier.GOLD).base_discount == Decimal(15)
    assert rules.specialization_terms(Specialization.DATA_PROTECTION).uplift_bonus == Decimal(5)


# --- each kind of bad field ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        pytest.param(
            with_tier_field(1, "min_qualified_revenue", "-1"),
            "tiers.1.min_qualified_revenue: Must be greater than or equal to 0.",
            id="negative-amount",
        ),
        pytest.param(
            with_tier_field(2, "base_discount", "-0.5"),
            "tiers.2.base_discount: Must be greater than or equal to 0 and less than 100.",
            id="negative-discount",
        ),
        pytest.param(
            with_tier_field(0, "base_discount", "100"),
            "tiers.0.base_discount: Must be greater than or equal to 0 and less than 100.",
            id="discount-of-100",
        ),
        pytest.param(
            with_specialization_field(4, "uplift_bonus", 150),
            "specializations.4.uplift_bonus: Must be greater than or equal to 0 and less than 100.",
            id="bonus-over-100",
        ),
        pytest.param(
            with_tier_field(1, "min_qualified_revenue", "a lot"),
            "tiers.1.min_qualified_revenue: Not a valid number.",
            id="amount-not-a-number",
        ),
        pytest.param(
            with_tier_field(1, "base_discount", "NaN"),
            "tiers.1.base_discount: Special numeric values (nan or infinity) are not permitted.",
            id="discount-nan",
        ),
        pytest.param(
            with_specialization_field(3, "specialization", "quantum-computing"),
            "specializations.3.specialization: Must be one of: data-protection,",
            id="unknown-specialization",
        ),
        pytest.param(
            with_tier_field(0, "tier", "bronze"),
            "tiers.0.tier: Must be one of: registered, silver, gold, platinum.",
            id="unknown-tier",
        ),
        pytest.param(
            with_specialization_field(0, "min_sales_certified", 0),
            "specializations.0.min_sales_certified: Must be greater than or equal to 1.",
            id="no-sales-certified-required",
        ),
        pytest.param(
            with_specialization_field(0, "min_technical_certified", "2"),
            "specializations.0.min_technical_certified: Not a valid integer.",
            id="count-as-string",
        ),
        pytest.param(
            with_tier_field(3, "min_specializations", 10),
            "tiers.3.min_specializations: Must be greater than or equal to 0 and less than or "
            "equal to 9.",
            id="more-specializations-than-exist",
        ),
        pytest.param(
            edited(max_specialized_partners=0),
            "max_specialized_partners: Must be greater than or equal to 1.",
            id="no-specialized-partners",
        ),
        pytest.param(
            edited(registration_validity_days=90.5),
            "registration_validity_days: Not a valid integer.",
            id="fractional-days",
        ),
        pytest.param(
            edited(downgrade_grace_days=-1),
            "downgrade_grace_days: Must be greater than or equal to 0.",
            id="negative-grace",
        ),
        pytest.param(
            edited(re_registration_allowed="yes"),
            "re_registration_allowed: Not a valid boolean.",
            id="boolean-as-string",
        ),
        pytest.param(
            edited(effective_from="2010-11-31"),
            "effective_from: Not a valid date.",
            id="bad-date",
        ),
        pytest.param(
            edited(transition_ends_on="next year"),
            "transition_ends_on: Not a valid date.",
            id="date-not-iso",
        ),
        pytest.param(
            edited(version=""),
            "version: must not be blank or padded with spaces",
            id="empty-version",
        ),
        pytest.param(
            edited(version="   "),
            "version: must not be blank or padded with spaces",
            id="blank-version",
        ),
        pytest.param(
            edited(version=" 2010.1"),
            "version: must not be blank or padded with spaces",
            id="padded-version",
        ),
        pytest.param(
            edited(version="v" * 41),
            "version: Longer than maximum length 40.",
            id="version-too-long",
        ),
        pytest.param(
            edited(colour="blue"),
            "colour: Unknown field.",
            id="unknown-extra-field",
        ),
        pytest.param(
            with_tier_field(2, "colour", "gold"),
            "tiers.2.colour: Unknown field.",
            id="unknown-extra-field-in-a-tier",
        ),
        pytest.param(
            edited(tiers=[None, *default_document()["tiers"][1:]]),
            "tiers.0: Field may not be null.",
            id="null-tier",
        ),
        pytest.param(
            edited(tiers="all of them"),
            "tiers: Not a valid list.",
            id="tiers-not-a-list",
        ),
    ],
)
def test_each_bad_field_is_named_with_its_path(tmp_path, document, expected):
    assert expected in problems_loading(tmp_path, document)


def test_missing_field_is_named(tmp_path):
    document = default_document()
    del document["downgrade_grace_days"]

    assert "downgrade_grace_days: Missing data for required field." in problems_loading(
        tmp_path, document
    )


def test_missing_field_inside_a_tier_is_named_with_its_position(tmp_path):
    document = default_document()
    del document["tiers"][2]["registration_uplift"]

    assert "tiers.2.registration_uplift: Missing data for required field." in problems_loading(
        tmp_path, document
    )


def test_tier_listed_twice_is_rejected(tmp_path):
    problems = problems_loading(tmp_path, with_tier_field(2, "tier", "silver"))

    assert (
        "tiers: must list each tier exactly once (silver listed 2 times; gold missing)" in problems
    )


def test_missing_tier_is_rejected(tmp_path):
    document = default_document()
    del document["tiers"][3]

    assert "tiers: must list each tier exactly once (platinum missing)" in problems_loading(
        tmp_path, document
    )


def test_specialization_listed_twice_is_rejected(tmp_path):
    problems = problems_loading(
        tmp_path, with_specialization_field(8, "specialization", "data-protection")
    )

    assert (
        "specializations: must list each specialization exactly once "
        "(data-protection listed 2 times; messaging-security missing)"
    ) in problems


def test_missing_specialization_is_rejected(tmp_path):
    document = default_document()
    document["specializations"].pop()

    assert (
        "specializations: must list each specialization exactly once (messaging-security missing)"
        in problems_loading(tmp_path, document)
    )


def test_tier_base_discount_below_the_tier_under_it_is_rejected(tmp_path):
    # Silver at 4 would be quoted less than a Registered non-holder at 5.
    problems = problems_loading(tmp_path, with_tier_field(1, "base_discount", "4"))

    assert "tiers.1.base_discount: must not be below registered's (5)" in problems


def test_tier_position_in_the_path_follows_the_file_not_the_ladder(tmp_path):
    document = default_document()
    document["tiers"].reverse()  # platinum first, registered last
    document["tiers"][1]["base_discount"] = "9"  # gold, now below silver's 10

    assert "tiers.1.base_discount: must not be below silver's (10)" in problems_loading(
        tmp_path, document
    )


def test_equal_base_discounts_on_adjacent_tiers_are_accepted():
    rules = ProgramRulesSchema().load(with_tier_field(1, "base_discount", "5"))

    assert (
        rules.tier_terms(Tier.SILVER).base_discount
        == rules.tier_terms(Tier.REGISTERED).base_discount
    )


def test_higher_tier_asking_fewer_specializations_is_rejected(tmp_path):
    problems = problems_loading(tmp_path, with_tier_field(2, "min_specializations", 2))

    assert "tiers.3.min_specializations: must not be below gold's (2)" in problems


def test_zero_uplift_is_rejected_by_the_domain_under_the_tier_name(tmp_path):
    problems = problems_loading(tmp_path, with_tier_field(2, "registration_uplift", "0"))

    assert "tiers.gold.registration_uplift: must be at least 1 point" in problems


def test_total_discount_of_100_is_rejected_by_the_domain(tmp_path):
    # 20 base + 75 uplift + the largest specialization bonus (5) reaches 100.
    problems = problems_loading(tmp_path, with_tier_field(3, "registration_uplift", "75"))

    assert "tiers.platinum: total discount must stay below 100" in problems


def test_revenue_threshold_below_the_lower_tier_is_rejected_by_the_domain(tmp_path):
    problems = problems_loading(tmp_path, with_tier_field(2, "min_qualified_revenue", "99999"))

    assert "tiers.gold.min_qualified_revenue: must not be below silver's" in problems


def test_schema_reports_a_domain_rejection_as_a_validation_error_on_that_field():
    with pytest.raises(ValidationError) as raised:
        ProgramRulesSchema().load(with_tier_field(0, "registration_uplift", "0"))

    assert raised.value.messages == {
        "tiers.registered.registration_uplift": ["must be at least 1 point"]
    }


def test_every_bad_field_is_listed_at_once(tmp_path):
    document = with_tier_field(1, "min_qualified_revenue", "-1")
    document["version"] = ""
    document["colour"] = "blue"

    problems = problems_loading(tmp_path, document).splitlines()

    assert problems[1:] == [
        "version: must not be blank or padded with spaces",
        "tiers.1.min_qualified_revenue: Must be greater than or equal to 0.",
        "colour: Unknown field.",
    ]


def test_problems_are_also_available_one_per_line(tmp_path):
    path = tmp_path / "rules.json"
    path.write_text(json.dumps(edited(downgrade_grace_days=-1)), encoding="utf-8")

    with pytest.raises(RulesFileError) as raised:
        load_rules_file(path)

    assert raised.value.problems == ("downgrade_grace_days: Must be greater than or equal to 0.",)
    assert raised.value.path == path


def test_rules_file_error_is_a_value_error(tmp_path):
    with pytest.raises(ValueError, match="cannot load program rules"):
        load_rules_file(tmp_path / "absent.json")


def test_document_that_is_not_an_object_is_rejected(tmp_path):
    assert "document: Invalid input type." in problems_loading(tmp_path, ["not", "rules"])


def test_describe_rule_errors_flattens_nested_paths():
    error = ValidationError({"tiers": {2: {"base_discount": ["too low"]}}, "_schema": ["odd"]})

    assert describe_rule_errors(error) == ["tiers.2.base_discount: too low", "document: odd"]


# --- files that are not JSON rule documents ------------------------------------------------


def test_invalid_json_is_reported_with_line_and_column(tmp_path):
    path = tmp_path / "rules.json"
    path.write_text('{\n  "version": "2010.1",\n  "effective_from": ,\n}\n', encoding="utf-8")

    with pytest.raises(RulesFileError, match=r"invalid JSON at line 3, column 21: Expecting value"):
        load_rules_file(path)


def test_missing_file_is_reported_with_its_path(tmp_path):
    path = tmp_path / "absent.json"

    with pytest.raises(RulesFileError) as raised:
        load_rules_file(path)

    assert str(raised.value) == f"{path}: cannot load program rules\nfile not found"


def test_directory_instead_of_a_file_is_reported(tmp_path):
    with pytest.raises(RulesFileError, match="cannot be read"):
        load_rules_file(tmp_path)


def test_file_that_is_not_utf8_is_reported(tmp_path):
    path = tmp_path / "rules.json"
    path.write_bytes(b'{"version": "\xff"}')

    with pytest.raises(RulesFileError, match="not UTF-8 text"):
        load_rules_file(path)


def test_key_written_twice_in_one_object_is_rejected(tmp_path):
    path = tmp_path / "rules.json"
    text = json.dumps(default_document())
    path.write_text(
        text.replace('"version": "2010.2"', '"version": "2010.2", "version": "2010.3"'),
        encoding="utf-8",
    )

    with pytest.raises(RulesFileError, match="version: appears twice in the same JSON object"):
        load_rules_file(path)


def test_a_non_exclusive_uplift_reaching_a_registration_uplift_is_rejected(tmp_path):
    # Registered's uplift is 10: a non-exclusive registrant must stay a full point behind it.
    problems = problems_loading(tmp_path, with_tier_field(3, "non_exclusive_uplift", "9.5"))

    assert (
        "tiers.registered.registration_uplift: must exceed every tier's non_exclusive_uplift "
        "by at least 1 point"
    ) in problems


def test_a_downgrade_limit_of_zero_steps_is_rejected(tmp_path):
    problems = problems_loading(tmp_path, edited(max_downgrade_steps=0))

    assert "max_downgrade_steps: Must be greater than or equal to 1" in problems
