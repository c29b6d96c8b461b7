"""The partner-status fold, on envelopes decoded exactly as the projector decodes them."""

from datetime import date

from contracts.wire.codec import decode, encode
from domain.partner import Partner
from domain.program import CertificationKind, Specialization, Tier
from projections.models.partner_status import PartnerBatch, fold


def envelopes():
    partner = Partner.enroll("antemeta", "Antemeta", Tier.GOLD, date(2010, 11, 2))
    for individual in ("Ann", "Bob"):
        partner.earn_certification(
            individual,
            CertificationKind.TECHNICAL,
            Specialization.DATA_PROTECTION,
            date(2010, 12, 1),
            date(2012, 12, 1),
        )
    return [
        decode(encode(e, position).value) for position, e in enumerate(partner.collect_events(), 1)
    ]


def test_fold_builds_the_partner_row():
    batch = PartnerBatch(rows={}, existing=set())
    for envelope in envelopes():
        fold(batch, envelope, str(envelope.aggregate_id))
    (row,) = batch.rows.values()
    assert (row.code, row.tier, row.certifications_earned, row.version) == (
        "antemeta",
        "gold",
        2,
        3,
    )


def test_a_repeated_event_changes_nothing():
    batch = PartnerBatch(rows={}, existing=set())
    all_envelopes = envelopes()
    for envelope in all_envelopes + all_envelopes[1:]:
        fold(batch, envelope, str(envelope.aggregate_id))
    (row,) = batch.rows.values()
    assert (row.certifications_earned, row.version) == (2, 3)
