"""The ledger's service layer: load aggregates, call their command methods, save atomically.

Where events are stored is chosen by the environment the caller passes in (see infra.event_store);
nothing here knows whether that is SQLite, PostgreSQL or memory.
"""

from __future__ import annotations

from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.persistence import IntegrityError, JSONTranscoder

from domain.commands import EnrollPartner, RecordCertification
from domain.errors import PartnerAlreadyEnrolled, UnknownPartner
from domain.partner import Partner
from domain.transcodings import register_domain_transcodings


class Ledger(Application[UUID]):
    """Channel Ledger's application: every command ends as events saved in one transaction."""

    name = "ChannelLedger"

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        register_domain_transcodings(transcoder)

    def enroll_partner(self, command: EnrollPartner) -> UUID:
        """Enrol a partner; a code can be enrolled only once."""
        partner = Partner.enroll(
            command.code, command.name, command.legacy_tier, command.enrolled_on
        )
        try:
            self.save(partner)
        except IntegrityError as error:
            raise PartnerAlreadyEnrolled(f"partner {command.code!r} is already enrolled") from error
        return partner.id

    def record_certification(self, command: RecordCertification) -> None:
        """Record a certification earned by an individual at an enrolled partner."""
        partner = self.get_partner(command.partner_code)
        partner.earn_certification(
            command.individual,
            command.kind,
            command.specialization,
            command.effective_on,
            command.expires_on,
        )
        self.save(partner)

    def get_partner(self, code: str) -> Partner:
        """The partner's current state, folded from its events."""
        try:
            partner: Partner = self.repository.get(Partner.create_id(code))
        except AggregateNotFoundError:
            raise UnknownPartner(f"no partner with code {code!r} is enrolled") from None
        return partner
