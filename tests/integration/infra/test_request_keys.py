"""Request keys in the event store itself, on SQLite and PostgreSQL: kept for their retention
and no longer, and one key names one request."""

from __future__ import annotations

from datetime import date
from functools import partial

import pytest

from domain.commands import EnrollPartner
from domain.program import Tier
from infra.store.event_store import open_ledger
from infra.store.idempotency import RequestKeyReused, RequestKeys, body_digest, command_request

RETENTION_S = 3600.0


class Clock:
    """The wall clock the key's retention is measured on, moved by the test."""

    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def ledger(settings):
    ledger = open_ledger(settings)
    yield ledger
    ledger.close()


def enrol(ledger, keys, code: str, key: str):
    command = EnrollPartner(code, code.title(), Tier.GOLD, date(2010, 11, 2))
    request = command_request(key, "enroll-partner", command)
    return keys.run(request, partial(ledger.enroll_partner, command), lambda i: {"id": str(i)})


def test_a_key_is_replayed_within_its_retention(ledger):
    clock = Clock()
    keys = RequestKeys(ledger, RETENTION_S, clock)
    first = enrol(ledger, keys, "antemeta", "k-1")
    clock.now += RETENTION_S - 1

    again = enrol(ledger, keys, "antemeta", "k-1")

    assert (first.replayed, again.replayed) == (False, True)
    assert again.answer == first.answer


def test_an_expired_key_may_name_a_new_request(ledger):
    clock = Clock()
    keys = RequestKeys(ledger, RETENTION_S, clock)
    enrol(ledger, keys, "antemeta", "k-2")
    clock.now += RETENTION_S

    reused = enrol(ledger, keys, "bigcorp", "k-2")

    assert not reused.replayed
    assert ledger.get_partner("bigcorp").code == "bigcorp"
    # The expired row was replaced by the new request's, not kept beside it.
    assert ledger.recorder.select_request("k-2").body_digest == reused_digest("bigcorp")


def reused_digest(code: str) -> str:
    command = EnrollPartner(code, code.title(), Tier.GOLD, date(2010, 11, 2))
    return body_digest("enroll-partner", command)


def test_another_body_under_a_live_key_is_refused_naming_the_rule(ledger):
    keys = RequestKeys(ledger, RETENTION_S, Clock())
    enrol(ledger, keys, "antemeta", "k-3")
    before = ledger.recorder.max_notification_id()

    with pytest.raises(RequestKeyReused, match="k-3"):
        enrol(ledger, keys, "bigcorp", "k-3")

    assert ledger.recorder.max_notification_id() == before


def test_the_digest_covers_the_command_name_as_well_as_the_body():
    command = EnrollPartner("antemeta", "Antemeta", Tier.GOLD, date(2010, 11, 2))
    assert body_digest("enroll-partner", command) == body_digest("enroll-partner", command)
    assert body_digest("enroll-partner", command) != body_digest("sweep", command)
