"""The Merkle log on a real broker: signed checkpoints, forgeries, split views, rotated keys,
restarts, proofs checked offline, and the store compared with Kafka byte for byte."""

from __future__ import annotations

import base64
import dataclasses
import json
from datetime import UTC, datetime

import orjson
import pytest
from kafka import KafkaProducer
from sqlalchemy import create_engine, text

from contracts.wire.catalog import chain_topic_name
from contracts.wire.chain import ChainHead, event_hash, seal_value
from contracts.wire.checkpoint import Checkpoint, load_checkpoint_note, signed_checkpoint
from contracts.wire.merkle import leaf_hash
from contracts.wire.signed_note import Signer
from infra.bootstrap import open_relay
from infra.log_keys import log_origin, log_signer
from infra.relay.checkpoint import RelayCheckpoint, relay_merkle_frontier
from infra.store.event_store import open_ledger
from infra.store.urls import sqlalchemy_url
from tests.builders.merkle_reference import mth
from tests.builders.scenario import certify, enrol_partners
from tests.integration.infra.test_audit_verify import position_of, snapshot

pytestmark = pytest.mark.kafka
BATCH = 10


def record_partners(settings, count: int, first: int = 0) -> None:
    ledger = open_ledger(settings)
    try:
        for code in enrol_partners(ledger, count, first=first):
            certify(ledger, code, "Ann")
            certify(ledger, code, "Bob")
    finally:
        ledger.close()


def relay(settings) -> None:
    ledger = open_ledger(settings)
    try:
        running = open_relay(dataclasses.replace(settings, relay_batch_size=BATCH), ledger)
        running.drain()
        running.close()
    finally:
        ledger.close()


@pytest.fixture
def published(env, settings, monkeypatch):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    record_partners(settings, 12)
    relay(settings)
    return settings


def checkpoints(settings) -> list[Checkpoint]:
    _, chain = snapshot(settings)
    return [load_checkpoint_note(r.value).checkpoint for r in chain if not r.value.startswith(b"{")]


def ordered_values(settings) -> list[bytes]:
    events, _ = snapshot(settings)
    return [r.value for r in sorted(events, key=position_of)]


def verify(ledger_cli, *options: str) -> tuple[int, dict]:
    code, out, _ = ledger_cli("audit", "verify", "--json", *options)
    return code, json.loads(out)


def kinds(document: dict) -> set[str]:
    return {problem["kind"] for problem in document["problems"]}


def send_to_chain(settings, *values: bytes) -> None:
    producer = KafkaProducer(bootstrap_servers=settings.kafka_bootstrap_servers)
    for value in values:
        producer.send(chain_topic_name(settings.topic_prefix), value=value, partition=0)
    producer.flush()
    producer.close()


def test_each_batch_gets_a_signed_checkpoint_whose_root_is_the_rfc_root_of_kafkas_events(
    published, ledger_cli
):
    values = ordered_values(published)
    signed = checkpoints(published)
    assert [c.size for c in signed] == [10, 20, 30, 36]
    assert all(c.root == mth(values[: c.size]) for c in signed)
    assert {c.origin for c in signed} == {log_origin(published)}
    code, document = verify(ledger_cli)
    assert (code, document["checkpoints"], document["log_size"]) == (0, 4, 36)
    assert document["log_root"] == base64.b64encode(mth(values)).decode()


def test_a_restarted_relay_continues_the_same_tree_from_its_checkpointed_frontier(
    published, ledger_cli
):
    saved = RelayCheckpoint(create_engine(sqlalchemy_url(published.event_store_url))).load()
    assert saved.count == 36
    assert saved.tracks_log
    record_partners(published, 3, first=12)
    relay(published)
    values = ordered_values(published)
    assert checkpoints(published)[-1].size == 45
    assert checkpoints(published)[-1].root == mth(values)
    assert verify(ledger_cli)[0] == 0


def test_a_checkpoint_saved_before_the_log_existed_gets_its_frontier_rebuilt_from_the_store(
    published, ledger_cli
):
    engine = create_engine(sqlalchemy_url(published.event_store_url))
    with engine.begin() as connection:
        connection.execute(relay_merkle_frontier.delete())
    assert not RelayCheckpoint(engine).load().tracks_log
    record_partners(published, 2, first=12)
    relay(published)
    assert checkpoints(published)[-1].root == mth(ordered_values(published))
    assert verify(ledger_cli)[0] == 0


