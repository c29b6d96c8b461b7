"""The committed contracts (contracts/published) are current, compatible, and true to the wire."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from jsonschema import Draft202012Validator, FormatChecker

from contracts.documents.publish import check_compatibility, committed, generate, stale
from contracts.wire.catalog import CONTRACTS, contract_for_type
from contracts.wire.codec import UndecodableMessage, decode
from contracts.wire.envelope import ENVELOPE_VERSION
from contracts.wire.payloads import OpportunityLostV1
from tests.builders.wire import seed_message_values


@pytest.fixture(scope="module")
def current() -> dict[str, str]:
    return generate()


@pytest.fixture(scope="module")
def published() -> dict[str, str]:
    return committed()


def validator(published: dict[str, str], name: str) -> Draft202012Validator:
    return Draft202012Validator(json.loads(published[name]), format_checker=FormatChecker())


def event_file(event_type: str, version: int) -> str:
    return f"events/{event_type}.v{version}.schema.json"


ENVELOPE_FILE = f"envelope.v{ENVELOPE_VERSION}.schema.json"


def test_published_contracts_are_not_stale(current, published):
    changed = stale(current, published)
    assert not changed, f"stale published contracts {changed}: run `make contracts`"


def test_no_published_schema_changed_incompatibly(current, published):
    report = check_compatibility(current, published)
    assert report.ok, report.describe_breaking()


def test_every_contract_version_has_its_own_file(published):
    for contract in CONTRACTS:
        assert event_file(contract.event_type, contract.schema_version) in published


@pytest.fixture(scope="module")
def seed_messages() -> list[bytes]:
    return seed_message_values(days=120)


def test_every_message_of_the_seed_scenario_validates_against_its_published_schema(
    published, seed_messages
):
    envelope = validator(published, ENVELOPE_FILE)
    validators: dict[str, Draft202012Validator] = {}
    for value in seed_messages:
        raw = json.loads(value)
        name = event_file(raw["event_type"], raw["schema_version"])
        if name not in validators:
            validators[name] = validator(published, name)
        assert list(envelope.iter_errors(raw)) == [], raw["event_type"]
        assert list(validators[name].iter_errors(raw)) == [], raw["event_type"]
    assert len(validators) >= 15, sorted(validators)


def _set(path: tuple[str, ...], new: Any) -> Callable[[dict[str, Any]], None]:
    def mutate(raw: dict[str, Any]) -> None:
        for key in path[:-1]:
            raw = raw[key]
        raw[path[-1]] = new

    return mutate


def _drop(path: tuple[str, ...]) -> Callable[[dict[str, Any]], None]:
    def mutate(raw: dict[str, Any]) -> None:
        for key in path[:-1]:
            raw = raw[key]
        del raw[path[-1]]

    return mutate


REFUSALS = {
    "negative amount": ("opportunity.registered", _set(("payload", "estimated_value"), "-1")),
    "not a date": ("partner.enrolled", _set(("payload", "enrolled_on"), "2010-13-45")),
    "unknown tier": ("partner.enrolled", _set(("payload", "legacy_tier"), "bronze")),
    "code too short": ("partner.enrolled", _set(("payload", "code"), "a")),
    "missing field": ("partner.enrolled", _drop(("payload", "name"))),
    "unknown field": ("partner.enrolled", _set(("payload", "nickname"), "x")),
    "null not allowed": ("partner.enrolled", _set(("payload", "name"), None)),
    "bad protection": ("opportunity.quote-issued", _set(("payload", "protection"), "maybe")),
    "bad hash": ("partner.enrolled", _set(("previous_hash",), "XYZ")),
    "position zero": ("partner.enrolled", _set(("position",), 0)),
    "wrong envelope version": ("partner.enrolled", _set(("envelope_version",), 2)),
    "unknown envelope field": ("partner.enrolled", _set(("extra",), 1)),
    "not a uuid": ("opportunity.exclusivity-granted", _set(("payload", "partner_id"), "nope")),
}


@pytest.mark.parametrize("case", sorted(REFUSALS))
def test_what_the_codec_refuses_the_published_schema_refuses_too(case, published, seed_messages):
    event_type, mutate = REFUSALS[case]
    value = next(v for v in seed_messages if json.loads(v)["event_type"] == event_type)
    raw = json.loads(value)
    mutate(raw)
    with pytest.raises(UndecodableMessage):
        decode(json.dumps(raw).encode())
    schema = validator(published, event_file(event_type, raw["schema_version"]))
    assert list(schema.iter_errors(raw)), f"the published schema accepts a {case}"


def test_an_older_schema_version_stays_published_for_its_messages(published, seed_messages):
    raw = json.loads(next(v for v in seed_messages if b'"opportunity.lost"' in v))
    raw["schema_version"] = 1
    raw["payload"] = OpportunityLostV1().dump(
        contract_for_type("opportunity.lost", 1).payload.load(
            {k: raw["payload"][k] for k in ("lost_on", "reason")}
        )
    )
    assert list(validator(published, event_file("opportunity.lost", 1)).iter_errors(raw)) == []
    v2_payload = json.loads(published[event_file("opportunity.lost", 2)])["properties"]["payload"]
    assert list(Draft202012Validator(v2_payload).iter_errors(raw["payload"]))  # no lost_to
    assert decode(json.dumps(raw).encode()).payload["lost_to"] is None  # upcast on decode
