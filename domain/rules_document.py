"""Rules documents of older shapes, read as today's shape with the meaning they had then.

A ``RulesPublished`` event is history: the document it carries is never rewritten. Version 1
(every rule set published before the program separated metals from specializations, e.g.
2010.1) had no field for what version 2 added, so reading it fills each new field with the
value that reproduces what the code did when that version was in force: no certified-people
threshold, a downgrade straight to the earned tier, revenue qualified only under exclusivity,
no non-exclusive registration, no transition plan and no protection benefits. Decisions
recorded under 2010.1 therefore re-derive exactly as they were taken.
"""

from __future__ import annotations

from typing import Any

RULES_DOCUMENT_VERSION = 2

# What version 1 meant, field by field (the same values ``ProgramRules`` defaults to).
LEGACY_TIER_FIELDS: dict[str, Any] = {
    "min_sales_certified": 0,
    "min_technical_certified": 0,
    "non_exclusive_uplift": "0",
}
# Three steps is the whole ladder (Platinum to Registered): no limit, as in version 1.
LEGACY_PROGRAM_FIELDS: dict[str, Any] = {
    "max_downgrade_steps": 3,
    "qualified_revenue_requires_exclusivity": True,
    "non_exclusive_registration_allowed": False,
    "transition_plan_days": 0,
    "transition_plan_lowest_floor": "registered",
    "presales_engineer_days": 0,
    "extended_support": False,
}


def upcast_rules_document(document: dict[str, Any]) -> dict[str, Any]:
    """The document in the current shape; a current document comes back unchanged."""
    if document.get("document_version", 1) == 1:
        return _v1_to_v2(document)
    return document


def _v1_to_v2(document: dict[str, Any]) -> dict[str, Any]:
    tiers = document.get("tiers")
    upcast: dict[str, Any] = {**LEGACY_PROGRAM_FIELDS, **document}
    if isinstance(tiers, list):
        # A malformed entry is left as it is, for the schema to name it.
        upcast["tiers"] = [{**LEGACY_TIER_FIELDS, **t} if isinstance(t, dict) else t for t in tiers]
    upcast["document_version"] = RULES_DOCUMENT_VERSION
    return upcast
