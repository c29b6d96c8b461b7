"""The catalog of published events: which domain event goes out under which name and version."""

from __future__ import annotations

from dataclasses import dataclass, field

from marshmallow import Schema, fields

from contracts.wire import payloads as p
from domain.customer_claim import CustomerClaim
from domain.notice import Notice
from domain.opportunity import Opportunity
from domain.partner import Partner
from domain.partner_program import PartnerProgram


@dataclass(frozen=True)
class EventContract:
    """How one domain event class is published.

    `business_date_field` names the payload attribute that carries business time, so the
    envelope can expose it uniformly to subscribers.
    """

    domain_class: type
    aggregate_type: str
    event_type: str
    schema_version: int
    payload: Schema
    business_date_field: str
    payload_attributes: tuple[str, ...] = field(init=False)
    headers: list[tuple[str, bytes]] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "payload_attributes", wire_native_attributes(self.payload))
        object.__setattr__(
            self,
            "headers",
            [
                ("event-type", self.event_type.encode()),
                ("schema-version", str(self.schema_version).encode()),
                ("content-type", CONTENT_TYPE),
            ],
        )


CONTENT_TYPE = b"application/json"

# Field kinds whose dumped form is exactly what orjson writes for the attribute (str, int,
# bool, ISO date and datetime, UUID string, enum value) or what the codec writes (Decimal as
# string), so the relay can publish attributes without Schema.dump.
_WIRE_NATIVE = (
    fields.String,
    fields.Integer,
    fields.Boolean,
    fields.Date,
    fields.AwareDateTime,
    fields.UUID,
    fields.Decimal,
)


def wire_native_attributes(schema: Schema) -> tuple[str, ...]:
    """Payload attribute names, refusing fields whose wire form the fast encoder can't match."""
    names = []
    for name, schema_field in schema.fields.items():
        plain = schema_field.data_key in (None, name) and schema_field.attribute in (None, name)
        if not (plain and _wire_native(schema_field)):
            raise TypeError(f"{type(schema).__name__}.{name}: not encodable without Schema.dump")
        names.append(name)
    return tuple(names)


def _wire_native(schema_field: fields.Field) -> bool:  # type: ignore[type-arg]
    if isinstance(schema_field, fields.List):
        return _wire_native(schema_field.inner)
    if isinstance(schema_field, fields.Dict):
        # Only documents of JSON primitives, stored and published as they are.
        return schema_field.value_field is None
    if isinstance(schema_field, fields.Enum):
        return bool(schema_field.by_value)
    if isinstance(schema_field, fields.Decimal):
        return bool(schema_field.as_string)
    return isinstance(schema_field, _WIRE_NATIVE)


class UnknownEventType(LookupError):
    """A message names an event type or schema version this build does not know."""


def _contract(
    domain_class: type,
    event_type: str,
    payload: type[Schema],
    business_date_field: str,
    version: int = 1,
) -> EventContract:
    aggregate_type = event_type.split(".", 1)[0]
    return EventContract(
        domain_class, aggregate_type, event_type, version, payload(), business_date_field
    )


