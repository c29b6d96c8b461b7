"""Errors a user can cause. Each names the rule it enforces, so messages and tests can cite it."""

from typing import ClassVar


class DomainError(Exception):
    """A command broke a business rule; nothing was recorded."""

    rule: ClassVar[str] = "domain-rule"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return f"{self.message} [rule: {self.rule}]"


class InvalidPartnerCode(DomainError):
    rule = "partner-code-format"


class BlankPartnerName(DomainError):
    rule = "partner-name-required"


class BlankIndividualName(DomainError):
    rule = "individual-name-required"


class PartnerAlreadyEnrolled(DomainError):
    rule = "partner-enrolled-once"


class UnknownPartner(DomainError):
    rule = "partner-must-be-enrolled"


class CertificationEndsBeforeStart(DomainError):
    rule = "certification-expiry-after-effective-date"


class CertificationBeforeEnrolment(DomainError):
    rule = "certification-after-enrolment"


class InvalidProgramRules(DomainError):
    rule = "program-rules-consistent"


class NegativeAmount(DomainError):
    rule = "amount-not-negative"


class UnknownOpportunity(DomainError):
    rule = "opportunity-must-be-registered"


class OpportunityDetailsConflict(DomainError):
    rule = "opportunity-details-consistent"


class OpportunityClosed(DomainError):
    rule = "opportunity-open"


class NotProtectionHolder(DomainError):
    rule = "only-holder-releases-protection"


class AlreadyHoldsExclusivity(DomainError):
    rule = "holder-does-not-register-again"


class NoRulesInForce(DomainError):
    rule = "rules-published-before-decisions"


class RulesVersionAlreadyPublished(DomainError):
    rule = "rules-version-published-once"


class SpecializationRequirementsNotMet(DomainError):
    rule = "specialization-requirements"


class SpecializationAlreadyHeld(DomainError):
    rule = "specialization-awarded-once"


class SpecializationCapReached(DomainError):
    rule = "specialized-partner-cap"


class UnknownCertification(DomainError):
    rule = "certification-must-be-active"


class BlankReference(DomainError):
    rule = "reference-required"


class BusinessDateBeforeHistory(DomainError):
    rule = "business-time-moves-forward"


class NoProtectionBenefits(DomainError):
    rule = "benefits-only-under-protection"


class EngineerDaysExhausted(DomainError):
    rule = "engineer-days-within-grant"


class NonPositiveDays(DomainError):
    rule = "days-at-least-one"


class InvalidCompanyIdentifier(DomainError):
    rule = "company-identifier-valid"
