"""The hash chain check names the first position where the published history was tampered with."""

from datetime import UTC, date, datetime

import orjson
import pytest

from contracts.wire.chain import GENESIS, ChainHead, event_hash, seal_value
from contracts.wire.chain_verify import PublishedRecord, verify_chain
from contracts.wire.codec import encode
from domain.partner import Partner
from domain.program import CertificationKind, Specialization, Tier

SEALED_AT = datetime(2026, 1, 1, tzinfo=UTC)


def partner_events(code: str, certifications: int) -> list:
    partner = Partner.enroll(code, code.title(), Tier.GOLD, date(2010, 11, 2))
    for n in range(certifications):
        partner.earn_certification(
            f"person-{n}",
            CertificationKind.TECHNICAL,
            Specialization.DATA_PROTECTION,
            date(2010, 11, 3),
            date(2012, 11, 3),
        )
    return partner.collect_events()


class Ledger:
    """Two partners' events chained in one global order over two partitions, sealed per batch.

    With `step` > 1 the global order has holes, as notification ids can on PostgreSQL.
    """

    def __init__(self, step: int = 1) -> None:
        interleaved = [
            e
            for pair in zip(partner_events("alpha", 4), partner_events("beta", 4), strict=True)
            for e in pair
        ]
        self.events: list[PublishedRecord] = []
        self.seals: list[PublishedRecord] = []
        head = GENESIS
        offsets = [0, 0]
        for n, event in enumerate(interleaved, 1):
            position = n * step
            value = encode(event, position, head).value
            head = head.after(position, value)
            partition = n % 2  # each partner's events alternate: one partition each
            self.events.append(PublishedRecord("t.partner", partition, offsets[partition], value))
            offsets[partition] += 1
            if n % 4 == 0 or n == len(interleaved):
                self.seal(head)

    def seal(self, head: ChainHead) -> None:
        value = seal_value(head, SEALED_AT)
        self.seals.append(PublishedRecord("t.chain", 0, len(self.seals), value))

    def at(self, position: int) -> PublishedRecord:
        return next(r for r in self.events if orjson.loads(r.value)["position"] == position)

    def verify(self):
        return verify_chain(self.events, self.seals)


def altered(record: PublishedRecord, **changes) -> PublishedRecord:
    envelope = orjson.loads(record.value)
    envelope.update(changes)
    return PublishedRecord(record.topic, record.partition, record.offset, orjson.dumps(envelope))


def test_an_untouched_ledger_verifies_with_its_head():
    ledger = Ledger()
    result = ledger.verify()
    assert result.ok, result.problems
    assert (result.events, result.seals) == (10, 3)
    assert result.head.position == 10
    assert result.head.hash == event_hash(ledger.at(10).value)


def test_an_altered_payload_is_named_by_its_position():
    ledger = Ledger()
    index = ledger.events.index(ledger.at(3))
    record = ledger.events[index]
    envelope = orjson.loads(record.value)
    envelope["payload"]["individual"] = "someone-else"
    ledger.events[index] = altered(record, payload=envelope["payload"])
    first = ledger.verify().first_problem
    assert (first.kind, first.position) == ("altered", 3)


def test_altering_the_newest_sealed_event_is_caught_by_its_seal():
    ledger = Ledger()
    index = ledger.events.index(ledger.at(10))
    ledger.events[index] = altered(ledger.events[index], effective_on="2011-01-01")
    first = ledger.verify().first_problem
    assert (first.kind, first.position) == ("altered", 10)


def test_a_missing_event_is_named_by_its_position():
    ledger = Ledger()
    ledger.events.remove(ledger.at(5))
    first = ledger.verify().first_problem
    assert (first.kind, first.position) == ("missing", 5)


def test_the_missing_first_event_is_found():
    ledger = Ledger()
    ledger.events.remove(ledger.at(1))
    first = ledger.verify().first_problem
    assert (first.kind, first.position) == ("missing", 1)


def test_events_swapped_within_a_partition_are_reported_as_reordered():
    ledger = Ledger()
    second, fourth = ledger.at(2), ledger.at(4)
    i, j = ledger.events.index(second), ledger.events.index(fourth)
    ledger.events[i] = PublishedRecord(second.topic, second.partition, second.offset, fourth.value)
    ledger.events[j] = PublishedRecord(fourth.topic, fourth.partition, fourth.offset, second.value)
    result = ledger.verify()
    first = result.first_problem
    assert (first.kind, first.position) == ("reordered", 2)


def test_an_injected_event_nobody_links_to_is_named():
    ledger = Ledger(step=10)
    # A forged event in a hole of the global order, linked correctly to its predecessor.
    predecessor = ledger.at(60)
    forged = altered(
        predecessor,
        position=65,
        previous_position=60,
        previous_hash=event_hash(predecessor.value),
        aggregate_version=99,
    )
    ledger.events.append(PublishedRecord("t.partner", 0, 100, forged.value))
    first = ledger.verify().first_problem
    assert (first.kind, first.position) == ("injected", 65)


def test_holes_in_the_global_order_are_not_problems():
    assert Ledger(step=10).verify().ok


def test_an_injected_copy_of_a_position_with_other_content_is_named():
    ledger = Ledger()
    forged = altered(ledger.at(3), aggregate_version=42)
    ledger.events.append(PublishedRecord("t.partner", 1, 99, forged.value))
    first = ledger.verify().first_problem
    assert (first.kind, first.position) == ("injected", 3)


def test_events_after_the_last_seal_are_unsealed():
    ledger = Ledger()
    ledger.seals.pop()  # the seal at 10
    first = ledger.verify().first_problem
    assert (first.kind, first.position) == ("unsealed", 9)


def test_an_event_appended_after_the_head_with_a_valid_link_is_unsealed():
    ledger = Ledger()
    head = ledger.at(10)
    forged = altered(head, position=11, previous_position=10, previous_hash=event_hash(head.value))
    ledger.events.append(PublishedRecord("t.partner", 0, 50, forged.value))
    first = ledger.verify().first_problem
    assert (first.kind, first.position) == ("unsealed", 11)


@pytest.mark.parametrize("value", [b"not json", b'{"position": 3}', b"[]", b'{"position": "1"}'])
def test_a_record_that_is_not_a_chained_envelope_is_malformed(value):
    ledger = Ledger()
    ledger.events.append(PublishedRecord("t.partner", 0, 77, value))
    first = ledger.verify().first_problem
    assert (first.kind, first.where) == ("malformed", "t.partner[0]@77")


def test_a_seal_that_is_not_a_seal_is_malformed():
    ledger = Ledger()
    ledger.seals.append(PublishedRecord("t.chain", 0, 9, b'{"position": 10}'))
    assert ledger.verify().first_problem.kind == "malformed"