CONTRACTS: tuple[EventContract, ...] = (
    _contract(Partner.Enrolled, "partner.enrolled", p.PartnerEnrolledV1, "enrolled_on"),
    _contract(
        Partner.CertificationEarned,
        "partner.certification-earned",
        p.CertificationEarnedV1,
        "effective_on",
    ),
    _contract(
        Partner.CertificationExpired,
        "partner.certification-expired",
        p.CertificationExpiredV1,
        "expired_on",
    ),
    _contract(
        Partner.CertificationRevoked,
        "partner.certification-revoked",
        p.CertificationRevokedV1,
        "revoked_on",
    ),
    _contract(
        Partner.SpecializationAwarded,
        "partner.specialization-awarded",
        p.SpecializationAwardedV1,
        "awarded_on",
    ),
    _contract(
        Partner.SpecializationWithdrawn,
        "partner.specialization-withdrawn",
        p.SpecializationWithdrawnV1,
        "withdrawn_on",
    ),
    _contract(
        Partner.QualifiedRevenueCredited,
        "partner.qualified-revenue-credited",
        p.QualifiedRevenueCreditedV1,
        "won_on",
    ),
    _contract(
        Partner.TierReviewed, "partner.tier-reviewed", p.TierReviewedV2, "reviewed_on", version=2
    ),
    _contract(
        Partner.TransitionPlanOpened,
        "partner.transition-plan-opened",
        p.TransitionPlanOpenedV1,
        "opened_on",
    ),
    _contract(
        Partner.TransitionPlanMilestoneMet,
        "partner.transition-plan-milestone-met",
        p.TransitionPlanMilestoneMetV1,
        "met_on",
    ),
    _contract(
        Partner.TransitionPlanClosed,
        "partner.transition-plan-closed",
        p.TransitionPlanClosedV1,
        "closed_on",
    ),
    _contract(Partner.TierChanged, "partner.tier-changed", p.TierChangedV1, "reviewed_on"),
    _contract(PartnerProgram.Started, "program.started", p.ProgramStartedV1, "started_on"),
    _contract(
        PartnerProgram.RulesPublished,
        "program.rules-published",
        p.RulesPublishedV1,
        "effective_from",
    ),
    _contract(
        PartnerProgram.SpecialistAdmitted,
        "program.specialist-admitted",
        p.SpecialistAdmittedV1,
        "admitted_on",
    ),
    _contract(
        PartnerProgram.SpecialistRemoved,
        "program.specialist-removed",
        p.SpecialistRemovedV1,
        "removed_on",
    ),
    _contract(Opportunity.Opened, "opportunity.opened", p.OpportunityOpenedV1, "opened_on"),
    _contract(
        Opportunity.CustomerIdentified,
        "opportunity.customer-identified",
        p.CustomerIdentifiedV1,
        "identified_on",
    ),
    _contract(
        Opportunity.ConflictSuspected,
        "opportunity.conflict-suspected",
        p.ConflictSuspectedV1,
        "decided_on",
    ),
    _contract(CustomerClaim.Claimed, "customer-claim.claimed", p.CustomerClaimedV1, "claimed_on"),
    _contract(
        CustomerClaim.Reclaimed, "customer-claim.reclaimed", p.CustomerReclaimedV1, "claimed_on"
    ),
    _contract(
        CustomerClaim.Released,
        "customer-claim.released",
        p.CustomerClaimReleasedV1,
        "released_on",
    ),
    _contract(
        Opportunity.VendorSalesEngaged,
        "opportunity.vendor-sales-engaged",
        p.VendorSalesEngagedV1,
        "engaged_on",
    ),
    _contract(
        Opportunity.Registered,
        "opportunity.registered",
        p.OpportunityRegisteredV1,
        "registered_on",
    ),
    _contract(
        Opportunity.ExclusivityGranted,
        "opportunity.exclusivity-granted",
        p.ExclusivityGrantedV1,
        "decided_on",
    ),
    _contract(
        Opportunity.ExclusivityDenied,
        "opportunity.exclusivity-denied",
        p.ExclusivityDeniedV1,
        "decided_on",
    ),
    _contract(
        Opportunity.ExclusivityExpired,
        "opportunity.exclusivity-expired",
        p.ExclusivityExpiredV1,
        "expired_on",
    ),
    _contract(
        Opportunity.ExclusivityReleased,
        "opportunity.exclusivity-released",
        p.ExclusivityReleasedV1,
        "released_on",
    ),
    _contract(
        Opportunity.RegisteredNonExclusive,
        "opportunity.registered-non-exclusive",
        p.RegisteredNonExclusiveV1,
        "decided_on",
    ),
    _contract(
        Opportunity.BenefitsGranted,
        "opportunity.benefits-granted",
        p.BenefitsGrantedV1,
        "granted_on",
    ),
    _contract(
        Opportunity.EngineerDaysConsumed,
        "opportunity.engineer-days-consumed",
        p.EngineerDaysConsumedV1,
        "consumed_on",
    ),
    _contract(
        Opportunity.BenefitsEnded, "opportunity.benefits-ended", p.BenefitsEndedV1, "ended_on"
    ),
    _contract(
        Opportunity.QuoteIssued,
        "opportunity.quote-issued",
        p.QuoteIssuedV2,
        "issued_on",
        version=2,
    ),
    _contract(Opportunity.Won, "opportunity.won", p.OpportunityWonV1, "won_on"),
    _contract(Opportunity.Lost, "opportunity.lost", p.OpportunityLostV2, "lost_on", version=2),
    _contract(Notice.Issued, "notice.issued", p.NoticeIssuedV1, "issued_on"),
    # Older versions stay: events recorded and published in them are history.
    _contract(Partner.TierReviewed, "partner.tier-reviewed", p.TierReviewedV1, "reviewed_on"),
    _contract(Opportunity.Lost, "opportunity.lost", p.OpportunityLostV1, "lost_on", version=1),
    _contract(Opportunity.QuoteIssued, "opportunity.quote-issued", p.QuoteIssuedV1, "issued_on"),
)


def is_current(contract: EventContract) -> bool:
    """Whether new events of this type are written in this version (the domain class's)."""
    return contract.schema_version == getattr(contract.domain_class, "class_version", 1)


_BY_CLASS = {contract.domain_class: contract for contract in CONTRACTS if is_current(contract)}
_BY_TYPE = {(contract.event_type, contract.schema_version): contract for contract in CONTRACTS}

AGGREGATE_TYPES: tuple[str, ...] = tuple(sorted({c.aggregate_type for c in CONTRACTS}))


def contract_for_event(domain_event: object) -> EventContract:
    try:
        return _BY_CLASS[type(domain_event)]
    except KeyError:
        raise UnknownEventType(
            f"no published contract for {type(domain_event).__qualname__}"
        ) from None


def contract_for_type(event_type: str, schema_version: int) -> EventContract:
    try:
        return _BY_TYPE[(event_type, schema_version)]
    except KeyError:
        raise UnknownEventType(
            f"unknown event type {event_type!r} version {schema_version}"
        ) from None


def topic_name(prefix: str, aggregate_type: str) -> str:
    """One topic per aggregate category, e.g. ``ledger.partner``."""
    return f"{prefix}.{aggregate_type}"


def chain_topic_name(prefix: str) -> str:
    """Where the relay publishes the hash chain's seals (one partition, so they stay in order)."""
    return f"{prefix}.chain"
