"""A receipt is handed to the store with the command's events, or the command is refused."""

from datetime import date

import pytest

from domain.commands import EnrollPartner
from domain.program import Tier
from domain.receipts import ReceiptsNotKept
from tests.builders.program import in_memory_ledger


def test_a_store_that_cannot_keep_receipts_refuses_the_command_and_records_nothing():
    ledger = in_memory_ledger()
    before = ledger.recorder.max_notification_id()
    command = EnrollPartner("antemeta", "Antemeta", Tier.GOLD, date(2010, 11, 2))

    with pytest.raises(ReceiptsNotKept):
        ledger.enroll_partner(command, receipt=lambda partner_id: partner_id)

    assert ledger.recorder.max_notification_id() == before


def test_the_receipt_is_made_from_the_commands_result():
    ledger = in_memory_ledger()
    seen = []
    ledger.recorder.keeps_receipts = True  # the in-memory recorder ignores what it is given
    command = EnrollPartner("antemeta", "Antemeta", Tier.GOLD, date(2010, 11, 2))

    partner_id = ledger.enroll_partner(command, receipt=seen.append)

    assert seen == [partner_id]
