"""The program-rules document: validated at the edge before it becomes a ``ProgramRules``.

A rule set is published from a JSON file an operator edits by hand, so every mistake must come
back as ``field.path: reason`` (``tiers.2.base_discount: ...``) that points into that file,
all mistakes at once where possible, and nothing may be published until the whole document is
sound. The document has exactly the shape ``ProgramRules.to_document()`` produces; decimals may
be written as strings or as JSON numbers, dates as ISO strings.

The schema checks each field on its own and the cross-entry rules that need the raw list
positions (each tier and specialization once, tier ladders that do not go down); those wait
until every entry loads, so they are reported on the next attempt. The domain's
``check_rules`` remains the last word: whatever it rejects is reported under the field path it
names.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator, Sequence
from decimal import Decimal
from enum import Enum
from itertools import pairwise
from pathlib import Path
from typing import Any, cast

from marshmallow import (
    RAISE,
    Schema,
    ValidationError,
    fields,
    post_load,
    pre_load,
    validate,
    validates,
)

import domain
from domain.errors import InvalidProgramRules
from domain.program import Specialization, Tier
from domain.rules import TIER_ORDER, ProgramRules, SpecializationTerms, TierTerms
from domain.rules_document import RULES_DOCUMENT_VERSION, upcast_rules_document

# The program's rules in force by default: business data, kept beside the domain that reads them.
DEFAULT_RULES_FILE = Path(domain.__file__).with_name("default_rules.json")

# Discounts are percentage points off list price: 100 or more would give the product away.
_percentage_points = validate.Range(min=0, max=100, max_inclusive=False)
_at_least_one = validate.Range(min=1)


def _decimal(*validators: validate.Validator) -> fields.Decimal:
    # Strings keep the exact value a person typed; JSON numbers are accepted for convenience.
    return fields.Decimal(required=True, validate=list(validators))


def _integer(*validators: validate.Validator) -> fields.Integer:
    # strict: a count of days or people written as "90" or 90.5 is a typo, not a value to coerce.
    return fields.Integer(required=True, strict=True, validate=list(validators))


class TierTermsSchema(Schema):
    class Meta:
        unknown = RAISE

    tier = fields.Enum(Tier, by_value=True, required=True)
    min_qualified_revenue = _decimal(validate.Range(min=0))
    # Nobody can hold more specializations than exist.
    min_specializations = _integer(validate.Range(min=0, max=len(Specialization)))
    base_discount = _decimal(_percentage_points)
    # Positivity of the uplift is the domain's rule (check_rules); here only the range.
    registration_uplift = _decimal(_percentage_points)
    # Distinct people certified (any specialization) on the review date.
    min_sales_certified = _integer(validate.Range(min=0))
    min_technical_certified = _integer(validate.Range(min=0))
    # Preferential conditions for pre-sales work without exclusivity; the domain checks it
    # stays below every registration uplift.
    non_exclusive_uplift = _decimal(_percentage_points)

    @post_load
    def make_terms(self, data: dict[str, Any], **_: Any) -> TierTerms:
        return TierTerms(**data)


class SpecializationTermsSchema(Schema):
    class Meta:
        unknown = RAISE

    specialization = fields.Enum(Specialization, by_value=True, required=True)
    # A specialization that asks for no certified people would certify nothing.
    min_sales_certified = _integer(_at_least_one)
    min_technical_certified = _integer(_at_least_one)
    uplift_bonus = _decimal(_percentage_points)

    @post_load
    def make_terms(self, data: dict[str, Any], **_: Any) -> SpecializationTerms:
        return SpecializationTerms(**data)


class ProgramRulesSchema(Schema):
    """Loads a rules document into a ``ProgramRules``; errors are keyed by field path."""

    class Meta:
        unknown = RAISE

    # Older documents are upcast before they load (domain.rules_document), from a file or an
    # HTTP body alike; only the current shape reaches the fields.
    document_version = fields.Integer(
        required=True, strict=True, validate=validate.Equal(RULES_DOCUMENT_VERSION)
    )
    version = fields.String(
        required=True,
        validate=[
            validate.Length(max=40),
            # Decisions cite the version: an empty, blank or padded one would not match when
            # looked up. (The pattern also rejects "", so Length need not repeat it.)
            validate.Regexp(r"^\S(?:.*\S)?$", error="must not be blank or padded with spaces"),
        ],
    )
    effective_from = fields.Date(required=True)
    tiers = fields.List(fields.Nested(TierTermsSchema), required=True)
    specializations = fields.List(fields.Nested(SpecializationTermsSchema), required=True)
    max_specialized_partners = _integer(_at_least_one)
    qualified_revenue_window_days = _integer(_at_least_one)
    registration_validity_days = _integer(_at_least_one)
    re_registration_allowed = fields.Boolean(required=True, truthy={True}, falsy={False})
    tier_review_interval_days = _integer(_at_least_one)
    # Zero grace is a legitimate policy: downgrade at the first review that fails.
    downgrade_grace_days = _integer(validate.Range(min=0))
    transition_ends_on = fields.Date(required=True)
    max_downgrade_steps = _integer(validate.Range(min=1, max=len(TIER_ORDER) - 1))
    qualified_revenue_requires_exclusivity = fields.Boolean(
        required=True, truthy={True}, falsy={False}
    )
    non_exclusive_registration_allowed = fields.Boolean(required=True, truthy={True}, falsy={False})
    transition_plan_days = _integer(validate.Range(min=0))
    transition_plan_lowest_floor = fields.Enum(Tier, by_value=True, required=True)
    presales_engineer_days = _integer(validate.Range(min=0))
    extended_support = fields.Boolean(required=True, truthy={True}, falsy={False})

    @pre_load
    def upcast_older_document(self, data: Any, **_: Any) -> Any:
        return upcast_rules_document(data) if isinstance(data, dict) else data

    @validates("tiers")
    def each_tier_once_on_a_rising_ladder(self, value: list[object], **_: Any) -> None:
        if not _all_loaded(value, TierTerms):
            return
        tiers = cast("list[TierTerms]", value)
        _require_each_once("tier", [t.tier for t in tiers], list(TIER_ORDER))
        by_tier = {terms.tier: (index, terms) for index, terms in enumerate(tiers)}
        errors: dict[int, dict[str, list[str]]] = {}
        # Each tier against the one below it: non-decreasing steps make the whole ladder so.
        for lower, higher in pairwise(TIER_ORDER):
            lower_terms = by_tier[lower][1]
            index, terms = by_tier[higher]
            # On a protected opportunity a non-holder is quoted at Registered's base discount
            # and the holder at its own base plus the uplift; a tier whose base fell below
            # Registered's could leave the specialist quoted above a competitor, which is what
            # protection forbids. A higher tier paying less than the one below is no promotion.
            if terms.base_discount < lower_terms.base_discount:
                errors.setdefault(index, {})["base_discount"] = [
                    f"must not be below {lower.value}'s ({lower_terms.base_discount})"
                ]
            # tier_earned picks the highest tier whose thresholds are met: if a higher tier asked
            # for fewer specializations, a partner could reach it without qualifying below it.
            if terms.min_specializations < lower_terms.min_specializations:
                errors.setdefault(index, {})["min_specializations"] = [
                    f"must not be below {lower.value}'s ({lower_terms.min_specializations})"
                ]
        if errors:
            raise ValidationError(errors)

    @validates("specializations")
    def each_specialization_once(self, value: list[object], **_: Any) -> None:
        if not _all_loaded(value, SpecializationTerms):
            return
        specializations = cast("list[SpecializationTerms]", value)
        _require_each_once(
            "specialization", [s.specialization for s in specializations], list(Specialization)
        )

    @post_load
    def make_rules(self, data: dict[str, Any], **_: Any) -> ProgramRules:
        # Tuples, not lists: the rule set is a frozen value compared by equality.
        data["tiers"] = tuple(data["tiers"])
        data["specializations"] = tuple(data["specializations"])
        del data["document_version"]
        try:
            return ProgramRules(**data)
        except InvalidProgramRules as error:
            # The domain's messages start with the field path: "tiers.gold.x: reason".
            field_path, separator, reason = error.message.partition(": ")
            if not separator:
                raise ValidationError(error.message) from error
            raise ValidationError(reason, field_name=field_path) from error


def _all_loaded(entries: list[object], terms_type: type) -> bool:
    # When an entry has a bad field, marshmallow still hands the list to field validators, with
    # that entry as the raw dict of its valid fields. Its own errors are already reported; the
    # checks across entries wait until every entry is whole.
    return all(isinstance(entry, terms_type) for entry in entries)


def _require_each_once(kind: str, listed: Sequence[Enum], expected: Sequence[Enum]) -> None:
    counts = Counter(listed)
    problems = [
        f"{member.value} listed {counts[member]} times" for member in counts if counts[member] > 1
    ]
    problems += [f"{member.value} missing" for member in expected if member not in counts]
    if problems:
        raise ValidationError(f"must list each {kind} exactly once ({'; '.join(problems)})")


class RulesFileError(ValueError):
    """A rules file that cannot be published; the message lists every problem found."""

    def __init__(self, path: Path, problems: Sequence[str]) -> None:
        self.path = path
        self.problems = tuple(problems)
        super().__init__("\n".join([f"{path}: cannot load program rules", *self.problems]))


def describe_rule_errors(error: ValidationError) -> list[str]:
    """One ``field.path: reason`` line per problem, with list positions in the path."""
    return [f"{path}: {reason}" for path, reason in _flatten(error.messages, "")]


def _flatten(messages: object, prefix: str) -> Iterator[tuple[str, str]]:
    if isinstance(messages, dict):
        for key, nested in messages.items():
            # "_schema" holds errors about the enclosing object itself, not a field of it.
            yield from _flatten(nested, prefix if key == "_schema" else _join(prefix, key))
    elif isinstance(messages, list):
        for message in messages:
            yield from _flatten(message, prefix)
    else:
        yield prefix or "document", str(messages)


def _join(prefix: str, key: object) -> str:
    return f"{prefix}.{key}" if prefix else str(key)


def load_rules_file(path: Path) -> ProgramRules:
    """Read, parse and validate a rules file; any problem raises ``RulesFileError``."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as error:
        raise RulesFileError(path, ["file not found"]) from error
    except UnicodeDecodeError as error:
        raise RulesFileError(path, [f"not UTF-8 text ({error.reason})"]) from error
    except OSError as error:
        raise RulesFileError(path, [f"cannot be read ({error.strerror})"]) from error
    try:
        # Decimal, not float: 0.1 written in the file must stay exactly 0.1.
        document = json.loads(text, parse_float=Decimal, object_pairs_hook=_reject_duplicate_keys)
    except json.JSONDecodeError as error:
        raise RulesFileError(
            path, [f"invalid JSON at line {error.lineno}, column {error.colno}: {error.msg}"]
        ) from error
    except _DuplicateKeyError as error:
        raise RulesFileError(path, [str(error)]) from error
    try:
        rules: ProgramRules = ProgramRulesSchema().load(document)
    except ValidationError as error:
        raise RulesFileError(path, describe_rule_errors(error)) from error
    return rules


class _DuplicateKeyError(ValueError):
    pass


def _reject_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # The json module keeps the last of two equal keys silently; in a hand-edited rules file
    # that hides which of the two values the author meant.
    obj: dict[str, Any] = {}
    for key, value in pairs:
        if key in obj:
            raise _DuplicateKeyError(f"{key}: appears twice in the same JSON object")
        obj[key] = value
    return obj
