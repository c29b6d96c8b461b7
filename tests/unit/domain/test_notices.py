"""Notices issued by the sweep: at their leads, once each, to the partner concerned only."""

from datetime import date, timedelta

import pytest

from domain.commands import RecordCertification
from domain.notice import LEAD_DAYS, Notice, NoticeKind, lead_reached
from domain.partner import Partner
from domain.program import CertificationKind
from tests.builders.program import (
    CERTIFIED_UNTIL,
    DP,
    REGISTERED_ON,
    deal_registration,
    default_rules,
    enroll,
    enroll_specialist,
    in_memory_ledger,
)

VALID_UNTIL = REGISTERED_ON + timedelta(days=90)  # default rules: 90 days of validity
EXPIRES = date(2011, 6, 30)


def notices(ledger):
    return [
        ledger.repository.get(n.originator_id)
        for n in ledger.recorder.select_notifications(start=1, limit=10_000)
        if n.topic.endswith("Notice.Issued")
    ]


@pytest.fixture
def ledger():
    """antemeta holds the protection on the opportunity; bigcorp registered it after (denied)."""
    ledger = in_memory_ledger(default_rules())
    enroll_specialist(ledger, "antemeta")
    enroll_specialist(ledger, "bigcorp")
    assert ledger.register_deal(deal_registration("antemeta", REGISTERED_ON)).decision.granted
    later = REGISTERED_ON + timedelta(days=1)
    assert not ledger.register_deal(deal_registration("bigcorp", later)).decision.granted
    return ledger


@pytest.mark.parametrize(
    ("days_before", "lead"),
    [(120, None), (91, None), (90, 90), (61, 90), (60, 60), (45, 60), (30, 30), (1, 30), (0, None)],
)
def test_the_nearest_lead_reached_is_the_one_told(days_before, lead):
    due = date(2012, 1, 1)
    as_of = due - timedelta(days=days_before)
    assert lead_reached(NoticeKind.CERTIFICATION_EXPIRING, due, as_of) == lead


def test_every_kind_has_its_leads():
    assert set(LEAD_DAYS) == set(NoticeKind)
    assert LEAD_DAYS[NoticeKind.PROTECTION_EXPIRING] == (30, 7)
    assert LEAD_DAYS[NoticeKind.CERTIFICATION_EXPIRING] == (90, 60, 30)


def test_the_protection_holder_alone_is_told_30_then_7_days_before_it_lapses(ledger):
    ledger.sweep(VALID_UNTIL - timedelta(days=30))
    ledger.sweep(VALID_UNTIL - timedelta(days=7))

    told = [n for n in notices(ledger) if n.kind == "protection-expiring"]
    assert [(n.partner_code, n.subject, n.days_before) for n in told] == [
        ("antemeta", "opp-acme-backup", 30),
        ("antemeta", "opp-acme-backup", 7),
    ]
    assert all(n.due_on == VALID_UNTIL for n in told)


def test_sweeping_the_same_date_twice_issues_no_second_notice(ledger):
    as_of = VALID_UNTIL - timedelta(days=10)
    first = ledger.sweep(as_of)
    count = ledger.recorder.max_notification_id()

    second = ledger.sweep(as_of)

    assert first.notices_issued == 1
    assert second.notices_issued == 0
    assert ledger.recorder.max_notification_id() == count


def test_no_notice_names_another_partner(ledger):
    for days in (30, 7):
        ledger.sweep(VALID_UNTIL - timedelta(days=days))
    bigcorp = Partner.create_id("bigcorp")
    for notice in notices(ledger):
        fields = vars(notice).values()
        if notice.partner_code == "antemeta":
            assert bigcorp not in fields
            assert not any("bigcorp" in str(value) for value in fields)


def test_a_certification_is_told_90_60_and_30_days_before_it_expires():
    ledger = in_memory_ledger(default_rules())
    enroll(ledger, "antemeta")
    ledger.record_certification(
        RecordCertification(
            "antemeta", "Ann", CertificationKind.SALES, DP, date(2010, 12, 1), EXPIRES
        )
    )
    for days in (100, 90, 75, 60, 30, 29):
        ledger.sweep(EXPIRES - timedelta(days=days))

    told = [(n.subject, n.detail, n.days_before) for n in notices(ledger)]
    assert told == [
        ("Ann", "sales data-protection", 90),
        ("Ann", "sales data-protection", 60),
        ("Ann", "sales data-protection", 30),
    ]


def test_a_renewed_certification_is_not_told_it_expires():
    ledger = in_memory_ledger(default_rules())
    enroll(ledger, "antemeta")
    for until in (EXPIRES, CERTIFIED_UNTIL):
        ledger.record_certification(
            RecordCertification(
                "antemeta", "Ann", CertificationKind.SALES, DP, date(2010, 12, 1), until
            )
        )
    ledger.sweep(EXPIRES - timedelta(days=30))
    assert notices(ledger) == []


def test_a_notice_is_identified_by_what_it_is_about_and_its_lead(ledger):
    ledger.sweep(VALID_UNTIL - timedelta(days=7))
    (notice,) = notices(ledger)
    assert notice.id == Notice.create_id(
        "protection-expiring",
        notice.partner_id,
        notice.subject,
        notice.detail,
        VALID_UNTIL,
        7,
    )
