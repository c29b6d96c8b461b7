"""The checkpoint checks on records built here (no broker): what each forgery looks like."""

from __future__ import annotations

import orjson

from contracts.wire.chain_verify import PublishedRecord, ledger_order
from contracts.wire.checkpoint import Checkpoint, load_checkpoint_note, signed_checkpoint
from contracts.wire.checkpoint_verify import TrustPolicy, verify_checkpoints
from contracts.wire.merkle import MerkleTree, leaf_hash
from contracts.wire.signed_note import COSIGNATURE_V1, Signer

ORIGIN = "example.com/ledger"
LOG = Signer.generate(ORIGIN)


def events(count: int) -> list[PublishedRecord]:
    return [
        PublishedRecord(
            "t.partner",
            0,
            n - 1,
            orjson.dumps({"position": n, "previous_position": n - 1, "previous_hash": "0" * 64}),
        )
        for n in range(1, count + 1)
    ]


def checkpoint_of(records: list[PublishedRecord], size: int, signer: Signer = LOG) -> bytes:
    root = MerkleTree([leaf_hash(r.value) for r in records]).root(size)
    return signed_checkpoint(Checkpoint(ORIGIN, size, root), signer)


def on_chain(*values: bytes) -> list[PublishedRecord]:
    return [PublishedRecord("t.chain", 0, n, value) for n, value in enumerate(values)]


def kinds(records, chain, policy=None) -> list[str]:
    policy = policy or TrustPolicy(ORIGIN, [LOG.verifier])
    result = verify_checkpoints(ledger_order(records), chain, policy)
    return [p.kind for p in result.problems]


def test_checkpoints_of_the_events_on_kafka_hold():
    records = events(7)
    assert kinds(records, on_chain(checkpoint_of(records, 4), checkpoint_of(records, 7))) == []


def test_a_checkpoint_by_another_key_is_forged_and_leaves_its_events_uncheckpointed():
    records = events(7)
    chain = on_chain(checkpoint_of(records, 4), checkpoint_of(records, 7, Signer.generate(ORIGIN)))
    assert kinds(records, chain) == ["forged-checkpoint", "uncheckpointed"]


def test_an_event_altered_under_a_signed_checkpoint_is_named():
    records = events(5)
    chain = on_chain(checkpoint_of(records, 5))
    records[2] = PublishedRecord("t.partner", 0, 2, records[2].value.replace(b"0" * 64, b"1" * 64))
    assert kinds(records, chain) == ["altered"]


def test_a_checkpoint_counting_more_events_than_kafka_holds_is_missing_some():
    records = events(5)
    chain = on_chain(checkpoint_of(records, 5))
    assert kinds(records[:4], chain) == ["missing"]


def test_two_signed_roots_for_one_size_are_a_split_view():
    records = events(5)
    other = signed_checkpoint(Checkpoint(ORIGIN, 5, leaf_hash(b"other")), LOG)
    assert "split-view" in kinds(records, on_chain(checkpoint_of(records, 5), other))


def test_another_logs_origin_is_not_this_logs_checkpoint():
    records = events(2)
    foreign = signed_checkpoint(Checkpoint("elsewhere.example/log", 2, bytes(32)), LOG)
    assert kinds(records, on_chain(foreign)) == ["forged-checkpoint"]


def test_witness_cosignatures_are_counted_per_distinct_witness():
    records = events(3)
    note = load_checkpoint_note(checkpoint_of(records, 3)).note
    w1, w2 = (
        Signer.generate("w.example/1", COSIGNATURE_V1),
        Signer.generate("w.example/2", COSIGNATURE_V1),
    )
    one = note.with_signature(w1.sign(note.text, timestamp=1)).render().encode()
    again = note.with_signature(w1.sign(note.text, timestamp=2)).render().encode()
    policy = TrustPolicy(ORIGIN, [LOG.verifier], [w1.verifier, w2.verifier], 2)
    assert kinds(records, on_chain(one, again), policy) == ["unwitnessed"]
    both = note.with_signature(w2.sign(note.text, timestamp=3)).render().encode()
    assert kinds(records, on_chain(one, both), policy) == []