def test_a_forged_event_with_its_seal_and_a_checkpoint_signed_without_the_key_is_caught(
    published, ledger_cli
):
    events, _ = snapshot(published)
    head = max(events, key=position_of)
    envelope = orjson.loads(head.value)
    envelope.update(
        position=envelope["position"] + 1,
        previous_position=envelope["position"],
        previous_hash=event_hash(head.value),
        aggregate_version=envelope["aggregate_version"] + 1,
    )
    forged = orjson.dumps(envelope)
    producer = KafkaProducer(bootstrap_servers=published.kafka_bootstrap_servers)
    producer.send(head.topic, value=forged, partition=head.partition)
    producer.flush()
    producer.close()
    # The forger recomputes the chain and the tree, and signs with a key of the log's name.
    forger = Signer.generate(log_signer(published).name)
    seal = seal_value(ChainHead(envelope["position"], 37, event_hash(forged)), datetime.now(UTC))
    values = [*ordered_values(published)]
    checkpoint = Checkpoint(log_origin(published), 37, mth(values))
    send_to_chain(published, seal, signed_checkpoint(checkpoint, forger))
    code, document = verify(ledger_cli)
    assert code == 1
    assert {"forged-checkpoint", "uncheckpointed"} <= kinds(document)
    forged_problem = next(p for p in document["problems"] if p["kind"] == "forged-checkpoint")
    assert "no trusted key signed it" in forged_problem["detail"]
    uncheckpointed = next(p for p in document["problems"] if p["kind"] == "uncheckpointed")
    assert uncheckpointed["position"] == envelope["position"]


def test_two_signed_checkpoints_of_one_size_with_different_roots_are_a_split_view(
    published, ledger_cli
):
    # Someone holding the key (a second relay, a leaked key) signs another history of size 20.
    other = Checkpoint(log_origin(published), 20, leaf_hash(b"another history"))
    send_to_chain(published, signed_checkpoint(other, log_signer(published)))
    code, document = verify(ledger_cli)
    assert code == 1
    assert "split-view" in kinds(document)
    split = next(p for p in document["problems"] if p["kind"] == "split-view")
    assert "two signed checkpoints of size 20" in split["detail"]


def test_a_noted_checkpoint_that_the_log_contradicts_is_a_split_view(
    published, ledger_cli, tmp_path
):
    noted = tmp_path / "noted.txt"
    other = Checkpoint(log_origin(published), 30, leaf_hash(b"what I was shown"))
    noted.write_bytes(signed_checkpoint(other, log_signer(published)))
    code, document = verify(ledger_cli, "--checkpoint", str(noted))
    assert code == 1
    assert "split-view" in kinds(document)


def test_checkpoints_signed_by_a_rotated_key_still_verify_by_their_key_id(
    published, ledger_cli, monkeypatch, tmp_path
):
    old_key = log_signer(published)
    new_key = Signer.generate(old_key.name)
    monkeypatch.setenv("LEDGER_LOG_SIGNING_KEY", new_key.encoded())
    rotated = dataclasses.replace(published, log_signing_key=new_key.encoded())
    record_partners(rotated, 2, first=12)
    relay(rotated)
    # The old key's file is gone from the relay's host; auditors keep its verifier key.
    published.log_signing_key_file.unlink()
    code, document = verify(ledger_cli)
    assert code == 1
    assert "forged-checkpoint" in kinds(document), "old checkpoints need the old key"
    monkeypatch.setenv("LEDGER_LOG_VERIFIER_KEYS", old_key.verifier.encoded())
    code, document = verify(ledger_cli)
    assert code == 0, document["problems"]
    assert document["log_size"] == 42


def test_an_edit_of_one_stored_event_after_publication_is_named_by_against_store(
    published, ledger_cli
):
    assert verify(ledger_cli, "--against-store")[0] == 0
    ledger = open_ledger(published)
    try:
        victim = ledger.recorder.select_notifications(start=14, limit=1)[0]
        table = ledger.recorder.events_table_name
    finally:
        ledger.close()
    edited = victim.state.replace(b'"individual":"', b'"individual":"Eve, once ')
    assert edited != victim.state
    engine = create_engine(sqlalchemy_url(published.event_store_url))
    column = "rowid" if engine.dialect.name == "sqlite" else "notification_id"
    with engine.begin() as connection:
        connection.execute(
            text(f"UPDATE {table} SET state = :state WHERE {column} = :id"),
            {"state": edited, "id": victim.id},
        )
    code, document = verify(ledger_cli, "--against-store")
    assert code == 1
    problems = [p for p in document["problems"] if p["kind"] == "edited-in-store"]
    assert [p["position"] for p in problems] == [14]
    # Kafka itself is untouched: without --against-store the topics verify.
    assert verify(ledger_cli)[0] == 0


def test_an_inclusion_proof_checks_offline_and_a_tampered_copy_fails(
    published, ledger_cli, tmp_path
):
    events, _ = snapshot(published)
    target = next(r for r in events if position_of(r) == 17)
    event_id = orjson.loads(target.value)["event_id"]
    proof = tmp_path / "proof.json"
    code, _, err = ledger_cli("audit", "prove", event_id, "--out", str(proof))
    assert code == 0, err
    key = log_signer(published).verifier.encoded()
    code, out, _ = ledger_cli("audit", "check", str(proof), "--key", key)
    assert code == 0, out
    assert "holds" in out
    document = json.loads(proof.read_text())
    envelope = orjson.loads(base64.b64decode(document["event"]))
    envelope["payload"]["individual"] = "Mallory"
    document["event"] = base64.b64encode(orjson.dumps(envelope)).decode()
    tampered = tmp_path / "tampered.json"
    tampered.write_text(json.dumps(document))
    code, out, _ = ledger_cli("audit", "check", str(tampered), "--key", key)
    assert code == 1
    assert "is not leaf" in out
    other = Signer.generate(log_signer(published).name).verifier.encoded()
    code, out, _ = ledger_cli("audit", "check", str(proof), "--key", other)
    assert code == 1
    assert "no key given signed it" in out


