"""Company identifiers an end customer can be registered with, validated before they are used.

- SIREN (9 digits) and SIRET (14 digits: the SIREN and an establishment number) carry a Luhn
  check digit. SIRETs of La Poste (SIREN 356000000) are the published exception: the sum of
  their digits is a multiple of 5 instead.
- EU VAT numbers are checked against their country's format (as the VIES service lists them).
  A French one is "FR", a two-character key and the SIREN; a numeric key must equal
  (12 + 3 * (SIREN mod 97)) mod 97. Keys with letters (given to businesses registered
  otherwise) have no public formula and are checked for their format only.

A SIRET and a French VAT number both reduce to their SIREN, so the three forms of one French
company are one claim key.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from domain.errors import InvalidCompanyIdentifier

LA_POSTE_SIREN = "356000000"

# Country code -> the format of what follows it (VIES, the EU's VAT information exchange).
EU_VAT_FORMATS: dict[str, str] = {
    "AT": r"U\d{8}",
    "BE": r"[01]\d{9}",
    "BG": r"\d{9,10}",
    "CY": r"\d{8}[A-Z]",
    "CZ": r"\d{8,10}",
    "DE": r"\d{9}",
    "DK": r"\d{8}",
    "EE": r"\d{9}",
    "EL": r"\d{9}",
    "ES": r"[0-9A-Z]\d{7}[0-9A-Z]",
    "FI": r"\d{8}",
    "FR": r"[0-9A-HJ-NP-Z]{2}\d{9}",
    "HR": r"\d{11}",
    "HU": r"\d{8}",
    "IE": r"\d{7}[A-W][A-IW]?|\d[A-Z+*]\d{5}[A-W]",
    "IT": r"\d{11}",
    "LT": r"\d{9}|\d{12}",
    "LU": r"\d{8}",
    "LV": r"\d{11}",
    "MT": r"\d{8}",
    "NL": r"\d{9}B\d{2}",
    "PL": r"\d{10}",
    "PT": r"\d{9}",
    "RO": r"[1-9]\d{1,9}",
    "SE": r"\d{10}01",
    "SI": r"\d{8}",
    "SK": r"\d{10}",
    "XI": r"\d{9}|\d{12}|GD\d{3}|HA\d{3}",
}
_SEPARATORS = re.compile(r"[\s.\-/]")


class CompanyIdentifierKind(Enum):
    SIREN = "siren"
    SIRET = "siret"
    VAT = "vat"


@dataclass(frozen=True)
class CompanyIdentifier:
    """A validated identifier, written without separators (e.g. "FR40303265045")."""

    kind: CompanyIdentifierKind
    value: str

    @property
    def claim_key(self) -> str:
        """What every identifier of the same company shares: the SIREN in France."""
        if self.kind is CompanyIdentifierKind.SIREN:
            return f"siren:{self.value}"
        if self.kind is CompanyIdentifierKind.SIRET:
            return f"siren:{self.value[:9]}"
        if self.value.startswith("FR"):
            return f"siren:{self.value[4:]}"
        return f"vat:{self.value}"


def parse_company_identifier(text: str) -> CompanyIdentifier:
    """A SIREN, a SIRET or an EU VAT number, validated; anything else is refused by name."""
    value = _SEPARATORS.sub("", text).upper()
    if value.isdigit() and len(value) == 9:
        check_siren(value, text)
        return CompanyIdentifier(CompanyIdentifierKind.SIREN, value)
    if value.isdigit() and len(value) == 14:
        check_siret(value, text)
        return CompanyIdentifier(CompanyIdentifierKind.SIRET, value)
    if len(value) > 2 and value[:2].isalpha():
        check_eu_vat(value, text)
        return CompanyIdentifier(CompanyIdentifierKind.VAT, value)
    raise InvalidCompanyIdentifier(
        f"company identifier {text!r} is neither a SIREN (9 digits), a SIRET (14 digits) "
        "nor an EU VAT number (country code and number)"
    )


def luhn_valid(digits: str) -> bool:
    """The Luhn check: doubling every second digit from the right, the sum ends in 0."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        digit = int(char)
        if position % 2 == 1:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return total % 10 == 0


def check_siren(siren: str, text: str) -> None:
    if not luhn_valid(siren):
        raise InvalidCompanyIdentifier(f"SIREN {text!r} fails its Luhn check digit")


def check_siret(siret: str, text: str) -> None:
    valid = luhn_valid(siret)
    if not valid and siret.startswith(LA_POSTE_SIREN):
        # La Poste's establishments are numbered past what Luhn allows (see the module doc).
        valid = sum(int(c) for c in siret) % 5 == 0
    if not valid:
        raise InvalidCompanyIdentifier(f"SIRET {text!r} fails its Luhn check digit")


def check_eu_vat(value: str, text: str) -> None:
    country, number = value[:2], value[2:]
    pattern = EU_VAT_FORMATS.get(country)
    if pattern is None:
        raise InvalidCompanyIdentifier(
            f"VAT number {text!r}: {country!r} is not an EU VAT country code"
        )
    if re.fullmatch(pattern, number) is None:
        raise InvalidCompanyIdentifier(
            f"VAT number {text!r} does not have the format of a {country} VAT number"
        )
    if country == "FR":
        check_french_vat_key(number, text)


def check_french_vat_key(number: str, text: str) -> None:
    key, siren = number[:2], number[2:]
    if not key.isdigit():
        return  # letter keys: format only (see the module doc)
    check_siren(siren, text)
    expected = (12 + 3 * (int(siren) % 97)) % 97
    if int(key) != expected:
        raise InvalidCompanyIdentifier(
            f"VAT number {text!r}: key {key} does not match SIREN {siren} (expected {expected:02d})"
        )
