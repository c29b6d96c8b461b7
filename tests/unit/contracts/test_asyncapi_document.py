"""The AsyncAPI document names every topic, message, key and header as the ledger writes them."""

from __future__ import annotations

import copy

from kafka import TopicPartition

from consumers.dead_letters import DeadLetter, headers
from contracts.documents.asyncapi import DEFAULT_TOPIC_PREFIX, asyncapi_document, message_id
from contracts.documents.publish import asyncapi_problems
from contracts.wire.catalog import AGGREGATE_TYPES, CONTRACTS, chain_topic_name, topic_name
from contracts.wire.chain import SEAL_HEADERS
from infra.kafka.topics import dead_letter_topic
from infra.relay.cloudevents import ATTRIBUTE_HEADERS
from infra.settings import Settings


def test_the_document_is_structurally_valid_asyncapi_3():
    assert asyncapi_problems(asyncapi_document()) == []


def test_structural_check_finds_broken_documents():
    document = copy.deepcopy(asyncapi_document())
    document["asyncapi"] = "2.6.0"
    document["operations"]["receive-partner"]["action"] = "publish"
    document["channels"]["partner"]["messages"]["ghost"] = {"$ref": "#/components/messages/ghost"}
    problems = asyncapi_problems(document)
    assert "asyncapi must be '3.0.0'" in problems
    assert "operations.receive-partner.action must be send or receive" in problems
    assert "unresolved $ref #/components/messages/ghost" in problems


def test_one_channel_per_topic_at_the_default_prefix():
    settings = Settings.from_env({})
    assert settings.topic_prefix == DEFAULT_TOPIC_PREFIX
    addresses = {c["address"] for c in asyncapi_document()["channels"].values()}
    assert addresses == {
        *(topic_name(settings.topic_prefix, kind) for kind in AGGREGATE_TYPES),
        dead_letter_topic(settings),
        chain_topic_name(settings.topic_prefix),
    }


def test_another_prefix_changes_only_the_addresses():
    assert asyncapi_document("acme")["channels"]["partner"]["address"] == "acme.partner"


def test_every_contract_version_is_a_message_with_the_headers_the_relay_writes():
    document = asyncapi_document()
    for contract in CONTRACTS:
        message = document["components"]["messages"][message_id(contract)]
        channel = document["channels"][contract.aggregate_type]
        assert message_id(contract) in channel["messages"]
        written = {name: value.decode() for name, value in contract.headers}
        described = message["headers"]["properties"]
        constant = {name: s["const"] for name, s in described.items() if name in written}
        assert constant == written
        # The rest are the CloudEvents attributes, which vary by event
        # (tests/unit/infra/test_cloudevent_headers.py validates real ones against them).
        assert sorted(set(described) - set(written)) == sorted(ATTRIBUTE_HEADERS)
        assert message["bindings"]["kafka"]["key"]["format"] == "uuid"


def test_dead_letter_headers_are_those_the_projector_writes():
    letter = DeadLetter(TopicPartition("ledger.partner", 2), 7, b"k", b"v", "why")
    described = asyncapi_document()["components"]["messages"]["dead-letter"]["headers"]
    assert sorted(described["properties"]) == sorted(name for name, _ in headers(letter))


def test_chain_seal_headers_are_those_the_relay_writes():
    described = asyncapi_document()["components"]["messages"]["chain-seal"]["headers"]
    assert {n: s["const"] for n, s in described["properties"].items()} == {
        name: value.decode() for name, value in SEAL_HEADERS
    }