def test_a_consistency_proof_from_the_first_to_the_last_checkpoint_checks(
    published, ledger_cli, tmp_path
):
    proof = tmp_path / "consistency.json"
    code, _, err = ledger_cli("audit", "consistency", "10", "latest", "--out", str(proof))
    assert code == 0, err
    key = log_signer(published).verifier.encoded()
    code, out, _ = ledger_cli("audit", "check", str(proof), "--key", key)
    assert code == 0, out
    assert "tree of size 10 is a prefix of its tree of size 36" in out
    document = json.loads(proof.read_text())
    document["consistency_path"][0] = base64.b64encode(leaf_hash(b"x")).decode()
    proof.write_text(json.dumps(document))
    assert ledger_cli("audit", "check", str(proof), "--key", key)[0] == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not json", "not a proof"),
        ('{"proof": "inclusion", "proof_version": 1}', "checkpoint must be a signed checkpoint"),
        ('{"proof": "other", "proof_version": 1}', "proof must be"),
    ],
)
def test_a_file_that_is_no_proof_is_refused_by_name(
    published, ledger_cli, tmp_path, content, message
):
    bad = tmp_path / "bad.json"
    bad.write_text(content)
    key = log_signer(published).verifier.encoded()
    code, _, err = ledger_cli("audit", "check", str(bad), "--key", key)
    assert code == 2
    assert message in err


def test_proofs_of_unknown_ids_and_bad_keys_are_refused(published, ledger_cli):
    code, _, err = ledger_cli("audit", "prove", "00000000-0000-0000-0000-000000000000")
    assert code == 1
    assert "no event with id" in err
    code, _, err = ledger_cli("audit", "verify", "--key", "nonsense")
    assert code == 2
    assert "--key" in err


def make_witness(ledger_cli, tmp_path, name: str) -> tuple[str, str]:
    key_file = tmp_path / f"{name.replace('/', '_')}.key"
    code, out, err = ledger_cli("audit", "keygen", name, "--witness", "--out", str(key_file))
    assert code == 0, err
    return str(key_file), out.strip()


def test_verify_demands_the_cosignatures_of_distinct_witnesses(published, ledger_cli, tmp_path):
    first, first_key = make_witness(ledger_cli, tmp_path, "auditor.example/w1")
    second, second_key = make_witness(ledger_cli, tmp_path, "auditor.example/w2")
    witnesses = ["--witness-key", first_key, "--witness-key", second_key]
    code, out, err = ledger_cli("audit", "witness", "--key", first)
    assert code == 0, err
    assert "cosigned the checkpoint of size 36" in out
    code, document = verify(ledger_cli, "--witnesses", "2", *witnesses)
    assert code == 1
    assert "unwitnessed" in kinds(document)
    assert document["witnessed"] == 1
    assert ledger_cli("audit", "witness", "--key", second)[0] == 0
    code, document = verify(ledger_cli, "--witnesses", "2", *witnesses)
    assert (code, document["witnessed"]) == (0, 2), document["problems"]
    # Demanding more witnesses than keys given is refused before Kafka is read.
    code, _, err = ledger_cli("audit", "verify", "--witnesses", "3", *witnesses)
    assert code == 2
    assert "3 cosignatures demanded but only 2 --witness-key given" in err


def test_a_witness_refuses_a_log_that_forked_from_what_it_cosigned(published, ledger_cli, tmp_path):
    key_file, _ = make_witness(ledger_cli, tmp_path, "auditor.example/w1")
    state = tmp_path / "state.note"
    forked = Checkpoint(log_origin(published), 20, leaf_hash(b"the history I was shown"))
    state.write_bytes(signed_checkpoint(forked, log_signer(published)))
    code, _, err = ledger_cli("audit", "witness", "--key", key_file, "--state", str(state))
    assert code == 1
    assert "the log forked" in err


def test_keygen_refuses_a_bad_name_and_an_existing_file(published, ledger_cli, tmp_path):
    code, _, err = ledger_cli("audit", "keygen", "bad name", "--out", str(tmp_path / "k"))
    assert code == 2
    assert "without spaces" in err
    (tmp_path / "existing").write_text("keep me")
    code, _, err = ledger_cli("audit", "keygen", "a.example/k", "--out", str(tmp_path / "existing"))
    assert code == 2
    assert (tmp_path / "existing").read_text() == "keep me"


def test_pubkey_prints_the_verifier_key_that_checks_the_relays_checkpoints(
    published, ledger_cli, tmp_path
):
    code, out, _ = ledger_cli("audit", "pubkey")
    assert code == 0
    assert out.strip() == log_signer(published).verifier.encoded()
    code, document = verify(ledger_cli, "--key", out.strip())
    assert (code, document["checkpoints"]) == (0, 4)
