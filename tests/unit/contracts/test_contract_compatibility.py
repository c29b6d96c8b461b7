"""The compatibility check: published schema versions are frozen against breaking changes."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from contracts.documents.compatibility import check, compare
from contracts.documents.publish import ContractError, committed, generate, publish

BEFORE: dict[str, Any] = {
    "type": "object",
    "properties": {
        "code": {"type": "string", "minLength": 2, "maxLength": 63},
        "tier": {"type": "string", "enum": ["silver", "gold"]},
        "seats": {"type": "integer", "minimum": 0, "maximum": 100},
        "amount": {"type": "string", "pattern": "^[0-9]+$", "x-decimal-minimum": "0"},
        "note": {"type": "string"},
        "tags": {"type": "array", "items": {"type": "string", "format": "uuid"}},
    },
    "required": ["code", "tier", "seats", "amount", "tags"],
    "additionalProperties": False,
}


def changed(edit) -> dict[str, Any]:
    after = copy.deepcopy(BEFORE)
    edit(after)
    return after


def breaking(after: dict[str, Any]) -> list[str]:
    return [str(c) for c in compare(BEFORE, after) if c.breaking]


def compatible(after: dict[str, Any]) -> list[str]:
    return [str(c) for c in compare(BEFORE, after) if not c.breaking]


BREAKING_CHANGES = {
    "field removed": lambda s: s["properties"].pop("note"),
    "type changed": lambda s: s["properties"]["seats"].update(type="string"),
    "became nullable": lambda s: s["properties"]["code"].update(type=["string", "null"]),
    "new required field": lambda s: (
        s["properties"].update(region={"type": "string"}),
        s["required"].append("region"),
    ),
    "field became required": lambda s: s["required"].append("note"),
    "enum value removed": lambda s: s["properties"]["tier"].update(enum=["gold"]),
    "range narrowed": lambda s: s["properties"]["seats"].update(maximum=50),
    "lower bound raised": lambda s: s["properties"]["seats"].update(minimum=1),
    "decimal bound raised": lambda s: s["properties"]["amount"].update({"x-decimal-minimum": "1"}),
    "length narrowed": lambda s: s["properties"]["code"].update(maxLength=10),
    "pattern changed": lambda s: s["properties"]["amount"].update(pattern="^[0-9]{1,3}$"),
    "format changed": lambda s: s["properties"]["tags"]["items"].update(format="date"),
    "item type changed": lambda s: s["properties"]["tags"].update(items={"type": "integer"}),
    "limited to values": lambda s: s["properties"]["note"].update(enum=["a"]),
    "closed further": lambda s: s["properties"]["tags"].update(additionalProperties=False),
}


@pytest.mark.parametrize("kind", sorted(BREAKING_CHANGES))
def test_breaking_change_is_detected(kind):
    found = breaking(changed(BREAKING_CHANGES[kind]))
    assert found, f"{kind} not detected"


def test_breaking_changes_name_the_field_and_the_rule():
    assert breaking(changed(BREAKING_CHANGES["field removed"])) == ["$.note: field removed"]
    assert breaking(changed(BREAKING_CHANGES["enum value removed"])) == [
        "$.tier: enum values removed: ['silver']"
    ]
    assert breaking(changed(BREAKING_CHANGES["range narrowed"])) == [
        "$.seats: range narrowed: maximum 100 -> 50"
    ]


COMPATIBLE_CHANGES = {
    "new optional field": lambda s: s["properties"].update(region={"type": "string"}),
    "enum value added": lambda s: s["properties"]["tier"]["enum"].append("platinum"),
    "range widened": lambda s: s["properties"]["seats"].update(maximum=1000),
    "bound dropped": lambda s: s["properties"]["code"].pop("minLength"),
    "no longer required": lambda s: s["required"].remove("tags"),
    "description": lambda s: s.update(description="what it means"),
}


@pytest.mark.parametrize("kind", sorted(COMPATIBLE_CHANGES))
def test_compatible_change_is_reported_but_not_breaking(kind):
    after = changed(COMPATIBLE_CHANGES[kind])
    assert breaking(after) == []
    assert compatible(after), f"{kind} not reported"


def test_identical_schemas_have_no_changes():
    assert compare(BEFORE, copy.deepcopy(BEFORE)) == []


def test_a_contract_no_longer_published_is_breaking_and_a_new_one_is_not():
    report = check({"a.v1": BEFORE}, {"b.v1": BEFORE})
    assert list(report.breaking) == ["a.v1"]
    assert report.new == ["b.v1"]
    assert "frozen" in report.describe_breaking()


@pytest.fixture
def published_copy(tmp_path: Path) -> Path:
    for name, text in generate().items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    return tmp_path


def test_publishing_twice_writes_the_same_bytes(tmp_path):
    assert len(publish(tmp_path)) == len(generate())
    first = committed(tmp_path)
    assert publish(tmp_path) == []
    assert committed(tmp_path) == first


def test_publish_refuses_a_breaking_change_and_writes_nothing(published_copy):
    name = "events/partner.enrolled.v1.schema.json"
    frozen = json.loads((published_copy / name).read_text())
    # As if the code had since dropped a field the published version carries.
    frozen["properties"]["payload"]["properties"]["nickname"] = {"type": "string"}
    (published_copy / name).write_text(json.dumps(frozen))
    (published_copy / "asyncapi.json").write_text("{}")
    before = committed(published_copy)
    with pytest.raises(
        ContractError, match=r"(?s)partner.enrolled.v1.*payload.nickname: field removed"
    ):
        publish(published_copy)
    assert committed(published_copy) == before


def test_publish_keeps_files_of_versions_it_no_longer_generates_and_refuses_to_go_on(
    published_copy,
):
    old = published_copy / "events/partner.enrolled.v0.schema.json"
    old.write_text((published_copy / "events/partner.enrolled.v1.schema.json").read_text())
    with pytest.raises(ContractError, match="no longer published"):
        publish(published_copy)
    assert old.exists()
