"""An end customer's identity: the normalized name and validated company identifiers."""

import pytest

from domain.company_identifier import (
    CompanyIdentifierKind,
    luhn_valid,
    parse_company_identifier,
)
from domain.customer_identity import CustomerIdentity, normalize_customer_name
from domain.errors import InvalidCompanyIdentifier

# Published identifiers of real companies (INSEE's SIRENE register, VIES).
DANONE_SIREN = "552032534"
DANONE_SIRET = "55203253400646"
DANONE_VAT = "FR27552032534"


@pytest.mark.parametrize(
    ("typed", "normalized"),
    [
        ("Société Générale S.A.", "societe generale"),
        ("SOCIETE GENERALE", "societe generale"),
        ("société  générale, SA", "societe generale"),
        ("Acme SARL", "acme"),
        ("ACME S.A.R.L.", "acme"),
        ("Acme Ltd.", "acme"),
        ("acme, inc", "acme"),
        ("Müller GmbH & Co. KG", "muller"),
        ("Dupont et Cie", "dupont"),
        ("Ærø Øst AS", "aero ost"),
    ],
)
def test_names_differing_in_case_accents_punctuation_and_legal_form_normalize_alike(
    typed, normalized
):
    assert normalize_customer_name(typed) == normalized


def test_a_legal_form_inside_a_name_is_part_of_it():
    assert normalize_customer_name("SA Blanc Industries") == "sa blanc industries"


def test_a_name_that_is_only_a_legal_form_is_kept():
    assert normalize_customer_name("S.A.") == "sa"


def test_luhn_accepts_a_valid_number_and_refuses_a_changed_digit():
    assert luhn_valid(DANONE_SIREN)
    assert not luhn_valid("552032535")


@pytest.mark.parametrize(
    ("typed", "kind"),
    [
        (DANONE_SIREN, CompanyIdentifierKind.SIREN),
        ("552 032 534", CompanyIdentifierKind.SIREN),
        (DANONE_SIRET, CompanyIdentifierKind.SIRET),
        ("552 032 534 00646", CompanyIdentifierKind.SIRET),
        (DANONE_VAT, CompanyIdentifierKind.VAT),
        ("fr 27 552032534", CompanyIdentifierKind.VAT),
    ],
)
def test_the_three_forms_of_a_french_company_share_its_siren(typed, kind):
    identifier = parse_company_identifier(typed)

    assert identifier.kind is kind
    assert identifier.claim_key == f"siren:{DANONE_SIREN}"


def test_a_la_poste_siret_is_checked_by_the_sum_of_its_digits():
    assert parse_company_identifier("35600000000048").claim_key == "siren:356000000"


def test_a_non_french_vat_number_is_its_own_key():
    assert parse_company_identifier("DE 123456789").claim_key == "vat:DE123456789"


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        ("552032535", "SIREN '552032535' fails its Luhn check digit"),
        ("55203253400647", "SIRET '55203253400647' fails its Luhn check digit"),
        ("FR28552032534", "key 28 does not match SIREN 552032534 (expected 27)"),
        ("FR27552032535", "SIREN"),
        ("DE12345678", "does not have the format of a DE VAT number"),
        ("ZZ123456789", "'ZZ' is not an EU VAT country code"),
        ("12345", "is neither a SIREN (9 digits), a SIRET (14 digits) nor an EU VAT number"),
    ],
)
def test_an_invalid_company_identifier_is_refused_naming_the_problem(typed, problem):
    with pytest.raises(InvalidCompanyIdentifier, match="company-identifier-valid") as refused:
        parse_company_identifier(typed)

    assert problem in str(refused.value)


def test_an_identity_is_recognised_by_its_name_and_its_company_key():
    identity = CustomerIdentity.of("Danone S.A.", DANONE_SIRET)

    assert identity.claim_keys == ("name:danone", f"siren:{DANONE_SIREN}")


def test_an_identity_without_company_identifier_is_recognised_by_name_only():
    assert CustomerIdentity.of("Danone", "  ").claim_keys == ("name:danone",)
